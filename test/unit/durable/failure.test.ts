import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, DurableStoreError, type DurableStore, type StateMachine } from '../../../src/durable/index.js';
import { kvMachine, memoryLog, put, tempDir, type KvEntry, type KvState } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const NAME = 'data.json';

/** A flush gate the test controls: hold a flush open, then let it fail or pass. */
function faultyFlush() {
  let mode: 'pass' | 'fail' | 'hold' = 'pass';
  let release: ((fail: boolean) => void) | null = null;
  let entered: (() => void) | null = null;
  return {
    set: (m: typeof mode) => void (mode = m),
    /** Resolves when a held flush is waiting. */
    held: () => new Promise<void>((r) => (entered = r)),
    release: (fail: boolean) => release?.(fail),
    beforeFlush: async (): Promise<void> => {
      if (mode === 'fail') throw Object.assign(new Error('ENOSPC: no space left on device (injected)'), { code: 'ENOSPC' });
      if (mode === 'hold') {
        const fail = await new Promise<boolean>((r) => {
          release = r;
          entered?.();
        });
        if (fail) throw new Error('EIO (injected)');
      }
    },
  };
}

async function untilOpen(store: DurableStore<KvState, KvEntry>): Promise<void> {
  for (let i = 0; i < 200 && store.stats().mode !== 'open'; i++) await new Promise((r) => setTimeout(r, 5));
  expect(store.stats().mode).toBe('open');
}

describe('durable store: failed writes', () => {
  it('rejects the commits of a failed flush, rolls them back, and keeps working', async () => {
    const fault = faultyFlush();
    const log = memoryLog();
    const store = await open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine, log, testHooks: fault });
    await store.commit([put('good1')]);
    await store.commit([put('good2')]);

    fault.set('fail');
    const results = await Promise.allSettled([store.commit([put('bad1')]), store.commit([put('bad2'), put('bad3')])]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as DurableStoreError;
      expect(reason).toBeInstanceOf(DurableStoreError);
      expect(reason.code).toBe('write-failed');
      expect(reason.message).toMatch(/ENOSPC/);
    }
    fault.set('pass');
    await untilOpen(store);
    expect([...store.state.records.keys()].sort()).toEqual(['good1', 'good2']);
    expect(store.seq).toBe(2);
    expect(log.lines.some((l) => l.level === 'error' && /journal write failed/.test(l.msg))).toBe(true);

    await store.commit([put('good3')]);
    await store.close({ compact: false });
    const again = await open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine });
    expect([...again.state.records.keys()].sort()).toEqual(['good1', 'good2', 'good3']);
    await again.close();
  });

  it('also rejects commits applied in memory while the failing flush was in flight, and their barriers', async () => {
    const fault = faultyFlush();
    const store = await open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine, testHooks: fault });
    await store.commit([put('good')]);
    fault.set('hold');
    const held = fault.held();
    const first = store.commit([put('in-flight')]);
    await held; // the flush holding 'in-flight' is now running
    const second = store.commit([put('next-batch')]); // applied in memory, queued for the next flush
    expect(store.state.records.has('next-batch')).toBe(true);
    const barrier = store.barrier();
    fault.set('pass');
    fault.release(true);
    await expect(first).rejects.toMatchObject({ code: 'write-failed' });
    await expect(second).rejects.toMatchObject({ code: 'write-failed' });
    await expect(barrier).rejects.toMatchObject({ code: 'write-failed' });
    await untilOpen(store);
    expect([...store.state.records.keys()]).toEqual(['good']);
    await store.commit([put('later')]);
    await store.close({ compact: false });

    const again = await open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine });
    expect([...again.state.records.keys()].sort()).toEqual(['good', 'later']);
    await again.close();
  });

  it('rejects commits while recovering with a retryable error', async () => {
    const fault = faultyFlush();
    const store = await open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine, testHooks: fault });
    fault.set('fail');
    const failed = store.commit([put('x')]);
    await expect(failed).rejects.toMatchObject({ code: 'write-failed' });
    fault.set('pass');
    // recovery may or may not be done by now; either way a commit must not silently vanish
    const next = await store.commit([put('y')]).then(
      () => 'ok',
      (e: unknown) => (e as DurableStoreError).code,
    );
    expect(['ok', 'write-failed']).toContain(next);
    await untilOpen(store);
    await store.commit([put('z')]);
    await store.close();
  });

  it('enters the failed state when it cannot recover, and still closes', async () => {
    const fault = faultyFlush();
    const store = await open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine, testHooks: fault });
    await store.commit([put('a')]);
    fault.set('fail');
    // Recovery rereads the disk: make that impossible (a damaged document) so the store has to give up.
    await writeFile(join(dir, NAME), '{ broken');
    await expect(store.commit([put('b')])).rejects.toMatchObject({ code: 'write-failed' });
    for (let i = 0; i < 200 && store.stats().mode !== 'failed'; i++) await new Promise((r) => setTimeout(r, 5));
    expect(store.stats().mode).toBe('failed');
    await expect(store.commit([put('c')])).rejects.toMatchObject({ code: 'failed' });
    await expect(store.barrier()).rejects.toMatchObject({ code: 'failed' });
    await store.close();
  });
});

describe('durable store: apply that throws', () => {
  it('rejects that commit, keeps earlier pending commits and rebuilds the state from disk', async () => {
    const machine: StateMachine<KvState, KvEntry> = {
      ...kvMachine,
      apply(state, entry) {
        kvMachine.apply(state, entry);
        if (entry.op === 'put' && entry.rec.id.startsWith('boom')) throw new Error('bad entry');
      },
    };
    const store = await open<KvState, KvEntry>({ dir, name: NAME, machine });
    const before = store.commit([put('ok1')]);
    const boom = store.commit([put('ok2-same-commit'), put('boom')]);
    await expect(boom).rejects.toThrow('bad entry');
    await before; // committed before the bad one: still durable
    await untilOpen(store);
    expect([...store.state.records.keys()]).toEqual(['ok1']);
    await store.commit([put('ok3')]);
    await store.close();
    const again = await open<KvState, KvEntry>({ dir, name: NAME, machine });
    expect([...again.state.records.keys()].sort()).toEqual(['ok1', 'ok3']);
    await again.close();
  });
});
