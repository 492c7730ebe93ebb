/**
 * Crash-safe, single-process, journaled in-memory store. The contract is in types.ts. On disk, next to each
 * other: `<name>` (the snapshot document, always complete JSON; snapshot-writer.ts), `<name>.journal.<seq>`
 * (write-ahead journal segments; journal-codec.ts, journal-writer.ts, recovery.ts) and `<name>.lock`
 * (lock.ts).
 */
export { open } from './open.js';
export { DurableStoreError, type DurableStoreErrorCode } from './errors.js';
export type {
  CompactionOptions,
  DurableLog,
  DurableStore,
  DurableStoreOptions,
  DurableStoreStats,
  DurableTestHooks,
  SnapshotCapture,
  StateMachine,
  StoreMode,
} from './types.js';
