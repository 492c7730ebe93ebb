/**
 * Filters through GET /Users?filter=… (RFC 7644 §3.4.2.2), on a fixed data set so every assertion names
 * the exact users a filter must return. Hostile filters (failure mode 3 of the reliability notes) must be
 * 400 invalidFilter, quickly, never 500, and leave the server answering.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, fitName, itStores, msToNextTimestamp, stores } from '../support/backend.js';
import { AUTH, BASE, startTestGateway, type TestGateway } from '../support/build-app.js';
import { createGroup, createUser, ENTERPRISE, expectScimError, LIST_RESPONSE, scimClient, type ScimClient } from '../support/scim-client.js';

let gw: TestGateway;
let api: ScimClient;
const ids: Record<string, string> = {};

const work = (value: string) => ({ type: 'work', value });
/** A userName with a backslash, as Entra sends down-level logon names; without it where refused (pfSense: fitName). */
const EVE = fitName('user', 'CONTOSO\\eve');

beforeAll(async () => {
  gw = await startTestGateway();
  api = scimClient(gw.server);
  const seed: Record<string, unknown>[] = [
    { userName: 'alice', displayName: 'Alice Anders', title: 'Engineer', externalId: 'EXT-A', active: true, emails: [work('alice@x.example'), { type: 'home', value: 'alice@home.example' }], [ENTERPRISE]: { department: 'Sales' } },
    { userName: 'bob', displayName: 'Bob Brown', title: 'Manager', externalId: 'EXT-B', active: false, emails: [work('bob@y.example')], [ENTERPRISE]: { department: 'R&D' } },
    { userName: 'carol', displayName: 'Tom Jones', title: 'Engineer', active: true, emails: [work('carol@x.example')], [ENTERPRISE]: { department: 'Sales' } },
    { userName: 'dave', displayName: "O'Brien", active: true },
    { userName: EVE, displayName: 'Eve Backslash', title: 'Director' },
    { userName: 'frank', displayName: 'Frank', title: 'Intern', active: false, emails: [work('frank@z.example')] },
    { userName: 'grace', displayName: 'Say "Hi"', title: 'Engineer' },
  ];
  for (const u of seed) ids[String(u['userName'])] = String((await createUser(api, u))['id']);
});
afterAll(async () => gw.close());

/** userNames matched by `filter`, sorted; asserts a 200 ListResponse whose counts agree. */
async function names(filter: string): Promise<string[]> {
  const res = await api.list('/Users', { filter });
  expect(res.status, `${filter} → ${JSON.stringify(res.body)}`).toBe(200);
  expect(res.body.schemas).toEqual([LIST_RESPONSE]);
  expect(res.body.totalResults).toBe(res.body.Resources.length);
  return (res.body.Resources as { userName: string }[]).map((r) => r.userName).sort();
}

