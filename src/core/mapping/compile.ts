/**
 * Attribute mapping: which SCIM attributes an endpoint stores, and in which native field. Declared per
 * connector in YAML (`mapping.user` / `mapping.group`: SCIM path → field) and compiled here once at start.
 *
 * A mapping key is one of
 *   - a simple attribute:                 userName, active, urn:…:enterprise:2.0:User:department
 *   - a sub-attribute of a complex one:   name.givenName, urn:…:enterprise:2.0:User:manager (= manager.value)
 *   - a typed element of a multi-valued:  emails[type eq "work"].value, addresses[type eq "work"].locality
 * which is the shape of every attribute in Entra's attribute-mapping screen. The compiled mapping converts
 * canonical SCIM resources to flat native records and back, and is what discovery advertises.
 */
import type { FieldSpec, FieldType } from '../../../connectors/types.js';
import type { ScimError } from '../../scim/errors.js';
import { parsePatchPath } from '../../scim/filter/parse.js';
import { findAttr, resolvePath } from '../../scim/schema/resolve.js';
import type { AttributeDef, ResourceTypeDef } from '../../scim/schema/types.js';

export interface Slot {
  readonly field: string;
  /** Canonical SCIM path, e.g. `emails[type eq "work"].value`. */
  readonly scimPath: string;
  /** URN of the schema object holding the attribute; `core` when it sits at the top level. */
  readonly schema: string;
  readonly core: boolean;
  readonly attr: AttributeDef;
  /** The sub-attribute held, for complex attributes. */
  readonly sub?: AttributeDef;
  /** For typed elements of multi-valued attributes: the sub-attribute and value that pick the element. */
  readonly selector?: { readonly sub: AttributeDef; readonly value: string };
  /** The definition of the value the field holds (the sub-attribute, or the attribute itself). */
  readonly leaf: AttributeDef;
}

export interface MappingIssue {
  /** The mapping key at fault, as written in YAML. */
  readonly key: string;
  readonly message: string;
}

const RESERVED_FIELDS = new Set(['__proto__', 'constructor', 'prototype']);
const FIELD_NAME = /^[A-Za-z_][\w.:;-]*$/;

function fieldType(def: AttributeDef): FieldType {
  return def.type === 'complex' ? 'string' : def.type;
}

export function toFieldSpec(s: Slot): FieldSpec {
  // manager.value holds the id of the resource its sibling $ref points at: tell the connector what it
  // references (the LDAP connector stores it as that entry's DN).
  const sibling = s.sub?.name === 'value' ? s.attr.subAttributes?.find((a) => a.name === '$ref')?.referenceTypes : undefined;
  const referenceTypes = s.leaf.referenceTypes ?? sibling;
  return {
    field: s.field,
    scimPath: s.scimPath,
    type: fieldType(s.leaf),
    caseExact: s.leaf.caseExact,
    ...(referenceTypes ? { referenceTypes } : {}),
  };
}

