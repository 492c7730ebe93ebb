/**
 * Paging (RFC 7644 §3.4.2.4), sorting (§3.4.2.3) and attribute projection (§3.4.2.5) on GET /Users, over
 * 12 users inserted in an order that differs from their sort order. The endpoint's maxPageSize is 10.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREWALL, itOn, itStores, SORTS } from '../support/backend.js';
import { AUTH, BASE, startTestGateway, type TestGateway } from '../support/build-app.js';
import { createUser, ENTERPRISE, expectScimError, LIST_RESPONSE, scimClient, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';

const MAX_PAGE = 10;
/** Insertion order. Sorted case-insensitively: alpha bravo charlie delta echo golf hotel india juliet kilo mike zulu. */
const NAMES = ['mike', 'Alpha', 'zulu', 'Bravo', 'echo', 'Delta', 'kilo', 'charlie', 'India', 'golf', 'Hotel', 'juliet'];
const SORTED = [...NAMES].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
/** active per user, by insertion index: true, false, or absent. */
const ACTIVE = (i: number): boolean | undefined => (i % 3 === 0 ? true : i % 3 === 1 ? false : undefined);

let gw: TestGateway;
let api: ScimClient;

beforeAll(async () => {
  gw = await startTestGateway({ limits: { maxPageSize: MAX_PAGE } });
  api = scimClient(gw.server);
  for (const [i, userName] of NAMES.entries()) {
    const active = ACTIVE(i);
    await createUser(api, {
      userName,
      name: { givenName: `Given ${userName}`, familyName: `Family ${userName}` },
      emails: [{ type: 'work', value: `${userName.toLowerCase()}@example.com` }],
      ...(active === undefined ? {} : { active }),
      [ENTERPRISE]: { department: `Dept ${i}`, employeeNumber: `E${i}` },
    });
  }
});
afterAll(async () => gw.close());

async function page(params: Record<string, string | number>) {
  const res = await api.list('/Users', params);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.schemas).toEqual([LIST_RESPONSE]);
  expect(res.body.itemsPerPage).toBe((res.body.Resources ?? []).length);
  return res.body as { totalResults: number; itemsPerPage: number; startIndex: number; Resources: Record<string, any>[] };
}

const userNames = (resources: readonly Record<string, any>[]): string[] => resources.map((r) => String(r['userName']));

/** The first user in userName order, with `params`: sorted by the server where the backend sorts, else picked by a filter. */
async function first(params: Record<string, string | number> = {}): Promise<Record<string, any>> {
  const pick: Record<string, string> = SORTS ? { sortBy: 'userName' } : { filter: `userName eq "${SORTED[0]}"` };
  return (await page({ ...params, ...pick, count: 1 })).Resources[0] as Record<string, any>;
}

const NO_SORT = 'the LDAP connector does not sort (sort.supported is false)';

