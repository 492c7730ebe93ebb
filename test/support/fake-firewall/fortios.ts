/**
 * An in-process fake FortiOS 7.x REST API for the firewall connector's tests: `user/local` and `user/group`
 * under `/api/v2/cmdb/`, one database per VDOM, bearer-token auth, and FortiOS's response envelopes and error
 * codes (research: /work/shared/research/ldap-and-firewall-apis.md, B1). Latency, the in-flight limit, fault
 * injection and request counters come from HttpFake (http-fake.ts).
 *
 * ```ts
 * const fgt = await startFakeFortiOS({ vdoms: ['root', 'tenant2'], maxInFlight: 2 });
 * await fetch(`${fgt.baseUrl}/api/v2/cmdb/user/local?vdom=root`, { headers: { authorization: `Bearer ${fgt.token}` } });
 * fgt.injectFault({ kind: 'status', status: 429, retryAfterSec: 1 });
 * expect(fgt.vdom('root').users.get('jdoe')?.status).toBe('disable');
 * await fgt.close();
 * ```
 *
 * Not modelled: sessions (`/logincheck`), child-table paths (`…/user/group/<g>/member`), `sort`, `datasource`
 * and `with_meta`, `vdom=*`/`global=1`, batch transactions, remote-server users' server references, trusted
 * hosts, and case-insensitive name matching (`username-sensitivity`). Paths the fake does not know answer 404.
 */
import { VdomDb } from './fortios-db.js';
import { parseFilters, parseFormat, parsePaging, viewEntry } from './fortios-query.js';
import { CmdbFailure, type CmdbEntry, type Table } from './fortios-schema.js';
import { HttpFake, type FakeRequest, type FakeResponse, type HttpFakeOptions } from './http-fake.js';

export { VdomDb } from './fortios-db.js';
export { FORTI_ERROR, type CmdbEntry, type Table } from './fortios-schema.js';
export type { Fault, RecordedRequest } from './http-fake.js';

export interface FakeFortiOSOptions extends HttpFakeOptions {
  /** The REST API admin's token, sent as `Authorization: Bearer <token>`. @default 'fake-fortios-token' */
  readonly token?: string;
  /** VDOMs that exist; the first is the admin's default, used when a request has no `vdom`. @default ['root'] */
  readonly vdoms?: readonly string[];
  /** Accept `?access_token=`; FortiOS ≥ 7.4.5 refuses it unless `rest-api-key-url-query` is enabled. @default false */
  readonly acceptQueryToken?: boolean;
  /** Reject body fields the fake does not know (-703), so connector typos fail loudly. @default true */
  readonly strictFields?: boolean;
}

const PREFIX = '/api/v2/cmdb/';
const TABLES: readonly Table[] = ['user/local', 'user/group'];
// Research B1 sample envelopes.
const DEVICE = { serial: 'FGVM01TM00000000', version: 'v7.4.4', build: 2662 } as const;
// FortiOS's web server answers a bad token with this HTML page, not JSON (PyFortiAPI issue #17).
const UNAUTHORIZED_HTML =
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<HTML><HEAD>\n<TITLE>401 Authorization Required</TITLE>\n</HEAD><BODY>\n<H1>Authorization Required</H1>\n</BODY></HTML>\n';

interface Route {
  readonly table: Table;
  /** The decoded mkey, or undefined for the table itself. */
  readonly mkey: string | undefined;
}

export class FakeFortiOS extends HttpFake {
  readonly token: string;
  readonly #vdoms = new Map<string, VdomDb>();
  readonly #defaultVdom: string;
  readonly #acceptQueryToken: boolean;
  readonly #strictFields: boolean;

  constructor(options: FakeFortiOSOptions = {}) {
    super(options);
    this.token = options.token ?? 'fake-fortios-token';
    this.#acceptQueryToken = options.acceptQueryToken ?? false;
    this.#strictFields = options.strictFields ?? true;
    const vdoms = options.vdoms ?? ['root'];
    this.#defaultVdom = vdoms[0] ?? 'root';
    for (const name of vdoms) this.addVdom(name);
  }

  /** One VDOM's live tables, for seeding and assertions. Throws for an unknown VDOM. */
  vdom(name: string = this.#defaultVdom): VdomDb {
    const db = this.#vdoms.get(name);
    if (!db) throw new Error(`fake FortiOS has no VDOM "${name}"`);
    return db;
  }

  /** Creates an empty VDOM (or returns the existing one). */
  addVdom(name: string): VdomDb {
    let db = this.#vdoms.get(name);
    if (!db) this.#vdoms.set(name, (db = new VdomDb(name, this.#strictFields)));
    return db;
  }

  protected override classify(method: string, url: URL): string {
    const route = parseRoute(url.pathname);
    if (!route) return `${method} other`;
    return `${method} ${route.table}${route.mkey === undefined ? '' : '/:name'}`;
  }

