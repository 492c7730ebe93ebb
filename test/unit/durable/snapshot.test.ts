import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, type DurableStoreOptions } from '../../../src/durable/index.js';
import { silentLogger } from '../../../src/log.js';
import { kvMachine, memoryLog, put, tempDir, type KvEntry, type KvState } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const NAME = 'data.json';
const openKv = (extra: Partial<DurableStoreOptions<KvState, KvEntry>> = {}) =>
  open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine, compaction: { intervalMs: 0 }, ...extra });
type Doc = { seq: number; records: Array<{ id: string }> };
const readDoc = async () => JSON.parse(await readFile(join(dir, NAME), 'utf8')) as Doc;

describe('durable store: snapshots', () => {
  it('lands writes made while a snapshot is being written in the new segment, not in the snapshot', async () => {
    let gate: Promise<void> | null = null;
    let openGate: () => void = () => undefined;
    let entered: () => void = () => undefined;
    const inSnapshot = new Promise<void>((r) => (entered = r));
    const store = await openKv({
      testHooks: {
        onSnapshotChunk: () => {
          entered();
          return gate ?? undefined;
        },
      },
    });
    for (let i = 0; i < 20; i++) await store.commit([put(`before${i}`)]);
    gate = new Promise<void>((r) => (openGate = r));
    const compaction = store.compact();
    await inSnapshot;
    await Promise.all([store.commit([put('during1')]), store.commit([put('during2')])]);
    openGate();
    await compaction;

    const doc = await readDoc();
    expect(doc.seq).toBe(20);
    expect(doc.records.map((r) => r.id)).not.toContain('during1');
    const segs = (await readdir(dir)).filter((f) => f.includes('.journal.'));
    expect(segs).toEqual([`${NAME}.journal.${String(21).padStart(16, '0')}`]);
    expect(await readFile(join(dir, segs[0]!), 'utf8')).toContain('during2');
    await store.close({ compact: false });
    const again = await openKv();
    expect(again.state.records.size).toBe(22);
    await again.close();
  });

  it('a snapshot that fails half-way leaves the old document and no temp file, and the store goes on', async () => {
    let fail = false;
    const log = memoryLog();
    const store = await openKv({
      log,
      testHooks: {
        onSnapshotChunk: () => {
          if (fail) throw new Error('disk full (injected)');
        },
      },
    });
    await store.commit(Array.from({ length: 2000 }, (_, i) => put(`k${i}`)));
    await store.compact();
    await store.commit([put('x')]);
    fail = true;
    await expect(store.compact()).rejects.toThrow('disk full');
    expect((await readDoc()).seq).toBe(1);
    expect((await readdir(dir)).some((f) => f.includes('.tmp-'))).toBe(false);
    fail = false;
    await store.commit([put('y')]);
    await store.close();
    expect((await readDoc()).seq).toBe(3);
    expect((await readDoc()).records.length).toBe(2002);
  });

  it('removes temp files and moved-aside locks that crashed processes left behind', async () => {
    await writeFile(join(dir, `${NAME}.tmp-424242`), '{"half": ');
    await writeFile(join(dir, `${NAME}.lock.stale-424242-abcd`), '{}');
    const store = await openKv();
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-') || f.includes('.stale-'))).toEqual([]);
    await store.close();
  });

  it('journals and snapshots non-ASCII text exactly (checksums are over UTF-8 bytes)', async () => {
    const store = await openKv({ log: silentLogger });
    const data = 'Zoë Ångström — 漢字 🚀 "quoted" \\ back\nslash';
    await store.commit([put('u1', 1, data)]);
    await store.close({ compact: false });
    const again = await openKv();
    expect(again.state.records.get('u1')?.data).toBe(data);
    await again.close();
    const third = await openKv();
    expect(third.state.records.get('u1')?.data).toBe(data);
    await third.close();
  });

  it('refuses a header using the reserved key "seq" (a new store writes its document at once)', async () => {
    const capture = (s: KvState) => ({ header: { seq: 1 }, sections: { records: [...s.records.values()] } });
    const machine = { ...kvMachine, capture };
    await expect(open<KvState, KvEntry>({ dir, name: NAME, machine })).rejects.toThrow(/reserved key "seq"/);
    // the failed open released its lock
    await (await openKv()).close();
  });
});
