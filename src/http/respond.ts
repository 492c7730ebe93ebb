import type { Context } from 'koa';
import type { ScimError } from '../scim/errors.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Per-request facts the access log line reports. */
export interface ScimState {
  requestId: string;
  endpoint?: string;
  resourceId?: string;
  scimType?: string;
  error?: unknown;
}

export function state(ctx: Context): ScimState {
  return ctx.state as ScimState;
}

export function sendJson(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.type = SCIM_CONTENT_TYPE;
  ctx.body = JSON.stringify(body);
}

export function sendError(ctx: Context, err: ScimError): void {
  if (err.retryAfterSec !== undefined) ctx.set('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSec))));
  if (err.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="scimbridge"');
  sendJson(ctx, err.status, err.toBody());
}
