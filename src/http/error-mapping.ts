/**
 * The one place where failures become SCIM responses (RFC 7644 §3.12). Connector errors are mapped by
 * kind; anything unexpected is a 500 whose detail stays in the log.
 */
import { ConnectorError } from '../../connectors/types.js';
import { ScimError } from '../scim/errors.js';

export function toScimError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  if (err instanceof ConnectorError) {
    const options = { cause: err, ...(err.retryAfterSec !== undefined ? { retryAfterSec: err.retryAfterSec } : {}) };
    switch (err.kind) {
      case 'not-found':
        return new ScimError(404, undefined, err.message, options);
      case 'conflict':
        return new ScimError(409, 'uniqueness', err.message, options);
      case 'invalid':
        return new ScimError(400, 'invalidValue', err.message, options);
      case 'unsupported':
        return new ScimError(501, undefined, err.message, options);
      case 'rate-limited':
        return new ScimError(429, undefined, 'too many requests for the downstream store; retry later', { ...options, retryAfterSec: err.retryAfterSec ?? 5 });
      // Our own credentials to the downstream failed, or it is down: never 401/403/404, which Entra would
      // take as its token being rejected or the object gone (and quarantine the app). 503 makes it retry.
      case 'unavailable':
      case 'upstream-auth':
        return new ScimError(503, undefined, err.message, { ...options, retryAfterSec: err.retryAfterSec ?? 5 });
      case 'internal':
        return new ScimError(500, undefined, err.message, options);
    }
  }
  return new ScimError(500, undefined, err instanceof Error ? err.message : 'unexpected error', { cause: err });
}
