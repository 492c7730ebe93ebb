/**
 * Targets, the printed tables, the markdown table and the JSON file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIREWALL_TARGETS, firewallChecks, firewallMarkdown, firewallText } from './firewall-report.mjs';
import { LDAP_TARGETS, ldapChecks, ldapMarkdown, ldapText } from './ldap-report.mjs';

/** The issue's targets. Ratios are gateway req/s ÷ ceiling req/s measured in the same run, same size. */
export const TARGETS = {
  ceilingRatio: { get: 0.5, patch: 0.3, post: 0.2 },
  /** 100,000-user req/s at least this fraction of 10,000-user req/s, every operation. */
  scaling: 0.8,
  /** Peak RSS (VmHWM) of the gateway at 100,000 users, MB (10^6 bytes). */
  peakRssMB: 400,
};

const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtMs = (n) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');
const fmtX = (n, d = 2) => (Number.isFinite(n) ? `${n.toFixed(d)}×` : 'n/a');
const fmtSize = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const verdict = (c) => `${c.ok ? 'PASS' : 'FAIL'}${c.noisy ? ' (noisy)' : ''}`;

/** Other processes used more than this much of a CPU during a measurement: its verdict is "noisy". */
const NOISY_PCT = 15;
const noisy = (...runs) => runs.some((r) => r && r.cpu.othersPct > NOISY_PCT);

/** Evaluate every target that the run has data for. */
export function evaluate(results) {
  const checks = [];
  for (const s of results.sizes) {
    for (const [op, min] of Object.entries(TARGETS.ceilingRatio)) {
      const r = s.ops[op];
      if (!r) continue;
      checks.push({
        target: `${r.label} ≥ ${min}× ceiling @ ${fmtSize(s.users)}`,
        value: `${fmtX(r.ratio)} (per server CPU-s ${fmtX(r.cpuRatio)})`,
        ok: r.ratio >= min,
        noisy: noisy(r, s.ceilingRuns[op]),
      });
    }
  }
  const small = results.sizes.find((s) => s.users === 10_000) ?? results.sizes[0];
  const large = results.sizes.find((s) => s.users === 100_000) ?? results.sizes.at(-1);
  if (small && large && small !== large) {
    for (const [op, r] of Object.entries(large.ops)) {
      const base = small.ops[op];
      if (!base) continue;
      const ratio = r.reqPerSec / base.reqPerSec;
      results.scaling[op] = { reqPerSec: ratio, reqPerCpuSec: r.reqPerCpuSec / base.reqPerCpuSec, p50: r.latencyMs.p50 / base.latencyMs.p50, p99: r.latencyMs.p99 / base.latencyMs.p99 };
      checks.push({
        target: `${r.label}: ${fmtSize(large.users)} req/s ≥ ${TARGETS.scaling}× ${fmtSize(small.users)}`,
        value: `${fmtX(ratio)} (per server CPU-s ${fmtX(results.scaling[op].reqPerCpuSec)})`,
        ok: ratio >= TARGETS.scaling,
        noisy: noisy(r, base),
      });
    }
  }
  if (large) {
    // The target is for a store of the seeded size: every phase before POST, which adds users.
    const seeded = seededPeakMB(large);
    checks.push({
      target: `gateway peak RSS @ ${fmtSize(large.users)} users < ${TARGETS.peakRssMB} MB`,
      value: `${seeded.toFixed(0)} MB (after POST grew the store to ${large.usersAfterPost ?? '?'} users: ${large.memory.peakRssMB.toFixed(0)} MB)`,
      ok: seeded < TARGETS.peakRssMB,
    });
  }
  checks.push(...ldapChecks(results.ldap));
  checks.push(...firewallChecks(results.firewall));
  return checks;
}

/** Peak RSS while the store held the seeded users: every phase except POST and what follows it. */
export function seededPeakMB(size) {
  const phases = Object.entries(size.memory.peakRssByPhaseMB).filter(([p]) => p !== 'post' && p !== 'after tests');
  return Math.max(0, ...phases.map(([, mb]) => mb));
}

