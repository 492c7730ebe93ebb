/**
 * The one error type the identity map throws or rejects with. Its codes are a subset of ConnectorErrorKind
 * (connectors/types.ts), so a connector translates it without a table:
 * `new ConnectorError(err.code, err.message, { cause: err })` — 'conflict' becomes 409 uniqueness.
 */

export type IdentityMapErrorCode =
  /** The key is bound to another id; `existingId` names it. */
  | 'conflict'
  /** No entry with that id. */
  | 'not-found'
  /** An empty key or externalId, or a kind that is neither 'user' nor 'group'. */
  | 'invalid'
  /**
   * The map cannot read or write: locked by another process, damaged file, failed write (nothing was
   * acknowledged; retry), or closed. `cause` is the engine's DurableStoreError, whose `code` says which.
   */
  | 'unavailable';

export class IdentityMapError extends Error {
  override readonly name = 'IdentityMapError';
  readonly code: IdentityMapErrorCode;
  /** For 'conflict': the id the key is bound to. */
  readonly existingId: string | undefined;

  constructor(code: IdentityMapErrorCode, message: string, options: { cause?: unknown; existingId?: string } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.existingId = options.existingId;
  }
}
