/** The store's resolved options, with defaults applied once in `open`. */
import type { DurableLog, DurableStoreOptions, DurableTestHooks, StateMachine } from './types.js';

const DEFAULT_MAX_JOURNAL_BYTES = 1024 * 1024 * 1024;
const DEFAULT_INTERVAL_MS = 30_000;

export interface StoreConfig<State, Entry> {
  readonly dir: string;
  readonly name: string;
  readonly machine: StateMachine<State, Entry>;
  readonly fsync: boolean;
  /** Mode of the files the store creates. */
  readonly mode: number;
  readonly maxJournalBytes: number;
  readonly intervalMs: number;
  readonly journalRatio: number;
  readonly log: DurableLog;
  readonly hooks: DurableTestHooks | undefined;
  readonly trustedEntries: boolean;
}

const noLog: DurableLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function resolveConfig<State, Entry>(opts: DurableStoreOptions<State, Entry>): StoreConfig<State, Entry> {
  const maxJournalBytes = opts.compaction?.maxJournalBytes ?? DEFAULT_MAX_JOURNAL_BYTES;
  const intervalMs = opts.compaction?.intervalMs ?? DEFAULT_INTERVAL_MS;
  if (!(maxJournalBytes > 0)) throw new Error('durable store: compaction.maxJournalBytes must be positive');
  if (!(intervalMs >= 0)) throw new Error('durable store: compaction.intervalMs must be >= 0');
  return {
    dir: opts.dir,
    name: opts.name,
    machine: opts.machine,
    fsync: opts.fsync ?? true,
    mode: opts.fileMode ?? 0o600,
    maxJournalBytes,
    intervalMs,
    journalRatio: opts.compaction?.journalRatio ?? 2,
    log: opts.log ?? noLog,
    hooks: opts.testHooks,
    trustedEntries: opts.trustedEntries ?? false,
  };
}
