/**
 * FortiOS through HTTP when the firewall misbehaves, and membership under load: an outage is a 503 with
 * Retry-After (never a 4xx, which Entra would act on), and once the box is back nothing acknowledged is
 * lost and nothing is duplicated; concurrent member additions to one group all land; a user in groups
 * can be deleted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/build-app.js';
import { createGroup, createUser, GROUP_SCHEMA, PATCH_OP, scimClient, USER_SCHEMA, type ScimClient } from '../support/scim-client.js';

// Short retries so an outage is answered quickly; the queue's own timeout stays far above them.
const FAST = { retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20, budgetMs: 500 }, timeoutMs: 300 };

function expect503(res: { status: number; headers: Record<string, string | string[] | undefined> }, what: string): void {
  expect(res.status, what).toBe(503);
  expect(Number(res.headers['retry-after']), `${what}: Retry-After`).toBeGreaterThanOrEqual(1);
}

describe('FortiOS: the firewall down or slow', () => {
  let gw: TestGateway;
  let api: ScimClient;
  beforeAll(async () => {
    gw = await startTestGateway({ options: FAST });
    api = scimClient(gw.server);
  });
  afterAll(async () => gw.close());

  it('answers every operation 503 with Retry-After while the firewall resets connections, and applies them once it is back', async () => {
    const u = await createUser(api, { userName: 'outage-u' });
    const g = await createGroup(api, { displayName: 'outage-g' });
    const fgt = gw.fortios!;
    fgt.injectFault({ kind: 'reset' }, 10_000);
    const attempts = {
      create: () => api.post('/Users', { schemas: [USER_SCHEMA], userName: 'outage-new' }),
      read: () => api.get(`/Users/${u['id']}`),
      list: () => api.list('/Users', { filter: 'userName eq "outage-u"' }),
      patch: () => api.patchOps(`/Users/${u['id']}`, [{ op: 'replace', path: 'active', value: false }]),
      member: () => api.patchOps(`/Groups/${g['id']}`, [{ op: 'add', path: 'members', value: [{ value: u['id'] }] }]),
      delete: () => api.delete(`/Groups/${g['id']}`),
    };
    for (const [what, call] of Object.entries(attempts)) expect503(await call(), what);
    fgt.clearFaults();
    // Entra retries the same requests later: each applies exactly once.
    expect((await attempts.create()).status).toBe(201);
    expect((await attempts.patch()).status).toBe(200);
    expect((await attempts.member()).status).toBe(204);
    expect((await attempts.read()).body.active).toBe(false);
    const db = fgt.vdom();
    expect([...db.users.keys()].sort()).toEqual(['outage-new', 'outage-u']);
    expect(db.users.get('outage-u')?.['status']).toBe('disable');
    expect(db.groups.get('outage-g')?.['member']).toEqual([{ name: 'outage-u' }]);
    expect((await attempts.delete()).status).toBe(204);
    expect(db.groups.has('outage-g')).toBe(false);
  });

  it("answers 503 when the firewall refuses the gateway's API token (upstream auth), never 401 or 403", async () => {
    const fgt = gw.fortios! as { token: string };
    const good = fgt.token;
    fgt.token = 'rotated-on-the-box';
    try {
      expect503(await api.get('/Users'), 'list');
      expect503(await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'no-auth' }), 'create');
    } finally {
      fgt.token = good;
    }
  });

  it('refuses to start with a token the firewall refuses (a configuration error, not an outage)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scimbridge-fortios-badtoken-'));
    try {
      const started = await startTestGateway({ fortios: { fake: gw.fortios!, dir }, options: { ...FAST, token: 'not-the-token' } }).catch((err: unknown) => err);
      expect(String(started)).toMatch(/could not start: FortiOS: probe user\/local: the firewall refused the gateway's API credential \(HTTP 401\)/);
      expect(String(started)).not.toContain('not-the-token');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('passes on the Retry-After of a firewall answering 503, and never answers 4xx for it', async () => {
    const fgt = gw.fortios!;
    fgt.injectFault({ kind: 'status', status: 503, retryAfterSec: 7 }, 10);
    const res = await api.list('/Users', { filter: 'userName eq "anyone"' });
    expect503(res, 'list');
    expect(res.headers['retry-after']).toBe('7');
    fgt.clearFaults();
    // Last in this block: the transport now holds this gateway's requests for those 7 s.
  });

});

describe('FortiOS: a create whose answer is lost', () => {
  let gw: TestGateway;
  let api: ScimClient;
  beforeAll(async () => {
    gw = await startTestGateway({ options: FAST });
    api = scimClient(gw.server);
  });
  afterAll(async () => gw.close());

  it('reads back a create that landed after its answer was lost, and answers 201 without a second POST', async () => {
    const fgt = gw.fortios!;
    fgt.resetStats();
    // One request at a time on the box: the POST is applied at 450 ms, after the client's 300 ms timeout, and
    // the read-back GET queued behind it sees the new user.
    fgt.maxInFlight = 1;
    fgt.injectFault({ kind: 'hang', ms: 450 }, 1);
    try {
      const res = await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'landed', externalId: 'ext-landed' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ userName: 'landed', externalId: 'ext-landed' });
    } finally {
      fgt.maxInFlight = Infinity;
    }
    expect(fgt.counts('POST user/local')).toBe(1);
    expect([...fgt.vdom().users.keys()]).toContain('landed');
  });

  it('answers 503 when the create is not there after its answer was lost; the retry finds it once it lands, never a duplicate', async () => {
    const fgt = gw.fortios!;
    fgt.resetStats();
    // The POST is applied 800 ms later, after the client has timed out and the read-back found nothing.
    fgt.injectFault({ kind: 'hang', ms: 800 }, 1);
    const res = await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'late', externalId: 'ext-late' });
    expect503(res, 'create');
    await new Promise((r) => setTimeout(r, 1000));
    expect(fgt.vdom().users.has('late')).toBe(true);
    // Entra's retry: look up by userName first, and take over what it finds.
    const found = await api.list('/Users', { filter: 'userName eq "late"' });
    expect(found.body.totalResults).toBe(1);
    const again = await api.post('/Users', { schemas: [USER_SCHEMA], userName: 'late' });
    expect(again.status).toBe(409);
    expect(fgt.counts('POST user/local')).toBe(1);
    expect([...fgt.vdom().users.keys()].filter((k) => k === 'late')).toHaveLength(1);
  });
});

describe('FortiOS: membership', () => {
  let gw: TestGateway;
  let api: ScimClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    api = scimClient(gw.server);
  });
  afterAll(async () => gw.close());

  it('keeps all of 200 concurrent member additions to one group (GET+PUT of the member list under a per-group lock)', async () => {
    const users: string[] = [];
    for (let i = 0; i < 200; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, k) => createUser(api, { userName: `m${i + k}` })));
      users.push(...batch.map((u) => u['id'] as string));
    }
    const g = await createGroup(api, { displayName: 'everyone' });
    gw.fortios!.latencyMs = 2;
    try {
      const results = await Promise.all(
        users.map((id) => api.patch(`/Groups/${g['id']}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }] })),
      );
      expect(results.map((r) => r.status).filter((s) => s !== 204)).toEqual([]);
    } finally {
      gw.fortios!.latencyMs = 0;
    }
    expect(gw.fortios!.vdom().groups.get('everyone')?.['member']).toHaveLength(200);
    const read = await api.get(`/Groups/${g['id']}`);
    expect(new Set(read.body.members.map((m: { value: string }) => m.value))).toEqual(new Set(users));
    expect(gw.fortios!.peakInFlight).toBeLessThanOrEqual(4); // the transport's default limit
  });

  it('deletes a user that is in groups: it leaves them first (FortiOS refuses −23 otherwise)', async () => {
    const u = await createUser(api, { userName: 'leaver' });
    const keep = await createUser(api, { userName: 'stayer' });
    const a = await createGroup(api, { displayName: 'grp-a', members: [{ value: u['id'] }, { value: keep['id'] }] });
    await createGroup(api, { displayName: 'grp-b', members: [{ value: u['id'] }] });
    expect((await api.delete(`/Users/${u['id']}`)).status).toBe(204);
    const db = gw.fortios!.vdom();
    expect(db.users.has('leaver')).toBe(false);
    expect(db.groups.get('grp-a')?.['member']).toEqual([{ name: 'stayer' }]);
    expect(db.groups.get('grp-b')?.['member']).toEqual([]);
    expect((await api.get(`/Groups/${a['id']}`)).body.members.map((m: { value: string }) => m.value)).toEqual([keep['id']]);
    expect((await api.get(`/Users/${u['id']}`)).status).toBe(404);
  });

  it('keeps members an administrator added on the box when it changes a group, and adopts them', async () => {
    const u = await createUser(api, { userName: 'local-one' });
    const g = await createGroup(api, { displayName: 'mixed' });
    const db = gw.fortios!.vdom();
    db.users.set('boxer', { name: 'boxer', type: 'password', passwd: 'x', status: 'enable' });
    db.groups.get('mixed')!['member'] = [{ name: 'boxer' }];
    await api.patchOps(`/Groups/${g['id']}`, [{ op: 'add', path: 'members', value: [{ value: u['id'] }] }]);
    expect(db.groups.get('mixed')?.['member']).toEqual([{ name: 'boxer' }, { name: 'local-one' }]);
    const read = await api.get(`/Groups/${g['id']}`);
    const boxer = await api.list('/Users', { filter: 'userName eq "boxer"' });
    expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual([u['id'], boxer.body.Resources[0].id].sort());
  });

  it('refuses a group as a member with 400 (FortiOS groups hold users only)', async () => {
    const inner = await createGroup(api, { displayName: 'inner' });
    const res = await api.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'outer', members: [{ value: inner['id'] }] });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/groups hold users only/);
  });
});
