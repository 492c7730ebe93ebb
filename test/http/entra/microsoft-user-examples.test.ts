/**
 * Replays the "User Operations" samples of Microsoft's SCIM tutorial (test/fixtures/entra/user-*.json) in
 * the order Entra issues them: create, read, query, update, disable, delete. The doc's ids are placeholders;
 * each request uses the id our gateway returned for the Create User sample, and each documented response's
 * per-sample externalId is replaced by the one the sequence created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStored, asStoredAttr, describeOn, itOn, itStores } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import {
  docExample,
  entra,
  ENTERPRISE,
  expectDocumentedResource,
  expectListResponse,
  expectMeta,
  expectScimError,
  expectScimJson,
  substitute,
  type EntraClient,
  type Json,
} from './entra-client.js';

const create = docExample('user-01-create-user');
const get = docExample('user-02-get-user');
const notFound = docExample('user-03-get-user-not-found');
const query = docExample('user-04-get-user-by-query');
const zero = docExample('user-05-get-user-by-query-zero-results');
const multi = docExample('user-06-update-user-multi-valued');
const single = docExample('user-07-update-user-single-valued');
const disable = docExample('user-08-disable-user');
const del = docExample('user-09-delete-user');

/** The documented request path with the doc's placeholder id replaced by ours. */
const pathFor = (path: string, docId: string, id: string): string => path.replace(docId, id);

// The documented userNames are replayed as written: Test_User_00aa00aa-… (46 characters) and, after the rename,
// 5b50642d-…@testuser.com (49 characters, with an "@").
const DOC_NAMES_TOO_LONG = 'the documented userNames (46 and 49 characters, one with "@") exceed its user names (PAN-OS ≤ 31; pfSense ≤ 32 of letters, digits, ".", "_", "-")';

