/**
 * The in-memory state of the JSON-file store and the journal entries that change it (the StateMachine
 * the durable engine in src/durable replays). Records are immutable: every change replaces the record
 * object, so a snapshot can serialise references while writes go on. Group members live in a separate
 * mutable index so that adding one member to a large group costs O(1), in memory and in the journal.
 */
import type { StateMachine } from '../../src/durable/index.js';
import type { NativeScalar } from '../types.js';

export type Kind = 'user' | 'group';

export interface StoredMeta {
  readonly created: string;
  readonly lastModified: string;
  /** Increments on every change; the ETag. */
  readonly version: number;
}

export interface StoredRecord {
  readonly id: string;
  readonly fields: Readonly<Record<string, NativeScalar>>;
  readonly meta: StoredMeta;
}

export type Entry =
  /** Create or replace a record; `members` (groups, on create) are the initial members. */
  | { readonly t: 'put'; readonly kind: Kind; readonly rec: StoredRecord; readonly members?: readonly string[] }
  | { readonly t: 'del'; readonly kind: Kind; readonly id: string; readonly at: string }
  | { readonly t: 'members'; readonly id: string; readonly add: readonly string[]; readonly remove: readonly string[]; readonly at: string };

/** Which native fields the indexes are built on (from the mapping: userName, externalId, group displayName). */
export interface IndexFields {
  readonly userName: string;
  readonly userExternalId: string | undefined;
  readonly groupName: string;
  readonly groupExternalId: string | undefined;
}

export interface State {
  readonly users: Map<string, StoredRecord>;
  readonly groups: Map<string, StoredRecord>;
  /** group id → member ids, in insertion order. */
  readonly members: Map<string, Set<string>>;
  /** member id → ids of the groups it is in (for deletes). */
  readonly memberOf: Map<string, Set<string>>;
  /** lower-cased unique keys → id. */
  readonly userNames: Map<string, string>;
  readonly groupNames: Map<string, string>;
  /** lower-cased externalId → ids (not unique). */
  readonly userExternalIds: Map<string, Set<string>>;
  readonly groupExternalIds: Map<string, Set<string>>;
}

export const FORMAT = 'scimbridge.json-file/1';

const key = (v: NativeScalar | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v.toLowerCase() : undefined);

function addTo(map: Map<string, Set<string>>, k: string | undefined, id: string): void {
  if (k === undefined) return;
  const set = map.get(k);
  if (set) set.add(id);
  else map.set(k, new Set([id]));
}

function removeFrom(map: Map<string, Set<string>>, k: string | undefined, id: string): void {
  if (k === undefined) return;
  const set = map.get(k);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(k);
}

function touch(rec: StoredRecord, at: string): StoredRecord {
  return { ...rec, meta: { ...rec.meta, lastModified: at, version: rec.meta.version + 1 } };
}

export function createMachine(ix: IndexFields): StateMachine<State, Entry> {
  const unindex = (s: State, kind: Kind, rec: StoredRecord): void => {
    if (kind === 'user') {
      const k = key(rec.fields[ix.userName]);
      if (k !== undefined && s.userNames.get(k) === rec.id) s.userNames.delete(k);
      if (ix.userExternalId) removeFrom(s.userExternalIds, key(rec.fields[ix.userExternalId]), rec.id);
    } else {
      const k = key(rec.fields[ix.groupName]);
      if (k !== undefined && s.groupNames.get(k) === rec.id) s.groupNames.delete(k);
      if (ix.groupExternalId) removeFrom(s.groupExternalIds, key(rec.fields[ix.groupExternalId]), rec.id);
    }
  };
  const index = (s: State, kind: Kind, rec: StoredRecord): void => {
    if (kind === 'user') {
      const k = key(rec.fields[ix.userName]);
      if (k !== undefined) s.userNames.set(k, rec.id);
      if (ix.userExternalId) addTo(s.userExternalIds, key(rec.fields[ix.userExternalId]), rec.id);
    } else {
      const k = key(rec.fields[ix.groupName]);
      if (k !== undefined) s.groupNames.set(k, rec.id);
      if (ix.groupExternalId) addTo(s.groupExternalIds, key(rec.fields[ix.groupExternalId]), rec.id);
    }
  };
  const put = (s: State, kind: Kind, rec: StoredRecord): void => {
    const map = kind === 'user' ? s.users : s.groups;
    const old = map.get(rec.id);
    if (old) unindex(s, kind, old);
    map.set(rec.id, rec);
    index(s, kind, rec);
    if (kind === 'group' && !s.members.has(rec.id)) s.members.set(rec.id, new Set());
  };
  const changeMembers = (s: State, groupId: string, add: readonly string[], remove: readonly string[]): void => {
    const set = s.members.get(groupId);
    if (!set) return;
    for (const m of remove) {
      set.delete(m);
      removeFrom(s.memberOf, m, groupId);
    }
    for (const m of add) {
      set.add(m);
      addTo(s.memberOf, m, groupId);
    }
  };
  const apply = (s: State, e: Entry): void => {
    if (e.t === 'put') {
      put(s, e.kind, e.rec);
      if (e.members) changeMembers(s, e.rec.id, e.members, []);
      return;
    }
    if (e.t === 'members') {
      const g = s.groups.get(e.id);
      if (!g) return;
      changeMembers(s, e.id, e.add, e.remove);
      s.groups.set(e.id, touch(g, e.at));
      return;
    }
    const map = e.kind === 'user' ? s.users : s.groups;
    const old = map.get(e.id);
    if (!old) return;
    unindex(s, e.kind, old);
    map.delete(e.id);
    // Deleting a user (or a nested group) removes it from every group it was in.
    for (const gid of s.memberOf.get(e.id) ?? []) {
      s.members.get(gid)?.delete(e.id);
      const g = s.groups.get(gid);
      if (g) s.groups.set(gid, touch(g, e.at));
    }
    s.memberOf.delete(e.id);
    if (e.kind === 'group') {
      for (const m of s.members.get(e.id) ?? []) removeFrom(s.memberOf, m, e.id);
      s.members.delete(e.id);
    }
  };
  const empty = (): State => ({
    users: new Map(),
    groups: new Map(),
    members: new Map(),
    memberOf: new Map(),
    userNames: new Map(),
    groupNames: new Map(),
    userExternalIds: new Map(),
    groupExternalIds: new Map(),
  });
  return {
    empty,
    apply,
    load(doc: unknown): State {
      const d = doc as { format?: unknown; users?: unknown; groups?: unknown };
      if (d.format !== FORMAT) throw new Error(`not a scimbridge json-file document (format ${JSON.stringify(d.format)}, expected ${FORMAT})`);
      if (!Array.isArray(d.users) || !Array.isArray(d.groups)) throw new Error('the document needs "users" and "groups" arrays');
      const s = empty();
      for (const u of d.users as StoredRecord[]) put(s, 'user', { id: u.id, fields: u.fields, meta: u.meta });
      for (const g of d.groups as (StoredRecord & { members?: string[] })[]) {
        put(s, 'group', { id: g.id, fields: g.fields, meta: g.meta });
        changeMembers(s, g.id, g.members ?? [], []);
      }
      return s;
    },
    capture(s: State) {
      const groups = [...s.groups.values()].map((g) => ({ ...g, members: [...(s.members.get(g.id) ?? [])] }));
      return { header: { format: FORMAT }, sections: { users: [...s.users.values()], groups } };
    },
  };
}
