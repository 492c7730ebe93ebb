/**
 * Entra's reads and matching queries (checklist B1–B7): the raw query strings it sends (`+` for spaces,
 * `%22` for quotes, parameters in any order), matching on userName, externalId, the work email and group
 * displayName, case-insensitively, with exactly one result for a unique match; paging as its gallery
 * validation does it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitName, itStores } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import {
  createGroup,
  createUser,
  entra,
  ENTERPRISE,
  entraQuery,
  expectEmptyList,
  expectListResponse,
  expectScimError,
  guid,
  patchOp,
  type EntraClient,
  type Json,
} from './entra-client.js';

describe("Entra's matching queries", () => {
  let gw: TestGateway;
  let c: EntraClient;
  // The userName of the doc's samples, and a user whose userName starts the same way (a prefix must not match).
  // Where names are shorter both are cut (fitName), the second still starting with the first.
  const prefixed = fitName('user', 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081x');
  const userName = prefixed.slice(0, -1);
  const externalId = '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef';
  // Without spaces where group names refuse them (pfSense: fitName).
  const SALES = fitName('group', 'Sales Team EMEA');
  /** SALES as Entra writes it in a raw query string (`+` for spaces). */
  const RAW_SALES = SALES.replace(/ /g, '+');
  let id = '';
  let groupId = '';
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
    const user = await createUser(c, {
      userName,
      externalId,
      emails: [
        { primary: true, type: 'work', value: 'Test_User_dfeef4c5@TestUser.com' },
        { type: 'other', value: 'other.address@testuser.com' },
      ],
    });
    id = String(user['id']);
    await createUser(c, { userName: prefixed, externalId: `${externalId}x`, emails: [{ type: 'work', value: 'x.Test_User_dfeef4c5@TestUser.com' }] });
    groupId = String((await createGroup(c, { displayName: SALES, externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' }))['id']);
    await createGroup(c, { displayName: fitName('group', 'Sales Team EMEA 2') });
    const add = await c.patch(`/Groups/${groupId}`, patchOp({ op: 'Add', path: 'members', value: [{ value: id }] }));
    expect(add.status).toBe(204);
  });
  afterAll(async () => gw.close());

  const only = (res: { status: number; body: Json }, expectedId: string): Json => {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const resources = expectListResponse(res.body, 1);
    expect(resources).toHaveLength(1);
    expect(resources[0]?.['id']).toBe(expectedId);
    return resources[0] as Json;
  };

  it("Entra's raw userName query (+ for spaces, %22 for quotes) finds exactly the one user", async () => {
    only(await c.get(`/Users?filter=userName+eq+%22${userName}%22`), id);
  });

  it("Entra's userName query matches case-insensitively, in the value and in the attribute name", async () => {
    only(await c.get(`/Users?filter=userName+eq+%22${userName.toUpperCase()}%22`), id);
    only(await c.get(`/Users?filter=USERNAME+EQ+%22${userName.toLowerCase()}%22`), id);
  });

  it("Entra's raw externalId query finds exactly the one user, case-insensitively", async () => {
    only(await c.get(`/Users?filter=externalId+eq+%22${externalId}%22`), id);
    only(await c.get(`/Users?filter=externalid+eq+%22${externalId.toUpperCase()}%22`), id);
  });

  itStores('emails[type eq "work"].value', "Entra's emails[type eq \"work\"].value query finds exactly the one user, case-insensitively", async () => {
    const raw = `/Users?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22test_user_dfeef4c5%40testuser.com%22`;
    expect(raw).toBe(`/Users?filter=${entraQuery('emails[type eq "work"].value eq "test_user_dfeef4c5@testuser.com"')}`);
    only(await c.get(raw), id);
    // The other-typed address is not the work address.
    expectEmptyList(await c.get(`/Users?filter=${entraQuery('emails[type eq "work"].value eq "other.address@testuser.com"')}`));
  });

  it("Entra's query that combines two terms with `and` finds the user only when both match", async () => {
    only(await c.get(`/Users?filter=${entraQuery(`userName eq "${userName}" and externalId eq "${externalId}"`)}`), id);
    expectEmptyList(await c.get(`/Users?filter=${entraQuery(`userName eq "${userName}" and externalId eq "${guid()}"`)}`));
  });

  itStores([`${ENTERPRISE}:employeeNumber`, 'displayName'], 'a matching attribute the admin picked from the enterprise extension (URN-qualified employeeNumber) finds exactly the user', async () => {
    const employeeNumber = `E-${guid()}`;
    const uid = String((await createUser(c, { [ENTERPRISE]: { employeeNumber } }))['id']);
    only(await c.get(`/Users?filter=${entraQuery(`${ENTERPRISE}:employeeNumber eq "${employeeNumber}"`)}`), uid);
    only(await c.get(`/Users?filter=${entraQuery(`displayName eq "x" or ${ENTERPRISE}:employeeNumber eq "${employeeNumber.toLowerCase()}"`)}`), uid);
  });

  it("Entra's reference check by id (Example 4: `id eq …`) finds exactly the user, with attributes=id", async () => {
    const r = only(await c.get(`/Users?filter=${entraQuery(`id eq "${id}"`)}&attributes=id`), id);
    expect(r).not.toHaveProperty('userName');
  });

  it("Entra's raw group query by displayName, with excludedAttributes=members first, finds exactly the group without members", async () => {
    const r = only(await c.get(`/Groups?excludedAttributes=members&filter=displayName+eq+%22${RAW_SALES.toLowerCase()}%22`), groupId);
    expect(r['displayName']).toBe(SALES);
    expect(r).not.toHaveProperty('members');
  });

  it("Entra's group query with the parameters in the other order gives the same answer", async () => {
    const a = await c.get(`/Groups?excludedAttributes=members&filter=displayName+eq+%22${RAW_SALES}%22`);
    const b = await c.get(`/Groups?filter=displayName+eq+%22${RAW_SALES}%22&excludedAttributes=members`);
    expect(b.body).toEqual(a.body);
  });

  itStores(
    'externalId',
    "Entra's group query by externalId finds exactly the group",
    async () => {
      only(await c.get(`/Groups?excludedAttributes=members&filter=${entraQuery('externalId eq "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"')}`), groupId);
    },
    { kind: 'group' },
  );

  it('GET /Groups/{id}?excludedAttributes=members omits members entirely, while a plain GET lists them', async () => {
    const without = await c.get(`/Groups/${groupId}?excludedAttributes=members`);
    expect(without.status).toBe(200);
    expect(without.body).not.toHaveProperty('members');
    const withMembers = await c.get(`/Groups/${groupId}`);
    expect(withMembers.body.members).toEqual([{ value: id, type: 'User', $ref: expect.stringMatching(new RegExp(`/scim/v2/Users/${id}$`)) }]);
  });

  it("Entra's membership check (`members[value eq …]`) answers whether the user is in the group", async () => {
    only(await c.get(`/Groups?excludedAttributes=members&filter=${entraQuery(`id eq "${groupId}" and members[value eq "${id}"]`)}`), groupId);
    expectEmptyList(await c.get(`/Groups?excludedAttributes=members&filter=${entraQuery(`id eq "${groupId}" and members[value eq "${guid()}"]`)}`));
  });

  it('a disabled user is still found by Entra, by id and by its matching query', async () => {
    const user = await createUser(c);
    const uid = String(user['id']);
    expect((await c.patch(`/Users/${uid}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }))).status).toBe(200);
    const read = await c.get(`/Users/${uid}`);
    expect(read.status).toBe(200);
    expect(read.body.active).toBe(false);
    expect(only(await c.get(`/Users?filter=${entraQuery(`userName eq "${String(user['userName'])}"`)}`), uid)['active']).toBe(false);
  });

  it('a filter on an attribute the endpoint does not store is a 400 invalidFilter naming it, not an empty list Entra would act on', async () => {
    const body = expectScimError(await c.get(`/Users?filter=${entraQuery('nonexistent eq "x"')}`), 400, 'invalidFilter');
    expect(body['detail']).toContain('nonexistent');
  });
});

describe("Entra's paging through /Users", () => {
  let gw: TestGateway;
  let c: EntraClient;
  const all: string[] = [];
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
    for (let i = 0; i < 11; i++) all.push(String((await createUser(c))['id']));
  });
  afterAll(async () => gw.close());

  it("Entra's gallery validation paging with count=5 over 11 users gets pages of 5, 5 and 1 with startIndex echoed", async () => {
    const seen: string[] = [];
    for (const [startIndex, size] of [
      [1, 5],
      [6, 5],
      [11, 1],
    ] as const) {
      const res = await c.get(`/Users?startIndex=${startIndex}&count=5`);
      expect(res.status).toBe(200);
      const resources = expectListResponse(res.body, 11);
      expect(res.body.startIndex).toBe(startIndex);
      expect(res.body.itemsPerPage).toBe(size);
      expect(resources).toHaveLength(size);
      seen.push(...resources.map((r) => String(r['id'])));
    }
    expect(seen.sort()).toEqual([...all].sort());
  });

  it('the Okta-style probe count=1&startIndex=1 gets one user and the total', async () => {
    const res = await c.get('/Users?count=1&startIndex=1');
    expect(expectListResponse(res.body, 11)).toHaveLength(1);
    expect(res.body.startIndex).toBe(1);
  });

  it('a page past the end is 200 with no resources and the total', async () => {
    const res = await c.get('/Users?startIndex=50&count=5');
    expect(res.status).toBe(200);
    expect(expectListResponse(res.body, 11)).toEqual([]);
    expect(res.body.startIndex).toBe(50);
  });

  it('count=0 answers only the total, as RFC 7644 §3.4.2.4 asks', async () => {
    const res = await c.get('/Users?count=0');
    expect(expectListResponse(res.body, 11)).toEqual([]);
  });

  it('paging parameters are matched case-insensitively (startindex, COUNT)', async () => {
    const res = await c.get('/Users?startindex=11&COUNT=5');
    expect(res.body.startIndex).toBe(11);
    expect(res.body.Resources).toHaveLength(1);
  });
});
