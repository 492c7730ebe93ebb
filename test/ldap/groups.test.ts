/**
 * /Groups through HTTP on the LDAP connector against a real slapd: membership as single-value changes (so
 * concurrent PATCHes lose nothing), the empty-group placeholder groupOfNames needs, referential integrity
 * by the refint overlay or by the gateway, renames, and reading `member` only when members are wanted.
 */
import { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { adminClient, entryAt, eventually, startLdapGateway, values, type LdapGateway } from '../support/ldap-gateway.js';
import { describeLdap } from '../support/ldap-suite.js';
import { createGroup, createUser, GROUP_SCHEMA, scimClient, type ScimClient } from '../support/scim-client.js';
import { startSlapd, type Slapd } from '../support/slapd.js';

const ids = (members: { value: string }[] | undefined): string[] => (members ?? []).map((m) => m.value).sort();

describeLdap('LDAP groups through HTTP', () => {
  let slapd: Slapd;
  let bare: Slapd;
  let admin: Client;
  let bareAdmin: Client;
  const gateways: LdapGateway[] = [];

  beforeAll(async () => {
    [slapd, bare] = await Promise.all([startSlapd(), startSlapd({ overlays: { refint: false } })]);
    [admin, bareAdmin] = await Promise.all([adminClient(slapd), adminClient(bare)]);
  });
  afterAll(async () => {
    await Promise.all([admin, bareAdmin].map((c) => c?.unbind().catch(() => undefined)));
    await Promise.all([slapd?.destroy(), bare?.destroy()]);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  /** A gateway on fresh OUs: refint on and referentialIntegrity server, or neither. */
  async function gateway(mode: 'server' | 'gateway' = 'server'): Promise<{ gw: LdapGateway; api: ScimClient; ldap: Client; memberDns: (cn: string) => Promise<string[]> }> {
    const s = mode === 'server' ? slapd : bare;
    // The harness's refint_nothing is the admin DN: the placeholder must be the same DN, or a group emptied
    // by refint would hold a member SCIM cannot hide.
    const gw = await startLdapGateway({ slapd: s, options: { referentialIntegrity: mode, groups: { emptyMember: s.adminDN } } });
    gateways.push(gw);
    const ldap = mode === 'server' ? admin : bareAdmin;
    const memberDns = async (cn: string) => values(await entryAt(ldap, `cn=${cn},${gw.ous.groups}`, ['member']), 'member').sort();
    return { gw, api: scimClient(gw.server), ldap, memberDns };
  }

  const userDn = (gw: LdapGateway, uid: string) => `uid=${uid},${gw.ous.people}`;

  it('keeps all 200 members added by 200 concurrent PATCHes, one member each', async () => {
    const { gw, api, memberDns } = await gateway();
    const users: { id: string; uid: string }[] = [];
    for (let i = 0; i < 200; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, k) => createUser(api, { userName: `m${i + k}` })));
      users.push(...batch.map((u) => ({ id: String(u.id), uid: String(u.userName) })));
    }
    const g = await createGroup(api, { displayName: 'Everyone' });
    const results = await Promise.all(users.map((u) => api.patchOps(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: u.id }] }])));
    expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 204)).toEqual([]);

    const got = await api.get(`/Groups/${g.id}`);
    expect(ids(got.body.members)).toEqual(users.map((u) => u.id).sort());
    // In the directory: exactly the 200 DNs, and the placeholder gone.
    expect(await memberDns('Everyone')).toEqual(users.map((u) => userDn(gw, u.uid)).sort());
  }, 60_000);

  it('answers success to adding a present member and to removing an absent one', async () => {
    const { gw, api, memberDns } = await gateway();
    const [a, b] = [await createUser(api, { userName: 'a' }), await createUser(api, { userName: 'b' })];
    const g = await createGroup(api, { displayName: 'G', members: [{ value: a.id }] });
    const add = await api.patchOps(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]);
    expect([200, 204]).toContain(add.status);
    const remove = await api.patchOps(`/Groups/${g.id}`, [{ op: 'remove', path: `members[value eq "${b.id}"]` }]);
    expect([200, 204]).toContain(remove.status);
    expect(ids((await api.get(`/Groups/${g.id}`)).body.members)).toEqual([a.id]);
    expect(await memberDns('G')).toEqual([userDn(gw, 'a')]);
  });

  it('holds the placeholder in an empty group, never shows it, puts it back for the last member and drops it for a new one', async () => {
    const { gw, api, memberDns } = await gateway();
    const g = await createGroup(api, { displayName: 'Empty' });
    expect(await memberDns('Empty')).toEqual([slapd.adminDN]);
    expect(g.members ?? []).toEqual([]);
    expect((await api.get(`/Groups/${g.id}`)).body.members ?? []).toEqual([]);
    const listed = await api.list('/Groups', { filter: 'displayName eq "Empty"' });
    expect(listed.body.Resources[0].members ?? []).toEqual([]);
    expect((await api.list('/Groups', { filter: 'members pr' })).body.totalResults).toBe(0);

    const a = await createUser(api, { userName: 'a' });
    await api.patchOps(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]);
    expect(await memberDns('Empty')).toEqual([userDn(gw, 'a')]);
    expect((await api.list('/Groups', { filter: 'members pr' })).body.totalResults).toBe(1);

    await api.patchOps(`/Groups/${g.id}`, [{ op: 'remove', path: `members[value eq "${a.id}"]` }]);
    expect(await memberDns('Empty')).toEqual([slapd.adminDN]);
    expect((await api.get(`/Groups/${g.id}`)).body.members ?? []).toEqual([]);

    // Replacing all members with an empty list also leaves just the placeholder.
    await api.patchOps(`/Groups/${g.id}`, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]);
    const put = await api.put(`/Groups/${g.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Empty', members: [] });
    expect(put.status).toBe(200);
    expect(await memberDns('Empty')).toEqual([slapd.adminDN]);
  });

  it.each(['server', 'gateway'] as const)('removes a deleted user from its groups (referentialIntegrity %s)', async (mode) => {
    const { gw, api, memberDns } = await gateway(mode);
    const [a, b] = [await createUser(api, { userName: 'a' }), await createUser(api, { userName: 'b' })];
    const both = await createGroup(api, { displayName: 'Both', members: [{ value: a.id }, { value: b.id }] });
    // Created empty and filled by PATCH, so the gateway has seen its placeholder go.
    const only = await createGroup(api, { displayName: 'Only' });
    await api.patchOps(`/Groups/${only.id}`, [{ op: 'add', path: 'members', value: [{ value: a.id }] }]);
    expect((await api.delete(`/Users/${a.id}`)).status).toBe(204);

    const adminDn = mode === 'server' ? slapd.adminDN : bare.adminDN;
    // refint rewrites after answering the delete; the gateway before.
    expect(await eventually(() => memberDns('Both'), (m) => m.length === 1)).toEqual([userDn(gw, 'b')]);
    expect(await eventually(() => memberDns('Only'), (m) => m[0] === adminDn)).toEqual([adminDn]);
    expect(ids((await api.get(`/Groups/${both.id}`)).body.members)).toEqual([b.id]);
    expect((await api.get(`/Groups/${only.id}`)).body.members ?? []).toEqual([]);

    // The emptied group takes a new member, and the placeholder goes, however it got there.
    const c = await createUser(api, { userName: 'c' });
    await api.patchOps(`/Groups/${only.id}`, [{ op: 'add', path: 'members', value: [{ value: c.id }] }]);
    expect(await memberDns('Only')).toEqual([userDn(gw, 'c')]);
    expect((await api.list('/Groups', { filter: 'members pr' })).body.totalResults).toBe(2);
  });

  it('renames a group with modifyDN when displayName changes, keeping its id and members', async () => {
    const { gw, api, ldap } = await gateway();
    const a = await createUser(api, { userName: 'a' });
    const g = await createGroup(api, { displayName: 'Old Name', members: [{ value: a.id }] });
    const res = await api.patchOps(`/Groups/${g.id}`, [{ op: 'replace', path: 'displayName', value: 'New Name' }]);
    expect([200, 204]).toContain(res.status);
    expect(await entryAt(ldap, `cn=Old Name,${gw.ous.groups}`)).toBeUndefined();
    const entry = await entryAt(ldap, `cn=New Name,${gw.ous.groups}`);
    expect(values(entry, 'entryUUID')).toEqual([g.id]);
    expect(values(entry, 'cn')).toEqual(['New Name']);
    const got = await api.get(`/Groups/${g.id}`);
    expect(got.body).toMatchObject({ id: g.id, displayName: 'New Name' });
    expect(ids(got.body.members)).toEqual([a.id]);
  });

  it('does not ask the directory for member when excludedAttributes=members', async () => {
    const { api } = await gateway();
    const a = await createUser(api, { userName: 'a' });
    const g = await createGroup(api, { displayName: 'Spied', members: [{ value: a.id }] });
    const requested: string[][] = [];
    const record = (opts: { attributes?: string[] } | undefined) => requested.push((opts?.attributes ?? ['*']).map((x) => x.toLowerCase()));
    const search = Client.prototype.search;
    const paginated = Client.prototype.searchPaginated;
    vi.spyOn(Client.prototype, 'search').mockImplementation(function (this: Client, base, opts, controls) {
      record(opts);
      return search.call(this, base, opts, controls);
    });
    vi.spyOn(Client.prototype, 'searchPaginated').mockImplementation(function (this: Client, base, opts, controls) {
      record(opts);
      return paginated.call(this, base, opts, controls);
    });
    const asksForMember = () => requested.some((attrs) => attrs.includes('member') || attrs.includes('*'));

    const one = await api.get(`/Groups/${g.id}?excludedAttributes=members`);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('members');
    const list = await api.list('/Groups', { excludedAttributes: 'members', filter: 'displayName eq "Spied"' });
    expect(list.body.Resources[0]).not.toHaveProperty('members');
    expect(requested.length).toBeGreaterThanOrEqual(2);
    expect(asksForMember()).toBe(false);

    // The control: without it, member is read.
    requested.length = 0;
    expect(ids((await api.get(`/Groups/${g.id}`)).body.members)).toEqual([a.id]);
    expect(asksForMember()).toBe(true);
  });

  it('answers a group whose member DNs include entries SCIM cannot resolve, showing only the resolvable ones', async () => {
    const { gw, api, ldap } = await gateway('gateway');
    const a = await createUser(api, { userName: 'a' });
    const g = await createGroup(api, { displayName: 'Mixed', members: [{ value: a.id }] });
    const { Attribute, Change } = await import('ldapts');
    const foreign = ['cn=somebody,ou=elsewhere,dc=example,dc=com', `uid=gone,${gw.ous.people}`];
    await ldap.modify(`cn=Mixed,${gw.ous.groups}`, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: foreign }) }));
    const got = await api.get(`/Groups/${g.id}`);
    expect(got.status).toBe(200);
    expect(ids(got.body.members)).toEqual([a.id]);
    expect((await api.get(`/Groups/${g.id}?excludedAttributes=members`)).status).toBe(200);
  });
});
