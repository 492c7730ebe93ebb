/**
 * Child processes for the benchmark: CPU pinning, start/stop, readiness, /proc figures (RSS, CPU time), and
 * cleanup of every child and temp directory on exit, Ctrl-C, SIGTERM or a crash.
 */
import { spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';

const children = new Set();
const tempDirs = new Set();

// ---- pinning ------------------------------------------------------------------------------------------

/**
 * Pin this process (every thread: -a) to CPU 1 and report whether servers can be pinned to CPU 0.
 * Needs taskset and at least two CPUs; BENCH_NO_PIN=1 turns it off.
 */
export function setupPinning() {
  if (process.env.BENCH_NO_PIN === '1') return { used: false, reason: 'BENCH_NO_PIN=1' };
  if (cpus().length < 2) return { used: false, reason: `only ${cpus().length} CPU` };
  const which = spawnSync('sh', ['-c', 'command -v taskset'], { encoding: 'utf8' });
  if (which.status !== 0 || !which.stdout.trim()) return { used: false, reason: 'taskset not found' };
  const r = spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) return { used: false, reason: `taskset failed: ${r.stderr.trim()}` };
  return { used: true, server: 0, loadGenerator: 1, taskset: which.stdout.trim() };
}

// ---- cleanup ------------------------------------------------------------------------------------------

export function trackTempDir(dir) {
  tempDirs.add(dir);
}

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function cleanupNow() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

/** Kill children and delete temp dirs on any way out. */
export function installCleanup() {
  process.on('exit', cleanupNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}: stopping servers and removing temp data\n`);
      cleanupNow();
      process.exit(130);
    });
  }
  const crash = (err) => {
    process.stderr.write(`\nbench: FAILED: ${err?.stack ?? err}\n`);
    cleanupNow();
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

// ---- children -----------------------------------------------------------------------------------------

/** Kill `child` (any spawned process, e.g. slapd) on exit, Ctrl-C or a crash, like the node children. */
export function trackChild(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Start `node <args>` (pinned to the server CPU when pinning is on). stdout goes to /dev/null unless
 * `stdout: 'pipe'`, stdin is closed unless `stdin: 'pipe'`; the last 64 KiB of stderr are kept for error messages.
 */
export function startNode(args, { env, pin, stdout = 'null', stdin = 'ignore', name }) {
  const cmd = pin.used ? 'taskset' : process.execPath;
  const argv = pin.used ? ['-c', String(pin.server), process.execPath, ...args] : args;
  const out = stdout === 'pipe' ? 'pipe' : openSync('/dev/null', 'w');
  const child = spawn(cmd, argv, { env, stdio: [stdin, out, 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-65536);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => children.delete(child));
  return {
    name,
    child,
    // taskset execs node, so the pid is the server's own.
    pid: child.pid,
    exited,
    stderr: () => stderr,
    running: () => child.exitCode === null && child.signalCode === null,
  };
}

/** SIGTERM, wait up to `timeoutMs`, then SIGKILL. Resolves with how it ended and how long it took. */
export async function stopNode(proc, timeoutMs = 30_000) {
  const started = performance.now();
  if (proc.running()) proc.child.kill('SIGTERM');
  let timer;
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      proc.child.kill('SIGKILL');
      resolve(true);
    }, timeoutMs);
  });
  const forced = await Promise.race([proc.exited.then(() => false), killed]);
  clearTimeout(timer);
  const how = await proc.exited;
  return { ...how, forced, ms: Math.round(performance.now() - started) };
}

/** Poll `url` until it answers `status`; fail early if the process dies. */
export async function waitForHttp(proc, url, { headers = {}, status = 200, timeoutMs = 180_000 } = {}) {
  const started = performance.now();
  for (;;) {
    if (!proc.running()) throw new Error(`${proc.name} exited before it was ready:\n${proc.stderr()}`);
    try {
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      if (res.status === status) return Math.round(performance.now() - started);
    } catch {
      /* not listening yet */
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${proc.name} not ready after ${timeoutMs} ms:\n${proc.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- /proc --------------------------------------------------------------------------------------------

/** VmRSS and VmHWM (peak RSS) of a process, in MB (10^6 bytes, the unit of the targets). */
export function memoryOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (key) => (Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024) / 1e6;
    return { rssMB: mb('VmRSS'), peakRssMB: mb('VmHWM') };
  } catch {
    return { rssMB: NaN, peakRssMB: NaN };
  }
}

let clockTicks;
const ticks = () => (clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100);

/** CPU seconds (user + system) a process has used so far, all threads. */
export function cpuSecondsOf(pid) {
  const clockTicks = ticks();
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clockTicks;
  } catch {
    return NaN;
  }
}

/** CPU seconds every process on the machine has used so far (busy time of all CPUs, from /proc/stat). */
export function machineBusySeconds() {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    return (user + nice + system + irq + softirq + steal) / ticks();
  } catch {
    return NaN;
  }
}

/** CPU seconds used by this process (the load generator). */
export function selfCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