describe('paging', () => {
  it('pages with count=5 at startIndex 1, 6 and 11, covering every user exactly once', async () => {
    const seen: string[] = [];
    for (const [startIndex, expected] of [
      [1, 5],
      [6, 5],
      [11, 2],
    ] as const) {
      const p = await page({ startIndex, count: 5 });
      expect(p.startIndex).toBe(startIndex);
      expect(p.totalResults).toBe(NAMES.length);
      expect(p.itemsPerPage).toBe(expected);
      seen.push(...userNames(p.Resources));
    }
    expect(seen).toHaveLength(NAMES.length);
    expect([...seen].sort()).toEqual([...NAMES].sort());
  });

  itOn(['json-file', 'fortios', 'panos', 'pfsense'], NO_SORT, 'pages through a sorted list without gaps or repeats', async () => {
    const a = await page({ sortBy: 'userName', startIndex: 1, count: 4 });
    const b = await page({ sortBy: 'userName', startIndex: 5, count: 4 });
    const c = await page({ sortBy: 'userName', startIndex: 9, count: 4 });
    expect([...userNames(a.Resources), ...userNames(b.Resources), ...userNames(c.Resources)]).toEqual(SORTED);
  });

  it('answers count=0 with totalResults only', async () => {
    const p = await page({ count: 0 });
    expect(p.totalResults).toBe(NAMES.length);
    expect(p.itemsPerPage).toBe(0);
    expect(p.Resources ?? []).toEqual([]);
  });

  it('treats a negative count as 0', async () => {
    const p = await page({ count: -4 });
    expect(p.totalResults).toBe(NAMES.length);
    expect(p.itemsPerPage).toBe(0);
  });

  it('answers a startIndex beyond the end with an empty page and the real totalResults', async () => {
    const p = await page({ startIndex: 13, count: 5 });
    expect(p.startIndex).toBe(13);
    expect(p.totalResults).toBe(NAMES.length);
    expect(p.Resources ?? []).toEqual([]);
  });

  it('clamps a count above maxPageSize, and applies it when count is absent', async () => {
    const p = await page({ count: 500 });
    expect(p.itemsPerPage).toBe(MAX_PAGE);
    expect(p.totalResults).toBe(NAMES.length);
    const q = await page({});
    expect(q.itemsPerPage).toBe(MAX_PAGE);
    const spc = await api.get('/ServiceProviderConfig');
    expect(spc.body.filter.maxResults).toBe(MAX_PAGE);
  });

  it('treats startIndex 0 and -3 as 1', async () => {
    const first = await page({ startIndex: 1, count: 3 });
    for (const startIndex of [0, -3]) {
      const p = await page({ startIndex, count: 3 });
      expect(p.startIndex).toBe(1);
      expect(userNames(p.Resources)).toEqual(userNames(first.Resources));
    }
  });

  it('answers 400 to a non-integer count or startIndex', async () => {
    const bad: Record<string, string>[] = [{ count: 'abc' }, { count: '1.5' }, { count: '5x' }, { startIndex: 'one' }, { startIndex: '2e3' }];
    for (const params of bad) {
      const res = await api.list('/Users', params);
      expectScimError(res, 400, 'invalidValue');
    }
  });

  it('reads paging parameter names case-insensitively', async () => {
    const res = await request(gw.server).get(`${BASE}/Users?startindex=11&COUNT=5`).set(AUTH);
    expect(res.status).toBe(200);
    expect(res.body.startIndex).toBe(11);
    expect(res.body.itemsPerPage).toBe(2);
  });
});

describe('sorting', () => {
  itOn(['json-file', 'fortios', 'panos', 'pfsense'], NO_SORT, 'sorts by userName ascending, case-insensitively, by default', async () => {
    expect(userNames((await page({ sortBy: 'userName' })).Resources)).toEqual(SORTED.slice(0, MAX_PAGE));
    expect(userNames((await page({ sortBy: 'userName', sortOrder: 'ascending', startIndex: 11 })).Resources)).toEqual(SORTED.slice(10));
  });

  itOn(['json-file', 'fortios', 'panos', 'pfsense'], NO_SORT, 'sorts by userName descending', async () => {
    const p = await page({ sortBy: 'UserName', sortOrder: 'descending', count: 12 });
    expect(userNames(p.Resources)).toEqual([...SORTED].reverse().slice(0, MAX_PAGE));
  });

  itOn(['json-file', 'fortios', 'panos', 'pfsense'], NO_SORT, 'sorts on a boolean: false before true ascending, true before false descending, absent last either way', async () => {
    // A firewall has no unset account state: a user created without active reads back active.
    const stored = NAMES.map((_, i) => ACTIVE(i) ?? (FIREWALL ? true : undefined));
    const expectedTrue = stored.filter((a) => a === true).length;
    const expectedFalse = stored.filter((a) => a === false).length;
    const actives = async (sortOrder: string): Promise<unknown[]> => {
      const a = await page({ sortBy: 'active', sortOrder, count: 6 });
      const b = await page({ sortBy: 'active', sortOrder, startIndex: 7, count: 6 });
      return [...a.Resources, ...b.Resources].map((r) => r['active']);
    };
    const none = NAMES.length - expectedTrue - expectedFalse;
    expect(await actives('ascending')).toEqual([...Array(expectedFalse).fill(false), ...Array(expectedTrue).fill(true), ...Array(none).fill(undefined)]);
    expect(await actives('descending')).toEqual([...Array(expectedTrue).fill(true), ...Array(expectedFalse).fill(false), ...Array(none).fill(undefined)]);
  });

  itOn('json-file', `${NO_SORT}; FortiOS stores neither name.givenName nor the enterprise extension`, 'sorts by a sub-attribute and by an extension attribute', async () => {
    const byGiven = await page({ sortBy: 'name.givenName', count: 3 });
    expect(userNames(byGiven.Resources)).toEqual(SORTED.slice(0, 3));
    const byEmp = await page({ sortBy: `${ENTERPRISE}:employeeNumber`, sortOrder: 'descending', count: 2 });
    // E0..E11 as strings: E9 > E8 > … > E11 > E10 > E1 > E0.
    expect(byEmp.Resources.map((r) => r[ENTERPRISE].employeeNumber)).toEqual(['E9', 'E8']);
  });

  it('answers 400 to an unknown sortOrder', async () => {
    expectScimError(await api.list('/Users', { sortBy: 'userName', sortOrder: 'sideways' }), 400, 'invalidValue');
  });
});

