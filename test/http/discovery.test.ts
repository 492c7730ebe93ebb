/**
 * /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7643 §5–7, RFC 7644 §4): read-only, SCIM
 * shaped, and generated from what the endpoint's mapping stores, so an attribute the endpoint would drop
 * is never advertised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING, describeStores, SORTS, stores, storesEnterprise } from '../support/backend.js';
import { startTestGateway, type TestGateway } from '../support/build-app.js';
import { ENTERPRISE, expectScimError, GROUP_SCHEMA, LIST_RESPONSE, scimClient, uniq, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const ATTRIBUTE_KEYS = ['caseExact', 'description', 'multiValued', 'mutability', 'name', 'required', 'returned', 'type', 'uniqueness'];

type Attr = { name: string; subAttributes?: Attr[]; canonicalValues?: string[]; [k: string]: unknown };

/** Every property at every depth, to check that no value is null (Entra rejects nulls in discovery). */
function nullPaths(v: unknown, at = '$'): string[] {
  if (v === null) return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => nullPaths(x, `${at}[${i}]`));
  if (typeof v === 'object') return Object.entries(v as object).flatMap(([k, x]) => nullPaths(x, `${at}.${k}`));
  return [];
}

const attrNames = (attrs: readonly Attr[] | undefined): string[] => (attrs ?? []).map((a) => a.name);

/** Whether the default mapping stores a top-level User attribute or any part of it (`name` through `name.givenName`). */
const storesTop = (a: string): boolean => Object.keys(DEFAULT_MAPPING.user).some((k) => k === a || k.startsWith(`${a}.`) || k.startsWith(`${a}[`));

