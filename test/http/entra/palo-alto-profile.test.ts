/**
 * The Palo Alto Networks SCIM Connector gallery app (checklist H1–H3, B8): the attribute tables of its
 * Entra tutorial (../shared/seed/palo-alto-networks-scim-connector-provisioning-tutorial.md). A user carrying
 * every attribute of the user table must round-trip through POST, GET and PATCH with every value intact,
 * and /Schemas must advertise every attribute of both tables, because the app has schema discovery on and
 * Entra's mapping screen offers exactly what /Schemas lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStoredAttr, expectKnownBug, FIREWALL, fitName, stores, storesEnterprise, unstored } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import { createUser, entra, ENTERPRISE, entraQuery, expectListResponse, expectMeta, GROUP_SCHEMA, guid, patchOp, USER_SCHEMA, type EntraClient, type Json } from './entra-client.js';

/** The user table, in the tutorial's order: target attribute as Entra writes it. */
const USER_TABLE = [
  'userName',
  'active',
  'displayName',
  'title',
  'emails[type eq "work"].value',
  'emails[type eq "other"].value',
  'preferredLanguage',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'name.honorificSuffix',
  'name.honorificPrefix',
  'addresses[type eq "work"].formatted',
  'addresses[type eq "work"].streetAddress',
  'addresses[type eq "work"].locality',
  'addresses[type eq "work"].region',
  'addresses[type eq "work"].postalCode',
  'addresses[type eq "work"].country',
  'addresses[type eq "other"].formatted',
  'addresses[type eq "other"].streetAddress',
  'addresses[type eq "other"].locality',
  'addresses[type eq "other"].region',
  'addresses[type eq "other"].postalCode',
  'addresses[type eq "other"].country',
  'phoneNumbers[type eq "work"].value',
  'phoneNumbers[type eq "mobile"].value',
  'phoneNumbers[type eq "fax"].value',
  'externalId',
  `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:manager`,
] as const;

const GROUP_TABLE = ['displayName', 'members'] as const;

/**
 * The rows this backend stores: all of them on json-file. The openldap profile has no home for the "other"
 * email and address (issue 3 asks for one; the /Schemas test below keeps that visible as a known gap), and
 * Entra cannot map what /Schemas does not offer, so on LDAP the round trips assert the other rows.
 */
const STORED_TABLE = USER_TABLE.filter((path) => stores(path));
const PROFILE_GAP = 'the openldap profile has no home for the emails/addresses [type eq "other"] rows of the seed table';

/** The value at one of the table's paths in a SCIM resource (manager reads as manager.value). */
function valueAt(resource: Json, path: string): unknown {
  if (path.startsWith(`${ENTERPRISE}:`)) {
    const ext = (resource[ENTERPRISE] ?? {}) as Json;
    const v = ext[path.slice(ENTERPRISE.length + 1)];
    return path.endsWith(':manager') ? (v as Json | undefined)?.['value'] : v;
  }
  const typed = /^(\w+)\[type eq "(\w+)"\]\.(\w+)$/.exec(path);
  if (typed) {
    const [, attr, type, sub] = typed as unknown as [string, string, string, string];
    const el = ((resource[attr] ?? []) as Json[]).find((e) => e['type'] === type);
    return el?.[sub];
  }
  const [attr, sub] = path.split('.') as [string, string | undefined];
  return sub === undefined ? resource[attr] : ((resource[attr] ?? {}) as Json)[sub];
}

/** A distinct, recognisable value for every string attribute of the table. */
function tableValues(tag: string, managerId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of USER_TABLE) {
    if (path === 'active') out[path] = true;
    else if (path.endsWith(':manager')) out[path] = managerId;
    else if (path === 'userName') out[path] = fitName('user', `pa_${tag}@firewall.example`);
    else if (path.includes('emails')) out[path] = `${path.includes('work') ? 'work' : 'other'}.${tag}@example.com`;
    else if (path === 'preferredLanguage') out[path] = 'en-US';
    // Short enough for every store (FortiOS keeps 15 characters of the mobile number).
    else if (path.startsWith('phoneNumbers')) out[path] = `+1 ${tag} ${['work', 'mobile', 'fax'].findIndex((t) => path.includes(t))}`;
    else out[path] = `${path.replace(/^urn:.*:User:/, '').replace(/\W+/g, '-')} ${tag}`;
  }
  return out;
}

