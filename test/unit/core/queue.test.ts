/**
 * CallQueue with real, short timers (tens of milliseconds): p-queue schedules with microtasks and its own
 * timers, which fake timers would have to be advanced through in lock step. Every wait is bounded.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { ConnectorError } from '../../../connectors/types.js';
import { CallQueue, type QueueConfig } from '../../../src/core/queue.js';

const CONFIG: QueueConfig = { concurrency: 2, intervalCap: 0, intervalMs: 0, timeoutMs: 1000, maxQueued: 10, retryAfterSec: 7 };

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Let queued microtasks and p-queue's scheduling run. */
const settle = () => sleep(5);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

const pending: Deferred<unknown>[] = [];
afterEach(() => {
  // Release whatever a failed test left hanging so the worker can finish.
  for (const d of pending.splice(0)) d.resolve(undefined);
});
function hold<T = void>(): Deferred<T> {
  const d = deferred<T>();
  pending.push(d as Deferred<unknown>);
  return d;
}

describe('CallQueue.call: concurrency and queue bounds', () => {
  it('runs at most `concurrency` calls at once and the rest in turn', async () => {
    const q = new CallQueue({ ...CONFIG, concurrency: 2 });
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 6 }, () => hold());
    const results = gates.map((g, i) =>
      q.call(async () => {
        running++;
        peak = Math.max(peak, running);
        await g.promise;
        running--;
        return i;
      }),
    );
    await settle();
    expect(running).toBe(2);
    expect(q.stats()).toMatchObject({ running: 2, queued: 4, paused: false });
    for (const g of gates) g.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('refuses a call beyond maxQueued waiting calls at once with rate-limited and the configured Retry-After', async () => {
    const q = new CallQueue({ ...CONFIG, concurrency: 1, maxQueued: 2 });
    const gate = hold();
    const accepted = [q.call(() => gate.promise), q.call(async () => 'b'), q.call(async () => 'c')];
    await settle();
    const err = await rejection(q.call(async () => 'd'));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'rate-limited', retryAfterSec: 7 });
    gate.resolve();
    await expect(Promise.all(accepted)).resolves.toEqual([undefined, 'b', 'c']);
  });

  it('passes a connector error through unchanged', async () => {
    const q = new CallQueue(CONFIG);
    const boom = new ConnectorError('conflict', 'taken');
    expect(await rejection(q.call(async () => Promise.reject(boom)))).toBe(boom);
  });
});

describe('CallQueue.call: timeouts', () => {
  it('answers unavailable with the configured Retry-After after timeoutMs and fires the call\'s AbortSignal', async () => {
    const q = new CallQueue({ ...CONFIG, timeoutMs: 30 });
    let seen: AbortSignal | undefined;
    const t0 = Date.now();
    const err = await rejection(
      q.call((call) => {
        seen = call.signal;
        return new Promise((_, reject) => call.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      }),
    );
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ kind: 'unavailable', retryAfterSec: 7 });
    expect((err as Error).message).toContain('30 ms');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(seen?.aborted).toBe(true);
  });

  it('counts the time spent waiting in the queue, and never starts a call that timed out while queued', async () => {
    const q = new CallQueue({ ...CONFIG, concurrency: 1, timeoutMs: 30 });
    const gate = hold();
    const first = rejection(q.call(() => gate.promise));
    let secondStarted = false;
    const second = q.call(async () => {
      secondStarted = true;
    });
    expect(await rejection(second)).toMatchObject({ kind: 'unavailable' });
    expect(q.stats().queued).toBe(0);
    gate.resolve();
    expect(await first).toMatchObject({ kind: 'unavailable' });
    await sleep(20);
    expect(secondStarted).toBe(false);
  });

  it('keeps the concurrency slot busy until a timed-out call has actually settled', async () => {
    const q = new CallQueue({ ...CONFIG, concurrency: 1, timeoutMs: 30 });
    const slow = hold();
    let slowDone = false;
    // A connector that ignores its AbortSignal and answers late.
    const first = q.call(async () => {
      await slow.promise;
      slowDone = true;
    });
    expect(await rejection(first)).toMatchObject({ kind: 'unavailable' });
    let secondStartedWhileFirstRan: boolean | undefined;
    const second = q.call(async () => {
      secondStartedWhileFirstRan = !slowDone;
    });
    await sleep(20);
    expect(secondStartedWhileFirstRan).toBeUndefined();
    slow.resolve();
    await second.catch(() => undefined);
    expect(secondStartedWhileFirstRan).toBe(false);
  });
});

