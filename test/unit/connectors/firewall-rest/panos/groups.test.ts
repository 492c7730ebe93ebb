import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../../../connectors/types.js';
import { never, rejection, startHarness, type Harness, type HarnessOptions } from './harness.js';

let h: Harness | undefined;
async function start(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const kindOf = (err: unknown): string | undefined => (err instanceof ConnectorError ? err.kind : undefined);

describe('PAN-OS profile: groups and members', () => {
  it('creates a group with members, and an empty one', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'a' });
    pan.seedUser({ name: 'b' });
    await api.create('group', { key: 'vpn', fields: {}, members: ['a', 'b'] }, never());
    await api.create('group', { key: 'empty', fields: {} }, never());
    expect(pan.running.group('vpn')?.members).toEqual(['a', 'b']);
    expect(pan.running.group('empty')?.members).toEqual([]);
    expect(await api.get('group', 'vpn', never())).toEqual({ key: 'vpn', fields: {}, members: ['a', 'b'] });
    expect(await api.get('group', 'nope', never())).toBeUndefined();
  });

  it('refuses a taken group name, and a member that is no user (code 12 → invalid)', async () => {
    const { api, pan } = await start();
    pan.seedGroup({ name: 'vpn' });
    expect(kindOf(await rejection(api.create('group', { key: 'vpn', fields: {} }, never())))).toBe('conflict');
    const err = await rejection(api.create('group', { key: 'other', fields: {}, members: ['ghost'] }, never()));
    expect(kindOf(err)).toBe('invalid');
    expect((err as Error).message).toMatch(/ghost.*not a valid reference/);
    expect(pan.candidate.group('other')).toBeUndefined();
  });

  it('adds with set (merging) and removes one member[text()] at a time; present and absent members count as done', async () => {
    const { api, pan } = await start();
    for (const n of ['a', 'b', 'c']) pan.seedUser({ name: n });
    pan.seedGroup({ name: 'vpn', members: ['a'] });
    await api.changeMembers('vpn', { add: ['a', 'b', 'c'], remove: [] }, never());
    expect(pan.running.group('vpn')?.members).toEqual(['a', 'b', 'c']);
    await api.changeMembers('vpn', { add: [], remove: ['b', 'nobody'] }, never());
    expect(pan.running.group('vpn')?.members).toEqual(['a', 'c']);
    await api.changeMembers('vpn', { add: ['b'], remove: ['a'] }, never());
    expect(pan.running.group('vpn')?.members).toEqual(['c', 'b']);
  });

  it('does not wait for a commit when a member change changed nothing', async () => {
    const { api, pan } = await start();
    pan.seedGroup({ name: 'vpn' });
    await api.changeMembers('vpn', { add: [], remove: ['nobody'] }, never());
    await api.changeMembers('vpn', { add: [], remove: [] }, never());
    expect(pan.commits.requested).toBe(0);
  });

  it('answers not-found for member changes of a missing group instead of letting set create it', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'a' });
    expect(kindOf(await rejection(api.changeMembers('ghost', { add: ['a'], remove: [] }, never())))).toBe('not-found');
    expect(pan.candidate.group('ghost')).toBeUndefined();
  });

  it('finds the groups of a user by an XPath predicate', async () => {
    const { api, pan } = await start();
    for (const n of ['a', 'b']) pan.seedUser({ name: n });
    pan.seedGroup({ name: 'g1', members: ['a', 'b'] });
    pan.seedGroup({ name: 'g2', members: ['b'] });
    pan.seedGroup({ name: 'g3' });
    expect(await api.groupsOf('b', never())).toEqual(['g1', 'g2']);
    expect(await api.groupsOf('a', never())).toEqual(['g1']);
    expect(await api.groupsOf('nobody', never())).toEqual([]);
  });

  it('renames and deletes groups; lists them with their members', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'a' });
    pan.seedGroup({ name: 'g1', members: ['a'] });
    pan.seedGroup({ name: 'g2' });
    await api.update('group', 'g1', { set: {}, unset: [], rename: 'renamed' }, never());
    await api.delete('group', 'g2', never());
    const all = [];
    for await (const page of api.list('group', never())) all.push(...page);
    expect(all).toEqual([{ key: 'renamed', fields: {}, members: ['a'] }]);
    expect(pan.running.groups().map((g) => g.name)).toEqual(['renamed']);
    expect(kindOf(await rejection(api.delete('group', 'g2', never())))).toBe('not-found');
    expect(kindOf(await rejection(api.update('group', 'renamed', { set: { description: 'x' }, unset: [] }, never())))).toBe('invalid');
  });
});

describe('PAN-OS profile: hostile names', () => {
  const names = ["o'brien", 'say "hi"', 'a<b>&c', 'Zoë Ünïcødé', '用户-名', 'x]/y[@name=z', '  spaced  ', 'semi;colon=1&k=v'];

  it.each(names)('stores, reads, renames, groups and deletes %j literally', async (name) => {
    const { api, pan } = await start({ commit: { mode: 'candidate' } });
    await api.create('user', { key: name, fields: { disabled: false } }, never());
    expect(await api.get('user', name, never())).toEqual({ key: name, fields: { disabled: false } });
    await api.create('group', { key: `g ${name}`, fields: {}, members: [name] }, never());
    expect((await api.get('group', `g ${name}`, never()))?.members).toEqual([name]);
    expect(await api.groupsOf(name, never())).toEqual([`g ${name}`]);

    await api.update('user', name, { set: {}, unset: [], rename: `${name}2` }, never());
    expect((await api.get('group', `g ${name}`, never()))?.members).toEqual([`${name}2`]);
    await api.changeMembers(`g ${name}`, { add: [], remove: [`${name}2`] }, never());
    await api.delete('user', `${name}2`, never());
    await api.delete('group', `g ${name}`, never());
    await api.flush?.();
    expect(pan.running.users()).toEqual([]);
    expect(pan.running.groups()).toEqual([]);
  });

  it('refuses a name holding both quote kinds with a clear 400, before sending anything', async () => {
    const { api, pan } = await start();
    const both = `it's "quoted"`;
    for (const call of [
      api.create('user', { key: both, fields: {} }, never()),
      api.get('user', both, never()),
      api.changeMembers('vpn', { add: [], remove: [both] }, never()),
      api.update('user', 'jdoe', { set: {}, unset: [], rename: both }, never()),
    ]) {
      const err = await rejection(call);
      expect(kindOf(err)).toBe('invalid');
      expect((err as Error).message).toMatch(/both ' and "/);
    }
    expect(pan.requests).toEqual([]);
  });

  it('refuses control characters in names (XML cannot carry them)', async () => {
    const { api, pan } = await start();
    expect(kindOf(await rejection(api.create('user', { key: 'a\u0001b', fields: {} }, never())))).toBe('invalid');
    expect(kindOf(await rejection(api.create('group', { key: 'g', fields: {}, members: ['x\u0000'] }, never())))).toBe('invalid');
    expect(kindOf(await rejection(api.get('user', '', never())))).toBe('invalid');
    expect(pan.requests).toEqual([]);
  });
});
