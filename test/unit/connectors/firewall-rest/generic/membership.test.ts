/**
 * Membership styles beyond the shipped examples' defaults: per-member requests (against the fake's synthetic
 * member endpoints), and full-list changes kept whole by the per-group lock alone (serializeWrites off).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../../../connectors/types.js';
import { never, rejection, startHarness, type Harness, type HarnessOptions } from './harness.js';

let h: Harness | undefined;
async function start(flavour: 'pfsense' | 'opnsense', options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(flavour, options);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Raw = Record<string, Record<string, unknown>>;

/** The pfSense example with per-member requests and a create that sends no member list. */
function perMember(o: Record<string, unknown>): void {
  const groups = o['groups'] as Raw;
  groups['membership'] = {
    style: 'per-member',
    add: { method: 'POST', path: '/api/v2/user/group/{id}/member', body: { name: '{member}' } },
    remove: { method: 'DELETE', path: '/api/v2/user/group/{id}/member/{member}' },
  };
  delete (groups['create']!['body'] as Record<string, unknown>)['member'];
  o['serializeWrites'] = false;
}

describe('generic profile: per-member membership', () => {
  it('sends one request per member; adding a member twice and removing an absent one succeed', async () => {
    const { api, fake, requests } = await start('pfsense', { fake: { memberEndpoints: true }, patch: perMember });
    for (const n of ['alice', 'bob']) fake.seedUser({ name: n });
    await api.create('group', { key: 'g', fields: {}, members: ['alice'] }, never());
    expect(fake.memberNames('g')).toEqual(['alice']);
    await api.changeMembers('g', { add: ['alice', 'bob'], remove: ['carol'] }, never());
    expect(fake.memberNames('g')).toEqual(['alice', 'bob']);
    expect(fake.counts('POST /api/v2/user/group/:id/member')).toBe(3);
    expect(fake.counts('DELETE /api/v2/user/group/:id/member')).toBe(1);
    await api.changeMembers('g', { add: [], remove: ['alice'] }, never());
    expect(fake.memberNames('g')).toEqual(['bob']);
    expect(requests.at(-1)?.path).toBe('/api/v2/user/group/1/member/alice');
  });

  it('percent-encodes a member name with /, ?, #, %, spaces and non-ASCII as one path segment', async () => {
    const hostile = 'a/b?c#d%2e é..x';
    const { api, fake, requests } = await start('pfsense', {
      fake: { memberEndpoints: true },
      patch: (o) => {
        perMember(o);
        delete (o['users'] as Raw)['name']!['pattern'];
      },
    });
    fake.seedUser({ name: hostile });
    fake.seedGroup({ name: 'g', members: [hostile] });
    await api.changeMembers('g', { add: [], remove: [hostile] }, never());
    expect(fake.memberNames('g')).toEqual([]);
    expect(requests.at(-1)?.path).toBe('/api/v2/user/group/1/member/a%2Fb%3Fc%23d%252e%20%C3%A9..x');
  });

  it('keeps all of 100 concurrent member additions', async () => {
    const { api, fake } = await start('pfsense', { fake: { memberEndpoints: true, latencyMs: 1 }, patch: perMember });
    const names = Array.from({ length: 100 }, (_, i) => `m${i}`);
    for (const n of names) fake.seedUser({ name: n });
    fake.seedGroup({ name: 'big' });
    await Promise.all(names.map((n) => api.changeMembers('big', { add: [n], remove: [] }, never())));
    expect(new Set(fake.memberNames('big'))).toEqual(new Set(names));
  });

  it('answers not-found when the group is gone, and passes on other refusals', async () => {
    const { api, fake } = await start('pfsense', { fake: { memberEndpoints: true }, patch: perMember });
    expect((await rejection(api.changeMembers('nope', { add: ['x'], remove: [] }, never())) as ConnectorError).kind).toBe('not-found');
    fake.seedGroup({ name: 'g' });
    expect((await rejection(api.changeMembers('g', { add: ['ghost'], remove: [] }, never())) as ConnectorError).kind).toBe('invalid');
  });
});

describe('generic profile: full-list membership without serializeWrites', () => {
  it('keeps all of 100 concurrent member additions to one group by the per-group lock, while other groups proceed', async () => {
    const { api, fake } = await start('opnsense', { fake: { latencyMs: 1 }, patch: (o) => (o['serializeWrites'] = false) });
    const names = Array.from({ length: 100 }, (_, i) => `m${i}`);
    for (const n of names) fake.seedUser({ name: n });
    fake.seedGroup({ name: 'big' });
    fake.seedGroup({ name: 'other' });
    await Promise.all([
      ...names.map((n) => api.changeMembers('big', { add: [n], remove: [] }, never())),
      api.changeMembers('other', { add: ['m1'], remove: [] }, never()),
    ]);
    expect(new Set(fake.memberNames('big'))).toEqual(new Set(names));
    expect(fake.memberNames('other')).toEqual(['m1']);
    expect(fake.peakInFlight).toBeGreaterThan(1);
  });
});
