/**
 * In-memory evaluation of a NativeFilter against a NativeRecord, and record ordering for `sortBy`, for
 * connectors that hold their records (json-file) or have to filter what a REST API returns. Comparison
 * rules are the SCIM ones (src/scim/filter/match-element.ts), so every connector agrees on what
 * `userName eq "JSmith"` matches.
 */
import { compareScalars } from '../../src/scim/filter/match-element.js';
import type { NativeFilter, NativeRecord, NativeScalar, NativeSort, NativeTarget } from '../types.js';

function valuesOf(r: NativeRecord, t: NativeTarget): NativeScalar[] {
  switch (t.kind) {
    case 'id':
      return [r.id];
    case 'meta': {
      const v = r.meta?.[t.name];
      return v === undefined ? [] : [v];
    }
    case 'member':
      return (r.members ?? []).map((m) => m.value);
    case 'field': {
      const v = Object.hasOwn(r.fields, t.field) ? r.fields[t.field] : undefined;
      return v === undefined || v === '' ? [] : [v];
    }
  }
}

export function evaluateFilter(f: NativeFilter, r: NativeRecord): boolean {
  switch (f.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return f.filters.every((g) => evaluateFilter(g, r));
    case 'or':
      return f.filters.some((g) => evaluateFilter(g, r));
    case 'not':
      return !evaluateFilter(f.filter, r);
    case 'pr':
      return valuesOf(r, f.target).length > 0;
    default: {
      const values = valuesOf(r, f.target);
      // An absent attribute equals nothing, so `ne` holds for it (ne is the negation of eq).
      if (values.length === 0) return f.op === 'ne';
      return values.some((v) => compareScalars(f.op, v, f.value, f));
    }
  }
}

/** Orders records for `sortBy`; records without the attribute sort last either way (RFC 7644 §3.4.2.3). */
export function compareRecords(a: NativeRecord, b: NativeRecord, sort: NativeSort): number {
  const va = valuesOf(a, sort.target)[0];
  const vb = valuesOf(b, sort.target)[0];
  if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? 1 : -1;
  let d: number;
  if (typeof va === 'number' && typeof vb === 'number') d = va - vb;
  else if (typeof va === 'boolean' || typeof vb === 'boolean') d = Number(va) - Number(vb);
  else {
    const x = sort.caseExact ? String(va) : String(va).toLowerCase();
    const y = sort.caseExact ? String(vb) : String(vb).toLowerCase();
    d = x < y ? -1 : x > y ? 1 : 0;
  }
  return sort.descending ? -d : d;
}

/** Whether a filter looks at group members, so records must carry them to be evaluated. */
export function usesMembers(f: NativeFilter | undefined): boolean {
  if (!f) return false;
  switch (f.op) {
    case 'and':
    case 'or':
      return f.filters.some(usesMembers);
    case 'not':
      return usesMembers(f.filter);
    case 'true':
    case 'false':
      return false;
    default:
      return f.target.kind === 'member';
  }
}
