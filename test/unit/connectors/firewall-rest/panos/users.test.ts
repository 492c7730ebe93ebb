import { afterEach, describe, expect, it } from 'vitest';
import { panosCode } from '../../../../../connectors/firewall-rest/panos/index.js';
import { ConnectorError } from '../../../../../connectors/types.js';
import { forms, never, rejection, startHarness, type Harness, type HarnessOptions } from './harness.js';

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

describe('PAN-OS profile: users', () => {
  it('creates a user with a firewall-made hash of a random password, enabled, and answers once it is committed', async () => {
    const { api, pan } = await start();
    await api.create('user', { key: 'jdoe', fields: {} }, never());
    // applied mode: the write resolved only after a commit that includes it finished OK.
    expect(pan.running.user('jdoe')).toMatchObject({ name: 'jdoe', disabled: 'no' });
    expect(pan.running.user('jdoe')?.phash).toMatch(/^\$5\$/);
    expect(pan.operations('op.password-hash')).toBe(1);
    expect(pan.commits.succeeded).toBe(1);
    expect(await api.get('user', 'jdoe', never())).toEqual({ key: 'jdoe', fields: { disabled: true } });
  });

  it('answers undefined for a user that does not exist', async () => {
    const { api } = await start();
    expect(await api.get('user', 'nobody', never())).toBeUndefined();
  });

  it('refuses to create a user whose name is taken (PAN-OS set would merge into it)', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'jdoe', password: 'old' });
    const before = pan.candidate.user('jdoe')?.phash;
    const err = await rejection(api.create('user', { key: 'jdoe', fields: { disabled: false } }, never()));
    expect(kindOf(err)).toBe('conflict');
    expect(pan.candidate.user('jdoe')?.phash).toBe(before);
    expect(pan.operations('config.set')).toBe(0);
  });

  it('maps active to <disabled> both ways: the disabled field holds active', async () => {
    const { api, pan } = await start();
    await api.create('user', { key: 'off', fields: { disabled: false } }, never());
    expect(pan.running.user('off')?.disabled).toBe('yes');
    expect((await api.get('user', 'off', never()))?.fields).toEqual({ disabled: false });

    await api.update('user', 'off', { set: { disabled: true }, unset: [] }, never());
    expect(pan.running.user('off')?.disabled).toBe('no');
    await api.update('user', 'off', { set: { disabled: false }, unset: [] }, never());
    expect(pan.running.user('off')?.disabled).toBe('yes');
    // Unsetting active enables (PAN-OS's default without <disabled>).
    await api.update('user', 'off', { set: {}, unset: ['disabled'] }, never());
    expect(pan.running.user('off')?.disabled).toBe('no');
  });

  it('lists every user, cut into pages', async () => {
    const { api, pan } = await start({ pageSize: 4 });
    for (let i = 0; i < 10; i++) pan.seedUser({ name: `u${i}`, disabled: i === 3 });
    const pages: number[] = [];
    const all: { key: string; fields: Record<string, unknown> }[] = [];
    for await (const page of api.list('user', never())) {
      pages.push(page.length);
      all.push(...page);
    }
    expect(pages).toEqual([4, 4, 2]);
    expect(all.map((u) => u.key)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9']);
    expect(all[3]?.fields).toEqual({ disabled: false });
  });

  it('lists nothing from an empty database', async () => {
    const { api } = await start();
    const pages = [];
    for await (const page of api.list('user', never())) pages.push(page);
    expect(pages).toEqual([]);
  });

  it('renames with action=rename, and the groups that named the user follow', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'jdoe' });
    pan.seedGroup({ name: 'vpn', members: ['jdoe'] });
    await api.update('user', 'jdoe', { set: { disabled: false }, unset: [], rename: 'john.doe' }, never());
    expect(pan.running.user('jdoe')).toBeUndefined();
    expect(pan.running.user('john.doe')).toMatchObject({ disabled: 'yes' });
    expect(pan.running.group('vpn')?.members).toEqual(['john.doe']);
    expect(pan.operations('config.rename')).toBe(1);
  });

  it('answers conflict when renaming onto a taken name, and changes nothing', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'a' });
    pan.seedUser({ name: 'b' });
    const err = await rejection(api.update('user', 'a', { set: { disabled: false }, unset: [], rename: 'b' }, never()));
    expect(kindOf(err)).toBe('conflict');
    expect(pan.candidate.user('a')?.disabled).toBe('no');
    expect(pan.hasUncommittedChanges).toBe(false);
  });

  it('answers not-found when updating, renaming or deleting a user that does not exist, and creates nothing', async () => {
    const { api, pan } = await start();
    expect(kindOf(await rejection(api.update('user', 'ghost', { set: { disabled: false }, unset: [] }, never())))).toBe('not-found');
    expect(kindOf(await rejection(api.update('user', 'ghost', { set: {}, unset: [], rename: 'spirit' }, never())))).toBe('not-found');
    expect(kindOf(await rejection(api.delete('user', 'ghost', never())))).toBe('not-found');
    expect(pan.candidate.users()).toEqual([]);
  });

  it('deletes a user', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'jdoe' });
    await api.delete('user', 'jdoe', never());
    expect(pan.running.user('jdoe')).toBeUndefined();
  });

  it('reports code 10 as a conflict when a group still names the user (the caller removes memberships first)', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'jdoe' });
    pan.seedGroup({ name: 'vpn', members: ['jdoe'] });
    const err = await rejection(api.delete('user', 'jdoe', never()));
    expect(kindOf(err)).toBe('conflict');
    expect(panosCode(err)).toBe(10);
    expect((err as Error).message).toMatch(/still referenced/);

    expect(await api.groupsOf('jdoe', never())).toEqual(['vpn']);
    await api.changeMembers('vpn', { add: [], remove: ['jdoe'] }, never());
    await api.delete('user', 'jdoe', never());
    expect(pan.running.user('jdoe')).toBeUndefined();
  });

  it('refuses fields PAN-OS local users do not have, and values of the wrong type, before sending anything', async () => {
    const { api, pan } = await start();
    const err = await rejection(api.create('user', { key: 'jdoe', fields: { mail: 'j@example.com' } }, never()));
    expect(err).toMatchObject({ kind: 'invalid', attribute: 'mail' });
    expect(kindOf(await rejection(api.create('user', { key: 'jdoe', fields: { disabled: 'no' } }, never())))).toBe('invalid');
    expect(kindOf(await rejection(api.update('user', 'jdoe', { set: {}, unset: ['password'] }, never())))).toBe('invalid');
    expect(kindOf(await rejection(api.create('user', { key: 'jdoe', fields: {}, members: ['x'] }, never())))).toBe('invalid');
    expect(pan.requests).toEqual([]);
  });

  it('writes to the local user database of the configured vsys', async () => {
    const { api, pan } = await start({ location: 'vsys1' });
    await api.create('user', { key: 'jdoe', fields: {} }, never());
    expect(pan.running.user('jdoe', { vsys: 'vsys1' })).toBeDefined();
    expect(pan.running.user('jdoe')).toBeUndefined();
    expect(forms(h!, 'config').every((f) => f.xpath?.startsWith("/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']/"))).toBe(true);
  });

  it('declares what the connector layer needs: names ≤ 31, case-insensitive, groups, the active field', async () => {
    const { api } = await start();
    expect(api).toMatchObject({ keyCase: 'insensitive', limits: { maxKeyLength: { user: 31, group: 31 } }, groups: true, activeField: 'disabled' });
  });
});
