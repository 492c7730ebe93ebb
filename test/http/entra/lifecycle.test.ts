/**
 * Lifecycle as Entra drives it (checklist F1–F3 and the provisioning-cycle diagrams of Microsoft's
 * tutorial): the full user and group cycles request by request, deletes, and ids that stay valid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStored, fitName, itOn } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import {
  createGroup,
  createUser,
  entra,
  ENTERPRISE,
  entraGroup,
  entraQuery,
  entraUser,
  expectEmptyList,
  expectListResponse,
  expectMeta,
  expectScimError,
  guid,
  memberIds,
  patchOp,
  testUserName,
  type EntraClient,
  type Json,
} from './entra-client.js';

describe('Entra provisioning cycles, end to end', () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  it("Entra's user cycle: probe, create, find, update, disable, read disabled, delete, probe again empty", async () => {
    const userName = testUserName();
    const probe = `/Users?filter=${entraQuery(`userName eq "${userName}"`)}`;
    // 1. Is the user there? (no: 200 and an empty list, so Entra creates it)
    expectEmptyList(await c.get(probe));
    // 2. Create.
    const created = await c.post('/Users', entraUser({ userName, displayName: 'Joy Young' }));
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expectMeta(created.body, 'User');
    // 3. Next cycle: match by the matching attribute.
    const found = await c.get(probe);
    expect(expectListResponse(found.body, 1)[0]?.['id']).toBe(id);
    // 4. Attribute changes, in the default dialect.
    const updated = await c.patch(
      `/Users/${id}`,
      patchOp(
        { op: 'Replace', path: 'displayName', value: 'Joy Young-Smith' },
        { op: 'Replace', path: 'name.familyName', value: 'Young-Smith' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'joy.young-smith@testuser.com' },
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Sales' },
      ),
    );
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(id);
    // 5. Unassigned / out of scope / soft-deleted in Entra: active "False".
    const disabled = await c.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expect(disabled.status).toBe(200);
    expect(disabled.body.active).toBe(false);
    // 6. The user is still there, disabled, with its attributes.
    const read = await c.get(`/Users/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject(
      asStored({
        id,
        userName,
        active: false,
        displayName: 'Joy Young-Smith',
        name: { familyName: 'Young-Smith' },
        emails: [{ type: 'work', value: 'joy.young-smith@testuser.com', primary: true }],
        [ENTERPRISE]: { department: 'Sales' },
      }),
    );
    // 7. Hard delete in Entra (about 30 days later): DELETE.
    const deleted = await c.delete(`/Users/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    // 8. Gone: 404 by id, empty by query.
    expectScimError(await c.get(`/Users/${id}`), 404);
    expectEmptyList(await c.get(probe));
  });

  it("Entra's group cycle: probe, create, add members, read without members, remove a member, delete", async () => {
    const alice = String((await createUser(c))['id']);
    const bob = String((await createUser(c))['id']);
    const displayName = fitName('group', `Firewall Users ${guid()}`);
    const probe = `/Groups?excludedAttributes=members&filter=${entraQuery(`displayName eq "${displayName}"`)}`;
    expectEmptyList(await c.get(probe));
    // Groups are created with an empty members list, members follow by PATCH.
    const created = await c.post('/Groups', entraGroup({ displayName }));
    expect(created.status).toBe(201);
    const gid = String(created.body.id);
    const added = await c.patch(`/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: alice }, { $ref: null, value: bob }] }));
    expect(added.status).toBe(204);
    const found = await c.get(probe);
    const listed = expectListResponse(found.body, 1)[0] as Json;
    expect(listed['id']).toBe(gid);
    expect(listed).not.toHaveProperty('members');
    const read = await c.get(`/Groups/${gid}?excludedAttributes=members`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('members');
    const removed = await c.patch(`/Groups/${gid}`, patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: alice }] }));
    expect(removed.status).toBe(204);
    expect(await memberIds(c, gid)).toEqual([bob]);
    const deleted = await c.delete(`/Groups/${gid}`);
    expect(deleted.status).toBe(204);
    expectScimError(await c.get(`/Groups/${gid}`), 404);
    expectEmptyList(await c.get(probe));
    // Deleting the group deleted no user.
    expect((await c.get(`/Users/${alice}`)).status).toBe(200);
    expect((await c.get(`/Users/${bob}`)).status).toBe(200);
  });
});

describe('Deletes and stable ids', () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  it("Entra's DELETE of a user gets 204, a later GET 404, and a second DELETE a 404 SCIM error", async () => {
    const id = String((await createUser(c))['id']);
    expect((await c.delete(`/Users/${id}`)).status).toBe(204);
    expectScimError(await c.get(`/Users/${id}`), 404);
    expectScimError(await c.delete(`/Users/${id}`), 404);
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: false })), 404);
  });

  it("Entra's DELETE of a group gets 204, a later GET 404 (also with excludedAttributes=members)", async () => {
    const gid = String((await createGroup(c))['id']);
    expect((await c.delete(`/Groups/${gid}`)).status).toBe(204);
    expectScimError(await c.get(`/Groups/${gid}`), 404);
    expectScimError(await c.get(`/Groups/${gid}?excludedAttributes=members`), 404);
  });

  it('deleting a user removes it from the groups it belonged to', async () => {
    const gone = String((await createUser(c))['id']);
    const stays = String((await createUser(c))['id']);
    const gid = String((await createGroup(c))['id']);
    expect((await c.patch(`/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: gone }, { value: stays }] }))).status).toBe(204);
    expect((await c.delete(`/Users/${gone}`)).status).toBe(204);
    expect(await memberIds(c, gid)).toEqual([stays]);
  });

  it('disabling a user (what Entra sends on unassign) keeps its group memberships', async () => {
    const id = String((await createUser(c))['id']);
    const gid = String((await createGroup(c))['id']);
    expect((await c.patch(`/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: id }] }))).status).toBe(204);
    expect((await c.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }))).status).toBe(200);
    expect(await memberIds(c, gid)).toEqual([id]);
  });

  itOn(
    ['json-file', 'ldap'],
    'FortiOS stores neither displayName nor title, and its versions are content hashes: disable then enable returns to an earlier version',
    'the id and meta.location Entra cached stay the same through renames, updates, disable, enable and PUT',
    async () => {
    const created = await createUser(c);
    const id = String(created['id']);
    const location = (created['meta'] as Json)['location'];
    const createdAt = (created['meta'] as Json)['created'];
    const responses: Json[] = [];
    const p = async (...ops: Json[]) => {
      const res = await c.patch(`/Users/${id}`, patchOp(...ops));
      expect(res.status).toBe(200);
      responses.push(res.body as Json);
    };
    await p({ op: 'Replace', path: 'userName', value: fitName('user', `renamed_${guid()}@testuser.com`) });
    await p({ op: 'Replace', path: 'displayName', value: 'Someone Else' }, { op: 'Add', path: 'title', value: 'Boss' });
    await p({ op: 'Replace', path: 'active', value: 'False' });
    await p({ op: 'Replace', path: 'active', value: 'True' });
    await p({ op: 'Replace', path: 'externalId', value: guid() });
    const put = await c.put(`/Users/${id}`, entraUser({ userName: fitName('user', `put_${guid()}`) }));
    expect(put.status).toBe(200);
    responses.push(put.body as Json);
    const versions = new Set<unknown>();
    for (const r of responses) {
      expect(r['id']).toBe(id);
      expect((r['meta'] as Json)['location']).toBe(location);
      expect((r['meta'] as Json)['created']).toBe(createdAt);
      versions.add((r['meta'] as Json)['version']);
    }
    // Every change moved the version on.
    expect(versions.size).toBe(responses.length);
    expect((await c.get(`/Users/${id}`)).body.id).toBe(id);
  },
  );

  it('a group id stays the same through renames and membership changes', async () => {
    const gid = String((await createGroup(c))['id']);
    const uid = String((await createUser(c))['id']);
    expect((await c.patch(`/Groups/${gid}`, patchOp({ op: 'Replace', path: 'displayName', value: fitName('group', `G ${guid()}`) }))).status).toBe(204);
    expect((await c.patch(`/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: uid }] }))).status).toBe(204);
    const read = await c.get(`/Groups/${gid}`);
    expect(read.body.id).toBe(gid);
    expect(read.body.meta.location).toMatch(new RegExp(`/Groups/${gid}$`));
  });
});
