/**
 * Apply PATCH operations (RFC 7644 §3.5.2) to a canonical resource, in order, on a copy: either every
 * operation applies or the first failing one throws and the caller writes nothing (atomic PATCH).
 * Only schema attributes can be targeted (paths resolve through src/scim/schema/resolve.ts), so unknown
 * names such as `__proto__` or `constructor.prototype` are `invalidPath` and never touch an object.
 */
import { invalidPath, invalidValue, mutability, noTarget, ScimError } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/parse.js';
import { equalityTerms, matchesElement } from '../filter/match-element.js';
import { formatPath, resolvePath } from '../schema/resolve.js';
import type { AttributeDef, ResourceTypeDef, ScimObject, ScimValue } from '../schema/types.js';
import { complexValue, isPlainObject, normalizeValue, ownEntries } from '../values.js';
import type { PatchOperation, PatchOpName } from './request.js';

type Obj = { [key: string]: ScimValue };

/** Where an attribute lives: the resource itself or an extension object inside it. */
interface Target {
  readonly holder: Obj;
  readonly attr: AttributeDef;
  readonly sub?: AttributeDef;
  readonly filter?: PatchPath['filter'];
  readonly label: string;
}

export function applyPatch(rt: ResourceTypeDef, resource: ScimObject, ops: readonly PatchOperation[]): ScimObject {
  const doc = cloneObject(resource);
  for (const op of ops) {
    try {
      if (op.path) applyAt(rt, doc, op.op, op.path, op.value, `Operations[${op.index}]`);
      else applyNoPath(rt, doc, op);
    } catch (err) {
      // Value errors come from shared validation that does not know the operation; name it.
      if (err instanceof ScimError && !err.message.startsWith('Operations[')) {
        throw new ScimError(err.status, err.scimType, `Operations[${op.index}]: ${err.message}`);
      }
      throw err;
    }
  }
  // Drop extension objects an operation emptied, so they do not show up as `{}`.
  for (const ext of rt.extensions) {
    const v = doc[ext.schema.id];
    if (isPlainObject(v) && Object.keys(v).length === 0) delete doc[ext.schema.id];
  }
  return doc;
}

/**
 * A path-less add/replace carries attribute paths as keys. Entra sends dotted keys ("name.givenName")
 * and URN-qualified keys ("urn:…:enterprise:2.0:User:employeeNumber"), and with the aadOptscim062020 flag
 * also whole extension objects keyed by the extension URN.
 */
function applyNoPath(rt: ResourceTypeDef, doc: Obj, op: PatchOperation): void {
  const value = op.value as Record<string, unknown>;
  for (const [key, v] of ownEntries(value)) {
    if (key.toLowerCase() === 'schemas') continue;
    // A path-less value may echo the resource's read-only attributes (meta, or its own unchanged id), as a
    // client replaying what it read does; ignore those as a POST body would. Changing the id is still 400.
    const p = parsePatchPath(key);
    const r = resolvePath(rt, { ...(p.uri !== undefined ? { uri: p.uri } : {}), name: p.name });
    if (r?.kind === 'attribute' && r.attr.mutability === 'readOnly' && (r.attr.name !== 'id' || v === doc['id'])) continue;
    applyAt(rt, doc, op.op, p, v, `Operations[${op.index}].value["${key}"]`);
  }
}

function applyAt(rt: ResourceTypeDef, doc: Obj, op: PatchOpName, path: PatchPath, value: unknown, where: string): void {
  const resolved = resolvePath(rt, { ...(path.uri !== undefined ? { uri: path.uri } : {}), name: path.name });
  const label = formatPath({ ...path, sub: undefined });
  if (!resolved) throw invalidPath(`${where}: "${label}" is not an attribute of a ${rt.name}`);
  if (resolved.kind === 'extension') {
    const urn = resolved.schema.id;
    if (op === 'remove') {
      delete doc[urn];
      return;
    }
    if (!isPlainObject(value)) throw invalidValue(`${where}: the value for ${urn} must be an object`);
    for (const [key, v] of ownEntries(value)) applyAt(rt, doc, op, { uri: urn, name: key }, v, `${where}.${key}`);
    return;
  }
  const attr = resolved.attr;
  if (attr.mutability === 'readOnly') throw mutability(`${where}: ${attr.name} is read-only`);
  let sub: AttributeDef | undefined;
  if (path.sub !== undefined) {
    sub = attr.subAttributes?.find((s) => s.name.toLowerCase() === path.sub?.toLowerCase());
    if (!sub) throw invalidPath(`${where}: "${label}.${path.sub}" is not an attribute of a ${rt.name}`);
    if (sub.mutability === 'readOnly') throw mutability(`${where}: ${attr.name}.${sub.name} is read-only`);
  }
  if (path.filter && !(attr.multiValued && attr.type === 'complex')) {
    throw invalidPath(`${where}: a value filter needs a multi-valued attribute; ${attr.name} is not`);
  }
  let holder = doc;
  if (!resolved.core) {
    const ext = doc[resolved.schema];
    holder = isPlainObject(ext) ? (ext as Obj) : {};
    doc[resolved.schema] = holder;
  }
  const target: Target = { holder, attr, label, ...(sub ? { sub } : {}), ...(path.filter ? { filter: path.filter } : {}) };
  if (attr.multiValued) applyMulti(target, op, value, where);
  else applySingle(target, op, value, where);
}

