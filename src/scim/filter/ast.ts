/**
 * The parsed forms of SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2). Produced by parse.ts,
 * consumed by the schema resolver, the mapping layer (which turns them into native filters) and the PATCH
 * applier. Names are kept as written; resolving them case-insensitively against a schema is not the
 * parser's job.
 */

/** `[uri ":"] name ["." sub]`, e.g. `name.givenName` or `urn:…:enterprise:2.0:User:manager.value`. */
export interface AttrPath {
  /** The schema URN when the path was URN-qualified, as written (without the trailing colon). */
  readonly uri?: string;
  readonly name: string;
  readonly sub?: string;
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** JSON literal operands. Strings have their JSON escapes decoded. */
export type FilterValue = string | number | boolean | null;

export type Filter =
  | { readonly kind: 'compare'; readonly path: AttrPath; readonly op: CompareOp; readonly value: FilterValue }
  | { readonly kind: 'present'; readonly path: AttrPath }
  /** n-ary and flattened: `a and b and c` is one node with three filters. */
  | { readonly kind: 'and'; readonly filters: readonly Filter[] }
  | { readonly kind: 'or'; readonly filters: readonly Filter[] }
  | { readonly kind: 'not'; readonly filter: Filter }
  /**
   * `emails[type eq "work"]`: some element of the multi-valued `path` matches `filter`, whose paths name
   * sub-attributes of the element (`{ name: 'type' }`). `path` never has `sub`.
   * Entra sends `emails[type eq "work"].value eq "x"`, which RFC 7644's filter grammar lacks; the parser
   * reads it as `emails[type eq "work" and value eq "x"]`, which means the same thing.
   */
  | { readonly kind: 'valuePath'; readonly path: AttrPath; readonly filter: Filter };

/**
 * A PATCH `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath ["." subAttr]`.
 * `members[value eq "x"]` → { name: 'members', filter }, `emails[type eq "work"].value` → { name, filter, sub: 'value' },
 * `name.givenName` → { name: 'name', sub: 'givenName' }.
 */
export interface PatchPath {
  readonly uri?: string;
  readonly name: string;
  readonly filter?: Filter;
  readonly sub?: string;
}

export interface FilterLimits {
  /** Characters in the whole filter. */
  readonly maxLength: number;
  /** Nesting of parentheses, `not` and `[...]`. */
  readonly maxDepth: number;
  /** Attribute expressions (compare and present), counted everywhere including inside `[...]`. */
  readonly maxClauses: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = { maxLength: 4096, maxDepth: 32, maxClauses: 100 };
