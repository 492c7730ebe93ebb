import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineConnector } from '../../../connectors/types.js';
import { ConfigError, formatConfigForDisplay, loadConfig } from '../../../src/config/index.js';
import { fixture, registry } from './fake-registry.js';

const dataDir = mkdtempSync(join(tmpdir(), 'scimbridge-display-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const SCIM_TOKEN = 'display-test-token-0123456789abcdef';
const BIND_PASSWORD = 'hunter2-bind-password-value';

describe('formatConfigForDisplay', () => {
  it('prints the effective config as YAML with secrets and tokens redacted', async () => {
    const config = await loadConfig(fixture('gateway.yaml'), { registry, env: { SCIM_TOKEN, DATA_DIR: dataDir } });
    const text = formatConfigForDisplay(config);
    expect(text).toContain('port: 8080');
    expect(text).toContain('maxDepth: 16');
    expect(text).toContain('bindPassword: "[REDACTED]"');
    expect(text).toContain('concurrency: 4');
    expect(text).toContain(`tokenFilesToGenerate:\n      - ${join(dataDir, 'ldap-token')}`);
    expect(text).not.toContain(BIND_PASSWORD);
    expect(text).not.toContain(SCIM_TOKEN);
    expect(text).not.toContain(config.endpoints[0]?.tokenHashes[0]?.toString('hex'));
    expect(text).not.toContain('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
  });

  it('redacts secret-looking option keys even when a connector forgot secret()', async () => {
    const careless = defineConnector({
      type: 'json-file',
      configSchema: z.object({ dir: z.string(), note: z.string().optional(), pretty: z.unknown() }),
      defaultMapping: { user: {}, group: {} },
      create: () => {
        throw new Error('not used');
      },
    });
    const config = await loadConfig(fixture('gateway.yaml'), {
      registry: { ...registry, 'json-file': careless },
      env: { SCIM_TOKEN, DATA_DIR: dataDir },
    });
    // `note` is not secret-looking and is shown; a key such as `apiToken` would not be.
    const text = formatConfigForDisplay({
      ...config,
      connectors: config.connectors.map((c) => ({ ...c, options: { ...(c.options as object), apiToken: 'plain-text-token' } })),
    });
    expect(text).toContain('note: costs ${HOME} and $5');
    expect(text).toContain('apiToken: "[REDACTED]"');
    expect(text).not.toContain('plain-text-token');
  });
});

describe('secrets in error messages', () => {
  it('never prints a value that came from a reference', async () => {
    const env = {
      SECRET_LEVEL: 'level-hunter2',
      SECRET_CONNECTOR: 'connector-hunter2',
      SECRET_SHORT_TOKEN: 'tok-hunter2',
      SECRET_TYPE: 'type-hunter2',
    };
    const err = await loadConfig(fixture('bad_secrets.yaml'), { registry, env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const { message, issues } = err as ConfigError;
    expect(issues.map((i) => i.path)).toEqual(['logging.level', 'endpoints[0].connector', 'endpoints[0].tokens[0]', 'type']);
    expect(message).not.toContain('hunter2');
    expect(issues.find((i) => i.path === 'type')?.message).toBe(
      'unknown connector type <value from a reference> (known types: json-file, ldap)',
    );
  });
});
