/**
 * Checklist A7: the Tenant URL. Admins append `aadOptscim062020` (or the downgrade flag
 * `AzureAdScimPatch2017`) to the Tenant URL to switch Entra's PATCH dialect. Whether Entra forwards the flag
 * as a query parameter is not documented, so every request type is sent with it, in either position, and
 * must behave as without it. The base path is whatever the operator configured (`/scim`, `/scim/v2`, …).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, startTestGateway, type TestGateway } from '../../support/build-app.js';
import {
  createUser,
  entra,
  entraGroup,
  entraQuery,
  entraUser,
  expectEmptyList,
  expectListResponse,
  expectScimError,
  guid,
  patchOp,
  type EntraClient,
} from './entra-client.js';

const FLAGS = ['aadOptscim062020', 'AzureAdScimPatch2017'] as const;

describe('Tenant URL flags appended as query parameters', () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  for (const flag of FLAGS) {
    it(`Entra's Test Connection probe with a stray ?${flag} still gets 200 and an empty list`, async () => {
      expectEmptyList(await c.get(`/Users?${flag}&filter=${entraQuery(`userName eq "${guid()}"`)}`));
      expectEmptyList(await c.get(`/Users?filter=${entraQuery(`userName eq "${guid()}"`)}&${flag}`));
      expectEmptyList(await c.get(`/Groups?${flag}&excludedAttributes=members&filter=${entraQuery(`displayName eq "${guid()}"`)}`));
    });

    it(`a whole Entra user cycle with ?${flag} on every request behaves exactly as without it`, async () => {
      const q = `?${flag}`;
      const created = await c.post(`/Users${q}`, entraUser());
      expect(created.status).toBe(201);
      const id = String(created.body.id);
      const userName = String(created.body.userName);
      // Location is the resource URL without the flag.
      expect(created.body.meta.location).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
      const read = await c.get(`/Users/${id}${q}`);
      expect(read.status).toBe(200);
      expect(read.body.userName).toBe(userName);
      const found = await c.get(`/Users${q}&filter=${entraQuery(`userName eq "${userName}"`)}`);
      expect(expectListResponse(found.body, 1)[0]?.['id']).toBe(id);
      const patched = await c.patch(`/Users/${id}${q}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
      expect(patched.status).toBe(200);
      expect(patched.body.active).toBe(false);
      const replaced = await c.put(`/Users/${id}${q}`, { ...entraUser({ userName }), active: true });
      expect(replaced.status).toBe(200);
      expect((await c.delete(`/Users/${id}${q}`)).status).toBe(204);
      expectScimError(await c.get(`/Users/${id}${q}`), 404);
    });

    it(`Entra's group requests with ?${flag} (create, member PATCH, read without members, delete) behave as without it`, async () => {
      const q = `?${flag}`;
      const user = await createUser(c);
      const group = await c.post(`/Groups${q}`, entraGroup());
      expect(group.status).toBe(201);
      const gid = String(group.body.id);
      const add = await c.patch(`/Groups/${gid}${q}`, patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: user['id'] }] }));
      expect(add.status).toBe(204);
      const read = await c.get(`/Groups/${gid}${q}&excludedAttributes=members`);
      expect(read.status).toBe(200);
      expect(read.body).not.toHaveProperty('members');
      const full = await c.get(`/Groups/${gid}${q}`);
      expect(full.body.members.map((m: { value: string }) => m.value)).toEqual([user['id']]);
      expect((await c.delete(`/Groups/${gid}${q}`)).status).toBe(204);
    });

    it(`Entra's schema discovery with ?${flag} gets the same /Schemas`, async () => {
      const plain = await c.get('/Schemas');
      const flagged = await c.get(`/Schemas?${flag}`);
      expect(flagged.status).toBe(200);
      expect(flagged.body).toEqual(plain.body);
    });
  }

  it('a flag written with a value (?aadOptscim062020=true) is ignored too', async () => {
    expectEmptyList(await c.get(`/Users?aadOptscim062020=true&filter=${entraQuery(`userName eq "${guid()}"`)}`));
  });
});

describe('Tenant URL base paths other than /scim/v2', () => {
  const OTHER_TOKEN = 'second-endpoint-token-abcdefghijklmnopqrstuvwxyz';
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ extraEndpoints: [{ path: '/scim', token: OTHER_TOKEN }, { path: '/tenants/contoso/scim', token: OTHER_TOKEN }] });
  });
  afterAll(async () => gw.close());

  for (const base of ['/scim', '/tenants/contoso/scim']) {
    it(`Entra's Test Connection and create work against the Tenant URL https://host${base}`, async () => {
      const c = entra(gw, base);
      const auth = { Authorization: `Bearer ${OTHER_TOKEN}` };
      const probe = await c.get(`/Users?filter=${entraQuery(`userName eq "${guid()}"`)}`).set(auth);
      expectEmptyList(probe);
      const created = await c.post('/Users', entraUser()).set(auth);
      expect(created.status).toBe(201);
      // Locations point at the endpoint Entra called.
      expect(created.body.meta.location).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${base}/Users/${String(created.body.id)}$`));
    });
  }

  it("the /scim/v2 endpoint's token is not accepted on another endpoint's Tenant URL", async () => {
    const res = await entra(gw, '/scim').get('/Users').set(AUTH);
    expectScimError(res, 401);
  });
});
