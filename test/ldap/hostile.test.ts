/**
 * Hostile userNames through HTTP on the LDAP connector: characters that mean something in LDAP filters
 * (RFC 4515) and DNs (RFC 4514), spaces at the edges, non-ASCII. Each is created, read back literally, found
 * exactly by `userName eq` (one result, the right one), renamed (modifyDN, same id) and deleted; injection
 * attempts match nothing else; NUL never reaches the directory.
 */
import { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { parseDn } from '../../connectors/ldap/dn.js';
import { HOSTILE_USERNAMES } from '../contract/connector-contract.js';
import { adminClient, entries, startLdapGateway, type LdapGateway } from '../support/ldap-gateway.js';
import { describeLdap } from '../support/ldap-suite.js';
import { createUser, expectScimError, scimClient, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';
import { startSlapd, type Slapd } from '../support/slapd.js';

/** The brief's list, then the shared contract's (which adds `%2a%00`, a tab, `__proto__`…). */
const NAMES = [
  ...new Set([
    'star*',
    'open(',
    'close)',
    'back\\slash',
    'com,ma',
    'plus+sign',
    'quo"te',
    '#hash',
    'hash#',
    'less<',
    'more>',
    'semi;colon',
    'equals=sign',
    ' leading',
    'trailing ',
    '  both  ',
    'Zoë Ångström 東京',
    '*)(uid=*',
    ...HOSTILE_USERNAMES,
  ]),
];

/** A SCIM filter string literal: SCIM filter values are JSON strings (RFC 7644 §3.4.2.2). */
const lit = (s: string): string => JSON.stringify(s);

describeLdap('LDAP hostile userNames through HTTP', () => {
  let slapd: Slapd;
  let admin: Client;
  let gw: LdapGateway;
  let api: ScimClient;

  beforeAll(async () => {
    slapd = await startSlapd();
    admin = await adminClient(slapd);
  });
  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await slapd?.destroy();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await gw?.close();
  });

  const start = async () => {
    gw = await startLdapGateway({ slapd });
    api = scimClient(gw.server);
  };
  const findIds = async (userName: string): Promise<string[]> => {
    const res = await api.list('/Users', { filter: `userName eq ${lit(userName)}` });
    expect(res.status, `userName eq ${lit(userName)}: ${JSON.stringify(res.body)}`).toBe(200);
    return (res.body.Resources ?? []).map((r: { id: string }) => r.id);
  };
  /** The DN of the entry with this entryUUID, found with a search of our own. */
  const dnOf = async (id: string): Promise<string | undefined> => (await entries(admin, gw.ous.people, `(entryUUID=${id})`, ['1.1']))[0]?.dn;

  it('creates each, reads it back literally and finds it exactly by userName and externalId', async () => {
    await start();
    const ids = new Map<string, string>();
    for (const userName of NAMES) {
      const u = await createUser(api, { userName, externalId: `ext:${userName}`, displayName: userName });
      expect(u.userName, lit(userName)).toBe(userName);
      ids.set(userName, String(u.id));
      // The RDN value is the userName exactly, whatever the server's escaping.
      const dn = await dnOf(String(u.id));
      expect(parseDn(dn ?? '')[0]?.[0], lit(userName)).toEqual({ type: 'uid', value: userName });
    }
    for (const userName of NAMES) {
      const id = ids.get(userName)!;
      const got = await api.get(`/Users/${id}`);
      expect(got.body, lit(userName)).toMatchObject({ id, userName, externalId: `ext:${userName}`, displayName: userName });
      expect(await findIds(userName), `userName eq ${lit(userName)}`).toEqual([id]);
      const byExt = await api.list('/Users', { filter: `externalId eq ${lit(`ext:${userName}`)}` });
      expect(byExt.body.Resources.map((r: { id: string }) => r.id), `externalId eq ${lit(`ext:${userName}`)}`).toEqual([id]);
    }
    expect((await api.list('/Users', { count: 0 })).body.totalResults).toBe(NAMES.length);
  });

  it('renames each with modifyDN (same id, new DN, old name gone) and deletes it', async () => {
    await start();
    for (const userName of NAMES) {
      const u = await createUser(api, { userName });
      const id = String(u.id);
      const before = await dnOf(id);
      const renamed = `re:${userName}`;
      const res = await api.patchOps(`/Users/${id}`, [{ op: 'replace', path: 'userName', value: renamed }]);
      expect(res.status, `${lit(userName)}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body).toMatchObject({ id, userName: renamed });
      const after = await dnOf(id);
      expect(after, lit(userName)).not.toBe(before);
      expect(parseDn(after ?? '')[0]?.[0]).toEqual({ type: 'uid', value: renamed });
      expect(await findIds(userName), `old name ${lit(userName)}`).toEqual([]);
      expect(await findIds(renamed), `new name ${lit(renamed)}`).toEqual([id]);

      expect((await api.delete(`/Users/${id}`)).status, lit(renamed)).toBe(204);
      expect((await api.get(`/Users/${id}`)).status).toBe(404);
      expect(await dnOf(id)).toBeUndefined();
      expect(await findIds(renamed)).toEqual([]);
    }
    expect((await api.list('/Users', { count: 0 })).body.totalResults).toBe(0);
  });

  it('never lets an injection attempt match other entries', async () => {
    await start();
    const ids = new Map<string, string>();
    for (const userName of ['*)(uid=*', 'admin', 'uid', '*', 'a*', 'ab', 'x)(|(objectClass=*)', '\\2a']) {
      ids.set(userName, String((await createUser(api, { userName, title: 'T' })).id));
    }
    expect(await findIds('*)(uid=*')).toEqual([ids.get('*)(uid=*')]);
    expect(await findIds('*')).toEqual([ids.get('*')]);
    expect(await findIds('a*')).toEqual([ids.get('a*')]);
    expect(await findIds('\\2a')).toEqual([ids.get('\\2a')]);
    expect(await findIds('x)(|(objectClass=*)')).toEqual([ids.get('x)(|(objectClass=*)')]);
    for (const attempt of ['*)(|(uid=*))', 'admin)(uid=*', 'admin)(|(uid=*', '*)(objectClass=*', 'a**', '\\2A*', ')(uid=*', 'admin*']) {
      expect(await findIds(attempt), attempt).toEqual([]);
    }
    // In substrings and other attributes too.
    const co = await api.list('/Users', { filter: 'userName co "*"' });
    expect(co.body.Resources.map((r: { userName: string }) => r.userName).sort()).toEqual(['*', '*)(uid=*', 'a*', 'x)(|(objectClass=*)'].sort());
    const sw = await api.list('/Users', { filter: `title eq "T" and userName sw ${lit('x)(')}` });
    expect(sw.body.Resources.map((r: { id: string }) => r.id)).toEqual([ids.get('x)(|(objectClass=*)')]);
    expect((await api.list('/Users', { filter: 'title eq "*"' })).body.totalResults).toBe(0);
  });

  it('keeps leading and trailing spaces significant: "padded" does not find "  padded  "', async () => {
    await start();
    const padded = String((await createUser(api, { userName: '  padded  ' })).id);
    const inside = String((await createUser(api, { userName: 'in  side' })).id);
    expect(await findIds('  padded  ')).toEqual([padded]);
    expect(await findIds('padded')).toEqual([]);
    expect(await findIds(' padded ')).toEqual([]);
    expect(await findIds('in  side')).toEqual([inside]);
    expect(await findIds('in side')).toEqual([]);
    const ne = await api.list('/Users', { filter: 'userName ne "padded"' });
    expect(ne.body.totalResults).toBe(2);
    // The directory itself folds the spaces: "padded" would take the same DN.
    expectScimError(await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'padded' }), 409, 'uniqueness');
  });

  it('rejects NUL in a userName with 400 before anything reaches the directory', async () => {
    await start();
    const sent = vi.spyOn(Client.prototype, 'add');
    const res = await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'nul\u0000byte' });
    expectScimError(res, 400);
    expect(sent).not.toHaveBeenCalled();
    const u = await createUser(api, { userName: 'clean' });
    const modify = vi.spyOn(Client.prototype, 'modifyDN');
    expectScimError(await api.patchOps(`/Users/${u.id}`, [{ op: 'replace', path: 'userName', value: 'a\u0000b' }]), 400);
    expect(modify).not.toHaveBeenCalled();
    expect((await api.get(`/Users/${u.id}`)).body.userName).toBe('clean');
    const filtered = await api.list('/Users', { filter: `userName eq ${lit('clean\u0000')}` });
    expect([200, 400]).toContain(filtered.status);
    if (filtered.status === 200) expect(filtered.body.totalResults).toBe(0);
  });
});