describeOn(['json-file', 'ldap', 'fortios'], DOC_NAMES_TOO_LONG, 'Microsoft SCIM tutorial, User Operations, replayed in order', () => {
  let gw: TestGateway;
  let c: EntraClient;
  let id = '';
  let externalId = '';
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  it("Entra's documented Create User request gets 201 and the documented user back, with an id and full meta", async () => {
    expect(create.request.method).toBe('POST');
    const res = await c.post(create.request.path, create.request.body);
    expect(res.status).toBe(create.response?.status);
    expectScimJson(res);
    // The request lists the enterprise URN but carries no enterprise attribute, so, like the doc's
    // response, ours lists only the core User schema.
    expectDocumentedResource(res.body as Json, create.response?.body as Json, 'User');
    expect((res.body as Json)['schemas']).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User']);
    // Not in the doc: our ids are UUIDs, and the Location header repeats meta.location.
    id = String(res.body.id);
    externalId = String(res.body.externalId);
    expect(res.headers['location']).toBe(res.body.meta.location);
    expect(res.headers['etag']).toBe(res.body.meta.version);
    // Entra sent `roles: []` and `meta.resourceType`; neither is stored or echoed.
    expect(res.body).not.toHaveProperty('roles');
  });

  it("Entra's documented Get User request returns the created user as documented", async () => {
    const doc = get.response?.body as Json;
    const res = await c.get(pathFor(get.request.path, String(doc['id']), id));
    expect(res.status).toBe(get.response?.status);
    expectScimJson(res);
    expectDocumentedResource(res.body as Json, substitute(doc, { [String(doc['externalId'])]: externalId }), 'User');
    expect(res.body.id).toBe(id);
  });

  it("Entra's documented Get User request for an id that does not exist gets 404 with a SCIM error whose status is the string \"404\"", async () => {
    const res = await c.get(notFound.request.path);
    const body = expectScimError(res, notFound.response?.status ?? 0);
    // The doc says only `status` is required; ours also names the id in `detail`.
    expect(body['schemas']).toEqual((notFound.response?.body as Json)['schemas']);
    expect(body['status']).toBe((notFound.response?.body as Json)['status']);
    expect(body['detail']).toContain('5171a35d82074e068ce2');
  });

  it("Entra's documented Get User by query request finds exactly the created user", async () => {
    const res = await c.get(query.request.path);
    expect(res.status).toBe(query.response?.status);
    expectScimJson(res);
    const doc = query.response?.body as Json;
    const resources = expectListResponse(res.body as Json, doc['totalResults'] as number);
    expect(res.body.startIndex).toBe(doc['startIndex']);
    // The doc answers itemsPerPage 20 (its page size); RFC 7644 §3.4.2 makes itemsPerPage the number of
    // resources on this page, which is what we answer.
    expect(res.body.itemsPerPage).toBe(1);
    const docUser = (doc['Resources'] as Json[])[0] as Json;
    expectDocumentedResource(resources[0] as Json, substitute(docUser, { [String(docUser['externalId'])]: externalId }), 'User');
    expect(resources[0]?.['id']).toBe(id);
  });

  it("Entra's documented zero-result query gets 200 and an empty ListResponse, never 404", async () => {
    const res = await c.get(zero.request.path);
    expect(res.status).toBe(zero.response?.status);
    expectScimJson(res);
    const doc = zero.response?.body as Json;
    expect(expectListResponse(res.body as Json, 0)).toEqual([]);
    expect(res.body.startIndex).toBe(doc['startIndex']);
    // itemsPerPage: the doc says 20 (its page size); ours is the count on this page, 0.
    expect(res.body.itemsPerPage).toBe(0);
  });

  it("Entra's documented Update User [Multi-valued properties] PATCH answers 200 with the new work email and family name", async () => {
    const doc = multi.response?.body as Json;
    const res = await c.patch(pathFor(multi.request.path, String(doc['id']), id), multi.request.body);
    expect(res.status).toBe(multi.response?.status);
    expectScimJson(res);
    // Intentional difference: the doc's server recomputed name.formatted ("givenName updatedFamilyName").
    // We store values as Entra sends them (the same doc: "Transformations of data shouldn't happen"), and
    // Entra sends name.formatted itself when it changes, so formatted stays "givenName familyName".
    const expected = substitute(doc, { [String(doc['externalId'])]: externalId, 'givenName updatedFamilyName': 'givenName familyName' });
    expectDocumentedResource(res.body as Json, expected, 'User');
    expect(res.body.id).toBe(id);
    // The email was updated in place: still one work email, still primary (where primary is stored).
    expect(res.body.emails).toEqual(asStoredAttr('emails', [{ type: 'work', value: 'updatedEmail@microsoft.com', primary: true }]));
    expect(res.body.meta.lastModified >= res.body.meta.created).toBe(true);
  });

  it("Entra's documented Update User [Single-valued properties] PATCH renames userName and keeps the id", async () => {
    const doc = single.response?.body as Json;
    const res = await c.patch(pathFor(single.request.path, String(doc['id']), id), single.request.body);
    expect(res.status).toBe(single.response?.status);
    // The sequence's user carries the email and family name the previous sample set; the doc's sample
    // user still had the original ones. Everything else is the documented response.
    const expected = {
      ...substitute(doc, {
        [String(doc['externalId'])]: externalId,
        'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com': 'updatedEmail@microsoft.com',
      }),
      name: { ...(doc['name'] as Json), familyName: 'updatedFamilyName' },
    };
    expectDocumentedResource(res.body as Json, expected, 'User');
    expect(res.body.id).toBe(id);
    const byNewName = await c.get(`/Users?filter=userName eq "${String(doc['userName'])}"`);
    expect(byNewName.body.Resources.map((r: Json) => r['id'])).toEqual([id]);
  });

  it("Entra's documented Disable User PATCH answers 200 with active false and the user's documented attributes", async () => {
    // The doc's response belongs to another sample user (deanruiz@testuser.com, with a work address). To
    // compare against it value for value, create that user first, then send the documented request.
    const doc = disable.response?.body as Json;
    const seeded = await c.post('/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: doc['userName'],
      name: doc['name'],
      active: true,
      emails: doc['emails'],
      addresses: doc['addresses'],
    });
    expect(seeded.status).toBe(201);
    const disabledId = String(seeded.body.id);
    const res = await c.patch(pathFor(disable.request.path, '5171a35d82074e068ce2', disabledId), disable.request.body);
    expect(res.status).toBe(disable.response?.status);
    expectScimJson(res);
    expect(res.body.active).toBe(false);
    // Intentional differences: the doc's meta.resourceType "Users" is a typo for "User" (RFC 7643 §3.1),
    // and its location is relative; expectMeta checks ours. addresses[].primary is not part of the
    // default json-file mapping (the Palo Alto table maps the address sub-attributes without primary),
    // so it is not stored and not echoed.
    const { addresses, ...rest } = doc;
    expectDocumentedResource(res.body as Json, rest, 'User');
    expect(res.body.addresses).toEqual(asStoredAttr('addresses', (addresses as Json[]).map(({ primary: _p, ...a }) => a)));
    expect(res.body.id).toBe(disabledId);
    // "The user object should be returned in a request whether or not the user is active."
    const read = await c.get(`/Users/${disabledId}`);
    expect(read.status).toBe(200);
    expect(read.body.active).toBe(false);
  });

  it("Entra's documented Delete User request gets 204 with no body, and the user is then gone", async () => {
    const res = await c.delete(pathFor(del.request.path, '5171a35d82074e068ce2', id));
    expect(res.status).toBe(del.response?.status);
    expect(res.text).toBe('');
    expectScimError(await c.get(`/Users/${id}`), 404);
    const probe = await c.get(`/Users?filter=externalId eq "${externalId}"`);
    expect(probe.status).toBe(200);
    expect(probe.body.totalResults).toBe(0);
  });
});

