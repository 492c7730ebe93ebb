/**
 * Rebuild the state from disk: the snapshot document, then every journal record after its `seq`.
 *
 * Segment boundaries are authoritative: a segment named `journal.<N>` is only ever created once everything
 * before N is durable, so records >= N still sitting in an earlier segment are the tail of a write that
 * failed (or was never acknowledged) and are dropped. That is what lets the store roll back a failed write
 * by starting a new segment, without rewriting the old one.
 */
import { readFile, stat } from 'node:fs/promises';
import { readDocument } from './document-reader.js';
import { join } from 'node:path';
import { decodeSegment } from './journal-codec.js';
import { DurableStoreError, errnoCode, errorMessage } from './errors.js';
import { listSegments, type SegmentFile } from './files.js';
import type { DurableLog, StateMachine } from './types.js';

export interface Recovered<State> {
  state: State;
  /** Last sequence number in the recovered state. */
  seq: number;
  /** `seq` of the snapshot document (0 without one). */
  docSeq: number;
  /** Every segment on disk, oldest first, with its size. */
  segments: SegmentFile[];
}

export async function recover<State, Entry>(
  dir: string,
  name: string,
  machine: StateMachine<State, Entry>,
  log: DurableLog,
): Promise<Recovered<State>> {
  const docPath = join(dir, name);
  const { state, docSeq } = await loadDocument(docPath, machine);
  const segments = await listSegments(dir, name);
  let seq = docSeq;

  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1];
    const limit = next ? next.firstSeq - 1 : Number.MAX_SAFE_INTEGER;
    if (limit <= seq) {
      // Everything in it is already in the document (compaction had not deleted it yet): no need to read.
      seg.bytes = await sizeOf(seg.path);
      continue;
    }
    if (seg.firstSeq > seq + 1) {
      throw new DurableStoreError(
        'corrupt',
        `${seg.path} starts at seq ${seg.firstSeq} but ${docPath} and the earlier segments end at seq ${seq}: ` +
          `journal records ${seq + 1}..${seg.firstSeq - 1} are missing. Restore the data directory from a backup.`,
      );
    }
    const data = await readFile(seg.path);
    seg.bytes = data.length;
    const decoded = decodeSegment(data, seg.path);
    let expected = seg.firstSeq;
    let dropped = 0;
    for (const record of decoded.records) {
      if (record.seq !== expected) {
        throw new DurableStoreError(
          'corrupt',
          `${seg.path}: expected journal record ${expected} at this point but found ${record.seq}`,
        );
      }
      expected++;
      if (record.seq > limit) {
        dropped++;
        continue;
      }
      if (record.seq <= seq) continue;
      applyAll(machine, state, record.entries, seg.path, record.seq);
      seq = record.seq;
    }
    if (dropped > 0) {
      log.warn({ segment: seg.path, dropped }, 'durable store: dropped journal records of a write that failed');
    }
    if (!decoded.ok) {
      log.warn(
        { segment: seg.path, reason: decoded.reason, bytes: data.length - decoded.validBytes },
        'durable store: ignored the torn tail of a journal segment (a write that was never acknowledged)',
      );
    }
    if (next && seq < limit) {
      throw new DurableStoreError(
        'corrupt',
        `${seg.path} ends at seq ${seq}${decoded.ok ? '' : ` (${decoded.reason} after that)`} but the next segment ` +
          `${next.path} starts at seq ${next.firstSeq}: journal records ${seq + 1}..${limit} are missing. ` +
          `Restore the data directory from a backup.`,
      );
    }
  }
  return { state, seq, docSeq, segments };
}

async function loadDocument<State, Entry>(
  docPath: string,
  machine: StateMachine<State, Entry>,
): Promise<{ state: State; docSeq: number }> {
  let doc: unknown;
  try {
    doc = await readDocument(docPath);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { state: machine.empty(), docSeq: 0 };
    if (!(err instanceof SyntaxError)) throw err;
    // The store only ever replaces the document atomically with complete JSON, so this is outside damage.
    throw new DurableStoreError(
      'corrupt',
      `${docPath} is not valid JSON (${errorMessage(err)}); it was damaged or edited outside scimbridge. ` +
        `Fix it or restore it from a backup.`,
      { cause: err },
    );
  }
  const isObject = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
  const seqValue = isObject ? (doc as { seq?: unknown }).seq : undefined;
  if (typeof seqValue !== 'number' || !Number.isSafeInteger(seqValue) || seqValue < 0) {
    throw new DurableStoreError('corrupt', `${docPath} is not a scimbridge data document: "seq" is missing or invalid`);
  }
  try {
    return { state: machine.load(doc), docSeq: seqValue };
  } catch (err) {
    throw new DurableStoreError('corrupt', `${docPath} is malformed: ${errorMessage(err)}`, { cause: err });
  }
}

function applyAll<State, Entry>(
  machine: StateMachine<State, Entry>,
  state: State,
  entries: readonly unknown[],
  path: string,
  seq: number,
): void {
  try {
    // The journal only holds what commit() serialised from Entry values.
    for (const entry of entries) machine.apply(state, entry as Entry);
  } catch (err) {
    throw new DurableStoreError('corrupt', `${path}: journal record ${seq} cannot be applied: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 0;
    throw err;
  }
}