function compileKey(rt: ResourceTypeDef, key: string, field: string): Slot {
  let path;
  try {
    path = parsePatchPath(key);
  } catch (err) {
    throw new Error((err as ScimError).message);
  }
  const r = resolvePath(rt, { ...(path.uri !== undefined ? { uri: path.uri } : {}), name: path.name });
  if (!r || r.kind !== 'attribute') throw new Error(`"${key}" is not an attribute of a ${rt.name}`);
  const { attr } = r;
  const prefix = r.core ? '' : `${r.schema}:`;
  if (attr.mutability === 'readOnly' || attr.name === 'members') {
    throw new Error(`${attr.name} cannot be mapped: ${attr.name === 'members' ? 'group members are stored by the connector itself' : 'it is read-only'}`);
  }
  const base = { field, schema: r.schema, core: r.core, attr };
  const subOf = (name: string | undefined): AttributeDef | undefined => (name === undefined ? undefined : findAttr(attr.subAttributes ?? [], name));
  if (path.filter) {
    if (!attr.multiValued || attr.type !== 'complex') throw new Error(`${attr.name} is not multi-valued; remove the [filter]`);
    const f = path.filter;
    const selSub = f.kind === 'compare' && f.op === 'eq' && typeof f.value === 'string' && f.path.sub === undefined ? subOf(f.path.name) : undefined;
    if (!selSub || f.kind !== 'compare' || typeof f.value !== 'string') {
      throw new Error(`the filter in "${key}" must be one equality such as [type eq "work"]`);
    }
    // The selector is matched as text (type, display); a boolean such as primary would never match.
    if (selSub.type !== 'string') throw new Error(`the filter in "${key}" must select by a text sub-attribute such as type, not ${selSub.name}`);
    const sub = subOf(path.sub);
    if (!sub || sub === selSub) throw new Error(`"${key}" must name a sub-attribute after the filter, e.g. ${attr.name}[type eq "work"].value`);
    const value = f.value;
    return { ...base, sub, leaf: sub, selector: { sub: selSub, value }, scimPath: `${prefix}${attr.name}[${selSub.name} eq ${JSON.stringify(value)}].${sub.name}` };
  }
  if (attr.multiValued) throw new Error(`${attr.name} is multi-valued: map one element, e.g. ${attr.name}[type eq "work"].value`);
  if (attr.type === 'complex') {
    // `manager` alone means its id (manager.value); Entra's mapping screen lists it that way.
    const sub = subOf(path.sub ?? (findAttr(attr.subAttributes ?? [], 'value') ? 'value' : undefined));
    const subs = (attr.subAttributes ?? []).map((a) => a.name);
    if (!sub && path.sub !== undefined) throw new Error(`${attr.name} has no sub-attribute "${path.sub}" (it has ${subs.join(', ')})`);
    if (!sub) throw new Error(`"${key}" must name a sub-attribute, e.g. ${attr.name}.${subs[0] ?? 'value'}`);
    if (sub.mutability === 'readOnly') throw new Error(`${attr.name}.${sub.name} is read-only`);
    return { ...base, sub, leaf: sub, scimPath: `${prefix}${attr.name}.${sub.name}` };
  }
  if (path.sub !== undefined) throw new Error(`${attr.name} has no sub-attributes`);
  return { ...base, leaf: attr, scimPath: `${prefix}${attr.name}` };
}

/** Compile one resource type's mapping; problems are returned (all of them), not thrown. */
export function compileSlots(rt: ResourceTypeDef, raw: Readonly<Record<string, string>>): { slots: Slot[]; issues: MappingIssue[] } {
  const slots: Slot[] = [];
  const issues: MappingIssue[] = [];
  const byField = new Map<string, string>();
  const byPath = new Map<string, string>();
  for (const key of Object.keys(raw)) {
    const field = raw[key];
    if (typeof field !== 'string' || !FIELD_NAME.test(field) || RESERVED_FIELDS.has(field)) {
      issues.push({ key, message: `the field name ${JSON.stringify(field)} is not usable (letters, digits, "_", "-", ".", ":", ";")` });
      continue;
    }
    let slot: Slot;
    try {
      slot = compileKey(rt, key, field);
    } catch (err) {
      issues.push({ key, message: (err as Error).message });
      continue;
    }
    const pathKey = slot.scimPath.toLowerCase();
    if (byPath.has(pathKey)) issues.push({ key, message: `${slot.scimPath} is mapped twice (also as "${byPath.get(pathKey)}")` });
    else if (byField.has(field)) issues.push({ key, message: `field "${field}" is used twice (also by "${byField.get(field)}")` });
    else {
      byPath.set(pathKey, key);
      byField.set(field, key);
      slots.push(slot);
    }
  }
  const required = rt.schema.attributes.filter((a) => a.required);
  for (const a of required) {
    if (!slots.some((s) => s.core && s.attr === a)) issues.push({ key: a.name, message: `${a.name} must be mapped: it is required for a ${rt.name}` });
  }
  return { slots, issues };
}
