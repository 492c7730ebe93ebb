/**
 * The store: live state, commits, rollback after a failed write, compaction and close. The journal writer
 * (group commit, segments) and recovery (rebuilding from disk) do the file work; this file decides when.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactionAbandoned, compact } from './compaction.js';
import type { StoreConfig } from './config.js';
import { DurableStoreError, errorMessage } from './errors.js';
import { encodeRecord } from './journal-codec.js';
import { JournalWriter, openSegment, type ActiveSegment, type JournalOp } from './journal-writer.js';
import type { LockHandle } from './lock.js';
import { recover, type Recovered } from './recovery.js';
import type { DurableStore, DurableStoreStats, StoreMode } from './types.js';

/** After a compaction fails (e.g. disk full), do not retry it on every flush. */
const COMPACTION_RETRY_MS = 10_000;
/** The journal-to-document ratio trigger never fires below this journal size. */
const MIN_RATIO_BYTES = 1024 * 1024;
/** Writes have "paused" after this long without a commit. */
const QUIET_MS = 2000;

export class Store<State, Entry> implements DurableStore<State, Entry> {
  #state: State;
  #seq: number;
  private mode: 'open' | 'recovering' | 'failed' | 'closed' = 'open';
  private closing = false;
  private failure: unknown = null;
  /** Incremented whenever the in-memory state is rebuilt, so a compaction can tell its capture is stale. */
  private epoch = 0;
  private docSeq: number;
  private readonly writer: JournalWriter;
  private recovery: Promise<void> | null = null;
  private compaction: Promise<void> | null = null;
  private queuedCompaction: Promise<void> | null = null;
  private closePromise: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout | null = null;
  private compactions = 0;
  private lastCompactionAt: string | null = null;
  private lastCompactionMs: number | null = null;
  private compactionRetryAt = 0;
  /** Size of the document on disk, for the journal-to-document ratio that triggers compaction. */
  private docBytes: number;
  private lastCommitAt = 0;
  private lastCompactionEnd = Date.now();
  private readonly docPath: string;

  constructor(
    private readonly cfg: StoreConfig<State, Entry>,
    private readonly lock: LockHandle,
    recovered: Recovered<State>,
    active: ActiveSegment,
  ) {
    this.#state = recovered.state;
    this.#seq = recovered.seq;
    this.docSeq = recovered.docSeq;
    this.docPath = join(cfg.dir, cfg.name);
    this.writer = new JournalWriter(
      {
        ...cfg,
        onFlushed: () => this.maybeCompactForSize(),
        onFailure: (err, failed) => this.onWriteFailure(err, failed),
      },
      active,
      recovered.segments,
      recovered.seq,
    );
    try {
      this.docBytes = statSync(this.docPath).size;
    } catch {
      this.docBytes = 0;
    }
    if (cfg.intervalMs > 0) {
      this.timer = setInterval(() => this.maybeCompactForTime(), cfg.intervalMs);
      this.timer.unref();
    }
  }

  get state(): State {
    return this.#state;
  }

  get seq(): number {
    return this.#seq;
  }

  get durableSeq(): number {
    return this.writer.durableSeq;
  }

