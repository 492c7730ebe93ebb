/**
 * Query parameters of a list request (RFC 7644 §3.4.2) → a NativeQuery for the connector. Entra sends
 * `filter=userName eq "x"` with `+` for spaces (the query-string decoder turns it back), and parameters
 * in any order; names are matched case-insensitively because some clients write `startindex`.
 */
import type { Capabilities, NativeFilter, NativeQuery, NativeSort } from '../../connectors/types.js';
import { invalidFilter, invalidValue } from '../scim/errors.js';
import { parseAttrPath, parseFilter } from '../scim/filter/parse.js';
import type { ResourceTypeDef } from '../scim/schema/types.js';
import { parseProjection, returnsAttribute, type Projection } from '../scim/projection.js';
import type { Slot } from './mapping/compile.js';
import { translate } from './mapping/filter.js';
import type { RequestLimits } from './runtime.js';

export type QueryParams = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ListRequest {
  readonly query: NativeQuery;
  readonly projection: Projection;
}

/**
 * The list parameters by lower-cased name, read in one pass. A repeated parameter is an error, also when
 * spelled in another case (`sortBy=a&SORTBY=b`).
 */
export class ListParams {
  readonly #values = new Map<string, string>();

  constructor(params: QueryParams) {
    for (const key in params) {
      if (!Object.hasOwn(params, key)) continue;
      const v = params[key];
      const lower = key.toLowerCase();
      if (typeof v !== 'string' || this.#values.has(lower)) {
        if (v === undefined) continue;
        throw invalidValue(`the query parameter "${key}" is given more than once`);
      }
      this.#values.set(lower, v);
    }
  }

  get(name: string): string | undefined {
    return this.#values.get(name.toLowerCase());
  }
}

/** A single-valued query parameter, looked up case-insensitively; a repeated one is an error. */
export function param(params: QueryParams, name: string): string | undefined {
  return new ListParams(params).get(name);
}

function intParam(params: ListParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^-?\d{1,15}$/.test(raw.trim())) throw invalidValue(`${name} must be an integer, not ${JSON.stringify(raw)}`);
  return Number(raw);
}

function checkOperators(f: NativeFilter, allowed: Capabilities['filterOperators']): void {
  if (allowed === 'all') return;
  const visit = (g: NativeFilter): void => {
    if (g.op === 'true' || g.op === 'false') return;
    if (!allowed.includes(g.op)) throw invalidFilter(`this endpoint's store cannot evaluate "${g.op}" in a filter`);
    if (g.op === 'and' || g.op === 'or') g.filters.forEach(visit);
    else if (g.op === 'not') visit(g.filter);
  };
  visit(f);
}

function sortOf(rt: ResourceTypeDef, slots: readonly Slot[], sortBy: string, descending: boolean): NativeSort {
  const path = parseAttrPath(sortBy);
  const f = translate({ rt, slots, members: false }, { kind: 'present', path });
  const target = f.op === 'pr' ? f.target : f.op === 'or' && f.filters[0]?.op === 'pr' ? f.filters[0].target : undefined;
  if (!target) throw invalidValue(`cannot sort by "${sortBy}"`);
  const slot = target.kind === 'field' ? slots.find((s) => s.field === target.field) : undefined;
  const type = target.kind === 'meta' ? 'dateTime' : slot && slot.leaf.type !== 'complex' ? slot.leaf.type : 'string';
  return { target, descending, type, caseExact: target.kind === 'id' || (slot?.leaf.caseExact ?? false) };
}

export function buildListRequest(
  rt: ResourceTypeDef,
  slots: readonly Slot[],
  caps: Capabilities,
  query: QueryParams,
  limits: RequestLimits,
): ListRequest {
  const params = new ListParams(query);
  const text = params.get('filter');
  let filter: NativeFilter | undefined;
  if (text !== undefined && text.trim() !== '') {
    filter = translate({ rt, slots, members: caps.groups }, parseFilter(text, limits.filter));
    checkOperators(filter, caps.filterOperators);
  }
  // RFC 7644 §3.4.2.4: startIndex < 1 means 1, count < 0 means 0.
  const startIndex = Math.max(1, intParam(params, 'startIndex') ?? 1);
  const count = Math.min(Math.max(0, intParam(params, 'count') ?? limits.defaultPageSize), limits.maxPageSize, caps.maxPageSize);
  const projection = parseProjection(rt, params.get('attributes'), params.get('excludedAttributes'));
  const sortBy = params.get('sortBy');
  const order = params.get('sortOrder')?.toLowerCase();
  if (order !== undefined && order !== 'ascending' && order !== 'descending') {
    throw invalidValue(`sortOrder must be "ascending" or "descending", not ${JSON.stringify(order)}`);
  }
  // Sorting is advertised only when the connector can do it; otherwise sortBy is ignored (RFC 7644 §3.4.2.3).
  const sort = sortBy && caps.sort ? sortOf(rt, slots, sortBy, order === 'descending') : undefined;
  const native: NativeQuery = {
    ...(filter ? { filter } : {}),
    startIndex,
    count,
    ...(sort ? { sort } : {}),
    withMembers: rt.id === 'Group' && returnsAttribute(projection, 'members'),
  };
  return { query: native, projection };
}
