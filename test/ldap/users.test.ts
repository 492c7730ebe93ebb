/**
 * /Users through HTTP on the LDAP connector (openldap profile) against a real slapd: what lands in the
 * directory (read back with ldapts as admin), renames, references between entries, fallbacks for the
 * attributes `person` requires, case-insensitive lookups and the discovery the profile advertises.
 */
import type { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { adminClient, entries, entryAt, eventually, startLdapGateway, values, type LdapGateway } from '../support/ldap-gateway.js';
import { describeLdap } from '../support/ldap-suite.js';
import { createGroup, createUser, ENTERPRISE, expectScimError, GROUP_SCHEMA, scimClient, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';
import { startSlapd, type Slapd } from '../support/slapd.js';
import { silentLogger } from '../../src/log.js';

/** A user with every attribute of the seed's user table that the openldap profile stores. */
const fullUser = (bossId: string) => ({
  schemas: [USER_SCHEMA, ENTERPRISE],
  userName: 'jdoe@contoso.com',
  externalId: 'ext-jdoe',
  active: true,
  displayName: 'John Doe',
  title: 'Engineer',
  preferredLanguage: 'en-US',
  name: { formatted: 'Mr. John Doe III', givenName: 'John', familyName: 'Doe', honorificPrefix: 'Mr.', honorificSuffix: 'III' },
  emails: [{ type: 'work', value: 'jdoe@contoso.com' }],
  phoneNumbers: [
    { type: 'work', value: '+1 555 0100' },
    { type: 'mobile', value: '+1 555 0101' },
    { type: 'fax', value: '+1 555 0102' },
  ],
  addresses: [
    {
      type: 'work',
      formatted: '1 Main St\nSpringfield, IL 62701',
      streetAddress: '1 Main St',
      locality: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      country: 'United States',
    },
  ],
  [ENTERPRISE]: { employeeNumber: '42', department: 'R&D', manager: { value: bossId } },
});

/** What fullUser() must put into LDAP, attribute by attribute (the research notes' table A2). */
const fullUserLdap = (bossDn: string): Record<string, string[]> => ({
  uid: ['jdoe@contoso.com'],
  uniqueIdentifier: ['ext-jdoe'],
  displayName: ['John Doe'],
  title: ['Engineer'],
  preferredLanguage: ['en-US'],
  cn: ['Mr. John Doe III'],
  givenName: ['John'],
  sn: ['Doe'],
  personalTitle: ['Mr.'],
  generationQualifier: ['III'],
  mail: ['jdoe@contoso.com'],
  telephoneNumber: ['+1 555 0100'],
  mobile: ['+1 555 0101'],
  facsimileTelephoneNumber: ['+1 555 0102'],
  postalAddress: ['1 Main St$Springfield, IL 62701'],
  street: ['1 Main St'],
  l: ['Springfield'],
  st: ['IL'],
  postalCode: ['62701'],
  co: ['United States'],
  employeeNumber: ['42'],
  departmentNumber: ['R&D'],
  manager: [bossDn],
});

describeLdap('LDAP users through HTTP', () => {
  let slapd: Slapd;
  let bare: Slapd;
  let admin: Client;
  let gw: LdapGateway;
  let api: ScimClient;

  beforeAll(async () => {
    [slapd, bare] = await Promise.all([startSlapd(), startSlapd({ overlays: { refint: false } })]);
    admin = await adminClient(slapd);
  });
  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await Promise.all([slapd?.destroy(), bare?.destroy()]);
  });
  beforeEach(async () => {
    gw = await startLdapGateway({ slapd, options: { referentialIntegrity: 'server' } });
    api = scimClient(gw.server);
  });
  afterEach(async () => gw?.close());

  const dnOf = async (id: string, base = gw.ous.people): Promise<string> => {
    const [e] = await entries(admin, base, `(entryUUID=${id})`, ['1.1']);
    if (!e) throw new Error(`no entry with entryUUID ${id} under ${base}`);
    return e.dn;
  };

  it('round-trips every attribute of the seed user table the profile stores, each in its LDAP attribute', async () => {
    const boss = await createUser(api, { userName: 'boss@contoso.com' });
    const bossDn = await dnOf(boss.id);
    const body = fullUser(boss.id);
    const created = await api.post('/Users', body);
    expect(created.status).toBe(201);
    const { schemas: _s, ...expected } = body;
    expect(created.body).toMatchObject(expected);

    const got = await api.get(`/Users/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject(expected);
    expect(got.body.id).toBe(created.body.id);

    const entry = await entryAt(admin, await dnOf(created.body.id));
    for (const [attr, want] of Object.entries(fullUserLdap(bossDn))) expect(values(entry, attr), attr).toEqual(want);
    expect(values(entry, 'entryUUID')).toEqual([created.body.id]);
    expect(values(entry, 'pwdAccountLockedTime')).toEqual([]);
    expect(values(entry, 'objectClass')).toEqual(expect.arrayContaining(['inetOrgPerson', 'extensibleObject']));
    expect(entry?.dn).toBe(`uid=jdoe@contoso.com,${gw.ous.people}`);
  });

  it('stores the manager as its DN and reads it back as the id, and rejects an unknown manager with 400', async () => {
    const boss = await createUser(api, { userName: 'boss' });
    const u = await createUser(api, { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'worker', [ENTERPRISE]: { manager: { value: boss.id } } });
    const entry = await entryAt(admin, await dnOf(u.id), ['manager']);
    expect(values(entry, 'manager')).toEqual([`uid=boss,${gw.ous.people}`]);
    expect((await api.get(`/Users/${u.id}`)).body[ENTERPRISE].manager.value).toBe(boss.id);

    const filtered = await api.list('/Users', { filter: `${ENTERPRISE}:manager.value eq "${boss.id}"` });
    expect(filtered.body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);

    const bad = await api.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'orphan', [ENTERPRISE]: { manager: { value: 'no-such-id' } } });
    expectScimError(bad, 400);
    expect((await api.list('/Users', { filter: 'userName eq "orphan"' })).body.totalResults).toBe(0);
  });

  it('renames with modifyDN when userName changes: same id, new DN, old name free, other attributes kept', async () => {
    const u = await createUser(api, { userName: 'before', title: 'Keeper', name: { givenName: 'B', familyName: 'Fore' } });
    const res = await api.patchOps(`/Users/${u.id}`, [{ op: 'replace', path: 'userName', value: 'after' }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, userName: 'after', title: 'Keeper' });
    expect(await entryAt(admin, `uid=before,${gw.ous.people}`)).toBeUndefined();
    const moved = await entryAt(admin, `uid=after,${gw.ous.people}`);
    expect(values(moved, 'entryUUID')).toEqual([u.id]);
    expect(values(moved, 'uid')).toEqual(['after']);
    expect(values(moved, 'title')).toEqual(['Keeper']);
    expect((await api.list('/Users', { filter: 'userName eq "before"' })).body.totalResults).toBe(0);
    expect((await createUser(api, { userName: 'before' })).id).not.toBe(u.id);
  });

  it('answers 409 to a rename onto a taken userName, in any case, and changes nothing', async () => {
    await createUser(api, { userName: 'alice' });
    const bob = await createUser(api, { userName: 'bob', title: 'x' });
    for (const name of ['alice', 'ALICE']) {
      const res = await api.patchOps(`/Users/${bob.id}`, [
        { op: 'replace', path: 'title', value: 'changed' },
        { op: 'replace', path: 'userName', value: name },
      ]);
      expectScimError(res, 409, 'uniqueness');
    }
    const got = await api.get(`/Users/${bob.id}`);
    expect(got.body).toMatchObject({ userName: 'bob', title: 'x', active: true });
    expect(got.body).not.toHaveProperty('name');
    expect(values(await entryAt(admin, `uid=bob,${gw.ous.people}`), 'title')).toEqual(['x']);
  });

  it('fills sn and cn when familyName and formatted are missing, never shows the fillers, and lets them follow', async () => {
    const u = await createUser(api, { userName: 'nosurname', displayName: 'No Surname' });
    expect(u).not.toHaveProperty('name');
    let entry = await entryAt(admin, `uid=nosurname,${gw.ous.people}`);
    expect(values(entry, 'sn')).toEqual(['nosurname']);
    // cn comes from uid, not displayName: Entra often sends name.formatted equal to displayName, and a
    // value equal to its filler reads back as absent, so a displayName filler would hide it.
    expect(values(entry, 'cn')).toEqual(['nosurname']);
    expect((await api.get(`/Users/${u.id}`)).body).not.toHaveProperty('name');

    // The fillers follow a rename; a new displayName does not touch them.
    const plain = await createUser(api, { userName: 'plain' });
    expect(values(await entryAt(admin, `uid=plain,${gw.ous.people}`), 'cn')).toEqual(['plain']);
    await api.patchOps(`/Users/${plain.id}`, [
      { op: 'replace', path: 'userName', value: 'renamed' },
      { op: 'add', path: 'displayName', value: 'Now Named' },
    ]);
    entry = await entryAt(admin, `uid=renamed,${gw.ous.people}`);
    expect(values(entry, 'sn')).toEqual(['renamed']);
    expect(values(entry, 'cn')).toEqual(['renamed']);
    expect((await api.get(`/Users/${plain.id}`)).body).not.toHaveProperty('name');

    // Given values are stored; removing them writes the filler back and reads as removed.
    const named = await api.patchOps(`/Users/${u.id}`, [{ op: 'add', path: 'name', value: { familyName: 'Smith', formatted: 'Ms. Smith' } }]);
    expect(named.body.name).toEqual({ familyName: 'Smith', formatted: 'Ms. Smith' });
    expect(values(await entryAt(admin, `uid=nosurname,${gw.ous.people}`), 'sn')).toEqual(['Smith']);
    const removed = await api.patchOps(`/Users/${u.id}`, [{ op: 'remove', path: 'name.familyName' }, { op: 'remove', path: 'name.formatted' }]);
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty('name');
    entry = await entryAt(admin, `uid=nosurname,${gw.ous.people}`);
    expect(values(entry, 'sn')).toEqual(['nosurname']);
    expect(values(entry, 'cn')).toEqual(['nosurname']);
  });

  it('keeps name.formatted when Entra sends it equal to displayName', async () => {
    const u = await createUser(api, { userName: 'sameformatted', displayName: 'Same Name', name: { formatted: 'Same Name', familyName: 'Name' } });
    expect(u.name).toEqual({ formatted: 'Same Name', familyName: 'Name' });
    expect((await api.get(`/Users/${u.id}`)).body.name).toEqual({ formatted: 'Same Name', familyName: 'Name' });
  });

  it('a PATCH whose entry someone else renames between its read and its modify still lands, on the new DN', async () => {
    // The connector hands the core's read to the same request's modify (connectors/ldap/recent.ts); a DN
    // gone meanwhile must send it back to a fresh search, not answer 404.
    const u = await createUser(api, { userName: 'moved-meanwhile', title: 'before' });
    const ops = gw.runtime.connector.users;
    const ctx = { requestId: 'req-moved', signal: new AbortController().signal, log: silentLogger };
    expect(await ops.get(u.id, { withMembers: false }, ctx)).toBeDefined();
    await admin.modifyDN(`uid=moved-meanwhile,${gw.ous.people}`, `uid=moved-by-admin,${gw.ous.people}`);
    const after = await ops.modify(u.id, { fields: [{ op: 'set', field: 'title', value: 'after' }] }, ctx);
    expect(after.fields['title']).toBe('after');
    expect(values(await entryAt(admin, `uid=moved-by-admin,${gw.ous.people}`), 'title')).toEqual(['after']);
    // A read by another request is never handed on: this modify searches, and finds the entry where it is.
    await ops.get(u.id, { withMembers: false }, { ...ctx, requestId: 'other' });
    expect((await ops.modify(u.id, { fields: [{ op: 'set', field: 'title', value: 'again' }] }, ctx)).fields['title']).toBe('again');
  });

  it('finds users by userName and by externalId ignoring case, exactly one each', async () => {
    const a = await createUser(api, { userName: 'CamelCase@Example.com', externalId: 'Ext-ABC' });
    await createUser(api, { userName: 'camelcase@example.co', externalId: 'Ext-ABCD' });
    for (const q of ['CamelCase@Example.com', 'camelcase@example.com', 'CAMELCASE@EXAMPLE.COM']) {
      const res = await api.list('/Users', { filter: `userName eq "${q}"` });
      expect(res.body.Resources.map((r: { id: string }) => r.id), q).toEqual([a.id]);
    }
    for (const q of ['Ext-ABC', 'ext-abc', 'EXT-ABC']) {
      const res = await api.list('/Users', { filter: `externalId eq "${q}"` });
      expect(res.body.Resources.map((r: { id: string }) => r.id), q).toEqual([a.id]);
    }
  });

  it('lists in /Schemas only the attributes the profile stores', async () => {
    const res = await api.get(`/Schemas/${USER_SCHEMA}`);
    expect(res.status).toBe(200);
    type Attr = { name: string; subAttributes?: Attr[]; canonicalValues?: string[] };
    const attrs = res.body.attributes as Attr[];
    const names = attrs.map((a) => a.name);
    for (const stored of ['userName', 'externalId', 'active', 'displayName', 'title', 'userType', 'preferredLanguage', 'name', 'emails', 'phoneNumbers', 'addresses']) {
      expect(names, stored).toContain(stored);
    }
    for (const unstored of ['nickName', 'profileUrl', 'locale', 'timezone', 'password', 'ims', 'photos', 'x509Certificates', 'entitlements', 'roles']) {
      expect(names, unstored).not.toContain(unstored);
    }
    const sub = (name: string) => attrs.find((a) => a.name === name)?.subAttributes ?? [];
    const types = (name: string) => sub(name).find((s) => s.name === 'type')?.canonicalValues;
    expect(types('emails')).toEqual(['work']); // no emails[type eq "other"]
    expect(types('addresses')).toEqual(['work']);
    expect([...(types('phoneNumbers') ?? [])].sort()).toEqual(['fax', 'mobile', 'work']);
    expect(sub('name').map((s) => s.name).sort()).toEqual(['familyName', 'formatted', 'givenName', 'honorificPrefix', 'honorificSuffix']);
    const ent = await api.get(`/Schemas/${ENTERPRISE}`);
    expect((ent.body.attributes as Attr[]).map((a) => a.name).sort()).toEqual(['department', 'division', 'employeeNumber', 'manager', 'organization']);

    // What discovery leaves out is ignored on input, as for every connector: the 201 does not claim to have stored it.
    const posted = await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'nick', nickName: 'Nicky', emails: [{ type: 'other', value: 'o@example.com' }] });
    expect(posted.status).toBe(201);
    expect(posted.body).not.toHaveProperty('nickName');
    expect(posted.body).not.toHaveProperty('emails');
  });

  it('with referentialIntegrity gateway and no refint, a rename rewrites member values and other users\' manager', async () => {
    const own = await startLdapGateway({ slapd: bare, options: { referentialIntegrity: 'gateway' } });
    const c = await adminClient(bare);
    try {
      const api2 = scimClient(own.server);
      const boss = await createUser(api2, { userName: 'boss' });
      const worker = await createUser(api2, { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'worker', [ENTERPRISE]: { manager: { value: boss.id } } });
      const other = await createUser(api2, { userName: 'other' });
      const g = await createGroup(api2, { displayName: 'Team', members: [{ value: boss.id }, { value: other.id }] });

      const res = await api2.patchOps(`/Users/${boss.id}`, [{ op: 'replace', path: 'userName', value: 'chief' }]);
      expect(res.status).toBe(200);
      const newDn = `uid=chief,${own.ous.people}`;
      const group = await entryAt(c, `cn=Team,${own.ous.groups}`, ['member']);
      expect(values(group, 'member').sort()).toEqual([newDn, `uid=other,${own.ous.people}`].sort());
      expect(values(await entryAt(c, `uid=worker,${own.ous.people}`, ['manager']), 'manager')).toEqual([newDn]);

      // And through SCIM the references still point at the same id.
      expect((await api2.get(`/Users/${worker.id}`)).body[ENTERPRISE].manager.value).toBe(boss.id);
      const members = (await api2.get(`/Groups/${g.id}`)).body.members.map((m: { value: string }) => m.value).sort();
      expect(members).toEqual([boss.id, other.id].sort());

      // Deleting the manager clears the reference (no refint to do it).
      expect((await api2.delete(`/Users/${boss.id}`)).status).toBe(204);
      expect(values(await entryAt(c, `uid=worker,${own.ous.people}`, ['manager']), 'manager')).toEqual([]);
      expect((await api2.get(`/Users/${worker.id}`)).body).not.toHaveProperty(ENTERPRISE);
    } finally {
      await c.unbind().catch(() => undefined);
      await own.close();
    }
  });

  it('with the refint overlay (referentialIntegrity server), a rename keeps the group membership and manager', async () => {
    const boss = await createUser(api, { userName: 'boss' });
    const worker = await createUser(api, { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'worker', [ENTERPRISE]: { manager: { value: boss.id } } });
    const g = await api.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: boss.id }] });
    await api.patchOps(`/Users/${boss.id}`, [{ op: 'replace', path: 'userName', value: 'chief' }]);
    const newDn = `uid=chief,${gw.ous.people}`;
    const group = await eventually(
      () => entryAt(admin, `cn=Team,${gw.ous.groups}`, ['member']),
      (e) => values(e, 'member').includes(newDn),
    );
    expect(values(group, 'member')).toEqual([newDn]);
    expect((await api.get(`/Groups/${g.body.id}`)).body.members.map((m: { value: string }) => m.value)).toEqual([boss.id]);
    expect((await api.get(`/Users/${worker.id}`)).body[ENTERPRISE].manager.value).toBe(boss.id);
  });
});
