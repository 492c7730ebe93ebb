import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakePanos, userXpath, type FakePanos, type FakePanosOptions } from '../../support/fake-firewall/panos.js';
import { call, commit, config, jobStatus, pollUntilFinished, resultNodes } from './panos-client.js';

const PHASH = '$5$abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const USER = `<phash>${PHASH}</phash><disabled>no</disabled>`;

let pan: FakePanos | undefined;
async function start(options: FakePanosOptions = {}): Promise<FakePanos> {
  pan = await startFakePanos(options);
  return pan;
}
afterEach(async () => {
  await pan?.close();
  pan = undefined;
});

describe('fake PAN-OS: commit jobs', () => {
  it('enqueues a job that moves the candidate to the running config, polled from ACT to FIN/OK', async () => {
    const pan = await start({ commitDurationMs: 150, firstJobId: 42 });
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    const reply = await call(pan, { type: 'commit', cmd: '<commit></commit>' });
    expect(reply.body).toBe('<response status="success" code="19"><result><msg><line>Commit job enqueued with jobid 42</line></msg><job>42</job></result></response>');
    expect(pan.running.users()).toEqual([]);

    const { result, seen, details } = await pollUntilFinished(pan, 42);
    expect(result).toBe('OK');
    expect(seen).toEqual(['ACT', 'FIN']);
    expect(details).toEqual(['Configuration committed successfully']);
    expect(pan.running.user('jdoe')).toEqual({ name: 'jdoe', phash: PHASH, disabled: 'no' });
    expect(pan.hasUncommittedChanges).toBe(false);
    expect(pan.commits).toMatchObject({ requested: 1, enqueued: 1, succeeded: 1, failed: 0 });

    // The committed change is no longer marked in the candidate, and show (running) now finds it.
    const [entry] = resultNodes(await config(pan, 'get', userXpath('jdoe')));
    expect(entry?.attrs).toEqual({ name: 'jdoe' });
    expect((await config(pan, 'show', userXpath('jdoe'))).status).toBe('success');
  });

  it('reports progress while a job runs', async () => {
    const pan = await start({ commitDurationMs: 600 });
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    const id = (await commit(pan))!;
    await new Promise((r) => setTimeout(r, 30));
    const running = await jobStatus(pan, id);
    expect(running).toMatchObject({ status: 'ACT', result: 'PEND', queued: 'NO' });
    expect(running.progress).toBeGreaterThan(0);
    expect(running.progress).toBeLessThan(100);
    await pan.waitForCommits();
    expect(await jobStatus(pan, id)).toMatchObject({ status: 'FIN', result: 'OK', progress: 100 });
  });

  it('answers "There are no changes to commit." without a job, unless forced', async () => {
    const pan = await start({ commitDurationMs: 5 });
    const reply = await call(pan, { type: 'commit', cmd: '<commit></commit>' });
    expect(reply.body).toBe('<response status="success" code="19"><msg>There are no changes to commit.</msg></response>');
    expect(await commit(pan, '<commit><force></force></commit>')).toBe(1);
    expect(pan.commits).toMatchObject({ requested: 2, notNeeded: 1, enqueued: 1 });
  });

  it('queues a commit asked for while another runs; each installs the candidate as it was when asked', async () => {
    const pan = await start({ commitDurationMs: 300 });
    await config(pan, 'set', userXpath('first'), { element: USER });
    const one = (await commit(pan))!;
    await config(pan, 'set', userXpath('second'), { element: USER });
    const two = (await commit(pan))!;
    expect(await jobStatus(pan, two)).toMatchObject({ status: 'PEND', queued: 'YES' });
    // Nothing new since the queued job's snapshot.
    expect(await commit(pan)).toBeUndefined();

    await pollUntilFinished(pan, one);
    expect(pan.running.users().map((u) => u.name)).toEqual(['first']);
    await pollUntilFinished(pan, two);
    expect(pan.running.users().map((u) => u.name)).toEqual(['first', 'second']);
    const [a, b] = pan.jobs;
    expect(b!.startedAt!.getTime()).toBeGreaterThanOrEqual(a!.finishedAt!.getTime());
  });

  it('refuses a commit while another runs when configured like an older box', async () => {
    const pan = await start({ commitDurationMs: 400, commitWhileRunning: 'reject' });
    await config(pan, 'set', userXpath('a'), { element: USER });
    await commit(pan);
    await config(pan, 'set', userXpath('b'), { element: USER });
    const refused = await call(pan, { type: 'commit', cmd: '<commit></commit>' });
    expect([refused.status, refused.code, refused.lines]).toEqual(['error', undefined, ['Another commit/validate is in progress. Please try again later']]);
    expect(pan.commits.rejected).toBe(1);
  });

  it('ends an injected failure as FIN/FAIL and leaves the running config alone', async () => {
    const pan = await start({ commitDurationMs: 5 });
    pan.failNextCommits(1, 'Validation Error: injected');
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    const failed = await pollUntilFinished(pan, (await commit(pan))!);
    expect(failed).toMatchObject({ result: 'FAIL', details: ['Validation Error: injected', 'Commit failed'] });
    expect(pan.running.users()).toEqual([]);
    expect(pan.hasUncommittedChanges).toBe(true);

    expect((await pollUntilFinished(pan, (await commit(pan))!)).result).toBe('OK');
    expect(pan.commits).toMatchObject({ failed: 1, succeeded: 1 });
  });

  it('records a partial commit and its description on the job, and answers an unknown job id with an error', async () => {
    const pan = await start({ commitDurationMs: 5 });
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    await commit(pan, '<commit><partial><admin><member>scim-gw</member></admin></partial><description>scim sync</description></commit>');
    await pan.waitForCommits();
    expect(pan.jobs[0]?.request).toEqual({ admin: 'scim-gw', force: false, partialAdmins: ['scim-gw'], description: 'scim sync' });

    const unknown = await call(pan, { type: 'op', cmd: '<show><jobs><id>99</id></jobs></show>' });
    expect([unknown.status, unknown.lines]).toEqual(['error', ['job 99 not found']]);
  });

  it('seeds users and groups into both configs, and rejects a seeded group with an unknown member', async () => {
    const pan = await start();
    pan.seedUser({ name: 'jdoe', password: 'pw', disabled: true });
    pan.seedGroup({ name: 'vpn', members: ['jdoe'] });
    for (const view of [pan.candidate, pan.running]) {
      expect(view.user('jdoe')?.disabled).toBe('yes');
      expect(view.group('vpn')?.members).toEqual(['jdoe']);
    }
    expect(pan.phashMatches(pan.running.user('jdoe')!.phash!, 'pw')).toBe(true);
    expect(pan.hasUncommittedChanges).toBe(false);
    expect(() => pan.seedGroup({ name: 'bad', members: ['ghost'] })).toThrow(/dangling/);
  });
});

