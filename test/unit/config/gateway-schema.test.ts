import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, gatewayFileSchema, loadConfig } from '../../../src/config/index.js';
import { fixture, registry } from './fake-registry.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scimbridge-gateway-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'gateway-schema-token-0123456789abcdef';
const ENDPOINTS = ['endpoints:', '  - path: /scim/v2', '    connector: local', `    tokens: [${TOKEN}]`];
const CONNECTORS = ['connectors:', `  - ${fixture('connectors/local.yaml')}`];

async function issues(lines: readonly string[]): Promise<[string, number | undefined, string][]> {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, lines.join('\n'));
  const err = await loadConfig(file, { registry, cwd: dir, env: { DATA_DIR: dir } }).catch((e: unknown) => e);
  if (!(err instanceof ConfigError)) throw new Error('expected a ConfigError');
  return err.issues.map((i) => [i.path, i.line, i.message]);
}

describe('gateway schema', () => {
  it('has complete defaults', () => {
    const parsed = gatewayFileSchema.parse({ connectors: ['c.yaml'], endpoints: [{ path: '/s', connector: 'c', tokens: [TOKEN] }] });
    expect(parsed.server).toEqual({ host: '127.0.0.1', port: 8080, bodyLimitBytes: 1_048_576, drainTimeoutMs: 10_000, heapGovernor: { enabled: true, growth: 1.5, slackMB: 48 } });
    expect(parsed.logging.level).toBe('info');
    expect(parsed.limits.filter).toEqual({ maxLength: 4096, maxDepth: 32, maxClauses: 100 });
  });

  it('wants TLS files both or neither, and readable', async () => {
    expect(await issues(['server:', '  tls:', '    certFile: cert.pem', ...CONNECTORS, ...ENDPOINTS])).toEqual([
      ['server.tls.keyFile', 2, 'required key "keyFile" is missing'],
    ]);
    expect(await issues(['server:', '  tls:', '    certFile: cert.pem', '    keyFile: key.pem', ...CONNECTORS, ...ENDPOINTS])).toEqual([
      ['server.tls.certFile', 3, 'cannot read cert.pem (ENOENT)'],
      ['server.tls.keyFile', 4, 'cannot read key.pem (ENOENT)'],
    ]);
  });

  it('makes TLS paths absolute against the working directory', async () => {
    writeFileSync(join(dir, 'cert.pem'), 'x');
    writeFileSync(join(dir, 'key.pem'), 'x');
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, ['server:', '  tls: { certFile: cert.pem, keyFile: key.pem }', ...CONNECTORS, ...ENDPOINTS].join('\n'));
    const config = await loadConfig(file, { registry, cwd: dir, env: { DATA_DIR: dir } });
    expect(config.gateway.server.tls).toEqual({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') });
  });

  it('requires connectors and at least one endpoint', async () => {
    expect(await issues(['endpoints: []'])).toEqual([
      ['connectors', 1, 'required key "connectors" is missing'],
      ['endpoints', 1, 'declare at least one endpoint'],
    ]);
  });

  it('checks limits against each other', async () => {
    expect(await issues(['limits:', '  defaultPageSize: 50', '  maxPageSize: 10', ...CONNECTORS, ...ENDPOINTS])).toEqual([
      ['limits.defaultPageSize', 2, 'must not exceed maxPageSize (10)'],
    ]);
  });

  it('wants a mapping at the top level', async () => {
    expect(await issues(['- just', '- a list'])).toEqual([['', 1, 'expected a YAML mapping (key: value lines) at the top level']]);
    expect(await issues([''])).toEqual([['', undefined, 'expected a YAML mapping (key: value lines) at the top level']]);
  });

  it('rejects endpoint paths that are not clean URL paths', async () => {
    const endpoint = (path: string, n: number) => [`  - path: "${path}"`, '    connector: local', `    tokens: [${TOKEN}-${n}]`];
    const result = await issues([...CONNECTORS, 'endpoints:', ...endpoint('/', 1), ...endpoint('/a?b', 2), ...endpoint('/a//b', 3), ...endpoint('/a b', 4)]);
    expect(result.map(([path, , message]) => [path, message])).toEqual([
      ['endpoints[0].path', 'must not be "/" alone: it would overlap every other route'],
      ['endpoints[1].path', 'must not contain "?" or "#"'],
      ['endpoints[2].path', 'must not contain an empty segment ("//")'],
      ['endpoints[3].path', 'must contain only URL path characters (letters, digits, "-", ".", "_", "~" …)'],
    ]);
  });
});
