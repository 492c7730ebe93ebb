/**
 * Users or groups of the generic profile: find by name (then by native id, when configured), list page by
 * page, create, update (fields and rename), delete. Every write that needs `{id}` finds the object first, in
 * the same call: ids are never kept between calls (pfSense's are array indexes that shift after deletes).
 */
import type { Logger } from '../../../src/log.js';
import { ConnectorError, type NativeScalar } from '../../types.js';
import type { FirewallGroup, FirewallObject } from '../api.js';
import type { GenericClient } from './client.js';
import type { KindConfig } from './config.js';
import type { Paging } from './config-ops.js';
import { formatPath, isRecord, readPath } from './extract.js';
import type { ObjectCodec } from './objects.js';
import { placeholdersOf, type TemplateValues } from './template.js';

/** A guard against an API that pages forever (ignores the page parameters and never runs short). */
const MAX_PAGES = 100_000;

export interface Found {
  readonly key: string;
  readonly id: string | number | undefined;
  readonly raw: Record<string, unknown>;
}

export interface FieldChange {
  readonly set: Readonly<Record<string, NativeScalar>>;
  readonly unset: readonly string[];
  readonly rename?: string;
}

function pagingQuery(p: Paging, pageNo: number, size: number): Record<string, string> {
  switch (p.style) {
    case 'none':
      return {};
    case 'offset':
      return { [p.offset]: String(pageNo * size), [p.limit]: String(size) };
    case 'page':
      return { [p.page]: String(p.firstPage + pageNo), [p.size]: String(size) };
  }
}

export class KindOps {
  /** Whether the update request carries `{newKey}`, i.e. can rename. */
  readonly renames: boolean;
  readonly #kindName: string;

  constructor(
    private readonly client: GenericClient,
    readonly cfg: KindConfig,
    readonly codec: ObjectCodec,
    private readonly log: Logger,
    private readonly pageSize: number,
  ) {
    const u = cfg.update;
    this.renames = [u.path, ...Object.values(u.query ?? {}), ...(u.body ? [u.body] : [])].flatMap(placeholdersOf).some((p) => p.name === 'newKey');
    this.#kindName = codec.kind;
  }

