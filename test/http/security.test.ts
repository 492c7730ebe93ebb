import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../src/http/auth-throttle.js';
import { itOn } from '../support/backend.js';
import { AUTH, BASE, startTestGateway, type TestGateway } from '../support/build-app.js';
import { phashMatches } from '../support/fake-firewall/panos.js';

describe('authentication throttling', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => gw?.close());

  it('answers 429 with Retry-After once an address has failed authentication 30 times in a minute', async () => {
    gw = await startTestGateway();
    for (let i = 0; i < 30; i++) {
      const r = await request(gw.server).get(`${BASE}/Users`).set('Authorization', `Bearer wrong-${i}-xxxxxxxxxxxxxxxxxxxxxxxx`);
      expect(r.status).toBe(401);
    }
    const blocked = await request(gw.server).get(`${BASE}/Users`).set('Authorization', 'Bearer wrong-again-xxxxxxxxxxxxxxxxxxxxx');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    // The budget is per address and the window has not passed, so even the right token waits.
    const good = await request(gw.server).get(`${BASE}/Users`).set(AUTH);
    expect(good.status).toBe(429);
  });

  it('keeps windows per address and forgets them after the window', () => {
    const t = new AuthThrottle({ maxFailures: 2, windowMs: 1000, maxTracked: 100 });
    t.fail('a', 0);
    t.fail('a', 10);
    expect(() => t.check('a', 20)).toThrow(/too many failed/);
    expect(() => t.check('b', 20)).not.toThrow();
    expect(() => t.check('a', 1001)).not.toThrow();
  });

  it('tracks a bounded number of addresses', () => {
    const t = new AuthThrottle({ maxFailures: 1, windowMs: 60_000, maxTracked: 3 });
    for (const a of ['a', 'b', 'c', 'd']) t.fail(a, 0);
    // 'a' was the oldest window and was dropped to make room for 'd'.
    expect(() => t.check('a', 1)).not.toThrow();
    expect(() => t.check('d', 1)).toThrow();
  });
});

/** The shipped pfSense example has no password field: pfSense users get a random password nobody knows. */
const NO_PASSWORD = 'the shipped pfSense example maps no password (every user gets a random one nobody knows)';
const WITH_PASSWORD = ['json-file', 'ldap', 'fortios', 'panos'] as const;

describe('sensitive attributes', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => gw?.close());

  itOn(WITH_PASSWORD, NO_PASSWORD, 'refuses a filter on password with 403 sensitive (RFC 7644 §7.5.2)', async () => {
    gw = await startTestGateway({ mapping: { user: { userName: 'userName', password: 'password' }, group: { displayName: 'displayName' } } });
    const r = await request(gw.server).get(`${BASE}/Users`).query({ filter: 'password eq "hunter2"' }).set(AUTH);
    expect(r.status).toBe(403);
    expect(r.body.scimType).toBe('sensitive');
  });

  itOn(WITH_PASSWORD, NO_PASSWORD, 'stores a mapped password but never returns it', async () => {
    gw = await startTestGateway({ mapping: { user: { userName: 'userName', password: 'password' }, group: { displayName: 'displayName' } } });
    const r = await request(gw.server).post(`${BASE}/Users`).set(AUTH).send({ userName: 'pw-user', password: 'S3cret!pass' });
    expect(r.status).toBe(201);
    expect(JSON.stringify(r.body)).not.toContain('S3cret');
    const patched = await request(gw.server)
      .patch(`${BASE}/Users/${r.body.id}`)
      .set(AUTH)
      .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'userName', value: 'pw-user-2' }] });
    expect(patched.status).toBe(200);
    expect(JSON.stringify(patched.body)).not.toContain('S3cret');
    // A PATCH that does not mention the write-only password must not erase it from the store.
    if (gw.fortios) {
      // FortiOS never reads a password back ("ENC XXXX"): look at the box itself.
      expect(gw.fortios.vdom().users.get('pw-user-2')?.['passwd']).toBe('S3cret!pass');
      return;
    }
    if (gw.panos) {
      // PAN-OS keeps only a hash (<phash>), never readable through the connector: look at the box's running config.
      const phash = gw.panos.running.user('pw-user-2')?.phash;
      expect(phash !== undefined && phashMatches(phash, 'S3cret!pass')).toBe(true);
      return;
    }
    const ctx = { requestId: 't', signal: new AbortController().signal, log: gw.runtime.log };
    const stored = await gw.runtime.connector.users.get(r.body.id, { withMembers: false }, ctx);
    expect(stored?.fields[gw.field('user', 'password')]).toBe('S3cret!pass');
  });
});
