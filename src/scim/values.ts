/**
 * Schema-driven validation of attribute values from clients (request bodies and PATCH values).
 * Output objects are built from the schema's own attribute names, never from client keys, so nothing a
 * client sends can add a property we did not define (no prototype pollution by construction).
 */
import { invalidSyntax, invalidValue } from './errors.js';
import { findAttr } from './schema/resolve.js';
import type { AttributeDef, ScimObject, ScimValue } from './schema/types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** xsd:dateTime as RFC 7643 §2.3.5 asks for: 2008-01-23T04:56:22Z, with optional fraction and offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own keys of a client object, as JSON.parse made them (it creates "__proto__" as a plain own key). */
export function ownEntries(o: Record<string, unknown>): [string, unknown][] {
  return Object.keys(o).map((k) => [k, o[k]]);
}

/**
 * Entra sends booleans as the strings "True"/"False" (without the aadOptscim062020 flag); accept any
 * case of "true"/"false" and answer with real booleans.
 */
export function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const l = v.trim().toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  return undefined;
}

function simpleValue(def: AttributeDef, v: unknown, path: string): ScimValue {
  switch (def.type) {
    case 'boolean': {
      const b = toBoolean(v);
      if (b === undefined) throw invalidValue(`${path} must be a boolean (true or false), not ${describe(v)}`);
      return b;
    }
    case 'integer':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
      throw invalidValue(`${path} must be an integer, not ${describe(v)}`);
    case 'decimal':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      throw invalidValue(`${path} must be a number, not ${describe(v)}`);
    case 'dateTime':
      if (typeof v === 'string' && DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))) return v;
      throw invalidValue(`${path} must be an xsd:dateTime such as 2024-01-31T12:00:00Z, not ${describe(v)}`);
    case 'complex':
      throw invalidValue(`${path} must be an object`);
    default:
      if (typeof v !== 'string') throw invalidValue(`${path} must be a string, not ${describe(v)}`);
      // LDAP and most REST stores cannot hold NUL and RFC 4514/4515 escaping does not cover it.
      if (v.includes('\u0000')) throw invalidValue(`${path} must not contain a NUL character`);
      return v;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/**
 * A complex value (one element, or a single-valued complex attribute). Unknown sub-attributes are an error;
 * read-only ones are dropped (clients echo back what we returned); nulls mean "absent".
 */
export function complexValue(def: AttributeDef, v: unknown, path: string): ScimObject | undefined {
  const subs = def.subAttributes ?? [];
  // Entra sends the enterprise manager as a plain id string instead of { value }. Only single-valued
  // attributes: a bare string in emails/phoneNumbers has no type, so it would be accepted and then dropped.
  if (typeof v === 'string' && !def.multiValued && findAttr(subs, 'value')) v = { value: v };
  if (!isPlainObject(v)) throw invalidValue(`${path} must be an object, not ${describe(v)}`);
  const out: Mutable<ScimObject> = {};
  for (const [key, raw] of ownEntries(v)) {
    const sub = findAttr(subs, key);
    if (!sub) throw invalidSyntax(`${path} has no sub-attribute "${key}"`);
    if (raw === null || raw === undefined || sub.mutability === 'readOnly') continue;
    out[sub.name] = simpleValue(sub, raw, `${path}.${sub.name}`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Validate and normalise a client value for `def`. Returns undefined for "absent" (null, empty arrays,
 * empty objects). Multi-valued attributes accept a single element too, which some clients send.
 */
export function normalizeValue(def: AttributeDef, v: unknown, path: string): ScimValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (def.multiValued) {
    const items = Array.isArray(v) ? v : [v];
    const out: ScimValue[] = [];
    for (const [i, item] of items.entries()) {
      if (item === null || item === undefined) continue;
      const n = def.type === 'complex' ? complexValue(def, item, `${path}[${i}]`) : simpleValue(def, item, `${path}[${i}]`);
      if (n !== undefined) out.push(n);
    }
    return out.length > 0 ? out : undefined;
  }
  // Entra sometimes wraps a single-valued PATCH value in a one-element array.
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    if (v.length > 1) throw invalidValue(`${path} is single-valued; got an array of ${v.length} values`);
    v = v[0];
    if (v === null || v === undefined) return undefined; // [null] is as absent as null
  }
  if (def.type === 'complex') return complexValue(def, v, path);
  return simpleValue(def, v, path);
}
