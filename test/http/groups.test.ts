/** /Groups and membership through HTTP, including the PATCH shapes Entra ID sends (RFC 7644 §3.5.2). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/build-app.js';
import { createGroup, createUser, expectScimError, GROUP_SCHEMA, scimClient, uniq, type ScimClient } from '../support/scim-client.js';

let gw: TestGateway;
let api: ScimClient;

beforeAll(async () => {
  gw = await startTestGateway();
  api = scimClient(gw.server);
});
afterAll(async () => gw.close());

async function users(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(String((await createUser(api, { userName: uniq('member') }))['id']));
  return ids;
}

/** Member ids of a group as GET returns them, sorted (membership is a set). */
async function memberIds(groupId: string): Promise<string[]> {
  const res = await api.get(`/Groups/${groupId}`);
  expect(res.status).toBe(200);
  return ((res.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
}

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

describe('POST /Groups', () => {
  it('creates a group without members: 201, Location, no members attribute', async () => {
    const displayName = uniq('Empty Group');
    const res = await api.post('/Groups', { schemas: [GROUP_SCHEMA], displayName });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ schemas: [GROUP_SCHEMA], displayName, meta: { resourceType: 'Group' } });
    expect(res.headers['location']).toBe(res.body.meta.location);
    expect(res.body.members ?? []).toEqual([]);
  });

  it('creates a group with members and returns them with type and $ref', async () => {
    const [a, b] = await users(2);
    const res = await api.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: uniq('With Members'), members: [{ value: a }, { value: b }] });
    expect(res.status).toBe(201);
    const members = res.body.members as { value: string; type: string; $ref: string }[];
    expect(members.map((m) => m.value).sort()).toEqual(sorted([a as string, b as string]));
    for (const m of members) {
      expect(m.type).toBe('User');
      expect(m.$ref).toMatch(new RegExp(`/scim/v2/Users/${m.value}$`));
    }
  });

  it('answers 400 when a member in the body does not exist, and creates nothing', async () => {
    const displayName = uniq('Bad Member Group');
    const res = await api.post('/Groups', { schemas: [GROUP_SCHEMA], displayName, members: [{ value: 'no-such-user' }] });
    expectScimError(res, 400, 'invalidValue');
    const list = await api.list('/Groups', { filter: `displayName eq "${displayName}"` });
    expect(list.body.totalResults).toBe(0);
  });

  it('answers 409 uniqueness for a displayName already taken, compared case-insensitively', async () => {
    const displayName = uniq('Unique Group');
    await createGroup(api, { displayName });
    const res = await api.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: displayName.toUpperCase() });
    expectScimError(res, 409, 'uniqueness');
  });
});

describe('GET /Groups/{id}', () => {
  it('returns the members, and omits them with excludedAttributes=members', async () => {
    const [a] = await users(1);
    const g = await createGroup(api, { displayName: uniq('Get Group'), members: [{ value: a }] });
    const full = await api.get(`/Groups/${g['id']}`);
    expect(full.status).toBe(200);
    expect(full.body.members.map((m: { value: string }) => m.value)).toEqual([a]);
    const slim = await api.get(`/Groups/${g['id']}?excludedAttributes=members`);
    expect(slim.status).toBe(200);
    expect(slim.body).not.toHaveProperty('members');
    expect(slim.body.displayName).toBe(g['displayName']);
    expect(slim.body.id).toBe(g['id']);
  });

  it('omits members in list results with excludedAttributes=members', async () => {
    const [a] = await users(1);
    const g = await createGroup(api, { displayName: uniq('List Group'), members: [{ value: a }] });
    const res = await api.list('/Groups', { filter: `id eq "${g['id']}"`, excludedAttributes: 'members' });
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0]).not.toHaveProperty('members');
    const withMembers = await api.list('/Groups', { filter: `id eq "${g['id']}"` });
    expect(withMembers.body.Resources[0].members).toHaveLength(1);
  });
});