describe('projection', () => {
  it('returns only id, schemas and userName with attributes=userName, in lists and on GET by id', async () => {
    const p = await page({ attributes: 'userName', count: 3 });
    for (const r of p.Resources) expect(Object.keys(r).sort()).toEqual(['id', 'schemas', 'userName']);
    const id = String(p.Resources[0]?.['id']);
    const one = await api.get(`/Users/${id}?attributes=userName`);
    expect(one.status).toBe(200);
    expect(Object.keys(one.body).sort()).toEqual(['id', 'schemas', 'userName']);
  });

  itStores('name.givenName', 'returns only the named sub-attribute with attributes=name.givenName', async () => {
    const r = await first({ attributes: 'name.givenName' });
    expect(Object.keys(r).sort()).toEqual(['id', 'name', 'schemas']);
    expect(r['name']).toEqual({ givenName: `Given ${SORTED[0]}` });
  });

  itStores('emails[type eq "work"].value', 'combines several names and resolves them case-insensitively', async () => {
    const r = await first({ attributes: 'USERNAME,Emails' });
    expect(Object.keys(r).sort()).toEqual(['emails', 'id', 'schemas', 'userName']);
    expect(r['emails']).toEqual([{ type: 'work', value: `${String(SORTED[0]).toLowerCase()}@example.com` }]);
  });

  itStores('emails[type eq "work"].value', 'removes emails and keeps everything else with excludedAttributes=emails', async () => {
    const full = await first();
    const r = await first({ excludedAttributes: 'emails' });
    expect(r['emails']).toBeUndefined();
    const { emails, ...rest } = full;
    expect(emails).toBeDefined();
    expect(r).toEqual(rest);
  });

  it('always returns id and schemas, even when excluded', async () => {
    const r = (await page({ excludedAttributes: 'id,schemas,userName', count: 1 })).Resources[0] as Record<string, any>;
    expect(typeof r['id']).toBe('string');
    expect(r['schemas']).toContain(USER_SCHEMA);
    expect(r['userName']).toBeUndefined();
  });

  itStores(`${ENTERPRISE}:department`, 'selects one enterprise attribute by its URN-qualified name', async () => {
    const r = await first({ attributes: `${ENTERPRISE}:department` });
    const i = NAMES.indexOf(String(SORTED[0]));
    expect(r[ENTERPRISE]).toEqual({ department: `Dept ${i}` });
    expect(r['userName']).toBeUndefined();
    expect(r['name']).toBeUndefined();
  });

  itStores([`${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`], 'selects the whole enterprise extension by its URN', async () => {
    const r = await first({ attributes: ENTERPRISE });
    const i = NAMES.indexOf(String(SORTED[0]));
    expect(r[ENTERPRISE]).toEqual({ department: `Dept ${i}`, employeeNumber: `E${i}` });
    expect(r['userName']).toBeUndefined();
  });

  itStores([`${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`], 'excludes one enterprise attribute by its URN-qualified name and keeps the others', async () => {
    const r = await first({ excludedAttributes: `${ENTERPRISE}:department` });
    const i = NAMES.indexOf(String(SORTED[0]));
    expect(r[ENTERPRISE]).toEqual({ employeeNumber: `E${i}` });
    expect(r['userName']).toBe(SORTED[0]);
  });
});

describe('repeated query parameters', () => {
  it('answers 400 when a list parameter is given more than once', async () => {
    for (const qs of ['count=1&count=2', 'startIndex=1&startIndex=2', 'filter=userName+eq+"mike"&filter=userName+eq+"zulu"', 'attributes=userName&attributes=emails', 'sortBy=userName&SORTBY=active']) {
      const res = await request(gw.server).get(`${BASE}/Users?${qs}`).set(AUTH);
      expect(res.status, qs).toBe(400);
      expectScimError(res, 400, 'invalidValue');
    }
  });

  it('answers 400 when attributes is repeated on GET by id', async () => {
    const id = String((await page({ count: 1 })).Resources[0]?.['id']);
    const res = await request(gw.server).get(`${BASE}/Users/${id}?attributes=userName&attributes=emails`).set(AUTH);
    expectScimError(res, 400);
  });
});
