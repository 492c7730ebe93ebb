/**
 * Validation of a whole resource from a POST or PUT body into the canonical form the rest of the gateway
 * uses: attribute names spelled as in the schema, extension attributes under their schema URN, booleans
 * as booleans, no nulls, no read-only attributes.
 */
import { invalidSyntax, invalidValue } from './errors.js';
import { COMMON_ATTRIBUTES } from './schema/definitions.js';
import { findAttr, findExtension } from './schema/resolve.js';
import type { AttributeDef, ResourceTypeDef, ScimObject, ScimValue } from './schema/types.js';
import { isPlainObject, normalizeValue, ownEntries } from './values.js';

type MutableObject = { [key: string]: ScimValue };

function putAttribute(out: MutableObject, def: AttributeDef, raw: unknown, path: string): void {
  if (def.mutability === 'readOnly') return; // clients echo id, meta, groups back; RFC 7644 §3.5.1 says ignore
  const v = normalizeValue(def, raw, path);
  if (v !== undefined) out[def.name] = v;
}

function extensionObject(ext: { attributes: readonly AttributeDef[]; id: string }, raw: unknown): ScimObject | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (!isPlainObject(raw)) throw invalidValue(`${ext.id} must be an object`);
  const out: MutableObject = {};
  for (const [key, v] of ownEntries(raw)) {
    const def = findAttr(ext.attributes, key);
    if (!def) throw invalidSyntax(`unknown attribute "${key}" in ${ext.id}`);
    putAttribute(out, def, v, `${ext.id}:${def.name}`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * `body` is the parsed JSON of a POST/PUT. Unknown core attributes are a 400 invalidSyntax naming them;
 * unknown URN-keyed objects (extensions we do not know) are ignored, because Entra and Okta list schema
 * URNs of their own and a gateway in front of a directory has no use for them.
 */
export function normalizeResource(rt: ResourceTypeDef, body: unknown): ScimObject {
  if (!isPlainObject(body)) throw invalidSyntax('the request body must be a JSON object');
  const out: MutableObject = {};
  const schemas = body['schemas'];
  if (schemas !== undefined && (!Array.isArray(schemas) || schemas.some((s) => typeof s !== 'string'))) {
    throw invalidSyntax('"schemas" must be an array of schema URNs');
  }
  for (const [key, raw] of ownEntries(body)) {
    if (key.toLowerCase() === 'schemas') continue;
    const ext = findExtension(rt, key);
    if (ext) {
      const v = extensionObject(ext, raw);
      // Merge: unqualified attributes of this extension may have come earlier in the body.
      if (v) out[ext.id] = { ...((out[ext.id] as MutableObject | undefined) ?? {}), ...v };
      continue;
    }
    const def = findAttr(COMMON_ATTRIBUTES, key) ?? findAttr(rt.schema.attributes, key);
    // Some clients send extension attributes unqualified ("department"); file them under their extension
    // when the name is unambiguous, as PATCH paths and filters do.
    const ext2 = def ? undefined : rt.extensions.find((e) => findAttr(e.schema.attributes, key));
    if (ext2 && raw !== null) {
      const extDef = findAttr(ext2.schema.attributes, key) as AttributeDef;
      const holder: MutableObject = { ...((out[ext2.schema.id] as MutableObject | undefined) ?? {}) };
      putAttribute(holder, extDef, raw, `${ext2.schema.id}:${extDef.name}`);
      if (Object.keys(holder).length > 0) out[ext2.schema.id] = holder;
      continue;
    }
    if (!def) {
      // null is "absent" (RFC 7643 §2.5); Entra's documented create (Example 2) sends unmapped
      // attributes such as "department": null and "manager": null at the top level.
      if (raw === null || key.toLowerCase().startsWith('urn:')) continue;
      throw invalidSyntax(`unknown attribute "${key}" for a ${rt.name}`);
    }
    putAttribute(out, def, raw, def.name);
  }
  for (const def of rt.schema.attributes) {
    const v = out[def.name];
    if (def.required && (v === undefined || (typeof v === 'string' && v.trim() === ''))) {
      throw invalidValue(`${def.name} is required and must not be empty`);
    }
  }
  return out;
}

/** The attributes of `resource` that live in extension `urn`. */
export function extensionOf(resource: ScimObject, urn: string): ScimObject | undefined {
  const v = resource[urn];
  return isPlainObject(v) ? (v as ScimObject) : undefined;
}
