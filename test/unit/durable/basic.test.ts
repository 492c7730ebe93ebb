import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, DurableStoreError } from '../../../src/durable/index.js';
import { kvMachine, put, tempDir, type KvEntry, type KvState } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const openKv = (extra: { fsync?: boolean } = {}) =>
  open<KvState, KvEntry>({ dir, name: 'data.json', machine: kvMachine, ...extra });

describe('durable store: basics', () => {
  it('round-trips commits through close and reopen; the document is valid JSON with header and seq', async () => {
    const store = await openKv();
    await store.commit([put('a', 1)]);
    await store.commit([put('b', 2, 'zwei'), put('c', 3)]);
    await store.commit([{ op: 'del', id: 'c' }]);
    expect(store.seq).toBe(3);
    expect([...store.state.records.keys()]).toEqual(['a', 'b']);
    await store.close();

    const doc = JSON.parse(await readFile(join(dir, 'data.json'), 'utf8')) as Record<string, unknown>;
    expect(doc).toEqual({ format: 'kv-test-1', seq: 3, records: [{ id: 'a', v: 1 }, { id: 'b', v: 2, data: 'zwei' }] });
    // after a compacting close, only the document is left
    expect(await readdir(dir)).toEqual(['data.json']);

    const again = await openKv();
    expect(again.seq).toBe(3);
    expect(again.state.records.get('b')).toEqual({ id: 'b', v: 2, data: 'zwei' });
    await again.close();
  });

  it('replays the journal when closed without compaction', async () => {
    const store = await openKv();
    for (let i = 0; i < 10; i++) await store.commit([put(`k${i}`, i)]);
    await store.close({ compact: false });
    expect((await readdir(dir)).some((f) => f.startsWith('data.json.journal.'))).toBe(true);
    const again = await openKv();
    expect(again.state.records.size).toBe(10);
    expect(again.seq).toBe(10);
    await again.close();
  });

  it('applies a JSON copy of the entries and rejects what JSON cannot hold', async () => {
    const store = await openKv({ fsync: false });
    const rec = { id: 'x', v: 1 };
    await store.commit([{ op: 'put', rec }]);
    rec.v = 99; // mutating the caller's object must not change the state
    expect(store.state.records.get('x')?.v).toBe(1);
    const cyclic: { id: string; v: number; self?: unknown } = { id: 'y', v: 1 };
    cyclic.self = cyclic;
    await expect(store.commit([{ op: 'put', rec: cyclic }])).rejects.toMatchObject({ code: 'invalid-entry' });
    expect(store.state.records.has('y')).toBe(false);
    await store.close();
  });

  it('rejects commits after close, and close is idempotent', async () => {
    const store = await openKv({ fsync: false });
    await Promise.all([store.close(), store.close()]);
    const err = await store.commit([put('a')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DurableStoreError);
    expect((err as DurableStoreError).code).toBe('closed');
  });

  it('barrier resolves at once when nothing is pending and after the flush otherwise', async () => {
    const store = await openKv();
    await store.barrier();
    const committed = store.commit([put('a')]);
    expect(store.stats().pendingEntries).toBe(1);
    await store.barrier();
    expect(store.stats().durableSeq).toBe(1);
    await committed;
    await store.close();
  });

  it('refuses a document that is not valid JSON, naming the file', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'data.json'), '{"format": "kv-test-1", "seq": 1, "records": [');
    await expect(openKv()).rejects.toThrow(/data\.json is not valid JSON/);
    // the lock was released: a fixed document opens
    await writeFile(join(dir, 'data.json'), '{"format": "kv-test-1", "seq": 0, "records": []}');
    await (await openKv()).close();
  });
});

describe('durable store: a new store', () => {
  it('writes an empty, valid document right away for other programs to read', async () => {
    const store = await openKv();
    const doc = JSON.parse(await readFile(join(dir, 'data.json'), 'utf8')) as unknown;
    expect(doc).toEqual({ format: 'kv-test-1', seq: 0, records: [] });
    await store.close();
  });
});
