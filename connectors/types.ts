/**
 * The connector contract: the only thing a connector implements and the only thing the core knows about one.
 *
 * A connector never sees HTTP or SCIM wire formats. The core (src/core) has already
 *  - authenticated and validated the request and normalised client quirks (Entra's "True", "Replace", …);
 *  - translated SCIM attributes to the connector's own field names with the YAML `mapping:` block, so a
 *    connector reads and writes flat records of native fields (`{ uid: "jdoe", mail: "…" }`);
 *  - parsed the SCIM filter and translated it to a NativeFilter over those fields (or rejected it);
 *  - turned PATCH and PUT into FieldChange lists and member additions/removals;
 *  - serialised operations on the same resource, rate-limited and timed every call (src/core/queue.ts).
 *
 * A connector reports failure only by throwing ConnectorError; src/http/error-mapping.ts turns each kind
 * into a SCIM response in one place.
 */
import type { z } from 'zod';
import type { Logger } from '../src/log.js';

/** The value types a native field holds, from the SCIM attribute type it is mapped from (RFC 7643 §2.3). */
export type FieldType = 'string' | 'boolean' | 'integer' | 'decimal' | 'dateTime' | 'reference' | 'binary';

/** One mapped field, as the core compiled it from the YAML mapping. Passed to `create` so a connector knows its schema. */
export interface FieldSpec {
  /** The native field name (the YAML mapping value). */
  readonly field: string;
  /** The canonical SCIM path it holds: `userName`, `name.givenName`, `emails[type eq "work"].value`, `urn:…:User:manager.value`. */
  readonly scimPath: string;
  readonly type: FieldType;
  /** Compare values case-sensitively (from the SCIM schema: userName and displayName are not). */
  readonly caseExact: boolean;
  /** For `reference` fields: what they point at, e.g. ['User'] for the enterprise manager. */
  readonly referenceTypes?: readonly string[];
}

export interface MappedFields {
  readonly user: readonly FieldSpec[];
  readonly group: readonly FieldSpec[];
}

export type NativeScalar = string | number | boolean;

export interface NativeMember {
  /** The member's id in this connector (the same id `get` takes). */
  readonly value: string;
  readonly type?: 'User' | 'Group';
}

export interface NativeRecord {
  /** Stable native key. It becomes the SCIM `id`, so it must never change (not a DN, not a name). */
  readonly id: string;
  readonly fields: Readonly<Record<string, NativeScalar>>;
  /** Groups only, and only when the caller asked for members. */
  readonly members?: readonly NativeMember[];
  /** What the store knows; the core derives a version from the record when `version` is absent. */
  readonly meta?: { readonly created?: string; readonly lastModified?: string; readonly version?: string };
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** What a filter term looks at. */
export type NativeTarget =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'id' }
  | { readonly kind: 'meta'; readonly name: 'created' | 'lastModified' }
  /** Groups: `members.value` / `members[value eq "…"]`. */
  | { readonly kind: 'member' };

/** A SCIM filter translated to native fields. Constants come from folding value paths against the mapping. */
export type NativeFilter =
  | { readonly op: 'and' | 'or'; readonly filters: readonly NativeFilter[] }
  | { readonly op: 'not'; readonly filter: NativeFilter }
  | {
      readonly op: CompareOp;
      readonly target: NativeTarget;
      readonly value: NativeScalar;
      readonly type: FieldType;
      readonly caseExact: boolean;
    }
  | { readonly op: 'pr'; readonly target: NativeTarget }
  | { readonly op: 'true' | 'false' };

export interface NativeSort {
  readonly target: NativeTarget;
  readonly descending: boolean;
  readonly type: FieldType;
  readonly caseExact: boolean;
}

export interface NativeQuery {
  readonly filter?: NativeFilter;
  /** 1-based, as in SCIM. */
  readonly startIndex: number;
  /** Page size; 0 asks for `totalResults` only. */
  readonly count: number;
  /** Only when `capabilities.sort` is true. */
  readonly sort?: NativeSort;
  /** Groups: include `members` in the records (false for `excludedAttributes=members`). */
  readonly withMembers: boolean;
}

export interface NativePage {
  readonly totalResults: number;
  readonly records: readonly NativeRecord[];
}

export type FieldChange =
  | { readonly op: 'set'; readonly field: string; readonly value: NativeScalar }
  | { readonly op: 'unset'; readonly field: string };

export interface ResourceChange {
  readonly fields: readonly FieldChange[];
  /** Groups: net additions and removals. Adding a present member or removing an absent one must succeed. */
  readonly addMembers?: readonly string[];
  readonly removeMembers?: readonly string[];
}

export interface NewResource {
  readonly fields: Readonly<Record<string, NativeScalar>>;
  readonly members?: readonly string[];
}

