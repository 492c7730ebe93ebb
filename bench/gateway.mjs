/**
 * One store size: the ceiling server and the gateway side by side (both idle unless measured), and for
 * each operation a ceiling measurement immediately followed by the gateway measurement, so each ratio
 * compares two runs taken seconds apart on the same (noisy) machine.
 */
import { watch } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { failuresOf, runLoad, scenarios } from './load.mjs';
import { cpuSecondsOf, freePort, machineBusySeconds, memoryOf, startNode, stopNode, waitForHttp } from './procs.mjs';
import { formatSummary, readProfile, summarize } from './profile-summary.mjs';
import { writeGatewayConfig } from './seed.mjs';

export const say = (msg) => process.stderr.write(`bench: ${msg}\n`);
const monoUs = () => Number(process.hrtime.bigint() / 1000n);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * Other people's work on a shared machine skews a test. Wait (up to BENCH_QUIET_WAIT seconds) for half a
 * second in which everything but our servers used less than a quarter of a CPU.
 */
export async function waitForQuiet(ctx, pids) {
  const deadline = performance.now() + ctx.opts.quietWaitSec * 1000;
  const ours = () => pids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
  for (;;) {
    const m0 = machineBusySeconds();
    const s0 = ours();
    await new Promise((r) => setTimeout(r, 500));
    if ((machineBusySeconds() - m0 - (ours() - s0)) / 0.5 < 0.25) return true;
    if (performance.now() > deadline) return false;
  }
}

/** Warm-up (discarded, but its failures count) and the measured run of one scenario. */
async function measure(ctx, { baseUrl, scenario, serverPid, idlePid, warmupSec }) {
  const common = { baseUrl, token: ctx.token, scenario, connections: ctx.opts.connections, serverPid, idlePid };
  if (warmupSec > 0) {
    const warm = await runLoad({ ...common, durationSec: warmupSec });
    ctx.failures.push(...failuresOf(`${ctx.sizeLabel} ${scenario.label} (warm-up)`, warm));
    scenario.okDuringWarmup = (scenario.okDuringWarmup ?? 0) + (warm.statusCodes[scenario.status] ?? 0);
  }
  const fromUs = monoUs();
  const r = await runLoad({ ...common, durationSec: ctx.opts.durationSec });
  const toUs = monoUs();
  ctx.failures.push(...failuresOf(`${ctx.sizeLabel} ${scenario.label}`, r));
  if (r.cpu.othersPct > 15) ctx.warnings.push(`${ctx.sizeLabel} ${scenario.label}: other processes used ${r.cpu.othersPct.toFixed(0)}% of a CPU (noise)`);
  say(`  ${scenario.label}: ${Math.round(r.reqPerSec)} req/s, p50 ${r.latencyMs.p50.toFixed(2)} ms, p99 ${r.latencyMs.p99.toFixed(2)} ms`);
  return { label: scenario.label, ...r, reqPerCpuSec: r.reqPerSec / (r.cpu.serverPct / 100), profileWindowUs: [fromUs, toUs] };
}

