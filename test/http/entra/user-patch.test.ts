/**
 * Entra's user PATCH requests (checklist D1–D11): op names in any case, string booleans, value-path filters
 * that update in place or create the element, enterprise URN paths, path-less ops with attribute-path keys,
 * Add on single-valued attributes, the manager in both shapes, ordered atomic multi-op requests, renames,
 * and disable / re-enable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStoredAttr, fitName, itStores } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import { createUser, entra, ENTERPRISE, expectScimError, expectScimJson, patchOp, testUserName, USER_SCHEMA, type EntraClient, type Json } from './entra-client.js';

describe('Entra updating users with PATCH', () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  const newUser = async (overrides: Json = {}): Promise<string> => String((await createUser(c, overrides))['id']);
  const patch = async (id: string, ...ops: Json[]) => {
    const res = await c.patch(`/Users/${id}`, patchOp(...ops));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectScimJson(res);
    return res.body as Json;
  };
  const read = async (id: string): Promise<Json> => (await c.get(`/Users/${id}`)).body as Json;

  itStores('title', "Entra's op names are accepted in any case: Add, add, ADD, Replace, replace, Remove, remove", async () => {
    const id = await newUser();
    expect((await patch(id, { op: 'Add', path: 'title', value: 't1' }))['title']).toBe('t1');
    expect((await patch(id, { op: 'add', path: 'title', value: 't2' }))['title']).toBe('t2');
    expect((await patch(id, { op: 'ADD', path: 'title', value: 't3' }))['title']).toBe('t3');
    expect((await patch(id, { op: 'Replace', path: 'title', value: 't4' }))['title']).toBe('t4');
    expect((await patch(id, { op: 'replace', path: 'title', value: 't5' }))['title']).toBe('t5');
    expect(await patch(id, { op: 'Remove', path: 'title' })).not.toHaveProperty('title');
    await patch(id, { op: 'Add', path: 'title', value: 't6' });
    expect(await patch(id, { op: 'remove', path: 'title' })).not.toHaveProperty('title');
  });

  for (const [sent, stored] of [
    ['False', false],
    ['True', true],
    ['false', false],
    ['true', true],
  ] as const) {
    it(`Entra's PATCH of active with the string "${sent}" stores and answers the JSON boolean ${String(stored)}`, async () => {
      const id = await newUser({ active: !stored });
      expect((await patch(id, { op: 'Replace', path: 'active', value: sent }))['active']).toBe(stored);
      expect((await read(id))['active']).toBe(stored);
    });
  }

  it("Entra's PATCH of emails[type eq \"work\"].value updates the work email in place, keeping primary and the other email", async () => {
    const id = await newUser({
      emails: [
        { primary: true, type: 'work', value: 'old@testuser.com' },
        { type: 'other', value: 'other@testuser.com' },
      ],
    });
    const body = await patch(id, { op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@testuser.com' });
    expect(body['emails']).toEqual(
      asStoredAttr('emails', [
        { primary: true, type: 'work', value: 'new@testuser.com' },
        { type: 'other', value: 'other@testuser.com' },
      ]),
    );
  });

  itStores(['addresses[type eq "work"].formatted', 'addresses[type eq "work"].locality'], "Entra's value-path PATCH creates the element when the user has none of that type (phone, address, other email)", async () => {
    const id = await newUser({ emails: [{ primary: true, type: 'work', value: 'w@testuser.com' }] });
    await patch(
      id,
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      { op: 'Add', path: 'addresses[type eq "work"].formatted', value: '1 Main St, Springfield' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Springfield' },
      { op: 'Add', path: 'emails[type eq "other"].value', value: 'o@testuser.com' },
    );
    const user = await read(id);
    expect(user['phoneNumbers']).toEqual([{ type: 'mobile', value: '+1 555 0100' }]);
    expect(user['addresses']).toEqual([{ type: 'work', formatted: '1 Main St, Springfield', locality: 'Springfield' }]);
    expect(user['emails']).toEqual(
      asStoredAttr('emails', [
        { primary: true, type: 'work', value: 'w@testuser.com' },
        { type: 'other', value: 'o@testuser.com' },
      ]),
    );
  });

  itStores('phoneNumbers[type eq "work"].value', 'value-path and whole-element Adds keep at most one element per type', async () => {
    const id = await newUser({ phoneNumbers: [{ type: 'work', value: '1' }] });
    await patch(id, { op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '2' });
    await patch(id, { op: 'Add', path: 'phoneNumbers', value: [{ type: 'work', value: '3' }] });
    await patch(id, { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '4' });
    expect((await read(id))['phoneNumbers']).toEqual([{ type: 'work', value: '4' }]);
  });

  it("Entra's PATCH with the value-path type in another case (type eq \"Work\") updates the same element", async () => {
    const id = await newUser({ emails: [{ primary: true, type: 'work', value: 'a@testuser.com' }] });
    await patch(id, { op: 'Replace', path: 'emails[type eq "Work"].value', value: 'b@testuser.com' });
    expect((await read(id))['emails']).toEqual(asStoredAttr('emails', [{ primary: true, type: 'work', value: 'b@testuser.com' }]));
  });

  it("Entra's Remove of emails[type eq \"work\"].value removes the whole work email, leaving no value-less {type, primary} behind", async () => {
    const id = await newUser({
      emails: [
        { primary: true, type: 'work', value: 'w@testuser.com' },
        { type: 'other', value: 'o@testuser.com' },
      ],
    });
    const body = await patch(id, { op: 'Remove', path: 'emails[type eq "work"].value' });
    expect(body['emails']).toEqual(asStoredAttr('emails', [{ type: 'other', value: 'o@testuser.com' }]));
    expect((await read(id))['emails']).toEqual(asStoredAttr('emails', [{ type: 'other', value: 'o@testuser.com' }]));
  });

  itStores(['addresses[type eq "work"].locality', 'addresses[type eq "work"].postalCode'], "Entra's Remove of one address sub-attribute keeps the rest of that address", async () => {
    const id = await newUser({ addresses: [{ type: 'work', locality: 'Springfield', postalCode: '12345' }] });
    const body = await patch(id, { op: 'Remove', path: 'addresses[type eq "work"].postalCode' });
    expect(body['addresses']).toEqual([{ type: 'work', locality: 'Springfield' }]);
  });

  itStores(`${ENTERPRISE}:department`, "Entra's PATCH with enterprise URN paths sets the extension attributes and adds the extension schema", async () => {
    const id = await newUser();
    const body = await patch(
      id,
      { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Sales' },
      { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: '12345' },
      { op: 'Add', path: `${ENTERPRISE}:costCenter`, value: 'CC-9' },
    );
    expect(body[ENTERPRISE]).toEqual(asStoredAttr(ENTERPRISE, { department: 'Sales', employeeNumber: '12345', costCenter: 'CC-9' }));
    expect(body['schemas']).toEqual([USER_SCHEMA, ENTERPRISE]);
    const removed = await patch(id, { op: 'Remove', path: `${ENTERPRISE}:department` });
    expect(removed[ENTERPRISE]).toEqual(asStoredAttr(ENTERPRISE, { employeeNumber: '12345', costCenter: 'CC-9' }));
  });

  itStores(['name.givenName', 'name.familyName', 'title', `${ENTERPRISE}:employeeNumber`], "Entra's path-less Add with dotted and URN-qualified keys sets sub-attributes, not literal dotted keys", async () => {
    const id = await newUser();
    const body = await patch(id, {
      op: 'Add',
      value: { 'name.givenName': 'Barbara', 'name.familyName': 'Jensen', title: 'Tour Guide', [`${ENTERPRISE}:employeeNumber`]: '701984' },
    });
    expect(body['name']).toEqual({ formatted: 'givenName familyName', givenName: 'Barbara', familyName: 'Jensen' });
    expect(body['title']).toBe('Tour Guide');
    expect(body[ENTERPRISE]).toEqual({ employeeNumber: '701984' });
    expect(body).not.toHaveProperty(['name.givenName']);
  });

  itStores(['displayName', `${ENTERPRISE}:department`, `${ENTERPRISE}:division`], "Entra's path-less Replace (aadOptscim062020) with a whole enterprise object keyed by its URN sets its attributes", async () => {
    const id = await newUser();
    const body = await patch(id, { op: 'replace', value: { displayName: 'Babs Jensen', [ENTERPRISE]: { department: 'Tour Operations', division: 'EMEA' } } });
    expect(body['displayName']).toBe('Babs Jensen');
    expect(body[ENTERPRISE]).toEqual({ department: 'Tour Operations', division: 'EMEA' });
  });

  it("Entra's path-less Replace with active \"False\" as a key disables the user", async () => {
    const id = await newUser();
    expect((await patch(id, { op: 'Replace', value: { active: 'False' } }))['active']).toBe(false);
  });

  itStores('title', "Entra's Add on a single-valued attribute replaces the old value", async () => {
    const id = await newUser({ nickName: 'Babs', title: 'Guide' });
    const body = await patch(id, { op: 'Add', path: 'nickName', value: 'Barbie' }, { op: 'add', path: 'title', value: 'Senior Guide' });
    expect(body['nickName']).toBe(asStoredAttr('nickName', 'Barbie'));
    expect(body['title']).toBe('Senior Guide');
  });

  itStores(`${ENTERPRISE}:manager`, "Entra's manager PATCH with path \"manager\" and value [{$ref, value}] sets manager.value", async () => {
    const managerId = await newUser();
    const id = await newUser();
    const body = await patch(id, { op: 'Add', path: 'manager', value: [{ $ref: `http://entra.invalid/scim/Users/${managerId}`, value: managerId }] });
    expect(body[ENTERPRISE]).toEqual({ manager: { value: managerId } });
  });

  itStores(`${ENTERPRISE}:manager`, "Entra's manager PATCH with path urn:…:User:manager and a plain string value sets manager.value", async () => {
    const managerId = await newUser();
    const id = await newUser();
    const body = await patch(id, { op: 'Replace', path: `${ENTERPRISE}:manager`, value: managerId });
    expect(body[ENTERPRISE]).toEqual({ manager: { value: managerId } });
    expect((await read(id))[ENTERPRISE]).toEqual({ manager: { value: managerId } });
    // And Entra clears it with Remove.
    const cleared = await patch(id, { op: 'Remove', path: `${ENTERPRISE}:manager` });
    expect(cleared).not.toHaveProperty([ENTERPRISE]);
    expect(cleared['schemas']).toEqual([USER_SCHEMA]);
  });

  itStores(`${ENTERPRISE}:manager`, "Entra's manager PATCH with {value} as an object and path manager.value both work", async () => {
    const managerId = await newUser();
    const id = await newUser();
    expect((await patch(id, { op: 'Replace', path: `${ENTERPRISE}:manager`, value: { value: managerId } }))[ENTERPRISE]).toEqual({ manager: { value: managerId } });
    const other = await newUser();
    expect((await patch(id, { op: 'Replace', path: `${ENTERPRISE}:manager.value`, value: other }))[ENTERPRISE]).toEqual({ manager: { value: other } });
  });

  itStores(['displayName', 'title'], 'several operations in one PATCH apply in order: the last write to an attribute wins', async () => {
    const id = await newUser();
    const body = await patch(
      id,
      { op: 'Replace', path: 'displayName', value: 'first' },
      { op: 'Replace', path: 'displayName', value: 'second' },
      { op: 'Add', path: 'title', value: 'temporary' },
      { op: 'Remove', path: 'title' },
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Replace', path: 'active', value: 'True' },
    );
    expect(body['displayName']).toBe('second');
    expect(body).not.toHaveProperty('title');
    expect(body['active']).toBe(true);
  });

  itStores(['displayName', 'title'], 'a PATCH whose later operation fails changes nothing (atomic) and answers a 400 SCIM error naming the bad attribute', async () => {
    const id = await newUser({ displayName: 'before', title: 'kept' });
    const version = (await read(id))['meta'] as Json;
    const res = await c.patch(
      `/Users/${id}`,
      patchOp({ op: 'Replace', path: 'displayName', value: 'after' }, { op: 'Remove', path: 'title' }, { op: 'Replace', path: 'active', value: 'maybe' }),
    );
    const err = expectScimError(res, 400, 'invalidValue');
    expect(err['detail']).toContain('active');
    const after = await read(id);
    expect(after['displayName']).toBe('before');
    expect(after['title']).toBe('kept');
    expect((after['meta'] as Json)['version']).toBe(version['version']);
  });

  itStores('displayName', 'a PATCH on an unknown attribute is a 400 invalidPath and changes nothing', async () => {
    const id = await newUser({ displayName: 'before' });
    const res = await c.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'displayName', value: 'after' }, { op: 'Replace', path: 'shoeSize', value: '42' }));
    expectScimError(res, 400, 'invalidPath');
    expect((await read(id))['displayName']).toBe('before');
  });

  it("Entra's userName rename keeps the id, and the user is found under the new name only", async () => {
    const oldName = testUserName();
    const id = await newUser({ userName: oldName });
    const newName = fitName('user', `${testUserName()}@testuser.com`);
    const body = await patch(id, { op: 'Replace', path: 'userName', value: newName });
    expect(body['id']).toBe(id);
    expect(body['userName']).toBe(newName);
    expect((await c.get(`/Users?filter=userName eq "${newName}"`)).body.Resources.map((r: Json) => r['id'])).toEqual([id]);
    expect((await c.get(`/Users?filter=userName eq "${oldName}"`)).body.totalResults).toBe(0);
    // The old name is free again.
    expect((await c.post('/Users', { userName: oldName })).status).toBe(201);
  });

  it("Entra's rename onto another user's userName is a 409 uniqueness error and changes nothing", async () => {
    const taken = testUserName();
    await newUser({ userName: taken });
    const name = testUserName();
    const id = await newUser({ userName: name });
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'userName', value: taken.toLowerCase() })), 409, 'uniqueness');
    expect((await read(id))['userName']).toBe(name);
  });

  it("Entra's disable (active=false) keeps the user readable with all its attributes, and re-enable restores it", async () => {
    const id = await newUser({ title: 'Guide', [ENTERPRISE]: { department: 'Sales' } });
    const before = await read(id);
    expect((await patch(id, { op: 'Replace', path: 'active', value: false }))['active']).toBe(false);
    const disabled = await read(id);
    expect(disabled['active']).toBe(false);
    const { active: _a, meta: _m, ...rest } = before;
    expect(disabled).toMatchObject(rest);
    expect((await patch(id, { op: 'Replace', path: 'active', value: 'True' }))['active']).toBe(true);
    const enabled = await read(id);
    expect(enabled['active']).toBe(true);
    expect(enabled).toMatchObject(rest);
  });

  it("an empty Operations array is a no-op answered with 200 and the unchanged user", async () => {
    const id = await newUser();
    const before = await read(id);
    const body = await patch(id);
    expect(body).toEqual(before);
  });

  it('a PATCH on a user that does not exist is a 404 SCIM error', async () => {
    expectScimError(await c.patch('/Users/00000000-0000-4000-8000-000000000000', patchOp({ op: 'Replace', path: 'active', value: false })), 404);
  });
});
