/**
 * ResourceOps for users or groups on a firewall profile (FirewallApi) and the identity map (Identities).
 *
 * The SCIM id is the identity map's id; the firewall knows only names. What is acknowledged when:
 *  - create: the firewall has the object and the map entry is fsync'd. A POST is never sent twice: when its
 *    answer is lost (connection broken, timeout) the object is read back by name and, if there, taken as
 *    created; otherwise the client gets 503 and retries (Entra first looks the userName up, and a POST that
 *    did land is then found and adopted, never duplicated).
 *  - modify: the firewall change (one PUT: fields and the rename), then the map (new name, externalId),
 *    then member changes. A rename keeps the SCIM id; a lookup by the old name misses.
 *  - delete: a user leaves its groups first (FortiOS refuses to delete a group member, −23), then the object
 *    goes, then the map entry.
 */
import type { IdentityEntry } from '../../src/identity-map/index.js';
import { compareRecords, evaluateFilter } from '../support/evaluate-filter.js';
import {
  ConnectorError,
  type FieldSpec,
  type NativeMember,
  type NativePage,
  type NativeQuery,
  type NativeRecord,
  type NewResource,
  type OpContext,
  type ResourceChange,
  type ResourceOps,
} from '../types.js';
import type { FirewallApi, FirewallGroup, FirewallKind, FirewallObject } from './api.js';
import type { Identities } from './identities.js';
import { usesMembers } from '../support/evaluate-filter.js';
import { candidateKeys, type FieldRoles } from './query.js';
import { applyChanges, checkLengths, ignoreNotFound, invalid, keyProblem, withoutMembers, type Fields } from './rules.js';

export interface KindSetup {
  readonly kind: FirewallKind;
  readonly roles: FieldRoles;
  /** The SCIM attribute that names objects, for messages: userName or displayName. */
  readonly keyAttribute: string;
  /** Mapped fields the firewall itself stores (everything but the key and externalId). */
  readonly fwFields: readonly FieldSpec[];
  /** The native field mapped from `active` (users), whose absence reads as true. */
  readonly activeField: string | undefined;
  /** Fields written but never read back (a mapped `password`). */
  readonly writeOnly: ReadonlySet<string>;
}


export class FirewallResources implements ResourceOps {
  constructor(
    private readonly api: FirewallApi,
    private readonly identities: () => Identities,
    private readonly k: KindSetup,
  ) {}

