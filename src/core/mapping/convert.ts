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
export function fromNative(slots: readonly Slot[], fields: Readonly<Record<string, NativeScalar>>): Obj {
  const out: Obj = {};
  const typed = new Set<Obj[]>();
  for (const slot of slots) {
    if (slot.leaf.returned === 'never') continue;
    const v = Object.hasOwn(fields, slot.field) ? fields[slot.field] : undefined;
    if (v === undefined) continue;
    let holder = out;
    if (!slot.core) {
      const ext = out[slot.schema];
      holder = isPlainObject(ext) ? (ext as Obj) : {};
      out[slot.schema] = holder;
    }
    const name = slot.attr.name;
    if (slot.selector && slot.sub) {
      const list = Array.isArray(holder[name]) ? [...(holder[name] as Obj[])] : [];
      const sel = slot.selector;
      let i = list.findIndex((e) => sameText(e[sel.sub.name], sel.value));
      if (i < 0) {
        list.push({ [sel.sub.name]: sel.value });
        i = list.length - 1;
      }
      list[i] = { ...list[i], [slot.sub.name]: v };
      holder[name] = list;
      typed.add(holder[name] as Obj[]);
    } else if (slot.sub) {
      const cur = isPlainObject(holder[name]) ? (holder[name] as Obj) : {};
      holder[name] = { ...cur, [slot.sub.name]: v };
    } else {
      holder[name] = v;
    }
  }
  dropHollowElements(out, typed);
  return out;
}

/**
 * An element that has only its selector and `primary` (e.g. `{type: "work", primary: true}` after the
 * work email was cleared) describes nothing: drop it, and the attribute when no element is left.
 */
function dropHollowElements(out: Obj, typed: Set<Obj[]>): void {
  const hollow = (e: Obj): boolean => Object.keys(e).every((k) => k === 'type' || k === 'primary' || k === 'display');
  const clean = (holder: Obj): void => {
    for (const [k, v] of Object.entries(holder)) {
      if (Array.isArray(v) && typed.has(v as Obj[])) {
        const kept = (v as Obj[]).filter((e) => !hollow(e));
        if (kept.length === 0) delete holder[k];
        else holder[k] = kept;
      } else if (isPlainObject(v)) clean(v as Obj);
    }
  };
  clean(out);
}