  commit(entries: readonly Entry[]): Promise<void> {
    if (this.closing || this.mode !== 'open') return Promise.reject(this.unavailable());
    if (entries.length === 0) return this.barrier();
    let json: string;
    try {
      json = JSON.stringify(entries);
    } catch (err) {
      const message = `cannot journal entries: ${errorMessage(err)}`;
      return Promise.reject(new DurableStoreError('invalid-entry', message, { cause: err }));
    }
    // Apply the JSON copy, not the caller's objects: replay will see exactly this, and later mutation of
    // the caller's objects cannot leak into the state. A caller that promises plain, untouched JSON data
    // (trustedEntries) skips the copy.
    const copy = this.cfg.trustedEntries ? entries : (JSON.parse(json) as Entry[]);
    try {
      for (const entry of copy) this.cfg.machine.apply(this.#state, entry);
    } catch (err) {
      this.logError(err, 'durable store: apply threw; rebuilding the state from disk');
      this.startRecovery();
      return Promise.reject(err);
    }
    const seq = ++this.#seq;
    this.lastCommitAt = Date.now();
    return this.writer.append(seq, encodeRecord(seq, json), copy.length);
  }

  barrier(): Promise<void> {
    if (this.mode === 'failed' || this.mode === 'recovering') return Promise.reject(this.unavailable());
    return this.writer.waitFor(this.#seq);
  }

  compact(): Promise<void> {
    if (this.closing || this.mode === 'closed' || this.mode === 'failed') return Promise.reject(this.unavailable());
    if (!this.compaction) return this.compactOnce(false); // starts now: it captures the state as of this call
    // One is running with an older capture: queue one more; callers arriving meanwhile share it.
    this.queuedCompaction ??= this.compaction
      .catch(() => undefined)
      .then(() => {
        this.queuedCompaction = null;
        return this.compactOnce(false);
      });
    return this.queuedCompaction;
  }

  stats(): DurableStoreStats {
    const mode: StoreMode = this.closing && this.mode !== 'closed' ? 'closing' : this.mode;
    return {
      seq: this.#seq,
      durableSeq: this.writer.durableSeq,
      pendingEntries: this.writer.pendingEntries,
      journalBytes: this.writer.journalBytes,
      segments: this.writer.segments.length,
      flushes: this.writer.flushes,
      compactions: this.compactions,
      lastCompactionAt: this.lastCompactionAt,
      lastCompactionMs: this.lastCompactionMs,
      mode,
    };
  }

  close(options: { compact?: boolean } = {}): Promise<void> {
    this.closePromise ??= this.closeNow(options.compact ?? true);
    return this.closePromise;
  }

  private async closeNow(compact: boolean): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.writer.idle();
      if (this.recovery) await this.recovery;
      await this.queuedCompaction?.catch(() => undefined);
      await this.compaction?.catch(() => undefined);
      const changed = this.#seq > this.docSeq || this.writer.segments.length > 1 || this.writer.activeBytes > 0;
      if (compact && changed && this.mode === 'open') {
        await this.compactOnce(true).catch((err: unknown) =>
          this.logError(err, 'durable store: final compaction failed; the journal keeps the data'),
        );
      }
      await this.writer.closeActive();
      // Nothing newer than the document: the remaining (empty or covered) segments are just clutter.
      if (this.mode === 'open' && this.#seq === this.docSeq) await this.writer.dropSegmentsThrough(this.docSeq, true);
    } finally {
      this.mode = 'closed';
      await this.lock.release();
    }
  }

  private unavailable(): DurableStoreError {
    if (this.closing || this.mode === 'closed') {
      return new DurableStoreError('closed', `${this.docPath}: the store is closed`);
    }
    if (this.mode === 'failed') {
      return new DurableStoreError(
        'failed',
        `${this.docPath}: the store failed and cannot accept writes until restarted: ${errorMessage(this.failure)}`,
        { cause: this.failure },
      );
    }
    return new DurableStoreError('write-failed', `${this.docPath}: the store is recovering from a failed write; retry`);
  }

  private logError(err: unknown, msg: string): void {
    this.cfg.log.error({ file: this.docPath, err: errorMessage(err) }, msg);
  }

  // ---- failure handling ----------------------------------------------------------------------------

  private onWriteFailure(err: unknown, failed: JournalOp[]): void {
    const error = new DurableStoreError(
      'write-failed',
      `${this.docPath}: journal write failed (${errorMessage(err)}); the change was rolled back`,
      { cause: err },
    );
    this.logError(err, 'durable store: journal write failed; rolling back to what is on disk');
    // Everything after the last durable record is lost from disk's point of view: reject it all, including
    // commits already applied in memory and waiting for a later batch.
    for (const op of failed) for (const w of op.waiters) w.reject(error);
    this.#seq = this.writer.durableSeq;
    this.startRecovery();
  }

  private startRecovery(): void {
    this.epoch++;
    if (this.mode === 'open') this.mode = 'recovering';
    if (this.recovery) return; // the running one reloads after the writer is idle, which covers this too
    const running = this.compaction; // await only this one: later compactions wait for us
    this.recovery = this.recoverNow(running).finally(() => {
      this.recovery = null;
    });
  }

  /**
   * Roll the in-memory state back to what is on disk. A new segment starting right after the last durable
   * record is created first: on disk it marks anything later in older segments as not written, so a later
   * restart drops the same records this reload drops.
   */
  private async recoverNow(runningCompaction: Promise<void> | null): Promise<void> {
    await this.writer.idle();
    await runningCompaction?.catch(() => undefined);
    try {
      await this.writer.closeActive();
      const durableSeq = this.writer.durableSeq;
      const active = await openSegment(this.cfg, durableSeq + 1);
      const rec = await recover(this.cfg.dir, this.cfg.name, this.cfg.machine, this.cfg.log);
      if (rec.seq !== durableSeq) {
        throw new DurableStoreError('corrupt', `${this.docPath}: reloaded seq ${rec.seq} but ${durableSeq} was durable`);
      }
      this.#state = rec.state;
      this.#seq = rec.seq;
      this.docSeq = rec.docSeq;
      this.writer.reset(active, rec.segments, rec.seq);
      this.epoch++;
      this.mode = 'open';
      this.cfg.log.info({ file: this.docPath, seq: rec.seq }, 'durable store: rolled back to disk; accepting writes again');
    } catch (err) {
      this.mode = 'failed';
      this.failure = err;
      this.logError(err, 'durable store: recovery failed; refusing writes until restarted');
    }
  }

  // ---- compaction ----------------------------------------------------------------------------------

  /**
   * Under load, compact when the journal reaches half the document's size (or maxJournalBytes): rewriting
   * the document then costs a constant amount per journaled byte, however large the store.
   */
  private maybeCompactForSize(): void {
    const bytes = this.writer.journalBytes;
    const { maxJournalBytes, journalRatio } = this.cfg;
    if (bytes > maxJournalBytes || (journalRatio > 0 && bytes > Math.max(MIN_RATIO_BYTES, this.docBytes * journalRatio))) this.compactInBackground();
  }

  /**
   * Keep the document fresh for other readers: compact a changed store once writes have paused, and
   * under a write load that never pauses at least every ten intervals.
   */
  private maybeCompactForTime(): void {
    if (this.#seq <= this.docSeq) return;
    const now = Date.now();
    const quiet = now - this.lastCommitAt >= Math.min(QUIET_MS, this.cfg.intervalMs);
    if (quiet || now - this.lastCompactionEnd >= this.cfg.intervalMs * 10) this.compactInBackground();
  }

  private compactInBackground(): void {
    if (this.closing || this.mode !== 'open' || this.compaction || this.queuedCompaction) return;
    if (Date.now() < this.compactionRetryAt) return;
    this.compactOnce(false).catch((err: unknown) => {
      this.compactionRetryAt = Date.now() + COMPACTION_RETRY_MS;
      this.logError(err, 'durable store: compaction failed');
    });
  }

  private compactOnce(final: boolean): Promise<void> {
    // Without a recovery to wait for, runCompaction captures the state synchronously, within this call.
    const run = this.recovery ? this.recovery.then(() => this.runCompaction(final)) : this.runCompaction(final);
    this.compaction = run;
    const clear = (): void => {
      if (this.compaction === run) this.compaction = null;
    };
    run.then(clear, clear);
    return run;
  }

  private async runCompaction(final: boolean): Promise<void> {
    if (this.mode !== 'open') throw this.unavailable();
    const started = performance.now();
    const epoch = this.epoch;
    const seq = this.#seq;
    try {
      await compact(this.cfg, this.writer, { seq, state: this.#state, final, stale: () => this.epoch !== epoch });
    } catch (err) {
      if (!(err instanceof CompactionAbandoned)) throw err;
      this.cfg.log.warn({ file: this.docPath, reason: err.message }, 'durable store: compaction abandoned');
      return;
    }
    this.docSeq = Math.max(this.docSeq, seq);
    this.lastCompactionEnd = Date.now();
    this.docBytes = await stat(this.docPath).then((st) => st.size, () => this.docBytes);
    this.compactions++;
    this.lastCompactionAt = new Date().toISOString();
    this.lastCompactionMs = Math.round(performance.now() - started);
    this.cfg.log.info({ file: this.docPath, seq, ms: this.lastCompactionMs }, 'durable store: compacted');
  }
}
