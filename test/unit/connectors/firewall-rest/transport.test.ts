/**
 * The shared firewall transport (connectors/firewall-rest/transport.ts) against nock: retries, pauses,
 * budgets, status mapping and what reaches logs. Real axios, real sockets up to nock's interceptor.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../../../connectors/firewall-rest/api.js';
import { retrySchema, limitsSchema } from '../../../../connectors/firewall-rest/common-config.js';
import { isTransient } from '../../../../connectors/firewall-rest/fortios/errors.js';
import { HttpTransport, type TransportOptions } from '../../../../connectors/firewall-rest/transport.js';
import { ConnectorError } from '../../../../connectors/types.js';
import { startFakeFortiOS, type FakeFortiOS } from '../../../support/fake-firewall/fortios.js';

const BASE = 'https://fgt.example.test';
const TOKEN = 'SECRET-TOKEN-5f1c9e2a7b';

let lines: string[] = [];
const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) });

type Overrides = Partial<Omit<TransportOptions, 'retry' | 'limits'>> & { retry?: Partial<TransportOptions['retry']>; limits?: Partial<TransportOptions['limits']> };

function transport(overrides: Overrides = {}): HttpTransport {
  const { retry, limits, ...rest } = overrides;
  return new HttpTransport({
    baseUrl: BASE,
    tls: { rejectUnauthorized: true },
    timeoutMs: 2000,
    maxResponseBytes: 64 * 1024,
    label: 'FortiOS',
    log,
    random: () => 0.5,
    ...rest,
    limits: limitsSchema.parse(limits ?? {}),
    retry: retrySchema.parse({ attempts: 4, baseDelayMs: 20, maxDelayMs: 100, budgetMs: 5000, ...retry }),
  });
}

const req = (method: HttpRequest['method'], path = '/api/v2/cmdb/user/local/jdoe', extra: Partial<HttpRequest> = {}): HttpRequest => ({
  method,
  path,
  headers: { authorization: `Bearer ${TOKEN}` },
  what: `${method.toLowerCase()} user`,
  ...(method === 'POST' || method === 'PUT' ? { body: { name: 'jdoe', passwd: 'p4ss' } } : {}),
  ...extra,
});

const signal = () => new AbortController().signal;

/** A transport on a fresh fake FortiOS (real sockets), for what nock cannot do. */
async function withFake(fn: (fgt: FakeFortiOS, t: HttpTransport) => Promise<void>): Promise<void> {
  nock.enableNetConnect('127.0.0.1');
  const fgt = await startFakeFortiOS();
  try {
    await fn(fgt, make({ baseUrl: fgt.baseUrl }));
  } finally {
    await fgt.close();
    nock.disableNetConnect();
  }
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => expect.fail('expected the request to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}

const transports: HttpTransport[] = [];
const make = (o?: Parameters<typeof transport>[0]) => {
  const t = transport(o);
  transports.push(t);
  return t;
};

beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  nock.cleanAll();
  for (const t of transports.splice(0)) await t.close();
  lines = [];
});
afterAll(() => nock.enableNetConnect());

describe('firewall transport: throttling', () => {
  it('pauses the whole queue for Retry-After on 429, then retries and succeeds', async () => {
    const t = make();
    nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(429, '', { 'Retry-After': '1' });
    nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(200, '{"status":"success"}');
    nock(BASE).get('/api/v2/cmdb/user/local/other').reply(200, '{"status":"success"}');
    const t0 = Date.now();
    const first = t.request(req('GET'), signal());
    // Let the 429 arrive, then send a request to another object: it must wait for the pause too.
    await new Promise((r) => setTimeout(r, 100));
    expect(t.stats().paused).toBe(true);
    const second = t.request(req('GET', '/api/v2/cmdb/user/local/other'), signal());
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(nock.isDone()).toBe(true);
  });

  it('retries even a POST after 429 (a refusal: nothing was applied)', async () => {
    const t = make();
    nock(BASE).post('/api/v2/cmdb/user/local').reply(429, '', { 'Retry-After': '0' });
    nock(BASE).post('/api/v2/cmdb/user/local').reply(200, '{"status":"success"}');
    expect((await t.request(req('POST', '/api/v2/cmdb/user/local'), signal())).status).toBe(200);
    expect(nock.isDone()).toBe(true);
  });

  it('gives up with rate-limited and the firewall Retry-After when it does not fit the budget', async () => {
    const t = make({ retry: { budgetMs: 1000 } });
    nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(429, '', { 'Retry-After': '30' });
    const err = await failure(t.request(req('GET'), signal()));
    expect(err.kind).toBe('rate-limited');
    expect(err.retryAfterSec).toBe(30);
    expect(err.message).toMatch(/^FortiOS: get user: .*429/);
  });
});

