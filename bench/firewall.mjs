/**
 * The firewall part of `npm run bench` (issue 4; bench/README.md, "Firewall part"): the real gateway CLI with
 * the firewall-rest connector in front of the fake firewalls of test/support/fake-firewall, each answering
 * every request after `latencyMs` (20) with at most `maxInFlight` (4) requests admitted at once, so the
 * firewall can serve at most 4 / 0.020 s = 200 requests/s. The connector is configured for the same limit
 * (options.limits.concurrency: 4).
 *
 * FortiOS, for POST /Users and PATCH /Groups/{id} (member add), at 32 HTTP connections: SCIM ops/s, firewall
 * requests per SCIM op (the fake's counters), the firewall's req/s ÷ 200 (target ≥ 0.9); then at 1
 * connection, the gateway's own latency: for each SCIM request, its latency minus the time the fake spent on
 * that request's firewall requests (the union of their service intervals, arrival to answer, inside the
 * SCIM request's window; the two processes share the monotonic clock). Target: p50 < 2 ms.
 *
 * PAN-OS (commit mode applied, default batching: quietMs 500, maxDelayMs 5000, pollMs 1000), the same two
 * operations at 32 connections: ops/s, firewall requests per SCIM op and commits per 100 changes.
 *
 * The fakes are TypeScript; tsconfig.bench.json compiles them to dist/bench-support/ (incremental) before the
 * part runs, and each runs in its own child (bench/firewall-fake.mjs) pinned like the gateway (CPU 0).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { say, waitForQuiet } from './gateway.mjs';
import { Latencies } from './latencies.mjs';
import { failuresOf, runLoad, scenarios } from './load.mjs';
import { cpuSecondsOf, freePort, memoryOf, removeTempDir, startNode, stopNode, trackTempDir, waitForHttp } from './procs.mjs';
import { writeBenchGatewayFile } from './seed.mjs';

export const FIREWALL_VENDORS = ['fortios', 'panos'];
export const FIREWALL_OPS = ['post', 'groupAdd'];
const VENDOR_LABEL = { fortios: 'FortiOS', panos: 'PAN-OS' };
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
// PAN-OS names are at most 31 characters: bench.user9999@contoso.example is 30, fw.new999999@contoso.example 28.
const USER_PATTERN = 'bench.user{i}@contoso.example';
const GROUP_PATTERN = 'bench-group-{i}';
const ADMIN = 'scim-gw';
const monoUs = () => Number(process.hrtime.bigint() / 1000n);

/** Options of the firewall part (environment). */
export function readFirewallOptions(env = process.env) {
  const num = (name, dflt, min) => {
    const v = env[name] === undefined || env[name] === '' ? dflt : Number(env[name]);
    if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number ≥ ${min}, got ${env[name]}`);
    return v;
  };
  const list = (name, all) => {
    const items = (env[name] || all.join(',')).split(',').map((s) => (s.trim() === 'group-add' ? 'groupAdd' : s.trim())).filter(Boolean);
    for (const x of items) if (!all.includes(x)) throw new Error(`${name}: unknown "${x}" (use ${all.join(', ')})`);
    return all.filter((x) => items.includes(x));
  };
  return {
    vendors: list('BENCH_FIREWALL_VENDORS', FIREWALL_VENDORS),
    ops: list('BENCH_FIREWALL_OPS', FIREWALL_OPS),
    latencyMs: num('BENCH_FIREWALL_LATENCY_MS', 20, 1),
    maxInFlight: num('BENCH_FIREWALL_MAX_IN_FLIGHT', 4, 1),
    connections: num('BENCH_FIREWALL_CONNECTIONS', 32, 1),
    warmupSec: num('BENCH_FIREWALL_WARMUP', 2, 0),
    /** Seconds of each measured run at `connections` (PAN-OS: at least 10, for a few commit cycles). */
    durationSec: num('BENCH_FIREWALL_DURATION', 8, 1),
    /** Seconds of the 1-connection run that measures the gateway's own latency (FortiOS). */
    serialSec: num('BENCH_FIREWALL_SERIAL_DURATION', 4, 0),
    users: num('BENCH_FIREWALL_USERS', 2000, 10),
    groups: num('BENCH_FIREWALL_GROUPS', 20, 1),
  };
}

// ---- the fake and the gateway -------------------------------------------------------------------------

/** Compiles the fakes (tsconfig.bench.json, incremental: a no-op when up to date). */
function buildFakes(root) {
  const t0 = performance.now();
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.bench.json')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`building the fake firewalls (tsc -p tsconfig.bench.json) failed:\n${`${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message}`);
  }
  return Math.round(performance.now() - t0);
}

