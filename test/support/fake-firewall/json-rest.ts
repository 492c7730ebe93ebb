/**
 * An in-process fake JSON REST firewall for the firewall-rest connector's generic profile, in two flavours
 * (research B3, B4):
 *
 * - `pfsense`: pfSense-pkg-RESTAPI v2. `X-API-Key` auth; envelopes `{"code","status","response_id","message","data"}`;
 *   `GET /api/v2/users?name=…&limit=&offset=` (query fields filter exactly), `GET|POST|PATCH|DELETE /api/v2/user`
 *   with `id` = the **array index**, which shifts after a delete; groups at `/api/v2/user/groups` and
 *   `/api/v2/user/group` with `member` the full list of user names; `FIELD_MUST_BE_UNIQUE` (400) for taken names.
 * - `opnsense`: OPNsense's MVC auth API. Basic auth (key:secret); `/api/auth/user/{add,set/<uuid>,del/<uuid>,
 *   get/<uuid>,search}` and the same for `group`; bodies wrapped as `{"user":{…}}`; `disabled` "0"/"1"; failed saves
 *   answer **200** `{"result":"failed","validations":{"user.name":"…"}}`; `get` of an unknown uuid answers `[]`;
 *   `set` of an unknown (well-formed) uuid creates it (OPNsense's "upsert"); search is bootgrid
 *   (`current`, `rowCount`, `searchPhrase`, `-1` = all). A group's `member` is written as user uids joined by ",";
 *   `get` shows it as an option map of every user (`{"<uid>":{"value":"<name>","selected":1}}`); search rows show
 *   the selected names joined by "," (inferred: UIModelGrid shows list fields by their descriptions).
 *
 * With `memberEndpoints`, either flavour also offers a per-member API (not a real pfSense/OPNsense one; it exists
 * to exercise the generic profile's per-member style): `POST <groupBase>/<id>/member` `{"name":"…"}` (409 when
 * already a member) and `DELETE <groupBase>/<id>/member/<name>` (404 when not one).
 *
 * Deliberately strict where the real APIs may be lenient: unknown body fields are refused (400 / validation
 * failure), so a typo in a shipped YAML fails its test. Both start with a system user `admin` and a system group
 * `admins` (pfSense index 0; `systemObjects: false` leaves them out), which the shipped examples must ignore.
 */
import { randomUUID } from 'node:crypto';
import { HttpFake, type FakeRequest, type FakeResponse, type HttpFakeOptions } from './http-fake.js';

export type JsonRestFlavour = 'pfsense' | 'opnsense';

export interface FakeJsonRestOptions extends HttpFakeOptions {
  readonly flavour: JsonRestFlavour;
  /** pfSense `X-API-Key`, or the OPNsense key (Basic user). @default 'fake-api-key' */
  readonly apiKey?: string;
  /** OPNsense API secret (Basic password). @default 'fake-api-secret' */
  readonly apiSecret?: string;
  /** Offer the per-member endpoints. @default false */
  readonly memberEndpoints?: boolean;
  /**
   * Enforce the firewalls' name rules (letters, digits, ".", "_", "-"; pfSense groups ≤ 16). Off, any name up
   * to 64 characters is taken, so hostile names reach the wire. @default true
   */
  readonly strictNames?: boolean;
  /** Start with the system user `admin` and the system group `admins`, as a real box does. @default true */
  readonly systemObjects?: boolean;
}

export interface FakeUser {
  readonly uid: number;
  readonly uuid: string;
  name: string;
  descr: string;
  email: string;
  disabled: boolean;
  scope: 'user' | 'system';
  /** Whether a password (or a scrambled one) was set; the fake keeps no passwords. */
  passwordSet: boolean;
}

export interface FakeGroup {
  readonly gid: number;
  readonly uuid: string;
  name: string;
  description: string;
  scope: 'local' | 'system';
  /** Member uids (both firewalls store uids, so a renamed user stays a member). */
  members: number[];
}

type Json = Record<string, unknown>;