function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (align[i] === 'r' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function mdTable(headers, rows, align) {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [headers, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const cpuCell = (c) => `${c.serverPct.toFixed(0)} / ${c.loadGeneratorPct.toFixed(0)} / ${c.othersPct.toFixed(0)}`;

function resultRows(results) {
  const rows = [];
  for (const s of results.sizes) {
    const c = s.ceiling;
    rows.push([`${c.label} (median of ${c.runs})`, fmtSize(s.users), fmtInt(c.reqPerSec), fmtMs(c.latencyMs.p50), fmtMs(c.latencyMs.p99), '', '1.00×', fmtInt(c.reqPerCpuSec), '1.00×', cpuCell(c.cpu)]);
    for (const r of Object.values(s.ops)) {
      rows.push([`${r.label}${r.compactions > 0 ? ' (c)' : ''}`, fmtSize(s.users), fmtInt(r.reqPerSec), fmtMs(r.latencyMs.p50), fmtMs(r.latencyMs.p99), fmtInt(r.ceilingReqPerSec), fmtX(r.ratio), fmtInt(r.reqPerCpuSec), fmtX(r.cpuRatio), cpuCell(r.cpu)]);
    }
  }
  return rows;
}

const HEAD = ['operation', 'users', 'req/s', 'p50 ms', 'p99 ms', 'ceiling req/s', '× ceiling', 'req/CPU-s', '× ceiling/CPU-s', 'CPU % server/loadgen/other'];
const ALIGN = ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];

function scalingRows(results) {
  return Object.entries(results.scaling).map(([op, s]) => [results.sizes[0].ops[op].label, fmtX(s.reqPerSec), fmtX(s.reqPerCpuSec), fmtX(s.p50), fmtX(s.p99)]);
}

function memoryRows(results) {
  return results.sizes.map((s) => [
    fmtSize(s.users),
    `${(s.seed.bytes / 1e6).toFixed(1)} MB`,
    `${(s.startupMs / 1000).toFixed(1)} s`,
    `${s.memory.rssAfterStartMB.toFixed(0)} MB`,
    `${s.memory.peakRssMB.toFixed(0)} MB`,
    `${s.ceiling.memory.peakRssMB.toFixed(0)} MB`,
    s.compactionsAtMs.map(([from, to]) => `${(from / 1000).toFixed(1)}–${(to / 1000).toFixed(1)} s`).join(', ') || 'none',
  ]);
}
const phaseList = (s) => Object.entries(s.memory.peakRssByPhaseMB).map(([p, mb]) => `${p} ${mb.toFixed(0)}`).join(', ');
const MEM_HEAD = ['users', 'seed document', 'startup', 'gateway RSS after start', 'gateway peak RSS', 'ceiling peak RSS', 'snapshot writes (since gateway start)'];

export function printReport(results, checks) {
  const i = results.machine;
  const out = [];
  out.push('', `scimbridge bench — ${results.startedAt}`);
  out.push(`machine: ${i.cpuModel} × ${i.cpus}, ${i.memGB} GB, ${i.os}; node ${i.node}; autocannon ${i.autocannon}; git ${i.git}`);
  out.push(`pinning: ${results.pinning.used ? `taskset, servers on CPU ${results.pinning.server}, load generator on CPU ${results.pinning.loadGenerator}` : `none (${results.pinning.reason})`}`);
  const o = results.options;
  out.push(`load: ${o.connections} connections, ${o.durationSec} s per test after ${o.warmupSec} s warm-up; fsync on; log level info to /dev/null`);
  if (o.gatewayFlags.length > 0) out.push(`gateway node flags: ${o.gatewayFlags.join(' ')}`);
  if (results.sizes.length > 0) {
    out.push('', table(HEAD, resultRows(results), ALIGN));
    out.push('(c): a compaction (snapshot write of the whole store) overlapped this measurement');
    if (Object.keys(results.scaling).length > 0) {
      out.push('', `${fmtSize(results.sizes.at(-1).users)} ÷ ${fmtSize(results.sizes[0].users)} users:`);
      out.push(table(['operation', 'req/s', 'req/CPU-s', 'p50', 'p99'], scalingRows(results), ['l', 'r', 'r', 'r', 'r']));
    }
    out.push('', table(MEM_HEAD, memoryRows(results), ['r', 'r', 'r', 'r', 'r', 'r', 'r']));
    for (const s of results.sizes) {
      out.push(`gateway peak RSS by phase @ ${fmtSize(s.users)} (MB): ${phaseList(s)}`);
    }
  }
  out.push(...ldapText(results, table));
  out.push(...firewallText(results, table));
  out.push('', 'targets:');
  for (const c of checks) out.push(`  ${verdict(c).padEnd(12)}  ${c.target}: ${c.value}`);
  const fails = checks.filter((c) => !c.ok).length;
  out.push(`  ${checks.length - fails} of ${checks.length} targets met`);
  if (checks.some((c) => c.noisy)) out.push(`  (noisy: other processes used more than ${NOISY_PCT}% of a CPU during a measurement behind that verdict; rerun on a quiet machine)`);
  if (results.failures.length > 0) {
    out.push('', '!!!!!!!! BENCHMARK FAILURES: the figures above are not valid !!!!!!!!');
    for (const f of results.failures) out.push(`  ${f}`);
  }
  if (results.warnings.length > 0) {
    out.push('', 'warnings:');
    for (const w of results.warnings) out.push(`  ${w}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function markdown(results, checks) {
  const i = results.machine;
  const o = results.options;
  const parts = [
    `Measured ${results.startedAt.slice(0, 10)} on ${i.cpuModel} × ${i.cpus}, node ${i.node}, ` +
      `${results.pinning.used ? 'server and load generator pinned to separate CPUs (taskset)' : 'no CPU pinning'}; ` +
      `${o.connections} connections, ${o.durationSec} s per test after ${o.warmupSec} s warm-up, fsync on, logging at info` +
      `${o.gatewayFlags.length > 0 ? `, gateway node flags ${o.gatewayFlags.join(' ')}` : ''}.`,
  ];
  if (results.sizes.length > 0) {
    parts.push('', '### json-file', '', mdTable(HEAD, resultRows(results), ALIGN), '', '(c): a compaction (snapshot write of the whole store) overlapped this measurement.');
    if (Object.keys(results.scaling).length > 0) {
      parts.push('', mdTable(['operation', `req/s ${fmtSize(results.sizes.at(-1).users)} ÷ ${fmtSize(results.sizes[0].users)}`, 'req/CPU-s', 'p50', 'p99'], scalingRows(results), ['l', 'r', 'r', 'r', 'r']));
    }
    parts.push('', mdTable(MEM_HEAD, memoryRows(results), ['r', 'r', 'r', 'r', 'r', 'r', 'r']));
    for (const s of results.sizes) parts.push('', `Gateway peak RSS by phase @ ${fmtSize(s.users)} (MB): ${phaseList(s)}`);
  }
  parts.push(...ldapMarkdown(results, mdTable));
  parts.push(...firewallMarkdown(results, mdTable));
  parts.push('', '### Targets');
  parts.push('', mdTable(['target', 'measured', ''], checks.map((c) => [c.target, c.value, verdict(c)]), ['l', 'r', 'l']));
  if (results.failures.length > 0) parts.push('', `**Benchmark failures:** ${results.failures.join('; ')}`);
  return `${parts.join('\n')}\n`;
}

export async function writeResults(dir, results, checks) {
  await mkdir(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const jsonFile = join(dir, `results-${stamp}.json`);
  await writeFile(jsonFile, `${JSON.stringify({ ...results, targets: { ...TARGETS, ldap: LDAP_TARGETS, firewall: FIREWALL_TARGETS }, checks }, null, 2)}\n`);
  const mdFile = join(dir, 'latest.md');
  await writeFile(mdFile, markdown(results, checks));
  return { jsonFile, mdFile };
}
