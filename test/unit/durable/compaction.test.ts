import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, type DurableStoreOptions } from '../../../src/durable/index.js';
import { kvMachine, put, tempDir, type KvEntry, type KvState } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const NAME = 'data.json';
const openKv = (extra: Partial<DurableStoreOptions<KvState, KvEntry>> = {}) =>
  open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine, ...extra });
const segments = async () => (await readdir(dir)).filter((f) => f.startsWith(`${NAME}.journal.`)).sort();
const readDoc = async () => JSON.parse(await readFile(join(dir, NAME), 'utf8')) as { seq: number; records: unknown[] };
const PAYLOAD = 'x'.repeat(150);
const BIG_PAYLOAD = 'x'.repeat(370); // ~400-byte records, as in the product benchmark

describe('durable store: compaction', () => {
  it('writes everything to the document, deletes the old segments and reopens', async () => {
    const store = await openKv();
    for (let i = 0; i < 100; i++) await store.commit([put(`k${i}`, i)]);
    await store.close({ compact: false });
    const again = await openKv();
    for (let i = 100; i < 150; i++) await again.commit([put(`k${i}`, i)]);
    expect((await segments()).length).toBe(2);

    await again.compact();
    const segs = await segments();
    expect(segs).toEqual([`${NAME}.journal.${String(151).padStart(16, '0')}`]); // only the fresh, empty one
    expect((await readDoc()).seq).toBe(150);
    expect((await readDoc()).records.length).toBe(150);
    const stats = again.stats();
    expect(stats.compactions).toBe(1);
    expect(stats.journalBytes).toBe(0);
    expect(stats.lastCompactionMs).not.toBeNull();

    await again.commit([put('after', 1)]);
    await again.close({ compact: false });
    const third = await openKv();
    expect(third.state.records.size).toBe(151);
    await third.close();
  });

  it('compacts automatically when the journal passes maxJournalBytes', async () => {
    const store = await openKv({ compaction: { maxJournalBytes: 16 * 1024 } });
    for (let i = 0; i < 300; i++) await store.commit([put(`k${i}`, i, PAYLOAD)]);
    await store.barrier();
    await new Promise((r) => setTimeout(r, 50));
    expect(store.stats().compactions).toBeGreaterThan(0);
    expect(store.stats().journalBytes).toBeLessThan(64 * 1024);
    await store.close({ compact: false });
    const again = await openKv();
    expect(again.state.records.size).toBe(300);
    await again.close();
  });

  it('compacts on the interval timer when something changed', async () => {
    const store = await openKv({ compaction: { intervalMs: 30 } });
    await store.commit([put('a')]);
    await new Promise((r) => setTimeout(r, 150));
    expect(store.stats().compactions).toBe(1); // and not again: nothing changed since
    expect((await readDoc()).seq).toBe(1);
    await store.close();
  });

  it('does not lose writes made during a chunked compaction of 50,000 records, nor block the event loop', async () => {
    const store = await openKv({ compaction: { intervalMs: 0, journalRatio: 0 } });
    for (let b = 0; b < 50; b++) {
      await store.commit(Array.from({ length: 1000 }, (_, i) => put(`r${b * 1000 + i}`, i, BIG_PAYLOAD)));
    }
    const seqBefore = store.seq;

    let maxGap = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    let done = false;
    const compaction = store.compact().finally(() => (done = true));
    let during = 0;
    const writer = async (w: number): Promise<void> => {
      while (!done) {
        await store.commit([put(`during-${w}-${during++}`, 1)]);
      }
    };
    await Promise.all([compaction, ...Array.from({ length: 8 }, (_, w) => writer(w))]);
    clearInterval(probe);

    expect(during).toBeGreaterThan(10);
    // The snapshot holds the state as of the start; the writes made meanwhile are in the new segment.
    const doc = await readDoc();
    expect(doc.seq).toBe(seqBefore);
    expect(doc.records.length).toBe(50_000);
    expect(store.stats().segments).toBe(1);
    expect(store.stats().journalBytes).toBeGreaterThan(0);
    // Chunked serialisation measures well under 20 ms here; the margin is for a busy 2-core machine running
    // other test files (and crash-test children) at the same time.
    expect(maxGap).toBeLessThan(150);

    await store.close({ compact: false });
    const again = await openKv();
    expect(again.state.records.size).toBe(50_000 + during);
    await again.close({ compact: false });
  });

  it('a compaction after a failed write does not publish the rolled-back state', async () => {
    let failNext = false;
    const store = await openKv({
      testHooks: {
        beforeFlush: () => {
          if (failNext) throw new Error('injected');
        },
      },
    });
    await store.commit([put('a')]);
    failNext = true;
    const lost = store.commit([put('lost')]);
    const compaction = store.compact();
    await expect(lost).rejects.toMatchObject({ code: 'write-failed' });
    failNext = false;
    await compaction.catch(() => undefined);
    const doc = await readDoc().catch(() => ({ seq: 0, records: [] }));
    expect(JSON.stringify(doc.records)).not.toContain('lost');
    await store.close();
    expect(JSON.stringify((await readDoc()).records)).not.toContain('lost');
  });
});
