/**
 * Replays the "Group Operations" samples of Microsoft's SCIM tutorial (test/fixtures/entra/group-*.json)
 * in Entra's order: create, read without members, query by displayName, rename, add a member, remove it,
 * delete. Doc ids are placeholders: requests use the id our gateway returned for Create Group, and the
 * member id "f648f8d5ea4e4cd38e9c" becomes a user created for the purpose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itOn, stores } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import {
  ADSCIM_GROUP,
  createUser,
  docExample,
  entra,
  expectDocumentedResource,
  expectListResponse,
  expectScimError,
  expectScimJson,
  memberIds,
  substitute,
  type EntraClient,
  type Json,
} from './entra-client.js';

const create = docExample('group-01-create-group');
const get = docExample('group-02-get-group');
const byName = docExample('group-03-get-group-by-displayname');
const rename = docExample('group-04-update-group-non-member-attributes');
const add = docExample('group-05-update-group-add-members');
const remove = docExample('group-06-update-group-remove-members');
const del = docExample('group-07-delete-group');

const DOC_MEMBER = 'f648f8d5ea4e4cd38e9c';

describe('Microsoft SCIM tutorial, Group Operations, replayed in order', () => {
  let gw: TestGateway;
  let c: EntraClient;
  let id = '';
  let externalId = '';
  let memberId = '';
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
    memberId = String((await createUser(c))['id']);
  });
  afterAll(async () => gw.close());

  it("Entra's documented Create Group request (with the ADSCIM Group schema URN) gets 201 and the documented group with an empty member list", async () => {
    expect((create.request.body as Json)['schemas']).toContain(ADSCIM_GROUP);
    const res = await c.post(create.request.path, create.request.body);
    expect(res.status).toBe(create.response?.status);
    expectScimJson(res);
    // Like the doc, the answer lists only the core Group schema and "members": [].
    expectDocumentedResource(res.body as Json, create.response?.body as Json, 'Group');
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Group']);
    expect(res.body.members).toEqual([]);
    id = String(res.body.id);
    externalId = String(res.body.externalId);
    expect(res.headers['location']).toBe(res.body.meta.location);
  });

  it("Entra's documented Get Group request with excludedAttributes=members returns the group without any members attribute", async () => {
    const doc = get.response?.body as Json;
    const res = await c.get(get.request.path.replace(String(doc['id']), id));
    expect(res.status).toBe(get.response?.status);
    expectScimJson(res);
    expectDocumentedResource(res.body as Json, substitute(doc, { [String(doc['externalId'])]: externalId }), 'Group');
    expect(res.body).not.toHaveProperty('members');
    expect(res.body.id).toBe(id);
  });

  it("Entra's documented Get Group by displayName request (excludedAttributes first) finds exactly the group, without members", async () => {
    const res = await c.get(byName.request.path);
    expect(res.status).toBe(byName.response?.status);
    expectScimJson(res);
    const doc = byName.response?.body as Json;
    const resources = expectListResponse(res.body as Json, doc['totalResults'] as number);
    expect(res.body.startIndex).toBe(doc['startIndex']);
    // itemsPerPage: the doc answers its page size (20); we answer the count on this page (RFC 7644 §3.4.2).
    expect(res.body.itemsPerPage).toBe(1);
    const docGroup = (doc['Resources'] as Json[])[0] as Json;
    expectDocumentedResource(resources[0] as Json, substitute(docGroup, { [String(docGroup['externalId'])]: externalId }), 'Group');
    expect(resources[0]).not.toHaveProperty('members');
    expect(resources[0]?.['id']).toBe(id);
  });

  itOn(['json-file', 'ldap'], 'the documented new name has 53 characters and FortiOS group names at most 35 (a 400 there)', "Entra's documented Update Group [Non-member attributes] PATCH gets 204 with no body and renames the group", async () => {
    const res = await c.patch(rename.request.path.replace('fa2ce26709934589afc5', id), rename.request.body);
    expect(res.status).toBe(rename.response?.status);
    expect(res.text).toBe('');
    const read = await c.get(`/Groups/${id}?excludedAttributes=members`);
    expect(read.body.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
    expect(read.body.id).toBe(id);
  });

  it("Entra's documented Update Group [Add Members] PATCH ($ref null) gets 204 and the user becomes a member", async () => {
    const body = substitute(add.request.body as Json, { [DOC_MEMBER]: memberId });
    const res = await c.patch(add.request.path.replace('a99962b9f99d4c4fac67', id), body);
    expect(res.status).toBe(add.response?.status);
    expect(res.text).toBe('');
    expect(await memberIds(c, id)).toEqual([memberId]);
  });

  it("Entra's documented Update Group [Remove Members] PATCH (value array with $ref null) gets 204 and the member is removed", async () => {
    const body = substitute(remove.request.body as Json, { [DOC_MEMBER]: memberId });
    const res = await c.patch(remove.request.path.replace('a99962b9f99d4c4fac67', id), body);
    expect(res.status).toBe(remove.response?.status);
    expect(res.text).toBe('');
    expect(await memberIds(c, id)).toEqual([]);
    // Only the membership went: the user is still there.
    expect((await c.get(`/Users/${memberId}`)).status).toBe(200);
  });

  it("Entra's documented Delete Group request gets 204 with no body, and the group is then gone", async () => {
    const res = await c.delete(del.request.path.replace('cdb1ce18f65944079d37', id));
    expect(res.status).toBe(del.response?.status);
    expect(res.text).toBe('');
    expectScimError(await c.get(`/Groups/${id}`), 404);
    // Entra probes by its matching attribute: externalId where the backend stores it, else displayName.
    const match = stores('externalId', 'group') ? `externalId eq "${externalId}"` : 'displayName eq "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"';
    const probe = await c.get(`/Groups?excludedAttributes=members&filter=${match}`);
    expect(probe.status).toBe(200);
    expect(probe.body.totalResults).toBe(0);
  });
});