describe('Microsoft SCIM tutorial, worked examples of the sample provider', () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  itOn(['json-file', 'ldap', 'fortios', 'panos'], 'pfSense user names refuse the "@" of the documented userName jyoung@testuser.com', "Entra's Example 2 provisioning request (explicit nulls, unqualified department and manager, misspelt enterprise URN) creates the user with 201", async () => {
    const ex = docExample('example-2-provision-user');
    const res = await c.post(ex.request.path, ex.request.body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expectMeta(res.body as Json, 'User');
    expect(res.body).toMatchObject(
      asStored({
        externalId: 'jyoung',
        userName: 'jyoung@testuser.com',
        active: true,
        displayName: 'Joy Young',
        emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
        name: { familyName: 'Young', givenName: 'Joy' },
      }),
    );
    // The nulls mean "absent": nothing is stored for them.
    for (const k of ['addresses', 'phoneNumbers', 'preferredLanguage', 'title', 'department', 'manager', ENTERPRISE]) {
      expect(res.body).not.toHaveProperty([k]);
    }
  });

  itStores(`${ENTERPRISE}:manager`, "Entra's Example 5 manager PATCH (path \"manager\", value [{$ref, value}]) sets the manager, read back as manager.value", async () => {
    const ex = docExample('example-5-update-manager');
    const manager = await c.post('/Users', { userName: `manager_${Date.now()}@testuser.com` });
    const report = await c.post('/Users', { userName: `report_${Date.now()}@testuser.com` });
    expect(manager.status).toBe(201);
    expect(report.status).toBe(201);
    const managerId = String(manager.body.id);
    const body = substitute(ex.request.body as Json, { '00aa00aa-bb11-cc22-dd33-44ee44ee44ee': managerId });
    const res = await c.patch(pathFor(ex.request.path, 'a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1', String(report.body.id)), body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body[ENTERPRISE]).toEqual({ manager: { value: managerId } });
    expect(res.body.schemas).toContain(ENTERPRISE);
    // Example 4: Entra then checks the reference with `id eq … and manager eq …`.
    const check = await c.get(`/Users?filter=id eq "${String(report.body.id)}" and manager eq "${managerId}"&attributes=id`);
    expect(check.status).toBe(200);
    expect(check.body.totalResults).toBe(1);
  });
});
