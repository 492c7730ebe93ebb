/**
 * The generic profile configured by config/examples/opnsense/connectors/opnsense.yaml against the fake OPNsense
 * auth API: search-then-uuid, bootgrid paging, "0"/"1" flags, failed saves answered with 200, option-map members.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../../../connectors/types.js';
import { listAll, never, rejection, startHarness, type Harness, type HarnessOptions } from './harness.js';

let h: Harness | undefined;
async function start(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness('opnsense', options);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const kindOf = (err: unknown): string | undefined => (err instanceof ConnectorError ? err.kind : undefined);

describe('generic profile, OPNsense example: users', () => {
  it('creates a user with a scrambled password over Basic auth, and finds it by exact name among search hits', async () => {
    const { api, fake, requests } = await start();
    fake.seedUser({ name: 'jdoe2', email: 'other@example.com' });
    await api.create('user', { key: 'jdoe', fields: { email: 'j@example.com', descr: 'John', active: true } }, never());
    expect(fake.user('jdoe')).toMatchObject({ email: 'j@example.com', descr: 'John', disabled: false, passwordSet: true });
    const add = requests.find((r) => r.path === '/api/auth/user/add')!;
    expect(add.headers).toEqual(fake.authHeaders);
    expect(add.body).toEqual({ user: { name: 'jdoe', scrambled_password: '1', email: 'j@example.com', descr: 'John', disabled: '0' } });
    // "jdoe" matches both rows of the search; the exact one is taken.
    expect(await api.get('user', 'jdoe', never())).toEqual({ key: 'jdoe', fields: { email: 'j@example.com', descr: 'John', active: true } });
    expect(await api.get('user', 'jdo', never())).toBeUndefined();
  });

  it('updates by the uuid it just searched for: fields, "0"/"1" state, clearing, rename', async () => {
    const { api, fake, requests } = await start();
    const u = fake.seedUser({ name: 'ann', email: 'a@example.com', descr: 'Ann' });
    await api.update('user', 'ann', { set: { active: false }, unset: ['email'], rename: 'anna' }, never());
    expect(fake.user('anna')).toMatchObject({ uuid: u.uuid, disabled: true, email: '', descr: 'Ann' });
    const set = requests.find((r) => r.path.startsWith('/api/auth/user/set/'))!;
    expect(set.path).toBe(`/api/auth/user/set/${u.uuid}`);
    expect(set.body).toEqual({ user: { name: 'anna', email: '', descr: 'Ann', disabled: '1' } });
    expect((await api.get('user', 'anna', never()))?.fields).toEqual({ descr: 'Ann', active: false });
  });

  it('deletes by uuid; a user deleted meanwhile is not-found', async () => {
    const { api, fake } = await start();
    fake.seedUser({ name: 'bye' });
    await api.delete('user', 'bye', never());
    expect(fake.user('bye')).toBeUndefined();
    expect(kindOf(await rejection(api.delete('user', 'bye', never())))).toBe('not-found');
  });

  it('maps OPNsense "not found" answers and failed saves: taken names are conflicts, other validations invalid with their text', async () => {
    const { api, fake } = await start();
    fake.seedUser({ name: 'taken' });
    const dup = await rejection(api.create('user', { key: 'taken', fields: { active: true } }, never()));
    expect(kindOf(dup)).toBe('conflict');
    expect((dup as Error).message).toBe('OPNsense: create user "taken": user.name: This username already exist.');
  });

  it('answers invalid with the validation text for a field OPNsense refuses', async () => {
    const { api } = await start({ patch: (o) => ((o['users'] as { create: { body: { user: Record<string, unknown> } } }).create.body.user['shoe_size'] = '42') });
    const refused = await rejection(api.create('user', { key: 'y', fields: {} }, never()));
    expect(kindOf(refused)).toBe('invalid');
    expect((refused as Error).message).toBe('OPNsense: create user "y": user.shoe_size: fake OPNsense: unknown field shoe_size');
  });

  it('pages through 250 users with bootgrid current/rowCount and stops at total', async () => {
    const { api, fake, requests } = await start({ pageSize: 100 });
    for (let i = 0; i < 250; i++) fake.seedUser({ name: `u${String(i).padStart(3, '0')}` });
    const users = await listAll(api, 'user');
    expect(users).toHaveLength(250); // the system admin is left out
    expect(requests.map((r) => r.query)).toEqual([
      { current: '1', rowCount: '100' },
      { current: '2', rowCount: '100' },
      { current: '3', rowCount: '100' },
    ]);
  });

  it('never puts the Basic credentials in logs or messages', async () => {
    const { api, fake, logs } = await start({ fake: { apiKey: 'opn-KEY-distinct', apiSecret: 'opn-SECRET-distinct' } });
    fake.injectFault({ kind: 'status', status: 502 }, 2);
    const err = await rejection(api.check(never()));
    const seen = [...logs, (err as Error).message].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of ['opn-KEY-distinct', 'opn-SECRET-distinct', fake.authHeaders['authorization']!.slice(6)]) expect(seen).not.toContain(secret);
  });

  it('checks the API with the first user page', async () => {
    const { api, requests } = await start();
    await api.check(never());
    expect(requests.map((r) => [r.path, r.query])).toEqual([['/api/auth/user/search', { current: '1', rowCount: '1' }]]);
  });
});

describe('generic profile, OPNsense example: groups', () => {
  it('creates a group, then writes its members as user uids; reads names back from the option map', async () => {
    const { api, fake, requests } = await start();
    const alice = fake.seedUser({ name: 'alice' });
    const bob = fake.seedUser({ name: 'bob' });
    await api.create('group', { key: 'vpn', fields: {}, members: ['alice', 'bob'] }, never());
    expect(fake.memberNames('vpn')).toEqual(['alice', 'bob']);
    const set = requests.filter((r) => r.path.startsWith('/api/auth/group/set/')).at(-1)!;
    expect(set.body).toEqual({ group: { member: `${alice.uid},${bob.uid}` } });
    expect(await api.get('group', 'vpn', never())).toEqual({ key: 'vpn', fields: {}, members: ['alice', 'bob'] });
    expect((await listAll(api, 'group')).map((g) => [g.key, g.members])).toEqual([['vpn', ['alice', 'bob']]]);
    expect(await api.groupsOf('alice', never())).toEqual(['vpn']);
    await api.changeMembers('vpn', { add: [], remove: ['alice'] }, never());
    expect(fake.memberNames('vpn')).toEqual(['bob']);
    await api.update('group', 'vpn', { set: {}, unset: [], rename: 'vpn-users' }, never());
    expect(fake.memberNames('vpn-users')).toEqual(['bob']);
    await api.delete('group', 'vpn-users', never());
    expect(fake.group('vpn-users')).toBeUndefined();
  });

  it('refuses a member the firewall does not offer, naming it', async () => {
    const { api, fake } = await start();
    fake.seedGroup({ name: 'g' });
    const err = await rejection(api.changeMembers('g', { add: ['ghost'], remove: [] }, never()));
    expect(kindOf(err)).toBe('invalid');
    expect((err as Error).message).toContain('"ghost"');
  });

  it('keeps all of 100 concurrent member additions to one group', async () => {
    const { api, fake } = await start();
    const names = Array.from({ length: 100 }, (_, i) => `m${i}`);
    for (const n of names) fake.seedUser({ name: n });
    fake.seedGroup({ name: 'big' });
    await Promise.all(names.map((n) => api.changeMembers('big', { add: [n], remove: [] }, never())));
    expect(new Set(fake.memberNames('big'))).toEqual(new Set(names));
  });
});