/** The first line of a stream, or an error if the process exits or `timeoutMs` passes first. */
function firstLine(proc, timeoutMs) {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: proc.child.stdout });
    const timer = setTimeout(() => reject(new Error(`${proc.name}: no answer after ${timeoutMs} ms:\n${proc.stderr().slice(-2000)}`)), timeoutMs);
    rl.once('line', (l) => {
      clearTimeout(timer);
      rl.close();
      resolve(l);
    });
    proc.exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`${proc.name} exited (${JSON.stringify(how)}) before it was ready:\n${proc.stderr().slice(-2000)}`));
    });
  });
}

async function startFake(ctx, dir, vendor, credential) {
  const o = ctx.opts.firewall;
  const jobFile = join(dir, `fake-${vendor}.json`);
  await writeFile(
    jobFile,
    JSON.stringify({ vendor, latencyMs: o.latencyMs, maxInFlight: o.maxInFlight, credential, admin: ADMIN, users: o.users, groups: o.groups, userPattern: USER_PATTERN, groupPattern: GROUP_PATTERN }),
  );
  const proc = startNode([join(ctx.root, 'bench', 'firewall-fake.mjs'), jobFile], { env: process.env, pin: ctx.pin, stdout: 'pipe', stdin: 'pipe', name: `fake ${vendor}` });
  proc.child.stdin.on('error', () => {});
  const line = await firstLine(proc, 60_000);
  if (!line.startsWith('ready ')) throw new Error(`fake ${vendor}: expected "ready", got ${JSON.stringify(line)}`);
  const { baseUrl, control } = JSON.parse(line.slice(6));
  const call = async (method, path) => {
    const res = await fetch(`${control}${path}`, { method });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`fake ${vendor} control ${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text);
  };
  return {
    proc,
    baseUrl,
    stats: (intervals = false) => call('GET', `/stats${intervals ? '?intervals=1' : ''}`),
    mark: () => call('POST', '/mark'),
  };
}

/** The gateway + connector YAML: firewall-rest on the fake, over plain http on loopback (allowInsecure). */
async function writeFirewallGatewayConfig(confDir, { vendor, firewallUrl, port, dataDir, maxInFlight }) {
  const connector = join(confDir, 'firewall.yaml');
  const vendorLines =
    vendor === 'fortios'
      ? ['  profile: fortios', '  token: ${env:FORTIOS_TOKEN}', '  vdom: root']
      : [
          '  profile: panos',
          '  apiKey: ${env:PANOS_API_KEY}',
          '  location: shared',
          '  commit:',
          '    mode: applied          # the default; quietMs, maxDelayMs and pollMs at their defaults too',
          `    partialAdmin: ${ADMIN}`,
        ];
  await writeFile(
    connector,
    [
      `# scimbridge bench: the firewall-rest connector (${vendor}) on the benchmark's fake firewall (generated by bench/firewall.mjs).`,
      'id: bench-fw',
      'type: firewall-rest',
      'queue:',
      '  concurrency: 64         # SCIM calls in flight: more than the HTTP connections, so the firewall limit is the only one',
      `  timeoutMs: ${vendor === 'panos' ? 120000 : 60000}`,
      '  maxQueued: 10000',
      'options:',
      ...vendorLines,
      `  baseUrl: ${firewallUrl}`,
      '  allowInsecure: true',
      '  limits:',
      `    concurrency: ${maxInFlight}`,
      '  identityMap:',
      `    dir: ${JSON.stringify(dataDir)}`,
      '  adoptExisting: true',
      '',
    ].join('\n'),
  );
  return writeBenchGatewayFile(confDir, { port, connectorFile: connector, connectorId: 'bench-fw', by: 'bench/firewall.mjs' });
}