describe('fake PAN-OS: faults, latency and the in-flight limit', () => {
  it('answers injected 503s without touching state, then serves normally', async () => {
    const pan = await start();
    pan.injectFault({ kind: 'status', status: 503, retryAfterSec: 2 }, 2);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${pan.baseUrl}/api/`, {
        method: 'POST',
        headers: { 'x-pan-key': pan.apiKey },
        body: new URLSearchParams({ type: 'config', action: 'set', xpath: userXpath('jdoe'), element: USER }),
      });
      expect([res.status, res.headers.get('retry-after')]).toEqual([503, '2']);
      await res.text();
    }
    expect(pan.candidate.users()).toEqual([]);
    expect((await config(pan, 'set', userXpath('jdoe'), { element: USER })).code).toBe('20');
    expect(pan.requests.map((r) => r.fault)).toEqual(['status', 'status', undefined]);
  });

  it('resets the connection on an injected reset', async () => {
    const pan = await start();
    pan.injectFault({ kind: 'reset' });
    await expect(config(pan, 'set', userXpath('jdoe'), { element: USER })).rejects.toThrow(/fetch failed/);
    expect(pan.candidate.users()).toEqual([]);
  });

  it('lands a write whose answer the client gave up on (hang with ms), and holds a hang without ms until the client leaves', async () => {
    const pan = await start();
    pan.injectFault({ kind: 'hang', ms: 150 });
    expect((await config(pan, 'set', userXpath('late'), { element: USER })).code).toBe('20');

    pan.injectFault({ kind: 'hang', ms: 150 });
    const gaveUp = call(pan, { type: 'config', action: 'set', xpath: userXpath('lost'), element: USER }, { signal: AbortSignal.timeout(30) });
    await expect(gaveUp).rejects.toThrow();
    expect(pan.candidate.user('lost')).toBeUndefined();
    await vi.waitFor(() => expect(pan.candidate.users().map((u) => u.name)).toEqual(['late', 'lost']));

    pan.injectFault({ kind: 'hang' });
    const hung = call(pan, { type: 'config', action: 'get', xpath: userXpath('late') }, { signal: AbortSignal.timeout(50) });
    await expect(hung).rejects.toThrow();
  });

  it('delays answers by latencyMs', async () => {
    const pan = await start({ latencyMs: 80 });
    const started = performance.now();
    await config(pan, 'get', userXpath('x'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('admits at most maxInFlight requests at once and records the peak', async () => {
    const pan = await start({ latencyMs: 40, maxInFlight: 2 });
    const replies = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => config(pan, 'set', userXpath(name), { element: USER })),
    );
    expect(replies.every((r) => r.code === '20')).toBe(true);
    expect(pan.peakInFlight).toBe(2);
    expect(pan.candidate.users()).toHaveLength(6);
  });
});
