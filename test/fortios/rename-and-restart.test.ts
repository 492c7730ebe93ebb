/**
 * FortiOS behaviour through HTTP that the generic suites cannot see, because they look at the firewall
 * itself: a userName change renames the CMDB object while the SCIM id stays; the identity map survives a
 * gateway restart; objects made on the box are adopted on first sight.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/build-app.js';
import { startFakeFortiOS, type FakeFortiOS } from '../support/fake-firewall/fortios.js';
import { createGroup, createUser, GROUP_SCHEMA, scimClient, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';

const ids = async (api: ScimClient, path: string, filter: string): Promise<string[]> => {
  const res = await api.list(path, { filter });
  expect(res.status).toBe(200);
  return (res.body.Resources as { id: string }[]).map((r) => r.id);
};

describe('FortiOS: renames keep the SCIM id', () => {
  let gw: TestGateway;
  let api: ScimClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    api = scimClient(gw.server);
  });
  afterAll(async () => gw.close());

  it('renames the firewall user on a userName change; the id stays, the old name misses, the new one hits', async () => {
    const u = await createUser(api, { userName: 'jdoe', emails: [{ type: 'work', value: 'jdoe@example.com' }] });
    const res = await api.patchOps(`/Users/${u['id']}`, [{ op: 'replace', path: 'userName', value: 'john.doe' }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u['id'], userName: 'john.doe' });
    const db = gw.fortios!.vdom();
    expect(db.users.has('jdoe')).toBe(false);
    expect(db.users.get('john.doe')?.['email-to']).toBe('jdoe@example.com');
    expect(await ids(api, '/Users', 'userName eq "jdoe"')).toEqual([]);
    expect(await ids(api, '/Users', 'userName eq "john.doe"')).toEqual([u['id']]);
    expect((await api.get(`/Users/${u['id']}`)).body.userName).toBe('john.doe');
    // The old name is free again, for a new user with a new id.
    const again = await createUser(api, { userName: 'jdoe' });
    expect(again['id']).not.toBe(u['id']);
  });

  it('renames a group and keeps its members and id', async () => {
    const u = await createUser(api, { userName: 'member-r' });
    const g = await createGroup(api, { displayName: 'vpn-old', members: [{ value: u['id'] }] });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'replace', path: 'displayName', value: 'vpn-new' }]);
    expect(res.status).toBe(204);
    const db = gw.fortios!.vdom();
    expect(db.groups.has('vpn-old')).toBe(false);
    expect(db.groups.get('vpn-new')?.['member']).toEqual([{ name: 'member-r' }]);
    expect(await ids(api, '/Groups', 'displayName eq "vpn-new"')).toEqual([g['id']]);
    const read = await api.get(`/Groups/${g['id']}`);
    expect(read.body.members.map((m: { value: string }) => m.value)).toEqual([u['id']]);
  });

  it('renames a group member user: the group still lists the same member id', async () => {
    const u = await createUser(api, { userName: 'before-rename' });
    const g = await createGroup(api, { displayName: 'follow', members: [{ value: u['id'] }] });
    await api.patchOps(`/Users/${u['id']}`, [{ op: 'replace', path: 'userName', value: 'after-rename' }]);
    expect(gw.fortios!.vdom().groups.get('follow')?.['member']).toEqual([{ name: 'after-rename' }]);
    const read = await api.get(`/Groups/${g['id']}`);
    expect(read.body.members.map((m: { value: string }) => m.value)).toEqual([u['id']]);
  });

  it('refuses a rename onto a taken name with 409 and leaves both users as they were', async () => {
    await createUser(api, { userName: 'taken' });
    const b = await createUser(api, { userName: 'keeper' });
    const res = await api.patchOps(`/Users/${b['id']}`, [{ op: 'replace', path: 'userName', value: 'TAKEN' }]);
    expect(res.status).toBe(409);
    expect(gw.fortios!.vdom().users.has('keeper')).toBe(true);
    expect((await api.get(`/Users/${b['id']}`)).body.userName).toBe('keeper');
  });

  it('refuses names over the FortiOS limits (64 for users, 35 for groups) with 400 naming the limit, sending nothing', async () => {
    gw.fortios!.resetStats();
    const user = await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'u'.repeat(65) });
    expect(user.status).toBe(400);
    expect(user.body.detail).toMatch(/longer than 64 characters/);
    const group = await api.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'g'.repeat(36) });
    expect(group.status).toBe(400);
    expect(group.body.detail).toMatch(/longer than 35 characters/);
    expect(gw.fortios!.counts('POST user/local') + gw.fortios!.counts('POST user/group')).toBe(0);
    expect((await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'u'.repeat(64) })).status).toBe(201);
  });

  it('sets status disable for active=false and enable again for active=true, moving meta.lastModified on', async () => {
    const u = await createUser(api, { userName: 'toggle', active: true });
    await new Promise((r) => setTimeout(r, 5));
    const res = await api.patchOps(`/Users/${u['id']}`, [{ op: 'Replace', path: 'active', value: 'False' }]);
    expect(Date.parse(res.body.meta.lastModified)).toBeGreaterThan(Date.parse(u['meta'].lastModified));
    expect(res.body.meta.created).toBe(u['meta'].created);
    expect(gw.fortios!.vdom().users.get('toggle')?.['status']).toBe('disable');
    const read = await api.get(`/Users/${u['id']}`);
    expect(read.body.active).toBe(false);
    expect(read.body.meta.lastModified).toBe(res.body.meta.lastModified);
    await api.patchOps(`/Users/${u['id']}`, [{ op: 'Replace', path: 'active', value: 'True' }]);
    expect(gw.fortios!.vdom().users.get('toggle')?.['status']).toBe('enable');
  });

  it('gives password users a random password that is never returned', async () => {
    const u = await createUser(api, { userName: 'pw-user' });
    const stored = gw.fortios!.vdom().users.get('pw-user');
    expect(stored?.['type']).toBe('password');
    expect(String(stored?.['passwd'])).toMatch(/^[\w-]{32}$/);
    expect(JSON.stringify((await api.get(`/Users/${u['id']}`)).body)).not.toContain(String(stored?.['passwd']));
  });
});

describe('FortiOS: identity map and adoption', () => {
  let fake: FakeFortiOS;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeFortiOS();
    dir = await mkdtemp(join(tmpdir(), 'scimbridge-fortios-restart-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every SCIM id, externalId and membership across a gateway restart', async () => {
    const first = await startTestGateway({ fortios: { fake, dir } });
    const api1 = scimClient(first.server);
    const u = await createUser(api1, { userName: 'persist', externalId: 'ext-persist' });
    await api1.patchOps(`/Users/${u['id']}`, [{ op: 'replace', path: 'userName', value: 'persisted' }]);
    const g = await createGroup(api1, { displayName: 'persist-g', members: [{ value: u['id'] }] });
    await first.close();

    const second = await startTestGateway({ fortios: { fake, dir } });
    try {
      const api2 = scimClient(second.server);
      const read = await api2.get(`/Users/${u['id']}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: u['id'], userName: 'persisted', externalId: 'ext-persist' });
      expect(await ids(api2, '/Users', 'externalId eq "ext-persist"')).toEqual([u['id']]);
      expect(await ids(api2, '/Users', 'userName eq "persisted"')).toEqual([u['id']]);
      const group = await api2.get(`/Groups/${g['id']}`);
      expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([u['id']]);
      expect((await api2.get('/Users')).body.totalResults).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('adopts a user made on the box on first sight, with one id from then on', async () => {
    fake.vdom().users.set('boxmade', { name: 'boxmade', type: 'password', passwd: 'x', status: 'enable', 'email-to': 'box@example.com' });
    const gw = await startTestGateway({ fortios: { fake, dir } });
    try {
      const api = scimClient(gw.server);
      // Entra's matching: a lookup by userName before creating.
      const found = await api.list('/Users', { filter: 'userName eq "boxmade"' });
      expect(found.body.totalResults).toBe(1);
      const id = found.body.Resources[0].id as string;
      expect(found.body.Resources[0].emails).toEqual([{ type: 'work', value: 'box@example.com' }]);
      expect(await ids(api, '/Users', 'userName eq "BoxMade"')).toEqual([id]);
      expect((await api.get(`/Users/${id}`)).status).toBe(200);
      const create = await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'boxmade' });
      expect(create.status).toBe(409);
    } finally {
      await gw.close();
    }
  });

  it('hides objects made on the box with adoptExisting: false, and a create of their name is a conflict', async () => {
    fake.vdom().users.set('hidden', { name: 'hidden', type: 'password', passwd: 'x', status: 'enable' });
    const gw = await startTestGateway({ fortios: { fake, dir: await mkdtemp(join(tmpdir(), 'scimbridge-fortios-noadopt-')) }, options: { adoptExisting: false } });
    try {
      const api = scimClient(gw.server);
      expect(await ids(api, '/Users', 'userName eq "hidden"')).toEqual([]);
      expect((await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'hidden' })).status).toBe(409);
    } finally {
      await gw.close();
      await rm(gw.dir!, { recursive: true, force: true });
    }
  });
});
