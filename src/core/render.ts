/** Native record → SCIM resource (with schemas and meta), versions for ETags, and field diffs for writes. */
import { createHash } from 'node:crypto';
import type { FieldChange, NativeRecord, NativeScalar } from '../../connectors/types.js';
import { ENTERPRISE_USER_SCHEMA } from '../scim/schema/definitions.js';
import type { ResourceTypeDef, ScimObject, ScimValue } from '../scim/schema/types.js';
import type { Slot } from './mapping/compile.js';
import { fromNative } from './mapping/convert.js';

/** The weak ETag of a record: the store's own version when it has one, else a hash of the content. */
export function versionOf(record: NativeRecord): string {
  if (record.meta?.version !== undefined) return `W/"${record.meta.version}"`;
  const h = createHash('sha256');
  h.update(JSON.stringify(record.fields));
  if (record.members) for (const m of record.members) h.update(`\u0000${m.value}`);
  return `W/"${h.digest('base64url').slice(0, 22)}"`;
}

/** The SCIM attributes of a record (no meta), members included when the record carries them. */
export function scimAttributes(rt: ResourceTypeDef, slots: readonly Slot[], record: NativeRecord, baseUrl: string): ScimObject {
  return withMembers(rt, fromNative(slots, record.fields), record, baseUrl);
}

function withMembers(rt: ResourceTypeDef, attrs: { [k: string]: ScimValue }, record: NativeRecord, baseUrl: string): ScimObject {
  if (rt.id === 'Group' && record.members) {
    attrs['members'] = record.members.map((m) => {
      const el: { [k: string]: ScimValue } = { value: m.value };
      if (m.type) {
        el['$ref'] = `${baseUrl}/${m.type === 'Group' ? 'Groups' : 'Users'}/${encodeURIComponent(m.value)}`;
        el['type'] = m.type;
      }
      return el;
    });
  }
  return attrs;
}

export function renderResource(rt: ResourceTypeDef, slots: readonly Slot[], record: NativeRecord, baseUrl: string): ScimObject {
  // Filled in response order (schemas, id, attributes, meta) without copying: this runs for every record returned.
  const out: { [k: string]: ScimValue } = { schemas: [], id: record.id };
  fromNative(slots, record.fields, out);
  withMembers(rt, out, record, baseUrl);
  out['schemas'] = out[ENTERPRISE_USER_SCHEMA] !== undefined ? [rt.schema.id, ENTERPRISE_USER_SCHEMA] : [rt.schema.id];
  const meta: { [k: string]: ScimValue } = { resourceType: rt.name };
  if (record.meta?.created) meta['created'] = record.meta.created;
  if (record.meta?.lastModified) meta['lastModified'] = record.meta.lastModified;
  meta['location'] = `${baseUrl}${rt.endpoint}/${encodeURIComponent(record.id)}`;
  meta['version'] = versionOf(record);
  out['meta'] = meta;
  return out;
}

/**
 * The changes that turn `before` into `after`, over mapped fields only. Write-only fields (password) are
 * never read back into SCIM, so their absence from `after` means "not mentioned", not "remove".
 */
export function diffFields(
  slots: readonly Slot[],
  before: Readonly<Record<string, NativeScalar>>,
  after: Readonly<Record<string, NativeScalar>>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const { field, leaf } of slots) {
    const a = Object.hasOwn(before, field) ? before[field] : undefined;
    const b = Object.hasOwn(after, field) ? after[field] : undefined;
    if (a === b || (b === undefined && leaf.returned === 'never')) continue;
    if (b === undefined) changes.push({ op: 'unset', field });
    else changes.push({ op: 'set', field, value: b });
  }
  return changes;
}

/** Member ids a group resource lists (members[].value). */
export function memberIdsOf(resource: ScimObject): string[] {
  const v = resource['members'];
  if (!Array.isArray(v)) return [];
  const ids: string[] = [];
  for (const m of v as ScimValue[]) {
    const value = typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as ScimObject)['value'] : undefined;
    if (typeof value === 'string') ids.push(value);
  }
  return [...new Set(ids)];
}
