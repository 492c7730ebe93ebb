/** Request shapes some clients send that the RFC allows or that are harmless to accept. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStoredAttr, itStores, stores } from '../support/backend.js';
import { AUTH, BASE, startTestGateway, type TestGateway } from '../support/build-app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('client variants', () => {
  let gw: TestGateway;
  let id: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    const r = await request(gw.server)
      .post(`${BASE}/Users`)
      .set(AUTH)
      .send({ userName: 'variant', emails: [{ type: 'work', value: 'w@example.com', primary: true }, { type: 'other', value: 'o@example.com' }] });
    id = r.body.id;
  });
  afterAll(async () => gw.close());

  it('accepts a path-less replace that echoes the unchanged id, and still refuses a different id', async () => {
    const same = await request(gw.server).patch(`${BASE}/Users/${id}`).set(AUTH).send({ schemas: [PATCH], Operations: [{ op: 'replace', value: { id, displayName: 'Echo' } }] });
    expect(same.status).toBe(200);
    expect(same.body.displayName).toBe(asStoredAttr('displayName', 'Echo'));
    const other = await request(gw.server).patch(`${BASE}/Users/${id}`).set(AUTH).send({ schemas: [PATCH], Operations: [{ op: 'replace', value: { id: 'another-id' } }] });
    expect(other.status).toBe(400);
    expect(other.body.scimType).toBe('mutability');
  });

  itStores('emails[type eq "work"].value', 'keeps the type when a whole filtered element is replaced', async () => {
    const r = await request(gw.server)
      .patch(`${BASE}/Users/${id}`)
      .set(AUTH)
      .send({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'new@example.com' } }] });
    expect(r.status).toBe(200);
    expect(r.body.emails).toContainEqual({ type: 'work', value: 'new@example.com' });
  });

  itStores('emails[type eq "work"].value', 'reads emails.type eq "work" as the work element', async () => {
    const hit = await request(gw.server).get(`${BASE}/Users`).query({ filter: 'emails.type eq "work" and userName eq "variant"' }).set(AUTH);
    expect(hit.status).toBe(200);
    expect(hit.body.totalResults).toBe(1);
    const miss = await request(gw.server).get(`${BASE}/Users`).query({ filter: 'emails.type eq "home" and userName eq "variant"' }).set(AUTH);
    if (stores('emails[type eq "home"].value')) expect(miss.body.totalResults).toBe(0);
    // A type the endpoint does not store (the LDAP profile stores only work emails) is not offered, so not filterable.
    else expect({ status: miss.status, scimType: miss.body.scimType }).toEqual({ status: 400, scimType: 'invalidFilter' });
  });
});
