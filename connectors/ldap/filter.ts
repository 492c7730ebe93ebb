/**
 * NativeFilter → an ldapts Filter object for a search (RFC 4511 §4.5.1.7).
 *
 * Injection defence: we only ever build Filter *objects*. ldapts encodes them to BER directly, each assertion
 * value as its own OCTET STRING, so a value such as `x)(|(objectClass=*)` never passes through RFC 4515 string
 * parsing and cannot change the filter's structure. Never build a filter string from request data.
 * (`filter.toString()` is for logs and tests only; ldapts escapes `* ( ) \ NUL` there.)
 *
 * Semantics match the in-memory evaluator (connectors/support/evaluate-filter.ts) where LDAP can express them:
 *  - `ne` is NOT(eq): true for entries without the attribute (an equality item on an attribute the entry
 *    lacks is FALSE; only an unknown attribute type or a missing matching rule makes it Undefined, whose
 *    negation stays Undefined, RFC 4511 §4.5.1.7). On a multi-valued attribute NOT(eq) means "no value
 *    equals", where the evaluator's any-value rule would be "some value differs"; LDAP cannot say the latter.
 *  - `gt`/`lt` are (&(>=v)(!(=v))) / (&(<=v)(!(=v))): LDAP only has >= and <=.
 *  - Matching (case, ordering) is the attribute's schema matching rule, not the field's `caseExact`: a
 *    caseExact field stored in a caseIgnore attribute matches a superset. AD has no caseExactMatch extensible
 *    rule, so we do not try; the caller can re-check records with evaluateFilter when exactness matters.
 *  - With `superset` set, the caller does re-check every candidate (resources.ts), and string comparisons on
 *    plain attributes become filters that match at least what SCIM matches. LDAP's string rules also fold
 *    insignificant spaces (RFC 4518 §2.6.1: `"  padded  "` equals `"padded"`, `"in  side"` equals
 *    `"in side"`), and many attributes (title, mail) have no ORDERING rule, so `>=` on them is Undefined.
 *    Equality stays as it is (the fold is coarser than SCIM's, so it finds a superset); substrings with
 *    whitespace and every ordering become a presence test; and under a NOT, where a superset of the term
 *    would exclude too much, the term matches nothing so that its negation keeps every candidate. This
 *    assumes the mapped attributes compare case-insensitively (caseIgnore*Match), as every attribute of
 *    the profiles does.
 */
import {
  AndFilter,
  EqualityFilter,
  type Filter,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
} from 'ldapts';
import { ConnectorError, type CompareOp, type NativeFilter, type NativeScalar, type NativeTarget } from '../types.js';
import { toGeneralizedTime, toLdapBoolean } from './values.js';

export interface LdapFilterContext {
  /** The LDAP attribute a native field is stored in; undefined when the field is not a plain attribute (the caller's `special` handles it). */
  attribute(field: string): string | undefined;
  /** Filters on fields that are not plain attributes (e.g. SCIM `active`, stored by a strategy). Return undefined to reject. */
  special?(field: string, op: CompareOp | 'pr', value: NativeScalar | undefined): Filter | undefined;
  /** The id attribute (entryUUID, objectGUID, nsUniqueId). */
  idAttribute: string;
  /** How an id is written in a filter (string, or the GUID bytes for objectGUID); undefined when `id` cannot be an id (e.g. not a GUID), so it matches nothing. */
  idValue(id: string): string | Buffer | undefined;
  /** For groups: the member attribute and the DN of a member id (already resolved by the caller; undefined = no such entry). */
  memberAttribute?: string;
  memberDn?(id: string): string | undefined;
  /** The empty-group placeholder member DN, if the connector uses one: `members pr` must not match a group holding only it. */
  memberPlaceholderDn?: string;
  /** Reference fields (e.g. manager) hold DNs: the DN of a referenced id (resolved by the caller; undefined = no such entry). */
  referenceDn?(field: string, id: string): string | undefined;
  isReference?(field: string): boolean;
  /** meta.created / meta.lastModified attributes (default createTimestamp / modifyTimestamp; GeneralizedTime values). */
  metaAttribute?: { created: string; lastModified: string };
  /** The caller re-checks each entry the search returns with SCIM's comparisons: see the header. */
  superset?: boolean;
}