  get #ids(): Identities {
    return this.identities();
  }

  async get(id: string, opts: { readonly withMembers: boolean }, ctx: OpContext): Promise<NativeRecord | undefined> {
    const entry = this.#ids.map.byId(this.k.kind, id);
    if (!entry) return undefined;
    const obj = await this.api.get(this.k.kind, entry.key, ctx.signal);
    if (!obj) return undefined;
    const members = opts.withMembers && this.k.kind === 'group' ? await this.#memberList(obj, ctx.signal) : undefined;
    return this.#record(obj.key, obj.fields, entry, members);
  }

  async list(query: NativeQuery, ctx: OpContext): Promise<NativePage> {
    const { kind, roles } = this.k;
    const ids = this.#ids;
    const readMembers = kind === 'group' && (query.withMembers || usesMembers(query.filter));
    const matches: NativeRecord[] = [];
    const seen = new Set<string>();
    // A page at a time, its objects together: first sight of many objects adopts them in one group commit.
    const consider = async (objs: readonly FirewallObject[]): Promise<void> => {
      const records = await Promise.all(
        objs.map(async (obj) => {
          const entry = await ids.entryFor(kind, obj.key);
          if (!entry) return undefined; // hidden (adoptExisting: false)
          return this.#record(obj.key, obj.fields, entry, readMembers ? await this.#memberList(obj, ctx.signal) : undefined);
        }),
      );
      for (const r of records) {
        // Paging over a table that changes meanwhile can show an object twice.
        if (!r || seen.has(r.id)) continue;
        seen.add(r.id);
        if (!query.filter || evaluateFilter(query.filter, r)) matches.push(r);
      }
    };
    const keys = candidateKeys(query.filter, roles, ids.map, kind, (key) => ids.fold(key));
    if (keys) {
      const found = await Promise.all(keys.filter((key) => this.#keyProblem(key) === undefined).map((key) => this.api.get(kind, key, ctx.signal)));
      await consider(found.filter((o) => o !== undefined));
    } else {
      for await (const page of this.api.list(kind, ctx.signal)) await consider(page);
    }
    if (query.sort) {
      const sort = query.sort;
      matches.sort((a, b) => compareRecords(a, b, sort));
    }
    const start = query.startIndex - 1;
    const page = query.count === 0 ? [] : matches.slice(start, start + query.count);
    return { totalResults: matches.length, records: query.withMembers ? page : page.map(withoutMembers) };
  }

  async create(input: NewResource, ctx: OpContext): Promise<NativeRecord> {
    const { kind, roles, activeField } = this.k;
    const key = this.#checkKey(input.fields[roles.key]);
    const externalId = this.#externalIdIn(input.fields);
    const fields = this.#fwFieldsIn(input.fields);
    // Send `active` explicitly, so the answer needs no read-back: absent means enabled.
    if (activeField !== undefined && !(activeField in fields)) fields[activeField] = true;
    const memberIds = kind === 'group' ? [...new Set(input.members ?? [])] : [];
    const memberKeys = this.#memberKeys(memberIds);
    return this.#ids.withInFlight(kind, [key], async () => {
      await this.#claim(key, undefined, ctx.signal);
      await this.#post(key, fields, kind === 'group' ? memberKeys : undefined, ctx);
      const entry = await this.#bind(key, externalId, ctx);
      const members = kind === 'group' ? memberIds.map((value): NativeMember => ({ value, type: 'User' })) : undefined;
      return this.#record(key, fields, entry, members);
    });
  }

  async modify(id: string, change: ResourceChange, ctx: OpContext): Promise<NativeRecord> {
    const { kind, roles } = this.k;
    const ids = this.#ids;
    const entry = ids.map.byId(kind, id);
    if (!entry) throw new ConnectorError('not-found', `${kind} ${JSON.stringify(id)} not found`);
    let rename: string | undefined;
    let externalId = entry.externalId;
    const set: Fields = {};
    const unset = new Set<string>();
    for (const c of change.fields) {
      if (c.field === roles.key) {
        if (c.op === 'unset') throw invalid(`${this.k.keyAttribute} is required`, this.k.keyAttribute);
        rename = this.#checkKey(c.value);
      } else if (c.field === roles.externalId) {
        externalId = c.op === 'set' && c.value !== '' ? String(c.value) : undefined;
      } else if (c.op === 'set') {
        set[c.field] = c.value;
        unset.delete(c.field);
      } else {
        delete set[c.field];
        unset.add(c.field);
      }
    }
    this.#checkLengths(set);
    const add = this.#memberKeys(change.addMembers ?? []);
    const remove = this.#knownMemberKeys(change.removeMembers ?? []);
    const obj = await this.api.get(kind, entry.key, ctx.signal);
    if (!obj) throw new ConnectorError('not-found', `${kind} ${JSON.stringify(id)} no longer exists on the firewall (as ${JSON.stringify(entry.key)})`);
    if (rename === obj.key) rename = undefined;
    const next = applyChanges(obj.fields, set, unset, this.k.activeField);
    const changedSet = Object.fromEntries(Object.entries(set).filter(([f, v]) => obj.fields[f] !== v));
    const changedUnset = [...unset].filter((f) => obj.fields[f] !== next[f]);
    const fwChange = rename !== undefined || Object.keys(changedSet).length > 0 || changedUnset.length > 0;
    return ids.withInFlight(kind, rename === undefined ? [] : [rename], async () => {
      if (rename !== undefined) await this.#claim(rename, id, ctx.signal);
      if (fwChange) await this.api.update(kind, obj.key, { set: changedSet, unset: changedUnset, ...(rename !== undefined ? { rename } : {}) }, ctx.signal);
      const key = rename ?? obj.key;
      let after: IdentityEntry = entry;
      if (key !== entry.key || externalId !== entry.externalId) {
        try {
          after = await ids.write(`update the identity of ${kind} ${JSON.stringify(key)}`, () => ids.map.put({ kind, id, key, externalId }));
        } catch (err) {
          if (rename !== undefined) await this.#undo(`rename ${kind} back`, ctx, () => this.api.update(kind, key, { set: {}, unset: [], rename: obj.key }, ctx.signal));
          throw err;
        }
      }
      const members = add.length > 0 || remove.length > 0;
      if (members) await this.api.changeMembers(key, { add, remove }, ctx.signal);
      if (after === entry && (fwChange || members)) after = await this.#touch(id);
      return this.#record(key, next, after, undefined);
    });
  }

  async delete(id: string, ctx: OpContext): Promise<void> {
    const { kind } = this.k;
    const ids = this.#ids;
    const entry = ids.map.byId(kind, id);
    if (!entry) throw new ConnectorError('not-found', `${kind} ${JSON.stringify(id)} not found`);
    try {
      if (kind === 'user' && this.api.groups) {
        for (const group of await this.api.groupsOf(entry.key, ctx.signal)) {
          // A group deleted meanwhile no longer holds the user either.
          await this.api.changeMembers(group, { add: [], remove: [entry.key] }, ctx.signal).catch(ignoreNotFound);
        }
      }
      await this.api.delete(kind, entry.key, ctx.signal);
    } catch (err) {
      if (!(err instanceof ConnectorError && err.kind === 'not-found')) throw err;
      // Deleted on the firewall already: the stale entry goes, and the client hears 404 as for any absent id.
      await ids.write(`forget ${kind} ${id}`, () => ids.map.remove(kind, id));
      throw new ConnectorError('not-found', `${kind} ${JSON.stringify(id)} no longer exists on the firewall`, { cause: err });
    }
    await ids.write(`forget ${kind} ${id}`, () => ids.map.remove(kind, id));
  }

  async changeMembers(id: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }, ctx: OpContext): Promise<void> {
    if (this.k.kind !== 'group') throw new ConnectorError('unsupported', 'users have no members');
    const entry = this.#ids.map.byId('group', id);
    if (!entry) throw new ConnectorError('not-found', `group ${JSON.stringify(id)} not found`);
    const add = this.#memberKeys(change.add);
    const remove = this.#knownMemberKeys(change.remove);
    if (add.length === 0 && remove.length === 0) return;
    await this.api.changeMembers(entry.key, { add, remove }, ctx.signal);
    await this.#touch(id);
  }

  /** meta.lastModified follows a change the map itself does not record (fields, members on the firewall). */
  #touch(id: string): Promise<IdentityEntry> {
    const { kind } = this.k;
    return this.#ids.write(`record the change of ${kind} ${id}`, () => this.#ids.map.touch(kind, id));
  }

  #record(key: string, fields: Readonly<Fields>, entry: IdentityEntry, members: readonly NativeMember[] | undefined): NativeRecord {
    const { roles } = this.k;
    const out: Fields = {};
    for (const [f, v] of Object.entries(fields)) if (v !== '' && !this.k.writeOnly.has(f)) out[f] = v;
    out[roles.key] = key;
    if (roles.externalId !== undefined && entry.externalId !== undefined) out[roles.externalId] = entry.externalId;
    return { id: entry.id, fields: out, meta: { created: entry.created, lastModified: entry.lastModified }, ...(members ? { members } : {}) };
  }

  async #memberList(obj: FirewallObject, signal: AbortSignal): Promise<NativeMember[]> {
    const ids = await this.#ids.memberIds((obj as FirewallGroup).members ?? [], signal);
    return ids.map((value) => ({ value, type: 'User' }));
  }

  /** Ensures `key` is free for `selfId` (undefined: a new object): a live holder is a conflict, a stale entry goes. */
  async #claim(key: string, selfId: string | undefined, signal: AbortSignal): Promise<void> {
    const { kind, keyAttribute } = this.k;
    const ids = this.#ids;
    const holder = ids.map.byKey(kind, key);
    if (!holder || holder.id === selfId) return;
    if (await this.api.get(kind, holder.key, signal)) {
      throw new ConnectorError('conflict', `a ${kind} with ${keyAttribute} ${JSON.stringify(holder.key)} already exists`, { attribute: keyAttribute });
    }
    await ids.write(`forget stale ${kind} ${holder.id}`, () => ids.map.remove(kind, holder.id));
  }

  /** The create request; when its answer is lost, the object is read back instead of sent again. */
  async #post(key: string, fields: Fields, members: readonly string[] | undefined, ctx: OpContext): Promise<void> {
    const { kind } = this.k;
    try {
      await this.api.create(kind, { key, fields, ...(members ? { members } : {}) }, ctx.signal);
      return;
    } catch (err) {
      if (!(err instanceof ConnectorError && err.kind === 'unavailable')) throw err;
      const found = await this.api.get(kind, key, ctx.signal).catch(() => undefined);
      if (!found) throw err;
      ctx.log.warn({ kind, requestId: ctx.requestId }, 'firewall-rest: the answer to a create was lost, and the object is there: taken as created');
      // It may also predate this request (made on the box): make it what the client asked for.
      const differs = Object.fromEntries(Object.entries(fields).filter(([f, v]) => found.fields[f] !== v));
      if (Object.keys(differs).length > 0) await this.api.update(kind, found.key, { set: differs, unset: [] }, ctx.signal);
      if (members && members.length > 0) await this.api.changeMembers(found.key, { add: members, remove: [] }, ctx.signal);
    }
  }

  /** The map entry for a just-created object. */
  async #bind(key: string, externalId: string | undefined, ctx: OpContext): Promise<IdentityEntry> {
    const { kind, keyAttribute } = this.k;
    const ids = this.#ids;
    const holder = ids.map.byKey(kind, key);
    if (holder && holder.key !== key) {
      // Another object whose name differs only in case, on a firewall that tells them apart: undo ours.
      await this.#undo(`delete the new ${kind} again`, ctx, () => this.api.delete(kind, key, ctx.signal));
      throw new ConnectorError('conflict', `a ${kind} with ${keyAttribute} ${JSON.stringify(holder.key)} already exists`, { attribute: keyAttribute });
    }
    return ids.write(`record the new ${kind}`, () => ids.map.put({ kind, ...(holder ? { id: holder.id } : {}), key, externalId }));
  }

  async #undo(what: string, ctx: OpContext, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      ctx.log.error({ err, requestId: ctx.requestId }, `firewall-rest: could not ${what}`);
    }
  }

  #keyProblem(key: unknown): string | undefined {
    return keyProblem(key, this.k.keyAttribute, this.k.kind, this.api.limits.maxKeyLength[this.k.kind]);
  }

  #checkKey(key: unknown): string {
    const problem = this.#keyProblem(key);
    if (problem !== undefined) throw invalid(problem, this.k.keyAttribute);
    return key as string;
  }

  #checkLengths(fields: Readonly<Fields>): void {
    checkLengths(fields, this.api.limits.maxFieldLength ?? {}, this.k.fwFields);
  }

  #externalIdIn(fields: Readonly<Fields>): string | undefined {
    const f = this.k.roles.externalId;
    const v = f === undefined ? undefined : fields[f];
    return v === undefined || v === '' ? undefined : String(v);
  }

  #fwFieldsIn(fields: Readonly<Fields>): Fields {
    const out: Fields = {};
    for (const spec of this.k.fwFields) {
      const v = fields[spec.field];
      if (v !== undefined && v !== '') out[spec.field] = v;
    }
    this.#checkLengths(out);
    return out;
  }

  /** Firewall names of members to add; an id that is no user is invalid (FortiOS groups hold users, not groups). */
  #memberKeys(memberIds: readonly string[]): string[] {
    const map = this.#ids.map;
    const keys = new Map<string, string>();
    for (const id of memberIds) {
      const user = map.byId('user', id);
      if (!user) {
        const why = map.byId('group', id) ? "is a group; the firewall's groups hold users only" : 'does not exist';
        throw invalid(`member ${JSON.stringify(id)} ${why}`, 'members');
      }
      keys.set(this.#ids.fold(user.key), user.key);
    }
    return [...keys.values()];
  }

  /** Firewall names of members to remove; unknown ids are not members anyway. */
  #knownMemberKeys(memberIds: readonly string[]): string[] {
    return memberIds.flatMap((id) => {
      const user = this.#ids.map.byId('user', id);
      return user ? [user.key] : [];
    });
  }
}