describe('The Palo Alto Networks SCIM Connector attribute tables', () => {
  let gw: TestGateway;
  let c: EntraClient;
  let managerId = '';
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
    managerId = String((await createUser(c))['id']);
  });
  afterAll(async () => gw.close());

  it('a user carrying every attribute of the Palo Alto user table round-trips through POST and GET with every value intact', async () => {
    const tag = guid().slice(0, 8);
    const v = tableValues(tag, managerId);
    const a = (type: string) => ({
      type,
      formatted: v[`addresses[type eq "${type}"].formatted`],
      streetAddress: v[`addresses[type eq "${type}"].streetAddress`],
      locality: v[`addresses[type eq "${type}"].locality`],
      region: v[`addresses[type eq "${type}"].region`],
      postalCode: v[`addresses[type eq "${type}"].postalCode`],
      country: v[`addresses[type eq "${type}"].country`],
    });
    const body = {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: v['userName'],
      active: true,
      displayName: v['displayName'],
      title: v['title'],
      emails: [
        { primary: true, type: 'work', value: v['emails[type eq "work"].value'] },
        { type: 'other', value: v['emails[type eq "other"].value'] },
      ],
      preferredLanguage: v['preferredLanguage'],
      name: {
        givenName: v['name.givenName'],
        familyName: v['name.familyName'],
        formatted: v['name.formatted'],
        honorificSuffix: v['name.honorificSuffix'],
        honorificPrefix: v['name.honorificPrefix'],
      },
      addresses: [a('work'), a('other')],
      phoneNumbers: [
        { type: 'work', value: v['phoneNumbers[type eq "work"].value'] },
        { type: 'mobile', value: v['phoneNumbers[type eq "mobile"].value'] },
        { type: 'fax', value: v['phoneNumbers[type eq "fax"].value'] },
      ],
      externalId: v['externalId'],
      [ENTERPRISE]: { employeeNumber: v[`${ENTERPRISE}:employeeNumber`], department: v[`${ENTERPRISE}:department`], manager: managerId },
      meta: { resourceType: 'User' },
    };
    const created = await c.post('/Users', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expectMeta(created.body, 'User');
    const read = await c.get(`/Users/${String(created.body.id)}`);
    expect(read.status).toBe(200);
    for (const resource of [created.body as Json, read.body as Json]) {
      for (const path of STORED_TABLE) expect(valueAt(resource, path), path).toEqual(v[path]);
      expect(resource['schemas']).toEqual(storesEnterprise() ? [USER_SCHEMA, ENTERPRISE] : [USER_SCHEMA]);
      // Whole elements, as sent: nothing added, nothing lost (of what the backend stores).
      expect(resource['addresses']).toEqual(asStoredAttr('addresses', body.addresses));
      expect(resource['phoneNumbers']).toEqual(asStoredAttr('phoneNumbers', body.phoneNumbers));
      expect(resource['emails']).toEqual(asStoredAttr('emails', body.emails));
      expect(resource['name']).toEqual(asStoredAttr('name', body.name));
    }
    // H1: Entra matches this app's users on userName.
    const found = await c.get(`/Users?filter=${entraQuery(`userName eq "${String(v['userName'])}"`)}`);
    expect(expectListResponse(found.body, 1)[0]).toEqual(read.body);
  });

  it("every attribute of the Palo Alto user table can be set by Entra's PATCH with the table's own path", async () => {
    const id = String((await createUser(c))['id']);
    const v = tableValues(guid().slice(0, 8), managerId);
    // One operation per table row, in the default dialect (capitalised op, "True" as a string).
    const ops = USER_TABLE.map((path) => ({ op: 'Replace', path, value: path === 'active' ? 'True' : v[path] }));
    const res = await c.patch(`/Users/${id}`, patchOp(...ops));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const read = (await c.get(`/Users/${id}`)).body as Json;
    for (const path of STORED_TABLE) expect(valueAt(read, path), path).toEqual(v[path]);
    // One element per type, however many sub-attributes were set one by one.
    const types = (attr: string, all: string[], sub: string) => all.filter((t) => stores(`${attr}[type eq "${t}"].${sub}`));
    const typesIn = (attr: string) => ((read[attr] ?? []) as Json[]).map((e) => e['type']);
    expect(typesIn('addresses')).toEqual(types('addresses', ['work', 'other'], 'formatted'));
    expect(typesIn('phoneNumbers')).toEqual(types('phoneNumbers', ['work', 'mobile', 'fax'], 'value'));
    expect(typesIn('emails').sort()).toEqual(types('emails', ['other', 'work'], 'value'));
  });

  it("every attribute of the Palo Alto user table can be cleared by Entra's Remove with the table's path", async () => {
    const v = tableValues(guid().slice(0, 8), managerId);
    const id = String((await createUser(c))['id']);
    const optional = USER_TABLE.filter((p) => p !== 'userName' && p !== 'active');
    expect((await c.patch(`/Users/${id}`, patchOp(...optional.map((path) => ({ op: 'Add', path, value: v[path] }))))).status).toBe(200);
    const res = await c.patch(`/Users/${id}`, patchOp(...optional.map((path) => ({ op: 'Remove', path }))));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const read = (await c.get(`/Users/${id}`)).body as Json;
    for (const path of optional) expect(valueAt(read, path), path).toBeUndefined();
    expect(read['schemas']).toEqual([USER_SCHEMA]);
  });

  it("/Schemas advertises every attribute of the Palo Alto user table, so Entra's schema discovery offers them all", async () => {
    const res = await c.get('/Schemas');
    expect(res.status).toBe(200);
    const schemas = new Map((res.body.Resources as Json[]).map((s) => [s['id'], s]));
    const attrsOf = (urn: string) => new Map(((schemas.get(urn)?.['attributes'] ?? []) as Json[]).map((a) => [a['name'], a]));
    const core = attrsOf(USER_SCHEMA);
    const enterprise = attrsOf(ENTERPRISE);
    const subNames = (a: Json | undefined) => ((a?.['subAttributes'] ?? []) as Json[]).map((s) => s['name']);
    // A firewall has no home for most rows (FortiOS: name, status, email, mobile phone): a limit, not a gap to close.
    if (!FIREWALL) await expectKnownBug('ldap', PROFILE_GAP, () => expect(unstored(USER_TABLE)).toEqual([]));
    for (const path of USER_TABLE) {
      const typed = /^(\w+)\[type eq "(\w+)"\]\.(\w+)$/.exec(path);
      if (!stores(path)) {
        // Not stored, so not offered: Entra cannot map it (never accepted and then dropped).
        if (typed) {
          const [, name, type] = typed as unknown as [string, string, string];
          const typeDef = ((core.get(name)?.['subAttributes'] ?? []) as Json[]).find((s) => s['name'] === 'type');
          expect(typeDef?.['canonicalValues'] ?? [], path).not.toContain(type);
        } else if (path.startsWith(`${ENTERPRISE}:`)) {
          expect(enterprise.get(path.slice(ENTERPRISE.length + 1)), path).toBeUndefined();
        } else {
          const [name, sub] = path.split('.') as [string, string | undefined];
          if (sub === undefined) expect(core.get(name), path).toBeUndefined();
          else expect(subNames(core.get(name)), path).not.toContain(sub);
        }
        continue;
      }
      if (path.startsWith(`${ENTERPRISE}:`)) {
        const attr = enterprise.get(path.slice(ENTERPRISE.length + 1));
        expect(attr, path).toBeDefined();
        if (path.endsWith(':manager')) expect(subNames(attr), path).toContain('value');
        else expect(attr?.['type'], path).toBe('string');
        continue;
      }
      if (typed) {
        const [, name, type, sub] = typed as unknown as [string, string, string, string];
        const attr = core.get(name);
        expect(attr?.['multiValued'], path).toBe(true);
        expect(subNames(attr), path).toEqual(expect.arrayContaining([sub, 'type']));
        const typeDef = ((attr?.['subAttributes'] ?? []) as Json[]).find((s) => s['name'] === 'type');
        expect(typeDef?.['canonicalValues'], path).toContain(type);
        continue;
      }
      const [name, sub] = path.split('.') as [string, string | undefined];
      const attr = core.get(name);
      expect(attr, path).toBeDefined();
      if (sub !== undefined) expect(subNames(attr), path).toContain(sub);
      else expect(attr?.['type'], path).toBe(name === 'active' ? 'boolean' : 'string');
    }
    // userName is the app's matching attribute: required and unique.
    expect(core.get('userName')).toMatchObject({ required: true, uniqueness: 'server' });
  });

  it('/Schemas advertises the Palo Alto group table (displayName, members as a reference), and the Group schema that gallery validation needs', async () => {
    const res = await c.get('/Schemas');
    const group = (res.body.Resources as Json[]).find((s) => s['id'] === GROUP_SCHEMA);
    expect(group).toBeDefined();
    const attrs = new Map(((group?.['attributes'] ?? []) as Json[]).map((a) => [a['name'], a]));
    for (const name of GROUP_TABLE) expect(attrs.has(name), name).toBe(true);
    expect(attrs.get('displayName')).toMatchObject({ type: 'string', required: true });
    const members = attrs.get('members') as Json;
    expect(members['multiValued']).toBe(true);
    const subs = new Map(((members['subAttributes'] ?? []) as Json[]).map((s) => [s['name'], s]));
    expect(subs.get('value')).toBeDefined();
    expect(subs.get('$ref')).toMatchObject({ type: 'reference' });
  });

  it('a Palo Alto group is matched by displayName and carries its members (the reference attribute)', async () => {
    const displayName = fitName('group', `PA-Users-${guid()}`);
    const group = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName });
    expect(group.status).toBe(201);
    const gid = String(group.body.id);
    expect((await c.patch(`/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: managerId }] }))).status).toBe(204);
    const found = await c.get(`/Groups?filter=${entraQuery(`displayName eq "${displayName}"`)}`);
    const g = expectListResponse(found.body, 1)[0] as Json;
    expect(g['id']).toBe(gid);
    expect((g['members'] as Json[]).map((m) => m['value'])).toEqual([managerId]);
  });
});
