/**
 * Errors as Entra reads them (checklist A1, A5, G1, G3, G4, I2): every failure is a SCIM Error body
 * (`schemas: [urn:…:Error]`, `status` as a string, an actionable `detail`) served as application/scim+json,
 * with the status Entra's retry and quarantine logic expects.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type Connector, type ConnectorErrorKind } from '../../../connectors/types.js';
import { createApp } from '../../../src/http/app.js';
import { hashToken } from '../../../src/http/auth.js';
import { silentLogger } from '../../../src/log.js';
import { AUTH, BASE, startTestGateway, TOKEN, type TestGateway } from '../../support/build-app.js';
import { createUser, entra, entraUser, expectScimError, guid, patchOp, type EntraClient } from './entra-client.js';

describe('SCIM error bodies for Entra', () => {
  let gw: TestGateway;
  let c: EntraClient;
  let id = '';
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
    id = String((await createUser(c))['id']);
  });
  afterAll(async () => gw.close());

  it('a request without a token gets 401 with a SCIM error and a Bearer challenge, on every SCIM route', async () => {
    for (const path of ['/Users', `/Users/${id}`, '/Groups', '/Schemas', '/ServiceProviderConfig', '/ResourceTypes']) {
      const res = await request(gw.server).get(`${BASE}${path}`);
      expectScimError(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('a wrong Secret Token gets 401 with a SCIM error, and so does a write', async () => {
    const bad = { Authorization: 'Bearer wrong-token-0123456789abcdefghijklmnop' };
    expectScimError(await request(gw.server).get(`${BASE}/Users`).set(bad), 401);
    const post = await request(gw.server).post(`${BASE}/Users`).set(bad).set('Content-Type', 'application/scim+json').send(JSON.stringify(entraUser()));
    expectScimError(post, 401);
  });

  it('Basic authentication, which Entra does not support, is refused with 401', async () => {
    const basic = { Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` };
    expectScimError(await request(gw.server).get(`${BASE}/Users`).set(basic), 401);
  });

  it('the bearer scheme name is matched case-insensitively (RFC 6750 / RFC 7235)', async () => {
    const res = await request(gw.server).get(`${BASE}/Users`).set('Authorization', AUTH.Authorization.replace('Bearer', 'bearer'));
    expect(res.status).toBe(200);
  });

  it('an unknown resource id gets 404 with a SCIM error naming it', async () => {
    const missing = guid();
    const body = expectScimError(await c.get(`/Users/${missing}`), 404);
    expect(body['detail']).toContain(missing);
  });

  it('an unknown path under the Tenant URL gets a 404 SCIM error', async () => {
    expectScimError(await c.get('/Nope'), 404);
  });

  it('a filter that does not parse gets 400 invalidFilter with a detail', async () => {
    expectScimError(await c.get('/Users?filter=userName+eq'), 400, 'invalidFilter');
    expectScimError(await c.get('/Users?filter=userName+eq+%22unterminated'), 400, 'invalidFilter');
  });

  it('a PATCH with an unknown op gets 400 invalidSyntax naming the op', async () => {
    const body = expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'Merge', path: 'title', value: 'x' })), 400, 'invalidSyntax');
    expect(body['detail']).toContain('Merge');
  });

  it('a PATCH without Operations gets 400 invalidSyntax', async () => {
    expectScimError(await c.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }), 400, 'invalidSyntax');
  });

  it('a PATCH Remove without a path gets 400 noTarget', async () => {
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'Remove' })), 400, 'noTarget');
  });

  it('a PATCH of the read-only id gets 400 mutability', async () => {
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'id', value: guid() })), 400, 'mutability');
  });

  it('a body that is not valid JSON gets 400 invalidSyntax', async () => {
    const res = await request(gw.server).post(`${BASE}/Users`).set(AUTH).set('Content-Type', 'application/scim+json').send('{"userName": ');
    expectScimError(res, 400, 'invalidSyntax');
  });

  it('an empty body on POST gets 400 invalidSyntax', async () => {
    const res = await request(gw.server).post(`${BASE}/Users`).set(AUTH).set('Content-Type', 'application/scim+json').send('');
    expectScimError(res, 400, 'invalidSyntax');
  });

  it('an invalid attribute value is rejected with a detail that names the attribute and the value', async () => {
    const body = expectScimError(await c.post('/Users', entraUser({ emails: [{ type: 'work', value: 42 }] })), 400, 'invalidValue');
    expect(body['detail']).toMatch(/emails/);
    expect(body['detail']).toMatch(/42/);
  });

  it('an unknown core attribute on create is a 400 invalidSyntax naming it', async () => {
    const body = expectScimError(await c.post('/Users', entraUser({ shoeSize: '42' })), 400, 'invalidSyntax');
    expect(body['detail']).toContain('shoeSize');
  });

  it('a duplicate gets 409 uniqueness (Entra logs it as EntryConflict)', async () => {
    const user = await createUser(c);
    expectScimError(await c.post('/Users', entraUser({ userName: user['userName'] })), 409, 'uniqueness');
  });

  it('a method the resource does not support gets 405 with a SCIM error and an Allow header', async () => {
    const res = await c.put('/Users', entraUser());
    expectScimError(res, 405);
    const allow = String(res.headers['allow']).split(/,\s*/);
    expect(allow).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(allow).not.toContain('PUT');
  });

  it('/Bulk, which Entra never sends, answers 501 with a SCIM error', async () => {
    expectScimError(await c.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }), 501);
  });

  it('an If-Match that does not match the current version gets 412 with a SCIM error', async () => {
    const res = await c.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'title', value: 'x' })).set('If-Match', 'W/"not-the-version"');
    expectScimError(res, 412);
  });
});