describe('comparison operators', () => {
  it('eq matches the one user with that userName', async () => {
    expect(await names('userName eq "bob"')).toEqual(['bob']);
  });

  itStores('title', 'ne matches every user whose attribute differs, including users without it', async () => {
    expect(await names('title ne "Engineer"')).toEqual([EVE, 'bob', 'dave', 'frank']);
  });

  itStores('displayName', 'co matches a substring, case-insensitively for a caseExact=false attribute', async () => {
    expect(await names('displayName co "own"')).toEqual(['bob']);
    expect(await names('displayName co "BROWN"')).toEqual(['bob']);
  });

  it('sw matches a prefix', async () => {
    expect(await names('userName sw "c"')).toEqual([EVE, 'carol']);
  });

  itStores('displayName', 'ew matches a suffix', async () => {
    expect(await names('displayName ew "S"')).toEqual(['alice', 'carol']);
  });

  it('gt, ge, lt and le order strings case-insensitively', async () => {
    expect(await names('userName gt "dave"')).toEqual(['frank', 'grace']);
    expect(await names('userName ge "dave"')).toEqual(['dave', 'frank', 'grace']);
    expect(await names('userName lt "bob"')).toEqual(['alice']);
    expect(await names('userName le "BOB"')).toEqual(['alice', 'bob']);
    expect(await names('userName gt "contoso"')).toEqual([EVE, 'dave', 'frank', 'grace']);
  });

  itStores('title', 'pr matches users that have the attribute', async () => {
    expect(await names('title pr')).toEqual([EVE, 'alice', 'bob', 'carol', 'frank', 'grace']);
    expect(await names('emails pr')).toEqual(['alice', 'bob', 'carol', 'frank']);
  });

  it('compares booleans with eq true / eq false', async () => {
    expect(await names('active eq false')).toEqual(['bob', 'frank']);
    // LDAP stores active as the absence of a ppolicy lock, the firewalls as an account status or disabled
    // flag: a user created without active reads back active.
    const createdWithoutActive = BACKEND !== 'json-file' ? [EVE, 'grace'] : [];
    expect(await names('active eq true')).toEqual(['alice', 'carol', 'dave', ...createdWithoutActive].sort());
  });

  it('rejects ordering or substring operators on a boolean with 400 invalidFilter', async () => {
    expectScimError(await api.list('/Users', { filter: 'active gt true' }), 400, 'invalidFilter');
    expectScimError(await api.list('/Users', { filter: 'active eq "maybe"' }), 400, 'invalidFilter');
  });
});

describe('logical operators', () => {
  itStores(['title', `${ENTERPRISE}:department`], 'and requires both terms', async () => {
    expect(await names(`title eq "Engineer" and ${ENTERPRISE}:department eq "Sales"`)).toEqual(['alice', 'carol']);
  });

  it('or accepts either term', async () => {
    expect(await names('userName eq "alice" or userName eq "frank"')).toEqual(['alice', 'frank']);
  });

  itStores('title', 'not (…) negates its group', async () => {
    expect(await names('not (title pr)')).toEqual(['dave']);
    expect(await names('title pr and not (title eq "Engineer")')).toEqual([EVE, 'bob', 'frank']);
  });

  it('parentheses override precedence', async () => {
    expect(await names('(userName eq "bob" or userName eq "alice") and active eq true')).toEqual(['alice']);
  });

  it('and binds tighter than or, on either side', async () => {
    // bob or (alice and active): left-to-right evaluation would give only alice.
    expect(await names('userName eq "bob" or userName eq "alice" and active eq true')).toEqual(['alice', 'bob']);
    // (inactive and bob) or alice: right-to-left evaluation would give only bob.
    expect(await names('active eq false and userName eq "bob" or userName eq "alice"')).toEqual(['alice', 'bob']);
  });
});