  get #attribute(): string {
    return this.codec.kind === 'user' ? 'userName' : 'displayName';
  }

  /** The object in messages, after the request's `what` ("update user" + `"jdoe"`). */
  subject(key: string): string {
    return JSON.stringify(key);
  }

  /** Why `key` cannot be a name on this firewall (`name.pattern`), or undefined. */
  nameProblem(key: string): string | undefined {
    const { pattern, maxLength } = this.cfg.name;
    if ([...key].length > maxLength) return `${this.#attribute} ${JSON.stringify(key)} is longer than ${maxLength} characters, the firewall's limit for ${this.#kindName} names`;
    if (pattern && !pattern.test(key)) return `${this.#attribute} ${JSON.stringify(key)} does not fit the firewall's rule for ${this.#kindName} names (${pattern.source.slice(4, -2)})`;
    return undefined;
  }

  checkName(key: string): void {
    const problem = this.nameProblem(key);
    if (problem !== undefined) throw new ConnectorError('invalid', `${this.client.label}: ${problem}`, { attribute: this.#attribute });
  }

  /** The object named `key` with its native id, read fresh; undefined when there is none (or it is ignored). */
  async find(key: string, signal: AbortSignal): Promise<Found | undefined> {
    if (this.nameProblem(key) !== undefined) return undefined; // the firewall cannot hold it
    const { get, fetch } = this.cfg;
    const what = `read ${this.#kindName}`;
    const answer = await this.client.sendOrMissing(get, { key }, what, this.subject(key), signal);
    const hit = answer && this.codec.find(readPath(answer.body, get.item), key);
    if (!hit || this.codec.ignored(hit)) return undefined;
    const found: Found = { key: this.codec.keyOf(hit) ?? key, id: this.codec.idOf(hit), raw: hit };
    return fetch ? this.#fetch(found, signal) : found;
  }

  /** The full object by its native id (`fetch`), keeping the name and id from the first read. */
  async #fetch(found: Found, signal: AbortSignal): Promise<Found | undefined> {
    const fetch = this.cfg.fetch!;
    if (found.id === undefined) throw this.#noId(found.key);
    const answer = await this.client.sendOrMissing(fetch, { key: found.key, id: found.id }, `read ${this.#kindName}`, this.subject(found.key), signal);
    const raw = answer && readPath(answer.body, fetch.item);
    if (!isRecord(raw) || Object.keys(raw).length === 0 || this.codec.ignored(raw)) return undefined;
    return { key: found.key, id: found.id, raw };
  }

  /** The id a write needs; an answer without one is a configuration that does not fit the API. */
  #noId(key: string): ConnectorError {
    return new ConnectorError('internal', `${this.client.label}: ${this.#kindName} ${this.subject(key)} has no native id at ${formatPath(this.cfg.object.id ?? [])} in the answer; check ${this.#kindName}s.object.id`);
  }

  async get(key: string, signal: AbortSignal): Promise<FirewallObject | FirewallGroup | undefined> {
    const found = await this.find(key, signal);
    return found && this.codec.toObject(found.raw, found.key);
  }

  /** Every object, a page at a time; `size` overrides the page size (the check asks for one object). */
  async *list(signal: AbortSignal, size = this.pageSize): AsyncIterable<readonly (FirewallObject | FirewallGroup)[]> {
    const op = this.cfg.list;
    const what = `list ${this.#kindName}s`;
    let seen = 0;
    let previousFirst: string | undefined;
    for (let pageNo = 0; pageNo < MAX_PAGES; pageNo++) {
      const { body } = await this.client.send(op, {}, what, '', signal, pagingQuery(op.paging, pageNo, size));
      const items = this.#items(readPath(body, op.items), what);
      const page = op.fetchEach ? await this.#fetchEach(items, signal) : items.flatMap((raw) => this.codec.toObject(raw) ?? []);
      const first = items.length > 0 ? this.codec.keyOf(items[0]) : undefined;
      if (op.paging.style !== 'none' && pageNo > 0 && first !== undefined && first === previousFirst) {
        this.log.warn({ what, page: pageNo }, `${this.client.label}: the API answered the same page again; check ${this.#kindName}s.list.paging`);
        return;
      }
      previousFirst = first;
      if (page.length > 0) yield page;
      seen += items.length;
      if (op.paging.style === 'none' || items.length < size) return;
      const total = op.total ? Number(readPath(body, op.total)) : NaN;
      if (Number.isFinite(total) && seen >= total) return;
      if (items.length > size) {
        this.log.warn({ what, asked: size, got: items.length }, `${this.client.label}: the API ignored the page size; taking its answer as the whole list`);
        return;
      }
    }
    throw new ConnectorError('internal', `${this.client.label}: ${what}: more than ${MAX_PAGES} pages`);
  }

  #items(value: unknown, what: string): unknown[] {
    if (Array.isArray(value)) return value;
    if (value === undefined || value === null) return [];
    // Some APIs key their lists by id ({"0": {...}, "1": {...}}).
    if (isRecord(value) && Object.values(value).every(isRecord)) return Object.values(value);
    throw new ConnectorError('internal', `${this.client.label}: ${what}: no list at ${formatPath(this.cfg.list.items)} in the answer; check ${this.#kindName}s.list.items`);
  }

  async #fetchEach(items: unknown[], signal: AbortSignal): Promise<(FirewallObject | FirewallGroup)[]> {
    const rows = items.filter((raw) => isRecord(raw) && !this.codec.ignored(raw) && this.codec.keyOf(raw) !== undefined) as Record<string, unknown>[];
    const found = await Promise.all(rows.map((raw) => this.#fetch({ key: this.codec.keyOf(raw)!, id: this.codec.idOf(raw), raw }, signal)));
    return found.flatMap((f) => (f ? (this.codec.toObject(f.raw, f.key) ?? []) : []));
  }

  async create(key: string, fields: Readonly<Record<string, NativeScalar>>, members: TemplateValues['members'], signal: AbortSignal): Promise<void> {
    this.checkName(key);
    const values: TemplateValues = { key, newKey: key, fields: this.codec.toWire(fields), ...(members !== undefined ? { members } : {}) };
    await this.client.send(this.cfg.create, values, `create ${this.#kindName}`, this.subject(key), signal);
  }

  async update(key: string, change: FieldChange, signal: AbortSignal): Promise<void> {
    if (change.rename !== undefined && !this.renames) {
      throw new ConnectorError('invalid', `${this.client.label}: renaming is not supported: ${this.#kindName}s.update has no {newKey}`, { attribute: this.#attribute });
    }
    if (change.rename !== undefined) this.checkName(change.rename);
    const found = await this.mustFind(key, signal);
    const current = this.codec.toObject(found.raw, found.key)?.fields ?? {};
    // The whole state goes out, so PUT-style APIs keep what did not change; PATCH-style ones get the same values.
    const wire = this.codec.toWire({ ...current, ...change.set });
    for (const f of change.unset) wire[f] = this.codec.clearValue(f);
    const values: TemplateValues = { key: found.key, newKey: change.rename ?? found.key, fields: wire, ...this.idFor(found) };
    await this.client.send(this.cfg.update, values, change.rename !== undefined ? `rename ${this.#kindName}` : `update ${this.#kindName}`, this.subject(found.key), signal);
  }

  async delete(key: string, signal: AbortSignal): Promise<void> {
    const found = await this.mustFind(key, signal);
    await this.client.send(this.cfg.delete, { key: found.key, ...this.idFor(found) }, `delete ${this.#kindName}`, this.subject(found.key), signal);
  }

  /** `{ id }` for the templates, when the configuration reads ids. */
  idFor(found: Found): { id?: string | number } {
    if (this.cfg.object.id === undefined) return {};
    if (found.id === undefined) throw this.#noId(found.key);
    return { id: found.id };
  }

  async mustFind(key: string, signal: AbortSignal): Promise<Found> {
    const found = await this.find(key, signal);
    if (!found) throw new ConnectorError('not-found', `${this.client.label}: ${this.#kindName} ${this.subject(key)} does not exist on the firewall`);
    return found;
  }
}
