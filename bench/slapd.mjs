/**
 * A throwaway slapd for the benchmark's LDAP part, in plain JS: the recipe of test/support/slapd.ts (Debian's
 * slapd 2.5, a slapd.conf of our own in a temp dir, mdb, the refint + memberof + ppolicy overlays, the service
 * account with write access to ou=people and ou=groups and size.prtotal=unlimited), seeded offline with
 * slapadd, listening on 127.0.0.1 only. Unlike the test harness, fsync stays ON (no dbnosync): production
 * directories sync, and the write measurements must include it.
 *
 * slapd runs in the foreground (`-d none`) as our child, pinned with taskset when the bench pins, and started
 * through `setpriv --pdeathsig KILL` when available, so it cannot outlive the benchmark even on SIGKILL.
 * SCIMBRIDGE_SLAPD_BIN overrides the slapd path (as for the tests; point it at a missing file to simulate a
 * machine without slapd).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, createWriteStream, openSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { once } from 'node:events';
import { Client } from 'ldapts';
import { freePort, trackChild } from './procs.mjs';

const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export const SUFFIX = 'dc=example,dc=com';
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
export const ADMIN_PASSWORD = 'admin-secret';
export const SERVICE_DN = `cn=scimbridge,ou=services,${SUFFIX}`;
export const SERVICE_PASSWORD = 'service-secret';
export const PEOPLE_DN = `ou=people,${SUFFIX}`;
export const GROUPS_DN = `ou=groups,${SUFFIX}`;
/** groupOfNames needs a member: an empty group holds this DN (the connector's `emptyMember`). */
export const EMPTY_MEMBER = `cn=nobody,${SUFFIX}`;

