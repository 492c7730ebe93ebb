import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Committer } from '../../../../../connectors/firewall-rest/panos/committer.js';
import { ConnectorError } from '../../../../../connectors/types.js';
import { silentLogger } from '../../../../../src/log.js';

/** A commit the test finishes by hand. */
interface Job {
  readonly startedAt: number;
  readonly signal: AbortSignal;
  ok(): void;
  fail(err: unknown): void;
}

let jobs: Job[];
let committer: Committer;

function make(options: { quietMs?: number; maxDelayMs?: number; retryAfterSec?: number } = {}): Committer {
  committer = new Committer({
    quietMs: options.quietMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 1_000,
    retryAfterSec: options.retryAfterSec ?? 10,
    log: silentLogger,
    commit: (signal) =>
      new Promise<void>((resolve, reject) => {
        jobs.push({ startedAt: Date.now(), signal, ok: resolve, fail: reject });
      }),
  });
  return committer;
}

/** Where each promise stands, without awaiting it. */
function track(p: Promise<unknown>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  p.then(
    () => (t.state = 'resolved'),
    (err: unknown) => {
      t.state = 'rejected';
      t.error = err;
    },
  );
  return t;
}

const advance = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  jobs = [];
});
afterEach(() => {
  committer?.close();
  vi.useRealTimers();
});

describe('Committer', () => {
  it('starts a commit quietMs after the last write, and resolves the write only when it finished OK', async () => {
    make();
    const w = track(committer.written());
    await advance(99);
    expect(jobs).toHaveLength(0);
    await advance(1);
    expect(jobs).toHaveLength(1);
    expect(w.state).toBe('pending');
    jobs[0]!.ok();
    await advance(0);
    expect(w.state).toBe('resolved');
  });

  it('each write restarts the quiet period, but maxDelayMs after the first write the commit starts anyway', async () => {
    make({ quietMs: 100, maxDelayMs: 350 });
    const writes = [track(committer.written())];
    for (let i = 0; i < 10; i++) {
      await advance(90);
      if (jobs.length === 0) writes.push(track(committer.written()));
    }
    expect(jobs.map((j) => j.startedAt)).toEqual([350]);
    jobs[0]!.ok();
    await advance(0);
    expect(writes.every((w) => w.state === 'resolved')).toBe(true);
    expect(writes).toHaveLength(4);
  });

  it('puts writes that arrive while a commit runs into the next commit, started when the first ends', async () => {
    make({ quietMs: 100, maxDelayMs: 1_000 });
    const first = track(committer.written());
    await advance(100);
    expect(jobs).toHaveLength(1);
    const second = track(committer.written());
    await advance(500); // due long ago, but the first commit still runs
    expect(jobs).toHaveLength(1);
    jobs[0]!.ok();
    await advance(0);
    expect(first.state).toBe('resolved');
    expect(second.state).toBe('pending');
    expect(jobs).toHaveLength(2);
    expect(jobs[1]!.startedAt).toBe(600);
    jobs[1]!.ok();
    await advance(0);
    expect(second.state).toBe('resolved');
    expect(committer.stats).toEqual({ commits: 2, failed: 0 });
  });

  it('rejects exactly the writes a failed commit covered, with unavailable and a Retry-After', async () => {
    make({ retryAfterSec: 10 });
    const covered = [track(committer.written()), track(committer.written())];
    await advance(100);
    const later = track(committer.written());
    jobs[0]!.fail(new ConnectorError('unavailable', 'PAN-OS commit job 7 ended FAIL: Validation Error'));
    await advance(0);
    for (const w of covered) {
      expect(w.state).toBe('rejected');
      expect(w.error).toMatchObject({ kind: 'unavailable', retryAfterSec: 10 });
      expect((w.error as Error).message).toMatch(/Validation Error.*stays in the candidate config/);
    }
    // The later write is not blamed; its batch commits on its own schedule (quietMs), not after the backoff.
    expect(later.state).toBe('pending');
    await advance(100);
    expect(jobs.map((j) => j.startedAt)).toEqual([100, 200]);
    jobs[1]!.ok();
    await advance(0);
    expect(later.state).toBe('resolved');
  });

  it('retries a failed commit on its own after retryAfterSec, doubling while failures continue', async () => {
    make({ retryAfterSec: 10 });
    committer.changed();
    await advance(100);
    jobs[0]!.fail(new Error('boom'));
    await advance(9_999);
    expect(jobs).toHaveLength(1);
    await advance(1);
    expect(jobs).toHaveLength(2);
    jobs[1]!.fail(new Error('boom again'));
    await advance(19_999);
    expect(jobs).toHaveLength(2);
    await advance(1);
    expect(jobs).toHaveLength(3);
    jobs[2]!.ok();
    await advance(60_000);
    expect(jobs).toHaveLength(3); // nothing left to retry
  });

  it('passes upstream-auth through: a refused key is not a transient failure', async () => {
    make();
    const w = track(committer.written());
    await advance(100);
    const auth = new ConnectorError('upstream-auth', 'PAN-OS refused the API key on commit');
    jobs[0]!.fail(auth);
    await advance(0);
    expect(w.error).toBe(auth);
  });

  it('counts a change nobody waits for (candidate mode) and commits it', async () => {
    make();
    committer.changed();
    await advance(100);
    expect(jobs).toHaveLength(1);
  });

  it('flush() resolves at once when idle, starts pending work now, and reports a failure', async () => {
    make({ quietMs: 10_000, maxDelayMs: 60_000 });
    await committer.flush();
    committer.changed();
    const flushed = track(committer.flush());
    await advance(0);
    expect(jobs).toHaveLength(1);
    jobs[0]!.fail(new Error('nope'));
    await advance(0);
    expect(flushed.state).toBe('rejected');
    // The failed changes are still pending (a retry batch); flush tries again now instead of after the backoff.
    const again = track(committer.flush());
    await advance(0);
    expect(jobs).toHaveLength(2);
    jobs[1]!.ok();
    await advance(0);
    expect(again.state).toBe('resolved');
  });

  it('flush() while a commit runs waits for it and for what is pending behind it', async () => {
    make();
    committer.changed();
    await advance(100);
    committer.changed();
    const flushed = track(committer.flush());
    jobs[0]!.ok();
    await advance(0);
    expect(flushed.state).toBe('pending');
    expect(jobs).toHaveLength(2);
    jobs[1]!.ok();
    await advance(0);
    expect(flushed.state).toBe('resolved');
  });

  it('stops one wait when its signal aborts; the change is still committed with its batch', async () => {
    make();
    const ac = new AbortController();
    const impatient = track(committer.written(ac.signal));
    const patient = track(committer.written());
    ac.abort();
    await advance(0);
    expect(impatient.state).toBe('rejected');
    expect(impatient.error).toMatchObject({ kind: 'unavailable' });
    await advance(100);
    expect(jobs).toHaveLength(1);
    jobs[0]!.ok();
    await advance(0);
    expect(patient.state).toBe('resolved');
  });

  it('close() rejects pending writes, aborts the running commit, and refuses new writes', async () => {
    make();
    committer.written().catch(() => undefined);
    await advance(100);
    const pending = track(committer.written());
    committer.close();
    await advance(0);
    expect(jobs[0]!.signal.aborted).toBe(true);
    expect(pending.state).toBe('rejected');
    await expect(committer.written()).rejects.toMatchObject({ kind: 'unavailable' });
    committer.changed();
    await advance(10_000);
    expect(jobs).toHaveLength(1);
  });
});
