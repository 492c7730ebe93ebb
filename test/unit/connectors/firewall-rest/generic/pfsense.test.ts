/**
 * The generic profile configured by config/examples/pfsense/connectors/pfsense.yaml against the fake pfSense
 * REST API v2: users and groups, ids that are array indexes, full-list membership, errors, paging.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../../../connectors/types.js';
import { listAll, never, rejection, startHarness, type Harness, type HarnessOptions } from './harness.js';

let h: Harness | undefined;
async function start(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness('pfsense', options);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const kindOf = (err: unknown): string | undefined => (err instanceof ConnectorError ? err.kind : undefined);

describe('generic profile, pfSense example: users', () => {
  it('creates a user with a random password, its full name and its state, and reads it back by name', async () => {
    const { api, fake, requests } = await start();
    await api.create('user', { key: 'jdoe', fields: { descr: 'John Doe', active: true } }, never());
    expect(fake.user('jdoe')).toMatchObject({ name: 'jdoe', descr: 'John Doe', disabled: false, passwordSet: true });
    const post = requests.find((r) => r.method === 'POST')!;
    expect(post.headers).toEqual({ 'x-api-key': fake.apiKey });
    expect(post.body).toMatchObject({ name: 'jdoe', descr: 'John Doe', disabled: false });
    expect((post.body as { password: string }).password).toMatch(/^[\w-]{32}$/);
    expect(await api.get('user', 'jdoe', never())).toEqual({ key: 'jdoe', fields: { descr: 'John Doe', active: true } });
    expect(await api.get('user', 'nobody', never())).toBeUndefined();
  });

  it('maps active to the inverted disabled flag both ways', async () => {
    const { api, fake } = await start();
    await api.create('user', { key: 'off', fields: { active: false } }, never());
    expect(fake.user('off')?.disabled).toBe(true);
    expect((await api.get('user', 'off', never()))?.fields).toEqual({ active: false });
    await api.update('user', 'off', { set: { active: true }, unset: [] }, never());
    expect(fake.user('off')?.disabled).toBe(false);
    await api.update('user', 'off', { set: { active: false }, unset: [] }, never());
    await api.update('user', 'off', { set: {}, unset: ['active'] }, never());
    expect(fake.user('off')?.disabled).toBe(false);
  });

  it('updates fields and renames with the index read just before, even after a delete shifted the indexes', async () => {
    const { api, fake, requests } = await start();
    for (const name of ['a1', 'b2', 'c3']) await api.create('user', { key: name, fields: { active: true } }, never());
    await api.delete('user', 'a1', never());
    // c3 was index 3 (admin is 0); now it is 2. A stored id would patch the wrong user.
    await api.update('user', 'c3', { set: { descr: 'Carol' }, unset: [], rename: 'carol' }, never());
    expect(fake.user('carol')).toMatchObject({ descr: 'Carol' });
    expect(fake.user('b2')?.descr).toBe('');
    const patch = requests.filter((r) => r.method === 'PATCH').at(-1)!;
    expect(patch.body).toEqual({ id: 2, name: 'carol', descr: 'Carol', disabled: false });
    await api.update('user', 'carol', { set: {}, unset: ['descr'] }, never());
    expect(fake.user('carol')?.descr).toBe('');
  });

  it('deletes a user, and answers not-found for one that is gone', async () => {
    const { api, fake } = await start();
    fake.seedUser({ name: 'gone' });
    await api.delete('user', 'gone', never());
    expect(fake.user('gone')).toBeUndefined();
    expect(kindOf(await rejection(api.delete('user', 'gone', never())))).toBe('not-found');
    expect(kindOf(await rejection(api.update('user', 'gone', { set: { descr: 'x' }, unset: [] }, never())))).toBe('not-found');
  });

  it('never shows or touches the system admin account', async () => {
    const { api, fake } = await start();
    expect(await api.get('user', 'admin', never())).toBeUndefined();
    expect((await listAll(api, 'user')).map((u) => u.key)).toEqual([]);
    expect(kindOf(await rejection(api.delete('user', 'admin', never())))).toBe('not-found');
    expect(fake.user('admin')).toBeDefined();
  });

  it('pages through 250 users with offset and limit', async () => {
    const { api, fake, requests } = await start({ pageSize: 100 });
    for (let i = 0; i < 250; i++) fake.seedUser({ name: `u${String(i).padStart(3, '0')}` });
    const users = await listAll(api, 'user');
    expect(users).toHaveLength(250);
    expect(new Set(users.map((u) => u.key)).size).toBe(250);
    expect(requests.map((r) => r.query)).toEqual([
      { offset: '0', limit: '100' },
      { offset: '100', limit: '100' },
      { offset: '200', limit: '100' },
    ]);
  });
});

describe('generic profile, pfSense example: errors', () => {
  it('answers conflict for a taken name, with pfSense message', async () => {
    const { api, fake } = await start();
    fake.seedUser({ name: 'jdoe' });
    const err = await rejection(api.create('user', { key: 'jdoe', fields: { active: true } }, never()));
    expect(kindOf(err)).toBe('conflict');
    expect((err as Error).message).toMatch(/^pfSense: create user "jdoe": Field 'name' must be unique/);
    fake.seedUser({ name: 'bob' });
    expect(kindOf(await rejection(api.update('user', 'bob', { set: {}, unset: [], rename: 'jdoe' }, never())))).toBe('conflict');
  });

  it('refuses names pfSense cannot hold before sending anything, naming the rule', async () => {
    const { api, requests } = await start();
    const err = await rejection(api.create('user', { key: 'j.doe@example.com', fields: {} }, never()));
    expect(kindOf(err)).toBe('invalid');
    expect((err as ConnectorError).attribute).toBe('userName');
    expect((err as Error).message).toContain('[a-zA-Z0-9._-]+');
    expect(kindOf(await rejection(api.create('group', { key: 'a-very-long-group-name', fields: {} }, never())))).toBe('invalid');
    expect(await api.get('user', 'a/b?c#d', never())).toBeUndefined();
    expect(requests).toEqual([]);
  });

  it('refuses a rename when the update request has no {newKey}', async () => {
    const { api, fake } = await start({ patch: (o) => delete (o['users'] as { update: { body: Record<string, unknown> } }).update.body['name'] });
    fake.seedUser({ name: 'jdoe' });
    const err = await rejection(api.update('user', 'jdoe', { set: {}, unset: [], rename: 'john' }, never()));
    expect(kindOf(err)).toBe('invalid');
    expect((err as Error).message).toContain('renaming is not supported');
    await api.update('user', 'jdoe', { set: { descr: 'J' }, unset: [] }, never());
    expect(fake.user('jdoe')?.descr).toBe('J');
  });

  it('maps a refused API key to upstream-auth', async () => {
    const { api } = await start({ apiKey: 'wrong' });
    expect(kindOf(await rejection(api.check(never())))).toBe('upstream-auth');
  });

  it('never puts the API key in logs, error messages or request descriptions', async () => {
    const key = 'K3Y-0123456789-distinct';
    const { api, fake, logs, requests } = await start({ fake: { apiKey: key } });
    fake.injectFault({ kind: 'status', status: 503 }, 2);
    const err = await rejection(api.get('user', 'jdoe', never()));
    expect(kindOf(err)).toBe('unavailable');
    await rejection(api.create('user', { key: 'admin', fields: {} }, never()));
    expect(requests.every((r) => r.headers?.['x-api-key'] === key)).toBe(true);
    const seen = [...logs, (err as Error).message, ...requests.map((r) => r.what)].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(seen).not.toContain(key);
  });

  it('answers invalid with pfSense message for a value it refuses', async () => {
    const { api } = await start({ patch: (o) => ((o['users'] as { create: { body: Record<string, unknown> } }).create.body['bogus'] = 'x') });
    const err = await rejection(api.create('user', { key: 'jdoe', fields: {} }, never()));
    expect(kindOf(err)).toBe('invalid');
    expect((err as Error).message).toContain('unknown field `bogus`');
  });
});

describe('generic profile, pfSense example: groups', () => {
  it('creates a group with members in one request, lists and reads it, renames and deletes it', async () => {
    const { api, fake } = await start();
    fake.seedUser({ name: 'alice' });
    fake.seedUser({ name: 'bob' });
    await api.create('group', { key: 'vpn', fields: {}, members: ['alice', 'bob'] }, never());
    expect(fake.memberNames('vpn')).toEqual(['alice', 'bob']);
    expect(await api.get('group', 'vpn', never())).toEqual({ key: 'vpn', fields: {}, members: ['alice', 'bob'] });
    expect((await listAll(api, 'group')).map((g) => g.key)).toEqual(['vpn']); // admins (system) ignored
    expect(await api.groupsOf('bob', never())).toEqual(['vpn']);
    await api.update('group', 'vpn', { set: {}, unset: [], rename: 'vpn2' }, never());
    expect(fake.memberNames('vpn2')).toEqual(['alice', 'bob']);
    await api.delete('group', 'vpn2', never());
    expect(fake.group('vpn2')).toBeUndefined();
  });

  it('adds and removes members by writing the whole list; present and absent members count as done', async () => {
    const { api, fake, requests } = await start();
    for (const n of ['alice', 'bob', 'carol']) fake.seedUser({ name: n });
    fake.seedGroup({ name: 'g', members: ['alice'] });
    await api.changeMembers('g', { add: ['bob', 'alice'], remove: ['carol'] }, never());
    expect(fake.memberNames('g')).toEqual(['alice', 'bob']);
    const patch = requests.filter((r) => r.method === 'PATCH').at(-1)!;
    expect(patch.body).toEqual({ id: 1, member: ['alice', 'bob'] });
    requests.length = 0;
    await api.changeMembers('g', { add: ['bob'], remove: ['carol'] }, never());
    expect(requests.map((r) => r.method)).toEqual(['GET']); // nothing to change, nothing written
    await api.changeMembers('g', { add: [], remove: ['alice'] }, never());
    expect(fake.memberNames('g')).toEqual(['bob']);
    // A renamed user stays a member (pfSense stores uids).
    await api.update('user', 'bob', { set: {}, unset: [], rename: 'robert' }, never());
    expect((await api.get('group', 'g', never()))?.members).toEqual(['robert']);
  });

  it('keeps all of 100 concurrent member additions to one group', async () => {
    const { api, fake } = await start({ fake: { latencyMs: 1 } });
    const names = Array.from({ length: 100 }, (_, i) => `m${i}`);
    for (const n of names) fake.seedUser({ name: n });
    fake.seedGroup({ name: 'big' });
    await Promise.all(names.map((n) => api.changeMembers('big', { add: [n], remove: [] }, never())));
    expect(new Set(fake.memberNames('big'))).toEqual(new Set(names));
    // serializeWrites: never more than one request at a time reached the box.
    expect(fake.peakInFlight).toBe(1);
  });

  it('answers not-found for members of a group that does not exist', async () => {
    const { api } = await start();
    expect(kindOf(await rejection(api.changeMembers('nope', { add: ['x'], remove: [] }, never())))).toBe('not-found');
  });
});