const isExecutable = (p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function findBin(name, extraDirs, firstDir) {
  const dirs = [firstDir, ...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  return dirs.map((d) => join(d, name)).find(isExecutable);
}

function bins() {
  const override = process.env.SCIMBRIDGE_SLAPD_BIN;
  const slapd = override ? (isExecutable(override) ? override : undefined) : findBin('slapd', ['/usr/sbin']);
  return { slapd, slapadd: findBin('slapadd', ['/usr/sbin'], override ? dirname(override) : undefined) };
}

/** The programs this needs and cannot find (empty when the LDAP part can run). */
export function slapdMissing() {
  const b = bins();
  const missing = ['slapd', 'slapadd'].filter((k) => !b[k]);
  if (missing.length === 0 && !readableDir(SCHEMA_DIR)) missing.push(`${SCHEMA_DIR}/core.schema`);
  return missing;
}

function readableDir(d) {
  try {
    accessSync(join(d, 'core.schema'), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** {SSHA}: base64(sha1(password + salt) + salt), as slappasswd makes it. */
function ssha(password) {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

function slapdConf(dir, { sizeLimit = 500, maxSizeBytes = 4 * 2 ** 30 } = {}) {
  const people = PEOPLE_DN;
  const groups = GROUPS_DN;
  return [
    `include ${SCHEMA_DIR}/core.schema`,
    `include ${SCHEMA_DIR}/cosine.schema`,
    `include ${SCHEMA_DIR}/inetorgperson.schema`,
    `include ${SCHEMA_DIR}/nis.schema`,
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    `modulepath ${MODULE_DIR}`,
    'moduleload back_mdb',
    'moduleload memberof',
    'moduleload refint',
    'moduleload ppolicy',
    `sizelimit ${sizeLimit}`,
    '',
    'database mdb',
    `maxsize ${maxSizeBytes}`,
    `suffix "${SUFFIX}"`,
    `rootdn "${ADMIN_DN}"`,
    `rootpw ${ssha(ADMIN_PASSWORD)}`,
    `directory ${dir}/db`,
    // No dbnosync: every write transaction is synced to disk, as in production.
    'index objectClass eq',
    'index entryUUID eq',
    'index uid,cn,mail eq,sub',
    'index employeeNumber eq',
    'index member,uniqueMember,manager eq',
    `limits dn.exact="${SERVICE_DN}" size.soft=${sizeLimit} size.hard=${sizeLimit} size.prtotal=unlimited`,
    'overlay memberof',
    'memberof-group-oc groupOfNames',
    'memberof-member-ad member',
    'memberof-memberof-ad memberOf',
    'memberof-refint TRUE',
    'overlay refint',
    'refint_attributes member uniqueMember manager',
    `refint_nothing "${ADMIN_DN}"`,
    'overlay ppolicy',
    `ppolicy_default "cn=default,ou=policies,${SUFFIX}"`,
    'ppolicy_use_lockout',
    `access to dn.subtree="${people}" attrs=userPassword by dn.exact="${SERVICE_DN}" write by self write by anonymous auth by * none`,
    'access to attrs=userPassword by self write by anonymous auth by * none',
    `access to dn.subtree="${people}" by dn.exact="${SERVICE_DN}" write by * read`,
    `access to dn.subtree="${groups}" by dn.exact="${SERVICE_DN}" write by * read`,
    'access to * by * read',
    '',
    // Operation counters (cn=Operations,cn=Monitor), read by the admin: how many LDAP operations each
    // SCIM request costs.
    'database monitor',
    `access to * by dn.exact="${ADMIN_DN}" read by * none`,
    '',
  ].join('\n');
}

/** The fixed top of the tree: suffix, OUs, the default password policy, the service account. */
function baseEntries(nonce) {
  const s = SUFFIX;
  return [
    [`dn: ${s}`, 'objectClass: dcObject', 'objectClass: organization', 'o: example', 'dc: example', `description: scimbridge bench slapd ${nonce}`],
    [`dn: ${PEOPLE_DN}`, 'objectClass: organizationalUnit', 'ou: people'],
    [`dn: ${GROUPS_DN}`, 'objectClass: organizationalUnit', 'ou: groups'],
    [`dn: ou=policies,${s}`, 'objectClass: organizationalUnit', 'ou: policies'],
    [`dn: ou=services,${s}`, 'objectClass: organizationalUnit', 'ou: services'],
    [`dn: cn=default,ou=policies,${s}`, 'objectClass: device', 'objectClass: pwdPolicy', 'cn: default', 'pwdAttribute: userPassword', 'pwdLockout: TRUE', 'pwdMaxFailure: 5'],
    [`dn: ${SERVICE_DN}`, 'objectClass: applicationProcess', 'objectClass: simpleSecurityObject', 'cn: scimbridge', `userPassword: ${ssha(SERVICE_PASSWORD)}`],
  ].map((e) => `${e.join('\n')}\n\n`);
}

function run(file, args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, LDAPNOINIT: '1' } }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? err.signal ?? 1) : 0, stdout, stderr }),
    );
  });
}

let setprivChecked;
function setpriv() {
  if (setprivChecked !== undefined) return setprivChecked || undefined;
  const p = process.platform === 'linux' ? findBin('setpriv', ['/usr/bin', '/bin']) : undefined;
  setprivChecked = p && /--pdeathsig/.test(spawnSync(p, ['--help'], { encoding: 'utf8' }).stdout ?? '') ? p : false;
  return setprivChecked || undefined;
}

const logTail = (file) => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-30).join('\n') || '(slapd.log is empty)';
  } catch {
    return '(no slapd.log)';
  }
};

/**
 * Create, seed (slapadd, offline) and start a slapd in `dir` (an existing empty temp dir).
 * `writeEntries(put)` is called with an async `put(ldifEntry)` to stream the seed entries after the base
 * entries; each entry is text ending in a blank line. `pin`: the bench's pinning ({ used, server }).
 */
