/**
 * Schema discovery as Entra uses it (checklist B8, B9, D8): Entra reads /Schemas when the provisioning
 * configuration is saved or opened and offers what it lists as mapping targets. Replays the tutorial's
 * "Discover schema" sample (test/fixtures/entra/schema-01-discover-schema.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING, itOn, storesEnterprise } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import { docExample, entra, ENTERPRISE, entraUser, expectListResponse, expectScimError, expectScimJson, GROUP_SCHEMA, USER_SCHEMA, type EntraClient, type Json } from './entra-client.js';

const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** Every key path in `v` whose value is null. */
function nullPaths(v: unknown, at = '$'): string[] {
  if (v === null) return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => nullPaths(x, `${at}[${i}]`));
  if (typeof v === 'object') return Object.entries(v as Json).flatMap(([k, x]) => nullPaths(x, `${at}.${k}`));
  return [];
}

/** Every attribute definition in a schema resource, sub-attributes included. */
function allAttributes(schema: Json): Json[] {
  const walk = (attrs: Json[]): Json[] => attrs.flatMap((a) => [a, ...walk((a['subAttributes'] ?? []) as Json[])]);
  return walk((schema['attributes'] ?? []) as Json[]);
}

describe("Entra's schema discovery", () => {
  let gw: TestGateway;
  let c: EntraClient;
  let schemas: Map<unknown, Json>;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
    const res = await c.get('/Schemas');
    schemas = new Map((res.body.Resources as Json[]).map((s) => [s['id'], s]));
  });
  afterAll(async () => gw.close());

  itOn(['json-file', 'ldap'], "FortiOS stores neither the enterprise extension nor most attributes of Entra's documented sample", "Entra's documented Discover schema request gets a 200 ListResponse with the User, Group and Enterprise User schemas", async () => {
    const ex = docExample('schema-01-discover-schema');
    const res = await c.get(ex.request.path);
    expect(res.status).toBe(ex.response?.status);
    expectScimJson(res);
    const doc = ex.response?.body as Json;
    const resources = expectListResponse(res.body, doc['totalResults'] as number);
    expect(res.body.startIndex).toBe(doc['startIndex']);
    // itemsPerPage: the doc's server answered its page size (50); ours is the number returned (3).
    expect(res.body.itemsPerPage).toBe(3);
    const docSchemas = doc['Resources'] as Json[];
    expect(resources.map((s) => s['id']).sort()).toEqual(docSchemas.map((s) => s['id']).sort());
    for (const d of docSchemas) {
      const ours = resources.find((s) => s['id'] === d['id']) as Json;
      expect(ours).toMatchObject({ schemas: d['schemas'], id: d['id'], name: d['name'], description: d['description'] });
      // The doc's location is relative ("/v2/Schemas/…"); ours is absolute, as RFC 7643 §3.1 asks.
      expect((ours['meta'] as Json)['resourceType']).toBe('Schema');
      expect((ours['meta'] as Json)['location']).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/scim/v2/Schemas/${String(d['id'])}$`));
      for (const docAttr of d['attributes'] as Json[]) {
        const attr = ((ours['attributes'] ?? []) as Json[]).find((a) => a['name'] === docAttr['name']);
        expect(attr, `${String(d['id'])}:${String(docAttr['name'])}`).toBeDefined();
        // Same characteristics as the doc, except (on purpose) Group.displayName: the doc marks it
        // required false / uniqueness none, but RFC 7643 §4.2 makes it REQUIRED and this gateway keeps it
        // unique (Entra matches groups on it; Palo Alto's Cloud Identity Engine requires unique names).
        const { description: _d, ...characteristics } = docAttr;
        const expected = d['id'] === GROUP_SCHEMA && docAttr['name'] === 'displayName' ? { ...characteristics, required: true, uniqueness: 'server' } : characteristics;
        expect(attr).toMatchObject(expected);
        expect(typeof attr?.['description']).toBe('string');
      }
    }
  });

  it('/Schemas has no null properties anywhere, and its characteristic values are camelCase', () => {
    for (const s of schemas.values()) {
      expect(nullPaths(s)).toEqual([]);
      expect(s['schemas']).toEqual([SCHEMA_SCHEMA]);
      for (const a of allAttributes(s)) {
        expect(['readOnly', 'readWrite', 'immutable', 'writeOnly']).toContain(a['mutability']);
        expect(['always', 'never', 'default', 'request']).toContain(a['returned']);
        expect(['none', 'server', 'global']).toContain(a['uniqueness']);
        expect(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary']).toContain(a['type']);
        for (const k of ['multiValued', 'required', 'caseExact']) expect(typeof a[k]).toBe('boolean');
      }
    }
  });

  it('/Schemas/{id} returns each schema on its own, and an unknown schema id is a 404 SCIM error', async () => {
    for (const id of [USER_SCHEMA, ...(storesEnterprise() ? [ENTERPRISE] : []), GROUP_SCHEMA]) {
      const res = await c.get(`/Schemas/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(schemas.get(id));
    }
    // A backend without enterprise attributes (FortiOS) does not offer the extension.
    if (!storesEnterprise()) expectScimError(await c.get(`/Schemas/${ENTERPRISE}`), 404);
    expectScimError(await c.get('/Schemas/urn:example:nope'), 404);
  });

  it("only attributes the store keeps are advertised: no roles (D8 does not apply), no entitlements (Entra doesn't support them), no password", () => {
    const names = new Set(((schemas.get(USER_SCHEMA)?.['attributes'] ?? []) as Json[]).map((a) => a['name']));
    for (const absent of ['roles', 'entitlements', 'password', 'groups', 'x509Certificates', 'ims', 'photos']) expect(names.has(absent), absent).toBe(false);
    // id and meta are not mapping targets either.
    expect(names.has('id')).toBe(false);
  });

  it('every advertised simple User attribute is really stored: a value sent for it is read back', async () => {
    const body = entraUser();
    const expected: Json = {};
    for (const [urn, target] of [
      [USER_SCHEMA, body],
      [ENTERPRISE, {} as Json],
    ] as const) {
      for (const a of (schemas.get(urn)?.['attributes'] ?? []) as Json[]) {
        const name = String(a['name']);
        if (a['type'] === 'complex' || a['mutability'] === 'readOnly' || name === 'userName') continue;
        const value = a['type'] === 'boolean' ? false : a['type'] === 'reference' ? `https://example.com/${name}` : `${name}-value`;
        target[name] = value;
        if (urn === USER_SCHEMA) expected[name] = value;
        else expected[ENTERPRISE] = { ...((expected[ENTERPRISE] ?? {}) as Json), [name]: value };
      }
      if (urn === ENTERPRISE) body[ENTERPRISE] = target;
    }
    // Every simple attribute the backend's default mapping stores (userName aside) was advertised, plus the
    // extension where it stores any (FortiOS: externalId and active only).
    const simple = Object.keys(DEFAULT_MAPPING.user).filter((k) => !/[.[]/.test(k) && !k.startsWith('urn:') && k !== 'userName');
    expect(Object.keys(expected).length).toBe(simple.length + (storesEnterprise() ? 1 : 0));
    expect(Object.keys(expected).length).toBeGreaterThan(storesEnterprise() ? 6 : 1);
    const res = await c.post('/Users', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await c.get(`/Users/${String(res.body.id)}`)).body).toMatchObject(expected);
  });

  it('/ResourceTypes lists User (with the enterprise extension) and Group, for the Okta and Microsoft validation suites', async () => {
    const res = await c.get('/ResourceTypes');
    expect(res.status).toBe(200);
    const types = new Map((expectListResponse(res.body, 2) as Json[]).map((t) => [t['id'], t]));
    const extensions = storesEnterprise() ? { schemaExtensions: [{ schema: ENTERPRISE, required: false }] } : {};
    expect(types.get('User')).toMatchObject({ name: 'User', endpoint: '/Users', schema: USER_SCHEMA, ...extensions });
    expect(types.get('Group')).toMatchObject({ name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA });
    const one = await c.get('/ResourceTypes/User');
    expect(one.status).toBe(200);
    expect(one.body).toEqual(types.get('User'));
  });

  it('/ServiceProviderConfig advertises PATCH, filtering and bearer-token auth, and no bulk', async () => {
    const res = await c.get('/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expectScimJson(res);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true },
      authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
    });
    expect(res.body.filter.maxResults).toBeGreaterThan(0);
  });

  it('the discovery endpoints are read-only: writes get 405 SCIM errors', async () => {
    for (const path of ['/Schemas', '/ResourceTypes', '/ServiceProviderConfig', `/Schemas/${USER_SCHEMA}`]) {
      expectScimError(await c.post(path, {}), 405);
      expectScimError(await c.put(path, {}), 405);
      expectScimError(await c.delete(path), 405);
    }
  });
});
