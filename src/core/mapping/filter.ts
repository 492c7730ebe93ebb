/**
 * SCIM filter → NativeFilter over mapped fields. A term on an attribute the endpoint does not store is a
 * 400 invalidFilter naming it (the filter could never be answered truthfully). Value filters on typed
 * elements are folded against the mapping: with `emails[type eq "work"].value → mail`,
 * `emails[type eq "work" and value eq "x"]` becomes `mail eq "x"`, and `emails[type eq "home"]` becomes false.
 */
import type { CompareOp, NativeFilter, NativeScalar, NativeTarget } from '../../../connectors/types.js';
import { invalidFilter, ScimError } from '../../scim/errors.js';
import type { AttrPath, Filter, FilterValue } from '../../scim/filter/ast.js';
import { compareScalars, equalityTerms } from '../../scim/filter/match-element.js';
import { findAttr, formatPath, resolvePath } from '../../scim/schema/resolve.js';
import type { AttributeDef, ResourceTypeDef } from '../../scim/schema/types.js';
import { toBoolean } from '../../scim/values.js';
import type { Slot } from './compile.js';

const TRUE: NativeFilter = { op: 'true' };
const FALSE: NativeFilter = { op: 'false' };

function and(filters: NativeFilter[]): NativeFilter {
  const kept: NativeFilter[] = [];
  for (const f of filters) {
    if (f.op === 'false') return FALSE;
    if (f.op !== 'true') kept.push(f);
  }
  return kept.length === 0 ? TRUE : kept.length === 1 ? (kept[0] as NativeFilter) : { op: 'and', filters: kept };
}

function or(filters: NativeFilter[]): NativeFilter {
  const kept: NativeFilter[] = [];
  for (const f of filters) {
    if (f.op === 'true') return TRUE;
    if (f.op !== 'false') kept.push(f);
  }
  return kept.length === 0 ? FALSE : kept.length === 1 ? (kept[0] as NativeFilter) : { op: 'or', filters: kept };
}

function not(f: NativeFilter): NativeFilter {
  if (f.op === 'true') return FALSE;
  if (f.op === 'false') return TRUE;
  return { op: 'not', filter: f };
}

/** A comparison on a native target, with the operand checked and converted for the attribute's type. */
function term(target: NativeTarget, def: Pick<AttributeDef, 'type' | 'caseExact' | 'name'>, op: CompareOp | 'pr', value: FilterValue, label: string): NativeFilter {
  if (op === 'pr') return { op: 'pr', target };
  if (value === null) {
    if (op === 'eq') return not({ op: 'pr', target });
    if (op === 'ne') return { op: 'pr', target };
    throw invalidFilter(`"${label} ${op} null" compares with null; only eq and ne can`);
  }
  const type = def.type === 'complex' ? 'string' : def.type;
  let v: NativeScalar;
  if (type === 'boolean') {
    const b = toBoolean(value);
    if (b === undefined) throw invalidFilter(`${label} is a boolean; compare it with true or false`);
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`"${op}" cannot compare the boolean ${label}`);
    v = b;
  } else if (type === 'integer' || type === 'decimal') {
    v = typeof value === 'number' ? value : Number(value);
    if (Number.isNaN(v)) throw invalidFilter(`${label} is a number; ${JSON.stringify(value)} is not`);
    if (op === 'co' || op === 'sw' || op === 'ew') throw invalidFilter(`"${op}" needs a string attribute; ${label} is a number`);
  } else {
    v = String(value);
    if (type === 'binary' && op !== 'eq' && op !== 'ne') throw invalidFilter(`"${op}" cannot compare the binary ${label}`);
  }
  return { op, target, value: v, type, caseExact: def.caseExact };
}

export interface FilterContext {
  readonly rt: ResourceTypeDef;
  readonly slots: readonly Slot[];
  /** The connector stores group members (so `members.value` can be filtered). */
  readonly members: boolean;
}

function unstored(label: string): never {
  throw invalidFilter(`"${label}" is not stored by this endpoint, so it cannot be used in a filter`);
}