describe('PATCH /Groups/{id} members', () => {
  it('adds several members in one operation and answers 204', async () => {
    const ids = await users(3);
    const g = await createGroup(api, { displayName: uniq('Add Many') });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }]);
    expect(res.status).toBe(204);
    expect(res.text ?? '').toBe('');
    expect(await memberIds(String(g['id']))).toEqual(sorted(ids));
  });

  it('accepts adding a member who is already present, without duplicating it', async () => {
    const [a, b] = await users(2);
    const g = await createGroup(api, { displayName: uniq('Add Twice'), members: [{ value: a }] });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'add', path: 'members', value: [{ value: a }, { value: b }] }]);
    expect(res.status).toBe(204);
    const res2 = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'add', path: 'members', value: [{ value: a }] }]);
    expect(res2.status).toBe(204);
    const members = await memberIds(String(g['id']));
    expect(members).toEqual(sorted([a as string, b as string]));
  });

  it('removes a member with the RFC filter form members[value eq "id"]', async () => {
    const [a, b] = await users(2);
    const g = await createGroup(api, { displayName: uniq('Remove Filter'), members: [{ value: a }, { value: b }] });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'remove', path: `members[value eq "${a}"]` }]);
    expect(res.status).toBe(204);
    expect(await memberIds(String(g['id']))).toEqual([b]);
  });

  it('removes a member with the Entra form {"op":"Remove","path":"members","value":[{"value":id}]}', async () => {
    const [a, b, c] = await users(3);
    const g = await createGroup(api, { displayName: uniq('Remove Entra'), members: [{ value: a }, { value: b }, { value: c }] });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'Remove', path: 'members', value: [{ value: a }, { value: c }] }]);
    expect(res.status).toBe(204);
    expect(await memberIds(String(g['id']))).toEqual([b]);
  });

  it('answers 204 to removing a member who is not in the group, and changes nothing', async () => {
    const [a, outsider] = await users(2);
    const g = await createGroup(api, { displayName: uniq('Remove Absent'), members: [{ value: a }] });
    const r1 = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'Remove', path: 'members', value: [{ value: outsider }] }]);
    expect(r1.status).toBe(204);
    const r2 = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'remove', path: 'members[value eq "never-existed"]' }]);
    expect(r2.status).toBe(204);
    expect(await memberIds(String(g['id']))).toEqual([a]);
  });

  it('replaces the whole member list', async () => {
    const [a, b, c] = await users(3);
    const g = await createGroup(api, { displayName: uniq('Replace Members'), members: [{ value: a }, { value: b }] });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'replace', path: 'members', value: [{ value: b }, { value: c }] }]);
    expect(res.status).toBe(204);
    expect(await memberIds(String(g['id']))).toEqual(sorted([b as string, c as string]));
  });

  it('removes all members with a remove on "members" without a value', async () => {
    const [a, b] = await users(2);
    const g = await createGroup(api, { displayName: uniq('Remove All'), members: [{ value: a }, { value: b }] });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'remove', path: 'members' }]);
    expect(res.status).toBe(204);
    expect(await memberIds(String(g['id']))).toEqual([]);
  });

  it('applies add and remove of members in order within one request', async () => {
    const [a, b] = await users(2);
    const g = await createGroup(api, { displayName: uniq('Ordered Members'), members: [{ value: a }] });
    const res = await api.patchOps(`/Groups/${g['id']}`, [
      { op: 'add', path: 'members', value: [{ value: b }] },
      { op: 'remove', path: `members[value eq "${a}"]` },
      { op: 'remove', path: 'members', value: [{ value: b }] },
      { op: 'add', path: 'members', value: [{ value: b }] },
    ]);
    expect(res.status).toBe(204);
    expect(await memberIds(String(g['id']))).toEqual([b]);
  });

  it('applies a member replace followed by an Entra-form remove in the same request', async () => {
    const [a, b, c, d] = await users(4);
    const g = await createGroup(api, { displayName: uniq('Replace Then Remove'), members: [{ value: d }] });
    const res = await api.patchOps(`/Groups/${g['id']}`, [
      { op: 'replace', path: 'members', value: [{ value: a }, { value: b }, { value: c }] },
      { op: 'Remove', path: 'members', value: [{ value: b }] },
    ]);
    expect(res.status).toBe(204);
    expect(await memberIds(String(g['id']))).toEqual(sorted([a as string, c as string]));
  });

  it('answers 400 to adding a member id that does not exist, and adds none of the request', async () => {
    const [a] = await users(1);
    const g = await createGroup(api, { displayName: uniq('Add Missing') });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'add', path: 'members', value: [{ value: a }, { value: 'no-such-id' }] }]);
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toContain('no-such-id');
    expect(await memberIds(String(g['id']))).toEqual([]);
  });

  it('returns the group when the PATCH asks for attributes, as RFC 7644 §3.5.2 allows', async () => {
    const [a] = await users(1);
    const g = await createGroup(api, { displayName: uniq('Patch Attributes') });
    const res = await api.patchOps(`/Groups/${g['id']}?attributes=members`, [{ op: 'add', path: 'members', value: [{ value: a }] }]);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(g['id']);
    expect(res.body.members.map((m: { value: string }) => m.value)).toEqual([a]);
    expect(res.body.displayName).toBeUndefined();
  });
});

