/**
 * The FortiOS profile: FirewallApi on the CMDB REST API (`/api/v2/cmdb/user/local`, `/api/v2/cmdb/user/group`,
 * research B1), with a REST API administrator's token as `Authorization: Bearer` and `?vdom=` on every request.
 *
 * Membership: FortiOS stores a group's members as one `member` list that a PUT replaces whole, so a change is
 * GET + PUT under a per-group lock (KeyedLock); members the gateway did not put there (remote-server users,
 * other admins' entries) are kept. A renamed user's memberships follow it (CMDB references are by entry).
 */
import { randomBytes } from 'node:crypto';
import { ConnectorError, type NativeScalar } from '../../types.js';
import type { FirewallApi, FirewallGroup, FirewallKind, FirewallLimits, FirewallObject, HttpRequest, HttpResponse, Transport } from '../api.js';
import { KeyedLock } from '../lock.js';
import type { FortiosConfig } from './config.js';
import { resultsOf, toConnectorError } from './errors.js';
import { fromCmdb, KEY_LIMITS, PASSWORD_FIELD, STATUS_FIELD, toCmdb, USER_TEXT_FIELDS } from './fields.js';

const TABLES: Readonly<Record<FirewallKind, string>> = { user: '/api/v2/cmdb/user/local', group: '/api/v2/cmdb/user/group' };

export interface FortiosDeps {
  readonly transport: Transport;
  /** The native fields the mapping gives each kind, besides the key and externalId (kept by the connector). */
  readonly fields: { readonly user: readonly string[]; readonly group: readonly string[] };
}

const subject = (kind: FirewallKind, key: string): string => `${kind} ${JSON.stringify(key)}`;

/** 32 characters nobody knows, for password users Entra sends no password for. */
const randomPassword = (): string => randomBytes(24).toString('base64url');

/** CMDB members as names; entries without a name (never seen) are dropped. */
function memberNames(entry: Record<string, unknown>): string[] {
  const list = entry['member'];
  if (!Array.isArray(list)) return [];
  return list.flatMap((m: unknown) => {
    const name = typeof m === 'object' && m !== null ? (m as { name?: unknown }).name : undefined;
    return typeof name === 'string' && name !== '' ? [name] : [];
  });
}

export class FortiosApi implements FirewallApi {
  readonly keyCase = 'insensitive' as const;
  readonly limits: FirewallLimits = { maxKeyLength: KEY_LIMITS, maxFieldLength: USER_TEXT_FIELDS };
  readonly groups = true;
  readonly activeField = STATUS_FIELD;
  readonly #cfg: FortiosConfig;
  readonly #t: Transport;
  readonly #fields: FortiosDeps['fields'];
  readonly #members = new KeyedLock((k) => k.toLowerCase());

  constructor(cfg: FortiosConfig, deps: FortiosDeps) {
    this.#cfg = cfg;
    this.#t = deps.transport;
    this.#fields = deps.fields;
    const unknown = deps.fields.user.filter((f) => f !== STATUS_FIELD && f !== PASSWORD_FIELD && !(f in USER_TEXT_FIELDS));
    if (deps.fields.user.includes(PASSWORD_FIELD) && cfg.userType !== 'password') {
      throw new ConnectorError('invalid', `fortios: password is mapped to ${PASSWORD_FIELD}, but userType ${cfg.userType} users authenticate against ${cfg.authServer ?? 'a server'}; remove the mapping`);
    }
    if (unknown.length > 0) {
      throw new ConnectorError(
        'invalid',
        `fortios: user/local has no field ${unknown.join(', ')} the gateway can map; use ${[STATUS_FIELD, ...Object.keys(USER_TEXT_FIELDS)].join(', ')} (FortiOS has no name, title or department fields)`,
      );
    }
    if (deps.fields.group.length > 0) {
      throw new ConnectorError('invalid', `fortios: user/group has no field ${deps.fields.group.join(', ')}; groups store only displayName (name), externalId and members`);
    }
  }

  async check(signal: AbortSignal): Promise<void> {
    const res = await this.#send({ method: 'GET', path: TABLES.user, query: { start: '0', count: '1', format: 'name' }, what: 'probe user/local' }, signal);
    if (res.status !== 200) throw toConnectorError(res, 'probe user/local', `VDOM ${JSON.stringify(this.#cfg.vdom)}`);
  }

  get(kind: 'user', key: string, signal: AbortSignal): Promise<FirewallObject | undefined>;
  get(kind: 'group', key: string, signal: AbortSignal): Promise<FirewallGroup | undefined>;
  get(kind: FirewallKind, key: string, signal: AbortSignal): Promise<FirewallObject | FirewallGroup | undefined>;
  async get(kind: FirewallKind, key: string, signal: AbortSignal): Promise<FirewallObject | FirewallGroup | undefined> {
    const what = `read ${kind}`;
    const res = await this.#send({ method: 'GET', path: this.#path(kind, key), query: { format: this.#format(kind) }, what }, signal);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw toConnectorError(res, what, subject(kind, key));
    const [entry] = resultsOf(res, what);
    return entry === undefined ? undefined : this.#object(kind, entry);
  }

