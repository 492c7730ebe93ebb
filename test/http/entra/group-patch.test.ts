/**
 * Entra's group PATCH requests (checklist E1–E4): several members per request, re-adds, the non-standard
 * removal with a value array ($ref null or missing), the RFC removal by value filter, renames. Every one
 * answers 204 with no body: Microsoft's tutorial says group PATCH "should yield an HTTP 204 No Content",
 * and a member list in the answer would be useless traffic for groups with thousands of members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitName, itOn } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import { createGroup, createUser, entra, expectScimError, guid, memberIds, patchOp, type EntraClient, type Json } from './entra-client.js';

describe('Entra updating groups with PATCH', () => {
  let gw: TestGateway;
  let c: EntraClient;
  let users: string[] = [];
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
    users = [];
    for (let i = 0; i < 5; i++) users.push(String((await createUser(c))['id']));
  });
  afterAll(async () => gw.close());

  const newGroup = async (): Promise<string> => String((await createGroup(c))['id']);
  const patch204 = async (gid: string, ...ops: Json[]): Promise<void> => {
    const res = await c.patch(`/Groups/${gid}`, patchOp(...ops));
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    // No body at all, so certainly no member list.
    expect(res.text).toBe('');
    expect(res.headers['content-length'] ?? '0').toBe('0');
  };
  const sorted = (ids: string[]): string[] => [...ids].sort();
  const u = (i: number): string => users[i] as string;

  it("Entra's Add of several members in one PATCH ($ref null) gets 204 and adds them all", async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: users.slice(0, 4).map((value) => ({ $ref: null, value })) });
    expect(await memberIds(c, gid)).toEqual(sorted(users.slice(0, 4)));
  });

  it("Entra's re-Add of members already in the group is idempotent: 204 and no duplicates", async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(0) }, { value: u(1) }] });
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(1) }, { value: u(2) }] });
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(1) }, { value: u(1) }] });
    expect(await memberIds(c, gid)).toEqual(sorted([u(0), u(1), u(2)]));
  });

  it("Entra's non-standard Remove with a value array and $ref null removes only those members", async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: users.map((value) => ({ value })) });
    await patch204(gid, { op: 'Remove', path: 'members', value: [{ $ref: null, value: u(1) }, { $ref: null, value: u(3) }] });
    expect(await memberIds(c, gid)).toEqual(sorted([u(0), u(2), u(4)]));
  });

  it("Entra's non-standard Remove with a value array and no $ref at all removes only that member", async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(0) }, { value: u(1) }] });
    await patch204(gid, { op: 'Remove', path: 'members', value: [{ value: u(0) }] });
    expect(await memberIds(c, gid)).toEqual([u(1)]);
  });

  it("Entra's RFC-form Remove with path members[value eq \"id\"] removes only that member", async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(0) }, { value: u(1) }, { value: u(2) }] });
    await patch204(gid, { op: 'remove', path: `members[value eq "${u(1)}"]` });
    expect(await memberIds(c, gid)).toEqual(sorted([u(0), u(2)]));
  });

  it("Entra's Remove of a user who is not a member is a harmless 204", async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(0) }] });
    await patch204(gid, { op: 'Remove', path: 'members', value: [{ value: u(4) }] });
    await patch204(gid, { op: 'remove', path: `members[value eq "${u(4)}"]` });
    expect(await memberIds(c, gid)).toEqual([u(0)]);
  });

  it("Entra's Replace of displayName gets 204 with no body, and the members are untouched", async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(0) }] });
    const displayName = fitName('group', `Renamed ${guid()}`);
    await patch204(gid, { op: 'Replace', path: 'displayName', value: displayName });
    const read = await c.get(`/Groups/${gid}`);
    expect(read.body.displayName).toBe(displayName);
    expect(read.body.id).toBe(gid);
    expect(await memberIds(c, gid)).toEqual([u(0)]);
  });

  it('a group PATCH mixing a rename, adds and removes applies them all in one 204', async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(0) }, { value: u(1) }] });
    const displayName = fitName('group', `Mixed ${guid()}`);
    await patch204(
      gid,
      { op: 'Replace', path: 'displayName', value: displayName },
      { op: 'Add', path: 'members', value: [{ value: u(2) }, { value: u(3) }] },
      { op: 'Remove', path: 'members', value: [{ value: u(0) }] },
    );
    expect((await c.get(`/Groups/${gid}?excludedAttributes=members`)).body.displayName).toBe(displayName);
    expect(await memberIds(c, gid)).toEqual(sorted([u(1), u(2), u(3)]));
  });

  it('adding then removing the same member in one PATCH leaves it out (operations apply in order)', async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(0) }] }, { op: 'Remove', path: 'members', value: [{ value: u(0) }] });
    expect(await memberIds(c, gid)).toEqual([]);
  });

  itOn(['json-file', 'ldap'], 'FortiOS firewall groups hold local users only (a group member is a 400)', 'a group can be a member of another group (nested groups), listed with type Group', async () => {
    const outer = await newGroup();
    const inner = await newGroup();
    await patch204(outer, { op: 'Add', path: 'members', value: [{ value: inner }, { value: u(0) }] });
    const read = await c.get(`/Groups/${outer}`);
    const types = Object.fromEntries((read.body.members as Json[]).map((m) => [m['value'], m['type']]));
    expect(types).toEqual({ [inner]: 'Group', [u(0)]: 'User' });
  });

  it('Remove of path members with no value empties the group (204)', async () => {
    const gid = await newGroup();
    await patch204(gid, { op: 'Add', path: 'members', value: [{ value: u(0) }, { value: u(1) }] });
    await patch204(gid, { op: 'Remove', path: 'members' });
    expect(await memberIds(c, gid)).toEqual([]);
  });

  it('adding a member id that does not exist is a 400 SCIM error and adds nothing', async () => {
    const gid = await newGroup();
    const res = await c.patch(`/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: u(0) }, { value: guid() }] }));
    expectScimError(res, 400);
    expect(await memberIds(c, gid)).toEqual([]);
  });

  it('a member PATCH on a group that does not exist is a 404 SCIM error', async () => {
    expectScimError(await c.patch(`/Groups/${guid()}`, patchOp({ op: 'Add', path: 'members', value: [{ value: u(0) }] })), 404);
    expectScimError(await c.patch(`/Groups/${guid()}`, patchOp({ op: 'Replace', path: 'displayName', value: 'x' })), 404);
  });

  it("a rename onto another group's displayName is a 409 uniqueness error", async () => {
    const taken = String((await createGroup(c))['displayName']);
    const gid = await newGroup();
    expectScimError(await c.patch(`/Groups/${gid}`, patchOp({ op: 'Replace', path: 'displayName', value: taken })), 409, 'uniqueness');
  });
});
