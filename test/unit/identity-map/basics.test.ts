/**
 * The identity map through its public API, on real files in a temp directory: lookups, case rules,
 * conflicts, id issuance, and that writes resolve durable.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityMapError, openIdentityMap, type IdentityMap, type IdentityMapOptions } from '../../../src/identity-map/index.js';
import { tempDir } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
let map: IdentityMap;

const openMap = (extra: Partial<IdentityMapOptions> = {}) => openIdentityMap({ dir, ...extra });

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('identity-map-'));
  map = await openMap();
});
afterEach(async () => {
  await map.close();
  await cleanup();
});

async function rejection(p: Promise<unknown>): Promise<IdentityMapError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdentityMapError);
  return err as IdentityMapError;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('identity map: lookups', () => {
  it('issues a UUID id on create and finds the entry by id, key and externalId', async () => {
    const e = await map.put({ kind: 'user', key: 'bjensen', externalId: 'ext-1' });
    expect(e).toMatchObject({ kind: 'user', key: 'bjensen', externalId: 'ext-1' });
    expect(e.id).toMatch(UUID);
    expect(e.created).toBe(e.lastModified);
    expect(map.byId('user', e.id)).toEqual(e);
    expect(map.byKey('user', 'bjensen')).toEqual(e);
    expect(map.byExternalId('user', 'ext-1')).toEqual([e]);
    expect(map.size('user')).toBe(1);
    expect(map.stats().durableSeq).toBe(map.stats().seq);
  });

  it('keeps users and groups apart', async () => {
    const u = await map.put({ kind: 'user', key: 'admins', externalId: 'x' });
    const g = await map.put({ kind: 'group', key: 'admins', externalId: 'x' });
    expect(u.id).not.toBe(g.id);
    expect(map.byKey('user', 'admins')?.id).toBe(u.id);
    expect(map.byKey('group', 'admins')?.id).toBe(g.id);
    expect(map.byId('group', u.id)).toBeUndefined();
    expect(map.byExternalId('group', 'x')).toEqual([g]);
    expect([map.size('user'), map.size('group')]).toEqual([1, 1]);
  });

  it('compares ids exactly, keys and externalIds case-insensitively by default', async () => {
    const e = await map.put({ kind: 'user', key: 'BJensen', externalId: 'AbC-1' });
    expect(map.byId('user', e.id.toUpperCase())).toBeUndefined();
    expect(map.byKey('user', 'bjensen')).toEqual(e);
    expect(map.byKey('user', 'BJENSEN')?.key).toBe('BJensen'); // stored as written
    expect(map.byExternalId('user', 'abc-1')).toEqual([e]);
    const err = await rejection(map.put({ kind: 'user', key: 'bjensen' }));
    expect(err.code).toBe('conflict');
  });

  it('compares keys exactly when opened with keyCase exact (externalId stays case-insensitive)', async () => {
    const { dir: other, cleanup: done } = await tempDir('identity-map-exact-');
    const exact = await openIdentityMap({ dir: other, keyCase: 'exact' });
    try {
      const a = await exact.put({ kind: 'user', key: 'bjensen', externalId: 'E1' });
      const b = await exact.put({ kind: 'user', key: 'BJensen', externalId: 'e1' });
      expect(exact.byKey('user', 'bjensen')?.id).toBe(a.id);
      expect(exact.byKey('user', 'BJensen')?.id).toBe(b.id);
      expect(exact.byKey('user', 'BJENSEN')).toBeUndefined();
      expect(exact.byExternalId('user', 'e1').map((e) => e.id)).toEqual([a.id, b.id]);
    } finally {
      await exact.close();
      await done();
    }
  });

  it('lists entries in insertion order; an update keeps its place, a removal drops it', async () => {
    const a = await map.put({ kind: 'user', key: 'a' });
    const b = await map.put({ kind: 'user', key: 'b' });
    const c = await map.put({ kind: 'user', key: 'c' });
    await map.rename('user', a.id, 'a2');
    await map.remove('user', b.id);
    const d = await map.put({ kind: 'user', key: 'b' });
    expect([...map.entries('user')].map((e) => [e.id, e.key])).toEqual([
      [a.id, 'a2'],
      [c.id, 'c'],
      [d.id, 'b'],
    ]);
    expect([...map.entries('group')]).toEqual([]);
  });

  it('returns frozen entries that later writes replace rather than change', async () => {
    const e = await map.put({ kind: 'user', key: 'a', externalId: 'x' });
    expect(Object.isFrozen(e)).toBe(true);
    await map.rename('user', e.id, 'b');
    expect(e.key).toBe('a');
    expect(map.byId('user', e.id)?.key).toBe('b');
  });
});

describe('identity map: writes', () => {
  it('renames: the id stays, the old key is free, the new one is bound; created is kept', async () => {
    const e = await map.put({ kind: 'user', key: 'bjensen', externalId: 'ext' });
    await new Promise((r) => setTimeout(r, 5));
    const r = await map.rename('user', e.id, 'barbara.jensen');
    expect(r).toMatchObject({ id: e.id, key: 'barbara.jensen', externalId: 'ext', created: e.created });
    expect(r.lastModified > e.lastModified).toBe(true);
    expect(map.byKey('user', 'bjensen')).toBeUndefined();
    expect(map.byKey('user', 'barbara.jensen')?.id).toBe(e.id);
    // The freed key can be taken by another entry.
    const other = await map.put({ kind: 'user', key: 'BJENSEN' });
    expect(other.id).not.toBe(e.id);
  });

  it('renames to a different case of its own key (not a conflict with itself)', async () => {
    const e = await map.put({ kind: 'group', key: 'vpn-users' });
    const r = await map.rename('group', e.id, 'VPN-Users');
    expect(r.key).toBe('VPN-Users');
    expect(map.byKey('group', 'vpn-users')?.key).toBe('VPN-Users');
  });

  it('rejects a key bound to another id with a typed conflict naming that id, and changes nothing', async () => {
    const a = await map.put({ kind: 'user', key: 'alice' });
    const b = await map.put({ kind: 'user', key: 'bob' });
    const seq = map.stats().seq;
    for (const attempt of [map.rename('user', b.id, 'ALICE'), map.put({ kind: 'user', id: b.id, key: 'Alice' }), map.put({ kind: 'user', key: 'alice' })]) {
      const err = await rejection(attempt);
      expect(err.code).toBe('conflict');
      expect(err.existingId).toBe(a.id);
      expect(err.message).toContain(a.id);
    }
    expect(map.stats().seq).toBe(seq);
    expect(map.byKey('user', 'bob')?.id).toBe(b.id);
    expect(map.size('user')).toBe(2);
  });

  it('refuses, of two concurrent creates of one key, the second (the check sees the pending first)', async () => {
    const results = await Promise.allSettled([map.put({ kind: 'user', key: 'dup' }), map.put({ kind: 'user', key: 'DUP' })]);
    expect(results[0]!.status).toBe('fulfilled');
    expect(results[1]!.status).toBe('rejected');
    expect(((results[1] as PromiseRejectedResult).reason as IdentityMapError).code).toBe('conflict');
    expect(map.size('user')).toBe(1);
  });

  it('put with an id replaces key and externalId (absent externalId clears it)', async () => {
    const e = await map.put({ kind: 'user', key: 'a', externalId: 'x' });
    const u = await map.put({ kind: 'user', id: e.id, key: 'a', externalId: 'y' });
    expect(u).toMatchObject({ id: e.id, key: 'a', externalId: 'y' });
    expect(map.byExternalId('user', 'x')).toEqual([]);
    const cleared = await map.put({ kind: 'user', id: e.id, key: 'a' });
    expect(cleared.externalId).toBeUndefined();
    expect('externalId' in cleared).toBe(false);
    expect(map.byExternalId('user', 'y')).toEqual([]);
  });

  it('sets and clears the externalId; several entries may share one', async () => {
    const a = await map.put({ kind: 'user', key: 'a' });
    const b = await map.put({ kind: 'user', key: 'b', externalId: 'shared' });
    await map.setExternalId('user', a.id, 'SHARED');
    expect(map.byExternalId('user', 'Shared').map((e) => e.id)).toEqual([b.id, a.id]);
    const cleared = await map.setExternalId('user', b.id, undefined);
    expect(cleared.externalId).toBeUndefined();
    expect(map.byExternalId('user', 'shared').map((e) => e.id)).toEqual([a.id]);
  });

  it('commits nothing for a write that changes nothing', async () => {
    const e = await map.put({ kind: 'user', key: 'a', externalId: 'x' });
    const seq = map.stats().seq;
    expect(await map.put({ kind: 'user', id: e.id, key: 'a', externalId: 'x' })).toBe(map.byId('user', e.id));
    expect(await map.rename('user', e.id, 'a')).toEqual(e);
    expect(await map.setExternalId('user', e.id, 'x')).toEqual(e);
    expect(map.stats().seq).toBe(seq);
  });

  it('removes: the key and externalId are free, a second remove answers false', async () => {
    const e = await map.put({ kind: 'group', key: 'g', externalId: 'gx' });
    expect(await map.remove('group', e.id)).toBe(true);
    expect(await map.remove('group', e.id)).toBe(false);
    expect(map.byId('group', e.id)).toBeUndefined();
    expect(map.byKey('group', 'g')).toBeUndefined();
    expect(map.byExternalId('group', 'gx')).toEqual([]);
    expect(map.size('group')).toBe(0);
  });

  it('never reissues an id: a removed id cannot be written again, and new ids are fresh', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const e = await map.put({ kind: i % 2 ? 'user' : 'group', key: `k${i % 10}` });
      expect(seen.has(e.id)).toBe(false);
      seen.add(e.id);
      await map.remove(e.kind, e.id);
    }
    const [removed] = seen;
    for (const attempt of [map.put({ kind: 'user', id: removed!, key: 'z' }), map.put({ kind: 'group', id: removed!, key: 'z' })]) {
      expect((await rejection(attempt)).code).toBe('not-found');
    }
    expect((await rejection(map.rename('user', 'no-such-id', 'z'))).code).toBe('not-found');
    expect((await rejection(map.setExternalId('group', 'no-such-id', 'z'))).code).toBe('not-found');
    expect(map.size('user') + map.size('group')).toBe(0);
  });

  it('rejects empty keys and externalIds, and unknown kinds, as invalid', async () => {
    const e = await map.put({ kind: 'user', key: 'a' });
    expect((await rejection(map.put({ kind: 'user', key: '' }))).code).toBe('invalid');
    expect((await rejection(map.put({ kind: 'user', key: 'b', externalId: '' }))).code).toBe('invalid');
    expect((await rejection(map.rename('user', e.id, ''))).code).toBe('invalid');
    expect((await rejection(map.setExternalId('user', e.id, ''))).code).toBe('invalid');
    expect((await rejection(map.put({ kind: 'role' as 'user', key: 'c' }))).code).toBe('invalid');
    expect(() => map.byKey('__proto__' as 'user', 'a')).toThrow(IdentityMapError);
  });

  it('after close, reads throw and writes reject with unavailable; close is idempotent', async () => {
    await map.put({ kind: 'user', key: 'a' });
    await Promise.all([map.close(), map.close()]);
    expect(() => map.byKey('user', 'a')).toThrow(/closed/);
    const err = await rejection(map.put({ kind: 'user', key: 'b' }));
    expect(err.code).toBe('unavailable');
    expect(map.stats().mode).toBe('closed');
  });
});
