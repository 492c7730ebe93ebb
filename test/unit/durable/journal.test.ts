import { appendFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open } from '../../../src/durable/index.js';
import { encodeRecord } from '../../../src/durable/journal-codec.js';
import { kvMachine, memoryLog, put, tempDir, type KvEntry, type KvState } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

const NAME = 'data.json';
const openKv = (log = memoryLog()) => open<KvState, KvEntry>({ dir, name: NAME, machine: kvMachine, log });
const segName = (firstSeq: number) => `${NAME}.journal.${String(firstSeq).padStart(16, '0')}`;
const segments = async () => (await readdir(dir)).filter((f) => f.startsWith(`${NAME}.journal.`)).sort();
const line = (seq: number, entries: KvEntry[]) => encodeRecord(seq, JSON.stringify(entries));

describe('durable store: group commit', () => {
  it('1,000 concurrent commits take far fewer flushes, and all survive a reopen', async () => {
    const store = await openKv();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.commit([put(`k${i}`, i)])));
    const { flushes, durableSeq, pendingEntries } = store.stats();
    expect(durableSeq).toBe(1000);
    expect(pendingEntries).toBe(0);
    expect(flushes).toBeGreaterThan(0);
    expect(flushes).toBeLessThan(50);
    await store.close({ compact: false });

    const again = await openKv();
    expect(again.state.records.size).toBe(1000);
    expect(again.state.records.get('k999')).toEqual({ id: 'k999', v: 999 });
    await again.close();
  });

  it('keeps batching while a flush is in flight (writers that commit again as soon as acknowledged)', async () => {
    const store = await openKv();
    let n = 0;
    const writer = async (): Promise<void> => {
      while (n < 2000) await store.commit([put(`w${n++}`)]);
    };
    await Promise.all(Array.from({ length: 20 }, writer));
    expect(store.stats().flushes).toBeLessThan(1000);
    await store.close({ compact: false });
    const again = await openKv();
    expect(again.state.records.size).toBeGreaterThanOrEqual(2000);
    await again.close();
  });
});

describe('durable store: torn journal tails', () => {
  const tails: Array<[string, string | Buffer]> = [
    ['a half line', `11\t1a2b3c\t[{"op":"put","rec":{"id":"torn"`],
    ['a line with a bad checksum', `11\t0\t${JSON.stringify([put('torn')])}\n`],
    ['garbage and zero bytes', Buffer.concat([Buffer.from('\x01\x02garbage\n'), Buffer.alloc(4096)])],
    ['a good-checksum line that is not JSON', encodeRecord(11, '[{"op":"put",')],
  ];

  it.each(tails)('ignores %s, keeps the good entries, and writes after reopen survive', async (_label, tail) => {
    const store = await openKv();
    for (let i = 1; i <= 10; i++) await store.commit([put(`k${i}`, i)]);
    await store.close({ compact: false });
    const [last] = (await segments()).slice(-1);
    // a record after the torn one (from the same unacknowledged batch) must be ignored as well
    await appendFile(join(dir, last!), Buffer.concat([Buffer.from(tail), Buffer.from(line(12, [put('after-torn')]))]));

    const log = memoryLog();
    const again = await openKv(log);
    expect(again.seq).toBe(10);
    expect(again.state.records.size).toBe(10);
    expect(again.state.records.has('torn')).toBe(false);
    expect(again.state.records.has('after-torn')).toBe(false);
    expect(log.lines.some((l) => l.level === 'warn' && /torn tail/.test(l.msg))).toBe(true);
    await again.commit([put('new', 11)]);
    await again.close({ compact: false });

    const third = await openKv();
    expect(third.seq).toBe(11);
    expect(third.state.records.get('new')).toEqual({ id: 'new', v: 11 });
    expect(third.state.records.size).toBe(11);
    await third.close();
  });
});

describe('durable store: journal continuity', () => {
  it('refuses to open when sequence numbers have a gap between segments, naming the files', async () => {
    await writeFile(join(dir, segName(1)), [1, 2, 3].map((s) => line(s, [put(`k${s}`)])).join(''));
    await writeFile(join(dir, segName(5)), [5, 6].map((s) => line(s, [put(`k${s}`)])).join(''));
    await expect(openKv()).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringMatching(
        /journal\.0000000000000001 ends at seq 3 .*journal\.0000000000000005 starts at seq 5.*4\.\.4 are missing/,
      ),
    });
  });

  it('refuses to open when the journal starts after the document', async () => {
    await writeFile(join(dir, NAME), JSON.stringify({ format: 'kv-test-1', seq: 2, records: [] }));
    await writeFile(join(dir, segName(7)), line(7, [put('k7')]));
    await expect(openKv()).rejects.toThrow(
      /journal\.0000000000000007 starts at seq 7 but .*data\.json and the earlier segments end at seq 2/,
    );
  });

  it('refuses a record out of sequence inside a segment', async () => {
    await writeFile(join(dir, segName(1)), line(1, [put('a')]) + line(3, [put('b')]));
    await expect(openKv()).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('a newer segment cuts off the failed tail of the previous one', async () => {
    // seg 1 holds 1..5, but a write of 4..5 failed and the store continued in a segment starting at 4
    await writeFile(join(dir, segName(1)), [1, 2, 3, 4, 5].map((s) => line(s, [put(`old${s}`)])).join(''));
    await writeFile(join(dir, segName(4)), [4, 5, 6].map((s) => line(s, [put(`new${s}`)])).join(''));
    const log = memoryLog();
    const store = await openKv(log);
    expect(store.seq).toBe(6);
    expect([...store.state.records.keys()].sort()).toEqual(['new4', 'new5', 'new6', 'old1', 'old2', 'old3']);
    expect(log.lines.some((l) => /dropped journal records/.test(l.msg))).toBe(true);
    await store.close();
  });

  it('skips journal records already in the document and continues after them', async () => {
    const records = [{ id: 'k1', v: 1 }, { id: 'k2', v: 2 }];
    await writeFile(join(dir, NAME), JSON.stringify({ format: 'kv-test-1', seq: 2, records }));
    await writeFile(join(dir, segName(1)), [1, 2, 3].map((s) => line(s, [put(`k${s}`, s * 10)])).join(''));
    const store = await openKv();
    expect(store.seq).toBe(3);
    expect(store.state.records.get('k1')).toEqual({ id: 'k1', v: 1 }); // from the document, not replayed
    expect(store.state.records.get('k3')).toEqual({ id: 'k3', v: 30 });
    await store.close();
  });

  it('always starts a new segment after recovery and keeps commits atomic per record', async () => {
    const store = await openKv();
    await store.commit([put('a'), put('b'), put('c')]);
    await store.close({ compact: false });
    const before = await segments();
    const again = await openKv();
    await again.commit([put('d')]);
    await again.close({ compact: false });
    const after = await segments();
    expect(after.length).toBe(before.length + 1);
    expect(after.at(-1)).toBe(segName(2));
  });
});
