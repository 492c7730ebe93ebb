/**
 * The route table of one SCIM endpoint. SCIM has a fixed, shallow URL space (RFC 7644 §3.2):
 * `/{Resource}`, `/{Resource}/{id}` and `/{Resource}/.search`, so a table keyed by the first segment
 * replaces a general-purpose router. Resource names match case-insensitively and a trailing slash is
 * tolerated. An unknown path is 404; a known path with a method it does not take is 405 with `Allow`.
 */
import type { Context } from 'koa';
import { notFound, ScimError } from '../scim/errors.js';

export type Handler = (ctx: Context, id: string) => void | Promise<void>;
type Methods = Partial<Record<string, Handler>>;

/** What one resource name accepts at each depth. */
interface Entry {
  collection: Methods;
  item: Methods;
  search: Methods;
}

export class RouteTable {
  readonly #entries = new Map<string, Entry>();

  #entry(name: string): Entry {
    const key = name.toLowerCase();
    let e = this.#entries.get(key);
    if (!e) {
      e = { collection: {}, item: {}, search: {} };
      this.#entries.set(key, e);
    }
    return e;
  }

  /** `/Name` */
  collection(name: string, method: string, h: Handler): this {
    this.#entry(name).collection[method] = h;
    return this;
  }

  /** `/Name/{id}`; the handler gets the decoded id. */
  item(name: string, method: string, h: Handler): this {
    this.#entry(name).item[method] = h;
    return this;
  }

  /** `/Name/.search` (RFC 7644 §3.4.3). */
  search(name: string, h: Handler): this {
    this.#entry(name).search['POST'] = h;
    return this;
  }

  /** `rest` is the request path after the endpoint's base path ('' or starting with '/'). */
  dispatch(ctx: Context, rest: string): void | Promise<void> {
    const path = rest.endsWith('/') ? rest.slice(0, -1) : rest;
    const second = path.indexOf('/', 1);
    const name = second < 0 ? path.slice(1) : path.slice(1, second);
    const entry = this.#entries.get(name.toLowerCase());
    if (!entry) throw notFound(`no SCIM resource at ${ctx.path}`);
    let methods = entry.collection;
    let id = '';
    if (second >= 0) {
      const tail = path.slice(second + 1);
      if (tail === '' || tail.includes('/')) throw notFound(`no SCIM resource at ${ctx.path}`);
      if (tail === '.search') methods = entry.search;
      else {
        methods = entry.item;
        try {
          id = decodeURIComponent(tail);
        } catch {
          throw notFound(`no SCIM resource at ${ctx.path}`);
        }
      }
    }
    const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
    const handler = methods[method];
    if (handler) return handler(ctx, id);
    const allowed = Object.keys(methods);
    if (allowed.length === 0) throw notFound(`no SCIM resource at ${ctx.path}`);
    ctx.set('Allow', (allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed).join(', '));
    throw new ScimError(405, undefined, `${ctx.method} is not allowed here; allowed: ${allowed.join(', ')}`);
  }
}
