/**
 * `scimbridge serve` as a real process on the embedded default config (config/gateway.yaml + json-file):
 * token generation, auth, probes, DATA_DIR, the access log, SIGTERM draining and the one-process-per-data-file
 * rule.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, startServe, tempDir, within, type CliBuild, type ServeProcess, type StartServeOptions } from '../support/cli-build.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const TOKEN = 'env-token-7c1e0f3a9b2d4c6e8f0a1b2c3d4e5f60';

let build: CliBuild;
let work: { dir: string; cleanup(): Promise<void> };
let caseNo = 0;
const running: ServeProcess[] = [];

beforeAll(async () => {
  [build, work] = await Promise.all([buildCli(), tempDir('scimbridge-serve-test-')]);
}, 60_000);
afterEach(async () => {
  // Whatever a failed test left running.
  await Promise.all(running.splice(0).map((p) => p.kill()));
});
afterAll(async () => {
  await work?.cleanup();
  await build?.cleanup();
});

async function serve(opts: Partial<StartServeOptions> = {}): Promise<ServeProcess> {
  const cwd = opts.cwd ?? (await caseDir());
  const p = await startServe(build.cli, { ...opts, cwd });
  running.push(p);
  if (p.url === '') throw new Error(`serve did not start:\n${p.stderr()}\n${p.stdout()}`);
  return p;
}

async function caseDir(): Promise<string> {
  const dir = join(work.dir, `case-${++caseNo}`);
  await mkdir(dir);
  return dir;
}

interface Reply {
  status: number;
  body: Record<string, unknown> | undefined;
}

async function call(
  url: string,
  path: string,
  opts: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers['Authorization'] = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/scim+json';
  const res = await fetch(`${url}${path}`, {
    method: opts.method ?? 'GET',
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

const newUser = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER_SCHEMA], userName, ...extra });

/** Values under any `authorization` key, at any depth, that are not redacted. */
function headerValues(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(headerValues);
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => (k.toLowerCase() === 'authorization' && x !== '[REDACTED]' ? [x] : headerValues(x)));
}

/** SIGTERM and the exit code, within `ms`. */
async function terminate(p: ServeProcess, ms = 5000): Promise<number | null> {
  p.child.kill('SIGTERM');
  const { code } = await within(p.exited, ms, 'exit after SIGTERM');
  return code;
}