/** Passed to every operation. `signal` aborts when the call's time budget is spent. */
export interface OpContext {
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface ResourceOps {
  /** `undefined` when there is no such resource. */
  get(id: string, opts: { readonly withMembers: boolean }, ctx: OpContext): Promise<NativeRecord | undefined>;
  list(query: NativeQuery, ctx: OpContext): Promise<NativePage>;
  /** Throws ConnectorError('conflict') when a unique field (userName; group displayName) is taken. */
  create(input: NewResource, ctx: OpContext): Promise<NativeRecord>;
  /** Applies all changes atomically or none. Returns the record after the change (without members). */
  modify(id: string, change: ResourceChange, ctx: OpContext): Promise<NativeRecord>;
  /** Deleting a user also removes it from every group. Throws ConnectorError('not-found') when absent. */
  delete(id: string, ctx: OpContext): Promise<void>;
  /**
   * Optional, groups: add and remove members and return nothing. Entra's member PATCH is answered 204, so
   * the core calls this instead of modify() when it has one, sparing a connector the read-back modify()
   * owes (one search in three on LDAP). Same rules as modify()'s member changes.
   */
  changeMembers?(id: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }, ctx: OpContext): Promise<void>;
}

export interface Capabilities {
  /** The connector stores groups; without this `/Groups` answers empty lists and is not advertised. */
  readonly groups: boolean;
  /** `list` honours `sort`. Advertised in /ServiceProviderConfig as sort.supported. */
  readonly sort: boolean;
  /** Filter operators the connector evaluates; the core rejects others with 400 invalidFilter before calling. */
  readonly filterOperators: 'all' | readonly (CompareOp | 'pr' | 'and' | 'or' | 'not')[];
  /** Largest page `list` returns; the core clamps `count` to it. */
  readonly maxPageSize: number;
}

export interface Connector {
  readonly capabilities: Capabilities;
  /** Open files, pools, bind. Throw ConnectorError to refuse to start (the message is shown to the operator). */
  start(ctx: { readonly log: Logger }): Promise<void>;
  /** Called once after the queue has drained (or the drain deadline passed). Must flush what was acknowledged. */
  stop(): Promise<void>;
  /** Cheap read-only probe for /status. Throw ConnectorError('unavailable') when the store cannot be reached. */
  check(ctx: OpContext): Promise<void>;
  readonly users: ResourceOps;
  readonly groups?: ResourceOps;
}

/** A mapping block: SCIM path → native field name, per resource type. */
export type MappingConfig = {
  readonly user: Readonly<Record<string, string>>;
  readonly group: Readonly<Record<string, string>>;
};

/** A mapping as written in YAML; `null` (merge mode) removes an attribute the default maps. */
export type MappingInput = {
  readonly user?: Readonly<Record<string, string | null>>;
  readonly group?: Readonly<Record<string, string | null>>;
};

/** What a connector module exports; `configSchema` owns validation and defaults of the YAML `options:` block. */
export interface ConnectorDefinition<S extends z.ZodType = z.ZodType> {
  /** The YAML `type:`, the same as the connector's folder name. */
  readonly type: string;
  readonly configSchema: S;
  /** The mapping used where the YAML gives none; a function of the options when it depends on them (LDAP profiles). */
  readonly defaultMapping: MappingConfig | ((options: z.output<S>) => MappingConfig);
  /**
   * How a YAML `mapping:` section combines with the default: 'replace' (default) uses the section as
   * written; 'merge' overrides the default attribute by attribute, `null` removing one.
   */
  readonly mappingMode?: 'replace' | 'merge';
  create(options: z.output<S>, deps: { readonly id: string; readonly log: Logger; readonly fields: MappedFields }): Connector;
}

export const defineConnector = <S extends z.ZodType>(d: ConnectorDefinition<S>): ConnectorDefinition<S> => d;

/** The effective mapping of a connector: its default for these options, combined with the YAML's per `mappingMode`. */
export function resolveMapping(def: ConnectorDefinition, options: unknown, yaml: MappingInput | undefined): MappingConfig {
  const base = typeof def.defaultMapping === 'function' ? def.defaultMapping(options) : def.defaultMapping;
  const section = (kind: 'user' | 'group'): Record<string, string> => {
    const given = yaml?.[kind];
    const out: Record<string, string> = def.mappingMode === 'merge' || !given ? { ...base[kind] } : {};
    for (const [k, v] of Object.entries(given ?? {})) {
      if (v === null) delete out[k];
      else out[k] = v;
    }
    return out;
  };
  return { user: section('user'), group: section('group') };
}

export type ConnectorErrorKind =
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'unsupported'
  | 'rate-limited'
  | 'unavailable'
  | 'upstream-auth'
  | 'internal';

/** The only error a connector throws on purpose. Keep the library error as `cause`; never put secrets in `message`. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  readonly kind: ConnectorErrorKind;
  readonly retryAfterSec: number | undefined;
  /** The native field or SCIM attribute at fault, when known; it goes into the SCIM `detail`. */
  readonly attribute: string | undefined;

  constructor(
    kind: ConnectorErrorKind,
    message: string,
    options: { cause?: unknown; retryAfterSec?: number; attribute?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.retryAfterSec = options.retryAfterSec;
    this.attribute = options.attribute;
  }
}
