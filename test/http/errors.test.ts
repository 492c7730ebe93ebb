/**
 * Error responses (RFC 7644 §3.12): every one is a SCIM Error with `status` as a string, a detail and the
 * SCIM content type. Client errors are 4xx with a scimType where RFC 7644 defines one; downstream trouble is
 * 503/429 with Retry-After (never 401/403, which Entra takes as its own token being rejected); a 5xx never
 * shows internal detail.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/types.js';
import { itStores } from '../support/backend.js';
import { AUTH, BASE, TOKEN, startTestGateway, type TestGateway } from '../support/build-app.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-connector.js';
import { createUser, expectScimError, scimClient, uniq, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';

const TENANT = '/tenants/acme/scim/v2';
const TENANT_TOKEN = 'acme-token-abcdefghijklmnopqrstuvwxyz012345';
const BODY_LIMIT = 2048;

let gw: TestGateway;
let api: ScimClient;

beforeAll(async () => {
  gw = await startTestGateway({ bodyLimitBytes: BODY_LIMIT, extraEndpoints: [{ path: TENANT, token: TENANT_TOKEN }] });
  api = scimClient(gw.server);
});
afterAll(async () => gw.close());

/** A request written by hand, so the body can be sent chunked with no Content-Length. */
function rawRequest(server: http.Server, method: string, path: string, headers: Record<string, string>, chunks: readonly string[]) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate: Bearer when there is no Authorization header', async () => {
    const res = await request(gw.server).get(`${BASE}/Users`);
    expectScimError(res, 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
  });

  it('answers 401 to a wrong or empty bearer token and to any scheme but Bearer, even carrying the right token', async () => {
    const basic = [`Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`, `Basic ${TOKEN}`, `Token ${TOKEN}`];
    for (const authorization of [`Bearer ${TOKEN}x`, 'Bearer ', 'Bearer', `Bearer ${TOKEN} extra`, ...basic, TOKEN]) {
      const res = await request(gw.server).get(`${BASE}/Users`).set('Authorization', authorization);
      expect(res.status, authorization).toBe(401);
      expectScimError(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
    }
  });

  it('accepts the scheme name in any case', async () => {
    expect((await request(gw.server).get(`${BASE}/Users`).set('Authorization', `bearer ${TOKEN}`)).status).toBe(200);
  });

  it('rejects a token valid on one endpoint when it is presented to another', async () => {
    const tenantAuth = { Authorization: `Bearer ${TENANT_TOKEN}` };
    expect((await request(gw.server).get(`${TENANT}/Users`).set(tenantAuth)).status).toBe(200);
    expectScimError(await request(gw.server).get(`${TENANT}/Users`).set(AUTH), 401);
    expectScimError(await request(gw.server).get(`${BASE}/Users`).set(tenantAuth), 401);
    expectScimError(await request(gw.server).post(`${BASE}/Users`).set(tenantAuth).send({ schemas: [USER_SCHEMA], userName: uniq('cross') }), 401);
  });

  it('checks the token before anything else: no 404 and no body parsing without it', async () => {
    expectScimError(await request(gw.server).get(`${BASE}/NoSuchThing`), 401);
    expectScimError(await request(gw.server).post(`${BASE}/Users`).set('Content-Type', 'application/json').send('{not json'), 401);
  });
});

