/**
 * The LDAP part's targets and tables (text and markdown), used by report.mjs.
 */

/** The issue's targets: gateway req/s ÷ direct ldapts ops/s, same slapd, same run. */
export const LDAP_TARGETS = {
  ratio: { get: 0.8, patch: 0.9, groupAdd: 0.9, post: 0.9 },
  /**
   * Listing page by page must not grow with the directory: the gateway's peak VmRSS while listing 100,000
   * entries at most this much (MB) above its peak while listing 10,000 (each on a freshly started gateway).
   */
  listingRssGrowthMB: 50,
};

const NOISY_PCT = 15;
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtMs = (n) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');
const fmtX = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');
const fmtMB = (n) => (Number.isFinite(n) ? `${n.toFixed(0)} MB` : 'n/a');
const fmtSec = (s) => (!Number.isFinite(s) ? 'n/a' : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
const fmtSize = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const DIRECT_LABEL = {
  get: 'search (&(objectClass=inetOrgPerson)(uid=…))',
  patch: 'modify: replace displayName, title',
  groupAdd: 'modify: add member',
  post: 'add inetOrgPerson',
};
const ldapOps = (perRequest) =>
  Object.entries(perRequest ?? {})
    .filter(([, v]) => v >= 0.05)
    .map(([k, v]) => `${v.toFixed(v >= 9.95 ? 0 : 1)} ${k}`)
    .join(' + ') || 'n/a';

export function ldapChecks(ldap) {
  if (!ldap || ldap.skipped) return [];
  const checks = [];
  for (const [op, r] of Object.entries(ldap.ops)) {
    const min = LDAP_TARGETS.ratio[op];
    checks.push({
      target: `LDAP ${r.label} ≥ ${min}× direct ldapts (${DIRECT_LABEL[op]})`,
      value: `${fmtX(r.ratio)} (per client+slapd CPU-s ${fmtX(r.cpuRatio)})`,
      ok: r.ratio >= min,
      noisy: r.direct.cpu.othersPct > NOISY_PCT || r.gateway.cpu.othersPct > NOISY_PCT,
    });
  }
  const big = ldap.listing?.large;
  const small = ldap.listing?.small;
  if (big && small) {
    const growth = big.rssMB.max - small.rssMB.max;
    checks.push({
      target: `LDAP listing page by page, RSS flat: peak at ${fmtSize(big.entries)} entries − peak at ${fmtSize(small.entries)} < ${LDAP_TARGETS.listingRssGrowthMB} MB`,
      value:
        `${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB (${fmtSize(small.entries)}: ${fmtMB(small.rssMB.start)} → max ${fmtMB(small.rssMB.max)}; ` +
        `${fmtSize(big.entries)}: ${fmtMB(big.rssMB.start)} → max ${fmtMB(big.rssMB.max)}${big.complete ? '' : `, ${big.pagesFetched} of ${big.pagesTotal} pages in the time budget`})`,
      ok: growth < LDAP_TARGETS.listingRssGrowthMB,
    });
  }
  return checks;
}

function rows(ldap) {
  const ops = Object.entries(ldap.ops);
  const main = ops.map(([op, r]) => [
    r.label,
    fmtInt(r.direct.opsPerSec),
    fmtMs(r.direct.latencyMs.p50),
    fmtMs(r.direct.latencyMs.p99),
    fmtInt(r.gateway.reqPerSec),
    fmtMs(r.gateway.latencyMs.p50),
    fmtMs(r.gateway.latencyMs.p99),
    fmtX(r.ratio),
    `≥ ${LDAP_TARGETS.ratio[op]}×`,
    fmtX(r.cpuRatio),
  ]);
  const cpu = ops.map(([, r]) => [
    r.label,
    `${r.direct.cpu.clientPct.toFixed(0)} / ${r.direct.cpu.slapdPct.toFixed(0)} / ${r.direct.cpu.othersPct.toFixed(0)}`,
    `${r.gateway.cpu.gatewayPct.toFixed(0)} / ${r.gateway.cpu.slapdPct.toFixed(0)} / ${r.gateway.cpu.loadGeneratorPct.toFixed(0)} / ${r.gateway.cpu.othersPct.toFixed(0)}`,
    fmtInt(r.direct.perCpuSec),
    fmtInt(r.gateway.perCpuSec),
    ldapOps(r.direct.ldapOpsPerRequest),
    ldapOps(r.gateway.ldapOpsPerRequest),
  ]);
  const listing = ['small', 'large']
    .map((k) => ldap.listing?.[k])
    .filter(Boolean)
    .map((l) => [
      fmtInt(l.entries),
      `${l.pagesFetched} of ${l.pagesTotal}${l.complete ? '' : ` (budget spent at ${fmtInt(l.skippedFrom)}; then the last page)`}`,
      fmtSec(l.wallSec),
      fmtInt(l.msPerPage.mean),
      `${l.complete ? '' : '≈ '}${fmtSec(l.fullListingSec)}`,
      fmtInt(l.scanRatePerSec),
      fmtMB(l.rssMB.start),
      fmtMB(l.rssMB.max),
      fmtMB(l.rssMB.end),
      fmtMB(l.rssMB.maxMinusStart),
      `${l.cpu.gatewayPct.toFixed(0)} / ${l.cpu.slapdPct.toFixed(0)}`,
    ]);
  return { main, cpu, listing };
}

const MAIN_HEAD = ['operation', 'direct ops/s', 'p50 ms', 'p99 ms', 'gateway req/s', 'p50 ms', 'p99 ms', 'gateway ÷ direct', 'target', '÷ per CPU-s'];
const CPU_HEAD = ['operation', 'direct CPU %: ldapts / slapd / other', 'gateway CPU %: gateway / slapd / autocannon / other', 'direct ops/CPU-s', 'gateway req/CPU-s', 'LDAP ops per direct op', 'LDAP ops per gateway request'];
const LIST_HEAD = ['entries', 'pages (1000 each)', 'time', 'ms/page', 'full listing', 'entries scanned/s', 'RSS start', 'RSS max', 'RSS end', 'max − start', 'CPU % gateway / slapd'];

function intro(ldap, results) {
  const o = ldap.options;
  const pin = results.pinning.used
    ? `slapd and the LDAP client under test (direct ldapts child or gateway) pinned together to CPU ${results.pinning.server}, load generator on CPU ${results.pinning.loadGenerator}`
    : 'no CPU pinning';
  return (
    `slapd 2.5 (mdb, fsync on, refint + memberof + ppolicy), ${fmtInt(o.users)} users; ${o.concurrency} operations in flight on each side ` +
    `(direct: one ldapts connection; gateway: ${o.concurrency} HTTP connections, queue concurrency ${o.concurrency}, one LDAP connection); ` +
    `${results.options.warmupSec} s warm-up per side, then ${o.rounds * Math.max(1, Math.round(results.options.durationSec / o.rounds))} s per side measured in ${o.rounds} slices each, alternating (direct, gateway, gateway, direct…); ${pin}.`
  );
}

/** Text lines for the printed report. */
export function ldapText(results, table) {
  const ldap = results.ldap;
  if (!ldap) return [];
  if (ldap.skipped) return ['', `LDAP part skipped: ${ldap.skipped}`];
  const r = rows(ldap);
  const out = ['', `LDAP — ${intro(ldap, results)}`];
  if (r.main.length > 0) {
    out.push('', table(MAIN_HEAD, r.main, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
    out.push('', table(CPU_HEAD, r.cpu, ['l', 'r', 'r', 'r', 'r', 'l', 'l']));
    out.push('(per CPU-s: ops per CPU-second of client + slapd, i.e. the ratio at equal CPU spent; LDAP ops counted by slapd\'s cn=Monitor)');
  }
  if (r.listing.length > 0) {
    out.push('', 'LDAP listing through the gateway, GET /Users?startIndex=…&count=1000 (each page scans the directory’s DNs, then reads its 1,000 entries by DN):');
    out.push(table(LIST_HEAD, r.listing, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
  }
  out.push(`seed: ${fmtInt(ldap.seed?.users)} users by slapadd in ${fmtSec((ldap.seed?.slapadd ?? NaN) / 1000)}${ldap.listSeed ? `, ${fmtInt(ldap.listSeed.users)} in ${fmtSec(ldap.listSeed.slapadd / 1000)}` : ''}; gateway ready in ${fmtSec((ldap.startupMs ?? NaN) / 1000)}, RSS ${fmtMB(ldap.rssAfterStartMB)}; LDAP part ${fmtSec(ldap.wallSec)}`);
  return out;
}

/** Markdown for .bench/latest.md. */
export function ldapMarkdown(results, mdTable) {
  const ldap = results.ldap;
  if (!ldap) return [];
  if (ldap.skipped) return ['', `LDAP part skipped: ${ldap.skipped}.`];
  const r = rows(ldap);
  const out = ['', '### LDAP', '', intro(ldap, results)];
  if (r.main.length > 0) {
    out.push('', mdTable(MAIN_HEAD, r.main, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
    out.push('', mdTable(CPU_HEAD, r.cpu, ['l', 'r', 'r', 'r', 'r', 'l', 'l']));
    out.push('', 'Per CPU-s: operations per CPU-second of client + slapd (the ratio at equal CPU spent). LDAP operations counted by slapd (cn=Monitor).');
  }
  if (r.listing.length > 0) {
    out.push('', 'Listing through the gateway, `GET /Users?startIndex=…&count=1000` from 1 to the end (each page scans the directory’s DNs, then reads its 1,000 entries by DN):', '');
    out.push(mdTable(LIST_HEAD, r.listing, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
  }
  return out;
}
