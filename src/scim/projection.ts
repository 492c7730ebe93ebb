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

/** Per attribute: the whole of it (`true`) or only some sub-attributes. */
type Selection = Map<string, true | Set<string>>;

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

function add(sel: Selection, name: string, sub: string | undefined): void {
  const cur = sel.get(name);
  if (cur === true) return;
  if (sub === undefined) sel.set(name, true);
  else if (cur) cur.add(sub);
  else sel.set(name, new Set([sub]));
}

/** Selections grouped by level: core attributes, and attributes inside each extension object. */
function group(list: readonly Selected[]): { top: Selection; inner: Map<string, Selection> } {
  const top: Selection = new Map();
  const inner = new Map<string, Selection>();
  for (const s of list) {
    if (s.inner === undefined) add(top, s.key, s.sub);
    else {
      const m = inner.get(s.key) ?? new Map();
      add(m, s.inner, s.sub);
      inner.set(s.key, m);
    }
  }
  return { top, inner };
}

/** Keep (or drop) the listed sub-attributes of a complex value, element by element for multi-valued ones. */
function subs(v: ScimValue, names: Set<string>, keep: boolean): ScimValue | undefined {
  const one = (o: ScimValue): ScimValue | undefined => {
    if (!isPlainObject(o)) return keep ? undefined : o;
    const out: { [k: string]: ScimValue } = {};
    for (const [k, x] of Object.entries(o as ScimObject)) if (names.has(k) === keep) out[k] = x;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  if (!Array.isArray(v)) return one(v);
  const items = (v as ScimValue[]).map(one).filter((x): x is ScimValue => x !== undefined);
  return items.length > 0 ? items : undefined;
}

function apply(obj: ScimObject, sel: Selection, keep: boolean): { [k: string]: ScimValue } {
  const out: { [k: string]: ScimValue } = {};
  for (const [k, v] of Object.entries(obj)) {
    const s = sel.get(k);
    if (ALWAYS.has(k) || (s === undefined && !keep)) out[k] = v;
    else if (s === true) {
      if (keep) out[k] = v;
    } else if (s !== undefined) {
      const picked = subs(v, s, keep);
      if (picked !== undefined) out[k] = picked;
    }
  }
  return out;
}

function project1(resource: ScimObject, list: readonly Selected[], keep: boolean): ScimObject {
  const { top, inner } = group(list);
  // An extension with some of its attributes selected is handled below; the whole of it, at the top.
  const out = apply(resource, new Map([...top].filter(([k]) => !inner.has(k) || top.get(k) === true)), keep);
  for (const [urn, sel] of inner) {
    if (top.get(urn) === true) continue;
    const ext = resource[urn];
    if (!isPlainObject(ext)) continue;
    const next = apply(ext as ScimObject, sel, keep);
    if (Object.keys(next).length > 0) out[urn] = next;
    else delete out[urn];
  }
  return out;
}

export function project(resource: ScimObject, p: Projection): ScimObject {
  let out = resource;
  if (p.include) out = project1(resource, p.include, true);
  if (p.exclude) out = project1(out, p.exclude, false);
  return out;
}
