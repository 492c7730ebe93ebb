import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type LoadedConfig } from '../../../src/config/index.js';
import { fixture, registry } from './fake-registry.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scimbridge-tokens-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const hex = (b: Buffer | undefined): string | undefined => b?.toString('hex');
const sha = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Writes a gateway file in the temp dir whose single endpoint has the given `tokens:` YAML. */
function gateway(tokensYaml: string): string {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    [
      'connectors:',
      `  - ${fixture('connectors/local.yaml')}`,
      'endpoints:',
      '  - path: /scim/v2',
      '    connector: local',
      '    tokens:',
      ...tokensYaml.split('\n').map((l) => `      ${l}`),
      '',
    ].join('\n'),
  );
  return file;
}

const load = (file: string, opts: { createTokenFiles?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<LoadedConfig> =>
  loadConfig(file, { registry, cwd: dir, env: { DATA_DIR: join(dir, 'data'), ...opts.env }, createTokenFiles: opts.createTokenFiles ?? false });

const issuesOf = async (file: string, env: NodeJS.ProcessEnv = {}) => {
  const err = await load(file, { env }).catch((e: unknown) => e);
  if (!(err instanceof ConfigError)) throw new Error('expected a ConfigError');
  return err.issues.map((i) => [i.path, i.message]);
};

describe('token entries', () => {
  it('accepts sha256 entries in either case', async () => {
    const digest = sha('some-token-0123456789abcdefgh');
    const config = await load(gateway(`- sha256: ${digest.toUpperCase()}`));
    expect(config.endpoints[0]?.tokenHashes.map(hex)).toEqual([digest]);
  });

  it('prefers a non-empty value over the file', async () => {
    const file = gateway(['- value: ${env:SCIM_TOKEN:-}', '  file: ./never-read'].join('\n'));
    const config = await load(file, { env: { SCIM_TOKEN: 'from-env-0123456789abcdefgh' } });
    expect(config.endpoints[0]?.tokenHashes.map(hex)).toEqual([sha('from-env-0123456789abcdefgh')]);
  });

  it('reads a token file, trimming whitespace, and warns when others can read it', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'file-token-0123456789abcdefgh\n', { mode: 0o644 });
    chmodSync(tokenFile, 0o644);
    const config = await load(gateway('- file: token'));
    expect(config.endpoints[0]?.tokenHashes.map(hex)).toEqual([sha('file-token-0123456789abcdefgh')]);
    expect(config.warnings).toEqual([
      'gateway.yaml: endpoints[0].tokens[0].file: token file token is accessible to other users (mode 0644); restrict it with `chmod 600 token`',
    ]);
  });

  it('reports bad token entries', async () => {
    writeFileSync(join(dir, 'short'), 'abc\n', { mode: 0o600 });
    const file = gateway(
      [
        '- sha256: abc',
        '- { sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, value: x }',
        '- {}',
        '- vaule: x',
        '- 12345',
        '- file: missing',
        '- file: short',
        '- { value: "", generate: true }',
      ].join('\n'),
    );
    expect(await issuesOf(file)).toEqual([
      ['endpoints[0].tokens[0].sha256', 'must be 64 hex digits (the SHA-256 of the token)'],
      ['endpoints[0].tokens[1]', 'sha256 stands alone: do not combine it with value, file or generate'],
      ['endpoints[0].tokens[2]', 'give a token as sha256, value or file'],
      ['endpoints[0].tokens[3].vaule', 'unknown key "vaule"; did you mean "value"?'],
      ['endpoints[0].tokens[4]', 'expected string or object'],
      ['endpoints[0].tokens[5].file', 'token file missing does not exist; create it or add "generate: true"'],
      ['endpoints[0].tokens[6].file', 'the token in short is too short: use at least 24 random characters, e.g. `openssl rand -hex 32`'],
      ['endpoints[0].tokens[7]', 'generate: true needs a file to store the generated token in'],
    ]);
  });
});

describe('generated token files', () => {
  const generating = () => gateway(['- value: ${env:SCIM_TOKEN:-}', '  file: ${env:DATA_DIR}/scim-token', '  generate: true'].join('\n'));

  it('creates the file (mode 0600, parent created) only when createTokenFiles is set, and reuses it', async () => {
    const file = generating();
    const tokenFile = join(dir, 'data', 'scim-token');

    const checked = await load(file);
    expect(existsSync(tokenFile)).toBe(false);
    expect(checked.endpoints[0]).toMatchObject({ tokenHashes: [], generatedTokenFiles: [], pendingTokenFiles: ['data/scim-token'] });

    const first = await load(file, { createTokenFiles: true });
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(first.endpoints[0]).toMatchObject({ generatedTokenFiles: ['data/scim-token'], pendingTokenFiles: [] });
    expect(first.endpoints[0]?.tokenHashes.map(hex)).toEqual([sha(token.trim())]);
    expect(first.warnings).toEqual([]);

    const second = await load(file, { createTokenFiles: true });
    expect(readFileSync(tokenFile, 'utf8')).toBe(token);
    expect(second.endpoints[0]).toMatchObject({ generatedTokenFiles: [], pendingTokenFiles: [] });
    expect(second.endpoints[0]?.tokenHashes.map(hex)).toEqual([sha(token.trim())]);
  });

  it('creates nothing when the config has other problems', async () => {
    const file = generating();
    writeFileSync(file, readFileSync(file, 'utf8').replace('connector: local', 'connector: nope'));
    await expect(load(file, { createTokenFiles: true })).rejects.toBeInstanceOf(ConfigError);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('rejects two endpoints generating into the same file', async () => {
    const file = join(dir, 'gateway.yaml');
    const endpoint = (path: string) => [
      `  - path: ${path}`,
      '    connector: local',
      '    tokens:',
      '      - { file: "${env:DATA_DIR}/shared", generate: true }',
    ];
    writeFileSync(file, ['connectors:', `  - ${fixture('connectors/local.yaml')}`, 'endpoints:', ...endpoint('/a'), ...endpoint('/b'), ''].join('\n'));
    expect(await issuesOf(file)).toEqual([
      ['endpoints[1].tokens[0].file', 'token file data/shared is also used by endpoints[0]; give each endpoint its own token'],
    ]);
  });
});