describe('attribute paths', () => {
  itStores('emails[type eq "work"].value', 'filters inside a value path on one typed element', async () => {
    expect(await names('emails[type eq "work" and value co "@x"]')).toEqual(['alice', 'carol']);
    expect(await names('emails[type eq "home" and value co "@x"]')).toEqual([]);
  });

  itStores('emails[type eq "work"].value', "accepts Entra's emails[type eq \"work\"].value eq \"…\" form", async () => {
    expect(await names('emails[type eq "work"].value eq "bob@y.example"')).toEqual(['bob']);
    expect(await names('emails[type eq "work"].value eq "alice@home.example"')).toEqual([]);
  });

  itStores('emails[type eq "home"].value', 'matches a value path on the element type only for users that have such an element', async () => {
    expect(await names('emails[type eq "home"]')).toEqual(['alice']);
  });

  itStores('emails[type eq "work"].value', 'matches a value path with ne only on users that have an element of that type', async () => {
    expect(await names('emails[type eq "work" and value ne "bob@y.example"]')).toEqual(['alice', 'carol', 'frank']);
  });

  itStores('emails[type eq "home"].value', 'matches emails.value across every stored email type', async () => {
    expect(await names('emails.value eq "alice@home.example"')).toEqual(['alice']);
  });

  itStores(`${ENTERPRISE}:department`, 'resolves URN-qualified extension attribute names', async () => {
    expect(await names(`${ENTERPRISE}:department eq "R&D"`)).toEqual(['bob']);
    expect(await names(`${ENTERPRISE.toUpperCase()}:DEPARTMENT eq "sales"`)).toEqual(['alice', 'carol']);
  });

  itStores(['displayName', 'title'], 'treats attribute names and operators case-insensitively', async () => {
    expect(await names('USERNAME EQ "bob"')).toEqual(['bob']);
    expect(await names('DisplayName Co "brown"')).toEqual(['bob']);
    expect(await names('userName eq "alice" OR userName eq "bob" AND Active Eq False')).toEqual(['alice', 'bob']);
    expect(await names('NOT (Title PR)')).toEqual(['dave']);
  });

  it('matches userName, displayName and externalId values case-insensitively', async () => {
    expect(await names('userName eq "ALICE"')).toEqual(['alice']);
    if (stores('displayName')) expect(await names('displayName eq "tom jones"')).toEqual(['carol']);
    expect(await names('externalId eq "ext-b"')).toEqual(['bob']);
  });

  it('matches id exactly', async () => {
    expect(await names(`id eq "${ids['bob']}"`)).toEqual(['bob']);
    // entryUUID's matching rule ignores case; SCIM ids are caseExact (RFC 7643 §3.1).
    expect(await names(`id eq "${String(ids['bob']).toUpperCase()}"`)).toEqual([]);
  });

  itStores('displayName', 'compares meta.lastModified as a dateTime', async () => {
    await new Promise((r) => setTimeout(r, 10));
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 10 + msToNextTimestamp()));
    const res = await api.patchOps(`/Users/${ids['frank']}`, [{ op: 'replace', path: 'displayName', value: 'Frankie' }]);
    expect(res.status).toBe(200);
    expect(await names(`meta.lastModified gt "${before}"`)).toEqual(['frank']);
    expect(await names(`meta.lastModified lt "${before}"`)).toEqual([EVE, 'alice', 'bob', 'carol', 'dave', 'grace']);
  });
});

describe('query-string and string-literal decoding', () => {
  itStores('displayName', 'decodes "+" in the raw query string as a space', async () => {
    const res = await request(gw.server).get(`${BASE}/Users?filter=displayName+eq+"Tom+Jones"`).set(AUTH);
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['carol']);
  });

  it('decodes %22 quotes and reads parameters in any order', async () => {
    const res = await request(gw.server).get(`${BASE}/Users?count=10&filter=userName%20eq%20%22dave%22&startIndex=1`).set(AUTH);
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['dave']);
  });

  it('decodes JSON escapes in string literals: \\u0027, \\\\ and \\"', async () => {
    // pfSense refuses "\\" in user names (EVE is CONTOSOeve there): the escaped backslash then matches no one.
    expect(await names('userName eq "contoso\\\\eve"')).toEqual(EVE === 'CONTOSO\\eve' ? [EVE] : []);
    if (!stores('displayName')) return;
    expect(await names('displayName eq "O\\u0027Brien"')).toEqual(['dave']);
    expect(await names('displayName eq "Say \\"Hi\\""')).toEqual(['grace']);
  });

  itStores('title', 'answers the same through POST /.search as through GET', async () => {
    const res = await api.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'title eq "Engineer"', sortBy: 'userName' });
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['alice', 'carol', 'grace']);
  });
});

