#!/usr/bin/env node
/**
 * The direct-ldapts side of the LDAP comparison, run as a child process (pinned like the gateway):
 *
 *   node bench/ldap-direct.mjs <job.json>
 *
 * One ldapts Client bound as the service account (the gateway also uses one connection), `concurrency`
 * operations in flight, driven by commands on stdin so its slices can alternate with the gateway's:
 * `warmup <s>`, `run <s>` (a measured slice; the figures accumulate over slices), `exit`. The operations are the LDAP
 * equivalent of the gateway tests, done the way a hand-written client would (no paging control, the DN
 * known up front):
 *   get       search ou=people, one level, (&(objectClass=inetOrgPerson)(uid=<random seeded user>)),
 *             the attributes the gateway requests for a user (connectors/ldap/connector.ts shapeOf)
 *   patch     modify uid=<random>,ou=people: replace displayName and title
 *   post      add a new inetOrgPerson with the attributes the gateway writes for Entra's create body
 *   groupAdd  modify <one of the direct groups>: add member <user DN>, distinct (group, user) pairs
 *
 * stdout, one line each: `ready` once bound; `warm <json>` after a warm-up; after a measured slice, the
 * result JSON (cumulative over the slices so far).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { AndFilter, Attribute, Change, Client, EqualityFilter } from 'ldapts';
import { Latencies } from './latencies.mjs';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { url, bindDN, password, op, concurrency, userNames, groupDns, peopleDn, readAttributes, addPrefix } = job;

const SAMPLE_EVERY = 25;
const randomIndex = (n) => Math.floor(Math.random() * n);
const userDn = (uid) => `uid=${uid},${peopleDn}`;
const INET_ORG_PERSON = new EqualityFilter({ attribute: 'objectClass', value: 'inetOrgPerson' });

let patched = 0;
let created = 0;
let addCount = 0;

/** One operation: resolves to a problem string for a sampled check, or undefined. */
const OPS = {
  async get(client, sample) {
    const uid = userNames[randomIndex(userNames.length)];
    const { searchEntries } = await client.search(peopleDn, {
      scope: 'one',
      filter: new AndFilter({ filters: [INET_ORG_PERSON, new EqualityFilter({ attribute: 'uid', value: uid })] }),
      attributes: readAttributes,
    });
    if (!sample) return undefined;
    if (searchEntries.length !== 1) return `${searchEntries.length} entries for uid=${uid}`;
    return String(searchEntries[0].uid).toLowerCase() === uid ? undefined : `found ${searchEntries[0].uid}, asked ${uid}`;
  },
  async patch(client) {
    const n = ++patched;
    const dn = userDn(userNames[randomIndex(userNames.length)]);
    await client.modify(dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'displayName', values: [`Patched Name ${n}`] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: [`Title ${n % 97}`] }) }),
    ]);
    return undefined;
  },
  async post(client) {
    const n = ++created;
    const uid = `${addPrefix}.${n}@contoso.example`;
    // The entry the gateway adds for load.mjs's POST body (openldap profile: uid, uniqueIdentifier, …).
    await client.add(userDn(uid), {
      uid: [uid],
      uniqueIdentifier: [`${addPrefix}-${n}`],
      displayName: [`Created User ${n}`],
      title: ['Software Engineer'],
      cn: [`Created User ${n}`],
      givenName: ['Created'],
      sn: [`User ${n}`],
      mail: [uid],
      departmentNumber: ['Engineering'],
      employeeNumber: [String(900000 + n)],
      objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'extensibleObject'],
    });
    return undefined;
  },
  async groupAdd(client) {
    // The same order of distinct pairs as load.mjs, on this side's own groups.
    const k = addCount++;
    const user = userNames[(Math.floor(k / groupDns.length) * 7919) % userNames.length];
    await client.modify(groupDns[k % groupDns.length], [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [userDn(user)] }) })]);
    return undefined;
  },
};

/** `concurrency` loops, each one operation at a time, until `untilMs`. */
async function drive(client, untilMs, record) {
  const fn = OPS[op];
  let done = 0;
  const loop = async () => {
    while (performance.now() < untilMs) {
      const t0 = performance.now();
      const sample = ++done % SAMPLE_EVERY === 0;
      try {
        const problem = await fn(client, sample);
        record.ok(performance.now() - t0, sample, problem);
      } catch (err) {
        record.error(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}

function recorder() {
  const r = { latencies: new Latencies(), count: 0, errors: 0, sampled: 0, failed: 0, examples: [] };
  r.ok = (ms, sample, problem) => {
    r.count++;
    r.latencies.add(ms);
    if (!sample) return;
    r.sampled++;
    if (problem) {
      r.failed++;
      if (r.examples.length < 5) r.examples.push(problem);
    }
  };
  r.error = (err) => {
    r.errors++;
    if (r.examples.length < 5) r.examples.push(`${err?.constructor?.name ?? 'Error'}: ${err?.message ?? err}`);
  };
  return r;
}

const client = new Client({ url, timeout: 60_000, connectTimeout: 5_000, strictDN: false });
await client.bind(bindDN, password);
const say = (line) => process.stdout.write(`${line}\n`);
// Measured slices accumulate: the last report covers every slice so far.
const meas = recorder();
const warm = recorder();
let measuredSec = 0;
let selfCpuUs = 0;
say('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'warmup') {
    await drive(client, performance.now() + Number(arg) * 1000, warm);
    say(`warm ${JSON.stringify({ operations: warm.count, errors: warm.errors, examples: warm.examples })}`);
  } else if (cmd === 'run') {
    const before = meas.count;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await drive(client, t0 + Number(arg) * 1000, meas);
    const wallSec = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    measuredSec += wallSec;
    selfCpuUs += cpu.user + cpu.system;
    const lat = meas.latencies.percentiles();
    say(
      JSON.stringify({
        op,
        slice: { operations: meas.count - before, wallSec },
        opsPerSec: meas.count / measuredSec,
        operations: meas.count,
        wallSec: measuredSec,
        latencyMs: { p50: lat.p50, p90: lat.p90, p99: lat.p99, p999: lat.p999, max: lat.max },
        errors: meas.errors,
        checks: { sampled: meas.sampled, failed: meas.failed, examples: meas.examples },
        warmup: { operations: warm.count, errors: warm.errors, examples: warm.examples },
        created: op === 'post' ? created : undefined,
        memberAdds: op === 'groupAdd' ? addCount : undefined,
        selfCpuPct: (100 * selfCpuUs) / 1e6 / measuredSec,
      }),
    );
  } else if (cmd === 'exit') {
    break;
  }
}
await client.unbind().catch(() => {});
process.exit(0);