describe('firewall transport: retries', () => {
  // nock does not deliver socket errors (replyWithError hangs until the timeout): resets use the fake FortiOS.
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    it(`retries ${method} after 502, 503 and a connection reset, within the budget`, async () => {
      await withFake(async (fgt, t) => {
        fgt.injectFault({ kind: 'status', status: 502 });
        fgt.injectFault({ kind: 'status', status: 503 });
        fgt.injectFault({ kind: 'reset' });
        const res = await t.request(req(method, '/api/v2/cmdb/user/local/nosuch', { headers: { authorization: `Bearer ${fgt.token}` } }), signal());
        expect(res.status).toBe(404); // the fake's real answer, on the fourth attempt
        expect(fgt.requests.map((r) => r.fault ?? 'answered')).toEqual(['status', 'status', 'reset', 'answered']);
      });
    });
  }

  it('never retries a POST after a 5xx: the create may have been applied', async () => {
    const t = make();
    nock(BASE).post('/api/v2/cmdb/user/local').reply(502, 'bad gateway');
    const spare = nock(BASE).post('/api/v2/cmdb/user/local').reply(200, '{}');
    const err = await failure(t.request(req('POST', '/api/v2/cmdb/user/local'), signal()));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toBe('FortiOS: post user: the firewall answered HTTP 502');
    expect(spare.isDone()).toBe(false);
  });

  it('never retries a POST whose connection was reset (the create may have landed)', async () => {
    await withFake(async (fgt, t) => {
      fgt.injectFault({ kind: 'reset' });
      const err = await failure(t.request(req('POST', '/api/v2/cmdb/user/local'), signal()));
      expect(err.kind).toBe('unavailable');
      expect(err.message).toMatch(/connection broke \(ECONNRESET\)/);
      expect(fgt.counts('POST user/local')).toBe(1);
    });
  });

  it('retries a POST whose connection was refused (nothing was sent)', async () => {
    nock.enableNetConnect('127.0.0.1');
    const server = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    try {
      const t = make({ baseUrl: `http://127.0.0.1:${port}`, retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 100 } });
      // Nothing listens for the first attempts; the port is served again before the last one.
      setTimeout(() => server.listen(port, '127.0.0.1'), 60);
      const res = await t.request(req('POST', '/api/v2/cmdb/user/local'), signal());
      expect(res.status).toBe(200);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      nock.disableNetConnect();
    }
  });

  it('times out a slow answer per attempt and retries it, then gives up unavailable with a Retry-After', async () => {
    const t = make({ timeoutMs: 100, retry: { attempts: 2 } });
    const scope = nock(BASE).get('/api/v2/cmdb/user/local/jdoe').times(2).delay(400).reply(200, '{}');
    const t0 = Date.now();
    const err = await failure(t.request(req('GET'), signal()));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toMatch(/no answer within timeoutMs/);
    expect(err.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(scope.isDone()).toBe(true);
  });

  it('stops when the attempts are used up, unavailable with a Retry-After', async () => {
    const t = make({ retry: { attempts: 3 } });
    const scope = nock(BASE).get('/api/v2/cmdb/user/local/jdoe').times(3).reply(503, 'down');
    const err = await failure(t.request(req('GET'), signal()));
    expect(err.kind).toBe('unavailable');
    expect(err.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(scope.isDone()).toBe(true);
  });

  it('stops when the next wait would overrun the budget, with the Retry-After the firewall asked for', async () => {
    const t = make({ retry: { budgetMs: 2000 } });
    nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(503, 'maintenance', { 'Retry-After': '120' });
    const t0 = Date.now();
    const err = await failure(t.request(req('GET'), signal()));
    expect(err.kind).toBe('unavailable');
    expect(err.retryAfterSec).toBe(120);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('gives up as soon as the caller aborts, without another attempt', async () => {
    const t = make({ retry: { baseDelayMs: 2000, maxDelayMs: 2000 } });
    nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(502, '');
    const spare = nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(200, '{}');
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('queue timeout')), 100);
    const err = await failure(t.request(req('GET'), ac.signal));
    expect(err.kind).toBe('unavailable');
    expect(spare.isDone()).toBe(false);
  });

  it("retries FortiOS's 500 without an envelope (web server) but not a CMDB error envelope", async () => {
    const t = make({ isTransient });
    nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(500, '<html>Internal Server Error</html>');
    nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(200, '{}');
    expect((await t.request(req('GET'), signal())).status).toBe(200);
    nock(BASE).put('/api/v2/cmdb/user/local/jdoe').reply(500, JSON.stringify({ status: 'error', http_status: 500, error: -5 }));
    const spare = nock(BASE).put('/api/v2/cmdb/user/local/jdoe').reply(200, '{}');
    expect((await t.request(req('PUT'), signal())).status).toBe(500);
    expect(spare.isDone()).toBe(false);
  });
});

