/**
 * Public contract of the durable store: the state machine a caller supplies, the options of `open`, and the
 * store handle it returns. The engine is generic so the JSON-file connector and the identity map share one
 * implementation of the hard part (journal, group commit, crash recovery, compaction, locking).
 */

export interface StateMachine<State, Entry> {
  /** A fresh empty state. */
  empty(): State;
  /** Build the state from a parsed snapshot document (validate it; throw a clear Error if malformed). */
  load(doc: unknown): State;
  /**
   * Apply one journal entry to the state, synchronously and deterministically (mutate in place). Called at
   * commit time and during replay. The entry it receives is a JSON round-trip copy of what was committed, so
   * the live state is exactly what replay will rebuild (no Dates, no undefined fields, no shared objects).
   * Validate before committing: if `apply` throws, the store rejects that commit and rebuilds its state
   * from disk, because it cannot know how much of the entry was applied.
   */
  apply(state: State, entry: Entry): void;
  /**
   * Capture the state for a snapshot, synchronously and cheaply: top-level header fields plus sections of
   * IMMUTABLE records (arrays of references). The store serialises them later, in chunks, while the state
   * keeps changing — so records must never be mutated after they are inserted into the state (callers
   * replace records instead). Neither the header nor the sections may use the key `seq`.
   */
  capture(state: State): SnapshotCapture;
}

export interface SnapshotCapture {
  header: Record<string, unknown>;
  sections: Record<string, readonly unknown[]>;
}

/** Structured logger; pino's Logger fits. */
export interface DurableLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CompactionOptions {
  /** Compact once the journal segments hold this many bytes, whatever the ratio says (bounds disk use and replay time). Default 1 GiB. */
  maxJournalBytes?: number;
  /**
   * A changed store is compacted once writes have paused (checked every intervalMs), and under a write load
   * that never pauses at least every 10 × intervalMs. Default 30 s; 0 disables.
   */
  intervalMs?: number;
  /**
   * Compact when the journal reaches this fraction of the document's size (at least 1 MiB), so rewriting
   * the document costs a constant amount per journaled byte however large the store is. Default 2; 0 disables.
   */
  journalRatio?: number;
}

/** Fault injection for tests; never set in production. */
export interface DurableTestHooks {
  /** Awaited before each journal write; throwing (or rejecting) simulates a failed write. */
  beforeFlush?: () => void | Promise<void>;
  /** Called between snapshot chunks; may await (to widen the window for concurrent writes) or throw. */
  onSnapshotChunk?: () => void | Promise<void>;
}

export interface DurableStoreOptions<State, Entry> {
  /** Directory holding the document, its journal segments and its lock. Created (mode 0700) if missing. */
  dir: string;
  /** Base file name of the document, e.g. `scimbridge.json`. */
  name: string;
  machine: StateMachine<State, Entry>;
  /** fsync writes (default true). false only for tests that do not care about durability. */
  fsync?: boolean;
  compaction?: CompactionOptions;
  /** Mode of the files the store creates (default 0o600: the document may hold credentials). */
  fileMode?: number;
  log?: DurableLog;
  /**
   * The caller's entries are plain JSON data (no undefined, Dates, class instances) that it never touches
   * after `commit`: apply them as given instead of a JSON copy, so unchanged values stay shared with the
   * state (much less garbage per write). Default false: apply a copy, the safe choice for any caller.
   */
  trustedEntries?: boolean;
  testHooks?: DurableTestHooks;
}

export interface DurableStoreStats {
  /** Sequence number of the last commit applied in memory. */
  seq: number;
  /** Sequence number of the last commit known to be on disk. */
  durableSeq: number;
  /** Entries applied in memory but not yet durable. */
  pendingEntries: number;
  /** Bytes in the journal segments on disk (what compaction would reclaim). */
  journalBytes: number;
  /** Journal segment files on disk. */
  segments: number;
  /** Journal flushes (write + fdatasync) since open; much lower than commits under load (group commit). */
  flushes: number;
  compactions: number;
  /** ISO time of the last finished compaction in this process, or null. */
  lastCompactionAt: string | null;
  lastCompactionMs: number | null;
  /** 'recovering': rolling back a failed write (commits are rejected meanwhile); 'failed': gave up. */
  mode: StoreMode;
}

export type StoreMode = 'open' | 'recovering' | 'failed' | 'closing' | 'closed';

export interface DurableStore<State, Entry> {
  /** The live state, for readers only (never mutate it). Call `barrier()` before returning what you read. */
  readonly state: State;
  /** Sequence number of the last commit applied in memory (one sequence number per `commit` call). */
  readonly seq: number;
  /** Sequence number of the last commit known to be on disk; `seq` when nothing is pending. */
  readonly durableSeq: number;
  /**
   * Apply the entries to the state now (synchronously) and resolve once they are on disk. The entries of
   * one call are one journal record, so they are atomic: after a crash either all of them or none are there.
   */
  commit(entries: readonly Entry[]): Promise<void>;
  /** Resolves once everything applied so far is durable; rejects if that data was lost to a failed write. */
  barrier(): Promise<void>;
  /** Write a snapshot of the current state and drop the journal segments it covers. */
  compact(): Promise<void>;
  stats(): DurableStoreStats;
  /** Flush, write a final snapshot (unless `compact: false`), close files and release the lock. Idempotent. */
  close(options?: { compact?: boolean }): Promise<void>;
}
