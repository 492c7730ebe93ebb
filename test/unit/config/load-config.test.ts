import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, configIssue, loadConfig, Secret, type LoadedConfig } from '../../../src/config/index.js';
import { fixture, registry } from './fake-registry.js';

const dataDir = mkdtempSync(join(tmpdir(), 'scimbridge-load-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const SCIM_TOKEN = 'endpoint-one-token-0123456789abcdef';
const env = { SCIM_TOKEN, DATA_DIR: dataDir, PORT: '9090', HOST: '', QUEUE_CONCURRENCY: '8' };
const load = (extra: NodeJS.ProcessEnv = {}): Promise<LoadedConfig> => loadConfig(fixture('gateway.yaml'), { registry, env: { ...env, ...extra } });

describe('loadConfig on a valid config', () => {
  it('applies references, numeric strings and schema defaults', async () => {
    const config = await load();
    expect(config.gatewayFile).toBe(fixture('gateway.yaml'));
    expect(config.gateway.server).toEqual({ host: '127.0.0.1', port: 9090, bodyLimitBytes: 1_048_576, drainTimeoutMs: 10_000, heapGovernor: { enabled: true, growth: 1.5, slackMB: 48 } });
    expect(config.gateway.logging).toEqual({ level: 'info' });
    expect(config.gateway.limits).toEqual({
      filter: { maxLength: 4096, maxDepth: 16, maxClauses: 100 },
      defaultPageSize: 100,
      maxPageSize: 500,
      maxOperations: 1000,
      maxMembersPerRequest: 10_000,
    });
    expect(config.warnings).toEqual([]);
  });

  it('loads each connector: queue defaults, options through the connector schema, mapping', async () => {
    const config = await load();
    const [local, directory] = config.connectors;
    expect(local).toMatchObject({
      id: 'local',
      type: 'json-file',
      file: fixture('connectors/local.yaml'),
      queue: { concurrency: 8, intervalCap: 10, intervalMs: 1000, timeoutMs: 30_000, maxQueued: 1000, retryAfterSec: 5 },
      options: { dir: `${dataDir}/store`, note: 'costs ${HOME} and $5', pretty: true, maxRecords: 100 },
    });
    // The user section is the file's; the absent group section comes from the connector's default mapping.
    expect(local?.mapping).toEqual({
      user: { userName: 'userName', 'name.givenName': 'givenName', 'emails[type eq "work"].value': 'workEmail' },
      group: { displayName: 'displayName' },
    });
    expect(directory?.mapping).toEqual({ user: { userName: 'uid' }, group: { displayName: 'cn' } });
    const options = directory?.options as { bindPassword: Secret; banner: string };
    expect(options.bindPassword).toBeInstanceOf(Secret);
    expect(options.bindPassword.reveal()).toBe('hunter2-bind-password-value');
    expect(options.banner).toBe('line one\n');
  });

  it('keeps only token digests', async () => {
    const config = await load();
    const [scim] = config.endpoints;
    expect(scim?.path).toBe('/scim/v2');
    expect(scim?.connectorId).toBe('local');
    expect(scim?.tokenHashes.map((h) => h.toString('hex'))).toEqual([
      createHash('sha256').update(SCIM_TOKEN).digest('hex'),
      '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    ]);
    expect(JSON.stringify(config)).not.toContain(SCIM_TOKEN);
  });

  it('is deeply frozen', async () => {
    const config = await load();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.gateway.server)).toBe(true);
    expect(Object.isFrozen(config.gateway.limits.filter)).toBe(true);
    expect(Object.isFrozen(config.connectors)).toBe(true);
    expect(Object.isFrozen(config.connectors[0]?.queue)).toBe(true);
    expect(Object.isFrozen(config.connectors[0]?.options)).toBe(true);
    expect(Object.isFrozen(config.connectors[1]?.mapping.user)).toBe(true);
    expect(Object.isFrozen(config.endpoints[0]?.tokenHashes)).toBe(true);
    expect(() => {
      (config.gateway.server as { port: number }).port = 1;
    }).toThrow(TypeError);
    // The registry's default mapping was copied, not frozen.
    const def = registry['ldap']?.defaultMapping;
    expect(Object.isFrozen(typeof def === 'function' ? undefined : def?.user)).toBe(false);
  });

  it('does not write to the config files', async () => {
    const { readFileSync } = await import('node:fs');
    const before = readFileSync(fixture('gateway.yaml'), 'utf8');
    await load();
    expect(readFileSync(fixture('gateway.yaml'), 'utf8')).toBe(before);
  });
});

describe('validateConnector', () => {
  it('receives each valid connector and its issues get the file, line and column', async () => {
    const seen: string[] = [];
    const err = await loadConfig(fixture('gateway.yaml'), {
      registry,
      env,
      validateConnector: (c) => {
        seen.push(c.id);
        if (c.id !== 'local') return [];
        return [
          configIssue(['mapping', 'user', 'emails[type eq "work"].value'], 'not a known attribute'),
          configIssue('mapping.user["name.givenName"]', 'string form works too'),
        ];
      },
    }).catch((e: unknown) => e);
    expect(seen).toEqual(['local', 'directory']);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([
      {
        file: 'test/fixtures/config/connectors/local.yaml',
        path: 'mapping.user["name.givenName"]',
        line: 13,
        column: 21,
        message: 'string form works too',
      },
      {
        file: 'test/fixtures/config/connectors/local.yaml',
        path: 'mapping.user["emails[type eq \\"work\\"].value"]',
        line: 14,
        column: 37,
        message: 'not a known attribute',
      },
    ]);
  });
});
