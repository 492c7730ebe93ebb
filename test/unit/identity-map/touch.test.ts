/** IdentityMap.touch: a downstream change that leaves the key and externalId alone still moves lastModified, durably. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { IdentityMapError, openIdentityMap, type IdentityMap } from '../../../src/identity-map/index.js';
import { tempDir } from '../../support/durable-test-machine.js';

let dir: string;
let cleanup: () => Promise<void>;
let map: IdentityMap;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('identity-map-touch-'));
  map = await openIdentityMap({ dir });
});
afterEach(async () => {
  await map.close();
  await cleanup();
});

it('moves lastModified on and keeps id, key, externalId and created, across a reopen', async () => {
  const e = await map.put({ kind: 'user', key: 'bjensen', externalId: 'ext-1' });
  await new Promise((r) => setTimeout(r, 5));
  const t = await map.touch('user', e.id);
  expect(t).toMatchObject({ id: e.id, kind: 'user', key: 'bjensen', externalId: 'ext-1', created: e.created });
  expect(Date.parse(t.lastModified)).toBeGreaterThan(Date.parse(e.lastModified));
  expect(map.byId('user', e.id)).toEqual(t);
  await map.close();
  map = await openIdentityMap({ dir });
  expect(map.byId('user', e.id)).toEqual(t);
});

it('rejects an unknown id with not-found', async () => {
  const err = await map.touch('group', 'no-such-id').catch((x: unknown) => x);
  expect(err).toBeInstanceOf(IdentityMapError);
  expect((err as IdentityMapError).code).toBe('not-found');
});