export async function createSlapd(dir, { writeEntries, pin, say = () => {} }) {
  const b = bins();
  if (!b.slapd || !b.slapadd) throw new Error(`slapd/slapadd not found`);
  const nonce = randomBytes(8).toString('hex');
  await mkdir(join(dir, 'db'));
  const confFile = join(dir, 'slapd.conf');
  await writeFile(confFile, slapdConf(dir));

  // Seed LDIF, streamed to disk (100,000 entries are ~70 MB).
  const t0 = performance.now();
  const ldifFile = join(dir, 'seed.ldif');
  const out = createWriteStream(ldifFile);
  let entries = 0;
  let buf = '';
  const put = async (text) => {
    buf += text;
    entries++;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  for (const e of baseEntries(nonce)) await put(e);
  await writeEntries(put);
  out.end(buf);
  await once(out, 'finish');
  const ldifMs = performance.now() - t0;

  // slapadd assigns entryUUID, entryCSN, createTimestamp and the other operational attributes itself.
  const t1 = performance.now();
  const added = await run(b.slapadd, ['-q', '-f', confFile, '-b', SUFFIX, '-l', ldifFile], 600_000);
  if (added.code !== 0) throw new Error(`slapadd failed (${added.code}):\n${added.stderr}${added.stdout}`);
  const slapaddMs = performance.now() - t1;

  const logFile = join(dir, 'slapd.log');
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const args = ['-d', 'none', '-h', `${url}/`, '-f', confFile];
  const argv = [...(pin.used ? ['taskset', '-c', String(pin.server)] : []), b.slapd, ...args];
  const sp = setpriv();
  const [cmd, ...rest] = sp ? [sp, '--pdeathsig', 'KILL', '--', ...argv] : argv;
  const logFd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(cmd, rest, { stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  trackChild(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;

  // Ready when an anonymous read of the suffix entry returns our nonce (proves it is this slapd, db open).
  const t2 = performance.now();
  for (;;) {
    if (!running()) throw new Error(`slapd exited before answering on ${url}:\n${logTail(logFile)}`);
    const c = new Client({ url, timeout: 1000, connectTimeout: 1000 });
    try {
      const { searchEntries } = await c.search(SUFFIX, { scope: 'base', attributes: ['description'] });
      if (String(searchEntries[0]?.description ?? '').includes(nonce)) break;
    } catch {
      /* not listening yet */
    } finally {
      await c.unbind().catch(() => {});
    }
    if (performance.now() - t2 > 15_000) {
      child.kill('SIGKILL');
      throw new Error(`slapd not ready on ${url} after 15 s:\n${logTail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const startMs = performance.now() - t2;
  say(`slapd: ${entries.toLocaleString('en-US')} entries, LDIF ${(ldifMs / 1000).toFixed(1)} s, slapadd ${(slapaddMs / 1000).toFixed(1)} s, started in ${Math.round(startMs)} ms`);

  return {
    url,
    dir,
    entries,
    seedMs: { ldif: Math.round(ldifMs), slapadd: Math.round(slapaddMs), start: Math.round(startMs) },
    // With setpriv and taskset in front, slapd execs in place: the child's pid is slapd's.
    pid: child.pid,
    running,
    log: () => logTail(logFile),
    /** Completed operations by type since start (cn=Operations,cn=Monitor), e.g. { search: 12, modify: 3 }. */
    async operations() {
      const c = new Client({ url, timeout: 10_000, connectTimeout: 5_000 });
      try {
        await c.bind(ADMIN_DN, ADMIN_PASSWORD);
        const { searchEntries } = await c.search('cn=Operations,cn=Monitor', { scope: 'one', attributes: ['cn', 'monitorOpCompleted'] });
        return Object.fromEntries(searchEntries.map((e) => [String(e.cn).toLowerCase(), Number(e.monitorOpCompleted)]));
      } finally {
        await c.unbind().catch(() => {});
      }
    },
    async stop(timeoutMs = 15_000) {
      if (!running()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
  };
}