type Comparison = Extract<NativeFilter, { op: CompareOp }>;

const everything = (): Filter => new PresenceFilter({ attribute: 'objectClass' });
const nothing = (): Filter => new NotFilter({ filter: everything() });
const not = (filter: Filter): Filter => new NotFilter({ filter });

function targetName(t: NativeTarget): string {
  switch (t.kind) {
    case 'field':
      return t.field;
    case 'id':
      return 'id';
    case 'meta':
      return `meta.${t.name}`;
    case 'member':
      return 'members';
  }
}

function invalid(message: string, attribute: string): ConnectorError {
  return new ConnectorError('invalid', message, { attribute });
}

function unsupportedOp(op: string, t: NativeTarget): ConnectorError {
  const name = targetName(t);
  return invalid(`the directory cannot evaluate the '${op}' operator on ${name}`, name);
}

/** eq / ne against one value; an undefined value (an id that resolves to no entry) equals nothing. */
function equality(op: 'eq' | 'ne', attribute: string, value: string | Buffer | undefined): Filter {
  if (value === undefined) return op === 'eq' ? nothing() : everything();
  const eq = new EqualityFilter({ attribute, value });
  return op === 'eq' ? eq : not(eq);
}

function ordering(op: CompareOp, attribute: string, value: string, f: Comparison): Filter {
  switch (op) {
    case 'eq':
    case 'ne':
      return equality(op, attribute, value);
    case 'ge':
      return new GreaterThanEqualsFilter({ attribute, value });
    case 'le':
      return new LessThanEqualsFilter({ attribute, value });
    case 'gt':
      return new AndFilter({ filters: [new GreaterThanEqualsFilter({ attribute, value }), not(new EqualityFilter({ attribute, value }))] });
    case 'lt':
      return new AndFilter({ filters: [new LessThanEqualsFilter({ attribute, value }), not(new EqualityFilter({ attribute, value }))] });
    default:
      throw unsupportedOp(op, f.target);
  }
}

/** co/sw/ew; an empty operand constrains nothing, and a SubstringFilter without components is invalid BER (RFC 4511 SIZE (1..MAX)). */
function substring(op: 'co' | 'sw' | 'ew', attribute: string, value: string): Filter {
  if (value === '') return new PresenceFilter({ attribute });
  if (op === 'sw') return new SubstringFilter({ attribute, initial: value });
  if (op === 'ew') return new SubstringFilter({ attribute, final: value });
  return new SubstringFilter({ attribute, any: [value] });
}

function generalizedTime(value: NativeScalar, t: NativeTarget): string {
  try {
    if (typeof value !== 'string') throw new Error('not a string');
    return toGeneralizedTime(value);
  } catch {
    const name = targetName(t);
    throw invalid(`${name} needs an xsd:dateTime value such as 2024-01-31T12:00:00Z`, name);
  }
}

/** A number as LDAP Integer syntax (RFC 4517 §3.3.16): plain decimal digits, never exponent notation. */
function decimal(n: number, t: NativeTarget): string {
  if (!Number.isFinite(n)) throw invalid(`${targetName(t)}: not a finite number`, targetName(t));
  return Number.isInteger(n) ? BigInt(n).toString() : String(n);
}

const isSubstringOp = (op: CompareOp): op is 'co' | 'sw' | 'ew' => op === 'co' || op === 'sw' || op === 'ew';

/** Whether the term compares a string value: the comparisons `superset` loosens (and the caller re-checks). */
export function isStringComparison(f: Comparison): boolean {
  return typeof f.value === 'string' && f.type !== 'dateTime' && f.type !== 'binary';
}

/** A filter matching at least what the SCIM string comparison matches (`negated`: at most, for under a NOT). */
function loose(op: CompareOp, attribute: string, value: string, negated: boolean): Filter {
  if (negated) return nothing();
  if (op === 'ne') return everything();
  if (op === 'eq' && value.trim() !== '') return new EqualityFilter({ attribute, value });
  if ((op === 'co' || op === 'sw' || op === 'ew') && value !== '' && !/\s/.test(value)) return substring(op, attribute, value);
  return new PresenceFilter({ attribute });
}