/** compare/present on a path outside `[...]`. */
function attrTerm(ctx: FilterContext, path: AttrPath, op: CompareOp | 'pr', value: FilterValue): NativeFilter {
  const label = formatPath(path);
  const r = resolvePath(ctx.rt, path);
  if (!r) throw invalidFilter(`unknown attribute "${label}" in filter`);
  if (r.kind === 'extension') throw invalidFilter(`"${label}" is a schema, not an attribute`);
  const { attr, sub } = r;
  // RFC 7644 §7.5.2: a filter on a never-returned attribute (password) would be an oracle for it.
  if (attr.returned === 'never') throw new ScimError(403, 'sensitive', `"${label}" cannot be used in a filter`);
  if (attr.name === 'id' && r.core) return term({ kind: 'id' }, attr, op, value, label);
  if (attr.name === 'meta' && r.core) {
    if (sub?.name === 'created' || sub?.name === 'lastModified') return term({ kind: 'meta', name: sub.name }, sub, op, value, label);
    if (sub?.name === 'resourceType') {
      if (op === 'pr') return TRUE;
      return compareScalars(op, ctx.rt.name, value, sub) ? TRUE : FALSE;
    }
    throw invalidFilter(`cannot filter on "${label}"`);
  }
  if (attr.name === 'members' && r.core) {
    if (!ctx.members) unstored(label);
    if (sub && sub.name !== 'value') unstored(label);
    return term({ kind: 'member' }, findAttr(attr.subAttributes ?? [], 'value') ?? attr, op, value, label);
  }
  let matching: Slot[];
  if (attr.type === 'complex' && !sub && op === 'pr') {
    matching = ctx.slots.filter((s) => s.attr === attr);
  } else {
    // `emails eq "x"` and `manager eq "x"` compare the value sub-attribute (RFC 7644 §3.4.2.2).
    const leaf = sub ?? (attr.type === 'complex' ? findAttr(attr.subAttributes ?? [], 'value') : attr);
    if (!leaf) throw invalidFilter(`"${label}" is complex; name a sub-attribute, e.g. ${attr.name}.${attr.subAttributes?.[0]?.name ?? 'value'}`);
    matching = ctx.slots.filter((s) => s.attr === attr && s.leaf === leaf);
  }
  if (matching.length === 0) {
    // `emails.type eq "work"` asks for the element a mapping selects: read it as `emails[type eq "work"]`.
    if (sub && ctx.slots.some((s) => s.attr === attr && s.selector?.sub === sub)) {
      const inner: Filter = op === 'pr' ? { kind: 'present', path: { name: sub.name } } : { kind: 'compare', path: { name: sub.name }, op, value };
      return valuePathTerm(ctx, { ...(path.uri !== undefined ? { uri: path.uri } : {}), name: path.name }, inner);
    }
    unstored(label);
  }
  return or(matching.map((s) => term({ kind: 'field', field: s.field }, s.leaf, op, value, label)));
}

/** Evaluate a `[...]` filter against one mapped element: selector sub-attribute → constant, mapped subs → fields. */
function elementTerm(ctx: FilterContext, attr: AttributeDef, element: Slot[], f: Filter, label: string): NativeFilter {
  switch (f.kind) {
    case 'and':
      return and(f.filters.map((g) => elementTerm(ctx, attr, element, g, label)));
    case 'or':
      return or(f.filters.map((g) => elementTerm(ctx, attr, element, g, label)));
    case 'not':
      return not(elementTerm(ctx, attr, element, f.filter, label));
    case 'valuePath':
      throw invalidFilter('value filters cannot be nested');
    default: {
      const sub = f.path.sub === undefined ? findAttr(attr.subAttributes ?? [], f.path.name) : undefined;
      const subLabel = `${label}.${f.path.name}`;
      if (!sub) throw invalidFilter(`"${subLabel}" is not a sub-attribute of ${attr.name}`);
      const op = f.kind === 'present' ? 'pr' : f.op;
      const value = f.kind === 'present' ? null : f.value;
      const selector = element[0]?.selector;
      if (selector && selector.sub === sub) {
        if (op === 'pr') return TRUE;
        return compareScalars(op, selector.value, value, sub) ? TRUE : FALSE;
      }
      const slot = element.find((s) => s.sub === sub);
      if (slot) return term({ kind: 'field', field: slot.field }, sub, op, value, subLabel);
      if (!ctx.slots.some((s) => s.attr === attr && s.sub === sub)) unstored(subLabel);
      // Stored for other elements but not this one: absent here, so only `ne` could hold.
      return op === 'ne' && value !== null ? TRUE : FALSE;
    }
  }
}