describe('CallQueue.exclusive', () => {
  it('runs operations on the same key one after another, in arrival order', async () => {
    const q = new CallQueue({ ...CONFIG, concurrency: 10 });
    const log: string[] = [];
    const gates = [hold(), hold(), hold()];
    const ops = gates.map((g, i) =>
      q.exclusive('user-1', async (track) => {
        log.push(`start ${i}`);
        await q.call(() => g.promise, track);
        log.push(`end ${i}`);
        return i;
      }),
    );
    await settle();
    expect(log).toEqual(['start 0']);
    expect(q.stats().waitingForResource).toBe(2);
    gates[2]?.resolve();
    gates[1]?.resolve();
    await settle();
    expect(log).toEqual(['start 0']);
    gates[0]?.resolve();
    expect(await Promise.all(ops)).toEqual([0, 1, 2]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('runs operations on different keys concurrently', async () => {
    const q = new CallQueue({ ...CONFIG, concurrency: 10 });
    const gate = hold();
    const started: string[] = [];
    const a = q.exclusive('a', async (track) => {
      started.push('a');
      await q.call(() => gate.promise, track);
    });
    const b = q.exclusive('b', async () => {
      started.push('b');
    });
    await b;
    expect(started).toEqual(['a', 'b']);
    gate.resolve();
    await a;
  });

  it('starts the next operation on a key after the previous one failed', async () => {
    const q = new CallQueue(CONFIG);
    const first = q.exclusive('k', async () => {
      throw new ConnectorError('invalid', 'bad');
    });
    const second = q.exclusive('k', async () => 'ok');
    expect(await rejection(first)).toMatchObject({ kind: 'invalid' });
    expect(await second).toBe('ok');
  });

  it('holds the key until a timed-out call has actually settled, so a late write cannot overtake the next operation', async () => {
    const q = new CallQueue({ ...CONFIG, concurrency: 10, timeoutMs: 30 });
    const slow = hold();
    const log: string[] = [];
    const first = q.exclusive('k', (track) =>
      q.call(async () => {
        await slow.promise;
        log.push('late write of the first operation');
      }, track),
    );
    const second = q.exclusive('k', async () => {
      log.push('second operation');
    });
    expect(await rejection(first)).toMatchObject({ kind: 'unavailable' });
    await sleep(20);
    expect(log).toEqual([]);
    slow.resolve();
    await second;
    expect(log).toEqual(['late write of the first operation', 'second operation']);
  });

  it('refuses with rate-limited when waiting operations and queued calls reach maxQueued', async () => {
    const q = new CallQueue({ ...CONFIG, concurrency: 1, maxQueued: 2 });
    const gate = hold();
    const running = q.exclusive('k', (track) => q.call(() => gate.promise, track));
    const waiting = [q.exclusive('k', async () => 1), q.exclusive('k', async () => 2)];
    await settle();
    expect(q.stats().waitingForResource).toBe(2);
    expect(await rejection(q.exclusive('other', async () => 3))).toMatchObject({ kind: 'rate-limited', retryAfterSec: 7 });
    gate.resolve();
    await running;
    expect(await Promise.all(waiting)).toEqual([1, 2]);
  });
});

describe('CallQueue: downstream rate limits', () => {
  it('pauses the whole queue for the Retry-After of a rate-limited error, then resumes', async () => {
    const q = new CallQueue(CONFIG);
    const err = await rejection(q.call(async () => Promise.reject(new ConnectorError('rate-limited', 'slow down', { retryAfterSec: 0.08 }))));
    expect(err).toMatchObject({ kind: 'rate-limited' });
    expect(q.stats().paused).toBe(true);
    const t0 = Date.now();
    let startedAt: number | undefined;
    const next = q.call(async () => {
      startedAt = Date.now();
    });
    await sleep(30);
    expect(startedAt).toBeUndefined();
    await next;
    expect((startedAt as number) - t0).toBeGreaterThanOrEqual(60);
    expect(q.stats().paused).toBe(false);
  });

  it('does not pause for a rate-limited error without a Retry-After', async () => {
    const q = new CallQueue(CONFIG);
    await rejection(q.call(async () => Promise.reject(new ConnectorError('rate-limited', 'slow down'))));
    expect(q.stats().paused).toBe(false);
  });

  it('does not pause for other errors', async () => {
    const q = new CallQueue(CONFIG);
    await rejection(q.call(async () => Promise.reject(new ConnectorError('unavailable', 'down', { retryAfterSec: 5 }))));
    expect(q.stats().paused).toBe(false);
  });
});

describe('CallQueue.drain', () => {
  it('answers true once nothing is running or queued', async () => {
    const q = new CallQueue(CONFIG);
    const gate = hold();
    const call = q.call(() => gate.promise);
    setTimeout(() => gate.resolve(), 10);
    expect(await q.drain(1000)).toBe(true);
    await call;
  });

  it('answers false when the deadline passes first', async () => {
    const q = new CallQueue(CONFIG);
    const gate = hold();
    const call = q.call(() => gate.promise);
    expect(await q.drain(20)).toBe(false);
    gate.resolve();
    await call;
  });
});