describe('request bodies', () => {
  it('answers 400 invalidSyntax naming JSON for a malformed body', async () => {
    const res = await api.raw('post', '/Users', '{"userName": "x",');
    expectScimError(res, 400, 'invalidSyntax');
    expect(res.body.detail).toMatch(/JSON/);
  });

  it('answers 400 invalidSyntax for a body that is JSON but not an object', async () => {
    for (const text of ['[]', '[{"userName":"x"}]', '"userName"', '42', 'null', 'true']) {
      const res = await api.raw('post', '/Users', text);
      expect(res.status, text).toBe(400);
      expectScimError(res, 400, 'invalidSyntax');
    }
  });

  it('answers 400 invalidSyntax for an empty body', async () => {
    expectScimError(await api.raw('post', '/Users', ''), 400, 'invalidSyntax');
  });

  it('answers 400 to a text/plain body, even when it holds valid JSON', async () => {
    const res = await api.raw('post', '/Users', JSON.stringify({ schemas: [USER_SCHEMA], userName: uniq('plain') }), 'text/plain');
    expectScimError(res, 400, 'invalidSyntax');
    expect(res.body.detail).toContain('text/plain');
  });

  it('accepts application/json and application/scim+json with a charset', async () => {
    expect((await api.raw('post', '/Users', JSON.stringify({ userName: uniq('json') }), 'application/json')).status).toBe(201);
    expect((await api.raw('post', '/Users', JSON.stringify({ userName: uniq('scim') }), 'application/scim+json; charset=utf-8')).status).toBe(201);
  });

  it('answers 400 invalidValue for values of the wrong type, naming the attribute', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ active: 'maybe' }, 'active'],
      [{ userName: 5 }, 'userName'],
      [{ emails: [42] }, 'emails'],
      [{ emails: ['someone@example.com'] }, 'emails'],
      [{ emails: 'someone@example.com' }, 'emails'],
      [{ emails: [{ type: 'work', value: 7 }] }, 'emails'],
      [{ name: 'Given Family' }, 'name'],
      [{ displayName: ['a', 'b'] }, 'displayName'],
      [{ active: 1 }, 'active'],
    ];
    for (const [extra, attr] of cases) {
      const res = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('types'), ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expectScimError(res, 400, 'invalidValue');
      expect(res.body.detail).toContain(attr);
    }
  });

  it('answers 400 invalidValue for a missing, empty or blank userName', async () => {
    for (const body of [{ displayName: 'No Name' }, { userName: '' }, { userName: '   ' }, { userName: null }]) {
      const res = await api.post('/Users', { schemas: [USER_SCHEMA], ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectScimError(res, 400, 'invalidValue');
      expect(res.body.detail).toContain('userName');
    }
  });

  it('answers 400 invalidSyntax naming an unknown attribute or sub-attribute', async () => {
    const res = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('unknown'), favouriteColour: 'blue' });
    expectScimError(res, 400, 'invalidSyntax');
    expect(res.body.detail).toContain('favouriteColour');
    const sub = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('unknown'), name: { nickname: 'x' } });
    expectScimError(sub, 400, 'invalidSyntax');
    expect(sub.body.detail).toContain('nickname');
  });

  it('answers 413 to a body over the limit that declares its Content-Length', async () => {
    const body = { schemas: [USER_SCHEMA], userName: uniq('big'), displayName: 'x'.repeat(3 * 1024) };
    const res = await api.post('/Users', body);
    expectScimError(res, 413);
    expect(res.body.detail).toContain(String(BODY_LIMIT));
  });

  it('answers 413 to a chunked body over the limit sent without Content-Length', async () => {
    const text = JSON.stringify({ schemas: [USER_SCHEMA], userName: uniq('chunked'), displayName: 'y'.repeat(3 * 1024) });
    const chunks = text.match(/[\s\S]{1,512}/g) ?? [];
    const res = await rawRequest(gw.server, 'POST', `${BASE}/Users`, { ...AUTH, 'Content-Type': 'application/scim+json', 'Transfer-Encoding': 'chunked' }, chunks);
    expectScimError(res, 413);
    expect((await api.get('/Users?count=0')).status).toBe(200);
  });

  it('accepts a chunked body under the limit', async () => {
    const userName = uniq('smallchunks');
    const text = JSON.stringify({ schemas: [USER_SCHEMA], userName });
    const res = await rawRequest(gw.server, 'POST', `${BASE}/Users`, { ...AUTH, 'Content-Type': 'application/scim+json', 'Transfer-Encoding': 'chunked' }, [text.slice(0, 10), text.slice(10)]);
    expect(res.status).toBe(201);
    expect(res.body['userName']).toBe(userName);
  });
});

