/**
 * Which firewall objects a list has to look at. Firewall APIs filter poorly (FortiOS's filter syntax has
 * undocumented escaping, PAN-OS has none for local users), so the connector reads what it must and applies
 * the SCIM filter itself with the core's evaluator (connectors/support/evaluate-filter.ts):
 *  - `userName eq` / group `displayName eq`: one GET by name (Entra's lookup before every create);
 *  - `id eq`, `externalId eq`: the identity map names the objects, one GET each;
 *  - `or` of those: the union; `and`: the narrowest side that has one; `false`: nothing;
 *  - anything else: every object, page by page.
 * The filter is still evaluated on every object read, so a narrowed read never returns more than a scan.
 */
import type { IdentityKind, IdentityMap } from '../../src/identity-map/index.js';
import type { NativeFilter } from '../types.js';

type Lookup = { readonly by: 'key' | 'id' | 'externalId'; readonly value: string };

export interface FieldRoles {
  /** The native field holding the firewall name (mapped from userName / group displayName). */
  readonly key: string;
  /** The native field mapped from externalId (kept in the identity map), if mapped. */
  readonly externalId: string | undefined;
}

function lookups(f: NativeFilter, roles: FieldRoles): Lookup[] | undefined {
  switch (f.op) {
    case 'false':
      return [];
    case 'or': {
      const parts = f.filters.map((g) => lookups(g, roles));
      return parts.every((p) => p !== undefined) ? parts.flat() : undefined;
    }
    case 'and': {
      const parts = f.filters.map((g) => lookups(g, roles)).filter((p) => p !== undefined);
      return parts.length === 0 ? undefined : parts.reduce((a, b) => (b.length < a.length ? b : a));
    }
    case 'eq': {
      if (typeof f.value !== 'string') return undefined;
      if (f.target.kind === 'id') return [{ by: 'id', value: f.value }];
      if (f.target.kind !== 'field') return undefined;
      if (f.target.field === roles.key) return [{ by: 'key', value: f.value }];
      if (f.target.field === roles.externalId) return [{ by: 'externalId', value: f.value }];
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The firewall names a filter can only match, or undefined when every object must be read. A name is the
 * map's spelling when the map knows it (case-insensitive names), else the value as given.
 */
export function candidateKeys(
  filter: NativeFilter | undefined,
  roles: FieldRoles,
  map: IdentityMap,
  kind: IdentityKind,
  fold: (key: string) => string,
): string[] | undefined {
  if (!filter) return undefined;
  const found = lookups(filter, roles);
  if (!found) return undefined;
  const keys = new Map<string, string>();
  const add = (key: string) => keys.set(fold(key), key);
  for (const l of found) {
    if (l.by === 'key') add(map.byKey(kind, l.value)?.key ?? l.value);
    else if (l.by === 'id') {
      const e = map.byId(kind, l.value);
      if (e) add(e.key);
    } else for (const e of map.byExternalId(kind, l.value)) add(e.key);
  }
  return [...keys.values()];
}

