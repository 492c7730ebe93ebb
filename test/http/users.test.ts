/** /Users CRUD through HTTP (RFC 7644 §3.3, §3.4.1, §3.5.1, §3.5.2, §3.6). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStored, itStores, msToNextTimestamp } from '../support/backend.js';
import { BASE, startTestGateway, type TestGateway } from '../support/build-app.js';
import { createUser, ENTERPRISE, expectScimError, scimClient, uniq, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';

let gw: TestGateway;
let api: ScimClient;

beforeAll(async () => {
  gw = await startTestGateway();
  api = scimClient(gw.server);
});
afterAll(async () => gw.close());

describe('POST /Users', () => {
  it('answers 201 with a Location header equal to meta.location and an ETag equal to meta.version', async () => {
    const userName = uniq('create');
    const res = await api.post('/Users', { schemas: [USER_SCHEMA], userName });
    expect(res.status).toBe(201);
    expect(String(res.headers['content-type'])).toMatch(/^application\/scim\+json/);
    expect(typeof res.body.id).toBe('string');
    expect(res.body.id.length).toBeGreaterThan(0);
    const { port } = gw.server.address() as { port: number };
    expect(res.body.meta.location).toBe(`http://127.0.0.1:${port}${BASE}/Users/${res.body.id}`);
    expect(res.headers['location']).toBe(res.body.meta.location);
    expect(res.headers['etag']).toMatch(/^W\/".+"$/);
    expect(res.headers['etag']).toBe(res.body.meta.version);
    expect(res.body.meta.resourceType).toBe('User');
    expect(Date.parse(res.body.meta.created)).not.toBeNaN();
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
  });

  it('echoes the stored values, including emails, name and enterprise attributes', async () => {
    const userName = uniq('echo');
    const body = {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName,
      externalId: `ext-${userName}`,
      displayName: 'Echo User',
      title: 'Engineer',
      name: { givenName: 'Echo', familyName: 'User' },
      emails: [{ type: 'work', value: `${userName}@example.com`, primary: true }],
      phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
      addresses: [{ type: 'work', locality: 'Springfield', country: 'US' }],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '42' },
    };
    const res = await api.post('/Users', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(asStored({
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName,
      externalId: `ext-${userName}`,
      displayName: 'Echo User',
      title: 'Engineer',
      name: { givenName: 'Echo', familyName: 'User' },
      emails: [{ type: 'work', value: `${userName}@example.com`, primary: true }],
      phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
      addresses: [{ type: 'work', locality: 'Springfield', country: 'US' }],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '42' },
    }));
  });

  it('coerces the Entra string booleans "True" and "False" to JSON booleans', async () => {
    const on = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('true'), active: 'True' });
    expect(on.status).toBe(201);
    expect(on.body.active).toBe(true);
    const off = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('false'), active: 'False' });
    expect(off.status).toBe(201);
    expect(off.body.active).toBe(false);
  });

  it('ignores read-only attributes a client echoes back (id, meta, groups)', async () => {
    const res = await api.post('/Users', {
      schemas: [USER_SCHEMA],
      userName: uniq('readonly'),
      id: 'client-chosen-id',
      meta: { resourceType: 'User', created: '2001-01-01T00:00:00Z' },
      groups: [{ value: 'g1' }],
    });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('client-chosen-id');
    expect(res.body.meta.created).not.toBe('2001-01-01T00:00:00Z');
    expect(res.body.groups).toBeUndefined();
  });

  it('never returns the write-only password', async () => {
    const res = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('pw'), password: 'S3cret!pass' });
    expect(res.status).toBe(201);
    expect(res.body.password).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('S3cret!pass');
  });

  it('assigns a different id to every user', async () => {
    const a = await createUser(api, { userName: uniq('ida') });
    const b = await createUser(api, { userName: uniq('idb') });
    expect(a['id']).not.toBe(b['id']);
  });
});

describe('GET /Users/{id}', () => {
  it('returns 200 with the same resource POST returned, and the same ETag', async () => {
    const created = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('get'), displayName: 'Get Me' });
    const res = await api.get(`/Users/${created.body.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created.body);
    expect(res.headers['etag']).toBe(created.headers['etag']);
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const created = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('inm') });
    const res = await api.get(`/Users/${created.body.id}`).set('If-None-Match', created.headers['etag'] as string);
    expect(res.status).toBe(304);
  });

  it('returns a 404 SCIM error for an unknown id', async () => {
    const res = await api.get('/Users/00000000-0000-4000-8000-000000000000');
    expectScimError(res, 404);
    expect(res.body.detail).toContain('00000000-0000-4000-8000-000000000000');
  });
});

describe('PUT /Users/{id}', () => {
  itStores(['displayName', 'title', 'name.givenName'], 'replaces the whole resource: attributes omitted from the body are removed', async () => {
    const u = await createUser(api, {
      userName: uniq('put'),
      displayName: 'Before',
      title: 'Old title',
      name: { givenName: 'Old', familyName: 'Name' },
      emails: [{ type: 'work', value: 'old@example.com' }],
      [ENTERPRISE]: { department: 'Sales' },
    });
    const res = await api.put(`/Users/${u['id']}`, { schemas: [USER_SCHEMA], userName: u['userName'], displayName: 'After', name: { givenName: 'New' } });
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('After');
    expect(res.body.name).toEqual({ givenName: 'New' });
    expect(res.body.title).toBeUndefined();
    expect(res.body.emails).toBeUndefined();
    expect(res.body[ENTERPRISE]).toBeUndefined();
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
    const again = await api.get(`/Users/${u['id']}`);
    expect(again.body).toEqual(res.body);
  });

  it('keeps the id when the userName changes, and frees the old userName', async () => {
    const oldName = uniq('rename');
    const u = await createUser(api, { userName: oldName });
    const newName = uniq('renamed');
    const res = await api.put(`/Users/${u['id']}`, { schemas: [USER_SCHEMA], userName: newName });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(u['id']);
    expect(res.body.userName).toBe(newName);
    const byNew = await api.list('/Users', { filter: `userName eq "${newName}"` });
    expect(byNew.body.Resources.map((r: { id: string }) => r.id)).toEqual([u['id']]);
    const reuse = await api.post('/Users', { schemas: [USER_SCHEMA], userName: oldName });
    expect(reuse.status).toBe(201);
  });

  itStores('title', 'changes the ETag and meta.lastModified, keeps meta.created', async () => {
    const created = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('putmeta') });
    await new Promise((r) => setTimeout(r, 5 + msToNextTimestamp()));
    const res = await api.put(`/Users/${created.body.id}`, { schemas: [USER_SCHEMA], userName: created.body.userName, title: 'x' });
    expect(res.headers['etag']).not.toBe(created.headers['etag']);
    expect(res.headers['etag']).toBe(res.body.meta.version);
    expect(res.body.meta.created).toBe(created.body.meta.created);
    expect(Date.parse(res.body.meta.lastModified)).toBeGreaterThan(Date.parse(created.body.meta.lastModified));
  });

  it('returns 404 for an unknown id', async () => {
    const res = await api.put('/Users/no-such-user', { schemas: [USER_SCHEMA], userName: uniq('ghost') });
    expectScimError(res, 404);
  });

  it('returns 409 uniqueness when the new userName belongs to another user', async () => {
    const a = await createUser(api, { userName: uniq('puta') });
    const b = await createUser(api, { userName: uniq('putb') });
    const res = await api.put(`/Users/${b['id']}`, { schemas: [USER_SCHEMA], userName: String(a['userName']).toUpperCase() });
    expectScimError(res, 409, 'uniqueness');
    expect((await api.get(`/Users/${b['id']}`)).body.userName).toBe(b['userName']);
  });
});

describe('PATCH /Users/{id}', () => {
  itStores('displayName', 'answers 200 with the whole patched resource and its new ETag', async () => {
    const created = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('patch'), displayName: 'A', active: true });
    const res = await api.patchOps(`/Users/${created.body.id}`, [{ op: 'replace', path: 'displayName', value: 'B' }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, userName: created.body.userName, displayName: 'B', active: true });
    expect(res.headers['etag']).toBe(res.body.meta.version);
    expect(res.headers['etag']).not.toBe(created.headers['etag']);
    expect((await api.get(`/Users/${created.body.id}`)).body.displayName).toBe('B');
  });

  it('returns 404 for an unknown id', async () => {
    const res = await api.patchOps('/Users/no-such-user', [{ op: 'replace', path: 'displayName', value: 'B' }]);
    expectScimError(res, 404);
  });
});

describe('DELETE /Users/{id}', () => {
  it('answers 204 with no body, after which the user is 404 and absent from lists', async () => {
    const u = await createUser(api, { userName: uniq('del') });
    const res = await api.delete(`/Users/${u['id']}`);
    expect(res.status).toBe(204);
    expect(res.text ?? '').toBe('');
    expectScimError(await api.get(`/Users/${u['id']}`), 404);
    const list = await api.list('/Users', { filter: `userName eq "${u['userName']}"` });
    expect(list.body.totalResults).toBe(0);
  });

  it('answers 404 to a second delete of the same user', async () => {
    const u = await createUser(api, { userName: uniq('del2') });
    expect((await api.delete(`/Users/${u['id']}`)).status).toBe(204);
    expectScimError(await api.delete(`/Users/${u['id']}`), 404);
  });

  it('frees the userName of a deleted user for a new one with a new id', async () => {
    const userName = uniq('del3');
    const u = await createUser(api, { userName });
    await api.delete(`/Users/${u['id']}`);
    const again = await createUser(api, { userName });
    expect(again['id']).not.toBe(u['id']);
  });
});
