/**
 * The LDAP part of `npm run bench` (bench/README.md, "LDAP part"):
 *
 * 1. Throughput. One slapd (fsync on, refint + memberof + ppolicy), seeded offline with 10,000 users and
 *    20 groups (10 for each side). For each operation, the direct ldapts child (bench/ldap-direct.mjs, 16
 *    operations in flight on one bound connection) and the gateway (the real CLI with an ldap connector on
 *    that slapd, autocannon at 16 connections), measured in slices alternating ABBA (direct, gateway,
 *    gateway, direct). Ratio gateway req/s ÷ direct ops/s.
 * 2. Listing memory. Both directory sizes listed through the gateway page by page (count=1000, startIndex 1
 *    to the end) while the gateway's VmRSS is sampled every 100 ms: the 10,000-user directory (before the
 *    throughput tests), then a second slapd seeded with 100,000 users and a fresh gateway. Each page is a
 *    DN-only scan of the directory to its slice and on to the end (connectors/ldap/resources.ts list()), so
 *    the 100k listing has a time budget; past it, the run jumps to the last page and extrapolates the full time.
 *
 * CPU: when pinning, slapd and the LDAP client under test (the direct child, or the gateway) share CPU 0,
 * and this process (autocannon for the gateway tests, idle for the direct ones) has CPU 1. Both sides get
 * the same budget: one core for client + slapd; the load generator's cost is outside it.
 */
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Client, EqualityFilter } from 'ldapts';
import { say, waitForQuiet } from './gateway.mjs';
import { directoryWriter, writeLdapGatewayConfig } from './ldap-seed.mjs';
import { Latencies } from './latencies.mjs';
import { failuresOf, runLoad, scenarios } from './load.mjs';
import { cpuSecondsOf, freePort, machineBusySeconds, memoryOf, removeTempDir, selfCpuSeconds, startNode, stopNode, trackTempDir, waitForHttp } from './procs.mjs';
import { formatSummary, readProfile, summarize } from './profile-summary.mjs';
import { EMPTY_MEMBER, GROUPS_DN, PEOPLE_DN, SERVICE_DN, SERVICE_PASSWORD, createSlapd, slapdMissing } from './slapd.mjs';

export const LDAP_OPS = ['get', 'patch', 'groupAdd', 'post'];
const GROUPS_PER_SIDE = 10;
const monoUs = () => Number(process.hrtime.bigint() / 1000n);