describe('discovery with the default mapping', () => {
  let gw: TestGateway;
  let api: ScimClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    api = scimClient(gw.server);
  });
  afterAll(async () => gw.close());

  it('describes the service provider: patch, no bulk, filter with maxResults, etag, sort (where the connector sorts), bearer tokens', async () => {
    const res = await api.get('/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: [SPC_SCHEMA],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
      etag: { supported: true },
      sort: { supported: SORTS },
      changePassword: { supported: false },
      meta: { resourceType: 'ServiceProviderConfig' },
    });
    expect(res.body.meta.location).toMatch(/\/scim\/v2\/ServiceProviderConfig$/);
    const schemes = res.body.authenticationSchemes as { type: string; name: string; description: string }[];
    expect(schemes.map((s) => s.type)).toEqual(['oauthbearertoken']);
    expect(schemes[0]?.name.length).toBeGreaterThan(0);
    expect(nullPaths(res.body)).toEqual([]);
  });

  it('lists the User and Group resource types, User with the optional enterprise extension', async () => {
    const res = await api.get('/ResourceTypes');
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual([LIST_RESPONSE]);
    expect(res.body.totalResults).toBe(2);
    const byId = Object.fromEntries((res.body.Resources as { id: string }[]).map((r) => [r.id, r]));
    expect(byId['User']).toMatchObject({
      schemas: [RT_SCHEMA],
      name: 'User',
      endpoint: '/Users',
      schema: USER_SCHEMA,
      ...(storesEnterprise() ? { schemaExtensions: [{ schema: ENTERPRISE, required: false }] } : {}),
      meta: { resourceType: 'ResourceType' },
    });
    // A backend with no enterprise attribute (FortiOS) does not offer the extension.
    if (!storesEnterprise()) expect(byId['User']).not.toHaveProperty('schemaExtensions');
    expect(byId['Group']).toMatchObject({ schemas: [RT_SCHEMA], name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA });
    expect(byId['Group']).not.toHaveProperty('schemaExtensions');
    expect(nullPaths(res.body)).toEqual([]);
  });

  it('returns one resource type by id, case-insensitively, and 404 for an unknown one', async () => {
    const res = await api.get('/ResourceTypes/User');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'User', endpoint: '/Users', schema: USER_SCHEMA });
    expect((await api.get('/ResourceTypes/group')).body.id).toBe('Group');
    expectScimError(await api.get('/ResourceTypes/Printer'), 404);
  });

  it('lists the User, enterprise User and Group schemas with complete attribute definitions', async () => {
    const res = await api.get('/Schemas');
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual([LIST_RESPONSE]);
    const schemas = res.body.Resources as { id: string; schemas: string[]; attributes: Attr[] }[];
    const expected = [GROUP_SCHEMA, USER_SCHEMA, ...(storesEnterprise() ? [ENTERPRISE] : [])];
    expect(schemas.map((s) => s.id).sort()).toEqual(expected.sort());
    expect(res.body.totalResults).toBe(expected.length);
    for (const s of schemas) {
      expect(s.schemas).toEqual([SCHEMA_SCHEMA]);
      const names = attrNames(s.attributes).map((n) => n.toLowerCase());
      expect(new Set(names).size, `${s.id} lists an attribute twice: ${names.join(', ')}`).toBe(names.length);
      for (const a of s.attributes) {
        for (const k of ATTRIBUTE_KEYS) expect(a, `${s.id} ${a.name}.${k}`).toHaveProperty(k);
        for (const sub of a.subAttributes ?? []) for (const k of ATTRIBUTE_KEYS) expect(sub, `${s.id} ${a.name}.${sub.name}.${k}`).toHaveProperty(k);
      }
    }
    expect(nullPaths(res.body)).toEqual([]);
  });

  it('advertises userName as required and server-unique, and omits what the mapping does not store', async () => {
    const res = await api.get(`/Schemas/${USER_SCHEMA}`);
    expect(res.status).toBe(200);
    const attrs = res.body.attributes as Attr[];
    expect(attrs.find((a) => a.name === 'userName')).toMatchObject({ type: 'string', required: true, uniqueness: 'server', caseExact: false });
    expect(attrs.find((a) => a.name === 'active')).toMatchObject({ type: 'boolean' });
    const names = attrNames(attrs);
    const offered = ['userName', 'externalId', 'name', 'displayName', 'title', 'emails', 'phoneNumbers', 'addresses', 'active'];
    for (const stored of offered.filter(storesTop)) expect(names).toContain(stored);
    for (const unstored of offered.filter((a) => !storesTop(a))) expect(names).not.toContain(unstored);
    for (const unstored of ['password', 'ims', 'photos', 'x509Certificates', 'entitlements', 'roles']) expect(names).not.toContain(unstored);
    const emails = attrs.find((a) => a.name === 'emails');
    const emailType = emails?.subAttributes?.find((s) => s.name === 'type');
    // Only the types the backend stores: json-file all three, the LDAP profile work (mail).
    const emailTypes = ['home', 'other', 'work'].filter((t) => stores(`emails[type eq "${t}"].value`));
    expect([...(emailType?.canonicalValues ?? [])].sort()).toEqual(emailTypes);
    const phoneType = attrs.find((a) => a.name === 'phoneNumbers')?.subAttributes?.find((s) => s.name === 'type');
    expect([...(phoneType?.canonicalValues ?? [])].sort()).toEqual(['fax', 'mobile', 'work'].filter((t) => stores(`phoneNumbers[type eq "${t}"].value`)));
  });

  it('returns a schema by its URN, case-insensitively', async () => {
    if (storesEnterprise()) {
      const res = await api.get(`/Schemas/${ENTERPRISE.toLowerCase()}`);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(ENTERPRISE);
      // json-file stores all six; the LDAP profile has no home for costCenter.
      const enterprise = ['costCenter', 'department', 'division', 'employeeNumber', 'manager', 'organization'].filter((a) => stores(`${ENTERPRISE}:${a}`));
      expect(attrNames(res.body.attributes).sort()).toEqual(enterprise);
    } else {
      // FortiOS stores no enterprise attribute: the extension is not offered at all.
      expectScimError(await api.get(`/Schemas/${ENTERPRISE}`), 404);
      expect((await api.get(`/Schemas/${USER_SCHEMA.toLowerCase()}`)).body.id).toBe(USER_SCHEMA);
    }
    const group = await api.get(`/Schemas/${GROUP_SCHEMA}`);
    // json-file stores a group externalId; the LDAP profile does not (groupOfNames has no attribute for it).
    const groupAttrs = ['displayName', 'externalId'].filter((a) => stores(a, 'group'));
    expect(attrNames(group.body.attributes).sort()).toEqual([...groupAttrs, 'members']);
  });

  it('answers 404 for an unknown schema URN', async () => {
    const res = await api.get('/Schemas/urn:ietf:params:scim:schemas:extension:acme:2.0:User');
    expectScimError(res, 404);
    expect(res.body.detail).toContain('acme');
  });

  it('answers 405 with an Allow header to writes on discovery endpoints', async () => {
    const paths = ['/ServiceProviderConfig', '/Schemas', `/Schemas/${USER_SCHEMA}`, '/ResourceTypes', '/ResourceTypes/User'];
    for (const path of paths) {
      for (const method of ['post', 'put', 'patch', 'delete'] as const) {
        const res = method === 'delete' ? await api.delete(path) : await api[method](path, { schemas: [SPC_SCHEMA] });
        expect(res.status, `${method.toUpperCase()} ${path}`).toBe(405);
        expectScimError(res, 405);
        expect(String(res.headers['allow']).split(/,\s*/)).toContain('GET');
      }
    }
    expect((await api.get('/ServiceProviderConfig')).status).toBe(200);
  });
});