describe('PATCH /Groups/{id} other attributes', () => {
  it('replaces the displayName (path form and no-path form) and keeps the members', async () => {
    const [a] = await users(1);
    const g = await createGroup(api, { displayName: uniq('Old Name'), members: [{ value: a }] });
    const name1 = uniq('New Name');
    expect((await api.patchOps(`/Groups/${g['id']}`, [{ op: 'Replace', path: 'displayName', value: name1 }])).status).toBe(204);
    let res = await api.get(`/Groups/${g['id']}`);
    expect(res.body.displayName).toBe(name1);
    expect(res.body.members.map((m: { value: string }) => m.value)).toEqual([a]);
    const name2 = uniq('Newer Name');
    expect((await api.patchOps(`/Groups/${g['id']}`, [{ op: 'replace', value: { displayName: name2 } }])).status).toBe(204);
    res = await api.get(`/Groups/${g['id']}`);
    expect(res.body.displayName).toBe(name2);
    expect(res.body.members).toHaveLength(1);
  });

  it('answers 409 uniqueness when PATCH renames a group to another group\'s displayName', async () => {
    const taken = uniq('Taken Name');
    await createGroup(api, { displayName: taken });
    const g = await createGroup(api, { displayName: uniq('Rename Me') });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'replace', path: 'displayName', value: taken.toLowerCase() }]);
    expectScimError(res, 409, 'uniqueness');
    expect((await api.get(`/Groups/${g['id']}`)).body.displayName).toBe(g['displayName']);
  });

  it('answers 400 to removing the required displayName', async () => {
    const g = await createGroup(api, { displayName: uniq('Keep Name') });
    const res = await api.patchOps(`/Groups/${g['id']}`, [{ op: 'remove', path: 'displayName' }]);
    expectScimError(res, 400);
    expect((await api.get(`/Groups/${g['id']}`)).body.displayName).toBe(g['displayName']);
  });
});

describe('PUT /Groups/{id}', () => {
  it('replaces displayName and the member list', async () => {
    const [a, b] = await users(2);
    const g = await createGroup(api, { displayName: uniq('Put Group'), members: [{ value: a }] });
    const displayName = uniq('Put Group Renamed');
    const res = await api.put(`/Groups/${g['id']}`, { schemas: [GROUP_SCHEMA], displayName, members: [{ value: b }] });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe(displayName);
    expect(res.body.members.map((m: { value: string }) => m.value)).toEqual([b]);
    expect(await memberIds(String(g['id']))).toEqual([b]);
  });
});

describe('deletes and membership', () => {
  it('removes a deleted user from every group it belonged to', async () => {
    const [a, b] = await users(2);
    const g1 = await createGroup(api, { displayName: uniq('Del G1'), members: [{ value: a }, { value: b }] });
    const g2 = await createGroup(api, { displayName: uniq('Del G2'), members: [{ value: a }] });
    expect((await api.delete(`/Users/${a}`)).status).toBe(204);
    expect(await memberIds(String(g1['id']))).toEqual([b]);
    expect(await memberIds(String(g2['id']))).toEqual([]);
    const byMember = await api.list('/Groups', { filter: `members[value eq "${a}"]` });
    expect(byMember.body.totalResults).toBe(0);
  });

  it('deletes a group (204), then answers 404 for it, and its members still exist', async () => {
    const [a] = await users(1);
    const g = await createGroup(api, { displayName: uniq('Del Group'), members: [{ value: a }] });
    expect((await api.delete(`/Groups/${g['id']}`)).status).toBe(204);
    expectScimError(await api.get(`/Groups/${g['id']}`), 404);
    expectScimError(await api.delete(`/Groups/${g['id']}`), 404);
    expect((await api.get(`/Users/${a}`)).status).toBe(200);
  });

  it('finds groups by member with members[value eq "id"] and members.value eq "id"', async () => {
    const [a, b] = await users(2);
    const g = await createGroup(api, { displayName: uniq('Find By Member'), members: [{ value: a }] });
    const f1 = await api.list('/Groups', { filter: `members[value eq "${a}"]` });
    expect(f1.body.Resources.map((r: { id: string }) => r.id)).toEqual([g['id']]);
    const f2 = await api.list('/Groups', { filter: `members.value eq "${a}"` });
    expect(f2.body.Resources.map((r: { id: string }) => r.id)).toEqual([g['id']]);
    const f3 = await api.list('/Groups', { filter: `members[value eq "${b}"]` });
    expect(f3.body.totalResults).toBe(0);
  });
});