function applySingle(t: Target, op: PatchOpName, value: unknown, where: string): void {
  const { holder, attr, sub } = t;
  if (op === 'remove') {
    if (attr.required) throw mutability(`${where}: ${attr.name} is required and cannot be removed`);
    if (!sub) {
      delete holder[attr.name];
      return;
    }
    const current = holder[attr.name];
    if (isPlainObject(current)) {
      const next: Obj = { ...(current as Obj) };
      delete next[sub.name];
      if (Object.keys(next).length > 0) holder[attr.name] = next;
      else delete holder[attr.name];
    }
    return;
  }
  if (sub) {
    const v = normalizeValue(sub, value, `${attr.name}.${sub.name}`);
    const current = isPlainObject(holder[attr.name]) ? (holder[attr.name] as Obj) : {};
    const next: Obj = { ...current };
    if (v === undefined) delete next[sub.name];
    else next[sub.name] = v;
    if (Object.keys(next).length > 0) holder[attr.name] = next;
    else delete holder[attr.name];
    return;
  }
  const v = normalizeValue(attr, value, attr.name);
  if (v === undefined) {
    if (attr.required) throw invalidValue(`${where}: ${attr.name} is required and cannot be empty`);
    delete holder[attr.name];
    return;
  }
  if (typeof v === 'string' && attr.required && v.trim() === '') {
    throw invalidValue(`${where}: ${attr.name} is required and cannot be empty`);
  }
  // RFC 7644 §3.5.2.3: replacing a complex attribute sets the given sub-attributes and keeps the others.
  if (attr.type === 'complex' && isPlainObject(holder[attr.name])) {
    holder[attr.name] = { ...(holder[attr.name] as Obj), ...(v as Obj) };
  } else {
    holder[attr.name] = v;
  }
}

function elementsOf(holder: Obj, attr: AttributeDef): Obj[] {
  const v = holder[attr.name];
  return Array.isArray(v) ? (v as Obj[]).map((e) => ({ ...e })) : [];
}

function store(holder: Obj, attr: AttributeDef, elements: Obj[]): void {
  if (elements.length > 0) holder[attr.name] = elements;
  else delete holder[attr.name];
}

