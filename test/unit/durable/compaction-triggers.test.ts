import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, type DurableStoreOptions } from '../../../src/durable/index.js';
import { kvMachine, put, tempDir, type KvEntry, type KvState } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const openKv = (extra: Partial<DurableStoreOptions<KvState, KvEntry>> = {}) =>
  open<KvState, KvEntry>({ dir, name: 'data.json', machine: kvMachine, ...extra });
const PAYLOAD = 'x'.repeat(1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('durable store: when compaction runs', () => {
  it('compacts when the journal reaches the given fraction of the document, so the cost per write stays constant', async () => {
    // A 2 MB document: with ratio 0.5 the next compaction comes after ~1 MB of journal, not after 64 MB.
    const seed = await openKv({ compaction: { intervalMs: 0, journalRatio: 0 } });
    await seed.commit(Array.from({ length: 2000 }, (_, i) => put(`seed${i}`, i, PAYLOAD)));
    await seed.close();
    const store = await openKv({ compaction: { intervalMs: 0, journalRatio: 0.5 } });
    for (let i = 0; i < 3000 && store.stats().compactions === 0; i++) {
      await store.commit([put(`k${i}`, i, PAYLOAD)]);
      await sleep(0);
    }
    await sleep(200);
    expect(store.stats().compactions).toBeGreaterThan(0);
    await store.close();
  });

  it('waits for writes to pause before the timed compaction', async () => {
    const store = await openKv({ compaction: { intervalMs: 100, journalRatio: 0 } });
    // A steady trickle for 600 ms: never quiet for the 100 ms the timed compaction waits for.
    const until = Date.now() + 600;
    let i = 0;
    while (Date.now() < until) {
      await store.commit([put(`k${i++}`, i)]);
      await sleep(20);
    }
    expect(store.stats().compactions).toBe(0);
    await sleep(350);
    expect(store.stats().compactions).toBe(1);
    await store.close();
  });

  it('compacts at least every ten intervals under a write load that never pauses', async () => {
    const store = await openKv({ compaction: { intervalMs: 50, journalRatio: 0 } });
    const until = Date.now() + 900;
    let i = 0;
    while (Date.now() < until) {
      await store.commit([put(`k${i++}`, i)]);
      await sleep(5);
    }
    expect(store.stats().compactions).toBeGreaterThan(0);
    await store.close();
  });
});
