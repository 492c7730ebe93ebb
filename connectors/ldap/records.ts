/**
 * LDAP entries ⇄ native records. Native fields are LDAP attribute names (the mapping's values), except
 * the field mapped from SCIM `active` (stored by a strategy, active.ts) and reference fields such as the
 * enterprise manager (SCIM holds an id, LDAP a DN).
 */
import { decodePostalAddress, encodePostalAddress, type Entry } from 'ldapts';
import type { FieldSpec, NativeScalar } from '../types.js';
import { ConnectorError } from '../types.js';
import type { ActiveStore } from './active.js';
import type { Fallback } from './config.js';
import { fromGeneralizedTime, fromLdapBoolean, toGeneralizedTime, toLdapBoolean } from './values.js';

/** Attributes of the postal address syntax (RFC 4517 §3.3.28): lines separated by `$`. */
const POSTAL = new Set(['postaladdress', 'homepostaladdress', 'registeredaddress']);

export interface Shape {
  readonly kind: 'user' | 'group';
  /** Fields that are plain LDAP attributes. */
  readonly plain: readonly FieldSpec[];
  /** Fields whose LDAP value is the DN of another entry (manager). */
  readonly references: readonly FieldSpec[];
  /** The field SCIM `active` is mapped to, stored by `active`. */
  readonly activeField: FieldSpec | undefined;
  readonly active: ActiveStore | undefined;
  readonly rdnAttribute: string;
  readonly fallbacks: Readonly<Record<string, Fallback>>;
  /** Attributes to request when reading an entry of this kind (members excluded). */
  readonly readAttributes: readonly string[];
}

export function firstValue(entry: Entry, attr: string): string | undefined {
  const v = entry[attr] ?? entry[Object.keys(entry).find((k) => k.toLowerCase() === attr.toLowerCase()) ?? ''];
  const one = Array.isArray(v) ? v[0] : v;
  if (one instanceof Buffer) return one.toString('utf8');
  return typeof one === 'string' ? one : undefined;
}

export function allValues(entry: Entry, attr: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key === undefined ? undefined : entry[key];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => (x instanceof Buffer ? x.toString('utf8') : String(x)));
}

/** A native value from the LDAP string, typed by the field's SCIM type. */
export function fromLdap(spec: FieldSpec, raw: string): NativeScalar {
  if (spec.type === 'boolean') return fromLdapBoolean(raw);
  if (spec.type === 'integer' || spec.type === 'decimal') return Number(raw);
  // GeneralizedTime (the syntax filter.ts compares dateTime fields in) ⇄ xsd:dateTime.
  if (spec.type === 'dateTime') return fromGeneralizedTime(raw);
  if (POSTAL.has(spec.field.toLowerCase())) return decodePostalAddress(raw);
  return raw;
}

export function toLdap(spec: FieldSpec, v: NativeScalar): string {
  if (typeof v === 'boolean') return toLdapBoolean(v);
  if (typeof v === 'number') return String(v);
  if (spec.type === 'dateTime') return toGeneralizedTime(v);
  if (POSTAL.has(spec.field.toLowerCase())) return encodePostalAddress(v);
  return v;
}

/**
 * Plain fields of an entry (references and active are filled in by the caller). A required attribute that
 * holds its fallback (sn copied from uid because no familyName was sent) is not shown: the client never set
 * it, and removing familyName writes the fallback, which must read back as removed. The price: a value that
 * happens to equal its fallback (familyName "jdoe" for userName "jdoe") reads back as absent.
 */
export function plainFields(shape: Shape, entry: Entry): Record<string, NativeScalar> {
  const fields: Record<string, NativeScalar> = {};
  for (const spec of shape.plain) {
    const raw = firstValue(entry, spec.field);
    if (raw === undefined || raw === '' || holdsFallback(shape, entry, spec.field, raw)) continue;
    fields[spec.field] = fromLdap(spec, raw);
  }
  return fields;
}

function fallbackFor(shape: Shape, attr: string): Fallback | undefined {
  const key = Object.keys(shape.fallbacks).find((a) => a.toLowerCase() === attr.toLowerCase());
  return key === undefined ? undefined : shape.fallbacks[key];
}

/** Whether `attr` of `entry` holds exactly what its fallback computes from the entry's other attributes. */
export function holdsFallback(shape: Shape, entry: Entry, attr: string, value: string | undefined = firstValue(entry, attr)): boolean {
  const fb = fallbackFor(shape, attr);
  if (fb === undefined || value === undefined) return false;
  return fallbackValue(fb, (a) => (a.toLowerCase() === attr.toLowerCase() ? undefined : firstValue(entry, a))) === value;
}

export function metaOf(entry: Entry, versionAttribute: string): { created?: string; lastModified?: string; version?: string } {
  const meta: { created?: string; lastModified?: string; version?: string } = {};
  const created = firstValue(entry, 'createTimestamp');
  const modified = firstValue(entry, 'modifyTimestamp');
  const version = firstValue(entry, versionAttribute);
  if (created) meta.created = fromGeneralizedTime(created);
  if (modified) meta.lastModified = fromGeneralizedTime(modified);
  if (version) meta.version = version;
  return meta;
}

/**
 * Values for required attributes the write leaves empty (person needs sn and cn; AD needs
 * sAMAccountName): the first `from` attribute with a value, cut as configured.
 */
export function fallbackValue(fb: Fallback, values: (attr: string) => string | undefined): string | undefined {
  for (const from of fb.from) {
    let v = values(from);
    if (v === undefined || v === '') continue;
    if (fb.localPart) v = v.split('@')[0] ?? v;
    if (fb.maxLength !== undefined) v = v.slice(0, fb.maxLength);
    if (v !== '') return v;
  }
  return undefined;
}

/** The attributes of a new entry from its plain fields, with fallbacks applied. */
export function newEntryAttributes(shape: Shape, fields: Readonly<Record<string, NativeScalar>>): Record<string, string[]> {
  const attrs: Record<string, string[]> = {};
  for (const spec of shape.plain) {
    const v = fields[spec.field];
    if (v !== undefined && v !== '') attrs[spec.field] = [toLdap(spec, v)];
  }
  const get = (a: string): string | undefined => attrs[Object.keys(attrs).find((k) => k.toLowerCase() === a.toLowerCase()) ?? '']?.[0];
  for (const [attr, fb] of Object.entries(shape.fallbacks)) {
    if (get(attr) !== undefined) continue;
    const v = fallbackValue(fb, get);
    if (v !== undefined) attrs[attr] = [v];
  }
  if (get(shape.rdnAttribute) === undefined) {
    throw new ConnectorError('invalid', `${shape.rdnAttribute} is needed to name the new ${shape.kind} entry; map an attribute to it`, { attribute: shape.rdnAttribute });
  }
  return attrs;
}
