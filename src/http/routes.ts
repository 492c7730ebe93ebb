/**
 * The SCIM routes of one endpoint (RFC 7644 §3.2). Handlers are thin: read the request, call the
 * ResourceService, write the answer. Discovery documents are built once per base URL and cached.
 */
import { parse as parseQuery } from 'node:querystring';
import type { Context } from 'koa';
import { buildDiscovery, listResponse, type Discovery } from '../core/discovery.js';
import { param, type QueryParams } from '../core/list-query.js';
import { ResourceService } from '../core/resources.js';
import type { ConnectorRuntime, RequestContext, RequestLimits } from '../core/runtime.js';
import { invalidSyntax, notFound, ScimError } from '../scim/errors.js';
import { parseProjection } from '../scim/projection.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../scim/schema/definitions.js';
import { isPlainObject } from '../scim/values.js';
import { readJsonBody } from './body.js';
import { sendJson, state } from './respond.js';
import { RouteTable } from './route-table.js';

export interface EndpointRoutesOptions {
  readonly path: string;
  readonly runtime: ConnectorRuntime;
  readonly limits: RequestLimits;
  readonly bodyLimitBytes: number;
  /** `https://host/scim/v2` for this request. */
  readonly baseUrl: (ctx: Context) => string;
}

const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** POST /.search (RFC 7644 §3.4.3) carries the query parameters in a body, keeping filters out of URLs and logs. */
function searchParams(body: unknown): QueryParams {
  if (!isPlainObject(body)) throw invalidSyntax('the search request must be a JSON object');
  const schemas = body['schemas'];
  if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST)) throw invalidSyntax(`"schemas" must contain "${SEARCH_REQUEST}"`);
  const out: Record<string, string> = {};
  for (const key of ['filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'attributes', 'excludedAttributes']) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) out[key] = v.map(String).join(',');
    else if (typeof v === 'string' || typeof v === 'number') out[key] = String(v);
    else throw invalidSyntax(`"${key}" has the wrong type`);
  }
  return out;
}

export function endpointRoutes(opts: EndpointRoutesOptions): RouteTable {
  const { runtime, limits, bodyLimitBytes } = opts;
  const table = new RouteTable();
  const services = { Users: new ResourceService(USER_RESOURCE_TYPE, runtime, limits), Groups: new ResourceService(GROUP_RESOURCE_TYPE, runtime, limits) };
  const discoveries = new Map<string, Discovery>();

  const rc = (ctx: Context): RequestContext => ({ requestId: state(ctx).requestId, baseUrl: opts.baseUrl(ctx), log: runtime.log });
  const discovery = (ctx: Context): Discovery => {
    const base = opts.baseUrl(ctx);
    let d = discoveries.get(base);
    if (!d) {
      d = buildDiscovery(runtime.slots, runtime.connector.capabilities, limits, base);
      // Host headers are client-controlled: keep the cache small.
      if (discoveries.size >= 16) discoveries.clear();
      discoveries.set(base, d);
    }
    return d;
  };
  const ifMatch = (ctx: Context): string | undefined => ctx.get('If-Match') || undefined;
  const body = (ctx: Context): Promise<unknown> => readJsonBody(ctx.req, bodyLimitBytes);
  // node:querystring rather than Koa's ctx.query: it decodes `+` as a space the same way (Entra sends
  // `filter=userName+eq+%22…%22`) and costs a fraction per request.
  const query = (ctx: Context): QueryParams => parseQuery(ctx.querystring) as QueryParams;
  const projectionParam = (ctx: Context, svc: ResourceService) => {
    const q = query(ctx);
    return parseProjection(svc.rt, param(q, 'attributes'), param(q, 'excludedAttributes'));
  };

  for (const [name, svc] of Object.entries(services)) {
    table
      .collection(name, 'GET', async (ctx) => sendJson(ctx, 200, await svc.list(query(ctx), rc(ctx))))
      .search(name, async (ctx) => sendJson(ctx, 200, await svc.list(searchParams(await body(ctx)), rc(ctx))))
      .collection(name, 'POST', async (ctx) => {
        const r = await svc.create(await body(ctx), rc(ctx));
        state(ctx).resourceId = String(r.resource['id']);
        ctx.set('Location', String((r.resource['meta'] as Record<string, unknown>)['location']));
        ctx.set('ETag', r.version);
        sendJson(ctx, 201, r.resource);
      })
      .item(name, 'GET', async (ctx, id) => {
        state(ctx).resourceId = id;
        const r = await svc.get(id, projectionParam(ctx, svc), rc(ctx));
        ctx.set('ETag', r.version);
        if (ctx.get('If-None-Match') === r.version) ctx.status = 304;
        else sendJson(ctx, 200, r.resource);
      })
      .item(name, 'PUT', async (ctx, id) => {
        state(ctx).resourceId = id;
        const r = await svc.replace(id, await body(ctx), ifMatch(ctx), rc(ctx));
        ctx.set('ETag', r.version);
        sendJson(ctx, 200, r.resource);
      })
      .item(name, 'PATCH', async (ctx, id) => {
        state(ctx).resourceId = id;
        const q = query(ctx);
        const asked = param(q, 'attributes') !== undefined || param(q, 'excludedAttributes') !== undefined;
        const projection = asked ? projectionParam(ctx, svc) : undefined;
        const r = await svc.patch(id, await body(ctx), ifMatch(ctx), projection, rc(ctx));
        if (!r) {
          ctx.status = 204;
          return;
        }
        ctx.set('ETag', r.version);
        sendJson(ctx, 200, r.resource);
      })
      .item(name, 'DELETE', async (ctx, id) => {
        state(ctx).resourceId = id;
        await svc.delete(id, ifMatch(ctx), rc(ctx));
        ctx.status = 204;
      });
  }

  const byId = (list: readonly Record<string, unknown>[], id: string, what: string) => {
    const found = list.find((x) => String(x['id']).toLowerCase() === id.toLowerCase());
    if (!found) throw notFound(`${what} "${id}" not found`);
    return found;
  };
  table
    .collection('ServiceProviderConfig', 'GET', (ctx) => sendJson(ctx, 200, discovery(ctx).serviceProviderConfig))
    .collection('Schemas', 'GET', (ctx) => sendJson(ctx, 200, listResponse(discovery(ctx).schemas)))
    .item('Schemas', 'GET', (ctx, id) => sendJson(ctx, 200, byId(discovery(ctx).schemas, id, 'schema')))
    .collection('ResourceTypes', 'GET', (ctx) => sendJson(ctx, 200, listResponse(discovery(ctx).resourceTypes)))
    .item('ResourceTypes', 'GET', (ctx, id) => sendJson(ctx, 200, byId(discovery(ctx).resourceTypes, id, 'resource type')))
    .collection('Bulk', 'POST', () => {
      throw new ScimError(501, undefined, 'bulk operations are not supported (see /ServiceProviderConfig)');
    });
  const me = () => {
    throw new ScimError(501, undefined, '/Me is not supported: tokens identify a provisioning client, not a user');
  };
  for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) table.collection('Me', m, me);
  return table;
}
