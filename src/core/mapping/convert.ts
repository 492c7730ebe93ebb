/** Canonical SCIM resource ⇄ flat native record, through a compiled mapping. Pure. */
import type { NativeScalar } from '../../../connectors/types.js';
import type { ScimObject, ScimValue } from '../../scim/schema/types.js';
import { isPlainObject } from '../../scim/values.js';
import type { Slot } from './compile.js';

type Obj = { [key: string]: ScimValue };

function holderOf(resource: ScimObject, slot: Slot): ScimObject | undefined {
  if (slot.core) return resource;
  const ext = resource[slot.schema];
  return isPlainObject(ext) ? (ext as ScimObject) : undefined;
}

function sameText(a: ScimValue | undefined, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}

function scalar(v: ScimValue | undefined): NativeScalar | undefined {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

/** The value a slot holds in `resource`, or undefined when the resource does not have it. */
export function readSlot(resource: ScimObject, slot: Slot): NativeScalar | undefined {
  const holder = holderOf(resource, slot);
  const v = holder?.[slot.attr.name];
  if (v === undefined) return undefined;
  if (slot.selector) {
    if (!Array.isArray(v)) return undefined;
    const sel = slot.selector;
    const el = (v as ScimValue[]).find((e) => isPlainObject(e) && sameText((e as ScimObject)[sel.sub.name], sel.value));
    return el && isPlainObject(el) && slot.sub ? scalar((el as ScimObject)[slot.sub.name]) : undefined;
  }
  if (slot.sub) return isPlainObject(v) ? scalar((v as ScimObject)[slot.sub.name]) : undefined;
  return scalar(v);
}

/** Native fields for a resource: every mapped slot the resource has a value for. Unmapped attributes are not stored. */
export function toNative(slots: readonly Slot[], resource: ScimObject): Record<string, NativeScalar> {
  const out: Record<string, NativeScalar> = {};
  for (const slot of slots) {
    const v = readSlot(resource, slot);
    // The empty string is how Entra and LDAP both spell "no value".
    if (v !== undefined && v !== '') out[slot.field] = v;
  }
  return out;
}

/** Rebuild the SCIM attributes of a native record (without id, schemas and meta, which the caller adds). */
export function fromNative(
  slots: readonly Slot[],
  fields: Readonly<Record<string, NativeScalar>>,
  out: { [key: string]: ScimValue } = {},
): Obj {
  // Built in place (into `out`, which a caller may have started with id and schemas): everything here is
  // fresh, so nothing is copied per slot. This runs for every record of every response.
  let typed: Obj[][] | undefined;
  for (const slot of slots) {
    // Own fields only: a record is data, and a field named like an Object.prototype member must not read it.
    if (!Object.hasOwn(fields, slot.field)) continue;
    const v = fields[slot.field];
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    if (slot.leaf.returned === 'never') continue;
    let holder = out;
    if (!slot.core) {
      holder = (out[slot.schema] as typeof out | undefined) ?? {};
      out[slot.schema] = holder;
    }
    const name = slot.attr.name;
    if (slot.selector && slot.sub) {
      let list = holder[name] as { [k: string]: ScimValue }[] | undefined;
      if (!list) {
        list = [];
        holder[name] = list;
        (typed ??= []).push(list);
      }
      const sel = slot.selector;
      let el = list.find((e) => sameText(e[sel.sub.name], sel.value));
      if (!el) {
        el = { [sel.sub.name]: sel.value };
        list.push(el);
      }
      el[slot.sub.name] = v;
    } else if (slot.sub) {
      const cur = (holder[name] as { [k: string]: ScimValue } | undefined) ?? {};
      cur[slot.sub.name] = v;
      holder[name] = cur;
    } else {
      holder[name] = v;
    }
  }
  if (typed) dropHollowElements(out, typed);
  return out;
}

/**
 * An element that has only its selector and `primary` (e.g. `{type: "work", primary: true}` after the
 * work email was cleared) describes nothing: drop it, and the attribute when no element is left.
 */
function dropHollowElements(out: { [key: string]: ScimValue }, typed: Obj[][]): void {
  const hollow = (e: Obj): boolean => Object.keys(e).every((k) => k === 'type' || k === 'primary' || k === 'display');
  for (const list of typed) {
    if (!list.some(hollow)) continue;
    const holders = [out, ...Object.values(out).filter((v): v is { [key: string]: ScimValue } => isPlainObject(v))];
    for (const h of holders) {
      for (const [k, v] of Object.entries(h)) {
        if (v !== list) continue;
        const kept = list.filter((e) => !hollow(e));
        if (kept.length === 0) delete h[k];
        else h[k] = kept;
      }
    }
  }
}