async function scimJson(ctx, path) {
  const res = await fetch(`${ctx.baseUrl}${path}`, { headers: { authorization: `Bearer ${ctx.token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/**
 * VmRSS of the gateway every 100 ms: the peak per phase (startup, each test) and a series of
 * [ms since start, MB] every 500 ms, to line up with compactions.
 */
function rssSampler(pid, startUs) {
  const peaks = {};
  const series = [];
  let phase = 'startup';
  let ticks = 0;
  const timer = setInterval(() => {
    const { rssMB } = memoryOf(pid);
    if (!Number.isFinite(rssMB)) return;
    peaks[phase] = Math.max(peaks[phase] ?? 0, rssMB);
    if (ticks++ % 5 === 0) series.push([Math.round((monoUs() - startUs) / 1000), Math.round(rssMB)]);
  }, 100);
  return { peaks, series, setPhase: (p) => (phase = p), stop: () => clearInterval(timer) };
}

async function startCeiling(ctx) {
  const port = await freePort();
  const proc = startNode([join(ctx.root, 'bench', 'ceiling-server.mjs'), String(port)], { env: { ...process.env, SCIM_TOKEN: ctx.token }, pin: ctx.pin, name: 'ceiling server' });
  await waitForHttp(proc, `http://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${ctx.token}` }, timeoutMs: 15_000 });
  return { proc, baseUrl: `http://127.0.0.1:${port}` };
}

async function startGateway(ctx, dataDir, confDir) {
  const port = await freePort();
  const config = await writeGatewayConfig(confDir, { dataDir, port });
  const env = { ...process.env, SCIM_TOKEN: ctx.token, DATA_DIR: dataDir };
  for (const k of ['LOG_LEVEL', 'SCIMBRIDGE_CONFIG', 'HOST', 'PORT']) delete env[k];
  const flags = [...ctx.opts.gatewayFlags, ...(ctx.opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profDir}`] : [])];
  const proc = startNode([...flags, join(ctx.root, 'dist', 'src', 'cli.js'), 'serve', '--config', config], { env, pin: ctx.pin, name: 'gateway' });
  return { proc, baseUrl: `http://127.0.0.1:${port}` };
}

/** Checks after the tests: acknowledged creates are all there; member adds landed. */
async function consistency(ctx, users, seed, sc, out) {
  const all = await scimJson(ctx, '/scim/v2/Users?count=1');
  if (out.ops.post) {
    const acked = (sc.post.okDuringWarmup ?? 0) + (out.ops.post.statusCodes[201] ?? 0);
    out.usersAfterPost = all.totalResults;
    // Requests in flight when a test stopped were not counted by the client but may have been stored.
    if (all.totalResults < users + acked || all.totalResults > users + sc.post.created()) {
      ctx.failures.push(`${ctx.sizeLabel}: ${all.totalResults} users after the POST test; expected ${users + acked}..${users + sc.post.created()}`);
    }
  } else if (all.totalResults !== users) {
    ctx.failures.push(`${ctx.sizeLabel}: ${all.totalResults} users at the end; seeded ${users}`);
  }
  if (out.ops.groupAdd) {
    let members = 0;
    for (const g of seed.groupIds) members += (await scimJson(ctx, `/scim/v2/Groups/${g}`)).members?.length ?? 0;
    out.groupMembersAfter = members;
    if (members === 0) ctx.failures.push(`${ctx.sizeLabel}: no group has members after the group test`);
  }
}

export async function benchStoreSize(ctx, users, seed, dataDir, confDir) {
  const out = { users, seed: { bytes: seed.bytes, ms: seed.ms, groups: seed.groupIds.length }, ceilingRuns: {}, ops: {} };
  if (ctx.opts.cpuProf) await mkdir(ctx.profDir, { recursive: true });
  const profilesBefore = ctx.opts.cpuProf ? new Set(await readdir(ctx.profDir)) : new Set();
  const ceiling = await startCeiling(ctx);
  const startUs = monoUs();
  const gw = await startGateway(ctx, dataDir, confDir);
  ctx.baseUrl = gw.baseUrl;
  const rss = rssSampler(gw.proc.pid, startUs);
  const sinceStartMs = (us) => Math.round((us - startUs) / 1000);
  const compactions = [];
  let watcher;
  try {
    out.startupMs = await waitForHttp(gw.proc, `${gw.baseUrl}/readyz`);
    const rssAfterStartMB = memoryOf(gw.proc.pid).rssMB;
    say(`${ctx.sizeLabel}: gateway ready in ${(out.startupMs / 1000).toFixed(1)} s, RSS ${rssAfterStartMB.toFixed(0)} MB`);
    // A compaction writes `scimbridge.json.tmp-<pid>` and renames it over the document: note both times.
    let writing;
    watcher = watch(dataDir, (event, file) => {
      if (event !== 'rename' || typeof file !== 'string') return;
      if (file.startsWith('scimbridge.json.tmp-')) writing ??= monoUs();
      else if (file === 'scimbridge.json') {
        compactions.push([writing ?? monoUs(), monoUs()]);
        writing = undefined;
      }
    });
    const one = await scimJson(ctx, `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${seed.userNames[0]}"`)}`);
    if (one.totalResults !== 1) ctx.failures.push(`${ctx.sizeLabel}: seeded user ${seed.userNames[0]} not found by filter`);
    const all = await scimJson(ctx, '/scim/v2/Users?count=1');
    if (all.totalResults !== users) ctx.failures.push(`${ctx.sizeLabel}: the gateway reports ${all.totalResults} users, seeded ${users}`);

    const sc = scenarios(seed);
    let firstCeiling = true;
    for (const op of ctx.opts.ops) {
      if (ctx.opts.quietWaitSec > 0 && !(await waitForQuiet(ctx, [gw.proc.pid, ceiling.proc.pid]))) say('  (the machine is busy with other work; measuring anyway)');
      rss.setPhase(op);
      const c = await measure(ctx, { baseUrl: ceiling.baseUrl, scenario: sc.ceiling, serverPid: ceiling.proc.pid, idlePid: gw.proc.pid, warmupSec: firstCeiling ? ctx.opts.warmupSec : Math.min(1, ctx.opts.warmupSec) });
      firstCeiling = false;
      if (c.cpu.idleServerPct > 5) ctx.warnings.push(`${ctx.sizeLabel} ceiling before ${op}: the idle gateway used ${c.cpu.idleServerPct.toFixed(0)}% CPU meanwhile (compaction?)`);
      if (c.cpu.serverPct < 85 && c.cpu.loadGeneratorPct > 85) ctx.warnings.push(`${ctx.sizeLabel} ceiling before ${op}: server ${c.cpu.serverPct.toFixed(0)}% CPU, load generator ${c.cpu.loadGeneratorPct.toFixed(0)}%: the load generator limits the ceiling`);
      out.ceilingRuns[op] = c;
      const r = await measure(ctx, { baseUrl: gw.baseUrl, scenario: sc[op], serverPid: gw.proc.pid, warmupSec: ctx.opts.warmupSec });
      out.ops[op] = {
        ...r,
        windowMs: r.profileWindowUs.map(sinceStartMs),
        ceilingReqPerSec: c.reqPerSec,
        ratio: r.reqPerSec / c.reqPerSec,
        cpuRatio: r.reqPerCpuSec / c.reqPerCpuSec,
        // Compactions (snapshot writing) that overlapped the measured window.
        compactions: compactions.filter(([from, to]) => to >= r.profileWindowUs[0] && from < r.profileWindowUs[1]).length,
      };
    }
    rss.setPhase('after tests');
    await consistency(ctx, users, seed, sc, out);
    const runs = Object.values(out.ceilingRuns);
    const mid = runs.find((c) => c.reqPerSec === median(runs.map((x) => x.reqPerSec)));
    out.ceiling = { ...mid, label: sc.ceiling.label, runs: runs.length, memory: memoryOf(ceiling.proc.pid) };
    out.memory = { rssAfterStartMB, ...memoryOf(gw.proc.pid), peakRssByPhaseMB: rss.peaks, rssSeriesMB: rss.series };
    out.compactionsDuringRun = compactions.length;
    /** [start, end] of each snapshot write, ms since the gateway was spawned. */
    out.compactionsAtMs = compactions.map((c) => c.map(sinceStartMs));
  } finally {
    rss.stop();
    watcher?.close();
    await stopNode(ceiling.proc, 5_000);
    const stop = await stopNode(gw.proc, 60_000);
    out.shutdown = stop;
    if (stop.forced || (stop.code !== 0 && stop.code !== null)) ctx.failures.push(`${ctx.sizeLabel}: the gateway did not stop cleanly (${JSON.stringify(stop)}):\n${gw.proc.stderr().slice(-2000)}`);
  }
  if (ctx.opts.cpuProf) printProfiles(ctx, out, (await readdir(ctx.profDir)).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f)));
  return out;
}

function printProfiles(ctx, out, files) {
  for (const f of files) {
    out.cpuProfile = join(ctx.profDir, f);
    const profile = readProfile(out.cpuProfile);
    for (const r of Object.values(out.ops)) {
      const [fromUs, toUs] = r.profileWindowUs;
      process.stdout.write(`\n=== CPU profile, ${ctx.sizeLabel}, ${r.label} (${out.cpuProfile}) ===\n${formatSummary(summarize(profile, { fromUs, toUs }), 25)}\n`);
    }
  }
}
