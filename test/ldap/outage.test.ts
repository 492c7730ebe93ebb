/**
 * The directory failing under a running gateway (LDAP connector, real slapd): stopped in the middle of a
 * request run, hung (SIGSTOP), refusing the service account's password, down when the gateway starts. Every
 * failure is a 503 with Retry-After (never a 4xx, which Entra would take as the request's fault, nor a
 * 401/403, which it would take as its token's), and the same gateway recovers by itself.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Attribute, Change, type Client } from 'ldapts';
import type { Response } from 'supertest';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { adminClient, capturingLogger, startLdapGateway, type LdapGateway } from '../support/ldap-gateway.js';
import { describeLdap } from '../support/ldap-suite.js';
import { createGroup, createUser, scimClient, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';
import { startSlapd, type Slapd } from '../support/slapd.js';

const TIMEOUT_MS = 500;

function expect503(res: Response, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(503);
  expect(Number(res.headers['retry-after']), `${what}: Retry-After`).toBeGreaterThan(0);
}

describeLdap('LDAP outages through HTTP', () => {
  let slapd: Slapd;
  let gw: LdapGateway | undefined;

  beforeAll(async () => {
    slapd = await startSlapd();
  });
  afterAll(async () => {
    await slapd?.destroy();
  });
  afterEach(async () => {
    slapd.resume(); // in case a test failed while paused
    if (slapd.pid === 0 || !isRunning(slapd.pid)) await slapd.restart();
    await gw?.close();
    gw = undefined;
  });

  const isRunning = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  /** SIGSTOP takes effect asynchronously: wait until the kernel shows slapd stopped (Linux), so nothing is answered after pause(). */
  async function paused(): Promise<void> {
    slapd.pause();
    for (let i = 0; i < 100; i++) {
      const stat = await readFile(`/proc/${slapd.pid}/stat`, 'utf8').catch(() => undefined);
      if (stat === undefined) return sleep(50); // not Linux: give the signal a moment
      if (/^\d+ \(.*\) [tT] /.test(stat)) return;
      await sleep(5);
    }
  }

  async function start(): Promise<ScimClient> {
    gw = await startLdapGateway({ slapd, options: { timeoutMs: TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS } });
    return scimClient(gw.server);
  }

  /** One round of the requests Entra sends most: lookups, reads, attribute and membership PATCHes. */
  async function requests(api: ScimClient, user: string, group: string, round: number): Promise<[string, Response][]> {
    const calls: [string, () => Promise<Response>][] = [
      ['GET user', () => api.get(`/Users/${user}`)],
      ['filter by userName', () => api.list('/Users', { filter: 'userName eq "steady"' })],
      ['PATCH title', () => api.patchOps(`/Users/${user}`, [{ op: 'replace', path: 'title', value: `round ${round}` }])],
      ['PATCH add member', () => api.patchOps(`/Groups/${group}`, [{ op: 'add', path: 'members', value: [{ value: user }] }])],
      ['GET group', () => api.get(`/Groups/${group}`)],
      ['list users', () => api.list('/Users', { count: 10 })],
    ];
    return Promise.all(calls.map(async ([what, call]) => [what, await call()] as [string, Response]));
  }

  it('answers 503 with Retry-After and never a 4xx while slapd is stopped mid-run, and recovers after restart without a gateway restart', async () => {
    const api = await start();
    const user = String((await createUser(api, { userName: 'steady' })).id);
    const group = String((await createGroup(api, { displayName: 'Steady' })).id);

    const seen: [string, Response][] = [];
    let stopped: Promise<void> | undefined;
    for (let round = 0; round < 12; round++) {
      if (round === 4) stopped = slapd.stop(); // in the middle of the run, with requests in flight
      seen.push(...(await requests(api, user, group, round)));
    }
    await stopped;
    const statuses = seen.map(([what, res]) => `${what} ${res.status}`);
    expect(seen.filter(([, res]) => res.status >= 400 && res.status < 500).map(([w, r]) => `${w} ${r.status}`), 'no 4xx').toEqual([]);
    expect(seen.filter(([, res]) => res.status >= 500 && res.status !== 503), 'no other 5xx').toEqual([]);
    for (const [what, res] of seen.filter(([, r]) => r.status === 503)) expect503(res, what);
    expect(seen.slice(-6).every(([, r]) => r.status === 503), statuses.join(', ')).toBe(true);

    await slapd.restart();
    for (const [what, res] of await requests(api, user, group, 99)) {
      expect(res.status, `${what} after restart: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    }
    expect((await api.get(`/Users/${user}`)).body.title).toBe('round 99');
    expect((await api.get(`/Groups/${group}`)).body.members.map((m: { value: string }) => m.value)).toEqual([user]);
  });

  it('answers 503 within the timeout while slapd hangs (SIGSTOP), and works again after SIGCONT', async () => {
    const api = await start();
    const user = String((await createUser(api, { userName: 'hung' })).id);
    await paused();
    try {
      for (const [what, call] of [
        ['GET user', () => api.get(`/Users/${user}`)],
        ['PATCH title', () => api.patchOps(`/Users/${user}`, [{ op: 'replace', path: 'title', value: 'x' }])],
        ['list', () => api.list('/Users', { filter: 'userName eq "hung"' })],
        ['GET user again', () => api.get(`/Users/${user}`)],
      ] as const) {
        const t0 = performance.now();
        const res = await call();
        const ms = performance.now() - t0;
        expect503(res, what);
        // One timeout, plus scheduling slack; a hung directory must not cost a retry on top.
        expect(ms, what).toBeLessThan(TIMEOUT_MS + 400);
      }
    } finally {
      slapd.resume();
    }
    const res = await api.get(`/Users/${user}`);
    expect(res.status).toBe(200);
    expect(res.body.userName).toBe('hung');
  });

  it('answers 503, never 401 or 403, when the directory rejects the service account\'s password, and recovers when it is right again', async () => {
    const cap = capturingLogger('warn');
    gw = await startLdapGateway({ slapd, options: { timeoutMs: TIMEOUT_MS }, log: cap.log });
    const api = scimClient(gw.server);
    const user = String((await createUser(api, { userName: 'authy' })).id);
    const setPassword = async (pw: string) => {
      const admin: Client = await adminClient(slapd);
      try {
        await admin.modify(slapd.serviceDN, new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [pw] }) }));
      } finally {
        await admin.unbind().catch(() => undefined);
      }
    };
    await setPassword('changed-behind-our-back');
    try {
      await slapd.restart(); // drops the bound connection: the gateway has to bind again
      for (const [what, call] of [
        ['GET user', () => api.get(`/Users/${user}`)],
        ['POST user', () => api.post('/Users', { schemas: [USER_SCHEMA], userName: 'new' })],
        ['list', () => api.list('/Users', { filter: 'userName eq "authy"' })],
      ] as const) {
        expect503(await call(), what);
      }
      // The operator reads why: the directory refused the gateway's own account.
      expect(cap.text()).toMatch(/refused the gateway's service account \(invalidCredentials\)/);
    } finally {
      await setPassword(slapd.servicePassword);
    }
    expect((await api.get(`/Users/${user}`)).status).toBe(200);
  });

  it('refuses to start with a wrong service password, naming the bind (it will not fix itself)', async () => {
    const ous = await slapd.freshOus('badpw');
    await expect(startLdapGateway({ slapd, ous, options: { bindPassword: 'wrong' } })).rejects.toThrow(/could not start.*bind as cn=scimbridge.*service account/);
  });

  it('starts while the directory is unreachable, answers 503 meanwhile, and works once slapd is up', async () => {
    const ous = await slapd.freshOus('late');
    await slapd.stop();
    gw = await startLdapGateway({ slapd, ous, options: { timeoutMs: TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS } });
    const api = scimClient(gw.server);
    expect503(await api.get('/Users'), 'list while down');
    expect503(await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'early' }), 'create while down');

    await slapd.restart();
    const u = await createUser(api, { userName: 'early' });
    expect((await api.get(`/Users/${u.id}`)).status).toBe(200);
    expect((await api.list('/Users', { count: 0 })).body.totalResults).toBe(1);
  });
});
