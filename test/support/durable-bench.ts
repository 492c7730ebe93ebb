/**
 * Micro-benchmark of the durable store (not a test): fdatasync latency of this disk, commits/s with 64
 * concurrent committers on a 100,000-record store, compaction and reopen time. Run it as plain JS after
 * transpiling with durable-transpile.ts: `node <out>/test/support/durable-bench.js [dir]`.
 */
import { mkdtemp, open as openFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from '../../src/durable/index.js';
import { kvMachine, put, type KvEntry, type KvState } from './durable-test-machine.js';

const RECORDS = 100_000;
const COMMITTERS = 64;
const RUN_MS = 3000;

const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'durable-bench-')));
const payload = 'x'.repeat(370); // ~400 bytes per record with id and version

async function datasyncLatency(): Promise<number> {
  const handle = await openFile(join(dir, 'fsync-probe'), 'w');
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await handle.write(Buffer.alloc(128, 1));
    await handle.datasync();
    samples.push(performance.now() - t);
  }
  await handle.close();
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

function loopProbe(): () => number {
  let max = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last);
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    return max;
  };
}

const result: Record<string, number | string> = { dir };
result['datasyncMedianMs'] = +(await datasyncLatency()).toFixed(3);

const store = await open<KvState, KvEntry>({ dir, name: 'bench.json', machine: kvMachine, compaction: { intervalMs: 0 } });
for (let b = 0; b < RECORDS / 1000; b++) {
  await store.commit(Array.from({ length: 1000 }, (_, i) => put(`user-${b * 1000 + i}`, 0, payload)));
}

let stop = loopProbe();
let t = performance.now();
await store.compact();
result['compact100kMs'] = Math.round(performance.now() - t);
result['compactMaxLoopBlockMs'] = Math.round(stop());

let commits = 0;
const deadline = performance.now() + RUN_MS;
stop = loopProbe();
const flushesBefore = store.stats().flushes;
const committer = async (): Promise<void> => {
  while (performance.now() < deadline) {
    const n = commits++;
    await store.commit([put(`user-${(n * 7919) % RECORDS}`, n, payload)]);
  }
};
t = performance.now();
await Promise.all(Array.from({ length: COMMITTERS }, committer));
const elapsed = performance.now() - t;
result['commitsPerSec64'] = Math.round((commits / elapsed) * 1000);
result['commitsPerFlush'] = +(commits / (store.stats().flushes - flushesBefore)).toFixed(1);
result['autoCompactionsDuringRun'] = store.stats().compactions - 1;
result['runMaxLoopBlockMs'] = Math.round(stop());

t = performance.now();
await store.close({ compact: false });
result['closeMs'] = Math.round(performance.now() - t);
t = performance.now();
const again = await open<KvState, KvEntry>({ dir, name: 'bench.json', machine: kvMachine });
result['reopenMs'] = Math.round(performance.now() - t);
result['records'] = again.state.records.size;
await again.close();
if (!process.argv[2]) await rm(dir, { recursive: true, force: true });
console.log(JSON.stringify(result, null, 2));
