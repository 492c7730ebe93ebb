import { afterEach, describe, expect, it } from 'vitest';
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

describe('PAN-OS profile: commits', () => {
  it('turns a burst of 500 concurrent member additions across 10 groups into a handful of commits', async () => {
    const { api, pan } = await start({ pan: { commitDurationMs: 50 } });
    const users = Array.from({ length: 50 }, (_, i) => `user${i}`);
    const groups = Array.from({ length: 10 }, (_, i) => `group${i}`);
    for (const u of users) pan.seedUser({ name: u });
    for (const g of groups) pan.seedGroup({ name: g });

    const additions = groups.flatMap((g) => users.map((u) => api.changeMembers(g, { add: [u], remove: [] }, never())));
    expect(additions).toHaveLength(500);
    await Promise.all(additions);

    expect(pan.commits.requested).toBeGreaterThanOrEqual(1);
    expect(pan.commits.requested).toBeLessThanOrEqual(10);
    expect(pan.commits.failed).toBe(0);
    for (const g of groups) expect([...(pan.running.group(g)?.members ?? [])].sort()).toEqual([...users].sort());
    expect(pan.hasUncommittedChanges).toBe(false);
  });

  it('starts a commit after the quiet period without waiting for maxDelayMs', async () => {
    const { api, pan } = await start({ commit: { quietMs: 10, maxDelayMs: 60_000 } });
    const started = Date.now();
    await api.create('user', { key: 'jdoe', fields: {} }, never());
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pan.commits.succeeded).toBe(1);
  });

  it('starts a commit at maxDelayMs even while writes keep arriving', async () => {
    const { api, pan } = await start({ commit: { quietMs: 150, maxDelayMs: 200 } });
    pan.seedUser({ name: 'jdoe' });
    const first = api.update('user', 'jdoe', { set: { disabled: false }, unset: [] }, never());
    // A write every 50 ms never leaves 150 ms of quiet; the first write is answered after about 200 ms anyway.
    const stop = Date.now() + 600;
    const more: Promise<void>[] = [];
    let active = true;
    while (Date.now() < stop) {
      active = !active;
      more.push(api.update('user', 'jdoe', { set: { disabled: active }, unset: [] }, never()));
      await new Promise((r) => setTimeout(r, 50));
    }
    const firstDone = await Promise.race([first.then(() => Date.now()), new Promise<number>((r) => setTimeout(() => r(Infinity), 1_500))]);
    expect(firstDone).toBeLessThan(stop + 500);
    await Promise.all(more);
    expect(pan.commits.requested).toBeGreaterThanOrEqual(2);
  });

  it('rejects exactly the writes a failed commit covered, with 503 and Retry-After; a later commit brings them in', async () => {
    const { api, pan } = await start({ commit: { retryAfterSec: 30 } });
    pan.seedUser({ name: 'a' });
    pan.seedUser({ name: 'b' });
    pan.failNextCommits(1);
    const covered = await Promise.allSettled([
      api.update('user', 'a', { set: { disabled: false }, unset: [] }, never()),
      api.update('user', 'b', { set: { disabled: false }, unset: [] }, never()),
    ]);
    for (const r of covered) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason as ConnectorError;
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err.kind).toBe('unavailable');
      expect(err.retryAfterSec).toBe(30);
      expect(err.message).toMatch(/commit failed.*stays in the candidate config/i);
    }
    // The changes stay in the candidate config and reads see them; the running config does not have them.
    expect((await api.get('user', 'a', never()))?.fields).toEqual({ disabled: false });
    expect(pan.running.user('a')?.disabled).toBe('no');

    // The next write's commit includes the earlier changes.
    pan.seedUser({ name: 'c' });
    await api.update('user', 'c', { set: { disabled: false }, unset: [] }, never());
    expect(pan.running.users().map((u) => [u.name, u.disabled])).toEqual([
      ['a', 'yes'],
      ['b', 'yes'],
      ['c', 'yes'],
    ]);
    expect(pan.commits).toMatchObject({ failed: 1, succeeded: 1 });
  });

  it('retries a failed commit on its own, so the changes are committed without another write', async () => {
    const { api, pan } = await start({ commit: { retryAfterSec: 1 } });
    pan.seedUser({ name: 'a' });
    pan.failNextCommits(1);
    await rejection(api.update('user', 'a', { set: { disabled: false }, unset: [] }, never()));
    const deadline = Date.now() + 4_000;
    while (pan.running.user('a')?.disabled !== 'yes' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pan.running.user('a')?.disabled).toBe('yes');
  });

  it('in candidate mode acknowledges once the candidate is written, and commits afterwards', async () => {
    const { api, pan } = await start({ commit: { mode: 'candidate', quietMs: 200, maxDelayMs: 1_000 }, pan: { commitDurationMs: 100 } });
    await api.create('user', { key: 'jdoe', fields: {} }, never());
    expect(pan.candidate.user('jdoe')).toBeDefined();
    expect(pan.running.user('jdoe')).toBeUndefined();
    expect(pan.commits.requested).toBe(0);
    await api.flush?.();
    expect(pan.running.user('jdoe')).toBeDefined();
    expect(pan.commits.succeeded).toBe(1);
  });

  it('flush() commits what is pending at once and resolves when nothing is pending', async () => {
    const { api, pan } = await start({ commit: { mode: 'candidate', quietMs: 30_000, maxDelayMs: 60_000 } });
    await api.flush?.();
    await api.create('user', { key: 'jdoe', fields: {} }, never());
    const started = Date.now();
    await api.flush?.();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pan.running.user('jdoe')).toBeDefined();
  });

  it('counts "There are no changes to commit." as committed', async () => {
    const { api, pan } = await start();
    pan.seedUser({ name: 'a' });
    // Setting the value it already has: the candidate equals the running config afterwards.
    await api.update('user', 'a', { set: { disabled: true }, unset: [] }, never());
    expect(pan.commits).toMatchObject({ requested: 1, notNeeded: 1, enqueued: 0 });
  });

  it('sends a described commit, partial to our admin when configured, and polls the job until FIN', async () => {
    const { api, pan } = await start({ commit: { partialAdmin: "scim-gw'<&>" } });
    await api.create('user', { key: 'jdoe', fields: {} }, never());
    const [commit] = forms(h!, 'commit');
    expect(commit?.cmd).toBe('<commit><description>scimbridge</description><partial><admin><member>scim-gw&apos;&lt;&amp;&gt;</member></admin></partial></commit>');
    expect(pan.jobs[0]?.request.partialAdmins).toEqual(["scim-gw'<&>"]);
    expect(forms(h!, 'op').some((f) => f.cmd === `<show><jobs><id>${pan.jobs[0]?.id}</id></jobs></show>`)).toBe(true);
  });

  it('gives up on a job that does not finish within timeoutMs, as unavailable', async () => {
    const { api, pan } = await start({ commit: { timeoutMs: 1_000 }, pan: { commitDurationMs: 3_000 } });
    const err = await rejection(api.create('user', { key: 'jdoe', fields: {} }, never()));
    expect(err).toMatchObject({ kind: 'unavailable' });
    expect((err as Error).message).toMatch(/did not finish within 1000 ms/);
    expect(pan.candidate.user('jdoe')).toBeDefined();
  });

  it('stops waiting when the call runs out of time; the change is committed all the same', async () => {
    const { api, pan } = await start({ pan: { commitDurationMs: 400 } });
    const err = await rejection(api.create('user', { key: 'jdoe', fields: {} }, AbortSignal.timeout(150)));
    expect(err).toMatchObject({ kind: 'unavailable' });
    await api.flush?.();
    expect(pan.running.user('jdoe')).toBeDefined();
  });
});