class Failure extends Error {
  constructor(
    readonly status: number,
    readonly responseId: string,
    message: string,
    /** OPNsense validation field (`user.name`), when a validation failed. */
    readonly field?: string,
  ) {
    super(message);
  }
}

const NAME = /^[a-zA-Z0-9._-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PF_USER_FIELDS = new Set(['id', 'name', 'password', 'descr', 'disabled', 'priv', 'expires', 'scope']);
const PF_GROUP_FIELDS = new Set(['id', 'name', 'description', 'member', 'priv', 'scope']);
const OPN_USER_FIELDS = new Set(['name', 'password', 'scrambled_password', 'disabled', 'email', 'descr', 'comment']);
const OPN_GROUP_FIELDS = new Set(['name', 'description', 'member']);

export class FakeJsonRest extends HttpFake {
  readonly flavour: JsonRestFlavour;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly users: FakeUser[] = [];
  readonly groups: FakeGroup[] = [];
  readonly #memberEndpoints: boolean;
  readonly #strictNames: boolean;
  #nextUid = 2000;
  #nextGid = 2000;

  constructor(options: FakeJsonRestOptions) {
    super(options);
    this.flavour = options.flavour;
    this.apiKey = options.apiKey ?? 'fake-api-key';
    this.apiSecret = options.apiSecret ?? 'fake-api-secret';
    this.#memberEndpoints = options.memberEndpoints ?? false;
    this.#strictNames = options.strictNames ?? true;
    if (options.systemObjects ?? true) {
      const admin = this.seedUser({ name: 'admin', scope: 'system', descr: 'System Administrator' });
      this.seedGroup({ name: 'admins', scope: 'system', members: [admin.name] });
    }
  }

  /** Auth headers a client must send. */
  get authHeaders(): Record<string, string> {
    return this.flavour === 'pfsense' ? { 'x-api-key': this.apiKey } : { authorization: `Basic ${Buffer.from(`${this.apiKey}:${this.apiSecret}`).toString('base64')}` };
  }

  seedUser(u: Partial<Omit<FakeUser, 'uid' | 'uuid'>> & { name: string }): FakeUser {
    const user: FakeUser = { uid: this.#nextUid++, uuid: randomUUID(), descr: '', email: '', disabled: false, scope: 'user', passwordSet: true, ...u };
    this.users.push(user);
    return user;
  }

  seedGroup(g: { name: string; description?: string; scope?: FakeGroup['scope']; members?: string[] }): FakeGroup {
    const group: FakeGroup = { gid: this.#nextGid++, uuid: randomUUID(), name: g.name, description: g.description ?? '', scope: g.scope ?? 'local', members: this.#uids(g.members ?? [], 'member') };
    this.groups.push(group);
    return group;
  }

  user(name: string): FakeUser | undefined {
    return this.users.find((u) => u.name === name);
  }

  group(name: string): FakeGroup | undefined {
    return this.groups.find((g) => g.name === name);
  }

  /** A group's member names, in stored order. */
  memberNames(group: string): string[] | undefined {
    return this.group(group)?.members.map((uid) => this.users.find((u) => u.uid === uid)?.name ?? `#${uid}`);
  }

  protected override classify(method: string, url: URL): string {
    const p = url.pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':uuid').replace(/\/group\/[^/]+\/member(\/.*)?$/, '/group/:id/member');
    return `${method} ${p}`;
  }

  protected override handle(req: FakeRequest): FakeResponse {
    try {
      if (!this.#authorized(req)) throw new Failure(401, 'AUTH_AUTHENTICATION_FAILED', 'Authentication failed.');
      const answer = this.flavour === 'pfsense' ? this.#pfsense(req) : this.#opnsense(req);
      return json(200, this.flavour === 'pfsense' ? { code: 200, status: 'ok', response_id: 'SUCCESS', message: '', data: answer } : answer);
    } catch (err) {
      if (!(err instanceof Failure)) throw err;
      if (this.flavour === 'pfsense') return json(err.status, { code: err.status, status: statusText(err.status), response_id: err.responseId, message: err.message, data: [] });
      if (err.status === 401) return json(401, { status: 401, message: 'Authentication Failed' });
      if (err.field) return json(200, { result: 'failed', validations: { [err.field]: err.message } });
      if (err.status === 404) return json(404, { errorMessage: 'Endpoint not found', errorTitle: 'Error' });
      return json(err.status === 200 ? 200 : err.status, { errorMessage: err.message, errorTitle: 'Error' });
    }
  }

  #authorized(req: FakeRequest): boolean {
    const h = this.authHeaders;
    return Object.entries(h).every(([k, v]) => req.headers[k] === v);
  }

  #pfsense(req: FakeRequest): unknown {
    const path = req.url.pathname;
    const q = req.url.searchParams;
    const per = /^\/api\/v2\/user\/group\/(\d+)\/member(?:\/([^/]+))?$/.exec(path);
    if (per && this.#memberEndpoints) return this.#perMember(req, this.groups[Number(per[1])], per[2]);
    switch (`${req.method} ${path}`) {
      case 'GET /api/v2/users':
        return page(filter(this.users.map((u, i) => this.#pfUser(u, i)), q), q);
      case 'GET /api/v2/user/groups':
        return page(filter(this.groups.map((g, i) => this.#pfGroup(g, i)), q), q);
      case 'GET /api/v2/user':
        return this.#pfUser(this.#at(this.users, q.get('id')), Number(q.get('id')));
      case 'GET /api/v2/user/group':
        return this.#pfGroup(this.#at(this.groups, q.get('id')), Number(q.get('id')));
      case 'POST /api/v2/user': {
        const b = body(req, PF_USER_FIELDS);
        if (typeof b['password'] !== 'string' || b['password'] === '') throw new Failure(400, 'FIELD_IS_REQUIRED', 'Field `password` is required.');
        const user = this.seedUser({ name: this.#freeName(b['name'], this.users, 32), passwordSet: true });
        this.#pfSetUser(user, b);
        return this.#pfUser(user, this.users.length - 1);
      }
      case 'PATCH /api/v2/user': {
        const b = body(req, PF_USER_FIELDS);
        const user = this.#at(this.users, b['id']);
        if (b['name'] !== undefined && b['name'] !== user.name) user.name = this.#freeName(b['name'], this.users, 32);
        this.#pfSetUser(user, b);
        return this.#pfUser(user, this.users.indexOf(user));
      }
      case 'DELETE /api/v2/user':
        return this.#pfUser(this.#removeUser(this.#at(this.users, q.get('id'))), Number(q.get('id')));
      case 'POST /api/v2/user/group': {
        const b = body(req, PF_GROUP_FIELDS);
        const group = this.seedGroup({ name: this.#freeName(b['name'], this.groups, 16), description: str(b['description']) });
        if (b['member'] !== undefined) group.members = this.#uids(b['member'], 'member');
        return this.#pfGroup(group, this.groups.length - 1);
      }
      case 'PATCH /api/v2/user/group': {
        const b = body(req, PF_GROUP_FIELDS);
        const group = this.#at(this.groups, b['id']);
        if (b['name'] !== undefined && b['name'] !== group.name) group.name = this.#freeName(b['name'], this.groups, 16);
        if (b['description'] !== undefined) group.description = str(b['description']);
        if (b['member'] !== undefined) group.members = this.#uids(b['member'], 'member');
        return this.#pfGroup(group, this.groups.indexOf(group));
      }
      case 'DELETE /api/v2/user/group': {
        const group = this.#at(this.groups, q.get('id'));
        this.groups.splice(this.groups.indexOf(group), 1);
        return this.#pfGroup(group, Number(q.get('id')));
      }
      default:
        throw new Failure(404, 'ENDPOINT_NOT_FOUND', `Endpoint ${req.method} ${path} not found`);
    }
  }

  #pfUser(u: FakeUser, id: number): Json {
    return { id, name: u.name, descr: u.descr, disabled: u.disabled, scope: u.scope, priv: [], expires: '' };
  }

  #pfGroup(g: FakeGroup, id: number): Json {
    return { id, name: g.name, scope: g.scope, description: g.description, member: this.memberNames(g.name), priv: [] };
  }

  #pfSetUser(user: FakeUser, b: Json): void {
    if (b['descr'] !== undefined) user.descr = str(b['descr']);
    if (b['disabled'] !== undefined) {
      if (typeof b['disabled'] !== 'boolean') throw new Failure(400, 'FIELD_INVALID_TYPE', 'Field `disabled` must be of type `boolean`');
      user.disabled = b['disabled'];
    }
  }

  /** pfSense objects by array index; a missing index is MODEL_OBJECT_NOT_FOUND. */
  #at<T>(list: T[], id: unknown): T {
    const i = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : NaN;
    const item = list[i];
    if (item === undefined) throw new Failure(404, 'MODEL_OBJECT_NOT_FOUND', `Object with ID \`${String(id)}\` does not exist.`);
    return item;
  }

  #opnsense(req: FakeRequest): unknown {
    const m = /^\/api\/auth\/(user|group)\/(add|set|del|get|search)(?:\/([^/]+))?$/.exec(req.url.pathname);
    const per = /^\/api\/auth\/group\/([^/]+)\/member(?:\/([^/]+))?$/.exec(req.url.pathname);
    if (per && this.#memberEndpoints) return this.#perMember(req, this.groups.find((g) => g.uuid === per[1]), per[2]);
    if (!m) throw new Failure(404, 'NOT_FOUND', 'Endpoint not found');
    const [, kind, action, uuid] = m as unknown as [string, 'user' | 'group', string, string | undefined];
    const isUser = kind === 'user';
    const list: (FakeUser | FakeGroup)[] = isUser ? this.users : this.groups;
    const byUuid = uuid === undefined ? undefined : list.find((o) => o.uuid === uuid);
    const needPost = () => {
      if (req.method !== 'POST') throw new Failure(200, 'FAILED', 'POST required');
    };
    switch (action) {
      case 'search': {
        const q = req.method === 'POST' ? new URLSearchParams(Object.entries(body(req, undefined)).map(([k, v]): [string, string] => [k, String(v)])) : req.url.searchParams;
        const rows = list.map((o) => (isUser ? this.#opnUserRow(o as FakeUser) : this.#opnGroupRow(o as FakeGroup))).filter(matchesPhrase(q.get('searchPhrase') ?? ''));
        const size = Number(q.get('rowCount') ?? 10);
        const current = Math.max(1, Number(q.get('current') ?? 1));
        const shown = size < 0 ? rows : rows.slice((current - 1) * size, current * size);
        return { rows: shown, rowCount: shown.length, total: rows.length, current };
      }
      case 'get':
        if (!byUuid) return [];
        return isUser ? { user: this.#opnUser(byUuid as FakeUser) } : { group: this.#opnGroup(byUuid as FakeGroup) };
      case 'add':
      case 'set': {
        needPost();
        const b = body(req, undefined)[kind];
        if (typeof b !== 'object' || b === null) throw new Failure(200, 'FAILED', 'no data');
        const data = b as Json;
        const allowed = isUser ? OPN_USER_FIELDS : OPN_GROUP_FIELDS;
        for (const k of Object.keys(data)) if (!allowed.has(k)) throw new Failure(200, 'FAILED', `fake OPNsense: unknown field ${k}`, `${kind}.${k}`);
        let target = action === 'set' ? byUuid : undefined;
        if (action === 'set' && !target && (uuid === undefined || !UUID.test(uuid))) return { result: 'failed' };
        if (!target) {
          const name = this.#freeName(data['name'], list, 32, `${kind}.name`);
          target = isUser ? this.seedUser({ name, passwordSet: false }) : this.seedGroup({ name });
          if (action === 'set' && uuid) Object.assign(target, { uuid }); // OPNsense's upsert keeps the given uuid
        } else if (data['name'] !== undefined && data['name'] !== target.name) {
          target.name = this.#freeName(data['name'], list, 32, `${kind}.name`);
        }
        if (isUser) this.#opnSetUser(target as FakeUser, data);
        else this.#opnSetGroup(target as FakeGroup, data);
        return action === 'add' ? { result: 'saved', uuid: target.uuid } : { result: 'saved' };
      }
      case 'del': {
        needPost();
        if (!byUuid) return { result: 'not found' };
        if (byUuid.scope === 'system') throw new Failure(200, 'FAILED', `Not allowed to delete system ${kind} ${byUuid.name}`);
        if (isUser) this.#removeUser(byUuid as FakeUser);
        else this.groups.splice(this.groups.indexOf(byUuid as FakeGroup), 1);
        return { result: 'deleted' };
      }
      default:
        throw new Failure(404, 'NOT_FOUND', 'Endpoint not found');
    }
  }

  #opnUserRow(u: FakeUser): Json {
    return { uuid: u.uuid, uid: String(u.uid), name: u.name, disabled: u.disabled ? '1' : '0', scope: u.scope, email: u.email, descr: u.descr, is_admin: '0' };
  }

  #opnUser(u: FakeUser): Json {
    const memberships = Object.fromEntries(this.groups.map((g) => [String(g.gid), { value: g.name, selected: g.members.includes(u.uid) ? 1 : 0 }]));
    return { uid: String(u.uid), name: u.name, disabled: u.disabled ? '1' : '0', scope: u.scope, email: u.email, descr: u.descr, comment: '', password: '', group_memberships: memberships };
  }

  #opnGroupRow(g: FakeGroup): Json {
    return { uuid: g.uuid, gid: String(g.gid), name: g.name, scope: g.scope, description: g.description, member: this.memberNames(g.name)!.join(',') };
  }

  #opnGroup(g: FakeGroup): Json {
    const member = Object.fromEntries(this.users.map((u) => [String(u.uid), { value: u.name, selected: g.members.includes(u.uid) ? 1 : 0 }]));
    return { gid: String(g.gid), name: g.name, scope: g.scope, description: g.description, member, priv: {} };
  }

  #opnSetUser(u: FakeUser, d: Json): void {
    if (d['disabled'] !== undefined) {
      if (d['disabled'] !== '0' && d['disabled'] !== '1') throw new Failure(200, 'FAILED', 'Invalid boolean value.', 'user.disabled');
      u.disabled = d['disabled'] === '1';
    }
    if (d['email'] !== undefined) u.email = str(d['email']);
    if (d['descr'] !== undefined) u.descr = str(d['descr']);
    if (d['scrambled_password'] === '1' || (typeof d['password'] === 'string' && d['password'] !== '')) u.passwordSet = true;
  }

  #opnSetGroup(g: FakeGroup, d: Json): void {
    if (d['description'] !== undefined) g.description = str(d['description']);
    if (d['member'] !== undefined) {
      const uids = str(d['member']).split(',').filter((s) => s !== '').map(Number);
      if (uids.some((uid) => !this.users.some((u) => u.uid === uid))) throw new Failure(200, 'FAILED', 'Option not in list.', 'group.member');
      g.members = [...new Set(uids)];
    }
  }

  #perMember(req: FakeRequest, group: FakeGroup | undefined, rawName: string | undefined): unknown {
    if (!group) throw new Failure(404, 'MODEL_OBJECT_NOT_FOUND', 'no such group');
    if (req.method === 'POST' && rawName === undefined) {
      const name = body(req, new Set(['name']))['name'];
      const [uid] = this.#uids([name], 'name');
      if (group.members.includes(uid!)) throw new Failure(409, 'MEMBER_EXISTS', `${String(name)} is already a member`);
      group.members.push(uid!);
      return { member: this.memberNames(group.name) };
    }
    if (req.method === 'DELETE' && rawName !== undefined) {
      const user = this.user(decodeURIComponent(rawName));
      const at = user ? group.members.indexOf(user.uid) : -1;
      if (at < 0) throw new Failure(404, 'MEMBER_NOT_FOUND', 'not a member');
      group.members.splice(at, 1);
      return { member: this.memberNames(group.name) };
    }
    throw new Failure(405, 'METHOD_NOT_ALLOWED', 'method not allowed');
  }

  #freeName(name: unknown, list: readonly { name: string }[], max: number, field?: string): string {
    if (typeof name !== 'string' || name === '') throw new Failure(400, 'FIELD_IS_REQUIRED', 'Field `name` is required.', field);
    if (this.#strictNames ? !NAME.test(name) || name.length > max : name.length > 64) throw new Failure(400, 'FIELD_INVALID', `Field \`name\` must match ^[a-zA-Z0-9._-]+$ and be at most ${max} characters.`, field);
    if (list.some((o) => o.name === name)) {
      throw new Failure(400, 'FIELD_MUST_BE_UNIQUE', field ? `This ${field === 'user.name' ? 'username' : 'groupname'} already exist.` : `Field 'name' must be unique. Value is in use by object with ID '${list.findIndex((o) => o.name === name)}'.`, field);
    }
    return name;
  }

  #uids(names: unknown, field: string): number[] {
    if (!Array.isArray(names)) throw new Failure(400, 'FIELD_INVALID_MANY_VALUE', `Field \`${field}\` must be of type \`array\`.`);
    return [
      ...new Set(
        names.map((n) => {
          const u = this.users.find((x) => x.name === n);
          if (!u) throw new Failure(400, 'FIELD_INVALID_CHOICE', `Field \`${field}\` must be one of [${this.users.map((x) => x.name).join(', ')}]`);
          return u.uid;
        }),
      ),
    ];
  }

  #removeUser(user: FakeUser): FakeUser {
    if (user.scope === 'system') throw new Failure(400, 'USER_CANNOT_DELETE_SYSTEM', `cannot delete system user ${user.name}`);
    this.users.splice(this.users.indexOf(user), 1);
    for (const g of this.groups) g.members = g.members.filter((uid) => uid !== user.uid);
    return user;
  }
}

/** Starts a fake on 127.0.0.1 with a random port. */
export function startFakeJsonRest(options: FakeJsonRestOptions): Promise<FakeJsonRest> {
  return new FakeJsonRest(options).listen();
}

function json(status: number, value: unknown): FakeResponse {
  return { status, body: JSON.stringify(value) };
}

function statusText(status: number): string {
  return ({ 400: 'bad request', 401: 'unauthorized', 404: 'not found', 409: 'conflict' } as Record<number, string>)[status] ?? 'error';
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function body(req: FakeRequest, allowed: ReadonlySet<string> | undefined): Json {
  let b: unknown;
  try {
    b = req.body === '' ? {} : JSON.parse(req.body);
  } catch {
    throw new Failure(400, 'INVALID_JSON', 'the body is not JSON');
  }
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new Failure(400, 'INVALID_JSON', 'the body is not a JSON object');
  if (allowed) for (const k of Object.keys(b)) if (!allowed.has(k)) throw new Failure(400, 'FIELD_UNKNOWN', `fake pfSense: unknown field \`${k}\``);
  return b as Json;
}

/** pfSense query filters: every parameter but limit/offset must equal the field (as text). */
function filter(rows: Json[], q: URLSearchParams): Json[] {
  const tests = [...q.entries()].filter(([k]) => k !== 'limit' && k !== 'offset');
  return rows.filter((r) => tests.every(([k, v]) => String(r[k]) === v));
}

function page(rows: Json[], q: URLSearchParams): Json[] {
  const offset = Number(q.get('offset') ?? 0);
  const limit = q.has('limit') ? Number(q.get('limit')) : rows.length;
  return rows.slice(offset, offset + limit);
}

/** Bootgrid searchPhrase: every space-separated token is in some field, case-insensitively. */
function matchesPhrase(phrase: string): (row: Json) => boolean {
  const tokens = phrase.toLowerCase().split(' ').filter((t) => t !== '');
  return (row) => tokens.every((t) => Object.values(row).some((v) => String(v).toLowerCase().includes(t)));
}
