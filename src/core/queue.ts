/**
 * One queue per connector instance: every call to a connector goes through it.
 *  - p-queue bounds calls in flight (`concurrency`) and calls started per interval (`intervalCap`), which
 *    is how a downstream's rate limit is respected;
 *  - `maxQueued` bounds what waits: beyond it the client gets 429 + Retry-After at once, never an
 *    unbounded wait (Entra retries 429s);
 *  - `timeoutMs` bounds each call from the moment it is queued; a call that runs out answers 503 +
 *    Retry-After and its AbortSignal fires;
 *  - `exclusive(key, fn)` runs operations on the same resource one after another in arrival order, so a
 *    PATCH's read-modify-write cannot interleave with another request on that resource;
 *  - a downstream that says "slow down" (ConnectorError 'rate-limited') pauses the whole queue for its
 *    Retry-After.
 */
import PQueue from 'p-queue';
import { ConnectorError } from '../../connectors/types.js';

export interface QueueConfig {
  readonly concurrency: number;
  /** Calls started per `intervalMs`; 0 = unlimited. */
  readonly intervalCap: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly maxQueued: number;
  /** Retry-After (seconds) sent when the queue is full or a call timed out. */
  readonly retryAfterSec: number;
}

const noop = (): void => undefined;

/** The abort state of one call; the AbortSignal itself is only created when someone asks for it. */
export class CallSignal {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

export interface QueueStats {
  readonly running: number;
  readonly queued: number;
  readonly waitingForResource: number;
  readonly paused: boolean;
}

export class CallQueue {
  readonly #queue: PQueue;
  readonly #config: QueueConfig;
  /** Tail of the chain of operations per resource key. */
  readonly #tails = new Map<string, Promise<void>>();
  #waiting = 0;
  /** Queued calls that timed out before they started: still in p-queue until their turn, then skipped. */
  #expired = 0;
  #resumeTimer: NodeJS.Timeout | undefined;

  constructor(config: QueueConfig) {
    this.#config = config;
    this.#queue = new PQueue({
      concurrency: config.concurrency,
      ...(config.intervalCap > 0 ? { intervalCap: config.intervalCap, interval: config.intervalMs } : {}),
    });
  }

  stats(): QueueStats {
    return { running: this.#queue.pending, queued: this.#queue.size - this.#expired, waitingForResource: this.#waiting, paused: this.#queue.isPaused };
  }

  #full(): ConnectorError {
    return new ConnectorError('rate-limited', 'the connector queue is full', { retryAfterSec: this.#config.retryAfterSec });
  }

  /**
   * Run `fn` after every earlier operation on `key` has finished. The slot is released only when the
   * connector calls made inside have settled, even if the client already got a timeout, so a late write
   * can never overtake the next operation on the same resource.
   */
  async exclusive<T>(key: string, fn: (track: (p: Promise<unknown>) => void) => Promise<T>): Promise<T> {
    if (this.#waiting + this.#queue.size - this.#expired >= this.#config.maxQueued) throw this.#full();
    const previous = this.#tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous ? previous.then(() => mine) : mine;
    this.#tails.set(key, tail);
    const inner: Promise<unknown>[] = [];
    try {
      if (previous) {
        this.#waiting++;
        try {
          await previous;
        } finally {
          this.#waiting--;
        }
      }
      return await fn((p) => inner.push(p));
    } finally {
      void Promise.allSettled(inner).then(() => {
        release();
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
      });
    }
  }

  /**
   * One connector call: queued, rate-limited, timed. `fn` gets the call's AbortSignal through a getter, so
   * a connector that never looks at it (json-file answers from memory) costs no AbortController.
   */
  call<T>(fn: (call: CallSignal) => Promise<T>, track?: (p: Promise<unknown>) => void): Promise<T> {
    if (this.#queue.size - this.#expired >= this.#config.maxQueued) return Promise.reject(this.#full());
    const { timeoutMs, retryAfterSec } = this.#config;
    const call = new CallSignal();
    let started = false;
    // A call that ran out of time while it waited is skipped when its turn comes (never started late);
    // until then it is counted as gone, not as queued.
    const task = this.#queue.add(() => {
      if (call.aborted) {
        this.#expired--;
        return Promise.reject(call.reason);
      }
      started = true;
      return fn(call);
    });
    // The queue slot (and the resource) stay busy until the call itself settles.
    track?.(task.then(noop, noop));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new ConnectorError('unavailable', `the connector did not answer within ${timeoutMs} ms`, { retryAfterSec });
        if (!started) this.#expired++;
        call.abort(err);
        reject(err);
      }, timeoutMs);
      task.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          // Only downstream errors and our timeout reach here; a full queue was refused above.
          if (err instanceof ConnectorError && err.kind === 'rate-limited' && err.retryAfterSec !== undefined) {
            this.pauseFor(err.retryAfterSec);
          }
          reject(err);
        },
      );
    });
  }

  /** Stop starting calls for `seconds` (the downstream asked us to slow down). */
  pauseFor(seconds: number): void {
    this.#queue.pause();
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => this.#queue.start(), Math.max(0, seconds) * 1000);
    this.#resumeTimer.unref();
  }

  /** Resolves when nothing is queued or running (used when draining at shutdown). */
  async drain(deadlineMs: number): Promise<boolean> {
    const idle = this.#queue.onIdle().then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), deadlineMs)));
    try {
      return await Promise.race([idle, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