describe('scimbridge serve (the embedded default)', () => {
  it('generates data/scim-token (mode 0600) when SCIM_TOKEN is unset, names the file in the log and never logs the token', async () => {
    const cwd = await caseDir();
    const p = await serve({ cwd });
    const tokenFile = join(cwd, 'data', 'scim-token');
    const info = await stat(tokenFile);
    expect(info.mode & 0o777).toBe(0o600);
    expect((await stat(join(cwd, 'data'))).mode & 0o777).toBe(0o700);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(token.length).toBeGreaterThanOrEqual(32);

    const line = p.logs().find((l) => typeof l['tokenFile'] === 'string');
    expect(line, p.stdout()).toBeDefined();
    expect(resolve(cwd, String(line!['tokenFile']))).toBe(tokenFile);
    expect(String(line!['msg'])).toContain(String(line!['tokenFile']));

    const list = await call(p.url, '/scim/v2/Users', { token });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 0, Resources: [] });
    expect((await call(p.url, '/scim/v2/Users')).status).toBe(401);
    expect((await call(p.url, '/scim/v2/Users', { token: `${token}x` })).status).toBe(401);
    expect(await call(p.url, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await call(p.url, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });

    expect(await terminate(p)).toBe(0);
    expect(p.stdout() + p.stderr()).not.toContain(token);
  });

  it('keeps the generated token across restarts', async () => {
    const cwd = await caseDir();
    const first = await serve({ cwd });
    const token = (await readFile(join(cwd, 'data', 'scim-token'), 'utf8')).trim();
    expect(await terminate(first)).toBe(0);
    const second = await serve({ cwd });
    expect(second.logs().some((l) => 'tokenFile' in l)).toBe(false);
    expect((await call(second.url, '/scim/v2/Users', { token })).status).toBe(200);
    expect(await terminate(second)).toBe(0);
  });

  it('accepts SCIM_TOKEN when it is set and generates no token file', async () => {
    const cwd = await caseDir();
    const p = await serve({ cwd, env: { SCIM_TOKEN: TOKEN } });
    expect((await call(p.url, '/scim/v2/Users', { token: TOKEN })).status).toBe(200);
    expect((await call(p.url, '/scim/v2/Users', { token: 'another-token-of-sufficient-length-000' })).status).toBe(401);
    expect(existsSync(join(cwd, 'data', 'scim-token'))).toBe(false);
    expect(p.logs().some((l) => 'tokenFile' in l)).toBe(false);
    expect(await terminate(p)).toBe(0);
    expect(p.stdout() + p.stderr()).not.toContain(TOKEN);
  });

  it('keeps the data and the generated token in DATA_DIR when it is set', async () => {
    const cwd = await caseDir();
    const dataDir = join(cwd, 'var', 'lib', 'scimbridge');
    const p = await serve({ cwd, env: { DATA_DIR: dataDir } });
    const token = (await readFile(join(dataDir, 'scim-token'), 'utf8')).trim();
    expect((await call(p.url, '/scim/v2/Users', { token, method: 'POST', body: newUser('dd@example.com') })).status).toBe(201);
    expect(await terminate(p)).toBe(0);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    expect((await readdir(dataDir)).sort()).toEqual(['scim-token', 'scimbridge.json']);
    const doc = JSON.parse(await readFile(join(dataDir, 'scimbridge.json'), 'utf8')) as { users: { fields: { userName: string } }[] };
    expect(doc.users.map((u) => u.fields.userName)).toEqual(['dd@example.com']);
  });

  it('logs one JSON line per SCIM request with method, path, endpoint, status, durationMs and resourceId, and never the Authorization header', async () => {
    const p = await serve({ env: { SCIM_TOKEN: TOKEN } });
    const wrongToken = 'wrong-token-0f9e8d7c6b5a4f3e2d1c0b9a8f7e';
    const rid = (n: string) => ({ 'client-request-id': `cli-test-${n}` });
    const created = await call(p.url, '/scim/v2/Users', {
      token: TOKEN,
      method: 'POST',
      body: newUser('log@example.com', { displayName: 'Log Test' }),
      headers: rid('create'),
    });
    expect(created.status).toBe(201);
    const id = String(created.body!['id']);
    const patchBody = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Engineer' }] };
    const requests: [string, { method?: string; token?: string; body?: unknown }, number][] = [
      ['list', { token: TOKEN }, 200],
      ['get', { token: TOKEN }, 200],
      ['patch', { token: TOKEN, method: 'PATCH', body: patchBody }, 200],
      ['wrong-token', { token: wrongToken }, 401],
      ['delete', { token: TOKEN, method: 'DELETE' }, 204],
      ['gone', { token: TOKEN }, 404],
    ];
    for (const [name, opts, status] of requests) {
      const path = name === 'list' || name === 'wrong-token' ? '/scim/v2/Users' : `/scim/v2/Users/${id}`;
      expect((await call(p.url, path, { ...opts, headers: rid(name) })).status, name).toBe(status);
    }
    expect((await call(p.url, '/healthz')).status).toBe(200);
    expect(await terminate(p)).toBe(0);

    const logs = p.logs();
    expect(logs.length, 'every stdout line is JSON').toBe(p.lines.length);
    const scimLines = logs.filter((l) => l['msg'] === 'scim request');
    const byId = (n: string) => scimLines.filter((l) => l['requestId'] === `cli-test-${n}`);
    const expected: [string, string, string, number, string | undefined][] = [
      ['create', 'POST', '/scim/v2/Users', 201, id],
      ['list', 'GET', '/scim/v2/Users', 200, undefined],
      ['get', 'GET', `/scim/v2/Users/${id}`, 200, id],
      ['patch', 'PATCH', `/scim/v2/Users/${id}`, 200, id],
      ['wrong-token', 'GET', '/scim/v2/Users', 401, undefined],
      ['delete', 'DELETE', `/scim/v2/Users/${id}`, 204, id],
      ['gone', 'GET', `/scim/v2/Users/${id}`, 404, undefined],
    ];
    for (const [name, method, path, status, resourceId] of expected) {
      const lines = byId(name);
      expect(lines, name).toHaveLength(1);
      const line = lines[0]!;
      expect(line, name).toMatchObject({ level: 'info', method, path, endpoint: '/scim/v2', status });
      expect(typeof line['durationMs'], name).toBe('number');
      if (resourceId !== undefined) expect(line['resourceId'], name).toBe(resourceId);
    }
    expect(scimLines, 'no SCIM request line for anything else').toHaveLength(expected.length);
    const everything = p.stdout() + p.stderr();
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(wrongToken);
    expect(everything).not.toMatch(/Bearer\s+[^\s"]{8,}/i);
    for (const l of logs) expect(headerValues(l), JSON.stringify(l)).toEqual([]);
  });

  it('drains on SIGTERM: requests in flight are answered, the exit code is 0 and scimbridge.json holds every created user', async () => {
    const cwd = await caseDir();
    const p = await serve({ cwd, env: { SCIM_TOKEN: TOKEN } });
    const before = ['early-1@example.com', 'early-2@example.com'];
    for (const u of before) expect((await call(p.url, '/scim/v2/Users', { token: TOKEN, method: 'POST', body: newUser(u) })).status).toBe(201);

    // A burst; SIGTERM as soon as the first of it is answered, while the rest are in flight or queued.
    let signalled = false;
    const burst = Array.from({ length: 48 }, (_, i) => `burst-${i}@example.com`);
    const outcomes = await Promise.all(
      burst.map(async (u) => {
        try {
          const r = await call(p.url, '/scim/v2/Users', { token: TOKEN, method: 'POST', body: newUser(u) });
          if (!signalled) {
            signalled = true;
            p.child.kill('SIGTERM');
          }
          return { u, status: r.status };
        } catch {
          return { u, status: 0 }; // refused or cut: not acknowledged
        }
      }),
    );
    const { code } = await within(p.exited, 5000, 'exit after SIGTERM');
    expect(code, p.stderr()).toBe(0);
    for (const o of outcomes) expect([0, 201], o.u).toContain(o.status);
    const acked = [...before, ...outcomes.filter((o) => o.status === 201).map((o) => o.u)];
    expect(acked.length).toBeGreaterThan(before.length);

    const doc = JSON.parse(await readFile(join(cwd, 'data', 'scimbridge.json'), 'utf8')) as { users: { fields: { userName: string } }[] };
    const stored = new Set(doc.users.map((u) => u.fields.userName));
    for (const u of acked) expect(stored.has(u), u).toBe(true);
    const msgs = p.logs().map((l) => l['msg']);
    expect(msgs).toContain('draining');
    expect(msgs.at(-1)).toBe('stopped');
    expect(p.stderr()).toBe('');
    // Closed cleanly: the lock is released and the journal folded into the document.
    expect((await readdir(join(cwd, 'data'))).sort()).toEqual(['scimbridge.json']);
  });

  it('refuses a second serve on the same DATA_DIR, naming the data file and the process holding it, while the first keeps serving', async () => {
    const cwd = await caseDir();
    const dataDir = join(cwd, 'shared');
    const env = { SCIM_TOKEN: TOKEN, DATA_DIR: dataDir };
    const first = await serve({ cwd, env });
    expect((await call(first.url, '/scim/v2/Users', { token: TOKEN, method: 'POST', body: newUser('one@example.com') })).status).toBe(201);

    const second = await startServe(build.cli, { cwd, env });
    running.push(second);
    expect(second.url).toBe('');
    const { code } = await within(second.exited, 10_000, 'the second serve exiting');
    expect(code).not.toBe(0);
    expect(second.stderr()).toContain(join(dataDir, 'scimbridge.json'));
    expect(second.stderr()).toContain(`in use by another scimbridge process (pid ${first.pid} `);

    const list = await call(first.url, '/scim/v2/Users', { token: TOKEN });
    expect(list.status).toBe(200);
    expect(list.body!['totalResults']).toBe(1);
    expect((await call(first.url, '/scim/v2/Users', { token: TOKEN, method: 'POST', body: newUser('two@example.com') })).status).toBe(201);
    expect(await terminate(first)).toBe(0);
    const doc = JSON.parse(await readFile(join(dataDir, 'scimbridge.json'), 'utf8')) as { users: { fields: { userName: string } }[] };
    expect(doc.users.map((u) => u.fields.userName).sort()).toEqual(['one@example.com', 'two@example.com']);
  });
});