function valuePathTerm(ctx: FilterContext, path: AttrPath, inner: Filter): NativeFilter {
  const label = formatPath(path);
  const r = resolvePath(ctx.rt, path);
  if (!r || r.kind !== 'attribute') throw invalidFilter(`unknown attribute "${label}" in filter`);
  const { attr } = r;
  if (!attr.multiValued || attr.type !== 'complex') throw invalidFilter(`"${label}[...]" needs a multi-valued attribute`);
  if (attr.name === 'members' && r.core) {
    if (!ctx.members) unstored(label);
    return translate(ctx, rewriteMembers(inner));
  }
  const slots = ctx.slots.filter((s) => s.attr === attr);
  if (slots.length === 0) unstored(label);
  // `emails[type eq "other"]` when only the work email is stored: the endpoint cannot answer it truthfully.
  for (const [def, value] of equalityTerms(inner, attr.subAttributes ?? []) ?? []) {
    const selectors = slots.filter((s) => s.selector?.sub === def).map((s) => s.selector?.value.toLowerCase());
    if (selectors.length > 0 && typeof value === 'string' && !selectors.includes(value.toLowerCase())) {
      unstored(`${label}[${def.name} eq ${JSON.stringify(value)}]`);
    }
  }
  const elements = new Map<string, Slot[]>();
  for (const s of slots) {
    const key = s.selector ? `${s.selector.sub.name}=${s.selector.value.toLowerCase()}` : '';
    elements.set(key, [...(elements.get(key) ?? []), s]);
  }
  return or([...elements.values()].map((element) => withPresence(element, elementTerm(ctx, attr, element, inner, label))));
}

/**
 * An element exists only when the record has one of its fields: `emails[type eq "home"]` folds to TRUE for
 * the home element, which must still mean "has a home email". Added only when the term does not already
 * require a field of the element, so Entra's `emails[type eq "work"].value eq "x"` stays a single `eq`.
 */
function withPresence(element: Slot[], f: NativeFilter): NativeFilter {
  const fields = new Set(element.map((s) => s.field));
  const requires = (g: NativeFilter): boolean => {
    if (g.op === 'false') return true;
    if (g.op === 'and') return g.filters.some(requires);
    if (g.op === 'or') return g.filters.every(requires);
    if (g.op === 'ne' || !('target' in g)) return false; // `ne` holds for an absent field; true/not never require one
    return g.target.kind === 'field' && fields.has(g.target.field);
  };
  if (requires(f)) return f;
  return and([or(element.map((s): NativeFilter => ({ op: 'pr', target: { kind: 'field', field: s.field } }))), f]);
}

/** `members[value eq "x"]` → `members.value eq "x"`. */
function rewriteMembers(f: Filter): Filter {
  switch (f.kind) {
    case 'and':
    case 'or':
      return { kind: f.kind, filters: f.filters.map(rewriteMembers) };
    case 'not':
      return { kind: 'not', filter: rewriteMembers(f.filter) };
    case 'valuePath':
      throw invalidFilter('value filters cannot be nested');
    default:
      return { ...f, path: { name: 'members', sub: f.path.name } };
  }
}

export function translate(ctx: FilterContext, f: Filter): NativeFilter {
  switch (f.kind) {
    case 'and':
      return and(f.filters.map((g) => translate(ctx, g)));
    case 'or':
      return or(f.filters.map((g) => translate(ctx, g)));
    case 'not':
      return not(translate(ctx, f.filter));
    case 'valuePath':
      return valuePathTerm(ctx, f.path, f.filter);
    case 'present':
      return attrTerm(ctx, f.path, 'pr', null);
    case 'compare':
      return attrTerm(ctx, f.path, f.op, f.value);
  }
}