describe('unknown paths and methods', () => {
  it('answers 404 for an unknown path under the endpoint', async () => {
    for (const path of ['/Printers', '/Users/a/b', '/users2']) expectScimError(await api.get(path), 404);
  });

  it('answers 404 for a path outside every endpoint, without needing a token', async () => {
    const res = await request(gw.server).get('/nothing/here');
    expectScimError(res, 404);
  });

  it('answers 501 to POST /Bulk and to /Me', async () => {
    expectScimError(await api.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }), 501);
    expectScimError(await api.get('/Me'), 501);
  });

  it('answers 405 to POST on a resource and to PUT on a collection', async () => {
    const u = await createUser(api, { userName: uniq('405') });
    expectScimError(await api.post(`/Users/${u['id']}`, { userName: 'x' }), 405);
    expectScimError(await api.put('/Users', { userName: 'x' }), 405);
  });
});

describe('conflicts and preconditions', () => {
  it('answers 409 uniqueness for a userName that differs only in case', async () => {
    const userName = uniq('Dup.User');
    await createUser(api, { userName });
    for (const variant of [userName, userName.toUpperCase(), userName.toLowerCase()]) {
      const res = await api.post('/Users', { schemas: [USER_SCHEMA], userName: variant });
      expectScimError(res, 409, 'uniqueness');
    }
    const list = await api.list('/Users', { filter: `userName eq "${userName}"` });
    expect(list.body.totalResults).toBe(1);
  });

  itStores('title', 'answers 412 to PATCH, PUT and DELETE with a stale If-Match, and changes nothing', async () => {
    const created = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('etag'), title: 'v1' });
    const stale = String(created.headers['etag']);
    const updated = await api.patchOps(`/Users/${created.body.id}`, [{ op: 'replace', path: 'title', value: 'v2' }]);
    expect(updated.status).toBe(200);
    const current = String(updated.headers['etag']);
    expect(current).not.toBe(stale);

    expectScimError(await api.patchOps(`/Users/${created.body.id}`, [{ op: 'replace', path: 'title', value: 'v3' }], { 'If-Match': stale }), 412);
    expectScimError(await api.put(`/Users/${created.body.id}`, { userName: created.body.userName, title: 'v3' }, { 'If-Match': stale }), 412);
    expectScimError(await api.delete(`/Users/${created.body.id}`, { 'If-Match': stale }), 412);
    const after = await api.get(`/Users/${created.body.id}`);
    expect(after.status).toBe(200);
    expect(after.body.title).toBe('v2');
    expect(after.headers['etag']).toBe(current);
  });

  itStores('title', 'applies PATCH, PUT and DELETE with the current ETag or *', async () => {
    const created = await api.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('etag-ok'), title: 'v1' });
    const p = await api.patchOps(`/Users/${created.body.id}`, [{ op: 'replace', path: 'title', value: 'v2' }], { 'If-Match': String(created.headers['etag']) });
    expect(p.status).toBe(200);
    const q = await api.put(`/Users/${created.body.id}`, { userName: created.body.userName, title: 'v3' }, { 'If-Match': '*' });
    expect(q.status).toBe(200);
    expect(q.body.title).toBe('v3');
    const r = await api.patchOps(`/Users/${created.body.id}`, [{ op: 'replace', path: 'title', value: 'v4' }], { 'If-Match': `W/"nope", ${String(q.headers['etag'])}` });
    expect(r.status).toBe(200);
    expect((await api.delete(`/Users/${created.body.id}`, { 'If-Match': String(r.headers['etag']) })).status).toBe(204);
  });
});