function applyMulti(t: Target, op: PatchOpName, value: unknown, where: string): void {
  const { holder, attr, sub, filter } = t;
  const subs = attr.subAttributes ?? [];
  let elements = elementsOf(holder, attr);
  if (!filter) {
    if (sub) throw invalidPath(`${where}: "${t.label}.${sub.name}" needs a value filter, e.g. ${attr.name}[type eq "work"].${sub.name}`);
    if (op === 'remove') {
      // Entra removes group members as {"op":"Remove","path":"members","value":[{"value":"id"}]}.
      if (value === undefined || value === null) elements = [];
      else {
        const gone = (normalizeValue(attr, value, attr.name) ?? []) as Obj[];
        elements = elements.filter((e) => !gone.some((g) => sameElement(attr, e, g)));
      }
      store(holder, attr, elements);
      return;
    }
    const incoming = (normalizeValue(attr, value, attr.name) ?? []) as Obj[];
    if (op === 'replace') elements = [];
    for (const n of incoming) elements = mergeElement(attr, elements, n);
    store(holder, attr, elements);
    return;
  }
  const matches = elements.filter((e) => matchesElement(filter, e, subs));
  if (op === 'remove') {
    // Removing an element's `value` removes the element: Entra clears the work email with
    // `emails[type eq "work"].value`, and {type, primary} without a value would be left behind.
    const partial = sub !== undefined && sub.name !== 'value';
    if (partial) for (const e of matches) delete e[sub.name];
    const keep = partial ? elements.filter((e) => Object.keys(e).length > 0) : elements.filter((e) => !matches.includes(e));
    store(holder, attr, keep);
    return;
  }
  const patchValue: Obj | undefined = sub
    ? withSub(sub, value, `${attr.name}.${sub.name}`)
    : complexValue(attr, value, attr.name);
  if (matches.length === 0) {
    // Entra PATCHes emails[type eq "work"].value on users that have no work email yet: create the element.
    const terms = equalityTerms(filter, subs);
    if (!terms) throw noTarget(`${where}: no ${attr.name} element matches the filter in "${t.label}"`);
    const created: Obj = {};
    for (const [def, v] of terms) created[def.name] = normalizeValue(def, v, `${attr.name}.${def.name}`) ?? '';
    elements = mergeElement(attr, elements, { ...created, ...patchValue });
  } else {
    // Replacing a whole element keeps what the filter pinned (its type): a store keyed by type would
    // otherwise drop the element without a word.
    const pinned: Obj = {};
    for (const [def, v] of equalityTerms(filter, subs) ?? []) pinned[def.name] = normalizeValue(def, v, `${attr.name}.${def.name}`) ?? '';
    const first = elements.indexOf(matches[0] as Obj);
    for (const e of matches) {
      const next: Obj = op === 'replace' && !sub ? { ...pinned, ...patchValue } : { ...e, ...patchValue };
      if (sub && patchValue?.[sub.name] === undefined) delete next[sub.name];
      elements[elements.indexOf(e)] = next;
    }
    // As in mergeElement: `primary` may be true on one element only (RFC 7643 §2.4); the first match keeps it.
    if (patchValue?.['primary'] === true) elements = elements.map((e, j) => (j !== first && e['primary'] === true ? { ...e, primary: false } : e));
  }
  store(holder, attr, elements.filter((e) => Object.keys(e).length > 0));
}

function withSub(sub: AttributeDef, value: unknown, path: string): Obj {
  const v = normalizeValue(sub, value, path);
  return v === undefined ? {} : { [sub.name]: v };
}

function sameElement(attr: AttributeDef, a: Obj, b: Obj): boolean {
  const valueDef = attr.subAttributes?.find((s) => s.name === 'value');
  if (!valueDef || b['value'] === undefined) return false;
  const x = a['value'];
  const y = b['value'];
  if (typeof x === 'string' && typeof y === 'string' && !valueDef.caseExact) return x.toLowerCase() === y.toLowerCase();
  return x === y;
}

/**
 * Add one element: an element equal by `value` is merged rather than duplicated (members), and an
 * element of the same `type` replaces the old one, because Entra manages one email/phone/address per
 * type and a store mapped by type can hold only one. A new primary element clears `primary` elsewhere.
 */
function mergeElement(attr: AttributeDef, elements: Obj[], n: Obj): Obj[] {
  const typed = attr.name !== 'members' && typeof n['type'] === 'string';
  const i = elements.findIndex(
    (e) => sameElement(attr, e, n) || (typed && typeof e['type'] === 'string' && e['type'].toLowerCase() === (n['type'] as string).toLowerCase()),
  );
  let out = [...elements];
  if (i >= 0) out[i] = { ...out[i], ...n };
  else out.push(n);
  if (n['primary'] === true) {
    const keep = i >= 0 ? i : out.length - 1;
    out = out.map((e, j) => (j !== keep && e['primary'] === true ? { ...e, primary: false } : e));
  }
  return out;
}

/** A deep copy of JSON data; several times faster than structuredClone for the small objects PATCH works on. */
function cloneValue(v: ScimValue): ScimValue {
  if (Array.isArray(v)) return (v as ScimValue[]).map(cloneValue);
  if (typeof v === 'object' && v !== null) return cloneObject(v as ScimObject);
  return v;
}

function cloneObject(o: ScimObject): Obj {
  const out: Obj = {};
  // Canonical resources only have schema names as keys; the guard keeps a copy from ever setting a prototype.
  for (const k of Object.keys(o)) if (k !== '__proto__') out[k] = cloneValue(o[k] as ScimValue);
  return out;
}
