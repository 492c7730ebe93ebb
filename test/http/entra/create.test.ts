/**
 * What Entra puts in a POST (checklist C1–C6): extra keys the gateway must tolerate, string booleans, the
 * manager as a bare id, conflicts on userName / group displayName, and groups created without members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStored, fitName, itStores } from '../../support/backend.js';
import { AUTH, BASE, startTestGateway, type TestGateway } from '../../support/build-app.js';
import request from 'supertest';
import {
  ADSCIM_GROUP,
  createUser,
  entra,
  ENTERPRISE,
  entraGroup,
  entraUser,
  expectMeta,
  expectScimError,
  expectScimJson,
  GROUP_SCHEMA,
  testUserName,
  USER_SCHEMA,
  type EntraClient,
} from './entra-client.js';

describe('Entra creating users', () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  it("Entra's create answers 201 with a non-empty id, meta, and every value echoed exactly as sent", async () => {
    // "A phone number sent as 55555555555 shouldn't be saved/returned as +5 (555) 555-5555."
    const body = entraUser({
      displayName: '  Joy  Young ',
      phoneNumbers: [{ type: 'work', value: '55555555555' }],
      emails: [{ primary: true, type: 'work', value: 'Joy.Young@Contoso.COM' }],
      preferredLanguage: 'en-US',
    });
    const res = await c.post('/Users', body);
    expect(res.status).toBe(201);
    expectScimJson(res);
    expectMeta(res.body, 'User');
    expect(res.body).toMatchObject(
      asStored({
        userName: body['userName'],
        externalId: body['externalId'],
        displayName: '  Joy  Young ',
        phoneNumbers: [{ type: 'work', value: '55555555555' }],
        emails: [{ primary: true, type: 'work', value: 'Joy.Young@Contoso.COM' }],
        preferredLanguage: 'en-US',
      }),
    );
  });

  it("Entra's create with meta.resourceType and roles: [] is accepted; neither is stored", async () => {
    const res = await c.post('/Users', entraUser({ meta: { resourceType: 'User' }, roles: [] }));
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('roles');
    expect(res.body.meta.resourceType).toBe('User');
  });

  it("Entra's create with explicit null attributes treats them as absent", async () => {
    const res = await c.post(
      '/Users',
      entraUser({ addresses: null, phoneNumbers: null, title: null, preferredLanguage: null, nickName: null, [ENTERPRISE]: { department: null, manager: null } }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    for (const k of ['addresses', 'phoneNumbers', 'title', 'preferredLanguage', 'nickName', ENTERPRISE]) expect(res.body).not.toHaveProperty([k]);
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
  });

  it("Entra's create listing the enterprise URN in schemas without enterprise attributes answers with the core schema only", async () => {
    const res = await c.post('/Users', entraUser({ schemas: [USER_SCHEMA, ENTERPRISE] }));
    expect(res.status).toBe(201);
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
    expect(res.body).not.toHaveProperty([ENTERPRISE]);
  });

  it("Entra's create listing unknown schema URNs (and carrying an unknown extension object) is accepted and the unknown parts ignored", async () => {
    const custom = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
    const res = await c.post('/Users', entraUser({ schemas: [USER_SCHEMA, ENTERPRISE, custom, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'], [custom]: { tag: '701984' } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).not.toHaveProperty([custom]);
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
  });

  it("Entra's create with Content-Type: application/scim+json; charset=utf-8 is accepted (and plain application/json too)", async () => {
    for (const type of ['application/scim+json; charset=utf-8', 'application/json', 'application/scim+json;charset=UTF-8']) {
      const res = await request(gw.server).post(`${BASE}/Users`).set(AUTH).set('Content-Type', type).send(JSON.stringify(entraUser()));
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(201);
    }
  });

  it('a create body that is not JSON at all (text/plain) is a 400 SCIM error, not a 500', async () => {
    const res = await request(gw.server).post(`${BASE}/Users`).set(AUTH).set('Content-Type', 'text/plain').send('userName=x');
    expectScimError(res, 400);
  });

  for (const [sent, stored] of [
    ['True', true],
    ['False', false],
    ['true', true],
    ['false', false],
    [true, true],
    [false, false],
  ] as const) {
    it(`Entra's create with active ${JSON.stringify(sent)} stores and answers the boolean ${String(stored)}`, async () => {
      const res = await c.post('/Users', entraUser({ active: sent }));
      expect(res.status).toBe(201);
      expect(res.body.active).toBe(stored);
      expect((await c.get(`/Users/${String(res.body.id)}`)).body.active).toBe(stored);
    });
  }

  it('a create with active "yes" is a 400 invalidValue whose detail names active', async () => {
    const body = expectScimError(await c.post('/Users', entraUser({ active: 'yes' })), 400, 'invalidValue');
    expect(body['detail']).toContain('active');
  });

  it("Entra's create of a userName that exists gets 409 uniqueness with a detail, also when only the case differs", async () => {
    const userName = testUserName();
    await createUser(c, { userName });
    for (const again of [userName, userName.toUpperCase()]) {
      const body = expectScimError(await c.post('/Users', entraUser({ userName: again })), 409, 'uniqueness');
      expect(body['detail']).toMatch(/userName/);
    }
    const found = await c.get(`/Users?filter=userName eq "${userName}"`);
    expect(found.body.totalResults).toBe(1);
  });

  itStores([`${ENTERPRISE}:manager`, `${ENTERPRISE}:department`], "Entra's create with the enterprise manager as a plain id string stores it as manager.value", async () => {
    const manager = await createUser(c);
    const res = await c.post('/Users', entraUser({ [ENTERPRISE]: { manager: manager['id'], department: 'Sales' } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body[ENTERPRISE]).toEqual({ department: 'Sales', manager: { value: manager['id'] } });
    expect(res.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
  });

  itStores(`${ENTERPRISE}:manager`, "Entra's create with the manager as {value, $ref} stores the id the same way", async () => {
    const manager = await createUser(c);
    const res = await c.post('/Users', entraUser({ [ENTERPRISE]: { manager: { value: manager['id'], $ref: `../Users/${String(manager['id'])}` } } }));
    expect(res.status).toBe(201);
    expect(res.body[ENTERPRISE]).toEqual({ manager: { value: manager['id'] } });
  });

  it('a create without userName is a 400 SCIM error naming userName', async () => {
    const { userName: _u, ...body } = entraUser();
    const err = expectScimError(await c.post('/Users', body), 400);
    expect(err['detail']).toContain('userName');
  });
});

describe('Entra creating groups', () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  it("Entra's group create with no members and the ADSCIM Group schema URN gets 201 with members []", async () => {
    const body = entraGroup();
    expect(body['schemas']).toEqual([GROUP_SCHEMA, ADSCIM_GROUP]);
    expect(body).not.toHaveProperty('members');
    const res = await c.post('/Groups', body);
    expect(res.status).toBe(201);
    expectMeta(res.body, 'Group');
    expect(res.body).toMatchObject(asStored({ schemas: [GROUP_SCHEMA], displayName: body['displayName'], externalId: body['externalId'], members: [] }, 'group'));
  });

  it("Entra's group create with members: [] and with members listed both get 201", async () => {
    const user = await createUser(c);
    const empty = await c.post('/Groups', entraGroup({ members: [] }));
    expect(empty.status).toBe(201);
    const full = await c.post('/Groups', entraGroup({ members: [{ $ref: null, value: user['id'] }] }));
    expect(full.status).toBe(201);
    expect(full.body.members.map((m: { value: string }) => m.value)).toEqual([user['id']]);
  });

  it("Entra's group create with a displayName that exists (in any case) gets 409 uniqueness, as Palo Alto's Cloud Identity Engine requires", async () => {
    const displayName = fitName('group', `Firewall Admins ${Date.now()}`);
    expect((await c.post('/Groups', entraGroup({ displayName }))).status).toBe(201);
    expectScimError(await c.post('/Groups', entraGroup({ displayName })), 409, 'uniqueness');
    expectScimError(await c.post('/Groups', entraGroup({ displayName: displayName.toLowerCase() })), 409, 'uniqueness');
  });

  it('a group create without displayName is a 400 SCIM error', async () => {
    const { displayName: _d, ...body } = entraGroup();
    expectScimError(await c.post('/Groups', body), 400);
  });
});
