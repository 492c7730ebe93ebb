#!/usr/bin/env node
/**
 * One fake firewall of the firewall part (bench/firewall.mjs), in its own child process (pinned like the
 * gateway), so its CPU is not the load generator's:
 *
 *   node bench/firewall-fake.mjs <job.json>
 *
 * The fake is test/support/fake-firewall (FortiOS or PAN-OS) as compiled by tsconfig.bench.json into
 * dist/bench-support/fake-firewall/, with the job's `latencyMs` and `maxInFlight`, seeded with `users` local
 * users and `groups` empty groups. A subclass adds what the benchmark needs and the fake does not record:
 * each request's service interval at the fake, from its arrival (`classify`, called when the request's
 * headers are in) to its answer (`handle` returns; the response is written right after), in µs of the
 * monotonic clock (the same clock as process.hrtime in the parent), and the most requests outstanding at
 * once (admitted + waiting: what the client sent, which the fake's own `peakInFlight` caps at its limit).
 *
 * stdout: one line `ready {"baseUrl","control","credential"}`. Control, plain HTTP on another port:
 *   GET  /stats[?intervals=1]  figures since the last mark (requests by kind, PAN-OS operations and commits,
 *                              peak in flight, most outstanding, ms since the last arrival, the state:
 *                              users, groups, group members) and with intervals=1 the service intervals
 *   POST /mark                 starts a new window: forgets requests, intervals and peaks
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FAKES = join(ROOT, 'dist', 'bench-support', 'fake-firewall');
const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Service intervals and outstanding requests, for a fake class. */
function timed(Base) {
  return class extends Base {
    arrivals = new WeakMap();
    intervals = [];
    outstanding = 0;
    maxOutstanding = 0;
    lastArrivalUs = 0;
    classify(method, url) {
      // Called once per request, on arrival; `url` is the object `handle` gets as `req.url`.
      const t = nowUs();
      this.arrivals.set(url, t);
      this.lastArrivalUs = t;
      this.maxOutstanding = Math.max(this.maxOutstanding, this.inFlight + this.queued + 1);
      return super.classify(method, url);
    }
    handle(req) {
      const answer = super.handle(req);
      const from = this.arrivals.get(req.url);
      if (from !== undefined) this.intervals.push([from, nowUs()]);
      return answer;
    }
    mark() {
      this.resetStats();
      this.intervals = [];
      this.maxOutstanding = this.inFlight + this.queued;
    }
  };
}

async function start() {
  const common = { latencyMs: job.latencyMs, maxInFlight: job.maxInFlight };
  if (job.vendor === 'fortios') {
    const { FakeFortiOS } = await import(pathToFileURL(join(FAKES, 'fortios.js')).href);
    const fake = await new (timed(FakeFortiOS))({ ...common, token: job.credential }).listen();
    const db = fake.vdom();
    for (let i = 0; i < job.users; i++) {
      const name = job.userName(i);
      db.create('user/local', { name, type: 'password', passwd: `Seeded-${i}-password`, status: 'enable', 'email-to': name });
    }
    for (let i = 0; i < job.groups; i++) db.create('user/group', { name: job.groupName(i) });
    const state = () => {
      let members = 0;
      for (const g of db.groups.values()) members += g.member?.length ?? 0;
      return { users: db.users.size, groups: db.groups.size, members };
    };
    return { fake, state, extra: () => ({}) };
  }
  if (job.vendor === 'panos') {
    const { FakePanos } = await import(pathToFileURL(join(FAKES, 'panos.js')).href);
    const fake = await new (timed(FakePanos))({ ...common, apiKey: job.credential, admin: job.admin, commitDurationMs: job.commitDurationMs }).listen();
    const phash = fake.hashPassword('seeded-password');
    for (let i = 0; i < job.users; i++) fake.seedUser({ name: job.userName(i), phash });
    for (let i = 0; i < job.groups; i++) fake.seedGroup({ name: job.groupName(i) });
    const view = (v) => {
      const groups = v.groups();
      return { users: v.users().length, groups: groups.length, members: groups.reduce((n, g) => n + g.members.length, 0) };
    };
    let ops0 = fake.operations();
    let commits0 = fake.commits;
    const delta = (now, then) => Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (then[k] ?? 0)]).filter(([, v]) => v !== 0));
    return {
      fake,
      // The running config: what commits installed (the candidate may hold changes not yet committed).
      state: () => view(fake.running),
      extra: () => ({
        operations: delta(fake.operations(), ops0),
        commits: delta(fake.commits, commits0),
        commitsBusy: fake.jobs.some((j) => j.status !== 'FIN'),
        uncommitted: fake.hasUncommittedChanges,
        candidate: view(fake.candidate),
      }),
      mark() {
        ops0 = fake.operations();
        commits0 = fake.commits;
      },
    };
  }
  throw new Error(`unknown vendor ${job.vendor}`);
}

// Names are made here and in the parent alike (bench/firewall.mjs passes the patterns).
job.userName = (i) => job.userPattern.replace('{i}', String(i));
job.groupName = (i) => job.groupPattern.replace('{i}', String(i));

const lab = await start();
const { fake } = lab;

function stats(withIntervals) {
  return {
    requests: fake.requests.length,
    counts: fake.counts(),
    peakInFlight: fake.peakInFlight,
    maxOutstanding: fake.maxOutstanding,
    inFlight: fake.inFlight,
    queued: fake.queued,
    sinceLastArrivalMs: fake.lastArrivalUs === 0 ? Infinity : (nowUs() - fake.lastArrivalUs) / 1000,
    state: lab.state(),
    ...lab.extra(),
    ...(withIntervals ? { intervalsUs: fake.intervals } : {}),
  };
}

const control = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  let body;
  try {
    if (req.method === 'GET' && url.pathname === '/stats') body = stats(url.searchParams.get('intervals') === '1');
    else if (req.method === 'POST' && url.pathname === '/mark') {
      fake.mark();
      lab.mark?.();
      body = { ok: true };
    } else {
      res.writeHead(404).end();
      return;
    }
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err?.stack ?? err));
    return;
  }
  const text = JSON.stringify(body, (_k, v) => (v === Infinity ? null : v));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
});
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
process.stdout.write(`ready ${JSON.stringify({ baseUrl: fake.baseUrl, control: `http://127.0.0.1:${control.address().port}` })}\n`);

const stop = async () => {
  control.close();
  await fake.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent gone (stdin closed): leave too.
process.stdin.on('end', stop);
process.stdin.resume();
