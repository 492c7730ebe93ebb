/**
 * One process per data file. The lock is a file created with O_EXCL holding who owns it; the owner rewrites
 * its heartbeat every 10 s. A lock left behind by a crash is taken over when it is provably stale: same host
 * and the pid is gone (or is our own pid, i.e. an earlier incarnation of this container), or the heartbeat
 * stopped more than 60 s ago (the only evidence available across hosts sharing a volume).
 */
import { hostname, uptime } from 'node:os';
import { link, open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DurableStoreError, errnoCode, errorMessage } from './errors.js';
import type { DurableLog } from './types.js';

const HEARTBEAT_MS = 10_000;
const STALE_MS = 60_000;

/** Lock files held by stores in this process: the pid in the file cannot tell them apart. */
const heldInProcess = new Set<string>();

interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  heartbeatAt: string;
}

export interface LockHandle {
  release(): Promise<void>;
}

export async function acquireLock(lockFile: string, docLabel: string, log: DurableLog, mode: number): Promise<LockHandle> {
  // The real path: two configs may reach one directory through a symlink or a bind mount.
  const key = join(await realpath(dirname(lockFile)), basename(lockFile));
  if (heldInProcess.has(key)) {
    throw new DurableStoreError(
      'locked',
      `${docLabel} is already open in this process; only one store may use a data file.`,
    );
  }
  heldInProcess.add(key);
  try {
    const { handle, startedAt } = await createOrTakeOver(lockFile, docLabel, log, mode);
    return new HeldLock(lockFile, key, handle, startedAt, log);
  } catch (err) {
    heldInProcess.delete(key);
    throw err;
  }
}

async function createOrTakeOver(
  lockFile: string,
  docLabel: string,
  log: DurableLog,
  mode: number,
): Promise<{ handle: FileHandle; startedAt: string }> {
  // A few rounds: each lost race re-reads whatever lock is there now and judges it afresh.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockFile, 'wx', mode);
      const startedAt = new Date().toISOString();
      // Synced so that after a power loss the lock file, if its name survived, is not empty.
      await handle.write(lockContent(startedAt), 0);
      await handle.datasync();
      return { handle, startedAt };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    const found = await inspect(lockFile);
    if (!found) continue; // released between our create and our read
    const staleReason = judge(found.info, found.mtimeMs);
    if (staleReason === null) {
      throw new DurableStoreError('locked', inUseMessage(docLabel, lockFile, found.info, found.mtimeMs));
    }
    log.warn({ lockFile, owner: found.info, reason: staleReason }, 'durable store: taking over a stale lock');
    await moveAside(lockFile, found.ino);
  }
  throw new DurableStoreError(
    'locked',
    `${docLabel} is being locked by another process at the same moment; only one process may use a data file.`,
  );
}

/** Why the lock is stale, or null when its owner may be alive. */
function judge(info: LockInfo | null, mtimeMs: number): string | null {
  const now = Date.now();
  // A lock last touched before this machine booted cannot belong to a running process here, and one of
  // another host would have been touched by its heartbeat since. This covers a power loss that left the
  // lock file empty, or a pid reused after the reboot.
  const bootedAt = now - uptime() * 1000;
  if (!info) {
    if (mtimeMs < bootedAt) return 'unreadable lock file from before this machine booted';
    return now - mtimeMs > STALE_MS ? 'unreadable lock file not touched for over 60 s' : null;
  }
  const sameHost = info.hostname === hostname();
  const heartbeat = Math.max(Date.parse(info.heartbeatAt) || 0, mtimeMs);
  if (sameHost && info.pid === process.pid) return 'left by an earlier process with our pid (restarted container)';
  if (sameHost && !pidAlive(info.pid)) return `process ${info.pid} no longer exists`;
  if (sameHost && heartbeat < bootedAt) return 'last heartbeat was before this machine booted';
  if (now - heartbeat > STALE_MS) return 'no heartbeat for over 60 s';
  return null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) !== 'ESRCH'; // EPERM: it exists, it is just not ours
  }
}

function inUseMessage(docLabel: string, lockFile: string, info: LockInfo | null, mtimeMs: number): string {
  const owner = info
    ? `pid ${info.pid} on host ${info.hostname}, started ${info.startedAt}`
    : `lock file last touched ${new Date(mtimeMs).toISOString()}`;
  return (
    `${docLabel} is in use by another scimbridge process (${owner}); only one process may use a data file. ` +
    `If that process is gone, delete ${lockFile}.`
  );
}

async function inspect(lockFile: string): Promise<{ info: LockInfo | null; mtimeMs: number; ino: number } | null> {
  try {
    const st = await stat(lockFile);
    return { info: parseLock(await readFile(lockFile, 'utf8')), mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

function parseLock(text: string): LockInfo | null {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return null;
    const { pid, hostname: host, startedAt, heartbeatAt } = v as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || typeof host !== 'string') return null;
    return {
      pid,
      hostname: host,
      startedAt: typeof startedAt === 'string' ? startedAt : 'unknown',
      heartbeatAt: typeof heartbeatAt === 'string' ? heartbeatAt : '',
    };
  } catch {
    return null; // being written right now, or truncated by a crash
  }
}

/**
 * Rename the stale lock to a private name, so that of two processes taking it over only one succeeds. If
 * what we moved is not the file we judged (someone replaced it in between), put it back with link(), which
 * never overwrites, and let the caller judge again.
 */
async function moveAside(lockFile: string, judgedIno: number): Promise<void> {
  const aside = `${lockFile}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockFile, aside);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  if ((await stat(aside)).ino !== judgedIno) {
    try {
      await link(aside, lockFile);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
  await unlink(aside);
}

function lockContent(startedAt: string): string {
  const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt, heartbeatAt: new Date().toISOString() };
  return `${JSON.stringify(info)}\n`;
}

class HeldLock implements LockHandle {
  readonly #timer: NodeJS.Timeout;
  #released = false;
  #warned = false;

  constructor(
    private readonly lockFile: string,
    private readonly key: string,
    private readonly handle: FileHandle,
    private readonly startedAt: string,
    private readonly log: DurableLog,
  ) {
    this.#timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.#timer.unref();
  }

  private async heartbeat(): Promise<void> {
    try {
      if (!(await this.stillOurs())) {
        if (!this.#warned) {
          this.log.error(
            { lockFile: this.lockFile },
            'durable store: our lock file was removed or replaced; another process may now use the data file',
          );
        }
        this.#warned = true;
        return;
      }
      // Same length every time (fixed-width ISO times), so an in-place write never leaves stale bytes.
      const content = Buffer.from(lockContent(this.startedAt));
      await this.handle.write(content, 0, content.length, 0);
      await this.handle.truncate(content.length);
    } catch (err) {
      if (!this.#released) {
        this.log.warn({ lockFile: this.lockFile, err: errorMessage(err) }, 'durable store: lock heartbeat failed');
      }
    }
  }

  private async stillOurs(): Promise<boolean> {
    try {
      const [onDisk, ours] = await Promise.all([stat(this.lockFile), this.handle.stat()]);
      return onDisk.ino === ours.ino && onDisk.dev === ours.dev;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    try {
      if (await this.stillOurs()) await unlink(this.lockFile);
    } finally {
      await this.handle.close();
      heldInProcess.delete(this.key);
    }
  }
}
