/**
 * Group membership changes as deltas. Entra adds and removes members a few at a time on groups that
 * may have thousands; reading and rewriting the whole list would be slow and, against stores that take
 * per-value changes (LDAP), would lose concurrent updates. So PATCH operations that name members
 * explicitly become "add these ids / remove these ids" without reading the group:
 *   {"op":"Add","path":"members","value":[{"value":"id1"},{"value":"id2"}]}
 *   {"op":"Remove","path":"members","value":[{"value":"id"}]}          (Entra, non-standard)
 *   {"op":"remove","path":"members[value eq \"id\"]"}                  (RFC form, aadOptscim062020)
 * Anything else that touches members (replace, remove-all, other filters) needs the current list.
 */
import { invalidValue } from '../errors.js';
import type { Filter, PatchPath } from '../filter/ast.js';
import { GROUP_SCHEMA } from '../schema/definitions.js';
import { isPlainObject, ownEntries } from '../values.js';
import type { PatchOperation } from './request.js';

export interface MemberDelta {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

export interface SplitPatch {
  /** Operations on anything but members. */
  readonly other: PatchOperation[];
  /** Net effect of the member operations, in order; undefined when some member operation needs the current list. */
  readonly delta: MemberDelta | undefined;
  readonly touchesMembers: boolean;
}

// `members` may be qualified with the Group schema URN (RFC 7644 §3.10): `urn:…:core:2.0:Group:members`.
const GROUP_URN = GROUP_SCHEMA.toLowerCase();
const isMembers = (p: PatchPath | undefined): boolean =>
  p !== undefined && (p.uri === undefined || p.uri.toLowerCase() === GROUP_URN) && p.name.toLowerCase() === 'members';

/** `value eq "x"` or an `or` of those → the ids; anything else → undefined. */
function idsFromFilter(f: Filter): string[] | undefined {
  if (f.kind === 'compare' && f.op === 'eq' && f.path.name.toLowerCase() === 'value' && f.path.sub === undefined && typeof f.value === 'string') {
    return [f.value];
  }
  if (f.kind === 'or') {
    const all: string[] = [];
    for (const g of f.filters) {
      const ids = idsFromFilter(g);
      if (!ids) return undefined;
      all.push(...ids);
    }
    return all;
  }
  return undefined;
}

function idsFromValue(value: unknown, where: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  for (const item of items) {
    if (item === null || item === undefined) continue;
    const v = isPlainObject(item) ? ownEntries(item).find(([k]) => k.toLowerCase() === 'value')?.[1] : item;
    if (typeof v !== 'string' || v === '') throw invalidValue(`${where}: each member needs a string "value" (the member's id)`);
    ids.push(v);
  }
  return ids;
}

function memberIds(op: PatchOperation): { add: boolean; ids: string[] } | undefined {
  const where = `Operations[${op.index}]`;
  if (!op.path || !isMembers(op.path) || op.path.sub !== undefined) return undefined;
  if (op.op === 'add' && !op.path.filter) return { add: true, ids: idsFromValue(op.value, where) };
  if (op.op !== 'remove') return undefined;
  if (op.path.filter) {
    const ids = idsFromFilter(op.path.filter);
    return ids ? { add: false, ids } : undefined;
  }
  if (op.value === undefined || op.value === null) return undefined; // remove all: needs the list
  return { add: false, ids: idsFromValue(op.value, where) };
}

function touches(op: PatchOperation): boolean {
  if (op.path) return isMembers(op.path);
  return isPlainObject(op.value) && ownEntries(op.value).some(([k]) => k.toLowerCase() === 'members' || k.toLowerCase() === `${GROUP_URN}:members`);
}

export function splitMemberOperations(ops: readonly PatchOperation[], maxMembers: number): SplitPatch {
  const other: PatchOperation[] = [];
  const net = new Map<string, boolean>();
  let deltaPossible = true;
  let touchesMembers = false;
  let count = 0;
  for (const op of ops) {
    if (!touches(op)) {
      other.push(op);
      continue;
    }
    touchesMembers = true;
    const m = memberIds(op);
    if (!m) {
      deltaPossible = false;
      continue;
    }
    count += m.ids.length;
    if (count > maxMembers) throw invalidValue(`more than ${maxMembers} members in one request; split it`);
    // Last operation wins per id: "add x, remove x" leaves x out whatever the group held before.
    for (const id of m.ids) {
      net.delete(id);
      net.set(id, m.add);
    }
  }
  const delta = deltaPossible
    ? { add: [...net].filter(([, a]) => a).map(([id]) => id), remove: [...net].filter(([, a]) => !a).map(([id]) => id) }
    : undefined;
  return { other, delta, touchesMembers };
}