/** A comparison on a field stored as a plain attribute, by the field's type. */
function plain(f: Comparison, attribute: string, superset: boolean, negated: boolean): Filter {
  const { op, value, type, target } = f;
  if (type === 'dateTime') {
    // GeneralizedTime has equality and ordering rules only (RFC 4517 §3.3.13), no substrings.
    if (isSubstringOp(op)) throw unsupportedOp(op, target);
    return ordering(op, attribute, generalizedTime(value, target), f);
  }
  if (typeof value === 'boolean') {
    // booleanMatch is the only rule for Boolean syntax (RFC 4517 §4.2.2).
    if (op !== 'eq' && op !== 'ne') throw unsupportedOp(op, target);
    return equality(op, attribute, toLdapBoolean(value));
  }
  if (typeof value === 'number') {
    // integerMatch and integerOrderingMatch, no substrings (RFC 4517 §4.2.19–20).
    if (isSubstringOp(op)) throw unsupportedOp(op, target);
    return ordering(op, attribute, decimal(value, target), f);
  }
  if (type === 'binary') {
    if (op !== 'eq' && op !== 'ne') throw unsupportedOp(op, target);
    return equality(op, attribute, Buffer.from(value, 'base64')); // SCIM binary is base64 (RFC 7643 §2.3.6)
  }
  if (superset) return loose(op, attribute, value, negated);
  if (isSubstringOp(op)) return substring(op, attribute, value);
  return ordering(op, attribute, value, f);
}

function comparison(f: Comparison, ctx: LdapFilterContext, negated: boolean): Filter {
  const t = f.target;
  switch (t.kind) {
    case 'id':
      if (f.op !== 'eq' && f.op !== 'ne') throw unsupportedOp(f.op, t);
      return equality(f.op, ctx.idAttribute, ctx.idValue(String(f.value)));
    case 'member':
      if (ctx.memberAttribute === undefined) throw invalid('filtering on members is not supported here', 'members');
      if (f.op !== 'eq' && f.op !== 'ne') throw unsupportedOp(f.op, t);
      return equality(f.op, ctx.memberAttribute, ctx.memberDn?.(String(f.value)));
    case 'meta':
      if (isSubstringOp(f.op)) throw unsupportedOp(f.op, t);
      return ordering(f.op, metaAttribute(ctx, t.name), generalizedTime(f.value, t), f);
    case 'field': {
      const attribute = ctx.attribute(t.field);
      if (attribute === undefined) return special(ctx, t.field, f.op, f.value);
      if (ctx.isReference?.(t.field) === true) {
        // DN syntax has distinguishedNameMatch only (RFC 4517 §4.2.15): eq/ne on the resolved DN.
        if (f.op !== 'eq' && f.op !== 'ne') throw unsupportedOp(f.op, t);
        if (ctx.referenceDn === undefined) throw new ConnectorError('internal', `no referenceDn resolver for ${t.field}`);
        return equality(f.op, attribute, ctx.referenceDn(t.field, String(f.value)));
      }
      return plain(f, attribute, ctx.superset === true, negated);
    }
  }
}

function special(ctx: LdapFilterContext, field: string, op: CompareOp | 'pr', value: NativeScalar | undefined): Filter {
  const f = ctx.special?.(field, op, value);
  if (f === undefined) throw invalid(`the directory cannot filter on ${field}${op === 'pr' ? '' : ` with '${op}'`}`, field);
  return f;
}

function metaAttribute(ctx: LdapFilterContext, name: 'created' | 'lastModified'): string {
  return ctx.metaAttribute?.[name] ?? (name === 'created' ? 'createTimestamp' : 'modifyTimestamp');
}

