/**
 * Attribute names are case-insensitive (RFC 7643 §2.1) and may be URN-qualified (§3.10). Everything that
 * takes a name from a client (bodies, PATCH paths, filters, attributes=, sortBy) resolves it here, so only
 * names in the schema can ever be read or written: `__proto__`, `constructor` and friends never resolve.
 */
import type { AttrPath } from '../filter/ast.js';
import { COMMON_ATTRIBUTES } from './definitions.js';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types.js';

export type ResolvedPath =
  /** `schema` is the URN whose object holds the attribute: the core schema or an extension. */
  | { readonly kind: 'attribute'; readonly schema: string; readonly core: boolean; readonly attr: AttributeDef; readonly sub?: AttributeDef }
  /** The path names a whole extension (a no-path PATCH value keyed by `urn:…:enterprise:2.0:User`). */
  | { readonly kind: 'extension'; readonly schema: SchemaDef };

const lookupCache = new WeakMap<readonly AttributeDef[], Map<string, AttributeDef>>();

/** Case-insensitive lookup of a name among attribute definitions (own keys only, no prototype). */
export function findAttr(defs: readonly AttributeDef[], name: string): AttributeDef | undefined {
  let map = lookupCache.get(defs);
  if (!map) {
    map = new Map(defs.map((d) => [d.name.toLowerCase(), d]));
    lookupCache.set(defs, map);
  }
  return map.get(name.toLowerCase());
}

export function findSchema(rt: ResourceTypeDef, urn: string): SchemaDef | undefined {
  const lower = urn.toLowerCase();
  if (rt.schema.id.toLowerCase() === lower) return rt.schema;
  return rt.extensions.find((e) => e.schema.id.toLowerCase() === lower)?.schema;
}

/** The extension whose URN is `key` (case-insensitive), if `key` names one. */
export function findExtension(rt: ResourceTypeDef, key: string): SchemaDef | undefined {
  const lower = key.toLowerCase();
  return rt.extensions.find((e) => e.schema.id.toLowerCase() === lower)?.schema;
}

function withSub(
  schema: string,
  core: boolean,
  attr: AttributeDef,
  subName: string | undefined,
): ResolvedPath | undefined {
  if (subName === undefined) return { kind: 'attribute', schema, core, attr };
  if (attr.type !== 'complex' || !attr.subAttributes) return undefined;
  const sub = findAttr(attr.subAttributes, subName);
  return sub ? { kind: 'attribute', schema, core, attr, sub } : undefined;
}

/** Resolve a parsed path against a resource type; `undefined` when it names nothing in the schema. */
export function resolvePath(rt: ResourceTypeDef, path: AttrPath): ResolvedPath | undefined {
  if (path.uri !== undefined) {
    const whole = findExtension(rt, `${path.uri}:${path.name}`);
    if (whole && path.sub === undefined) return { kind: 'extension', schema: whole };
    const schema = findSchema(rt, path.uri);
    if (!schema) return undefined;
    const core = schema === rt.schema;
    const attr = findAttr(schema.attributes, path.name) ?? (core ? findAttr(COMMON_ATTRIBUTES, path.name) : undefined);
    return attr ? withSub(schema.id, core, attr, path.sub) : undefined;
  }
  const common = findAttr(COMMON_ATTRIBUTES, path.name);
  if (common) return withSub(rt.schema.id, true, common, path.sub);
  const coreAttr = findAttr(rt.schema.attributes, path.name);
  if (coreAttr) return withSub(rt.schema.id, true, coreAttr, path.sub);
  // Some clients leave extension attributes unqualified; accept them when the name is unambiguous.
  for (const ext of rt.extensions) {
    const a = findAttr(ext.schema.attributes, path.name);
    if (a) return withSub(ext.schema.id, false, a, path.sub);
  }
  return undefined;
}

/** `name.givenName`, `urn:…:User:manager.value`: the canonical spelling of a resolved path. */
export function canonicalPath(r: ResolvedPath & { kind: 'attribute' }): string {
  const base = r.core ? r.attr.name : `${r.schema}:${r.attr.name}`;
  return r.sub ? `${base}.${r.sub.name}` : base;
}

/** A path as the client wrote it, for error messages. */
export function formatPath(path: AttrPath): string {
  const base = path.uri !== undefined ? `${path.uri}:${path.name}` : path.name;
  return path.sub !== undefined ? `${base}.${path.sub}` : base;
}
