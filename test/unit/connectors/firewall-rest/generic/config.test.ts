/**
 * The generic profile's options: defaults, and a clear error for each way a YAML description can be wrong
 * (checked at load, not on the first request). Also: the shipped examples load through the real loader.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../../src/config/index.js';
import { loadGatewayConfig } from '../../../../../src/server.js';
import { repoRoot } from '../../../../support/durable-transpile.js';
import { genericConfigSchema, genericRegistry } from './harness.js';

const minimal = () => ({
  profile: 'generic',
  baseUrl: 'https://fw.example.test',
  auth: { type: 'bearer', token: 's3cret-token' },
  users: {
    object: { id: 'id', fields: { mail: 'email' } },
    get: { method: 'GET', path: '/users', query: { name: '{key}' } },
    list: { method: 'GET', path: '/users' },
    create: { method: 'POST', path: '/users', body: { name: '{key}', mail: '{field:mail}' } },
    update: { method: 'PUT', path: '/users/{id}', body: { name: '{newKey}' } },
    delete: { method: 'DELETE', path: '/users/{id}' },
  },
});

type Config = Omit<ReturnType<typeof minimal>, 'users'> & { users: Omit<ReturnType<typeof minimal>['users'], 'create'> & { create: { method: string; path: string; body: Record<string, unknown> } } } & Record<string, unknown>;

function problems(change: (c: Config) => void): string {
  const c = minimal() as Config;
  change(c);
  const r = genericConfigSchema.safeParse(c);
  if (r.success) return '';
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

describe('generic profile options', () => {
  it('fills in the defaults', () => {
    const o = genericConfigSchema.parse(minimal());
    expect(o).toMatchObject({ label: 'firewall', keyCase: 'exact', serializeWrites: false, errors: [] });
    expect(o.groups).toBeUndefined();
    expect(o.users.object.key).toEqual(['name']);
    expect(o.users.name).toEqual({ maxLength: 255 });
    expect(o.users.list.paging).toEqual({ style: 'none' });
    expect(o.users.object.fields['mail']).toMatchObject({ path: ['email'], type: 'string', writeOnly: false, clear: '' });
    expect(o.errorMessage).toEqual([['message'], ['errorMessage'], ['validations'], ['error'], ['errors']]);
  });

  it('keeps credentials as secrets: never printed', () => {
    const o = genericConfigSchema.parse({ ...minimal(), auth: { type: 'basic', username: 'key-123', password: 'pw-456' } });
    const shown = `${JSON.stringify(o)} ${inspect(o, { depth: 10 })}`;
    expect(shown).not.toContain('key-123');
    expect(shown).not.toContain('pw-456');
  });

  it.each<[string, (c: Config) => void, RegExp]>([
    ['an unknown placeholder', (c) => (c.users.get.path = '/users/{name}'), /users\.get\.path: "\/users\/\{name\}": unknown placeholder \{name\}/],
    ['{newKey} in a read', (c) => (c.users.get.query = { name: '{newKey}' }), /users\.get: \{newKey\} cannot be used here; this request takes \{key\}/],
    ['{id} without object.id', (c) => delete (c.users.object as Record<string, unknown>)['id'], /users\.update: \{id\} needs object\.id/],
    ['an undeclared field', (c) => (c.users.create.body = { x: '{field:phone}' }), /users\.create: \{field:phone\}: no such field in object\.fields/],
    ['a relative path', (c) => (c.users.list.path = 'users'), /must be a path under baseUrl/],
    ['a path with a fragment', (c) => (c.users.list.path = '/users#x'), /must be a path under baseUrl/],
    ['a bad regular expression', (c) => ((c.users as Record<string, unknown>)['name'] = { pattern: '([a-z' }), /users\.name\.pattern: not a regular expression/],
    ['an unknown key (typo)', (c) => ((c.users.list as Record<string, unknown>)['itmes'] = 'rows'), /Unrecognized key.*itmes/],
    ['a reserved field name', (c) => (c.users.object.fields = { name: 'name' } as never), /users\.object\.fields\.name: "name" is reserved/],
    ['a header auth on a transport header', (c) => (c.auth = { type: 'header', name: 'Content-Type', value: 'x' } as never), /auth\.name: a header the transport sets itself/],
    ['an empty secret', (c) => (c.auth = { type: 'bearer', token: '' }), /auth\.token: must not be empty/],
    ['a bad dotted path', (c) => ((c.users.list as Record<string, unknown>)['items'] = 'data..rows'), /not a dotted path/],
    ['fetchEach without fetch', (c) => ((c.users.list as Record<string, unknown>)['fetchEach'] = true), /users\.list\.fetchEach: fetchEach needs a fetch request/],
    ['{members} for users', (c) => (c.users.create.body = { m: '{members}' }), /\{members\} cannot be used here/],
  ])('refuses %s with a message naming the place', (_what, change, message) => {
    expect(problems(change)).toMatch(message);
  });

  it('refuses option-keys members in a group create (the group has no options yet)', () => {
    const groups = {
      object: { id: 'uuid' },
      get: { method: 'GET', path: '/groups', query: { name: '{key}' } },
      list: { method: 'GET', path: '/groups' },
      create: { method: 'POST', path: '/groups', body: { name: '{key}', member: '{members}' } },
      update: { method: 'POST', path: '/groups/{id}', body: { name: '{newKey}' } },
      delete: { method: 'POST', path: '/groups/{id}/del' },
      membership: { style: 'full-list', format: 'option-keys', update: { method: 'POST', path: '/groups/{id}', body: { member: '{members}' } } },
    };
    expect(problems((c) => (c['groups'] = groups))).toMatch(/groups\.create\.body: \{members\} in create cannot be written as option-keys/);
    expect(problems((c) => (c['groups'] = { ...groups, create: { method: 'POST', path: '/groups', body: { name: '{key}' } } }))).toBe('');
  });
});

describe('the pfSense and OPNsense examples', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scimbridge-generic-'));
    await writeFile(join(dir, 'cert.pem'), 'dummy');
    await writeFile(join(dir, 'key.pem'), 'dummy', { mode: 0o600 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['pfsense', 'opnsense'])('%s loads through the real loader without problems or warnings', async (name) => {
    const env = {
      SCIM_TOKEN: 'a'.repeat(48),
      TLS_CERT_FILE: join(dir, 'cert.pem'),
      TLS_KEY_FILE: join(dir, 'key.pem'),
      PFSENSE_API_KEY: 'k'.repeat(40),
      OPNSENSE_API_KEY: 'k'.repeat(40),
      OPNSENSE_API_SECRET: 's'.repeat(40),
    };
    const file = join(repoRoot, 'config', 'examples', name, 'gateway.yaml');
    const config = await loadGatewayConfig(file, genericRegistry, env, false).catch((err: unknown) => {
      throw err instanceof ConfigError ? new Error(`${name} does not load:\n${err.message}`) : err;
    });
    expect(config.warnings).toEqual([]);
    expect(config.connectors.map((c) => [c.id, c.type])).toEqual([[name, 'firewall-rest']]);
    expect(config.connectors[0]!.options).toMatchObject({ profile: 'generic', serializeWrites: true, label: name === 'pfsense' ? 'pfSense' : 'OPNsense' });
  });
});
