import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type ConfigIssue } from '../../../src/config/index.js';
import { fixture, registry } from './fake-registry.js';

const GATEWAY = 'test/fixtures/config/bad_multi.yaml';
const BROKEN = 'test/fixtures/config/connectors/bad_broken.yaml';

async function issuesOf(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ issues: readonly ConfigIssue[]; message: string }> {
  const err = await loadConfig(fixture(file), { registry, env }).catch((e: unknown) => e);
  if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(err)}`);
  return { issues: err.issues, message: err.message };
}

const at = (issues: readonly ConfigIssue[], file: string, path: string): ConfigIssue | undefined =>
  issues.find((i) => i.file === file && i.path === path);

describe('all problems at once', () => {
  it('reports every problem in both files in one ConfigError, with lines and columns', async () => {
    const { issues, message } = await issuesOf('bad_multi.yaml');
    expect(issues.map((i) => [i.file, i.line, i.path])).toEqual([
      [GATEWAY, 2, 'server.port'],
      [GATEWAY, 3, 'server.prot'],
      [GATEWAY, 5, 'logging.level'],
      [GATEWAY, 10, 'endpoints[0].connector'],
      [GATEWAY, 12, 'endpoints[0].tokens[0]'],
      [GATEWAY, 13, 'endpoints[1].path'],
      [GATEWAY, 16, 'endpoints[1].tokens[0]'],
      [BROKEN, 2, 'type'],
      [BROKEN, 4, 'queue.concurency'],
      [BROKEN, 5, 'queue.timeoutMs'],
    ]);
    expect(message.split('\n')).toHaveLength(issues.length);
    expect(message.split('\n')[0]).toBe(`${GATEWAY}:2:9: server.port: must be at most 65535`);
    expect(at(issues, GATEWAY, 'endpoints[1].path')?.message).toBe('must not end with "/"');
    expect(at(issues, BROKEN, 'queue.timeoutMs')?.message).toBe('expected an integer');
  });

  it('suggests the closest known key for an unknown key', async () => {
    const { issues } = await issuesOf('bad_multi.yaml');
    expect(at(issues, BROKEN, 'queue.concurency')).toEqual({
      file: BROKEN,
      path: 'queue.concurency',
      line: 4,
      column: 3,
      message: 'unknown key "concurency"; did you mean "concurrency"?',
    });
    expect(at(issues, GATEWAY, 'server.prot')?.message).toBe('unknown key "prot"; did you mean "port"?');
  });

  it('lists the known connector types, with a did-you-mean', async () => {
    const { issues } = await issuesOf('bad_multi.yaml');
    expect(at(issues, BROKEN, 'type')?.message).toBe(
      'unknown connector type "json-fil"; did you mean "json-file"? (known types: json-file, ldap)',
    );
  });

  it('rejects an endpoint naming an undeclared connector, with a did-you-mean', async () => {
    const { issues } = await issuesOf('bad_multi.yaml');
    expect(at(issues, GATEWAY, 'endpoints[0].connector')?.message).toBe(
      'unknown connector "lcoal"; did you mean "local"? (declared connectors: local)',
    );
  });

  it('rejects a short token', async () => {
    const { issues } = await issuesOf('bad_multi.yaml');
    expect(at(issues, GATEWAY, 'endpoints[0].tokens[0]')?.message).toBe(
      'token is too short: use at least 24 random characters, e.g. `openssl rand -hex 32`',
    );
  });
});

describe('endpoint rules', () => {
  it('rejects duplicate and prefix-overlapping paths, but not a plain string prefix', async () => {
    const { issues } = await issuesOf('bad_paths.yaml');
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['endpoints[1].path', 'overlaps endpoints[0].path: one is a prefix of the other, so one endpoint would shadow the other'],
      ['endpoints[4].path', 'endpoints[2] already uses this path'],
      ['endpoints[5].path', 'must start with "/"'],
    ]);
  });

  it('rejects one token on two endpoints, also when one side is a sha256 entry', async () => {
    const token = 'shared-token-0123456789abcdef';
    const { issues } = await issuesOf('bad_shared_token.yaml', {
      SCIM_TOKEN: token,
      SCIM_TOKEN_SHA256: createHash('sha256').update(token).digest('hex'),
    });
    expect(issues).toEqual([
      {
        file: 'test/fixtures/config/bad_shared_token.yaml',
        path: 'endpoints[1].tokens[0]',
        line: 12,
        column: 9,
        message: 'the same token is also accepted by endpoints[0]; give each endpoint its own token',
      },
    ]);
  });
});

describe('file-level problems', () => {
  it('reports YAML syntax errors with a position', async () => {
    const { issues } = await issuesOf('bad_syntax.yaml');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'test/fixtures/config/bad_syntax.yaml', path: '', line: 5, column: 1 });
    expect(issues[0]?.message).toMatch(/^YAML syntax error: /);
  });

  it('reports duplicate connector ids and unreadable connector files where they are listed', async () => {
    const { issues } = await issuesOf('bad_duplicate_id.yaml');
    expect(at(issues, 'test/fixtures/config/bad_duplicate_id.yaml', 'connectors[2]')).toMatchObject({
      line: 4,
      message: 'cannot read connector file test/fixtures/config/connectors/missing.yaml (ENOENT)',
    });
    expect(at(issues, BROKEN, 'id')?.message).toBe(
      'connector id "local" is already declared in test/fixtures/config/connectors/local.yaml',
    );
  });

  it('reports a missing gateway file', async () => {
    const { issues } = await issuesOf('nope.yaml');
    expect(issues).toEqual([{ file: 'test/fixtures/config/nope.yaml', path: '', message: 'cannot read the file (ENOENT)' }]);
  });
});
