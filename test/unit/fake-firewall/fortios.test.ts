import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FORTI_ERROR, startFakeFortiOS, type FakeFortiOS, type FakeFortiOSOptions } from '../../support/fake-firewall/fortios.js';

let fgt: FakeFortiOS;

interface CallOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly vdom?: string;
  readonly token?: string | null;
  readonly signal?: AbortSignal;
}

/** One call to the fake; `path` is below /api/v2/cmdb/ and may carry its own query. */
async function call(path: string, options: CallOptions = {}): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const url = new URL(`/api/v2/cmdb/${path}`, fgt.baseUrl);
  if (options.vdom !== undefined) url.searchParams.set('vdom', options.vdom);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = options.token === undefined ? fgt.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

const createUser = (name: string, extra: Record<string, unknown> = {}, vdom?: string) =>
  call('user/local', { method: 'POST', body: { name, type: 'password', passwd: 'S3cret!', ...extra }, ...(vdom ? { vdom } : {}) });
const createGroup = (name: string, members: string[] = [], vdom?: string) =>
  call('user/group', { method: 'POST', body: { name, 'group-type': 'firewall', member: members.map((m) => ({ name: m })) }, ...(vdom ? { vdom } : {}) });

async function start(options: FakeFortiOSOptions = {}): Promise<void> {
  await fgt?.close();
  fgt = await startFakeFortiOS(options);
}

beforeEach(async () => {
  fgt = await startFakeFortiOS({ vdoms: ['root', 'tenant2'] });
});
afterEach(async () => {
  await fgt.close();
});

