/**
 * The identity map across process lifetimes, in-process: a clean close and reopen, a simulated crash (the
 * directory copied while the map is open, so the copy has the journal but no final snapshot, and a lock
 * naming a process that is "gone"), a torn journal tail, and the refusals: a second open of the same file,
 * a keyCase that does not match the file, a damaged document.
 */
import { appendFile, cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DurableStoreError } from '../../../src/durable/index.js';
import { IdentityMapError, openIdentityMap, type IdentityMap, type IdentityMapOptions } from '../../../src/identity-map/index.js';
import { memoryLog, tempDir } from '../../support/durable-test-machine.js';

const NAME = 'identity-map.json';
let work: string;
let dir: string;
let cleanup: () => Promise<void>;
const opened: IdentityMap[] = [];

beforeEach(async () => {
  ({ dir: work, cleanup } = await tempDir('identity-map-reopen-'));
  dir = join(work, 'data');
});
afterEach(async () => {
  for (const m of opened.splice(0)) await m.close();
  await cleanup();
});

async function openMap(extra: Partial<IdentityMapOptions> = {}, at = dir): Promise<IdentityMap> {
  const map = await openIdentityMap({ dir: at, ...extra });
  opened.push(map);
  return map;
}

/** Everything the map holds, per kind, in listing order, plus what the indexes answer for each entry. */
function dump(map: IdentityMap) {
  return (['user', 'group'] as const).map((kind) =>
    [...map.entries(kind)].map((e) => ({
      ...e,
      viaKey: map.byKey(kind, e.key.toUpperCase())?.id,
      viaExternalId: e.externalId === undefined ? undefined : map.byExternalId(kind, e.externalId.toLowerCase()).map((x) => x.id),
    })),
  );
}

/** A mix of creates, renames, externalId changes and removes; returns nothing, the dump is the oracle. */
async function churn(map: IdentityMap, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const kind = i % 3 === 0 ? 'group' : 'user';
    const e = await map.put({ kind, key: `${prefix}-${i}`, ...(i % 2 ? { externalId: `Ext-${prefix}-${i % 7}` } : {}) });
    if (i % 4 === 1) await map.rename(kind, e.id, `${prefix}-${i}-Renamed`);
    if (i % 5 === 2) await map.setExternalId(kind, e.id, i % 10 === 2 ? undefined : `X-${i}`);
    if (i % 6 === 3) await map.remove(kind, e.id);
  }
}

async function rejection(p: Promise<unknown>): Promise<IdentityMapError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdentityMapError);
  return err as IdentityMapError;
}

describe('identity map: reopening', () => {
  it('has everything back after close and reopen, in the same order, from a readable document', async () => {
    const map = await openMap();
    await churn(map, 'a', 60);
    const before = dump(map);
    expect(before[0]!.length + before[1]!.length).toBeGreaterThan(40);
    await map.close();

    // The document is plain JSON another program can read, and records the key rule.
    const doc = JSON.parse(await readFile(join(dir, NAME), 'utf8')) as Record<string, unknown>;
    expect(doc).toMatchObject({ format: 'scimbridge.identity-map/1', keyCase: 'insensitive' });
    expect((doc.users as unknown[]).length).toBe(before[0]!.length);

    const again = await openMap();
    expect(dump(again)).toEqual(before);
    // And it keeps working: old keys still conflict, new writes land.
    const first = before[0]![0]!;
    expect((await rejection(again.put({ kind: 'user', key: first.key }))).existingId).toBe(first.id);
    await churn(again, 'b', 10);
  });

  it('recovers every acknowledged write after a simulated crash (no final snapshot, journal replayed)', async () => {
    const map = await openMap();
    await churn(map, 'a', 30);
    await map.close(); // a document with data in it...
    const live = await openMap();
    await churn(live, 'b', 40); // ...and acknowledged writes only in the journal
    const acknowledged = dump(live);
    const crashed = join(work, 'crashed');
    await cp(dir, crashed, { recursive: true }); // the files as a kill -9 would leave them, lock included
    expect((await readdir(crashed)).some((f) => f.startsWith(`${NAME}.journal.`))).toBe(true);

    const log = memoryLog();
    const recovered = await openMap({ log }, crashed);
    expect(log.lines.some((l) => l.level === 'warn' && /stale lock/.test(l.msg))).toBe(true);
    expect(dump(recovered)).toEqual(acknowledged);
  });

  it('ignores a torn journal tail (a write that was never acknowledged) and goes on writing after it', async () => {
    const map = await openMap();
    await churn(map, 'a', 20);
    const acknowledged = dump(map);
    const crashed = join(work, 'crashed');
    await cp(dir, crashed, { recursive: true });
    const segments = (await readdir(crashed)).filter((f) => f.startsWith(`${NAME}.journal.`)).sort();
    await appendFile(join(crashed, segments.at(-1)!), '999\tdeadbeef\t[{"t":"put","e":{"id":"half');

    const log = memoryLog();
    const recovered = await openMap({ log }, crashed);
    expect(log.lines.some((l) => /torn tail/.test(l.msg))).toBe(true);
    expect(dump(recovered)).toEqual(acknowledged);
    const added = await recovered.put({ kind: 'group', key: 'after-the-tear' });
    await recovered.close();
    const third = await openMap({}, crashed);
    expect(third.byId('group', added.id)?.key).toBe('after-the-tear');
    expect(third.size('user') + third.size('group')).toBe(acknowledged[0]!.length + acknowledged[1]!.length + 1);
  });
});

describe('identity map: refusals', () => {
  it('refuses a second open of the same file in this process, naming the file', async () => {
    await openMap();
    const err = await rejection(openIdentityMap({ dir }));
    expect(err.code).toBe('unavailable');
    expect(err.cause).toBeInstanceOf(DurableStoreError);
    expect((err.cause as DurableStoreError).code).toBe('locked');
    expect(err.message).toContain(join(dir, NAME));
    // Another name in the same directory is another map.
    await openMap({ name: 'other-map.json' });
  });

  it('refuses to reopen with the other keyCase, saying which one the file was written with', async () => {
    const map = await openMap({ keyCase: 'exact' });
    await map.put({ kind: 'user', key: 'a' });
    await map.put({ kind: 'user', key: 'A' }); // two ids under keyCase insensitive would be one key
    await map.close();
    const err = await rejection(openIdentityMap({ dir, keyCase: 'insensitive' }));
    expect(err.code).toBe('unavailable');
    expect((err.cause as DurableStoreError).code).toBe('corrupt');
    expect(err.message).toMatch(/written with keyCase "exact"/);
    const again = await openMap({ keyCase: 'exact' });
    expect(again.size('user')).toBe(2);
  });

  it('refuses a document edited to bind one key to two ids rather than pick one', async () => {
    const map = await openMap();
    const a = await map.put({ kind: 'user', key: 'a' });
    await map.put({ kind: 'user', key: 'b' });
    await map.close();
    const path = join(dir, NAME);
    const doc = JSON.parse(await readFile(path, 'utf8')) as { users: Array<{ key: string }> };
    doc.users[1]!.key = 'A';
    await writeFile(path, JSON.stringify(doc));
    const err = await rejection(openIdentityMap({ dir }));
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain(a.id);
  });

  it('refuses a document that is not an identity map', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, NAME), JSON.stringify({ format: 'scimbridge.json-file/1', seq: 0, users: [], groups: [] }));
    const err = await rejection(openIdentityMap({ dir }));
    expect(err.message).toMatch(/not a scimbridge identity map/);
  });
});
