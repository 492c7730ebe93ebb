/**
 * A throwaway OpenLDAP server for tests: Debian's slapd (OpenLDAP 2.5) with a slapd.conf of our own in a fresh
 * temp dir, seeded offline with slapadd, listening on 127.0.0.1 only. Never touches /etc/ldap/slapd.d or the
 * system service. Recipe: /work/shared/research/ldap-and-firewall-apis.md, "A-lab".
 *
 *   const s = await startSlapd();            // ~60 ms (~300 ms with tls: RSA key generation)
 *   const { people, groups } = await s.freshOus();
 *   …ldapts Client({ url: s.url }) bound as s.serviceDN / s.servicePassword…
 *   await s.destroy();
 *
 * slapd runs in the foreground as our child (same process group, so Ctrl-C reaches it). If this process dies
 * anyway, it cannot outlive us: on Linux it is started through `setpriv --pdeathsig KILL` (the kernel kills
 * it when our main thread ends, even on SIGKILL), and 'exit' and SIGTERM handlers kill every live instance and
 * remove its temp dir (SCIMBRIDGE_SLAPD_KEEP=1 keeps the dirs for a post-mortem).
 *
 * Binaries: slapd, slapadd (PATH, /usr/sbin), ldapsearch, ldapadd (PATH, /usr/bin), openssl for `tls`.
 * SCIMBRIDGE_SLAPD_BIN overrides the slapd path (its directory is searched first for slapadd); point it at a
 * missing file to simulate a machine without slapd.
 */
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export interface SlapdOptions {
  /** Overlays to load (default all three): refint (member/uniqueMember/manager, refint_nothing = the admin DN), memberof, ppolicy (default policy with pwdLockout TRUE under ou=policies, ppolicy_use_lockout). */
  overlays?: { refint?: boolean; memberof?: boolean; ppolicy?: boolean };
  /** Also listen with ldaps:// on a second port and enable StartTLS, with a throwaway self-signed cert for 127.0.0.1 generated with openssl into the temp dir. */
  tls?: boolean;
  /** dbnosync for faster writes in tests that do not test durability (default true); the benchmark passes false. */
  noSync?: boolean;
  /** sizelimit (default 500, like production) with `limits` giving the service account size.prtotal=unlimited so paged searches can pass it. */
  sizeLimit?: number;
}