function presence(t: NativeTarget, ctx: LdapFilterContext): Filter {
  switch (t.kind) {
    case 'id':
      return new PresenceFilter({ attribute: ctx.idAttribute });
    case 'meta':
      return new PresenceFilter({ attribute: metaAttribute(ctx, t.name) });
    case 'member': {
      if (ctx.memberAttribute === undefined) throw invalid('filtering on members is not supported here', 'members');
      const any = new PresenceFilter({ attribute: ctx.memberAttribute });
      // A group whose only member is the placeholder is empty to SCIM (the placeholder replaces the last real
      // member and is removed when a real one is added, so the two never coexist).
      if (ctx.memberPlaceholderDn === undefined) return any;
      return new AndFilter({ filters: [any, not(new EqualityFilter({ attribute: ctx.memberAttribute, value: ctx.memberPlaceholderDn }))] });
    }
    case 'field': {
      const attribute = ctx.attribute(t.field);
      return attribute === undefined ? special(ctx, t.field, 'pr', undefined) : new PresenceFilter({ attribute });
    }
  }
}

/**
 * Translates a NativeFilter; throws ConnectorError('invalid') for what the directory cannot evaluate.
 * `negated`: under an odd number of NOTs (only matters with `superset`).
 */
export function toLdapFilter(f: NativeFilter, ctx: LdapFilterContext, negated = false): Filter {
  switch (f.op) {
    case 'true':
      return everything();
    case 'false':
      return nothing();
    case 'and':
    case 'or': {
      const parts = f.filters.map((g) => toLdapFilter(g, ctx, negated));
      // (&) and (|) are RFC 4526 absolute true/false, which not every server supports: spell them out.
      if (parts.length === 0) return f.op === 'and' ? everything() : nothing();
      if (parts.length === 1 && parts[0] !== undefined) return parts[0];
      return f.op === 'and' ? new AndFilter({ filters: parts }) : new OrFilter({ filters: parts });
    }
    case 'not':
      return not(toLdapFilter(f.filter, ctx, !negated));
    case 'pr':
      return presence(f.target, ctx);
    default:
      return comparison(f, ctx, negated);
  }
}

/** Whether a filter compares a string on a field `isPlain` accepts: then `superset` loosened it and the caller re-checks. */
export function comparesStrings(f: NativeFilter, isPlain: (field: string) => boolean): boolean {
  switch (f.op) {
    case 'and':
    case 'or':
      return f.filters.some((g) => comparesStrings(g, isPlain));
    case 'not':
      return comparesStrings(f.filter, isPlain);
    case 'pr':
    case 'true':
    case 'false':
      return false;
    default:
      // ids are caseExact in SCIM (RFC 7643 §3.1) while entryUUID's matching rule ignores case: re-check them too.
      return (f.target.kind === 'id' || (f.target.kind === 'field' && isPlain(f.target.field))) && isStringComparison(f);
  }
}

/** Ids a filter compares against member/reference targets, so the caller can resolve them to DNs first (one batched search). */
export function referencedIds(
  f: NativeFilter,
  ctx: Pick<LdapFilterContext, 'isReference'>,
): { members: string[]; references: Map<string, string[]> } {
  const members = new Set<string>();
  const references = new Map<string, Set<string>>();
  const walk = (g: NativeFilter): void => {
    switch (g.op) {
      case 'and':
      case 'or':
        g.filters.forEach(walk);
        return;
      case 'not':
        walk(g.filter);
        return;
      case 'eq':
      case 'ne': {
        const t = g.target;
        if (t.kind === 'member') members.add(String(g.value));
        else if (t.kind === 'field' && ctx.isReference?.(t.field) === true) {
          const ids = references.get(t.field) ?? new Set<string>();
          ids.add(String(g.value));
          references.set(t.field, ids);
        }
        return;
      }
      default:
        return; // other operators are rejected on these targets, and pr/true/false name no id
    }
  };
  walk(f);
  return { members: [...members], references: new Map([...references].map(([k, v]) => [k, [...v]])) };
}

/**
 * Whether `f` can only match a handful of entries: an equality on the id or on a unique field (userName,
 * a group's displayName), alone, in an `and`, or in an `or` of such terms. Such lists skip paging.
 */
export function isSelective(f: NativeFilter, isUnique: (field: string) => boolean): boolean {
  switch (f.op) {
    case 'and':
      return f.filters.some((g) => isSelective(g, isUnique));
    case 'or':
      return f.filters.every((g) => isSelective(g, isUnique));
    case 'eq':
      return f.target.kind === 'id' || (f.target.kind === 'field' && isUnique(f.target.field));
    default:
      return false;
  }
}