  protected override handle(req: FakeRequest): FakeResponse {
    if (!this.#authorized(req)) return { status: 401, headers: { 'content-type': 'text/html' }, body: UNAUTHORIZED_HTML };
    const route = parseRoute(req.url.pathname);
    if (!route) return json(404, { http_method: req.method, status: 'error', http_status: 404 });
    const names = (req.url.searchParams.get('vdom') ?? this.#defaultVdom).split(',');
    if (names.length > 1) {
      // Several VDOMs answer as an array of per-VDOM envelopes (research B1; Fortinet community 344460).
      if (req.method !== 'GET') return json(400, { http_method: req.method, status: 'error', http_status: 400, message: 'fake FortiOS: multi-VDOM writes are not modelled' });
      const answers = names.map((n) => this.#handleInVdom(req, route, n));
      return json(200, answers.map((a) => a.envelope));
    }
    const { httpStatus, envelope } = this.#handleInVdom(req, route, names[0]!);
    return json(httpStatus, envelope);
  }

  #authorized(req: FakeRequest): boolean {
    if (req.headers.authorization === `Bearer ${this.token}`) return true;
    return this.#acceptQueryToken && req.url.searchParams.get('access_token') === this.token;
  }

  #handleInVdom(req: FakeRequest, route: Route, vdomName: string): { httpStatus: number; envelope: Record<string, unknown> } {
    const base = { http_method: req.method, vdom: vdomName, path: 'user', name: route.table.slice('user/'.length) };
    const db = this.#vdoms.get(vdomName);
    // A VDOM that does not exist, or that the token may not use, is a bare 403 (Fortinet community 344460).
    if (!db) return { httpStatus: 403, envelope: { http_method: req.method, status: 'error', http_status: 403, vdom: vdomName, path: base.path, name: base.name } };
    // Research B1: a failed POST names the posted mkey too (`"error":-5, … "mkey":"jdoe"`).
    const key = route.mkey ?? (req.method === 'POST' ? postedName(req.body) : undefined);
    const mkey = key === undefined ? {} : { mkey: key };
    try {
      const results = this.#dispatch(req, route, db);
      return { httpStatus: 200, envelope: { ...base, ...results, status: 'success', http_status: 200, ...DEVICE } };
    } catch (err) {
      if (!(err instanceof CmdbFailure)) throw err;
      const code = err.code === undefined || (req.method === 'GET' && err.httpStatus === 404) ? {} : { error: err.code };
      return { httpStatus: err.httpStatus, envelope: { ...base, ...mkey, status: 'error', http_status: err.httpStatus, ...code, ...DEVICE } };
    }
  }

  #dispatch(req: FakeRequest, route: Route, db: VdomDb): Record<string, unknown> {
    const { table, mkey } = route;
    const write = (r: { mkey: string; oldRevision: string; revision: string; changed: boolean }) => ({
      revision: r.revision,
      revision_changed: r.changed,
      old_revision: r.oldRevision,
      mkey: r.mkey,
    });
    switch (req.method) {
      case 'GET':
        return mkey === undefined ? list(db, table, req.url.searchParams) : { revision: db.revision, results: [this.#read(db, table, mkey, req)] };
      case 'POST':
        if (mkey !== undefined) throw new CmdbFailure(405, undefined, 'POST takes the table path');
        return write(db.create(table, parseBody(req.body)));
      case 'PUT':
        if (mkey === undefined) throw new CmdbFailure(405, undefined, 'PUT needs an mkey');
        return write(db.update(table, mkey, parseBody(req.body)));
      case 'DELETE':
        // A real box deletes the whole table on DELETE without an mkey; the fake refuses so such a bug is loud.
        if (mkey === undefined) throw new CmdbFailure(405, undefined, 'DELETE needs an mkey');
        return write(db.remove(table, mkey));
      default:
        throw new CmdbFailure(405, undefined, `method ${req.method} not allowed`);
    }
  }

  #read(db: VdomDb, table: Table, mkey: string, req: FakeRequest): Record<string, unknown> {
    const entry = db.table(table).get(mkey);
    if (!entry) throw new CmdbFailure(404, undefined, `${table} "${mkey}" not found`);
    return viewEntry(entry, parseFormat(req.url.searchParams));
  }
}

/** Starts a fake FortiOS on 127.0.0.1 with a random port. */
export function startFakeFortiOS(options: FakeFortiOSOptions = {}): Promise<FakeFortiOS> {
  return new FakeFortiOS(options).listen();
}

// Inferred: filter, then page; `size` is the table's size and `matched_count` the filter's (hfortix guide).
function list(db: VdomDb, table: Table, query: URLSearchParams): Record<string, unknown> {
  const all: CmdbEntry[] = [...db.table(table).values()];
  const matched = all.filter(parseFilters(query.getAll('filter')));
  const { start, count } = parsePaging(query);
  const format = parseFormat(query);
  const page = matched.slice(start, start + count).map((e) => viewEntry(e, format));
  return { revision: db.revision, results: page, size: all.length, matched_count: matched.length };
}

/** `/api/v2/cmdb/user/local[/<mkey>]`, the mkey percent-decoded (PowerFGT escapes `/`, `%`, `?` in names). */
function parseRoute(pathname: string): Route | undefined {
  if (!pathname.startsWith(PREFIX)) return undefined;
  const parts = pathname.slice(PREFIX.length).split('/');
  const table = TABLES.find((t) => t === `${parts[0]}/${parts[1]}`);
  if (!table || parts.length > 3) return undefined;
  const raw = parts[2];
  if (raw === undefined || raw === '') return { table, mkey: undefined }; // a trailing slash lists the table
  try {
    return { table, mkey: decodeURIComponent(raw) };
  } catch {
    return undefined;
  }
}

// Inferred: FortiOS's answer to an unparsable body is undocumented; the fake says 400 with no code.
function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new CmdbFailure(400, undefined, 'body is not JSON');
  }
}

function postedName(body: string): string | undefined {
  try {
    const name: unknown = (JSON.parse(body) as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function json(status: number, body: unknown): FakeResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
