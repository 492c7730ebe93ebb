/**
 * SCIM `active` through HTTP on the LDAP connector, one strategy at a time (connectors/ldap/active.ts):
 * the ppolicy administrative lock (the user's own bind fails), an attribute, a move to a disabled OU; and,
 * without an AD at hand, the userAccountControl changes the AD strategy computes.
 */
import { Attribute, Change, Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activeStore, ADMIN_LOCK } from '../../connectors/ldap/active.js';
import { adminClient, entryAt, startLdapGateway, values, type LdapGateway } from '../support/ldap-gateway.js';
import { describeLdap } from '../support/ldap-suite.js';
import { createUser, expectScimError, scimClient, type ScimClient } from '../support/scim-client.js';
import { startSlapd, type Slapd } from '../support/slapd.js';

const setActive = (api: ScimClient, id: string, active: boolean) => api.patchOps(`/Users/${id}`, [{ op: 'replace', path: 'active', value: active }]);

describeLdap('LDAP active strategies through HTTP', () => {
  let slapd: Slapd;
  let admin: Client;
  const gateways: LdapGateway[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    slapd = await startSlapd();
    admin = await adminClient(slapd);
  });
  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await slapd?.destroy();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.unbind().catch(() => undefined)));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  async function gateway(opts: Parameters<typeof startLdapGateway>[0]['options'] = {}, mappingOverride?: Parameters<typeof startLdapGateway>[0]['mappingOverride']) {
    const gw = await startLdapGateway({ slapd, options: opts, ...(mappingOverride ? { mappingOverride } : {}) });
    gateways.push(gw);
    return { gw, api: scimClient(gw.server) };
  }

  /** Binds as `dn` with `password` on a connection of its own: undefined on success, the error otherwise. */
  async function bindAs(dn: string, password: string): Promise<unknown> {
    const c = new Client({ url: slapd.url, timeout: 5_000 });
    clients.push(c);
    return c.bind(dn, password).then(
      () => undefined,
      (err: unknown) => err,
    );
  }

  it('ppolicy-lock: locks with pwdAccountLockedTime so the user cannot bind, keeps the user readable, and unlocks', async () => {
    const { gw, api } = await gateway();
    const u = await createUser(api, { userName: 'locky', active: true });
    const dn = `uid=locky,${gw.ous.people}`;
    await admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: ['pw-locky'] }) }));
    expect(await bindAs(dn, 'pw-locky')).toBeUndefined();

    const off = await setActive(api, u.id, false);
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(values(await entryAt(admin, dn, ['pwdAccountLockedTime']), 'pwdAccountLockedTime')).toEqual([ADMIN_LOCK]);
    const err = await bindAs(dn, 'pw-locky');
    expect(err).toBeInstanceOf(InvalidCredentialsError);
    expect((err as InvalidCredentialsError).code).toBe(49);

    // Still readable, and found by its state.
    const got = await api.get(`/Users/${u.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: u.id, userName: 'locky', active: false });
    const other = await createUser(api, { userName: 'other', active: true });
    const disabled = await api.list('/Users', { filter: 'active eq false' });
    expect(disabled.body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
    const enabled = await api.list('/Users', { filter: 'active eq true' });
    expect(enabled.body.Resources.map((r: { id: string }) => r.id)).toEqual([other.id]);

    const on = await setActive(api, u.id, true);
    expect(on.body.active).toBe(true);
    expect(values(await entryAt(admin, dn, ['pwdAccountLockedTime']), 'pwdAccountLockedTime')).toEqual([]);
    expect(await bindAs(dn, 'pw-locky')).toBeUndefined();
    // Enabling an enabled user is no error (an explicit state, not a toggle).
    expect((await setActive(api, u.id, true)).status).toBe(200);
  });

  it('ppolicy-lock: a user created with active false is created locked', async () => {
    const { gw, api } = await gateway();
    const u = await createUser(api, { userName: 'born-locked', active: false });
    expect(u.active).toBe(false);
    expect(values(await entryAt(admin, `uid=born-locked,${gw.ous.people}`, ['pwdAccountLockedTime']), 'pwdAccountLockedTime')).toEqual([ADMIN_LOCK]);
  });

  it('attribute: writes the disabled and enabled values and filters on them', async () => {
    // employeeType is the profile's home for userType: take that mapping away, or the two would overwrite each other.
    const { gw, api } = await gateway(
      { users: { active: { strategy: 'attribute', attribute: 'employeeType', disabledValue: 'disabled', enabledValue: 'enabled' } } },
      { user: { userType: null } },
    );
    const u = await createUser(api, { userName: 'attr', active: true });
    const dn = `uid=attr,${gw.ous.people}`;
    expect(values(await entryAt(admin, dn, ['employeeType']), 'employeeType')).toEqual(['enabled']);
    expect((await setActive(api, u.id, false)).body.active).toBe(false);
    expect(values(await entryAt(admin, dn, ['employeeType', 'pwdAccountLockedTime']), 'employeeType')).toEqual(['disabled']);
    expect(values(await entryAt(admin, dn, ['pwdAccountLockedTime']), 'pwdAccountLockedTime')).toEqual([]);
    expect((await api.get(`/Users/${u.id}`)).body.active).toBe(false);
    expect((await api.list('/Users', { filter: 'active eq false' })).body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
    expect((await setActive(api, u.id, true)).body.active).toBe(true);
    expect(values(await entryAt(admin, dn, ['employeeType']), 'employeeType')).toEqual(['enabled']);
  });

  it('attribute: refuses to start when the active attribute is also mapped to a SCIM attribute', async () => {
    const ous = await slapd.freshOus('clash');
    await expect(
      startLdapGateway({ slapd, ous, options: { users: { active: { strategy: 'attribute', attribute: 'employeeType', disabledValue: 'disabled' } } } }),
    ).rejects.toThrow(/employeeType.*userType|userType.*employeeType/);
  });

  it('move-to-ou: moves a disabled user under the disabled OU and back, with the same id, readable throughout', async () => {
    const ous = await slapd.freshOus('move');
    const started = await startLdapGateway({ slapd, ous, options: { users: { active: { strategy: 'move-to-ou', disabledBaseDN: ous.disabled } } } });
    gateways.push(started);
    const api2 = scimClient(started.server);
    const u = await createUser(api2, { userName: 'mover', title: 'Stays', active: true });
    const inPeople = `uid=mover,${ous.people}`;
    const inDisabled = `uid=mover,${ous.disabled}`;
    expect(await entryAt(admin, inPeople, ['1.1'])).toBeDefined();

    const off = await setActive(api2, u.id, false);
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: u.id, active: false, title: 'Stays' });
    expect(await entryAt(admin, inPeople)).toBeUndefined();
    expect(values(await entryAt(admin, inDisabled), 'entryUUID')).toEqual([u.id]);
    expect((await api2.get(`/Users/${u.id}`)).body).toMatchObject({ id: u.id, userName: 'mover', active: false });
    expect((await api2.list('/Users', { filter: 'userName eq "mover"' })).body.Resources[0]).toMatchObject({ id: u.id, active: false });
    // A filter on active cannot be answered by a search here: 400, not a wrong answer.
    expectScimError(await api2.list('/Users', { filter: 'active eq false' }), 400);

    const on = await setActive(api2, u.id, true);
    expect(on.body).toMatchObject({ id: u.id, active: true });
    expect(await entryAt(admin, inDisabled)).toBeUndefined();
    expect(values(await entryAt(admin, inPeople), 'entryUUID')).toEqual([u.id]);

    // Created disabled: created in the disabled OU directly.
    const born = await createUser(api2, { userName: 'born-off', active: false });
    expect(values(await entryAt(admin, `uid=born-off,${ous.disabled}`), 'entryUUID')).toEqual([born.id]);
    expect((await api2.list('/Users', { count: 0 })).body.totalResults).toBe(2);
  });
});

describe('ad-user-account-control (no AD here: the changes the strategy computes)', () => {
  const store = activeStore({ strategy: 'ad-user-account-control' })!;
  const uacOf = (active: boolean, current: string | undefined): string[] => {
    const [change] = store.changes(active, { dn: 'CN=x,DC=corp', ...(current === undefined ? {} : { userAccountControl: current }) });
    expect(change?.operation).toBe('replace');
    expect(change?.modification.type).toBe('userAccountControl');
    return change!.modification.values.map(String);
  };

  it('sets bit 0x2 explicitly to disable and keeps every other bit', () => {
    expect(uacOf(false, '512')).toEqual(['514']); // NORMAL_ACCOUNT
    expect(uacOf(false, String(0x10200))).toEqual([String(0x10202)]); // + DONT_EXPIRE_PASSWORD
    expect(uacOf(false, '514')).toEqual(['514']); // already disabled: set, not toggled
    expect(uacOf(false, undefined)).toEqual(['514']);
  });

  it('clears bit 0x2 explicitly to enable and keeps every other bit', () => {
    expect(uacOf(true, '514')).toEqual(['512']);
    expect(uacOf(true, String(0x10202))).toEqual([String(0x10200)]);
    expect(uacOf(true, '512')).toEqual(['512']); // already enabled: cleared, not toggled
    expect(uacOf(true, String(0x800202))).toEqual([String(0x800200)]); // PASSWORD_EXPIRED stays
  });

  it('creates with NORMAL_ACCOUNT, disabled only when asked, and reads the bit back', () => {
    expect(store.create(true)).toEqual({ userAccountControl: ['512'] });
    expect(store.create(undefined)).toEqual({ userAccountControl: ['512'] });
    expect(store.create(false)).toEqual({ userAccountControl: ['514'] });
    expect(store.read({ dn: 'x', userAccountControl: '66050' }, false)).toBe(false);
    expect(store.read({ dn: 'x', userAccountControl: '66048' }, false)).toBe(true);
    expect(store.filter('eq', false)?.toString()).toBe('(userAccountControl:1.2.840.113556.1.4.803:=2)');
    expect(store.filter('eq', true)?.toString()).toBe('(!(userAccountControl:1.2.840.113556.1.4.803:=2))');
  });
});