describe('Throttling answers Entra retries', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // A connector queue that cannot take anything: every call is refused as "too many".
    gw = await startTestGateway({ queue: { maxQueued: 0, retryAfterSec: 7 } });
  });
  afterAll(async () => gw.close());

  it('when the connector queue is full Entra gets 429 with Retry-After and a SCIM error, never 401/404', async () => {
    const res = await entra(gw).get('/Users?filter=userName+eq+%22x%22');
    expectScimError(res, 429);
    expect(res.headers['retry-after']).toBe('7');
  });
});

describe('Downstream failures reach Entra as statuses it retries', () => {
  let gw: TestGateway;
  let server: Server;
  let failWith: ConnectorErrorKind = 'unavailable';
  beforeAll(async () => {
    gw = await startTestGateway();
    const inner = gw.runtime.connector;
    const fail = async (): Promise<never> => {
      throw new ConnectorError(failWith, 'downstream said no (secret detail)', failWith === 'upstream-auth' ? {} : { retryAfterSec: 11 });
    };
    // The json-file connector with its user operations failing the way a firewall REST API or LDAP can.
    const failing: Connector = {
      capabilities: inner.capabilities,
      start: async () => undefined,
      stop: async () => undefined,
      check: (ctx) => inner.check(ctx),
      users: { get: fail, list: fail, create: fail, modify: fail, delete: fail },
      ...(inner.groups ? { groups: inner.groups } : {}),
    };
    const app = createApp({ endpoints: [{ path: BASE, runtime: { ...gw.runtime, connector: failing }, tokenDigests: [hashToken(TOKEN)] }], log: silentLogger });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await gw.close();
  });

  it('a downstream that is unavailable gives Entra 503 with Retry-After and a SCIM error, on reads and writes', async () => {
    failWith = 'unavailable';
    const c = entra({ server });
    for (const res of [await c.get('/Users?filter=userName+eq+%22x%22'), await c.get(`/Users/${guid()}`), await c.post('/Users', entraUser())]) {
      expectScimError(res, 503);
      expect(res.headers['retry-after']).toBe('11');
    }
  });

  it("a downstream that rejects the gateway's own credentials gives Entra 503, never 401 (which Entra would blame on its token and quarantine)", async () => {
    failWith = 'upstream-auth';
    const res = await entra({ server }).get('/Users?filter=userName+eq+%22x%22');
    const body = expectScimError(res, 503);
    expect(res.headers['retry-after']).toBeDefined();
    // 5xx details stay in the gateway log.
    expect(body['detail']).not.toContain('secret detail');
  });

  // Last in this block: a throttling downstream pauses the connector queue for its Retry-After.
  it('a downstream that throttles gives Entra 429 with its Retry-After', async () => {
    failWith = 'rate-limited';
    const res = await entra({ server }).get(`/Users/${guid()}`);
    expectScimError(res, 429);
    expect(res.headers['retry-after']).toBe('11');
  });
});
