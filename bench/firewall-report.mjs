/**
 * The firewall part's targets and tables (text and markdown), used by report.mjs.
 */

/** Issue 4's targets, FortiOS profile against the fake (latencyMs 20, maxInFlight 4). */
export const FIREWALL_TARGETS = {
  /** Firewall requests/s reached ÷ the most the fake can serve (maxInFlight ÷ latency). */
  utilisation: 0.9,
  /** The gateway's own share of a SCIM request's latency at 1 connection, p50, ms. */
  ownP50Ms: 2,
};

const NOISY_PCT = 15;
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtMs = (n) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');
const fmtN = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const kinds = (byKind) =>
  Object.entries(byKind ?? {})
    .filter(([, v]) => v >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${v.toFixed(2)} ${k}`)
    .join(' + ') || 'n/a';
const cpuCell = (c) => `${c.gatewayPct.toFixed(0)} / ${c.firewallPct.toFixed(0)} / ${c.loadGeneratorPct.toFixed(0)} / ${c.othersPct.toFixed(0)}`;

const entries = (fw, vendor) => Object.entries(fw?.vendors?.[vendor]?.ops ?? {});

export function firewallChecks(fw) {
  if (!fw || fw.skipped || !fw.vendors) return [];
  const checks = [];
  const o = fw.options;
  for (const [, r] of entries(fw, 'fortios')) {
    const m = r.main;
    if (m) {
      checks.push({
        target: `firewall FortiOS ${r.label}: firewall req/s ≥ ${FIREWALL_TARGETS.utilisation} × ${fmtInt(m.firewall.theoreticalReqPerSec)} (${o.maxInFlight} in flight ÷ ${o.latencyMs} ms)`,
        value: `${fmtN(m.firewall.utilisation, 3)} (${fmtInt(m.firewall.reqPerSec)} req/s: ${fmtInt(m.reqPerSec)} ops/s × ${fmtN(m.firewall.requestsPerChange)} req/op)`,
        ok: m.firewall.utilisation >= FIREWALL_TARGETS.utilisation,
        noisy: m.cpu.othersPct > NOISY_PCT,
      });
    }
    const own = r.own;
    if (own) {
      checks.push({
        target: `firewall FortiOS ${r.label}: gateway's own latency p50 < ${FIREWALL_TARGETS.ownP50Ms} ms (1 connection; per request, SCIM latency − the fake's service time)`,
        value: `${fmtMs(own.ownMs.p50)} ms (p90 ${fmtMs(own.ownMs.p90)}; SCIM p50 ${fmtMs(own.scimMs.p50)}, firewall p50 ${fmtMs(own.firewallMs.p50)} ms)`,
        ok: own.ownMs.p50 < FIREWALL_TARGETS.ownP50Ms,
        noisy: own.cpu.othersPct > NOISY_PCT,
      });
    }
  }
  return checks;
}

function fortiRows(fw) {
  const rows = entries(fw, 'fortios').filter(([, r]) => r.main);
  const main = rows.map(([, r]) => {
    const m = r.main;
    return [
      r.label,
      fmtInt(m.reqPerSec),
      fmtMs(m.latencyMs.p50),
      fmtMs(m.latencyMs.p99),
      fmtN(m.firewall.requestsPerChange),
      fmtInt(m.firewall.reqPerSec),
      fmtN(m.firewall.utilisation, 3),
      `≥ ${FIREWALL_TARGETS.utilisation}`,
      `${m.firewall.peakInFlight} / ${m.firewall.maxOutstanding}`,
      cpuCell(m.cpu),
    ];
  });
  const own = rows
    .filter(([, r]) => r.own)
    .map(([, r]) => {
      const s = r.own;
      const cpuMsPerOp = s.requests > 0 ? (10 * s.cpu.serverPct * s.durationSec) / s.requests : NaN;
      return [r.label, fmtN(s.reqPerSec, 1), fmtMs(s.scimMs.p50), fmtMs(s.firewallMs.p50), fmtN(s.firewallRequestsPerOp), fmtMs(s.ownMs.p50), fmtMs(s.ownMs.p90), fmtMs(s.ownMs.p99), fmtMs(cpuMsPerOp), `< ${FIREWALL_TARGETS.ownP50Ms} ms`];
    });
  const kindsLines = rows.map(([, r]) => `${r.label}: ${kinds(r.main.firewall.byKindPerChange)}`);
  return { main, own, kindsLines };
}

function panosRows(fw) {
  const rows = entries(fw, 'panos').filter(([, r]) => r.main);
  const main = rows.map(([, r]) => {
    const m = r.main;
    const f = m.firewall;
    return [
      r.label,
      fmtN(m.reqPerSec, 1),
      fmtInt(m.latencyMs.p50),
      fmtInt(m.latencyMs.p99),
      fmtInt(m.changes),
      fmtInt(f.commits?.enqueued ?? 0),
      fmtN(f.commitsPer100Changes, 1),
      fmtN(f.changesPerCommit, 1),
      fmtN(f.requestsPerChange),
      fmtInt(f.reqPerSec),
      cpuCell(m.cpu),
    ];
  });
  const kindsLines = rows.map(([, r]) => `${r.label}: ${kinds(r.main.firewall.byKindPerChange)}`);
  return { main, kindsLines };
}

const FORTI_HEAD = ['operation', 'SCIM ops/s', 'p50 ms', 'p99 ms', 'firewall req/op', 'firewall req/s', '÷ theoretical', 'target', 'peak in flight / sent at once', 'CPU %: gateway / fake / autocannon / other'];
const FORTI_ALIGN = ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];
const OWN_HEAD = ['operation (1 connection)', 'SCIM ops/s', 'SCIM p50 ms', 'firewall p50 ms', 'firewall req/op', 'own p50 ms', 'own p90 ms', 'own p99 ms', 'gateway CPU ms/op', 'target'];
const OWN_ALIGN = ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];
const PAN_HEAD = ['operation', 'SCIM ops/s', 'p50 ms', 'p99 ms', 'changes', 'commits', 'commits per 100 changes', 'changes per commit', 'firewall req/op', 'firewall req/s', 'CPU %: gateway / fake / autocannon / other'];
const PAN_ALIGN = ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];

function intro(fw, results) {
  const o = fw.options;
  const pin = results.pinning.used ? `gateway and fake pinned to CPU ${results.pinning.server}, load generator on CPU ${results.pinning.loadGenerator}` : 'no CPU pinning';
  return (
    `The gateway (firewall-rest connector, limits.concurrency ${o.maxInFlight}, queue concurrency 64, identity map fsync on, logging at info) in front of ` +
    `the test fakes (test/support/fake-firewall, each in its own process) answering every request after ${o.latencyMs} ms with at most ${o.maxInFlight} admitted at once: ` +
    `at most ${fmtInt(o.maxInFlight / (o.latencyMs / 1000))} firewall req/s. ${fmtInt(o.users)} users and ${o.groups} groups seeded on the fake and adopted through the gateway; ` +
    `${o.connections} connections, ${o.warmupSec} s warm-up, ${o.durationSec} s measured (PAN-OS ${Math.max(10, o.durationSec)} s), then ${o.serialSec} s at 1 connection (FortiOS); ${pin}.`
  );
}

const METHOD_NOTES = [
  'Firewall req/op: the fake\'s requests from the start of the measured run until it is idle again (the gateway finishes what autocannon left in flight; PAN-OS commits it) ÷ the changes found on the fake (users created, members added); firewall req/s: requests that arrived during the run ÷ its duration.',
  'Own latency: at 1 connection, for each SCIM request, its latency (autocannon) minus the union of the fake\'s service intervals (request arrival → answer, in the fake\'s process; same monotonic clock) inside it. It holds the gateway\'s HTTP handling, the connector, both loopback hops and the identity map\'s fsync.',
  'Peak in flight / sent at once: the most requests the fake admitted at once, and the most the connector had outstanding at it (admitted + waiting).',
];

/** Text lines for the printed report. */
export function firewallText(results, table) {
  const fw = results.firewall;
  if (!fw) return [];
  if (fw.skipped) return ['', `Firewall part skipped: ${fw.skipped}`];
  if (fw.failed) return ['', `Firewall part failed: ${fw.failed}`];
  const out = ['', `FIREWALL — ${intro(fw, results)}`];
  const f = fortiRows(fw);
  if (f.main.length > 0) {
    out.push('', 'FortiOS:', table(FORTI_HEAD, f.main, FORTI_ALIGN));
    if (f.own.length > 0) out.push('', table(OWN_HEAD, f.own, OWN_ALIGN));
    out.push(`firewall requests per op: ${f.kindsLines.join('; ')}`);
  }
  const p = panosRows(fw);
  if (p.main.length > 0) {
    out.push('', 'PAN-OS (commit mode applied, quietMs 500, maxDelayMs 5000, pollMs 1000; the fake\'s commits take 20 ms):', table(PAN_HEAD, p.main, PAN_ALIGN));
    out.push(`firewall requests per op: ${p.kindsLines.join('; ')}`);
  }
  out.push(...METHOD_NOTES.map((n) => `(${n})`));
  out.push(`firewall part ${fmtN(fw.wallSec ?? NaN, 0)} s (building the fakes ${fmtN((fw.buildMs ?? NaN) / 1000, 1)} s)`);
  return out;
}

/** Markdown for .bench/latest.md. */
export function firewallMarkdown(results, mdTable) {
  const fw = results.firewall;
  if (!fw) return [];
  if (fw.skipped) return ['', `Firewall part skipped: ${fw.skipped}.`];
  if (fw.failed) return ['', `Firewall part failed: ${fw.failed}.`];
  const out = ['', '### Firewall', '', intro(fw, results)];
  const f = fortiRows(fw);
  if (f.main.length > 0) {
    out.push('', '**FortiOS**', '', mdTable(FORTI_HEAD, f.main, FORTI_ALIGN));
    if (f.own.length > 0) out.push('', mdTable(OWN_HEAD, f.own, OWN_ALIGN));
    out.push('', `Firewall requests per op: ${f.kindsLines.join('; ')}.`);
  }
  const p = panosRows(fw);
  if (p.main.length > 0) {
    out.push('', '**PAN-OS** (commit mode applied, quietMs 500, maxDelayMs 5000, pollMs 1000; the fake\'s commits take 20 ms)', '', mdTable(PAN_HEAD, p.main, PAN_ALIGN));
    out.push('', `Firewall requests per op: ${p.kindsLines.join('; ')}.`);
  }
  out.push('', ...METHOD_NOTES.map((n) => `- ${n}`));
  return out;
}