describe('downstream failures (fake connector)', () => {
  let fake: FakeGateway;
  let fapi: ScimClient;
  beforeAll(async () => {
    fake = await startFakeGateway();
    fapi = scimClient(fake.server);
  });
  afterEach(() => fake.controls.reset());
  afterAll(async () => fake.close());

  it('answers 500 without the internal error message when the connector throws a plain Error', async () => {
    fake.controls.failWith(() => new Error('secret internal detail xyz'));
    for (const res of [await fapi.get('/Users'), await fapi.get('/Users/abc'), await fapi.post('/Users', { userName: uniq('boom') })]) {
      expectScimError(res, 500);
      expect(JSON.stringify(res.body)).not.toContain('xyz');
      expect(JSON.stringify(res.body)).not.toContain('secret');
      expect(res.body.detail).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('answers 503 with Retry-After, not the message, when the downstream is unavailable', async () => {
    fake.controls.failWith(() => new ConnectorError('unavailable', 'ldaps://10.1.2.3:636 refused xyz', { retryAfterSec: 7 }));
    const res = await fapi.get('/Users');
    expectScimError(res, 503);
    expect(res.headers['retry-after']).toBe('7');
    expect(JSON.stringify(res.body)).not.toContain('xyz');
  });

  it('answers 503 with Retry-After, never 401 or 403, when the gateway\'s own downstream credentials fail', async () => {
    fake.controls.failWith(() => new ConnectorError('upstream-auth', 'bind as cn=svc failed: invalid credentials'));
    for (const res of [await fapi.get('/Users'), await fapi.post('/Users', { userName: uniq('svc') })]) {
      expectScimError(res, 503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.body.detail).not.toContain('cn=svc');
    }
  });

  it('maps the other connector error kinds to their SCIM status', async () => {
    const cases: [ConstructorParameters<typeof ConnectorError>[0], number, string | undefined][] = [
      ['not-found', 404, undefined],
      ['conflict', 409, 'uniqueness'],
      ['invalid', 400, 'invalidValue'],
      ['unsupported', 501, undefined],
      ['internal', 500, undefined],
    ];
    for (const [kind, status, scimType] of cases) {
      fake.controls.failWith(() => new ConnectorError(kind, `kind ${kind}`));
      const res = await fapi.get('/Users');
      expect(res.status, kind).toBe(status);
      expectScimError(res, status, scimType);
    }
  });

  it('answers 429 with Retry-After when the downstream rate-limits', async () => {
    fake.controls.failWith(() => new ConnectorError('rate-limited', 'slow down', { retryAfterSec: 0.05 }));
    const res = await fapi.get('/Users');
    expectScimError(res, 429);
    expect(res.headers['retry-after']).toBe('1');
    fake.controls.reset();
    await new Promise((r) => setTimeout(r, 100));
    expect((await fapi.get('/Users')).status).toBe(200);
  });

  it('keeps serving once the connector recovers', async () => {
    fake.controls.failWith(() => new Error('transient'));
    expect((await fapi.get('/Users')).status).toBe(500);
    fake.controls.reset();
    expect((await fapi.post('/Users', { userName: uniq('recovered') })).status).toBe(201);
  });
});

describe('hung downstream and a full queue (fake connector)', () => {
  it('answers 503 with Retry-After within about a second when the connector hangs past the queue timeout', async () => {
    const fake = await startFakeGateway({ queue: { timeoutMs: 200, retryAfterSec: 3 } });
    try {
      fake.controls.hang();
      const started = performance.now();
      const res = await scimClient(fake.server).get('/Users');
      const elapsed = performance.now() - started;
      expectScimError(res, 503);
      expect(res.headers['retry-after']).toBe('3');
      expect(elapsed).toBeGreaterThanOrEqual(150);
      expect(elapsed).toBeLessThan(1000);
    } finally {
      await fake.close();
    }
  });

  it('answers 429 with Retry-After at once when the queue is full, and serves the queued requests later', async () => {
    const fake = await startFakeGateway({ queue: { concurrency: 1, maxQueued: 1, retryAfterSec: 2 } });
    try {
      const fapi = scimClient(fake.server);
      fake.controls.hang();
      const first = fapi.get('/Users').then((r) => r);
      await fake.controls.waitForInFlight(1);
      const second = fapi.get('/Users').then((r) => r);
      const deadline = Date.now() + 2000;
      while (fake.runtime.queue.stats().queued < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(fake.runtime.queue.stats()).toMatchObject({ running: 1, queued: 1 });
      const started = performance.now();
      const third = await fapi.get('/Users');
      expect(performance.now() - started).toBeLessThan(500);
      expectScimError(third, 429);
      expect(third.headers['retry-after']).toBe('2');
      fake.controls.reset();
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
    } finally {
      await fake.close();
    }
  });
});