describe('firewall transport: answers and secrets', () => {
  it('maps 401 and 403 to upstream-auth at once, never retried', async () => {
    const t = make();
    for (const status of [401, 403]) {
      nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(status, '<html>Authorization Required</html>');
      const spare = nock(BASE).get('/api/v2/cmdb/user/local/jdoe').reply(200, '{}');
      const err = await failure(t.request(req('GET'), signal()));
      expect(err.kind).toBe('upstream-auth');
      expect(err.message).toContain(`HTTP ${status}`);
      expect(spare.isDone()).toBe(false);
      nock.cleanAll();
    }
  });

  it('passes other answers through as they are, with lower-case headers', async () => {
    const t = make();
    nock(BASE).get('/api/v2/cmdb/user/local/nosuch').query({ vdom: 'root' }).reply(404, '{"status":"error"}', { 'X-Thing': 'y' });
    const res = await t.request(req('GET', '/api/v2/cmdb/user/local/nosuch', { query: { vdom: 'root' } }), signal());
    expect(res).toMatchObject({ status: 404, body: '{"status":"error"}' });
    expect(res.headers['x-thing']).toBe('y');
  });

  it('sends JSON bodies and the profile headers, and forms urlencoded', async () => {
    const t = make();
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } })
      .put('/api/v2/cmdb/user/local/jdoe', { name: 'jdoe', passwd: 'p4ss' })
      .reply(200, '{}');
    expect((await t.request(req('PUT'), signal())).status).toBe(200);
    nock(BASE, { reqheaders: { 'content-type': 'application/x-www-form-urlencoded' } })
      .post('/api/', (b: Record<string, string>) => b['type'] === 'config' && b['xpath'] === "/a/b[@name='x y']")
      .reply(200, '<response status="success"/>');
    const form = await t.request({ method: 'POST', path: '/api/', form: { type: 'config', xpath: "/a/b[@name='x y']" }, idempotent: true, what: 'xml api' }, signal());
    expect(form.status).toBe(200);
  });

  it('refuses an answer larger than maxResponseBytes', async () => {
    const t = make({ maxResponseBytes: 1024 });
    nock(BASE).get('/api/v2/cmdb/user/local').reply(200, 'x'.repeat(10_000));
    const err = await failure(t.request(req('GET', '/api/v2/cmdb/user/local'), signal()));
    expect(err.kind).toBe('internal');
    expect(err.message).toMatch(/maxResponseBytes/);
  });

  it('puts the API key and bodies in no log line, error message or error cause', async () => {
    const t = make({ retry: { attempts: 2 } });
    nock(BASE).get('/api/v2/cmdb/user/local/jdoe').times(2).reply(503, 'down');
    nock(BASE).post('/api/v2/cmdb/user/local').reply(502, 'gateway');
    nock(BASE).put('/api/v2/cmdb/user/local/jdoe').reply(401, 'no');
    nock(BASE).delete('/api/v2/cmdb/user/local/jdoe').reply(200, '{}');
    const errors = [
      await failure(t.request(req('GET'), signal())),
      await failure(t.request(req('POST', '/api/v2/cmdb/user/local'), signal())),
      await failure(t.request(req('PUT'), signal())),
    ];
    await t.request(req('DELETE'), signal());
    expect(lines.length).toBeGreaterThan(3);
    const seen = [...lines, ...errors.map((e) => e.message), ...errors.map((e) => JSON.stringify(e)), ...errors.map((e) => String(e.cause))];
    for (const s of seen) {
      expect(s).not.toContain(TOKEN);
      expect(s).not.toContain('p4ss');
      expect(s.toLowerCase()).not.toContain('authorization');
    }
    // The cause is the transport's own summary, never the axios error (which holds the request config).
    for (const e of errors) if (e.cause !== undefined) expect((e.cause as Error).name).toBe('TransportFailure');
  });
});