  async *list(kind: FirewallKind, signal: AbortSignal): AsyncIterable<readonly (FirewallObject | FirewallGroup)[]> {
    const size = this.#cfg.pageSize;
    const what = `list ${kind}s`;
    for (let start = 0; ; start += size) {
      const query = { start: String(start), count: String(size), format: this.#format(kind) };
      const res = await this.#send({ method: 'GET', path: TABLES[kind], query, what }, signal);
      if (res.status !== 200) throw toConnectorError(res, what, `the ${kind} table`);
      const page = resultsOf(res, what).flatMap((e) => {
        const o = this.#object(kind, e);
        return o ? [o] : [];
      });
      if (page.length > 0) yield page;
      if (page.length < size) return;
    }
  }

  async create(kind: FirewallKind, object: FirewallObject & { readonly members?: readonly string[] }, signal: AbortSignal): Promise<void> {
    const body: Record<string, unknown> = { name: object.key };
    for (const [f, v] of Object.entries(object.fields)) body[f] = toCmdb(f, v);
    if (kind === 'user') {
      const { userType, authServer } = this.#cfg;
      body['type'] = userType;
      // Entra sends no password: a random one nobody knows keeps the account from logging in until an
      // administrator sets one. It is never logged, stored or returned (FortiOS answers "ENC XXXX").
      if (userType === 'password') body[PASSWORD_FIELD] = object.fields[PASSWORD_FIELD] ?? randomPassword();
      else body[`${userType}-server`] = authServer;
    } else {
      body['group-type'] = this.#cfg.groupType;
      body['member'] = (object.members ?? []).map((name) => ({ name }));
    }
    const what = `create ${kind}`;
    const res = await this.#send({ method: 'POST', path: TABLES[kind], body, what }, signal);
    if (res.status !== 200) throw toConnectorError(res, what, subject(kind, object.key));
  }

  async update(
    kind: FirewallKind,
    key: string,
    change: { readonly set: Readonly<Record<string, NativeScalar>>; readonly unset: readonly string[]; readonly rename?: string },
    signal: AbortSignal,
  ): Promise<void> {
    const body: Record<string, unknown> = {};
    for (const [f, v] of Object.entries(change.set)) body[f] = toCmdb(f, v);
    // A removed password becomes a random one: the account stays, password logins stop.
    for (const f of change.unset) body[f] = f === PASSWORD_FIELD ? randomPassword() : toCmdb(f, undefined);
    if (change.rename !== undefined) body['name'] = change.rename;
    if (Object.keys(body).length === 0) return;
    const what = change.rename !== undefined ? `rename ${kind}` : `update ${kind}`;
    const res = await this.#send({ method: 'PUT', path: this.#path(kind, key), body, what }, signal);
    if (res.status !== 200) throw toConnectorError(res, what, subject(kind, change.rename ?? key));
  }

  async delete(kind: FirewallKind, key: string, signal: AbortSignal): Promise<void> {
    const what = `delete ${kind}`;
    const res = await this.#send({ method: 'DELETE', path: this.#path(kind, key), what }, signal);
    if (res.status !== 200) throw toConnectorError(res, what, subject(kind, key));
  }

  async changeMembers(group: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }, signal: AbortSignal): Promise<void> {
    if (change.add.length === 0 && change.remove.length === 0) return;
    await this.#members.run(group, async () => {
      const current = await this.get('group', group, signal);
      if (!current) throw new ConnectorError('not-found', `FortiOS: change members: group ${JSON.stringify(group)} does not exist on the firewall`);
      const fold = (n: string) => n.toLowerCase();
      const drop = new Set(change.remove.map(fold));
      const next = current.members.filter((m) => !drop.has(fold(m)));
      const present = new Set(next.map(fold));
      for (const name of change.add) {
        if (present.has(fold(name))) continue;
        present.add(fold(name));
        next.push(name);
      }
      const same = next.length === current.members.length && next.every((m, i) => m === current.members[i]);
      if (same) return;
      const what = 'change group members';
      // The list is replaced whole (research B1); the lock keeps a concurrent change from reading it in between.
      const res = await this.#send({ method: 'PUT', path: this.#path('group', current.key), body: { member: next.map((name) => ({ name })) }, what }, signal);
      if (res.status !== 200) throw toConnectorError(res, what, subject('group', current.key));
    });
  }

  async groupsOf(user: string, signal: AbortSignal): Promise<string[]> {
    // A full scan, not `filter=member.name==…`: the CMDB deep-search filter is undocumented (research B6).
    const wanted = user.toLowerCase();
    const out: string[] = [];
    for await (const page of this.list('group', signal)) {
      for (const g of page as FirewallGroup[]) if (g.members.some((m) => m.toLowerCase() === wanted)) out.push(g.key);
    }
    return out;
  }

  #send(req: Omit<HttpRequest, 'headers'>, signal: AbortSignal): Promise<HttpResponse> {
    return this.#t.request(
      {
        ...req,
        query: { vdom: this.#cfg.vdom, ...req.query },
        // Revealed here, per request, and nowhere else; the transport never logs headers.
        headers: { authorization: `Bearer ${this.#cfg.token.reveal()}` },
      },
      signal,
    );
  }

  /** The mkey in the path, percent-encoded (PowerFGT escapes `/`, `%` and `?` the same way). */
  #path(kind: FirewallKind, key: string): string {
    return `${TABLES[kind]}/${encodeURIComponent(key)}`;
  }

  /** Mapped fields read back: all but the write-only password. */
  get #readable(): string[] {
    return this.#fields.user.filter((f) => f !== PASSWORD_FIELD);
  }

  #format(kind: FirewallKind): string {
    return ['name', ...(kind === 'group' ? ['member'] : this.#readable)].join('|');
  }

  #object(kind: FirewallKind, raw: unknown): FirewallObject | FirewallGroup | undefined {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const entry = raw as Record<string, unknown>;
    const key = entry['name'];
    if (typeof key !== 'string' || key === '') return undefined;
    if (kind === 'group') return { key, fields: {}, members: memberNames(entry) };
    return { key, fields: fromCmdb(entry, this.#readable) };
  }
}
