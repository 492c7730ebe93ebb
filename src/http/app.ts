/**
 * createApp: the Koa application for a set of endpoints. It never listens (src/server.ts does), so tests
 * drive it in-process. Middleware order: access log + SCIM error mapping (outermost, so every failure
 * becomes a SCIM body and a log line) → health probes (no auth) → endpoint dispatch by base path →
 * bearer auth for that endpoint → its routes.
 */
import { randomUUID } from 'node:crypto';
import Koa, { type Context, type Next } from 'koa';
import type { Middleware } from 'koa';
import type { ConnectorRuntime, RequestLimits } from '../core/runtime.js';
import { DEFAULT_LIMITS } from '../core/runtime.js';
import { infoLineWriter, type Logger } from '../log.js';
import { notFound } from '../scim/errors.js';
import { checkBearer } from './auth.js';
import { AuthThrottle, type ThrottleOptions } from './auth-throttle.js';
import { toScimError } from './error-mapping.js';
import { sendError, sendJson, state } from './respond.js';
import { endpointRoutes } from './routes.js';

export interface AppEndpoint {
  /** Base path, e.g. `/scim/v2` or `/tenants/acme/scim/v2` (no trailing slash). */
  readonly path: string;
  readonly runtime: ConnectorRuntime;
  /** SHA-256 digests of the bearer tokens this endpoint accepts (src/http/auth.ts). */
  readonly tokenDigests: readonly Buffer[];
}

export interface AppOptions {
  readonly endpoints: readonly AppEndpoint[];
  readonly log: Logger;
  readonly limits?: RequestLimits;
  /** Default 1 MiB. */
  readonly bodyLimitBytes?: number;
  /** For /readyz: config loaded, connectors started, not draining. Default: always ready. */
  readonly ready?: () => boolean;
  /** Failed-authentication limits per client address. */
  readonly authThrottle?: ThrottleOptions;
  /** Trust X-Forwarded-Proto/Host from a reverse proxy when building Location URLs. */
  readonly proxy?: boolean;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

function accessLog(log: Logger): Middleware {
  const writeLine = infoLineWriter(log, 'scim request');
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    // Entra sends client-request-id; echo it (or ours) so log lines can be joined with its provisioning logs.
    const incoming = ctx.get('client-request-id') || ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const st = state(ctx);
    st.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw notFound(`no SCIM resource at ${ctx.path}`);
    } catch (err) {
      const e = toScimError(err);
      st.scimType = e.scimType ?? (e.status >= 500 ? 'internal' : undefined);
      if (e.status >= 500) st.error = err;
      sendError(ctx, e);
    }
    const line = {
      requestId,
      method: ctx.method,
      path: ctx.path,
      endpoint: st.endpoint,
      status: ctx.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      resourceId: st.resourceId,
      scimType: st.scimType,
    };
    if (st.error !== undefined) log.error({ ...line, err: st.error }, 'scim request failed');
    else if (st.endpoint === undefined && ctx.status < 400) log.debug(line, 'probe');
    else writeLine(line);
  };
}

export function createApp(opts: AppOptions): Koa {
  const app = new Koa({ proxy: opts.proxy ?? false });
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const bodyLimitBytes = opts.bodyLimitBytes ?? 1024 * 1024;
  const ready = opts.ready ?? (() => true);
  const throttle = new AuthThrottle(opts.authThrottle);
  // Longest path first, so /tenants/acme/scim/v2 wins over a shorter endpoint that could also prefix it.
  const endpoints = [...opts.endpoints]
    .sort((a, b) => b.path.length - a.path.length)
    .map((e) => ({
      ...e,
      // Base paths match case-insensitively, as the config loader compares them.
      lower: e.path.toLowerCase(),
      routes: endpointRoutes({ path: e.path, runtime: e.runtime, limits, bodyLimitBytes, baseUrl: (ctx) => `${ctx.protocol}://${ctx.host}${e.path}` }),
    }));

  app.use(accessLog(opts.log));
  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') return sendJson(ctx, 200, { status: 'ok' });
    if (ctx.path === '/readyz') return ready() ? sendJson(ctx, 200, { status: 'ready' }) : sendJson(ctx, 503, { status: 'not ready' });
    const path = ctx.path.toLowerCase();
    const ep = endpoints.find((e) => path === e.lower || path.startsWith(`${e.lower}/`));
    if (!ep) return next();
    state(ctx).endpoint = ep.path;
    throttle.check(ctx.ip);
    try {
      checkBearer(ctx.get('Authorization') || undefined, ep.tokenDigests);
    } catch (err) {
      throttle.fail(ctx.ip);
      throw err;
    }
    await ep.routes.dispatch(ctx, ctx.path.slice(ep.path.length));
  });
  return app;
}
