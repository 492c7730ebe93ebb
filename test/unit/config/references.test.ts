import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { expandString, type Expansion } from '../../../src/config/references.js';
import { fixture, registry } from './fake-registry.js';

const dir = mkdtempSync(join(tmpdir(), 'scimbridge-refs-'));
mkdirSync(join(dir, 'sub'));
writeFileSync(join(dir, 'sub', 'one-newline'), 'secret-value\n');
writeFileSync(join(dir, 'sub', 'two-newlines'), 'value\n\n');
writeFileSync(join(dir, 'sub', 'crlf'), 'value\r\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expand = (text: string, env: NodeJS.ProcessEnv = {}): Promise<Expansion> => expandString(text, { env, baseDir: dir });
const value = async (text: string, env: NodeJS.ProcessEnv = {}): Promise<string> => {
  const r = await expand(text, env);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const failure = async (text: string, env: NodeJS.ProcessEnv = {}): Promise<string> => {
  const r = await expand(text, env);
  if (r.ok) throw new Error('expected a failure');
  return r.message;
};

describe('expandString', () => {
  it('expands env references, alone and inside longer strings', async () => {
    expect(await value('${env:PORT}', { PORT: '9090' })).toBe('9090');
    expect(await value('${env:DATA_DIR:-./data}/scim-token', { DATA_DIR: '/srv' })).toBe('/srv/scim-token');
    expect(await value('a-${env:X}-b-${env:Y}', { X: '1', Y: '2' })).toBe('a-1-b-2');
  });

  it('uses the default when the variable is unset or set but empty', async () => {
    expect(await value('${env:PORT:-8080}')).toBe('8080');
    expect(await value('${env:PORT:-8080}', { PORT: '' })).toBe('8080');
    expect(await value('${env:TOKEN:-}')).toBe('');
    expect(await value('${env:URL:-http://x:1/a}')).toBe('http://x:1/a');
  });

  it('reports a missing variable by name, and an empty one as empty', async () => {
    expect(await failure('${env:LDAP_BIND_PASSWORD}')).toBe('environment variable LDAP_BIND_PASSWORD is not set');
    expect(await failure('${env:LDAP_BIND_PASSWORD}', { LDAP_BIND_PASSWORD: '' })).toBe(
      'environment variable LDAP_BIND_PASSWORD is set but empty',
    );
  });

  it('reads files relative to the YAML directory and trims exactly one trailing newline', async () => {
    expect(await value('${file:sub/one-newline}')).toBe('secret-value');
    expect(await value('${file:sub/two-newlines}')).toBe('value\n');
    expect(await value('${file:sub/crlf}')).toBe('value');
    expect(await value(`\${file:${join(dir, 'sub', 'one-newline')}}`)).toBe('secret-value');
  });

  it('names an unreadable file without printing anything from it', async () => {
    expect(await failure('${file:sub/nope}')).toBe('cannot read file "sub/nope" (ENOENT)');
  });

  it('turns $${ into a literal ${ and leaves other dollars alone', async () => {
    const r = await expand('cost $5, $${env:NOT_EXPANDED}, $$');
    expect(r).toEqual({ ok: true, value: 'cost $5, ${env:NOT_EXPANDED}, $$', usedReference: false });
  });

  it('rejects malformed references', async () => {
    expect(await failure('${foo}')).toMatch(/^malformed reference/);
    expect(await failure('${env:}')).toMatch(/^malformed reference: \$\{env:\} needs a variable name/);
    expect(await failure('${env:BAD-NAME}')).toMatch(/^malformed reference/);
    expect(await failure('${file:}')).toMatch(/^malformed reference/);
    expect(await failure('abc ${env:X')).toMatch(/^unterminated reference/);
  });

  it('never puts the text of a malformed reference into the message', async () => {
    expect(await failure('${hunter2-password}')).not.toContain('hunter2');
  });
});

describe('references in config files', () => {
  it('reports a missing env var with the file, YAML path, line and column', async () => {
    const err = await loadConfig(fixture('bad_refs.yaml'), { registry, env: { SCIM_TOKEN: 'x'.repeat(32) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues).toContainEqual({
      file: 'test/fixtures/config/connectors/bad_ldap_env.yaml',
      path: 'options.bindPassword',
      line: 5,
      column: 17,
      message: 'environment variable LDAP_BIND_PASSWORD is not set',
    });
    expect((err as ConfigError).message).toContain(
      'test/fixtures/config/connectors/bad_ldap_env.yaml:5:17: options.bindPassword: environment variable LDAP_BIND_PASSWORD is not set',
    );
    const byPath = new Map(issues.map((i) => [i.path, i]));
    expect(byPath.get('endpoints[0].tokens[1]')?.message).toMatch(/^malformed reference/);
    expect(byPath.get('endpoints[0].tokens[2]')?.message).toMatch(/^malformed reference/);
    expect(byPath.get('endpoints[0].tokens[3]')?.message).toBe('cannot read file "secrets/does-not-exist" (ENOENT)');
    // One problem per broken reference: no follow-on "too short" for the unexpanded text.
    expect(issues.filter((i) => i.path.startsWith('endpoints[0].tokens'))).toHaveLength(3);
  });

  it('expands on the parsed tree, so a value cannot inject YAML', async () => {
    const config = await loadConfig(fixture('gateway.yaml'), {
      registry,
      env: { SCIM_TOKEN: 'a'.repeat(32), HOST: '0.0.0.0\nport: 1\nevil: true', DATA_DIR: dir },
    });
    expect(config.gateway.server.host).toBe('0.0.0.0\nport: 1\nevil: true');
    expect(config.gateway.server.port).toBe(8080);
  });
});
