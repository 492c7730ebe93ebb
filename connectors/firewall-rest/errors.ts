/**
 * Errors shared by the firewall-rest layer: what a failed HTTP attempt was (for the retry decision and the
 * message), and identity-map failures as ConnectorErrors. Vendor answers (envelopes, error codes) are mapped
 * by each profile (fortios/errors.ts).
 *
 * axios errors are never kept as a `cause`: an AxiosError carries its request config, Authorization header
 * included, and a cause travels into logs and test output. A TransportFailure keeps only the code and
 * axios's own message ("timeout of 5000ms exceeded", "read ECONNRESET"), which hold no secrets.
 */
import { AxiosError } from 'axios';
import { IdentityMapError } from '../../src/identity-map/index.js';
import { ConnectorError } from '../types.js';

/** Default Retry-After (seconds) when the firewall gave none. */
export const DEFAULT_RETRY_AFTER_SEC = 5;

export type FailureClass =
  /** Nothing reached the server (refused, unresolvable): any request may be sent again. */
  | 'not-sent'
  /** The connection broke or timed out after the request may have been sent: only idempotent requests are retried. */
  | 'maybe-sent'
  /** Will not get better by trying again (TLS verification, response too large, a bug). */
  | 'final'
  /** The caller's time ran out (the core's queue timeout aborted the call). */
  | 'aborted';

export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
  constructor(
    readonly code: string,
    message: string,
    readonly failure: FailureClass,
  ) {
    super(message);
  }
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const MAYBE_SENT = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE']);

const isTlsCode = (code: string): boolean =>
  code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(code);

/** Classifies a thrown request error (axios or Node's own) into a TransportFailure without its config. */
export function toTransportFailure(err: unknown, signal: AbortSignal): TransportFailure {
  if (err instanceof TransportFailure) return err;
  if (signal.aborted) return new TransportFailure('ABORTED', 'the call ran out of time', 'aborted');
  const ax = err instanceof AxiosError ? err : undefined;
  // axios puts the socket error's code on the AxiosError; a timeout is ECONNABORTED, or ETIMEDOUT with clarifyTimeoutError.
  const code = ax?.code ?? (err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'UNKNOWN');
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ERR_CANCELED') return new TransportFailure(code, 'the request was cancelled', 'aborted');
  if (/maxContentLength/i.test(message)) return new TransportFailure('RESPONSE_TOO_LARGE', 'the answer exceeded maxResponseBytes', 'final');
  if (NOT_SENT.has(code)) return new TransportFailure(code, message, 'not-sent');
  if (MAYBE_SENT.has(code) || /socket hang up|timeout/i.test(message)) return new TransportFailure(code, message, 'maybe-sent');
  if (isTlsCode(code)) return new TransportFailure(code, `TLS: ${message}`, 'final');
  return new TransportFailure(code, message, 'final');
}

/** What an operator reads for each kind of transport failure. */
export function describeFailure(f: TransportFailure): string {
  if (f.failure === 'aborted') return 'the request ran out of time';
  if (f.code === 'RESPONSE_TOO_LARGE') return 'the answer was larger than maxResponseBytes';
  if (f.code === 'ETIMEDOUT' || f.code === 'ECONNABORTED') return 'no answer within timeoutMs';
  if (f.message.startsWith('TLS: ')) return `the TLS connection failed (${f.code})`;
  if (f.failure === 'not-sent') return `cannot reach the firewall (${f.code})`;
  return `the connection broke (${f.code})`;
}

/** An identity map failure as the ConnectorError of the same kind (its codes are a subset of the kinds). */
export function fromIdentityMap(err: unknown, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  if (err instanceof IdentityMapError) {
    const retry = err.code === 'unavailable' ? { retryAfterSec: DEFAULT_RETRY_AFTER_SEC } : {};
    return new ConnectorError(err.code, `${what}: ${err.message}`, { cause: err, ...retry });
  }
  return new ConnectorError('internal', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
