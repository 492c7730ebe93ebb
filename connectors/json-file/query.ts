/**
 * Answering a list query from the in-memory state: use an index when the filter pins the id, userName,
 * externalId or group displayName (Entra's matching queries), scan otherwise.
 */
import { compareRecords, evaluateFilter } from '../support/evaluate-filter.js';
import type { NativeFilter, NativePage, NativeQuery, NativeRecord } from '../types.js';
import type { Kind, State, StoredRecord } from './state.js';

export interface IndexView {
  readonly byId: ReadonlyMap<string, StoredRecord>;
  /** field → lower-cased value → ids */
  readonly lookup: (field: string, lowerValue: string) => Iterable<string> | undefined;
}

export function indexView(s: State, kind: Kind, fields: { name: string | undefined; externalId: string | undefined }): IndexView {
  const names = kind === 'user' ? s.userNames : s.groupNames;
  const ext = kind === 'user' ? s.userExternalIds : s.groupExternalIds;
  return {
    byId: kind === 'user' ? s.users : s.groups,
    lookup: (field, v) => {
      if (fields.name !== undefined && field === fields.name) {
        const id = names.get(v);
        return id === undefined ? [] : [id];
      }
      if (field === fields.externalId) return ext.get(v) ?? [];
      return undefined;
    },
  };
}

/** Candidate ids from indexes, or undefined when the filter needs a scan. */
function candidates(f: NativeFilter, ix: IndexView): Set<string> | undefined {
  switch (f.op) {
    case 'false':
      return new Set();
    case 'and': {
      let best: Set<string> | undefined;
      for (const g of f.filters) {
        const c = candidates(g, ix);
        if (c && (!best || c.size < best.size)) best = c;
      }
      return best;
    }
    case 'or': {
      const all = new Set<string>();
      for (const g of f.filters) {
        const c = candidates(g, ix);
        if (!c) return undefined;
        for (const id of c) all.add(id);
      }
      return all;
    }
    case 'eq': {
      if (f.target.kind === 'id') return new Set(typeof f.value === 'string' && ix.byId.has(f.value) ? [f.value] : []);
      if (f.target.kind !== 'field' || typeof f.value !== 'string') return undefined;
      const hit = ix.lookup(f.target.field, f.value.toLowerCase());
      return hit === undefined ? undefined : new Set(hit);
    }
    default:
      return undefined;
  }
}

export function runQuery(query: NativeQuery, ix: IndexView, view: (r: StoredRecord, withMembers: boolean) => NativeRecord, needsMembers: boolean): NativePage {
  const { filter } = query;
  const ids = filter ? candidates(filter, ix) : undefined;
  const withMembers = query.withMembers || needsMembers;
  const start = query.startIndex - 1;
  // Fast path, Entra's common case: no filter and no sort, just a page of the store in insertion order.
  if (!filter && !query.sort) {
    const records: NativeRecord[] = [];
    let i = 0;
    for (const r of ix.byId.values()) {
      if (i >= start + query.count) break;
      if (i++ >= start) records.push(view(r, query.withMembers));
    }
    return { totalResults: ix.byId.size, records };
  }
  const source: Iterable<StoredRecord> = ids ? [...ids].map((id) => ix.byId.get(id)).filter((r): r is StoredRecord => r !== undefined) : ix.byId.values();
  let matches: NativeRecord[] = [];
  for (const r of source) {
    const v = view(r, withMembers);
    if (!filter || evaluateFilter(filter, v)) matches.push(v);
  }
  if (query.sort) {
    const sort = query.sort;
    matches = matches.sort((a, b) => compareRecords(a, b, sort));
  }
  const page = matches.slice(start, start + query.count);
  const records = query.withMembers || !needsMembers ? page : page.map((r) => ({ id: r.id, fields: r.fields, ...(r.meta ? { meta: r.meta } : {}) }));
  return { totalResults: matches.length, records };
}

