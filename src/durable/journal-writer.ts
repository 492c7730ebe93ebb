/**
 * The journal writer: group commit into the active segment, and segment rotation.
 *
 * Work is a queue of operations processed strictly one at a time: batches (all lines committed while the
 * previous operation ran, written with ONE write and ONE fdatasync) and rotations (start a new segment at a
 * given sequence number, queued by compaction right after the last record that belongs in the old one).
 * Because the queue is in sequence order, a rotation or batch that completes proves everything before it is
 * durable. The first failure stops the writer and hands every unfinished operation to the store, which
 * rolls back and calls `reset` with a fresh segment.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { fsyncDir, segmentPath, unlinkIfExists, writeAll, type SegmentFile } from './files.js';
import type { DurableTestHooks } from './types.js';

export interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

interface Batch {
  readonly kind: 'batch';
  text: string;
  firstSeq: number;
  lastSeq: number;
  entries: number;
  readonly waiters: Waiter[];
}

interface Rotation {
  readonly kind: 'rotate';
  readonly firstSeq: number;
  readonly waiters: Waiter[];
}

export type JournalOp = Batch | Rotation;

export interface ActiveSegment {
  readonly file: SegmentFile;
  readonly handle: FileHandle;
}

export interface WriterConfig {
  readonly dir: string;
  readonly name: string;
  readonly fsync: boolean;
  readonly mode: number;
  readonly hooks: DurableTestHooks | undefined;
  /** After each durable batch (for auto-compaction). */
  readonly onFlushed: () => void;
  /** The first failure: `failed` are the operations that did not complete, oldest first. */
  readonly onFailure: (err: unknown, failed: JournalOp[]) => void;
}

/**
 * Create (or truncate) the segment that starts at `firstSeq`. Truncating is safe: a file with that name can
 * only hold records that recovery already dropped (a torn tail or a failed write).
 */
export async function openSegment(
  cfg: Pick<WriterConfig, 'dir' | 'name' | 'fsync' | 'mode'>,
  firstSeq: number,
): Promise<ActiveSegment> {
  const path = segmentPath(cfg.dir, cfg.name, firstSeq);
  const handle = await open(path, 'w', cfg.mode);
  try {
    if (cfg.fsync) {
      await handle.sync();
      await fsyncDir(cfg.dir); // the new name must be durable before any record in it is acknowledged
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  return { file: { firstSeq, path, bytes: 0 }, handle };
}

export class JournalWriter {
  durableSeq: number;
  flushes = 0;
  /** Segments on disk, oldest first; the last one is the active segment. */
  segments: SegmentFile[];
  private active: ActiveSegment;
  private ops: JournalOp[] = [];
  private inFlight: JournalOp | null = null;
  private running = false;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly cfg: WriterConfig,
    active: ActiveSegment,
    segments: SegmentFile[],
    durableSeq: number,
  ) {
    this.active = active;
    this.segments = withActive(segments, active.file);
    this.durableSeq = durableSeq;
  }

  /** After a rollback: continue in a fresh segment from the recovered state. */
  reset(active: ActiveSegment, segments: SegmentFile[], durableSeq: number): void {
    this.active = active;
    this.segments = withActive(segments, active.file);
    this.durableSeq = durableSeq;
    this.ops = [];
  }

  get activeFirstSeq(): number {
    return this.active.file.firstSeq;
  }

  get activeBytes(): number {
    return this.active.file.bytes;
  }

  get journalBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.bytes;
    return total;
  }

  /** Queue one journal line (already encoded) for the next batch; resolves once it is durable. */
  append(seq: number, line: string, entries: number): Promise<void> {
    let batch = this.ops.at(-1);
    if (batch?.kind !== 'batch') {
      batch = { kind: 'batch', text: '', firstSeq: seq, lastSeq: seq, entries: 0, waiters: [] };
      this.ops.push(batch);
    }
    batch.text += line;
    batch.lastSeq = seq;
    batch.entries += entries;
    const promise = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    this.schedule();
    return promise;
  }

  /** Resolves once record `seq` (and so everything before it) is durable. */
  waitFor(seq: number): Promise<void> {
    if (seq <= this.durableSeq) return Promise.resolve();
    const candidates = this.inFlight ? [this.inFlight, ...this.ops] : this.ops;
    const batch = candidates.find((op): op is Batch => op.kind === 'batch' && op.lastSeq >= seq);
    if (!batch) return Promise.resolve(); // not journaled: nothing to wait for
    return new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
  }

  /** Start a new segment at `firstSeq` once everything queued so far is durable. */
  rotate(firstSeq: number): Promise<void> {
    const op: Rotation = { kind: 'rotate', firstSeq, waiters: [] };
    this.ops.push(op);
    const promise = new Promise<void>((resolve, reject) => op.waiters.push({ resolve, reject }));
    this.schedule();
    return promise;
  }

  /** Entries queued or being written, not yet durable. */
  get pendingEntries(): number {
    let n = 0;
    for (const op of this.inFlight ? [this.inFlight, ...this.ops] : this.ops) if (op.kind === 'batch') n += op.entries;
    return n;
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.running && !this.scheduled && this.ops.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async closeActive(): Promise<void> {
    await this.active.handle.close().catch(() => undefined);
  }

  /**
   * Delete the segments whose records are all <= `seq` (now covered by the document), oldest first so a crash
   * halfway leaves a contiguous suffix. With `includeActive` (final compaction at close) the active segment
   * goes too; its handle must be closed already.
   */
  async dropSegmentsThrough(seq: number, includeActive: boolean): Promise<void> {
    while (this.segments.length > 0) {
      const first = this.segments[0]!;
      const next = this.segments[1];
      const coveredByDocument = next ? next.firstSeq <= seq + 1 : includeActive;
      if (!coveredByDocument) break;
      await unlinkIfExists(first.path);
      // Filter rather than shift: a rotation may have replaced the array while we awaited.
      this.segments = this.segments.filter((s) => s !== first);
    }
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate rather than a microtask: commits made by every callback of this loop turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let op = this.ops.shift(); op; op = this.ops.shift()) {
        this.inFlight = op;
        try {
          if (op.kind === 'batch') await this.writeBatch(op);
          else await this.rotateNow(op);
        } catch (err) {
          const failed = [op, ...this.ops];
          this.ops = [];
          this.inFlight = null;
          this.cfg.onFailure(err, failed);
          return;
        }
        this.inFlight = null;
        if (op.kind === 'batch') this.durableSeq = op.lastSeq;
        for (const w of op.waiters) w.resolve();
        if (op.kind === 'batch') this.cfg.onFlushed();
      }
    } finally {
      this.running = false;
      if (this.ops.length > 0) this.schedule();
      else for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async writeBatch(batch: Batch): Promise<void> {
    await this.cfg.hooks?.beforeFlush?.();
    const data = Buffer.from(batch.text, 'utf8');
    await writeAll(this.active.handle, data);
    this.active.file.bytes += data.length;
    if (this.cfg.fsync) await this.active.handle.datasync();
    this.flushes++;
  }

  private async rotateNow(op: Rotation): Promise<void> {
    if (op.firstSeq === this.active.file.firstSeq) return; // already writing there
    const next = await openSegment(this.cfg, op.firstSeq);
    const old = this.active;
    this.active = next;
    this.segments = withActive(this.segments, next.file);
    await old.handle.close().catch(() => undefined);
  }
}

/** The segment list with `active` last, replacing a same-named (torn or empty) file recovery listed. */
function withActive(segments: SegmentFile[], active: SegmentFile): SegmentFile[] {
  return [...segments.filter((s) => s.firstSeq < active.firstSeq), active];
}
