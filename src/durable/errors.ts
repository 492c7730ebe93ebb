/**
 * The one error type the durable store throws or rejects with, so callers (connectors, /status, the CLI)
 * can tell an operator problem (`locked`, `corrupt`) from a transient I/O failure (`write-failed`) by code.
 */

export type DurableStoreErrorCode =
  /** Another process (or another store in this process) holds the data file. */
  | 'locked'
  /** The document or a journal segment is damaged in a way recovery must not paper over. */
  | 'corrupt'
  /** A journal write or fsync failed; the commit was rolled back and may be retried. */
  | 'write-failed'
  /** The store could not recover from an earlier failure; it only accepts `close()` now. */
  | 'failed'
  /** The store is closed (or closing). */
  | 'closed'
  /** The entries of a commit cannot be journaled (not JSON-serialisable). */
  | 'invalid-entry';

export class DurableStoreError extends Error {
  override readonly name = 'DurableStoreError';
  readonly code: DurableStoreErrorCode;

  constructor(code: DurableStoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}

/** The errno code of a Node system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