export interface Slapd {
  /** ldap://127.0.0.1:<port> (StartTLS available when `tls`). */
  readonly url: string;
  /** ldaps://127.0.0.1:<port2> when `tls`. */
  readonly ldapsUrl?: string;
  /** The self-signed certificate (PEM) to trust when `tls`: pass it as tlsOptions.ca. */
  readonly caPem?: string;
  /** dc=example,dc=com */
  readonly suffix: string;
  /** The rootdn and its password. */
  readonly adminDN: string;
  readonly adminPassword: string;
  /** cn=scimbridge,ou=services,<suffix>: not root; writes ou=people, ou=groups, ou=disabled, reads the rest; size.prtotal=unlimited. */
  readonly serviceDN: string;
  readonly servicePassword: string;
  readonly peopleDN: string;
  readonly groupsDN: string;
  readonly disabledDN: string;
  /** The temp dir: slapd.conf, slapd.log, seed.ldif, db/, and cert.pem/key.pem when `tls`. */
  readonly dir: string;
  /** The running slapd's pid (changes on restart()). */
  readonly pid: number;
  /** Milliseconds from spawning slapd to the first rootDSE answer, for the last start or restart. */
  readonly startMs: number;
  /** A fresh OU triple for one test (ou=<prefix>-<n> under ou=people, ou=groups and ou=disabled), added as admin. */
  freshOus(prefix?: string): Promise<{ people: string; groups: string; disabled: string }>;
  /** SIGSTOP: the server hangs (connections are accepted by the kernel, nothing answers). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGTERM and wait for the exit; keeps the data dir. */
  stop(): Promise<void>;
  /** Start again on the same ports and data (stops first if running). */
  restart(): Promise<void>;
  /** stop() and remove the temp dir. */
  destroy(): Promise<void>;
  /** Runs `ldapadd -x` as admin with this LDIF on stdin. */
  ldapadd(ldif: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Binaries

const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findBin(name: string, extraDirs: string[], firstDir?: string): string | undefined {
  const dirs = [firstDir, ...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter((d): d is string => !!d);
  for (const d of dirs) {
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

interface Bins {
  slapd?: string;
  slapadd?: string;
  ldapsearch?: string;
  ldapadd?: string;
}

function bins(): Bins {
  const override = process.env.SCIMBRIDGE_SLAPD_BIN;
  const slapd = override ? (isExecutable(override) ? override : undefined) : findBin('slapd', ['/usr/sbin']);
  const slapdDir = override ? dirname(override) : undefined;
  return {
    slapd,
    slapadd: findBin('slapadd', ['/usr/sbin'], slapdDir),
    ldapsearch: findBin('ldapsearch', ['/usr/bin']),
    ldapadd: findBin('ldapadd', ['/usr/bin']),
  };
}

/** Names of the programs the harness needs and cannot find (empty when slapdAvailable()). */
export function slapdMissing(): string[] {
  const b = bins();
  return (['slapd', 'slapadd', 'ldapsearch', 'ldapadd'] as const).filter((k) => !b[k]);
}

/** slapd and slapadd (plus ldapsearch and ldapadd from ldap-utils, which the harness runs) are installed. */
export function slapdAvailable(): boolean {
  return slapdMissing().length === 0;
}

const INSTALL_HINT =
  "Install Debian's slapd and ldap-utils (apt-get install -y slapd ldap-utils) to run them; .ci/run does.";

/** The one line printed when LDAP suites are skipped (`missing`: the tools not found). */
export function ldapSkipMessage(missing: string[] = slapdMissing()): string {
  return `LDAP suites skipped: ${missing.join(', ') || 'slapd'} not found. ${INSTALL_HINT}`;
}

/** The failure when SCIMBRIDGE_REQUIRE_LDAP=1 and the tools are missing. */
export function ldapRequiredMessage(missing: string[] = slapdMissing()): string {
  return `LDAP suites required (SCIMBRIDGE_REQUIRE_LDAP=1) but ${missing.join(', ') || 'slapd'} not found. ${INSTALL_HINT}`;
}

function requireBins(): Required<Bins> {
  const b = bins();
  const missing = slapdMissing();
  if (missing.length) {
    throw new Error(`startSlapd: ${missing.join(', ')} not found (apt-get install -y slapd ldap-utils)`);
  }
  return b as Required<Bins>;
}

let pdeathsigSupported: boolean | undefined;
/** `setpriv --pdeathsig` (util-linux ≥ 2.33) on Linux, else undefined. */
function setprivPath(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const p = findBin('setpriv', ['/usr/bin', '/bin']);
  if (!p) return undefined;
  pdeathsigSupported ??= /--pdeathsig/.test(spawnSync(p, ['--help'], { encoding: 'utf8' }).stdout ?? '');
  return pdeathsigSupported ? p : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** LDAPNOINIT: ldap-utils ignore /etc/ldap/ldap.conf and ~/.ldaprc (a TLS_REQCERT or BASE there must not matter). */
const toolEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LDAPNOINIT: '1' });

function run(
  file: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: toolEnv(),
        timeout: opts.timeoutMs ?? 10_000,
        maxBuffer: 16 << 20,
        encoding: 'utf8',
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err); // ENOENT, ABORT_ERR…
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      },
    );
    // A child that exits (or is aborted) before reading stdin closes the pipe: EPIPE here is not an error of
    // its own, the exit code tells.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** {SSHA}: base64(sha1(password + salt) + salt), as slappasswd makes it. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function logTail(logFile: string, lines = 30): Promise<string> {
  try {
    const text = (await readFile(logFile, 'utf8')).trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : '(slapd.log is empty)';
  } catch {
    return '(no slapd.log)';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Crash safety. Three layers, because no single one covers every way a test worker ends:
// - `setpriv --pdeathsig KILL`: the kernel kills slapd when our process dies, even by SIGKILL or while slapd is
//   SIGSTOPped (only the temp dir is left behind then);
// - a process 'exit' handler (normal exit, process.exit());
// - a SIGTERM handler: vitest ends its fork workers with SIGTERM, whose default action skips 'exit' handlers.
//   It cleans up synchronously, then re-raises SIGTERM so the worker still dies as vitest expects.

interface Live {
  child: ChildProcess | undefined;
  dir: string;
  destroyed: boolean;
}
const live = new Set<Live>();
let exitHooksInstalled = false;

function cleanupSync(): void {
  for (const l of live) {
    const c = l.child;
    if (c?.pid && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, 'SIGKILL'); // works on a SIGSTOPped process too
      } catch {
        /* already gone */
      }
    }
    if (!process.env.SCIMBRIDGE_SLAPD_KEEP) {
      try {
        rmSync(l.dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
  }
  live.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', cleanupSync);
  const onSigterm = (): void => {
    cleanupSync();
    process.off('SIGTERM', onSigterm);
    if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
  };
  process.on('SIGTERM', onSigterm);
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration

interface Layout {
  dir: string;
  suffix: string;
  adminDN: string;
  adminPassword: string;
  serviceDN: string;
  servicePassword: string;
  sizeLimit: number;
  noSync: boolean;
  tls: boolean;
  refint: boolean;
  memberof: boolean;
  ppolicy: boolean;
  /** Seeded as the suffix entry's description; readiness reads it back, so it proves this is *our* slapd. */
  nonce: string;
}

function slapdConf(l: Layout): string {
  const { dir, suffix, adminDN, serviceDN } = l;
  const people = `ou=people,${suffix}`;
  const groups = `ou=groups,${suffix}`;
  const disabled = `ou=disabled,${suffix}`;
  const lines = [
    `include ${SCHEMA_DIR}/core.schema`,
    `include ${SCHEMA_DIR}/cosine.schema`,
    `include ${SCHEMA_DIR}/inetorgperson.schema`,
    `include ${SCHEMA_DIR}/nis.schema`,
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    `modulepath ${MODULE_DIR}`,
    'moduleload back_mdb',
    ...(l.memberof ? ['moduleload memberof'] : []),
    ...(l.refint ? ['moduleload refint'] : []),
    ...(l.ppolicy ? ['moduleload ppolicy'] : []), // 2.5: the pwdPolicy schema comes with the module
    `sizelimit ${l.sizeLimit}`,
    ...(l.tls ? [`TLSCertificateFile ${dir}/cert.pem`, `TLSCertificateKeyFile ${dir}/key.pem`] : []),
    '',
    'database mdb',
    'maxsize 1073741824',
    `suffix "${suffix}"`,
    `rootdn "${adminDN}"`,
    `rootpw ${ssha(l.adminPassword)}`,
    `directory ${dir}/db`,
    ...(l.noSync ? ['dbnosync'] : []),
    'index objectClass eq',
    'index entryUUID eq',
    'index uid,cn,mail eq,sub',
    'index employeeNumber eq',
    'index member,uniqueMember,manager eq',
    // entryDN cannot be indexed ("index of attribute entryDN disallowed"); (entryDN=…) filters still work.
    `limits dn.exact="${serviceDN}" size.soft=${l.sizeLimit} size.hard=${l.sizeLimit} size.prtotal=unlimited`,
    // Overlays run in reverse order of declaration: memberof before refint, as in the recipe.
    ...(l.memberof
      ? [
          'overlay memberof',
          'memberof-group-oc groupOfNames',
          'memberof-member-ad member',
          'memberof-memberof-ad memberOf',
          'memberof-refint TRUE',
        ]
      : []),
    ...(l.refint
      ? ['overlay refint', 'refint_attributes member uniqueMember manager', `refint_nothing "${adminDN}"`]
      : []),
    ...(l.ppolicy
      ? ['overlay ppolicy', `ppolicy_default "cn=default,ou=policies,${suffix}"`, 'ppolicy_use_lockout']
      : []),
    // ACLs: the service account writes the three managed subtrees (passwords and lock attributes included),
    // reads everything else; people may change their own password; anonymous may only authenticate.
    ...[people, disabled].map(
      (b) =>
        `access to dn.subtree="${b}" attrs=userPassword by dn.exact="${serviceDN}" write by self write by anonymous auth by * none`,
    ),
    'access to attrs=userPassword by self write by anonymous auth by * none',
    ...[people, groups, disabled].map(
      (b) => `access to dn.subtree="${b}" by dn.exact="${serviceDN}" write by * read`,
    ),
    'access to * by * read',
    '',
  ];
  return lines.join('\n');
}

function seedLdif(l: Layout): string {
  const s = l.suffix;
  const entries: string[][] = [
    [
      `dn: ${s}`,
      'objectClass: dcObject',
      'objectClass: organization',
      'o: example',
      `dc: ${s.split(',')[0]!.slice(3)}`,
      `description: scimbridge test slapd ${l.nonce}`,
    ],
    [`dn: ou=people,${s}`, 'objectClass: organizationalUnit', 'ou: people'],
    [`dn: ou=groups,${s}`, 'objectClass: organizationalUnit', 'ou: groups'],
    [`dn: ou=disabled,${s}`, 'objectClass: organizationalUnit', 'ou: disabled'],
    [`dn: ou=policies,${s}`, 'objectClass: organizationalUnit', 'ou: policies'],
    [`dn: ou=services,${s}`, 'objectClass: organizationalUnit', 'ou: services'],
  ];
  if (l.ppolicy) {
    entries.push(
      [
        `dn: cn=default,ou=policies,${s}`,
        'objectClass: device',
        'objectClass: pwdPolicy',
        'cn: default',
        'pwdAttribute: userPassword',
        'pwdLockout: TRUE',
        'pwdMaxFailure: 5',
      ],
      // The service account gets its own policy without lockout: a test that binds it with a wrong password
      // five times must not lock it for the rest of the file.
      [
        `dn: cn=service,ou=policies,${s}`,
        'objectClass: device',
        'objectClass: pwdPolicy',
        'cn: service',
        'pwdAttribute: userPassword',
        'pwdLockout: FALSE',
      ],
    );
  }
  entries.push([
    `dn: ${l.serviceDN}`,
    'objectClass: applicationProcess',
    'objectClass: simpleSecurityObject',
    'cn: scimbridge',
    `userPassword: ${ssha(l.servicePassword)}`,
    ...(l.ppolicy ? [`pwdPolicySubentry: cn=service,ou=policies,${s}`] : []),
  ]);
  return entries.map((e) => e.join('\n')).join('\n\n') + '\n';
}

async function makeCert(dir: string): Promise<string> {
  const openssl = findBin('openssl', ['/usr/bin']);
  if (!openssl) throw new Error('startSlapd({ tls: true }): openssl not found');
  const r = await run(openssl, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dir, 'key.pem'),
    '-out', join(dir, 'cert.pem'),
  ]);
  if (r.code !== 0) throw new Error(`openssl req failed (${r.code}): ${r.stderr}`);
  return readFile(join(dir, 'cert.pem'), 'utf8');
}

// ---------------------------------------------------------------------------------------------------------------

const READY_TIMEOUT_MS = 5_000;

class StartError extends Error {
  constructor(
    message: string,
    readonly addrInUse: boolean,
  ) {
    super(message);
  }
}

export async function startSlapd(opts: SlapdOptions = {}): Promise<Slapd> {
  const b = requireBins();
  installExitHooks();
  const dir = await mkdtemp(join(tmpdir(), 'scimbridge-slapd-'));
  const suffix = 'dc=example,dc=com';
  const layout: Layout = {
    dir,
    suffix,
    adminDN: `cn=admin,${suffix}`,
    adminPassword: 'admin-secret',
    serviceDN: `cn=scimbridge,ou=services,${suffix}`,
    servicePassword: 'service-secret',
    sizeLimit: opts.sizeLimit ?? 500,
    noSync: opts.noSync ?? true,
    tls: opts.tls ?? false,
    refint: opts.overlays?.refint ?? true,
    memberof: opts.overlays?.memberof ?? true,
    ppolicy: opts.overlays?.ppolicy ?? true,
    nonce: randomBytes(8).toString('hex'),
  };
  const state: Live = { child: undefined, dir, destroyed: false };
  live.add(state);
  const logFile = join(dir, 'slapd.log');
  const confFile = join(dir, 'slapd.conf');

  try {
    await mkdir(join(dir, 'db'));
    const caPem = layout.tls ? await makeCert(dir) : undefined;
    await writeFile(confFile, slapdConf(layout));
    await writeFile(join(dir, 'seed.ldif'), seedLdif(layout));
    const added = await run(b.slapadd, ['-q', '-f', confFile, '-b', suffix, '-l', join(dir, 'seed.ldif')]);
    if (added.code !== 0) throw new Error(`slapadd failed (${added.code}):\n${added.stderr}${added.stdout}`);

    let url = '';
    let ldapsUrl: string | undefined;
    let paused = false;
    let startMs = 0;

    /**
     * One attempt on the current ports: spawn, then poll until slapd answers, exits, or 5 s pass. The probe is
     * an anonymous read of the suffix entry's nonce rather than of the rootDSE: it also proves that the database
     * is open and that the answer comes from this slapd, not from another server that took the port first
     * (e.g. a concurrent harness whose probe-and-close picked the same port; this slapd then exits with
     * EADDRINUSE, but a rootDSE probe could already have succeeded against the other one).
     */
    const launch = async (): Promise<void> => {
      const listen = [url + '/', ...(ldapsUrl ? [ldapsUrl + '/'] : [])].join(' ');
      // `-d none` keeps slapd in the foreground and logs only errors. `-d 0` would too, but 2.5 then logs
      // nothing at all, not even "daemon: bind(…) failed errno=98 (Address already in use)".
      const args = ['-d', 'none', '-h', listen, '-f', confFile];
      const setpriv = setprivPath();
      const logFd = openSync(logFile, 'a');
      const t0 = performance.now();
      let child: ChildProcess;
      try {
        child = setpriv
          ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', b.slapd, ...args], { stdio: ['ignore', logFd, logFd] })
          : spawn(b.slapd, args, { stdio: ['ignore', logFd, logFd] });
      } finally {
        closeSync(logFd);
      }
      state.child = child;
      paused = false;
      let exited = false;
      const gone = new AbortController();
      const exitInfo = new Promise<void>((resolve) => {
        const done = () => {
          exited = true;
          gone.abort();
          resolve();
        };
        child.once('exit', done);
        child.once('error', done);
      });
      const probe = ['-x', '-LLL', '-o', 'nettimeout=1', '-H', url, '-s', 'base', '-b', suffix, 'description'];
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (!exited && Date.now() < deadline) {
        const r = await run(b.ldapsearch, probe, { timeoutMs: 2_000, signal: gone.signal }).catch(() => undefined);
        if (r?.code === 0 && r.stdout.includes(layout.nonce) && !exited) {
          startMs = performance.now() - t0;
          return;
        }
        await Promise.race([sleep(25), exitInfo]);
      }
      const tail = await logTail(logFile);
      if (!exited) {
        child.kill('SIGKILL');
        await exitInfo;
        throw new StartError(`slapd did not answer on ${url} within ${READY_TIMEOUT_MS} ms; slapd.log:\n${tail}`, false);
      }
      throw new StartError(
        `slapd exited (${child.exitCode ?? child.signalCode}) before answering on ${url}; slapd.log:\n${tail}`,
        /errno=98|Address already in use/.test(tail),
      );
    };

    const setPorts = (p: number[]) => {
      url = `ldap://127.0.0.1:${p[0]}`;
      ldapsUrl = layout.tls ? `ldaps://127.0.0.1:${p[1]}` : undefined;
    };

    // First start: fresh ports on every EADDRINUSE (another process may take a port between probe and bind).
    for (let attempt = 1; ; attempt++) {
      const p = [await freePort()];
      if (layout.tls) {
        let q = await freePort();
        while (q === p[0]) q = await freePort();
        p.push(q);
      }
      setPorts(p);
      try {
        await launch();
        break;
      } catch (e) {
        if (!(e instanceof StartError && e.addrInUse && attempt < 5)) throw e;
        await writeFile(logFile, ''); // the next attempt's tail should be its own
      }
    }

    let ouCounter = 0;

    const stop = async (): Promise<void> => {
      const child = state.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      if (paused) child.kill('SIGCONT'); // a stopped process only acts on the pending SIGTERM once continued
      paused = false;
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    };

    const ldapadd = async (ldif: string): Promise<void> => {
      const r = await run(b.ldapadd, ['-x', '-H', url, '-D', layout.adminDN, '-w', layout.adminPassword], {
        input: ldif,
      });
      if (r.code !== 0) throw new Error(`ldapadd failed (${r.code}): ${r.stderr.trim()}\n--- LDIF ---\n${ldif}`);
    };

    const slapd: Slapd = {
      get url() {
        return url;
      },
      get ldapsUrl() {
        return ldapsUrl;
      },
      caPem,
      suffix,
      adminDN: layout.adminDN,
      adminPassword: layout.adminPassword,
      serviceDN: layout.serviceDN,
      servicePassword: layout.servicePassword,
      peopleDN: `ou=people,${suffix}`,
      groupsDN: `ou=groups,${suffix}`,
      disabledDN: `ou=disabled,${suffix}`,
      dir,
      get pid() {
        return state.child?.pid ?? 0;
      },
      get startMs() {
        return startMs;
      },
      async freshOus(prefix = 't') {
        const ou = `${prefix}-${++ouCounter}`;
        const dns = {
          people: `ou=${ou},ou=people,${suffix}`,
          groups: `ou=${ou},ou=groups,${suffix}`,
          disabled: `ou=${ou},ou=disabled,${suffix}`,
        };
        await ldapadd(
          Object.values(dns)
            .map((dn) => `dn: ${dn}\nobjectClass: organizationalUnit\nou: ${ou}\n`)
            .join('\n'),
        );
        return dns;
      },
      pause() {
        if (!state.child?.pid) throw new Error('slapd is not running');
        state.child.kill('SIGSTOP');
        paused = true;
      },
      resume() {
        if (!state.child?.pid) throw new Error('slapd is not running');
        state.child.kill('SIGCONT');
        paused = false;
      },
      stop,
      async restart() {
        await stop();
        // Same ports: retry for a while if something grabbed one in the meantime.
        const until = Date.now() + READY_TIMEOUT_MS;
        for (;;) {
          try {
            await launch();
            return;
          } catch (e) {
            if (!(e instanceof StartError && e.addrInUse && Date.now() < until)) throw e;
            await sleep(100);
          }
        }
      },
      async destroy() {
        if (state.destroyed) return;
        state.destroyed = true;
        await stop();
        live.delete(state);
        await rm(dir, { recursive: true, force: true });
      },
      ldapadd,
    };
    return slapd;
  } catch (e) {
    const child = state.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    live.delete(state);
    if (!process.env.SCIMBRIDGE_SLAPD_KEEP) await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The slapd.log of a harness dir (for failure messages in tests). */
export function slapdLog(s: Pick<Slapd, 'dir'>): string {
  try {
    return readFileSync(join(s.dir, 'slapd.log'), 'utf8');
  } catch {
    return '';
  }
}
