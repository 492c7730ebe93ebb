import { readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { open, DurableStoreError } from '../../../src/durable/index.js';
import { kvMachine, memoryLog, put, tempDir, type KvEntry, type KvState } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const NAME = 'data.json';
const lockFile = () => join(dir, `${NAME}.lock`);
const openKv = (log = memoryLog()) => open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine, fsync: false, log });

async function writeLock(info: { pid: number; hostname: string; ageMs?: number }): Promise<void> {
  const at = new Date(Date.now() - (info.ageMs ?? 0));
  const content = { pid: info.pid, hostname: info.hostname, startedAt: at.toISOString(), heartbeatAt: at.toISOString() };
  await writeFile(lockFile(), JSON.stringify(content));
  await utimes(lockFile(), at, at);
}

/** A pid that no process has right now. */
function deadPid(): number {
  for (let pid = 4_000_000; pid > 1000; pid -= 7919) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
  throw new Error('no free pid found');
}

async function rejection(p: Promise<unknown>): Promise<DurableStoreError> {
  const err = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DurableStoreError);
  return err as DurableStoreError;
}

describe('durable store: the lock', () => {
  it('writes who holds it and removes it on close', async () => {
    const store = await openKv();
    const info = JSON.parse(await readFile(lockFile(), 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(typeof info['startedAt']).toBe('string');
    expect(typeof info['heartbeatAt']).toBe('string');
    await store.close();
    expect(await readdir(dir)).not.toContain(`${NAME}.lock`);
  });

  it('refuses a second store on the same file in this process, and allows it after close', async () => {
    const first = await openKv();
    const err = await rejection(openKv());
    expect(err.code).toBe('locked');
    expect(err.message).toMatch(/data\.json is already open in this process/);
    await first.close();
    const second = await openKv();
    await second.close();
  });

  it('refuses a lock held by a live process on this host, with a message an operator can act on', async () => {
    await writeLock({ pid: process.ppid, hostname: hostname() });
    const err = await rejection(openKv());
    expect(err.code).toBe('locked');
    expect(err.message).toContain(
      `${join(dir, NAME)} is in use by another scimbridge process (pid ${process.ppid} on host ${hostname()}, started `,
    );
    expect(err.message).toContain(`only one process may use a data file. If that process is gone, delete ${lockFile()}.`);
    // nothing was touched
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('takes over a stale lock of a dead process on this host, with a warning', async () => {
    const pid = deadPid();
    await writeLock({ pid, hostname: hostname() });
    const log = memoryLog();
    const store = await openKv(log);
    expect(log.lines.some((l) => l.level === 'warn' && /stale lock/.test(l.msg))).toBe(true);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid });
    await store.commit([put('a')]);
    await store.close();
    expect((await readdir(dir)).filter((f) => f.includes('.lock'))).toEqual([]);
  });

  it('takes over a lock carrying our own pid (an earlier incarnation of this container)', async () => {
    await writeLock({ pid: process.pid, hostname: hostname() });
    const log = memoryLog();
    const store = await openKv(log);
    expect(log.lines.some((l) => /stale lock/.test(l.msg) && JSON.stringify(l.obj).includes('earlier process'))).toBe(true);
    await store.close();
  });

  it('respects a fresh lock from another host, and takes over one whose heartbeat stopped', async () => {
    await writeLock({ pid: 1234, hostname: 'other-host' });
    expect((await rejection(openKv())).message).toContain('pid 1234 on host other-host');

    await writeLock({ pid: 1234, hostname: 'other-host', ageMs: 61_000 });
    const store = await openKv();
    await store.close();
  });

  it('treats an unreadable lock file by its age', async () => {
    await writeFile(lockFile(), '');
    expect((await rejection(openKv())).code).toBe('locked');
    const old = new Date(Date.now() - 120_000);
    await utimes(lockFile(), old, old);
    await (await openKv()).close();
  });
});

describe('durable store: the lock heartbeat', () => {
  afterEach(() => vi.useRealTimers());

  it('refreshes the heartbeat every 10 s and notices when the lock file is taken away', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const log = memoryLog();
    const store = await openKv(log);
    const before = JSON.parse(await readFile(lockFile(), 'utf8')) as { heartbeatAt: string; startedAt: string };
    await new Promise((r) => setTimeout(r, 5));
    vi.advanceTimersByTime(10_000);
    await vi.waitFor(async () => {
      const after = JSON.parse(await readFile(lockFile(), 'utf8')) as { heartbeatAt: string; startedAt: string };
      expect(after.startedAt).toBe(before.startedAt);
      expect(after.heartbeatAt > before.heartbeatAt).toBe(true);
    });

    const { unlink } = await import('node:fs/promises');
    await unlink(lockFile());
    vi.advanceTimersByTime(10_000);
    await vi.waitFor(() =>
      expect(log.lines.some((l) => l.level === 'error' && /lock file was removed/.test(l.msg))).toBe(true),
    );
    await store.close();
  });
});
