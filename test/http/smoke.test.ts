import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStored, storesEnterprise } from '../support/backend.js';
import { AUTH, BASE, startTestGateway, type TestGateway } from '../support/build-app.js';

describe('smoke', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => gw.close());

  it('creates, reads, patches, lists and deletes a user', async () => {
    const created = await request(gw.server)
      .post(`${BASE}/Users`)
      .set(AUTH)
      .set('Content-Type', 'application/scim+json')
      .send({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: 'ext-1',
        userName: 'Test_User_1',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'u1@example.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'Given Family', familyName: 'Family', givenName: 'Given' },
        roles: [],
      });
    expect(created.status).toBe(201);
    expect(created.body.id).toEqual(expect.any(String));
    const id = created.body.id;
    const got = await request(gw.server).get(`${BASE}/Users/${id}`).set(AUTH);
    expect(got.status).toBe(200);
    const q = await request(gw.server).get(`${BASE}/Users?filter=userName+eq+"test_user_1"`).set(AUTH);
    expect(q.body.totalResults).toBe(1);
    const p = await request(gw.server)
      .patch(`${BASE}/Users/${id}`)
      .set(AUTH)
      .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }, { op: 'add', value: { 'name.givenName': 'G2', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'D' } }] });
    expect(p.status).toBe(200);
    const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(p.body).toMatchObject(asStored({ name: { givenName: 'G2' }, [ENTERPRISE]: { department: 'D' }, active: false }));
    const d = await request(gw.server).delete(`${BASE}/Users/${id}`).set(AUTH);
    expect(d.status).toBe(204);
    const g2 = await request(gw.server).get(`${BASE}/Users/${id}`).set(AUTH);
    expect(g2.status).toBe(404);
    expect(g2.body.status).toBe('404');
    const sch = await request(gw.server).get(`${BASE}/Schemas`).set(AUTH);
    expect(sch.status).toBe(200);
    expect(sch.body.totalResults).toBe(storesEnterprise() ? 3 : 2);
  });
});
