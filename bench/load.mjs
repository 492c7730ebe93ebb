/**
 * The load: the request shapes (Entra's, from test/fixtures/entra) and one autocannon run with our own
 * sub-millisecond latency record (autocannon's histogram has 1 ms resolution), a sampled check of the
 * answers, and the CPU each side used (to show which side was saturated).
 */
import autocannon from 'autocannon';
import { cpuSecondsOf, machineBusySeconds, selfCpuSeconds } from './procs.mjs';
import { Latencies } from './latencies.mjs';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Check one answer in this many (parsing every body would load the load generator). */
const SAMPLE_EVERY = 25;

const randomIndex = (n) => Math.floor(Math.random() * n);
const filterPath = (userName) => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

/**
 * The operations, in the order they run. Each has a request generator for autocannon and a check of one
 * answer (returns a problem or undefined). `data` is what seeding returned: ids, userNames, groupIds.
 */
export function scenarios(data) {
  const { ids, userNames, groupIds } = data;
  let created = 0;
  let patched = 0;
  let addCount = 0;
  const json = (body) => {
    try {
      return JSON.parse(body);
    } catch {
      return undefined;
    }
  };
  return {
    // The same GET, prebuilt once: the ceiling ignores the URL, and building a request per call would
    // double the load generator's cost per request, making the load generator the ceiling's limit.
    ceiling: {
      key: 'ceiling',
      label: 'ceiling: bare node:http',
      method: 'GET',
      path: filterPath(userNames[0]),
      status: 200,
      check: (body) => (json(body)?.totalResults === 1 ? undefined : `unexpected body ${body.slice(0, 120)}`),
    },
    get: {
      key: 'get',
      label: 'GET /Users?filter=userName eq',
      method: 'GET',
      status: 200,
      setup: (req, ctx) => {
        const userName = userNames[randomIndex(userNames.length)];
        ctx.expect = userName;
        req.path = filterPath(userName);
        return req;
      },
      check: (body, ctx) => {
        const r = json(body);
        if (r?.totalResults !== 1) return `totalResults ${r?.totalResults} for ${ctx.expect}`;
        if (String(r.Resources?.[0]?.userName).toLowerCase() !== ctx.expect.toLowerCase()) return `found ${r.Resources?.[0]?.userName}, asked ${ctx.expect}`;
        return undefined;
      },
    },
    patch: {
      key: 'patch',
      label: 'PATCH /Users/{id} replace',
      method: 'PATCH',
      status: 200,
      setup: (req, ctx) => {
        const n = ++patched;
        ctx.expect = `Patched Name ${n}`;
        req.path = `/scim/v2/Users/${ids[randomIndex(ids.length)]}`;
        req.body = JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [
            { op: 'Replace', path: 'displayName', value: ctx.expect },
            { op: 'Replace', path: 'title', value: `Title ${n % 97}` },
          ],
        });
        return req;
      },
      check: (body, ctx) => (json(body)?.displayName === ctx.expect ? undefined : `displayName not replaced: ${body.slice(0, 120)}`),
    },
    post: {
      key: 'post',
      label: 'POST /Users (create)',
      method: 'POST',
      status: 201,
      created: () => created,
      setup: (req, ctx) => {
        const n = ++created;
        const userName = `bench.created.${n}@contoso.example`;
        ctx.expect = userName;
        req.path = '/scim/v2/Users';
        req.body = JSON.stringify({
          schemas: [CORE_USER, ENTERPRISE_USER],
          externalId: `bench-created-${n}`,
          userName,
          active: true,
          displayName: `Created User ${n}`,
          title: 'Software Engineer',
          emails: [{ primary: true, type: 'work', value: userName }],
          meta: { resourceType: 'User' },
          name: { formatted: `Created User ${n}`, familyName: `User ${n}`, givenName: 'Created' },
          [ENTERPRISE_USER]: { department: 'Engineering', employeeNumber: String(900000 + n) },
          roles: [],
        });
        return req;
      },
      check: (body, ctx) => {
        const r = json(body);
        return typeof r?.id === 'string' && r.userName === ctx.expect ? undefined : `unexpected create answer: ${body.slice(0, 120)}`;
      },
    },
    groupAdd: {
      key: 'groupAdd',
      label: 'PATCH /Groups/{id} add member',
      method: 'PATCH',
      status: 204,
      // Every request adds a (group, user) pair not added before, in a shuffled order: with random pairs a
      // small store soon answers mostly re-adds (no-ops that write nothing), which is not the same work as
      // on a large store. 10 groups × 10,000 users is 100,000 distinct pairs, more than one test sends.
      setup: (req) => {
        const k = addCount++;
        const user = ids[(Math.floor(k / groupIds.length) * 7919) % ids.length];
        req.path = `/scim/v2/Groups/${groupIds[k % groupIds.length]}`;
        req.body = JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: user }] }] });
        return req;
      },
      check: () => undefined,
    },
  };
}