describe('fake FortiOS: users', () => {
  it('creates a user and answers with the FortiOS write envelope', async () => {
    const res = await createUser('jdoe', { 'email-to': 'jdoe@example.com' }, 'root');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      http_method: 'POST',
      revision_changed: true,
      mkey: 'jdoe',
      status: 'success',
      http_status: 200,
      vdom: 'root',
      path: 'user',
      name: 'local',
      serial: expect.any(String),
      version: expect.stringMatching(/^v7\./),
    });
    expect(res.body.revision).not.toBe(res.body.old_revision);
  });

  it('reads a user back with q_origin_key and the password masked, while the store keeps it for assertions', async () => {
    await createUser('jdoe', { 'email-to': 'jdoe@example.com' });
    const res = await call('user/local/jdoe', { vdom: 'root' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ http_method: 'GET', status: 'success', http_status: 200, vdom: 'root', path: 'user', name: 'local' });
    expect(res.body.results).toEqual([
      expect.objectContaining({ name: 'jdoe', q_origin_key: 'jdoe', status: 'enable', type: 'password', 'email-to': 'jdoe@example.com', passwd: 'ENC XXXX' }),
    ]);
    expect(res.text).not.toContain('S3cret!');
    expect(fgt.vdom('root').users.get('jdoe')?.passwd).toBe('S3cret!');
  });

  it('updates only the fields a PUT names, and reports no revision change for a no-op PUT', async () => {
    await createUser('jdoe', { 'email-to': 'a@example.com' });
    const put = await call('user/local/jdoe', { method: 'PUT', body: { status: 'disable' } });
    expect(put.body).toMatchObject({ http_method: 'PUT', mkey: 'jdoe', revision_changed: true, status: 'success' });
    expect(fgt.vdom().users.get('jdoe')).toMatchObject({ status: 'disable', 'email-to': 'a@example.com' });
    const again = await call('user/local/jdoe', { method: 'PUT', body: { status: 'disable' } });
    expect(again.body).toMatchObject({ revision_changed: false });
    expect(again.body.revision).toBe(put.body.revision);
  });

  it('renames a user with PUT {name}, keeping its place and its group memberships', async () => {
    await createUser('a');
    await createUser('jdoe');
    await createUser('z');
    await createGroup('vpn', ['jdoe']);
    const res = await call('user/local/jdoe', { method: 'PUT', body: { name: 'john.doe' } });
    expect(res.body).toMatchObject({ mkey: 'john.doe', status: 'success' });
    expect([...fgt.vdom().users.keys()]).toEqual(['a', 'john.doe', 'z']);
    expect(fgt.vdom().groups.get('vpn')?.member).toEqual([{ name: 'john.doe' }]);
    expect((await call('user/local/jdoe')).status).toBe(404);
  });

  it('refuses a rename onto an existing name with -5', async () => {
    await createUser('a');
    await createUser('b');
    const res = await call('user/local/a', { method: 'PUT', body: { name: 'b' } });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ status: 'error', http_status: 500, error: FORTI_ERROR.duplicate });
  });

  it('answers a duplicate create with HTTP 500 and error -5', async () => {
    await createUser('jdoe');
    const res = await createUser('jdoe');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ http_method: 'POST', status: 'error', http_status: 500, error: -5, mkey: 'jdoe', vdom: 'root', path: 'user', name: 'local' });
  });

  it('answers an unknown user with 404: no error code on GET, -3 on PUT and DELETE', async () => {
    const get = await call('user/local/nosuch');
    expect(get.status).toBe(404);
    expect(get.body).toMatchObject({ http_method: 'GET', status: 'error', http_status: 404, mkey: 'nosuch', vdom: 'root' });
    expect(get.body).not.toHaveProperty('error');
    for (const method of ['PUT', 'DELETE']) {
      const res = await call('user/local/nosuch', { method, ...(method === 'PUT' ? { body: { status: 'disable' } } : {}) });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ http_method: method, error: FORTI_ERROR.notFound, mkey: 'nosuch' });
    }
  });

  it('deletes a user', async () => {
    await createUser('jdoe');
    const res = await call('user/local/jdoe', { method: 'DELETE' });
    expect(res.body).toMatchObject({ http_method: 'DELETE', mkey: 'jdoe', status: 'success', revision_changed: true });
    expect(fgt.vdom().users.has('jdoe')).toBe(false);
  });

  it('decodes percent-encoded names in paths', async () => {
    const name = 'a/b c%?&é';
    expect((await createUser(name)).status).toBe(200);
    const res = await call(`user/local/${encodeURIComponent(name)}`);
    expect(res.body.results[0].name).toBe(name);
    expect((await call(`user/local/${encodeURIComponent(name)}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('enforces the 64-character user name and 63-character email-to limits with -1', async () => {
    expect((await createUser('u'.repeat(64))).status).toBe(200);
    const long = await createUser('u'.repeat(65));
    expect(long.status).toBe(500);
    expect(long.body.error).toBe(FORTI_ERROR.invalidLength);
    const email = await createUser('e', { 'email-to': `${'x'.repeat(52)}@example.com` });
    expect(email.body.error).toBe(FORTI_ERROR.invalidLength);
  });

  it('rejects bad values (-651), unknown fields (-703), a missing passwd (424) and a non-JSON body (400)', async () => {
    expect((await createUser('a', { status: 'maybe' })).body).toMatchObject({ http_status: 500, error: FORTI_ERROR.invalidValue });
    expect((await createUser('a', { displayName: 'A' })).body).toMatchObject({ http_status: 500, error: FORTI_ERROR.unknownKeyword });
    const noPasswd = await call('user/local', { method: 'POST', body: { name: 'a', type: 'password' } });
    expect(noPasswd.status).toBe(424);
    expect((await call('user/local', { method: 'POST', body: { name: 'a', type: 'saml', 'saml-server': 'idp' } })).status).toBe(200);
    expect((await call('user/local', { method: 'POST', body: '{not json' })).status).toBe(400);
    expect(fgt.vdom().users.size).toBe(1);
  });

  it('accepts unknown fields when strictFields is off', async () => {
    await start({ strictFields: false });
    expect((await createUser('a', { 'ppk-secret': 'x' })).status).toBe(200);
    expect(fgt.vdom().users.get('a')?.['ppk-secret']).toBe('x');
  });
});

describe('fake FortiOS: groups and references', () => {
  it('creates a group, shows members with q_origin_key, and replaces the full member list on PUT', async () => {
    await createUser('jdoe');
    await createUser('bob');
    expect((await createGroup('vpn-users', ['bob'])).body).toMatchObject({ mkey: 'vpn-users', name: 'group', status: 'success' });
    const read = await call('user/group/vpn-users');
    expect(read.body.results[0]).toMatchObject({ name: 'vpn-users', 'group-type': 'firewall', member: [{ name: 'bob', q_origin_key: 'bob' }] });
    await call('user/group/vpn-users', { method: 'PUT', body: { member: [{ name: 'jdoe' }] } });
    expect(fgt.vdom().groups.get('vpn-users')?.member).toEqual([{ name: 'jdoe' }]);
    await call('user/group/vpn-users', { method: 'PUT', body: { 'group-type': 'firewall' } });
    expect(fgt.vdom().groups.get('vpn-users')?.member).toEqual([{ name: 'jdoe' }]);
  });

  it('allows empty groups and enforces the 35-character group name limit', async () => {
    expect((await createGroup('g'.repeat(35))).status).toBe(200);
    expect((await createGroup('g'.repeat(36))).body).toMatchObject({ http_status: 500, error: FORTI_ERROR.invalidLength });
  });

  it('refuses a member that is not a local user with 424 and -3', async () => {
    const res = await createGroup('vpn', ['ghost']);
    expect(res.status).toBe(424);
    expect(res.body).toMatchObject({ status: 'error', http_status: 424, error: FORTI_ERROR.notFound });
    expect(fgt.vdom().groups.size).toBe(0);
  });

  it('refuses to delete a user still in a group with -23, until it is removed from the group', async () => {
    await createUser('jdoe');
    await createGroup('vpn', ['jdoe']);
    const refused = await call('user/local/jdoe', { method: 'DELETE' });
    expect(refused.status).toBe(500);
    expect(refused.body).toMatchObject({ status: 'error', error: FORTI_ERROR.inUse, mkey: 'jdoe' });
    expect(fgt.vdom().groupsOf('jdoe')).toEqual(['vpn']);
    await call('user/group/vpn', { method: 'PUT', body: { member: [] } });
    expect((await call('user/local/jdoe', { method: 'DELETE' })).status).toBe(200);
  });

  it('refuses to delete a group or user a test marks as used by a policy', async () => {
    await createGroup('vpn');
    fgt.vdom().policyRefs.groups.add('vpn');
    expect((await call('user/group/vpn', { method: 'DELETE' })).body.error).toBe(FORTI_ERROR.inUse);
    fgt.vdom().policyRefs.groups.clear();
    expect((await call('user/group/vpn', { method: 'DELETE' })).status).toBe(200);
  });
});

describe('fake FortiOS: lists, paging and filters', () => {
  beforeEach(async () => {
    for (const n of ['alice', 'Bob', 'carol', 'dave', 'erin']) await createUser(n, { status: n === 'dave' ? 'disable' : 'enable' });
    await createGroup('vpn', ['alice', 'carol']);
  });

  it('pages with start and count in table order, with size and matched_count', async () => {
    const names = async (q: string) => (await call(`user/local?${q}`)).body.results.map((u: { name: string }) => u.name);
    expect(await names('start=0&count=2')).toEqual(['alice', 'Bob']);
    expect(await names('start=2&count=2')).toEqual(['carol', 'dave']);
    expect(await names('start=4&count=2')).toEqual(['erin']);
    expect(await names('start=9&count=2')).toEqual([]);
    const res = await call('user/local?count=1&filter=status==enable');
    expect(res.body).toMatchObject({ size: 5, matched_count: 4, results: [{ name: 'alice' }] });
  });

  it('lists the table with a trailing slash too', async () => {
    expect((await call('user/local/')).body.results).toHaveLength(5);
  });

  it('filters with ==, =*, =@, !=, AND across filter= and OR within one', async () => {
    const names = async (q: string) => (await call(`user/local?${q}`)).body.results.map((u: { name: string }) => u.name);
    expect(await names('filter=name==bob')).toEqual([]);
    expect(await names('filter=name==Bob')).toEqual(['Bob']);
    expect(await names('filter=name=*bob')).toEqual(['Bob']);
    expect(await names('filter=name=@AR')).toEqual(['carol']);
    expect(await names('filter=status!=enable')).toEqual(['dave']);
    expect(await names(`filter=${encodeURIComponent('name==alice,name==erin')}`)).toEqual(['alice', 'erin']);
    expect(await names(`filter=status==enable&filter=${encodeURIComponent('name==alice,name==dave')}`)).toEqual(['alice']);
  });

  it('treats a backslash-escaped comma as part of the value', async () => {
    await createUser('x,y');
    const res = await call(`user/local?filter=${encodeURIComponent('name==x\\,y')}`);
    expect(res.body.results.map((u: { name: string }) => u.name)).toEqual(['x,y']);
  });

  it('searches nested member names with member.name==', async () => {
    const res = await call(`user/group?filter=${encodeURIComponent('member.name==carol')}`);
    expect(res.body.results.map((g: { name: string }) => g.name)).toEqual(['vpn']);
    expect((await call(`user/group?filter=${encodeURIComponent('member.name==dave')}`)).body.results).toEqual([]);
  });

  it('limits fields with format=', async () => {
    const res = await call(`user/local/alice?format=${encodeURIComponent('name|status')}`);
    expect(res.body.results[0]).toEqual({ name: 'alice', q_origin_key: 'alice', status: 'enable' });
  });

  it('answers a malformed filter or paging value with -651', async () => {
    expect((await call('user/local?filter=name')).body).toMatchObject({ http_status: 500, error: FORTI_ERROR.invalidValue });
    expect((await call('user/local?start=-1')).body).toMatchObject({ http_status: 500, error: FORTI_ERROR.invalidValue });
  });
});

describe('fake FortiOS: VDOMs and auth', () => {
  it('keeps a separate database per VDOM, and uses the first VDOM when the request names none', async () => {
    await createUser('jdoe', {}, 'tenant2');
    expect((await call('user/local/jdoe', { vdom: 'root' })).status).toBe(404);
    expect((await call('user/local/jdoe', { vdom: 'tenant2' })).body).toMatchObject({ vdom: 'tenant2', results: [{ name: 'jdoe' }] });
    await createUser('jdoe');
    expect(fgt.vdom('root').users.has('jdoe')).toBe(true);
    expect(fgt.requests.at(-1)?.path).toBe('/api/v2/cmdb/user/local');
  });

  it('answers an unknown VDOM with a bare 403 envelope', async () => {
    const res = await call('user/local', { vdom: 'nope' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ http_method: 'GET', status: 'error', http_status: 403, vdom: 'nope', path: 'user', name: 'local' });
  });

  it('answers a GET for several VDOMs with one envelope per VDOM', async () => {
    await createUser('a', {}, 'tenant2');
    const res = await call('user/local', { vdom: 'root,tenant2' });
    expect(res.body).toEqual([
      expect.objectContaining({ vdom: 'root', results: [] }),
      expect.objectContaining({ vdom: 'tenant2', results: [expect.objectContaining({ name: 'a' })] }),
    ]);
  });

  it('answers a missing or wrong token with 401, as an HTML page, and changes nothing', async () => {
    await createUser('jdoe');
    for (const token of [null, 'wrong']) {
      const res = await call('user/local', { method: 'POST', body: { name: 'x', passwd: 'p' }, token });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.text).toContain('401 Authorization Required');
    }
    expect([...fgt.vdom().users.keys()]).toEqual(['jdoe']);
  });

  it('refuses ?access_token= unless acceptQueryToken is set (FortiOS ≥ 7.4.5 default)', async () => {
    const viaQuery = () => call(`user/local?access_token=${fgt.token}`, { token: null });
    expect((await viaQuery()).status).toBe(401);
    await start({ acceptQueryToken: true, token: 'tok123' });
    expect((await viaQuery()).status).toBe(200);
  });

  it('answers 404 for paths it does not model, and 405 for a table-wide DELETE', async () => {
    expect((await call('user/group/vpn/member')).status).toBe(404);
    expect((await call('firewall/address')).status).toBe(404);
    expect((await call('user/local', { method: 'DELETE' })).status).toBe(405);
  });
});

describe('fake FortiOS: test controls', () => {
  it('counts requests by method and path kind', async () => {
    await createUser('a');
    await call('user/local/a');
    await call('user/local/a');
    await call('user/group');
    await call('system/status');
    expect(fgt.counts()).toEqual({ 'POST user/local': 1, 'GET user/local/:name': 2, 'GET user/group': 1, 'GET other': 1 });
    expect(fgt.counts('GET user/local/:name')).toBe(2);
    fgt.resetStats();
    expect(fgt.counts()).toEqual({});
  });

  it('delays each answer by latencyMs', async () => {
    fgt.latencyMs = 60;
    const t0 = performance.now();
    await call('user/local');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
  });

  it('queues requests beyond maxInFlight, never admitting more at once', async () => {
    fgt.latencyMs = 30;
    fgt.maxInFlight = 3;
    const pending = Array.from({ length: 10 }, (_, i) => createUser(`u${i}`));
    await vi.waitFor(() => expect(fgt.queued).toBeGreaterThan(0));
    const results = await Promise.all(pending);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(fgt.peakInFlight).toBe(3);
    expect(fgt.inFlight).toBe(0);
    expect(fgt.vdom().users.size).toBe(10);
  });

  it('answers the next N requests with 429 and Retry-After, without touching state', async () => {
    fgt.injectFault({ kind: 'status', status: 429, retryAfterSec: 2 }, 2);
    for (let i = 0; i < 2; i++) {
      const res = await createUser('jdoe');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
    }
    expect(fgt.vdom().users.size).toBe(0);
    expect((await createUser('jdoe')).status).toBe(200);
    expect(fgt.requests.map((r) => r.fault)).toEqual(['status', 'status', undefined]);
  });

  it('answers an injected 503', async () => {
    fgt.injectFault({ kind: 'status', status: 503 });
    expect((await call('user/local')).status).toBe(503);
    expect((await call('user/local')).status).toBe(200);
  });

  it('resets the connection for an injected reset', async () => {
    fgt.injectFault({ kind: 'reset' });
    const err = await call('user/local').then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(err).toBeInstanceOf(TypeError);
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(err?.cause?.code);
    expect((await call('user/local')).status).toBe(200);
  });

  it('hangs past a client timeout, freeing the slot when the client gives up', async () => {
    fgt.maxInFlight = 1;
    fgt.injectFault({ kind: 'hang' });
    await expect(call('user/local', { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    await vi.waitFor(() => expect(fgt.inFlight).toBe(0));
    expect((await call('user/local')).status).toBe(200);
  });

  it('with hang ms, answers late, and applies the write even after the client timed out', async () => {
    fgt.injectFault({ kind: 'hang', ms: 150 });
    const t0 = performance.now();
    expect((await createUser('slow')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    fgt.injectFault({ kind: 'hang', ms: 200 });
    await expect(call('user/local', { method: 'POST', body: { name: 'landed', passwd: 'p' }, signal: AbortSignal.timeout(50) })).rejects.toThrow();
    expect(fgt.vdom().users.has('landed')).toBe(false);
    await vi.waitFor(() => expect(fgt.vdom().users.has('landed')).toBe(true));
  });

  it('closes promptly with a hung request outstanding', async () => {
    fgt.injectFault({ kind: 'hang' });
    const hung = call('user/local').catch((e: unknown) => e);
    await vi.waitFor(() => expect(fgt.inFlight).toBe(1));
    const t0 = performance.now();
    await fgt.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await hung).toBeInstanceOf(Error);
    fgt = await startFakeFortiOS(); // afterEach closes this one
  });
});
