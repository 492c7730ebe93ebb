/**
 * Evaluate the filter inside `attr[...]` against one element of a multi-valued complex attribute, as PATCH
 * value paths need (`emails[type eq "work"]`, `members[value eq "…"]`). Comparison follows the
 * sub-attribute's schema: caseExact, and the type of the value.
 */
import { invalidFilter, invalidPath } from '../errors.js';
import { findAttr } from '../schema/resolve.js';
import type { AttributeDef, ScimObject } from '../schema/types.js';
import { toBoolean } from '../values.js';
import type { CompareOp, Filter, FilterValue } from './ast.js';

export function compareScalars(
  op: CompareOp,
  actual: string | number | boolean,
  expected: FilterValue,
  def: Pick<AttributeDef, 'type' | 'caseExact'>,
): boolean {
  if (expected === null) return op === 'ne';
  if (def.type === 'boolean') {
    const e = toBoolean(expected);
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`"${op}" cannot compare booleans`);
    return (actual === e) === (op === 'eq');
  }
  if (typeof actual === 'number') {
    const e = typeof expected === 'number' ? expected : Number(expected);
    return compareOrdered(op, actual - e);
  }
  if (typeof actual !== 'string') return false;
  let a = actual;
  let e = String(expected);
  if (def.type === 'dateTime' && op !== 'co' && op !== 'sw' && op !== 'ew') {
    const ta = Date.parse(a);
    const te = Date.parse(e);
    if (!Number.isNaN(ta) && !Number.isNaN(te)) return compareOrdered(op, ta - te);
  }
  if (!def.caseExact) {
    a = a.toLowerCase();
    e = e.toLowerCase();
  }
  switch (op) {
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    default:
      return compareOrdered(op, a < e ? -1 : a > e ? 1 : 0);
  }
}

function compareOrdered(op: CompareOp, diff: number): boolean {
  switch (op) {
    case 'eq':
      return diff === 0;
    case 'ne':
      return diff !== 0;
    case 'gt':
      return diff > 0;
    case 'ge':
      return diff >= 0;
    case 'lt':
      return diff < 0;
    case 'le':
      return diff <= 0;
    default:
      return false;
  }
}

function subDef(subs: readonly AttributeDef[], name: string, sub: string | undefined): AttributeDef {
  const def = sub === undefined ? findAttr(subs, name) : undefined;
  if (!def) throw invalidPath(`"${sub === undefined ? name : `${name}.${sub}`}" is not a sub-attribute here`);
  return def;
}

export function matchesElement(filter: Filter, element: ScimObject, subs: readonly AttributeDef[]): boolean {
  switch (filter.kind) {
    case 'and':
      return filter.filters.every((f) => matchesElement(f, element, subs));
    case 'or':
      return filter.filters.some((f) => matchesElement(f, element, subs));
    case 'not':
      return !matchesElement(filter.filter, element, subs);
    case 'valuePath':
      throw invalidPath('value filters cannot be nested');
    case 'present': {
      const def = subDef(subs, filter.path.name, filter.path.sub);
      const v = element[def.name];
      return v !== undefined && v !== '';
    }
    case 'compare': {
      const def = subDef(subs, filter.path.name, filter.path.sub);
      const v = element[def.name];
      // Absent: `eq null` holds (as `not pr`, like the filter translation), and `ne` anything but null.
      if (v === undefined) return filter.value === null ? filter.op === 'eq' : filter.op === 'ne';
      if (typeof v === 'object') return false;
      return compareScalars(filter.op, v, filter.value, def);
    }
  }
}

/**
 * The sub-attribute values a value filter pins down (`type eq "work" and primary eq true`), used to
 * create the element when a PATCH targets one that does not exist yet. `undefined` when the filter is
 * not a plain conjunction of `eq` terms, because then there is no single element it describes.
 */
export function equalityTerms(filter: Filter, subs: readonly AttributeDef[]): Map<AttributeDef, FilterValue> | undefined {
  const terms = new Map<AttributeDef, FilterValue>();
  const visit = (f: Filter): boolean => {
    if (f.kind === 'and') return f.filters.every(visit);
    if (f.kind !== 'compare' || f.op !== 'eq' || f.value === null) return false;
    const def = findAttr(subs, f.path.name);
    if (!def || f.path.sub !== undefined) return false;
    terms.set(def, f.value);
    return true;
  };
  return visit(filter) ? terms : undefined;
}