/**
 * One autocannon run of `scenario` against `baseUrl`. Returns req/s, latency percentiles, failures
 * (non-2xx, wrong status, errors, timeouts, failed checks) and CPU use of the server, of this process, of
 * the idle server `idlePid` and of everything else on the machine. `latencies`: a record to add this run's
 * latencies to (several runs measured as one); the percentiles returned are of everything in it.
 * `timeoutSec`: how long one request may take (autocannon's default, 10 s, unless given).
 */
export async function runLoad({ baseUrl, token, scenario, connections, durationSec, serverPid, idlePid, latencies = new Latencies(), timeoutSec }) {
  const checks = { sampled: 0, failed: 0, examples: [] };
  const wrongStatus = {};
  let responses = 0;
  const onResponse = (status, body, ctx) => {
    if (status !== scenario.status) {
      wrongStatus[status] = (wrongStatus[status] ?? 0) + 1;
      if (checks.examples.length < 5) checks.examples.push(`HTTP ${status}: ${String(body).slice(0, 200)}`);
      return;
    }
    if (++responses % SAMPLE_EVERY !== 0) return;
    checks.sampled++;
    const problem = scenario.check(String(body), ctx);
    if (problem) {
      checks.failed++;
      if (checks.examples.length < 5) checks.examples.push(problem);
    }
  };
  const idleCpu = () => (idlePid === undefined ? 0 : cpuSecondsOf(idlePid));
  const cpuBefore = { server: cpuSecondsOf(serverPid), idle: idleCpu(), self: selfCpuSeconds(), machine: machineBusySeconds(), at: performance.now() };
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections,
        duration: durationSec,
        ...(timeoutSec === undefined ? {} : { timeout: timeoutSec }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' },
        requests: [scenario.setup ? { method: scenario.method, setupRequest: scenario.setup, onResponse } : { method: scenario.method, path: scenario.path, onResponse }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.add(ms));
  });
  const wallSec = (performance.now() - cpuBefore.at) / 1000;
  const serverSec = cpuSecondsOf(serverPid) - cpuBefore.server;
  const selfSec = selfCpuSeconds() - cpuBefore.self;
  const idleSec = idleCpu() - cpuBefore.idle;
  const machineSec = machineBusySeconds() - cpuBefore.machine;
  const lat = latencies.percentiles();
  return {
    reqPerSec: result.requests.average,
    requests: result.requests.total,
    /** Requests sent, answered or not (autocannon drops those in flight when the duration ends). */
    sent: result.requests.sent,
    durationSec: result.duration,
    latencyMs: { p50: lat.p50, p90: lat.p90, p99: lat.p99, p999: lat.p999, max: lat.max, mean: result.latency.mean },
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
    non2xx: result.non2xx,
    wrongStatus,
    errors: result.errors,
    timeouts: result.timeouts,
    checks,
    cpu: {
      serverPct: (100 * serverSec) / wallSec,
      loadGeneratorPct: (100 * selfSec) / wallSec,
      /** Everything else on the machine (other people's builds and tests): noise, in % of one CPU. */
      othersPct: Math.max(0, (100 * (machineSec - serverSec - selfSec - idleSec)) / wallSec),
      /** The other server of the pair, which should be idle meanwhile. */
      idleServerPct: (100 * idleSec) / wallSec,
    },
  };
}

/** Everything that makes a run invalid, as readable lines (empty when clean). */
export function failuresOf(label, r) {
  const out = [];
  if (r.non2xx > 0) out.push(`${label}: ${r.non2xx} non-2xx responses (${JSON.stringify(r.statusCodes)})`);
  const wrong = Object.entries(r.wrongStatus).filter(([s]) => Number(s) < 300);
  if (wrong.length > 0) out.push(`${label}: unexpected 2xx status ${JSON.stringify(Object.fromEntries(wrong))}`);
  if (r.errors > 0) out.push(`${label}: ${r.errors} connection errors`);
  if (r.timeouts > 0) out.push(`${label}: ${r.timeouts} timeouts`);
  if (r.checks.failed > 0) out.push(`${label}: ${r.checks.failed} of ${r.checks.sampled} sampled answers were wrong`);
  if (r.requests === 0) out.push(`${label}: no responses at all`);
  for (const e of r.checks.examples) out.push(`${label}:   e.g. ${e}`);
  return out;
}
