/**
 * Batches PAN-OS commits. A config write only changes the candidate config; the firewall enforces it after a
 * commit, and commits are slow (seconds to minutes) and run one at a time (research B7). So writes are
 * gathered into batches and one commit covers a whole batch:
 *
 * - a batch's commit starts `quietMs` after its last write or `maxDelayMs` after its first, whichever comes
 *   first, but never while our previous commit runs: writes arriving then form the next batch;
 * - a write registered with `written()` settles with its batch's commit: resolved once a commit that started
 *   after the write finished OK, rejected with ConnectorError('unavailable', retryAfterSec) when it failed;
 * - a failed commit leaves its changes in the candidate config (PAN-OS has no per-change commit), so the next
 *   commit includes them. The committer makes sure there is one: it retries on its own after `retryAfterSec`,
 *   doubling after each failure in a row (up to 15 minutes), or sooner when new writes come due.
 *
 * What Entra sees when a commit fails, in `applied` mode: 503 with Retry-After for each write the commit
 * covered. Entra retries such an object in a later cycle; by then the change is usually committed (by a later
 * batch or the retry), and reads come from the candidate config, so the retry finds the object as written
 * (a retried create matches the existing user instead of failing with 409). In `candidate` mode Entra saw
 * success already and only the retries here bring the change into force.
 */
import type { Logger } from '../../../src/log.js';
import { ConnectorError } from '../../types.js';

export interface CommitterOptions {
  readonly quietMs: number;
  readonly maxDelayMs: number;
  readonly retryAfterSec: number;
  readonly log: Logger;
  /** Runs one commit; resolves once it finished OK (or there was nothing to commit), throws otherwise. */
  readonly commit: (signal: AbortSignal) => Promise<unknown>;
  /** For tests with fake timers. @default Date.now */
  readonly now?: () => number;
}

const MAX_BACKOFF_SEC = 15 * 60;

interface Waiter {
  settle(err?: unknown): void;
}

class Batch {
  readonly waiters = new Set<Waiter>();
  /** Writes, with or without a waiter. 0 for a retry of a failed commit. */
  writes = 0;
  firstAt: number | undefined;
  lastAt: number | undefined;
  /** flush(): start as soon as nothing runs. */
  urgent = false;
  readonly done: Promise<void>;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody may be waiting on `done` (only flush() does); never an unhandled rejection.
    this.done.catch(() => undefined);
  }

  settle(err?: unknown): void {
    for (const w of this.waiters) w.settle(err);
    this.waiters.clear();
    if (err === undefined) this.#resolve();
    else this.#reject(err);
  }
}

export class Committer {
  readonly #o: CommitterOptions;
  readonly #now: () => number;
  readonly #stop = new AbortController();
  #pending: Batch | undefined;
  #running: Batch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failuresInARow = 0;
  #notBefore = 0;
  #closed = false;
  /** Commits run and failed, for logs and tests. */
  readonly stats = { commits: 0, failed: 0 };

  constructor(options: CommitterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * A write has changed the candidate config: resolves once a commit that includes it finished OK. `signal`
   * ends the wait early (the change stays in the batch and is committed all the same).
   */
  written(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const batch = this.#add();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => waiter.settle(new ConnectorError('unavailable', 'timed out waiting for the PAN-OS commit; the change is committed later', { retryAfterSec: this.#o.retryAfterSec }));
      const waiter: Waiter = {
        settle: (err) => {
          signal?.removeEventListener('abort', onAbort);
          batch.waiters.delete(waiter);
          if (err === undefined) resolve();
          else reject(err);
        },
      };
      batch.waiters.add(waiter);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A write that nobody waits for (candidate mode): it is committed with the next batch. */
  changed(): void {
    if (!this.#closed) this.#add();
  }

  /**
   * Starts what is pending without waiting for the quiet period or a retry delay, and resolves once it is
   * committed; rejects with the error of that commit when it fails.
   */
  flush(): Promise<void> {
    const batch = this.#pending ?? this.#running;
    if (!batch) return Promise.resolve();
    if (batch === this.#pending) {
      batch.urgent = true;
      this.#schedule();
    }
    return batch.done;
  }

  /** Stops timers and any poll; pending writes are rejected (their changes stay in the candidate config). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#stop.abort();
    this.#pending?.settle(this.#closedError());
    this.#pending = undefined;
  }

  #add(): Batch {
    const batch = (this.#pending ??= new Batch());
    const now = this.#now();
    batch.writes++;
    batch.firstAt ??= now;
    batch.lastAt = now;
    this.#schedule();
    return batch;
  }

  /** (Re)arms the one timer for the pending batch, or starts it when it is due. */
  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (!batch || this.#running || this.#closed) return;
    const wait = this.#startAt(batch) - this.#now();
    if (wait > 0) {
      this.#timer = setTimeout(() => this.#schedule(), wait);
      this.#timer.unref?.();
      return;
    }
    this.#pending = undefined;
    this.#running = batch;
    void this.#run(batch);
  }

  /**
   * The backoff after failures delays only the gateway's own retry: a batch with writes keeps its quiet and
   * max delays, so a firewall whose commits keep failing sees at most one commit per `maxDelayMs` from us, and
   * no write waits for a backoff longer than any SCIM client would wait for an answer.
   */
  #startAt(batch: Batch): number {
    if (batch.urgent) return 0;
    if (batch.firstAt === undefined || batch.lastAt === undefined) return this.#notBefore;
    return Math.min(batch.firstAt + this.#o.maxDelayMs, batch.lastAt + this.#o.quietMs);
  }

  async #run(batch: Batch): Promise<void> {
    const started = this.#now();
    this.stats.commits++;
    try {
      await this.#o.commit(this.#stop.signal);
      this.#failuresInARow = 0;
      this.#notBefore = 0;
      this.#o.log.debug({ writes: batch.writes, ms: this.#now() - started }, 'panos: commit covered the batch');
      batch.settle();
    } catch (err) {
      this.stats.failed++;
      this.#failuresInARow++;
      const delaySec = Math.min(MAX_BACKOFF_SEC, this.#o.retryAfterSec * 2 ** Math.min(this.#failuresInARow - 1, 20));
      this.#notBefore = this.#now() + delaySec * 1000;
      this.#o.log.warn({ err, writes: batch.writes, failuresInARow: this.#failuresInARow, retryInSec: delaySec }, 'panos: commit failed; its changes stay in the candidate config');
      batch.settle(writeError(err, delaySec));
      // The failed changes are still uncommitted: make sure a later commit picks them up.
      if (!this.#closed) this.#pending ??= new Batch();
    } finally {
      this.#running = undefined;
      this.#schedule();
    }
  }

  #closedError(): ConnectorError {
    return new ConnectorError('unavailable', 'the PAN-OS connector is shutting down; the change was not committed', { retryAfterSec: this.#o.retryAfterSec });
  }
}

function writeError(err: unknown, retryAfterSec: number): ConnectorError {
  // A revoked key is the operator's problem, not a transient one: keep it visible as such.
  if (err instanceof ConnectorError && err.kind === 'upstream-auth') return err;
  const why = err instanceof Error ? err.message : String(err);
  return new ConnectorError('unavailable', `PAN-OS did not commit the change (${why}); it stays in the candidate config and the next commit retries it`, {
    cause: err,
    retryAfterSec,
  });
}
