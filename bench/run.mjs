#!/usr/bin/env node
/**
 * `npm run bench`: throughput and latency of the gateway on the durable json-file store, against a bare
 * node:http ceiling measured in the same run, at 10,000 and 100,000 seeded users. See bench/README.md.
 *
 * For each size: seed a store document, start the ceiling server and the gateway (`node dist/src/cli.js
 * serve`, fsync on, logging at info to /dev/null), each in its own child process, then for each operation
 * measure the ceiling and right after it the gateway, with autocannon in this process. Servers are pinned
 * to CPU 0 and this process to CPU 1 when taskset exists. Then the LDAP part (bench/ldap.mjs): direct ldapts
 * against a throwaway slapd versus the gateway on the same slapd, and the listing memory at 100,000 entries.
 * Then the firewall part (bench/firewall.mjs): the gateway with the firewall-rest connector in front of the
 * fake FortiOS and PAN-OS (20 ms per request, 4 in flight): firewall utilisation, the gateway's own latency,
 * PAN-OS commits per 100 changes.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (default 32),
 * BENCH_SIZES (default 10000,100000), BENCH_OPS (default get,patch,post,groupAdd), BENCH_QUIET_WAIT (s,
 * default 10: how long to wait for other processes to calm down before each test), BENCH_CPU_PROF=1
 * (profile the gateway; summaries printed per test), BENCH_GATEWAY_FLAGS (extra node flags for the gateway,
 * e.g. "--max-old-space-size=256"), BENCH_STRICT=1 (exit 2 when a target is missed), BENCH_NO_PIN=1,
 * BENCH_PARTS (default json,ldap,firewall), BENCH_LDAP=0 (skip the LDAP part), BENCH_LDAP_* and BENCH_FIREWALL_*
 * (bench/README.md).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFirewall, readFirewallOptions } from './firewall.mjs';
import { benchStoreSize, say } from './gateway.mjs';
import { benchLdap, readLdapOptions } from './ldap.mjs';
import { installCleanup, removeTempDir, setupPinning, trackTempDir } from './procs.mjs';
import { evaluate, printReport, writeResults } from './report.mjs';
import { writeSeedDocument } from './seed.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, '.bench');
// POST runs last: it grows the store (tens of thousands of users), and the memory target is for the seeded size.
const OPS = ['get', 'patch', 'groupAdd', 'post'];
const PARTS = ['json', 'ldap', 'firewall'];

function readOptions(env = process.env) {
  const num = (name, dflt, min) => {
    const v = env[name] === undefined || env[name] === '' ? dflt : Number(env[name]);
    if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number ≥ ${min}, got ${env[name]}`);
    return v;
  };
  const ops = (env.BENCH_OPS || OPS.join(',')).split(',').map((s) => (s.trim() === 'group-add' ? 'groupAdd' : s.trim()));
  for (const op of ops) if (!OPS.includes(op)) throw new Error(`BENCH_OPS: unknown operation "${op}" (use ${OPS.join(', ')})`);
  const parts = (env.BENCH_PARTS || PARTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`BENCH_PARTS: unknown part "${p}" (use ${PARTS.join(', ')})`);
  return {
    parts: PARTS.filter((p) => parts.includes(p) && !(p === 'ldap' && env.BENCH_LDAP === '0')),
    durationSec: num('BENCH_DURATION', 10, 1),
    warmupSec: num('BENCH_WARMUP', 3, 0),
    connections: num('BENCH_CONNECTIONS', 32, 1),
    sizes: (env.BENCH_SIZES || '10000,100000').split(',').map((s) => {
      const n = Number(s.trim());
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`BENCH_SIZES: "${s}" is not a positive integer`);
      return n;
    }),
    ops: OPS.filter((op) => ops.includes(op)),
    quietWaitSec: num('BENCH_QUIET_WAIT', 10, 0),
    cpuProf: env.BENCH_CPU_PROF === '1',
    gatewayFlags: (env.BENCH_GATEWAY_FLAGS ?? '').split(/\s+/).filter(Boolean),
    strict: env.BENCH_STRICT === '1',
    ldap: readLdapOptions(env),
    firewall: readFirewallOptions(env),
  };
}

function machineInfo() {
  const sh = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '?';
    }
  };
  // Others edit this checkout while benchmarks run: name the working tree, not just the commit.
  const diff = sh('git', ['diff', 'HEAD']);
  const dirty = diff !== '' && diff !== '?' ? `+dirty:${createHash('sha256').update(diff).digest('hex').slice(0, 8)}` : '';
  return {
    cpuModel: cpus()[0]?.model.trim() ?? '?',
    cpus: cpus().length,
    memGB: Math.round(totalmem() / 1e9),
    os: `${type()} ${release()}`,
    node: process.version,
    autocannon: createRequire(import.meta.url)('autocannon/package.json').version,
    git: `${sh('git', ['rev-parse', '--short', 'HEAD'])}${dirty}`,
    loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

async function benchSize(ctx, users) {
  ctx.sizeLabel = `${users.toLocaleString('en-US')} users`;
  const dir = await mkdtemp(join(tmpdir(), 'scimbridge-bench-'));
  trackTempDir(dir);
  try {
    const dataDir = join(dir, 'data');
    const confDir = join(dir, 'conf');
    await mkdir(dataDir, { mode: 0o700 });
    await mkdir(confDir);
    const t0 = performance.now();
    const seed = await writeSeedDocument(dataDir, users);
    seed.ms = Math.round(performance.now() - t0);
    say(`${ctx.sizeLabel}: seeded ${(seed.bytes / 1e6).toFixed(1)} MB (${Math.round(seed.bytes / users)} bytes/user) in ${seed.ms} ms`);
    return await benchStoreSize(ctx, users, seed, dataDir, confDir);
  } finally {
    removeTempDir(dir);
  }
}

async function main() {
  const opts = readOptions();
  installCleanup();
  const pin = setupPinning();
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replace(/[:.]/g, '-');
  const ctx = { root: ROOT, opts, pin, token: randomBytes(24).toString('base64url'), profDir: join(OUT_DIR, 'profiles', stamp), failures: [], warnings: [] };
  const machine = machineInfo();
  say(`${machine.cpuModel} × ${machine.cpus}, node ${machine.node}, pinning ${pin.used ? 'on (taskset: servers CPU 0, load generator CPU 1)' : `off (${pin.reason})`}`);
  if (machine.loadavgAtStart[0] > 0.5) ctx.warnings.push(`load average at start ${machine.loadavgAtStart.join(' ')}: something else is using the CPU`);
  const results = { startedAt, machine, pinning: pin, options: opts, sizes: [], scaling: {}, failures: ctx.failures, warnings: ctx.warnings };
  if (opts.parts.includes('json')) for (const users of opts.sizes) results.sizes.push(await benchSize(ctx, users));
  else say('json-file part skipped (BENCH_PARTS)');
  if (opts.parts.includes('ldap')) {
    results.ldap = await benchLdap(ctx);
  } else {
    results.ldap = { skipped: process.env.BENCH_LDAP === '0' ? 'BENCH_LDAP=0' : 'not in BENCH_PARTS' };
    say(`LDAP part skipped (${results.ldap.skipped})`);
  }
  if (opts.parts.includes('firewall')) {
    results.firewall = await benchFirewall(ctx);
  } else {
    results.firewall = { skipped: 'not in BENCH_PARTS' };
    say('firewall part skipped (BENCH_PARTS)');
  }
  const checks = evaluate(results);
  printReport(results, checks);
  const files = await writeResults(OUT_DIR, results, checks);
  say(`results: ${files.jsonFile}`);
  say(`markdown: ${files.mdFile}`);
  if (ctx.failures.length > 0) process.exit(1);
  if (opts.strict && checks.some((c) => !c.ok)) process.exit(2);
}

await main();