/** Options of the LDAP part (environment). */
export function readLdapOptions(env = process.env) {
  const num = (name, dflt, min) => {
    const v = env[name] === undefined || env[name] === '' ? dflt : Number(env[name]);
    if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number ≥ ${min}, got ${env[name]}`);
    return v;
  };
  const ops = env.BENCH_LDAP_OPS === 'none' ? [] : (env.BENCH_LDAP_OPS || LDAP_OPS.join(',')).split(',').map((s) => (s.trim() === 'group-add' ? 'groupAdd' : s.trim()));
  for (const op of ops) if (!LDAP_OPS.includes(op)) throw new Error(`BENCH_LDAP_OPS: unknown operation "${op}" (use ${LDAP_OPS.join(', ')})`);
  return {
    users: num('BENCH_LDAP_USERS', 10_000, 100),
    listUsers: num('BENCH_LDAP_LIST_USERS', 100_000, 0),
    listBudgetSec: num('BENCH_LDAP_LIST_BUDGET', 150, 0),
    pageSize: 1000,
    concurrency: num('BENCH_LDAP_CONCURRENCY', 16, 1),
    /** Measured slices per side, alternating ABBA: 2 gives direct, gateway, gateway, direct. */
    rounds: num('BENCH_LDAP_ROUNDS', 2, 1),
    ops: LDAP_OPS.filter((op) => ops.includes(op)),
  };
}

/** The attributes the gateway requests for a user (connectors/ldap/connector.ts shapeOf, openldap profile). */
async function userReadAttributes(root) {
  const { PROFILES } = await import(pathToFileURL(join(root, 'dist', 'connectors', 'ldap', 'profiles.js')).href);
  const p = PROFILES.openldap;
  const mapped = Object.entries(p.mapping.user).filter(([scim]) => scim !== 'active').map(([, field]) => field);
  const fallbacks = Object.entries(p.users.fallbacks).flatMap(([attr, fb]) => [attr, ...fb.from]);
  return [...new Set([p.idAttribute, 'createTimestamp', 'modifyTimestamp', p.versionAttribute, p.users.rdnAttribute, ...mapped, 'pwdAccountLockedTime', ...fallbacks])];
}

async function bound(url) {
  const c = new Client({ url, timeout: 60_000, connectTimeout: 5_000, strictDN: false });
  await c.bind(SERVICE_DN, SERVICE_PASSWORD);
  return c;
}

/** Every entry of a container, one paged search: `attributes` of each. */
async function allEntries(url, base, filter, attributes) {
  const c = await bound(url);
  try {
    const out = [];
    for await (const page of c.searchPaginated(base, { scope: 'one', filter, attributes, paged: { pageSize: 500 } })) out.push(...page.searchEntries);
    return out;
  } finally {
    await c.unbind().catch(() => {});
  }
}

/** The SCIM ids (entryUUIDs) of the seeded users and groups, in seed order. */
async function seededIds(url, seed) {
  const users = await allEntries(url, PEOPLE_DN, new EqualityFilter({ attribute: 'objectClass', value: 'inetOrgPerson' }), ['uid', 'entryUUID']);
  const byUid = new Map(users.map((e) => [String(e.uid).toLowerCase(), String(e.entryUUID)]));
  const groups = await allEntries(url, GROUPS_DN, new EqualityFilter({ attribute: 'objectClass', value: 'groupOfNames' }), ['entryUUID']);
  const byDn = new Map(groups.map((e) => [e.dn.toLowerCase(), String(e.entryUUID)]));
  const ids = seed.userNames.map((u) => byUid.get(u));
  const groupIds = seed.groupDns.map((dn) => byDn.get(dn.toLowerCase()));
  if (ids.some((x) => !x) || groupIds.some((x) => !x)) throw new Error('LDAP: seeded entries without entryUUID');
  return { ids, groupIds };
}

async function startLdapGateway(ctx, url, confDir, label) {
  await mkdir(confDir, { recursive: true });
  const port = await freePort();
  const config = await writeLdapGatewayConfig(confDir, { url, port, concurrency: ctx.opts.ldap.concurrency });
  const env = { ...process.env, SCIM_TOKEN: ctx.token, LDAP_BIND_PASSWORD: SERVICE_PASSWORD };
  for (const k of ['LOG_LEVEL', 'SCIMBRIDGE_CONFIG', 'HOST', 'PORT', 'DATA_DIR']) delete env[k];
  const profDir = join(ctx.profDir, 'ldap');
  if (ctx.opts.cpuProf) await mkdir(profDir, { recursive: true });
  const before = ctx.opts.cpuProf ? new Set(await readdir(profDir)) : new Set();
  const flags = [...ctx.opts.gatewayFlags, ...(ctx.opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  const proc = startNode([...flags, join(ctx.root, 'dist', 'src', 'cli.js'), 'serve', '--config', config], { env, pin: ctx.pin, name: `gateway (${label})` });
  const baseUrl = `http://127.0.0.1:${port}`;
  const startupMs = await waitForHttp(proc, `${baseUrl}/readyz`, { timeoutMs: 60_000 });
  const newProfiles = async () => (ctx.opts.cpuProf ? (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile') && !before.has(f)).map((f) => join(profDir, f)) : []);
  return { proc, baseUrl, startupMs, newProfiles };
}

async function stopGateway(ctx, gw, label) {
  const stop = await stopNode(gw.proc, 30_000);
  if (stop.forced || (stop.code !== 0 && stop.code !== null)) ctx.failures.push(`LDAP ${label}: the gateway did not stop cleanly (${JSON.stringify(stop)}):\n${gw.proc.stderr().slice(-2000)}`);
  return stop;
}

async function scimJson(ctx, baseUrl, path) {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${ctx.token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** LDAP operations per request by type (binds and unbinds left out). */
const perRequest = (ops, requests) =>
  Object.fromEntries(
    Object.entries(ops)
      .filter(([k, v]) => v > 0 && !['bind', 'unbind'].includes(k))
      .map(([k, v]) => [k, requests > 0 ? v / requests : NaN]),
  );

/** Lines of a child's stdout, one at a time: next() resolves with the next line, or null once it closed. */
function lineReader(stream) {
  const buffered = [];
  const waiters = [];
  let closed = false;
  const rl = createInterface({ input: stream });
  rl.on('line', (l) => (waiters.length > 0 ? waiters.shift()(l) : buffered.push(l)));
  rl.on('close', () => {
    closed = true;
    while (waiters.length > 0) waiters.shift()(null);
  });
  return () => (buffered.length > 0 ? Promise.resolve(buffered.shift()) : closed ? Promise.resolve(null) : new Promise((r) => waiters.push(r)));
}

/**
 * CPU seconds of the client under test, slapd, the other (idle) client, this process and the machine,
 * plus slapd's operation counters. Reading the counters costs one search, which the next reading counts.
 */
async function snapshot(lab, clientPid, idlePid) {
  return {
    client: cpuSecondsOf(clientPid),
    slapd: cpuSecondsOf(lab.slapd.pid),
    idle: cpuSecondsOf(idlePid),
    self: selfCpuSeconds(),
    machine: machineBusySeconds(),
    at: performance.now(),
    ops: await lab.slapd.operations(),
  };
}

const CPU_KEYS = ['client', 'slapd', 'idle', 'self', 'machine'];
const emptyAcc = () => ({ wallSec: 0, ...Object.fromEntries(CPU_KEYS.map((k) => [k, 0])), ldapOps: {} });
function addSlice(acc, a, b) {
  acc.wallSec += (b.at - a.at) / 1000;
  for (const k of CPU_KEYS) acc[k] += b[k] - a[k];
  for (const [k, v] of Object.entries(b.ops)) acc.ldapOps[k] = (acc.ldapOps[k] ?? 0) + v - (a.ops[k] ?? 0) - (k === 'search' ? 1 : 0);
}
function cpuOf(acc) {
  const pct = (k) => (100 * acc[k]) / acc.wallSec;
  const c = { clientPct: pct('client'), slapdPct: pct('slapd'), idlePct: pct('idle'), loadGeneratorPct: pct('self') };
  c.othersPct = Math.max(0, pct('machine') - c.clientPct - c.slapdPct - c.idlePct - c.loadGeneratorPct);
  return c;
}

/** The direct ldapts child for one operation, started and bound; `command(line)` returns its next answer. */
async function startDirect(ctx, lab, op) {
  const jobFile = join(lab.dir, `direct-${op}.json`);
  await writeFile(
    jobFile,
    JSON.stringify({
      url: lab.slapd.url,
      bindDN: SERVICE_DN,
      password: SERVICE_PASSWORD,
      op,
      concurrency: ctx.opts.ldap.concurrency,
      userNames: lab.seed.userNames,
      groupDns: lab.directGroupDns,
      peopleDn: PEOPLE_DN,
      readAttributes: lab.readAttributes,
      addPrefix: 'bench.direct',
    }),
  );
  const proc = startNode([join(ctx.root, 'bench', 'ldap-direct.mjs'), jobFile], { env: process.env, pin: ctx.pin, stdout: 'pipe', stdin: 'pipe', name: `direct ldapts (${op})` });
  proc.child.stdin.on('error', () => {});
  const next = lineReader(proc.child.stdout);
  const expect = async (what) => {
    const line = await next();
    if (line === null || !line.startsWith(what)) throw new Error(`direct ldapts (${op}): expected "${what}", got ${JSON.stringify(line)}:\n${proc.stderr().slice(-3000)}`);
    return line;
  };
  await expect('ready');
  return {
    proc,
    async warmup(sec) {
      proc.child.stdin.write(`warmup ${sec}\n`);
      return JSON.parse((await expect('warm ')).slice(5));
    },
    async run(sec) {
      proc.child.stdin.write(`run ${sec}\n`);
      return JSON.parse(await expect('{'));
    },
    async exit() {
      proc.child.stdin.end('exit\n');
      const how = await proc.exited;
      if (how.code !== 0) throw new Error(`direct ldapts (${op}) exited with ${JSON.stringify(how)}:\n${proc.stderr().slice(-3000)}`);
    },
  };
}

/**
 * One operation on both sides: warm-ups (direct, then gateway), then measured slices alternating
 * direct/gateway in ABBA order (D G G D for 2 rounds), so a drift in the machine's speed (other people's
 * builds, their disk writes delaying our fsyncs) weighs on both sides alike. Each side's figures are the
 * sum of its slices.
 */
async function measurePair(ctx, lab, op, scenario) {
  const { rounds, concurrency } = ctx.opts.ldap;
  const sliceSec = Math.max(1, Math.round(ctx.opts.durationSec / rounds));
  const direct = await startDirect(ctx, lab, op);
  const gwPid = lab.gw.proc.pid;
  const d = { acc: emptyAcc(), result: undefined };
  const g = { acc: emptyAcc(), requests: 0, durationSec: 0, statusCodes: {}, result: undefined, windowsUs: [] };
  const latencies = new Latencies();
  const dLabel = `LDAP direct ldapts ${op}`;
  const gLabel = `LDAP gateway ${scenario.label}`;
  const load = { baseUrl: lab.gw.baseUrl, token: ctx.token, scenario, connections: concurrency, serverPid: gwPid, idlePid: lab.slapd.pid };
  try {
    if (ctx.opts.warmupSec > 0) {
      const w = await direct.warmup(ctx.opts.warmupSec);
      if (w.errors > 0) ctx.failures.push(`${dLabel} (warm-up): ${w.errors} failed operations`, ...w.examples.map((e) => `${dLabel}:   e.g. ${e}`));
      const warm = await runLoad({ ...load, durationSec: ctx.opts.warmupSec });
      ctx.failures.push(...failuresOf(`${gLabel} (warm-up)`, warm));
      scenario.okDuringWarmup = (scenario.okDuringWarmup ?? 0) + (warm.statusCodes[scenario.status] ?? 0);
    }
    const order = [...Array(rounds)].flatMap((_, i) => (i % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct']));
    for (const side of order) {
      if (side === 'direct') {
        const a = await snapshot(lab, direct.proc.pid, gwPid);
        d.result = await direct.run(sliceSec);
        addSlice(d.acc, a, await snapshot(lab, direct.proc.pid, gwPid));
      } else {
        const a = await snapshot(lab, gwPid, direct.proc.pid);
        const fromUs = monoUs();
        const r = await runLoad({ ...load, durationSec: sliceSec, latencies });
        g.windowsUs.push([fromUs, monoUs()]);
        addSlice(g.acc, a, await snapshot(lab, gwPid, direct.proc.pid));
        ctx.failures.push(...failuresOf(gLabel, r));
        g.requests += r.requests;
        g.durationSec += r.durationSec;
        for (const [k, v] of Object.entries(r.statusCodes)) g.statusCodes[k] = (g.statusCodes[k] ?? 0) + v;
        g.result = r;
      }
    }
  } finally {
    await direct.exit().catch((err) => ctx.failures.push(String(err.message ?? err)));
  }

  const dr = d.result;
  if (dr.errors > 0) ctx.failures.push(`${dLabel}: ${dr.errors} failed operations`);
  if (dr.checks.failed > 0) ctx.failures.push(`${dLabel}: ${dr.checks.failed} of ${dr.checks.sampled} sampled answers were wrong`);
  if (dr.operations === 0) ctx.failures.push(`${dLabel}: no operations at all`);
  if (dr.errors + dr.checks.failed > 0) for (const e of dr.checks.examples) ctx.failures.push(`${dLabel}:   e.g. ${e}`);
  const dCpu = cpuOf(d.acc);
  const gc = cpuOf(g.acc);
  const gCpu = { gatewayPct: gc.clientPct, slapdPct: gc.slapdPct, loadGeneratorPct: gc.loadGeneratorPct, othersPct: gc.othersPct, idlePct: gc.idlePct };
  for (const [label, c] of [[dLabel, dCpu], [gLabel, gCpu]]) if (c.othersPct > 15) ctx.warnings.push(`${label}: other processes used ${c.othersPct.toFixed(0)}% of a CPU (noise)`);
  const directOut = {
    ...dr,
    cpu: { clientPct: dCpu.clientPct, slapdPct: dCpu.slapdPct, loadGeneratorPct: dCpu.loadGeneratorPct, othersPct: dCpu.othersPct, idleGatewayPct: dCpu.idlePct },
    ldapOps: d.acc.ldapOps,
    ldapOpsPerRequest: perRequest(d.acc.ldapOps, dr.operations),
    perCpuSec: dr.opsPerSec / ((dCpu.clientPct + dCpu.slapdPct) / 100),
  };
  const { cpu: _lastSliceCpu, ...last } = g.result;
  const reqPerSec = g.requests / g.durationSec;
  const gatewayOut = {
    ...last,
    reqPerSec,
    requests: g.requests,
    durationSec: g.durationSec,
    statusCodes: g.statusCodes,
    cpu: gCpu,
    ldapOps: g.acc.ldapOps,
    ldapOpsPerRequest: perRequest(g.acc.ldapOps, g.requests),
    perCpuSec: reqPerSec / ((gCpu.gatewayPct + gCpu.slapdPct) / 100),
    profileWindowsUs: g.windowsUs,
  };
  say(
    `  ${op}: direct ${Math.round(directOut.opsPerSec)} ops/s (p50 ${directOut.latencyMs.p50.toFixed(2)} ms; CPU ldapts ${dCpu.clientPct.toFixed(0)}%, slapd ${dCpu.slapdPct.toFixed(0)}%, others ${dCpu.othersPct.toFixed(0)}%), ` +
      `gateway ${Math.round(reqPerSec)} req/s (p50 ${gatewayOut.latencyMs.p50.toFixed(2)} ms; CPU gateway ${gCpu.gatewayPct.toFixed(0)}%, slapd ${gCpu.slapdPct.toFixed(0)}%, others ${gCpu.othersPct.toFixed(0)}%): ${(reqPerSec / directOut.opsPerSec).toFixed(2)}×`,
  );
  return { direct: directOut, gateway: gatewayOut, sliceSec, rounds };
}

// ---- listing ------------------------------------------------------------------------------------------

/**
 * GET /Users?startIndex=…&count=pageSize from 1 to the end, checking each page, while sampling the gateway's
 * VmRSS every 100 ms. With a budget (s, 0 = none): once it is spent, jump to the last page.
 */
async function listPages(ctx, gw, slapd, total, budgetSec) {
  const { pageSize } = ctx.opts.ldap;
  const pid = gw.proc.pid;
  const samples = [];
  const t0 = performance.now();
  const sample = () => {
    const { rssMB } = memoryOf(pid);
    if (Number.isFinite(rssMB)) samples.push([Math.round(performance.now() - t0), rssMB]);
  };
  sample();
  const timer = setInterval(sample, 100);
  const cpu0 = { gw: cpuSecondsOf(pid), slapd: cpuSecondsOf(slapd.pid) };
  const pagesTotal = Math.ceil(total / pageSize);
  const lastStart = (pagesTotal - 1) * pageSize + 1;
  const pages = [];
  const seen = new Set();
  let skippedFrom;
  let problems = 0;
  try {
    for (let start = 1; start <= total; ) {
      const p0 = performance.now();
      const body = await scimJson(ctx, gw.baseUrl, `/scim/v2/Users?startIndex=${start}&count=${pageSize}`);
      const ms = performance.now() - p0;
      const expected = Math.min(pageSize, total - start + 1);
      const resources = body.Resources ?? [];
      const dup = resources.filter((r) => seen.has(r.id)).length;
      for (const r of resources) seen.add(r.id);
      if (body.totalResults !== total || resources.length !== expected || dup > 0) {
        if (problems++ < 3) ctx.failures.push(`LDAP listing ${total}: page at ${start}: totalResults ${body.totalResults}, ${resources.length} resources (expected ${expected}), ${dup} seen before`);
      }
      pages.push({ startIndex: start, ms: Math.round(ms) });
      if (start === lastStart) break;
      start += pageSize;
      if (budgetSec > 0 && skippedFrom === undefined && performance.now() - t0 > budgetSec * 1000 && start < lastStart) {
        skippedFrom = start;
        start = lastStart;
      }
    }
  } finally {
    clearInterval(timer);
  }
  sample();
  const wallSec = (performance.now() - t0) / 1000;
  const mbs = samples.map(([, mb]) => mb);
  const msList = pages.map((p) => p.ms);
  const meanMs = msList.reduce((a, b) => a + b, 0) / msList.length;
  const complete = skippedFrom === undefined;
  const out = {
    entries: total,
    pageSize,
    pagesTotal,
    pagesFetched: pages.length,
    complete,
    skippedFrom,
    wallSec,
    msPerPage: { first: msList[0], mean: meanMs, max: Math.max(...msList), last: msList.at(-1) },
    /** Every page scans the whole directory's DNs (to reach its slice and count totalResults): pages × entries. */
    entriesScanned: pages.length * total,
    scanRatePerSec: (pages.length * total) / wallSec,
    fullListingSec: complete ? wallSec : (pagesTotal * meanMs) / 1000,
    returned: seen.size,
    rssMB: { start: mbs[0], max: Math.max(...mbs), end: mbs.at(-1), maxMinusStart: Math.max(...mbs) - mbs[0] },
    peakRssMB: memoryOf(pid).peakRssMB,
    rssSeriesMB: samples.filter((_, i) => i % 10 === 0).map(([ms, mb]) => [ms, Math.round(mb)]),
    cpu: { gatewayPct: (100 * (cpuSecondsOf(pid) - cpu0.gw)) / wallSec, slapdPct: (100 * (cpuSecondsOf(slapd.pid) - cpu0.slapd)) / wallSec },
    pages,
  };
  say(
    `  listing ${total.toLocaleString('en-US')}: ${out.pagesFetched}/${pagesTotal} pages in ${wallSec.toFixed(1)} s (${Math.round(meanMs)} ms/page${complete ? '' : `, budget spent at startIndex ${skippedFrom}, full listing ≈ ${Math.round(out.fullListingSec)} s`}), ` +
      `RSS start ${out.rssMB.start.toFixed(0)} MB, max ${out.rssMB.max.toFixed(0)} MB, end ${out.rssMB.end.toFixed(0)} MB`,
  );
  return out;
}

// ---- the part -----------------------------------------------------------------------------------------

async function throughput(ctx, dir, out) {
  const o = ctx.opts.ldap;
  const slapDir = join(dir, 'slapd-main');
  await mkdir(slapDir);
  const seed = {};
  const groupNames = [...Array(GROUPS_PER_SIDE)].flatMap((_, i) => [`Bench Direct ${i + 1}`, `Bench Gateway ${i + 1}`]);
  say(`LDAP: seeding ${o.users.toLocaleString('en-US')} users and ${groupNames.length} groups`);
  const slapd = await createSlapd(slapDir, { writeEntries: directoryWriter(o.users, groupNames, seed), pin: ctx.pin, say });
  out.seed = { users: o.users, entries: slapd.entries, ...slapd.seedMs };
  const lab = { dir, slapd, seed, readAttributes: await userReadAttributes(ctx.root) };
  try {
    const { ids, groupIds } = await seededIds(slapd.url, seed);
    lab.directGroupDns = seed.groupDns.filter((_, i) => i % 2 === 0);
    const gatewayGroupIds = groupIds.filter((_, i) => i % 2 === 1);
    lab.gw = await startLdapGateway(ctx, slapd.url, join(dir, 'conf-main'), `${o.users} users`);
    out.startupMs = lab.gw.startupMs;
    out.rssAfterStartMB = memoryOf(lab.gw.proc.pid).rssMB;
    say(`LDAP: gateway ready in ${(out.startupMs / 1000).toFixed(1)} s, RSS ${out.rssAfterStartMB.toFixed(0)} MB`);
    try {
      const one = await scimJson(ctx, lab.gw.baseUrl, `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${seed.userNames[0]}"`)}`);
      if (one.totalResults !== 1 || one.Resources?.[0]?.id !== ids[0]) ctx.failures.push(`LDAP: seeded user ${seed.userNames[0]} not found by filter with its entryUUID`);

      // The 10,000-entry listing, on the fresh gateway (the reference for the 100,000-entry one).
      out.listing = { small: await listPages(ctx, lab.gw, slapd, o.users, 0) };

      const sc = scenarios({ ids, userNames: seed.userNames, groupIds: gatewayGroupIds });
      for (const op of o.ops) {
        if (ctx.opts.quietWaitSec > 0 && !(await waitForQuiet(ctx, [lab.gw.proc.pid, slapd.pid]))) say('  (the machine is busy with other work; measuring anyway)');
        const { direct, gateway, sliceSec, rounds } = await measurePair(ctx, lab, op, sc[op]);
        out.ops[op] = { label: sc[op].label, direct, gateway, sliceSec, rounds, ratio: gateway.reqPerSec / direct.opsPerSec, cpuRatio: gateway.perCpuSec / direct.perCpuSec };
      }
      await consistency(ctx, lab, sc, out);
    } finally {
      out.gatewayMemory = memoryOf(lab.gw.proc.pid);
      out.shutdown = await stopGateway(ctx, lab.gw, 'throughput');
    }
    if (ctx.opts.cpuProf) printProfiles(out, await lab.gw.newProfiles());
  } finally {
    await slapd.stop();
  }
}

/** After the tests: every acknowledged create is in the directory; member adds landed on both sides. */
async function consistency(ctx, lab, sc, out) {
  const o = ctx.opts.ldap;
  const people = await allEntries(lab.slapd.url, PEOPLE_DN, new EqualityFilter({ attribute: 'objectClass', value: 'inetOrgPerson' }), ['1.1']);
  out.usersAfter = people.length;
  const direct = out.ops.post?.direct.created ?? 0;
  if (out.ops.post) {
    const acked = (sc.post.okDuringWarmup ?? 0) + (out.ops.post.gateway.statusCodes[201] ?? 0);
    const lo = o.users + direct + acked;
    const hi = o.users + direct + sc.post.created();
    if (people.length < lo || people.length > hi) ctx.failures.push(`LDAP: ${people.length} users after the add tests; expected ${lo}..${hi}`);
  } else if (people.length !== o.users) {
    ctx.failures.push(`LDAP: ${people.length} users at the end; seeded ${o.users}`);
  }
  if (out.ops.groupAdd) {
    const groups = await allEntries(lab.slapd.url, GROUPS_DN, new EqualityFilter({ attribute: 'objectClass', value: 'groupOfNames' }), ['member']);
    const members = (dns) =>
      groups.filter((g) => dns.has(g.dn.toLowerCase())).reduce((n, g) => n + [g.member].flat().filter((m) => m && String(m).toLowerCase() !== EMPTY_MEMBER.toLowerCase()).length, 0);
    const directDns = new Set(lab.directGroupDns.map((d) => d.toLowerCase()));
    const gatewayDns = new Set(lab.seed.groupDns.map((d) => d.toLowerCase()).filter((d) => !directDns.has(d)));
    out.groupMembersAfter = { direct: members(directDns), gateway: members(gatewayDns) };
    if (out.groupMembersAfter.direct === 0 || out.groupMembersAfter.gateway === 0) ctx.failures.push(`LDAP: group members after the member-add tests: ${JSON.stringify(out.groupMembersAfter)}`);
  }
}

async function listingLarge(ctx, dir, out) {
  const o = ctx.opts.ldap;
  const slapDir = join(dir, 'slapd-list');
  await mkdir(slapDir);
  say(`LDAP: seeding ${o.listUsers.toLocaleString('en-US')} users for the listing`);
  const seed = {};
  const slapd = await createSlapd(slapDir, { writeEntries: directoryWriter(o.listUsers, [], seed), pin: ctx.pin, say });
  out.listSeed = { users: o.listUsers, entries: slapd.entries, ...slapd.seedMs };
  try {
    const gw = await startLdapGateway(ctx, slapd.url, join(dir, 'conf-list'), `${o.listUsers} users`);
    try {
      if (ctx.opts.quietWaitSec > 0) await waitForQuiet(ctx, [gw.proc.pid, slapd.pid]);
      out.listing.large = await listPages(ctx, gw, slapd, o.listUsers, o.listBudgetSec);
    } finally {
      await stopGateway(ctx, gw, 'listing');
    }
  } finally {
    await slapd.stop();
    removeTempDir(slapDir);
  }
}

function printProfiles(out, files) {
  for (const f of files) {
    out.cpuProfile = f;
    const profile = readProfile(f);
    for (const r of Object.values(out.ops)) {
      // The gateway's slices: adjacent with the default ABBA order (D G G D), so one window holds only them.
      const windows = r.gateway.profileWindowsUs;
      const [fromUs, toUs] = [windows[0][0], windows.length === 2 ? windows[1][1] : windows[0][1]];
      process.stdout.write(`\n=== CPU profile, LDAP gateway, ${r.label} (${f}) ===\n${formatSummary(summarize(profile, { fromUs, toUs }), 25)}\n`);
    }
  }
}

/** The LDAP part: `{ skipped }` when slapd is missing, else the figures (see report.mjs). */
export async function benchLdap(ctx) {
  const o = ctx.opts.ldap;
  const missing = slapdMissing();
  if (missing.length > 0) {
    const skipped = `${missing.join(', ')} not found; install Debian's slapd (apt-get install -y slapd ldap-utils) to run it`;
    say(`LDAP part skipped: ${skipped}`);
    return { skipped };
  }
  const t0 = performance.now();
  const out = { options: o, ops: {}, listing: {} };
  const dir = await mkdtemp(join(tmpdir(), 'scimbridge-bench-ldap-'));
  trackTempDir(dir);
  try {
    await throughput(ctx, dir, out);
    if (o.listUsers > 0) await listingLarge(ctx, dir, out);
  } finally {
    removeTempDir(dir);
  }
  out.wallSec = (performance.now() - t0) / 1000;
  say(`LDAP part: ${out.wallSec.toFixed(0)} s`);
  return out;
}