async function startGateway(ctx, dir, vendor, fake, credential) {
  const confDir = join(dir, 'conf');
  const dataDir = join(dir, 'data');
  await mkdir(confDir, { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const port = await freePort();
  const config = await writeFirewallGatewayConfig(confDir, { vendor, firewallUrl: fake.baseUrl, port, dataDir, maxInFlight: ctx.opts.firewall.maxInFlight });
  const env = { ...process.env, SCIM_TOKEN: ctx.token, FORTIOS_TOKEN: credential, PANOS_API_KEY: credential };
  for (const k of ['LOG_LEVEL', 'SCIMBRIDGE_CONFIG', 'HOST', 'PORT', 'DATA_DIR']) delete env[k];
  const proc = startNode([...ctx.opts.gatewayFlags, join(ctx.root, 'dist', 'src', 'cli.js'), 'serve', '--config', config], { env, pin: ctx.pin, name: `gateway (${vendor})` });
  const baseUrl = `http://127.0.0.1:${port}`;
  const startupMs = await waitForHttp(proc, `${baseUrl}/readyz`, { timeoutMs: 60_000 });
  return { proc, baseUrl, startupMs };
}

async function scimGet(ctx, baseUrl, path) {
  const res = await fetch(`${baseUrl}/scim/v2${path}`, { headers: { authorization: `Bearer ${ctx.token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Every resource of a type, page by page; the connector adopts the seeded objects (adoptExisting) on this first sight. */
async function listAll(ctx, baseUrl, type) {
  const out = [];
  for (let start = 1; ; start += 1000) {
    const page = await scimGet(ctx, baseUrl, `/${type}?startIndex=${start}&count=1000`);
    const got = page.Resources ?? [];
    out.push(...got);
    if (got.length === 0 || out.length >= page.totalResults) return out;
  }
}

/** SCIM ids of the seeded users and groups, in seed order. */
async function seededIds(ctx, gw) {
  const o = ctx.opts.firewall;
  const users = new Map((await listAll(ctx, gw.baseUrl, 'Users')).map((u) => [String(u.userName).toLowerCase(), u.id]));
  const groups = new Map((await listAll(ctx, gw.baseUrl, 'Groups')).map((g) => [g.displayName, g.id]));
  const userNames = [...Array(o.users)].map((_, i) => USER_PATTERN.replace('{i}', String(i)));
  const ids = userNames.map((n) => users.get(n.toLowerCase()));
  const groupIds = [...Array(o.groups)].map((_, i) => groups.get(GROUP_PATTERN.replace('{i}', String(i))));
  const missing = ids.filter((x) => !x).length + groupIds.filter((x) => !x).length;
  if (missing > 0) throw new Error(`${missing} seeded users or groups were not listed through the gateway (adoptExisting)`);
  return { ids, userNames, groupIds };
}

// ---- the load -----------------------------------------------------------------------------------------

/** Entra's create shape with names short enough for PAN-OS (≤ 31 characters). */
function createScenario() {
  let created = 0;
  return {
    key: 'post',
    label: 'POST /Users (create)',
    method: 'POST',
    status: 201,
    created: () => created,
    setup: (req, ctx) => {
      const n = ++created;
      const userName = `fw.new${n}@contoso.example`;
      ctx.expect = userName;
      req.path = '/scim/v2/Users';
      req.body = JSON.stringify({
        schemas: [CORE_USER, ENTERPRISE_USER],
        externalId: `fw-new-${n}`,
        userName,
        active: true,
        displayName: `New User ${n}`,
        title: 'Network Engineer',
        emails: [{ primary: true, type: 'work', value: userName }],
        meta: { resourceType: 'User' },
        name: { formatted: `New User ${n}`, familyName: `User ${n}`, givenName: 'New' },
        [ENTERPRISE_USER]: { department: 'IT Operations', employeeNumber: String(700000 + n) },
        roles: [],
      });
      return req;
    },
    check: (body, ctx) => {
      try {
        const r = JSON.parse(body);
        return typeof r?.id === 'string' && String(r.userName).toLowerCase() === ctx.expect.toLowerCase() ? undefined : `unexpected create answer: ${body.slice(0, 120)}`;
      } catch {
        return `unparsable create answer: ${body.slice(0, 120)}`;
      }
    },
  };
}

/** A latency record that also keeps each response's window [start, end] in µs of the monotonic clock. */
class WindowRecorder extends Latencies {
  windows = [];
  add(ms) {
    super.add(ms);
    const end = monoUs();
    this.windows.push([end - ms * 1000, end]);
  }
}

/**
 * The gateway's own time per SCIM request at 1 connection: its latency minus the union of the fake's service
 * intervals (arrival → answer) inside its window. Windows are disjoint and in order (one connection).
 */
export function ownLatency(windows, intervals) {
  const iv = [...intervals].sort((a, b) => a[0] - b[0]);
  const own = new Latencies();
  const fw = new Latencies();
  const scim = new Latencies();
  let j = 0;
  let matched = 0;
  for (const [s, e] of windows) {
    while (j < iv.length && iv[j][1] <= s) j++;
    let union = 0;
    let cursor = s;
    for (let k = j; k < iv.length && iv[k][0] < e; k++) {
      const a = Math.max(iv[k][0], cursor);
      const b = Math.min(iv[k][1], e);
      if (b > a) {
        union += b - a;
        cursor = b;
      }
      if (iv[k][0] >= s && iv[k][1] <= e) matched++;
    }
    scim.add((e - s) / 1000);
    fw.add(union / 1000);
    own.add((e - s - union) / 1000);
  }
  return { ops: windows.length, scimMs: scim.percentiles(), firewallMs: fw.percentiles(), ownMs: own.percentiles(), firewallRequestsPerOp: windows.length > 0 ? matched / windows.length : NaN, firewallRequestsOutside: iv.length - matched };
}

/**
 * Until the fake has nothing in flight, no request arrived for `quietMs`, and (PAN-OS) no commit is running
 * and the candidate holds nothing uncommitted. Returns the last stats, or throws after `timeoutMs`.
 */
async function waitIdle(fake, { quietMs, timeoutMs = 30_000 }) {
  const t0 = performance.now();
  for (;;) {
    const s = await fake.stats();
    const quiet = s.inFlight === 0 && s.queued === 0 && (s.sinceLastArrivalMs === null || s.sinceLastArrivalMs >= quietMs);
    if (quiet && !s.commitsBusy && !s.uncommitted) return s;
    if (performance.now() - t0 > timeoutMs) throw new Error(`the fake firewall did not go idle within ${timeoutMs / 1000} s: ${JSON.stringify({ inFlight: s.inFlight, queued: s.queued, sinceLastArrivalMs: s.sinceLastArrivalMs, commitsBusy: s.commitsBusy, uncommitted: s.uncommitted })}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Per SCIM change: requests by kind (FortiOS: method + table; PAN-OS: the XML API operation). */
const perChange = (byKind, changes) => Object.fromEntries(Object.entries(byKind ?? {}).map(([k, v]) => [k, changes > 0 ? v / changes : NaN]));

const changeKey = { post: 'users', groupAdd: 'members' };

/**
 * One operation at `connections`: warm-up, quiet fake, measured run, then wait for the fake to go idle (the
 * gateway finishes what autocannon left in flight; PAN-OS commits it) and count the changes it holds.
 */
async function measureLoad(ctx, lab, op, scenario) {
  const o = ctx.opts.firewall;
  const label = `firewall ${VENDOR_LABEL[lab.vendor]} ${scenario.label}`;
  const quietMs = lab.vendor === 'panos' ? 1_800 : 300;
  const load = { baseUrl: lab.gw.baseUrl, token: ctx.token, scenario, connections: o.connections, serverPid: lab.gw.proc.pid, idlePid: lab.fake.proc.pid, timeoutSec: 60 };
  if (o.warmupSec > 0) {
    const warm = await runLoad({ ...load, durationSec: o.warmupSec });
    // A PAN-OS write is answered after its commit (seconds): a short warm-up may end before the first answer.
    ctx.failures.push(...failuresOf(`${label} (warm-up)`, warm).filter((f) => !(lab.vendor === 'panos' && f.endsWith('no responses at all'))));
  }
  await waitIdle(lab.fake, { quietMs });
  await lab.fake.mark();
  const before = await lab.fake.stats();
  const fromUs = monoUs();
  const r = await runLoad({ ...load, durationSec: lab.vendor === 'panos' ? Math.max(10, o.durationSec) : o.durationSec });
  const toUs = monoUs();
  const atEnd = await lab.fake.stats();
  const after = await waitIdle(lab.fake, { quietMs });
  ctx.failures.push(...failuresOf(label, r));
  if (r.cpu.othersPct > 15) ctx.warnings.push(`${label}: other processes used ${r.cpu.othersPct.toFixed(0)}% of a CPU (noise)`);
  const windowSec = (toUs - fromUs) / 1e6;
  const theoretical = o.maxInFlight / (o.latencyMs / 1000);
  const key = changeKey[op];
  const changes = after.state[key] - before.state[key];
  const acked = r.statusCodes[scenario.status] ?? 0;
  if (changes < acked || changes > r.sent) ctx.failures.push(`${label}: ${changes} changes on the firewall, but ${acked} acknowledged and ${r.sent} sent`);
  if (after.maxOutstanding > o.maxInFlight) ctx.warnings.push(`${label}: the connector had ${after.maxOutstanding} requests outstanding at the firewall (limit ${o.maxInFlight})`);
  const { cpu, ...rest } = r;
  return {
    ...rest,
    cpu: { gatewayPct: cpu.serverPct, firewallPct: cpu.idleServerPct, loadGeneratorPct: cpu.loadGeneratorPct, othersPct: cpu.othersPct },
    windowSec,
    changes,
    acknowledged: acked,
    firewall: {
      requestsInWindow: atEnd.requests,
      reqPerSec: atEnd.requests / windowSec,
      theoreticalReqPerSec: theoretical,
      utilisation: atEnd.requests / windowSec / theoretical,
      peakInFlight: after.peakInFlight,
      maxOutstanding: after.maxOutstanding,
      /** Until idle: the requests of every change of this run, stragglers and (PAN-OS) the final commit included. */
      requests: after.requests,
      requestsPerChange: changes > 0 ? after.requests / changes : NaN,
      byKindPerChange: perChange(lab.vendor === 'panos' ? after.operations : after.counts, changes),
      ...(lab.vendor === 'panos'
        ? {
            commits: after.commits,
            commitsPer100Changes: changes > 0 ? (100 * (after.commits.enqueued ?? 0)) / changes : NaN,
            changesPerCommit: (after.commits.enqueued ?? 0) > 0 ? changes / after.commits.enqueued : NaN,
          }
        : {}),
    },
  };
}

/** The same operation at 1 connection: the gateway's own latency (see ownLatency). */
async function measureOwn(ctx, lab, scenario) {
  const o = ctx.opts.firewall;
  const label = `firewall ${VENDOR_LABEL[lab.vendor]} ${scenario.label} (1 connection)`;
  await lab.fake.mark();
  const rec = new WindowRecorder();
  const r = await runLoad({ baseUrl: lab.gw.baseUrl, token: ctx.token, scenario, connections: 1, durationSec: o.serialSec, serverPid: lab.gw.proc.pid, idlePid: lab.fake.proc.pid, latencies: rec });
  const s = await lab.fake.stats(true);
  ctx.failures.push(...failuresOf(label, r));
  if (r.cpu.othersPct > 15) ctx.warnings.push(`${label}: other processes used ${r.cpu.othersPct.toFixed(0)}% of a CPU (noise)`);
  await waitIdle(lab.fake, { quietMs: 300 });
  const own = ownLatency(rec.windows, s.intervalsUs);
  return { reqPerSec: r.reqPerSec, requests: r.requests, durationSec: r.durationSec, latencyMs: r.latencyMs, statusCodes: r.statusCodes, cpu: r.cpu, ...own };
}

// ---- the part -----------------------------------------------------------------------------------------

async function benchVendor(ctx, vendor, out) {
  const o = ctx.opts.firewall;
  const dir = await mkdtemp(join(tmpdir(), `scimbridge-bench-fw-${vendor}-`));
  trackTempDir(dir);
  const credential = vendor === 'fortios' ? 'bench-fortios-token' : 'LUFRPT-bench-panos-key';
  const res = { ops: {} };
  out.vendors[vendor] = res;
  let fake;
  let gw;
  try {
    fake = await startFake(ctx, dir, vendor, credential);
    gw = await startGateway(ctx, dir, vendor, fake, credential);
    res.startupMs = gw.startupMs;
    const t0 = performance.now();
    const seed = await seededIds(ctx, gw);
    res.seed = { users: o.users, groups: o.groups, adoptMs: Math.round(performance.now() - t0) };
    say(`firewall ${VENDOR_LABEL[vendor]}: gateway ready in ${(gw.startupMs / 1000).toFixed(1)} s; ${o.users} users and ${o.groups} groups seeded on the fake, adopted through the gateway in ${(res.seed.adoptMs / 1000).toFixed(1)} s`);
    const lab = { vendor, fake, gw };
    const sc = { post: createScenario(), groupAdd: scenarios(seed).groupAdd };
    for (const op of o.ops) {
      if (ctx.opts.quietWaitSec > 0 && !(await waitForQuiet(ctx, [gw.proc.pid, fake.proc.pid]))) say('  (the machine is busy with other work; measuring anyway)');
      const scenario = sc[op];
      const main = await measureLoad(ctx, lab, op, scenario);
      const own = vendor === 'fortios' && o.serialSec > 0 ? await measureOwn(ctx, lab, scenario) : undefined;
      res.ops[op] = { label: scenario.label, main, own };
      say(summaryLine(vendor, scenario.label, main, own, o));
    }
  } catch (err) {
    ctx.failures.push(`firewall ${VENDOR_LABEL[vendor]}: ${err.message ?? err}`);
    say(`firewall ${VENDOR_LABEL[vendor]}: FAILED: ${err.message ?? err}`);
  } finally {
    if (gw) {
      res.gatewayMemory = memoryOf(gw.proc.pid);
      res.gatewayCpuSec = cpuSecondsOf(gw.proc.pid);
      const stop = await stopNode(gw.proc, 30_000);
      res.shutdown = stop;
      if (stop.forced || (stop.code !== 0 && stop.code !== null)) ctx.failures.push(`firewall ${VENDOR_LABEL[vendor]}: the gateway did not stop cleanly (${JSON.stringify(stop)}):\n${gw.proc.stderr().slice(-2000)}`);
    }
    if (fake) {
      const stop = await stopNode(fake.proc, 10_000);
      if (stop.forced) ctx.failures.push(`firewall ${VENDOR_LABEL[vendor]}: the fake did not stop (${JSON.stringify(stop)}):\n${fake.proc.stderr().slice(-2000)}`);
    }
    removeTempDir(dir);
  }
}

const kinds = (byKind) =>
  Object.entries(byKind)
    .filter(([, v]) => v >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${v.toFixed(v >= 9.95 ? 0 : 2)} ${k}`)
    .join(' + ');

function summaryLine(vendor, label, m, own, o) {
  const fw = m.firewall;
  const head = `  ${VENDOR_LABEL[vendor]} ${label}: ${Math.round(m.reqPerSec)} ops/s at ${o.connections} connections (p50 ${m.latencyMs.p50.toFixed(1)} ms), ${fw.requestsPerChange.toFixed(2)} firewall req/op (${kinds(fw.byKindPerChange)})`;
  if (vendor === 'panos') return `${head}, ${fw.commitsPer100Changes.toFixed(1)} commits per 100 changes (${fw.commits.enqueued ?? 0} for ${m.changes}); firewall ${Math.round(fw.reqPerSec)} req/s`;
  const ownPart = own ? `; at 1 connection p50 ${own.scimMs.p50.toFixed(2)} ms, firewall ${own.firewallMs.p50.toFixed(2)} ms, own ${own.ownMs.p50.toFixed(2)} ms` : '';
  return `${head}; firewall ${Math.round(fw.reqPerSec)} req/s = ${fw.utilisation.toFixed(3)} of ${Math.round(fw.theoreticalReqPerSec)}${ownPart}`;
}

/** The firewall part: the figures by vendor (see firewall-report.mjs). */
export async function benchFirewall(ctx) {
  const o = ctx.opts.firewall;
  const t0 = performance.now();
  const out = { options: o, vendors: {} };
  try {
    out.buildMs = buildFakes(ctx.root);
  } catch (err) {
    ctx.failures.push(`firewall part: ${err.message}`);
    say(`firewall part: FAILED: ${err.message}`);
    return { ...out, failed: err.message };
  }
  for (const vendor of o.vendors) await benchVendor(ctx, vendor, out);
  out.wallSec = (performance.now() - t0) / 1000;
  say(`firewall part: ${out.wallSec.toFixed(0)} s`);
  return out;
}
