/**
 * Bearer tokens (RFC 6750), as Entra sends its "Secret Token". Tokens are configured per endpoint and kept
 * only as SHA-256 digests; the presented token is hashed and compared with every configured digest with
 * timingSafeEqual (equal lengths by construction), without an early exit, so timing says nothing about
 * which token or how much of it matched.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { ScimError } from '../scim/errors.js';

export function hashToken(token: string): Buffer {
  // The one-shot form: no Hash object per request.
  return hash('sha256', token, 'buffer');
}

export function checkBearer(header: string | undefined, digests: readonly Buffer[]): void {
  const match = header === undefined ? null : /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  if (!match?.[1]) throw unauthorized(header === undefined ? 'an Authorization: Bearer token is required' : 'the Authorization header must be "Bearer <token>"');
  const presented = hashToken(match[1]);
  let ok = false;
  for (const d of digests) ok = timingSafeEqual(presented, d) || ok;
  if (!ok) throw unauthorized('the bearer token is not valid for this endpoint');
}

function unauthorized(detail: string): ScimError {
  return new ScimError(401, undefined, detail);
}