describe('rejected filters', () => {
  it('answers 400 invalidFilter naming an attribute the endpoint knows but does not store', async () => {
    const res = await api.list('/Users', { filter: 'ims.value eq "x"' });
    expectScimError(res, 400, 'invalidFilter');
    expect(res.body.detail).toContain('ims.value');
  });

  it('answers 400 invalidFilter naming an unknown attribute', async () => {
    const res = await api.list('/Users', { filter: 'favouriteColour eq "blue"' });
    expectScimError(res, 400, 'invalidFilter');
    expect(res.body.detail).toContain('favouriteColour');
  });

  it('answers 400 invalidFilter to syntax errors', async () => {
    for (const filter of ['userName eq', 'userName xx "a"', 'userName eq "a" and', '(userName eq "a"', 'userName eq "a")', 'eq "a"', 'userName pr "a"', 'not userName eq "a"']) {
      expectScimError(await api.list('/Users', { filter }), 400, 'invalidFilter');
    }
  });

  it('answers 400 invalidFilter to an unterminated string', async () => {
    expectScimError(await api.list('/Users', { filter: 'userName eq "alice' }), 400, 'invalidFilter');
    expectScimError(await api.list('/Users', { filter: 'userName eq "alice\\"' }), 400, 'invalidFilter');
  });

  it('answers 400 invalidFilter to a filter longer than the limit, quickly', async () => {
    const started = performance.now();
    const res = await api.list('/Users', { filter: `userName eq "${'a'.repeat(5000)}"` });
    expectScimError(res, 400, 'invalidFilter');
    expect(res.body.detail.length).toBeLessThan(300);
    const big = await api.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `userName eq "${'b'.repeat(500_000)}"` });
    expectScimError(big, 400, 'invalidFilter');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('answers 400 invalidFilter to 40 nested parentheses', async () => {
    const filter = `${'('.repeat(40)}userName eq "alice"${')'.repeat(40)}`;
    expectScimError(await api.list('/Users', { filter }), 400, 'invalidFilter');
  });

  it('answers 400 invalidFilter to 200 or-clauses', async () => {
    const filter = Array.from({ length: 200 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expectScimError(await api.list('/Users', { filter }), 400, 'invalidFilter');
  });

  it('never answers 5xx to hostile filters, and keeps answering afterwards', async () => {
    const hostile = [
      '"',
      '\\',
      '[[[[',
      ']]]]',
      `${'not ('.repeat(100)}title pr${')'.repeat(100)}`,
      `emails[${'('.repeat(60)}type eq "work"${')'.repeat(60)}]`,
      'emails[type eq "work"][type eq "home"]',
      'emails[emails[type eq "work"]]',
      'userName eq "\\u12"',
      'userName eq "\\x41"',
      'userName eq 1e999999',
      'userName eq "a\u0000b"',
      '__proto__ eq "x"',
      'constructor.prototype eq "x"',
      'urn: eq "x"',
      `${'a'.repeat(4000)} eq "x"`,
      Array.from({ length: 5000 }, () => 'title pr').join(' and '),
    ];
    for (const filter of hostile) {
      const res = await api.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter });
      expect(res.status, `${filter.slice(0, 60)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toBe(400);
      expectScimError(res, 400);
    }
    expect(await names('userName eq "alice"')).toEqual(['alice']);
  });
});

describe('filters that match nothing', () => {
  it('answers 200 with totalResults 0 and an empty Resources array on /Users and /Groups', async () => {
    await createGroup(api, { displayName: fitName('group', 'Some Group') });
    const guid = '5f0c8a2e-6a1b-4c4e-9d51-0b7f5e7a4c11';
    for (const [path, kind] of [['/Users', 'user'], ['/Groups', 'group']] as const) {
      const res = await api.list(path, { filter: `externalId eq "${guid}"` });
      if (!stores('externalId', kind)) {
        // The LDAP profile stores no group externalId, so it is not advertised and cannot be filtered on.
        expectScimError(res, 400, 'invalidFilter');
        continue;
      }
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
    }
    const byName = await api.list('/Groups', { filter: `displayName eq "${guid}"` });
    expect(byName.body.totalResults).toBe(0);
  });
});
