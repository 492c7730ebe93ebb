/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): which attributes a response carries.
 * `id` and `schemas` are always returned. Names that do not resolve are ignored rather than rejected:
 * they can only remove or keep nothing, and clients send lists written for other servers.
 */
import { invalidValue } from './errors.js';
import { parseAttrPath } from './filter/parse.js';
import { resolvePath } from './schema/resolve.js';
import type { ResourceTypeDef, ScimObject, ScimValue } from './schema/types.js';
import { isPlainObject } from './values.js';

interface Selected {
  /** Key in the resource object: the attribute name (core) or the extension URN. */
  readonly key: string;
  /** For extension attributes: the attribute inside the extension object. */
  readonly inner?: string;
  readonly sub?: string;
}

export interface Projection {
  readonly include?: readonly Selected[];
  readonly exclude?: readonly Selected[];
}

const ALWAYS = new Set(['id', 'schemas']);

function parseList(rt: ResourceTypeDef, text: string | undefined, param: string): Selected[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (text.length > 4096) throw invalidValue(`${param} is too long`);
  const out: Selected[] = [];
  for (const part of text.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    const r = resolvePath(rt, parseAttrPath(name));
    if (!r) continue;
    if (r.kind === 'extension') out.push({ key: r.schema.id });
    else if (r.core) out.push({ key: r.attr.name, ...(r.sub ? { sub: r.sub.name } : {}) });
    else out.push({ key: r.schema, inner: r.attr.name, ...(r.sub ? { sub: r.sub.name } : {}) });
  }
  return out;
}

export function parseProjection(rt: ResourceTypeDef, attributes: string | undefined, excluded: string | undefined): Projection {
  const include = parseList(rt, attributes, 'attributes');
  const exclude = parseList(rt, excluded, 'excludedAttributes');
  return { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) };
}

/** Would the projection return attribute `key` (a core attribute name) at all? Used to skip reading members. */
export function returnsAttribute(p: Projection, key: string): boolean {
  if (p.include && !p.include.some((s) => s.key === key)) return false;
  if (p.exclude?.some((s) => s.key === key && s.sub === undefined)) return false;
  return true;
}

function pickSub(v: ScimValue, sub: string, keep: boolean): ScimValue | undefined {
  const one = (o: ScimValue): ScimValue | undefined => {
    if (!isPlainObject(o)) return o;
    const src = o as ScimObject;
    if (keep) return src[sub] === undefined ? undefined : { [sub]: src[sub] as ScimValue };
    const rest: { [k: string]: ScimValue } = { ...src };
    delete rest[sub];
    return Object.keys(rest).length > 0 ? rest : undefined;
  };
  if (Array.isArray(v)) {
    const items = (v as ScimValue[]).map(one).filter((x): x is ScimValue => x !== undefined);
    return items.length > 0 ? items : undefined;
  }
  return one(v);
}

function applyTo(obj: ScimObject, sel: readonly Selected[], keep: boolean): ScimObject {
  const out: { [k: string]: ScimValue } = keep ? {} : { ...obj };
  for (const s of sel) {
    if (s.inner !== undefined) {
      const ext = obj[s.key];
      if (!isPlainObject(ext)) continue;
      const base = keep && isPlainObject(out[s.key]) ? (out[s.key] as ScimObject) : keep ? {} : (ext as ScimObject);
      const innerSel: Selected = { key: s.inner, ...(s.sub ? { sub: s.sub } : {}) };
      const next = keep ? { ...base, ...applyTo(ext as ScimObject, [innerSel], true) } : applyTo(base, [innerSel], false);
      if (Object.keys(next).length > 0) out[s.key] = next;
      else delete out[s.key];
      continue;
    }
    const v = obj[s.key];
    if (v === undefined || ALWAYS.has(s.key)) continue;
    if (s.sub === undefined) {
      if (keep) out[s.key] = v;
      else delete out[s.key];
      continue;
    }
    const picked = pickSub(keep ? v : (out[s.key] ?? v), s.sub, keep);
    if (picked !== undefined) out[s.key] = keep && out[s.key] !== undefined ? merge(out[s.key] as ScimValue, picked) : picked;
    else if (!keep) delete out[s.key];
  }
  return out;
}

function merge(a: ScimValue, b: ScimValue): ScimValue {
  if (Array.isArray(a) && Array.isArray(b)) return (a as ScimObject[]).map((x, i) => ({ ...x, ...((b as ScimObject[])[i] ?? {}) }));
  if (isPlainObject(a) && isPlainObject(b)) return { ...(a as ScimObject), ...(b as ScimObject) };
  return b;
}

export function project(resource: ScimObject, p: Projection): ScimObject {
  let out = resource;
  if (p.include) {
    const kept = applyTo(resource, p.include, true);
    out = { schemas: resource['schemas'] ?? [], id: resource['id'] ?? '', ...kept };
  }
  if (p.exclude) out = applyTo(out, p.exclude, false);
  return out;
}
