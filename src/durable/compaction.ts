/**
 * One compaction: snapshot the state at seq S into the document and drop the journal segments it covers.
 *
 * Order matters for crash safety and for rollback:
 *  1. synchronously (before the first await): note S, queue a switch to a new segment starting at S+1 and
 *     capture the state, so the capture is exactly the state at S and later commits land in the new segment;
 *  2. write the document in chunks to a temp file while commits continue;
 *  3. rename it over the document only once every record <= S is durable and the state was not rolled back
 *     meanwhile: a snapshot must never contain a write that could still fail and be rejected;
 *  4. delete the segments holding only records <= S, oldest first.
 * A crash at any step leaves either the old document with all segments, or the new one with a superset of
 * the segments it needs.
 */
import { join } from 'node:path';
import type { StoreConfig } from './config.js';
import { tempPath } from './files.js';
import type { JournalWriter } from './journal-writer.js';
import { writeSnapshot } from './snapshot-writer.js';

export interface CompactionInput<State> {
  readonly seq: number;
  readonly state: State;
  /** Closing: no rotation (no more writes), and the active segment is dropped too. */
  readonly final: boolean;
  /** True once the in-memory state was rebuilt since this compaction started. */
  readonly stale: () => boolean;
}

/** Thrown inside a compaction that must not be published; the caller logs it as abandoned. */
export class CompactionAbandoned extends Error {}

export async function compact<State, Entry>(
  cfg: StoreConfig<State, Entry>,
  writer: JournalWriter,
  input: CompactionInput<State>,
): Promise<void> {
  const { seq, final } = input;
  const durable: Promise<boolean> =
    final || writer.activeFirstSeq === seq + 1
      ? writer.waitFor(seq).then(ok, failed)
      : writer.rotate(seq + 1).then(ok, failed);
  const capture = cfg.machine.capture(input.state);
  const abandonIfStale = (): void => {
    if (input.stale()) throw new CompactionAbandoned('the state was rolled back during compaction');
  };

  await writeSnapshot(join(cfg.dir, cfg.name), tempPath(cfg.dir, cfg.name), seq, capture, {
    fsync: cfg.fsync,
    mode: cfg.mode,
    checkpoint: async () => {
      abandonIfStale();
      await cfg.hooks?.onSnapshotChunk?.();
    },
    beforeRename: async () => {
      if (!(await durable)) throw new CompactionAbandoned('a journal write failed during compaction');
      abandonIfStale();
    },
  });
  if (final) await writer.closeActive();
  await writer.dropSegmentsThrough(seq, final);
}

const ok = (): boolean => true;
const failed = (): boolean => false;