describeStores('name.givenName', 'discovery reflects a small custom mapping', () => {
  let gw: TestGateway;
  let api: ScimClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      mapping: {
        user: { userName: 'uid', 'name.givenName': 'gn', 'emails[type eq "work"].value': 'mail' },
        group: { displayName: 'cn' },
      },
    });
    api = scimClient(gw.server);
  });
  afterAll(async () => gw.close());

  it('lists only the mapped user attributes, narrowed to the mapped sub-attributes and types', async () => {
    const res = await api.get(`/Schemas/${USER_SCHEMA}`);
    expect(res.status).toBe(200);
    const attrs = res.body.attributes as Attr[];
    expect(attrNames(attrs).sort()).toEqual(['emails', 'name', 'userName']);
    const name = attrs.find((a) => a.name === 'name');
    expect(attrNames(name?.subAttributes)).toEqual(['givenName']);
    const emails = attrs.find((a) => a.name === 'emails');
    expect(emails).toMatchObject({ type: 'complex', multiValued: true });
    expect(attrNames(emails?.subAttributes).sort()).toEqual(['type', 'value']);
    expect(emails?.subAttributes?.find((s) => s.name === 'type')?.canonicalValues).toEqual(['work']);
  });

  it('lists no enterprise schema and no enterprise extension on the User resource type', async () => {
    const schemas = await api.get('/Schemas');
    expect((schemas.body.Resources as { id: string }[]).map((s) => s.id).sort()).toEqual([GROUP_SCHEMA, USER_SCHEMA].sort());
    expectScimError(await api.get(`/Schemas/${ENTERPRISE}`), 404);
    const rt = await api.get('/ResourceTypes/User');
    expect(rt.status).toBe(200);
    expect(rt.body).not.toHaveProperty('schemaExtensions');
  });

  it('lists displayName and members for groups', async () => {
    const res = await api.get(`/Schemas/${GROUP_SCHEMA}`);
    expect(attrNames(res.body.attributes).sort()).toEqual(['displayName', 'members']);
  });

  it('accepts a POST with unmapped attributes but neither stores nor returns them', async () => {
    const userName = uniq('small');
    const res = await api.post('/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName,
      title: 'Not stored',
      externalId: 'not-stored-either',
      name: { givenName: 'Kept', familyName: 'Dropped' },
      emails: [
        { type: 'work', value: 'kept@example.com' },
        { type: 'home', value: 'dropped@example.com' },
      ],
      [ENTERPRISE]: { department: 'Dropped' },
    });
    expect(res.status).toBe(201);
    const expected = { userName, name: { givenName: 'Kept' }, emails: [{ type: 'work', value: 'kept@example.com' }] };
    expect(res.body).toMatchObject(expected);
    for (const body of [res.body, (await api.get(`/Users/${res.body.id}`)).body]) {
      expect(body.title).toBeUndefined();
      expect(body.externalId).toBeUndefined();
      expect(body.name).toEqual({ givenName: 'Kept' });
      expect(body.emails).toEqual([{ type: 'work', value: 'kept@example.com' }]);
      expect(body[ENTERPRISE]).toBeUndefined();
      expect(body.schemas).toEqual([USER_SCHEMA]);
    }
  });

  it('rejects a filter on an attribute it does not advertise', async () => {
    const res = await api.list('/Users', { filter: 'title eq "x"' });
    expectScimError(res, 400, 'invalidFilter');
    expect(res.body.detail).toContain('title');
  });
});
