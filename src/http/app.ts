/**
 * createApp: the Koa application for a set of endpoints. It never listens (src/server.ts does), so tests
 * drive it in-process. One middleware, in this order: request id → health probes (no auth) → endpoint
 * dispatch by base path → bearer auth for that endpoint → its route table; around all of it, the SCIM
 * error mapping (every failure becomes a SCIM body) and the access log (one line per request).
 */
import { randomUUID } from 'node:crypto';
import Koa, { type Context } from 'koa';
import type { ConnectorRuntime, RequestLimits } from '../core/runtime.js';
import { DEFAULT_LIMITS } from '../core/runtime.js';
import { rawInfoWriter, type Logger } from '../log.js';
import { notFound } from '../scim/errors.js';
import { checkBearer } from './auth.js';
import { AuthThrottle, type ThrottleOptions } from './auth-throttle.js';
import { toScimError } from './error-mapping.js';
import { sendError, sendJson, state, type ScimState } from './respond.js';
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

/** The one access-log line per request, written without pino's general path (see infoLineWriter). */
function accessLine(requestId: string, ctx: Context, st: ScimState, started: number): string {
  // Only requestId, path and resourceId can hold client text; JSON.stringify quotes and escapes them.
  const q = JSON.stringify;
  let line = `"requestId":${q(requestId)},"method":${q(ctx.method)},"path":${q(ctx.path)}`;
  if (st.endpoint !== undefined) line += `,"endpoint":${q(st.endpoint)}`;
  line += `,"status":${ctx.status},"durationMs":${Math.round((performance.now() - started) * 10) / 10}`;
  if (st.resourceId !== undefined) line += `,"resourceId":${q(st.resourceId)}`;
  if (st.scimType !== undefined) line += `,"scimType":${q(st.scimType)}`;
  return line;
}

export function createApp(opts: AppOptions): Koa {
  const app = new Koa({ proxy: opts.proxy ?? false });
  const { log } = opts;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const bodyLimitBytes = opts.bodyLimitBytes ?? 1024 * 1024;
  const ready = opts.ready ?? (() => true);
  const throttle = new AuthThrottle(opts.authThrottle);
  const writeLine = rawInfoWriter(log, 'scim request');
  // Longest path first, so /tenants/acme/scim/v2 wins over a shorter endpoint that could also prefix it.
  const endpoints = [...opts.endpoints]
    .sort((a, b) => b.path.length - a.path.length)
    .map((e) => ({
      ...e,
      // Base paths match case-insensitively, as the config loader compares them.
      lower: e.path.toLowerCase(),
      routes: endpointRoutes({ path: e.path, runtime: e.runtime, limits, bodyLimitBytes, baseUrl: (ctx) => `${ctx.protocol}://${ctx.host}${e.path}` }),
    }));

  /** Health probes, endpoint dispatch by base path, bearer auth for that endpoint, its routes. */
  const route = async (ctx: Context, st: ScimState): Promise<void> => {
    const path = ctx.path;
    if (path === '/healthz') return sendJson(ctx, 200, { status: 'ok' });
    if (path === '/readyz') return ready() ? sendJson(ctx, 200, { status: 'ready' }) : sendJson(ctx, 503, { status: 'not ready' });
    const lower = path.toLowerCase();
    const ep = endpoints.find((e) => lower === e.lower || lower.startsWith(`${e.lower}/`));
    if (!ep) throw notFound(`no SCIM resource at ${path}`);
    st.endpoint = ep.path;
    throttle.check(ctx.ip);
    try {
      checkBearer(ctx.get('Authorization') || undefined, ep.tokenDigests);
    } catch (err) {
      throttle.fail(ctx.ip);
      throw err;
    }
    await ep.routes.dispatch(ctx, path.slice(ep.path.length));
  };

  // One middleware: every failure becomes a SCIM error body here, and every request one log line.
  app.use(async (ctx) => {
    const started = performance.now();
    // Entra sends client-request-id; echo it (or ours) so log lines can be joined with its provisioning logs.
    const incoming = ctx.get('client-request-id') || ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const st = state(ctx);
    st.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await route(ctx, st);
    } catch (err) {
      const e = toScimError(err);
      st.scimType = e.scimType ?? (e.status >= 500 ? 'internal' : undefined);
      if (e.status >= 500) st.error = err;
      sendError(ctx, e);
    }
    if (st.error !== undefined) log.error({ requestId, method: ctx.method, path: ctx.path, endpoint: st.endpoint, status: ctx.status, err: st.error }, 'scim request failed');
    else if (st.endpoint === undefined && ctx.status < 400) log.debug({ requestId, path: ctx.path, status: ctx.status }, 'probe');
    else writeLine(accessLine(requestId, ctx, st, started));
  });
  return app;
}
