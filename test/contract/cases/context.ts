/**
 * What every contract case gets: the connector under test (its operations wrapped so that any error that
 * is not a ConnectorError fails the test), an OpContext, the mapped fields found by SCIM path, and small
 * builders for records, NativeFilters and listings. Cases never name a native field: they name SCIM
 * attributes (`title`, `workEmail`) and the mapping under test says which field holds them.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import {
  ConnectorError,
  type CompareOp,
  type Connector,
  type ConnectorErrorKind,
  type FieldSpec,
  type MappedFields,
  type NativeFilter,
  type NativePage,
  type NativeRecord,
  type NativeScalar,
  type NativeSort,
  type OpContext,
  type ResourceOps,
} from '../../../connectors/types.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../src/scim/schema/definitions.js';
import { resolvePath } from '../../../src/scim/schema/resolve.js';
import type { ResourceTypeDef } from '../../../src/scim/schema/types.js';
import { silentLogger } from '../../../src/log.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The User attributes of the contract, by the name cases use, with their canonical SCIM path. */
export const USER_ATTRS = {
  userName: 'userName',
  externalId: 'externalId',
  active: 'active',
  displayName: 'displayName',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  workEmail: 'emails[type eq "work"].value',
  title: 'title',
  department: `${ENTERPRISE}:department`,
  manager: `${ENTERPRISE}:manager.value`,
} as const;

export const GROUP_ATTRS = {
  displayName: 'displayName',
  externalId: 'externalId',
} as const;

export type UserAttr = keyof typeof USER_ATTRS;
export type GroupAttr = keyof typeof GROUP_ATTRS;
export type UserValues = Partial<Record<UserAttr, NativeScalar>>;
export type GroupValues = Partial<Record<GroupAttr, NativeScalar>>;

export interface ContractFields {
  /** What `setup` receives: the compiled mapping, exactly as the core passes it to `create`. */
  readonly mapped: MappedFields;
  /** Reading the spec of an attribute the backend does not store throws UnstoredAttribute (the case is skipped). */
  readonly user: Readonly<Record<UserAttr, FieldSpec>>;
  readonly group: Readonly<Record<GroupAttr, FieldSpec>>;
  /** Contract attributes the backend cannot store (ContractOptions.unstored): dropped from what cases write and expect. */
  readonly unstored?: { readonly reason: string; readonly user: ReadonlySet<UserAttr>; readonly group: ReadonlySet<GroupAttr> };
  /** Values the backend always reads back (ContractOptions.implied), written when a case leaves them out. */
  readonly implied?: Partial<UserValues>;
  /** Hostile userNames the backend refuses as 'invalid' (ContractOptions.refusedNames). */
  readonly refusedNames?: { readonly reason: string; readonly userNames: readonly string[] };
}

/**
 * Thrown when a case reads the field spec or value of an attribute the backend does not store: the case
 * depends on that attribute, so the suite skips it with the backend's reason (connector-contract.ts).
 */
export class UnstoredAttribute extends Error {
  constructor(
    readonly attribute: string,
    readonly reason: string,
  ) {
    super(`the backend does not store ${attribute}: ${reason}`);
  }
}

/** Capabilities a case needs; a connector without one skips the case with the reason below. */
export type Need = 'groups' | 'sort' | CompareOp | 'pr' | 'and' | 'or' | 'not';

export interface ContractCase {
  /** `<section>: <what it checks>`; unique, and what `skip` lists. */
  readonly name: string;
  readonly needs?: readonly Need[];
  readonly timeoutMs?: number;
  run(t: CaseContext): Promise<void>;
}

/** Why a case is skipped for this connector, or undefined when it has everything the case needs. */
export function missingCapability(connector: Connector, needs: readonly Need[] = []): string | undefined {
  const caps = connector.capabilities;
  for (const need of needs) {
    if (need === 'groups') {
      if (!caps.groups || !connector.groups) return 'capabilities.groups is false: the connector stores no groups, so /Groups is not offered';
    } else if (need === 'sort') {
      if (!caps.sort) return 'capabilities.sort is false: the core never asks this connector to sort';
    } else if (caps.filterOperators !== 'all' && !caps.filterOperators.includes(need)) {
      return `capabilities.filterOperators omits "${need}": the core rejects such filters with 400 invalidFilter before calling`;
    }
  }
  return undefined;
}

// ---- filters ---------------------------------------------------------------------------------------

export function cmp(op: CompareOp, spec: FieldSpec, value: NativeScalar): NativeFilter {
  return { op, target: { kind: 'field', field: spec.field }, value, type: spec.type, caseExact: spec.caseExact };
}

export const present = (spec: FieldSpec): NativeFilter => ({ op: 'pr', target: { kind: 'field', field: spec.field } });
export const and = (...filters: NativeFilter[]): NativeFilter => ({ op: 'and', filters });
export const or = (...filters: NativeFilter[]): NativeFilter => ({ op: 'or', filters });
export const not = (filter: NativeFilter): NativeFilter => ({ op: 'not', filter });

/** Type and case rule of a target the core takes from the schema (id, members.value), as src/core/mapping/filter.ts does. */
function schemaTerm(rt: ResourceTypeDef, name: string, sub?: string): { type: FieldSpec['type']; caseExact: boolean } {
  const r = resolvePath(rt, { name, ...(sub !== undefined ? { sub } : {}) });
  if (!r || r.kind !== 'attribute') throw new Error(`${name} is not in the ${rt.name} schema`);
  const def = r.sub ?? r.attr;
  return { type: def.type === 'complex' ? 'string' : def.type, caseExact: def.caseExact };
}

const ID_TERM = schemaTerm(USER_RESOURCE_TYPE, 'id');
const MEMBER_TERM = schemaTerm(GROUP_RESOURCE_TYPE, 'members', 'value');

export const idIs = (op: CompareOp, id: string): NativeFilter => ({ op, target: { kind: 'id' }, value: id, ...ID_TERM });
export const metaIs = (op: CompareOp, name: 'created' | 'lastModified', value: string): NativeFilter => ({
  op,
  target: { kind: 'meta', name },
  value,
  ...schemaTerm(USER_RESOURCE_TYPE, 'meta', name),
});
export const hasMember = (id: string): NativeFilter => ({ op: 'eq', target: { kind: 'member' }, value: id, ...MEMBER_TERM });

export function sortBy(spec: FieldSpec, descending = false): NativeSort {
  return { target: { kind: 'field', field: spec.field }, descending, type: spec.type, caseExact: spec.caseExact };
}

// ---- errors ----------------------------------------------------------------------------------------

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.constructor.name}: ${err.message}`;
  return `non-Error value ${JSON.stringify(err)}`;
}

/** Connectors report failure only by throwing ConnectorError; anything else becomes a test failure here. */
function guard(ops: ResourceOps, label: string): ResourceOps {
  const wrap =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof ConnectorError) throw err;
        throw new Error(`${label}.${name} threw ${describeError(err)}; a connector must throw only ConnectorError`, { cause: err });
      }
    };
  return {
    get: wrap('get', ops.get.bind(ops)),
    list: wrap('list', ops.list.bind(ops)),
    create: wrap('create', ops.create.bind(ops)),
    modify: wrap('modify', ops.modify.bind(ops)),
    delete: wrap('delete', ops.delete.bind(ops)),
  };
}

/** Awaits `p`, expecting it to reject with a ConnectorError of `kind` carrying a message. */
export async function expectConnectorError(p: Promise<unknown>, kind: ConnectorErrorKind): Promise<ConnectorError> {
  const outcome = await p.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (err: unknown) => ({ resolved: false as const, err }),
  );
  if (outcome.resolved) expect.fail(`expected ConnectorError('${kind}'), but the call succeeded with ${JSON.stringify(outcome.value)}`);
  const { err } = outcome;
  expect(err, `expected ConnectorError('${kind}'), got ${describeError(err)}`).toBeInstanceOf(ConnectorError);
  const ce = err as ConnectorError;
  expect(ce.kind, ce.message).toBe(kind);
  expect(ce.message.length).toBeGreaterThan(0);
  return ce;
}

// ---- the context -----------------------------------------------------------------------------------

export interface ListOptions {
  readonly sort?: NativeSort;
  readonly withMembers?: boolean;
}

export class CaseContext {
  readonly users: ResourceOps;
  readonly #groups: ResourceOps | undefined;
  readonly ctx: OpContext;
  readonly f: ContractFields;

  constructor(
    readonly connector: Connector,
    fields: ContractFields,
    requestId: string,
    signal: AbortSignal,
  ) {
    this.f = fields;
    this.users = guard(connector.users, 'users');
    this.#groups = connector.groups ? guard(connector.groups, 'groups') : undefined;
    this.ctx = { requestId, signal, log: silentLogger };
  }

  /** Only in cases that need 'groups'. */
  get groups(): ResourceOps {
    if (!this.#groups) throw new Error('this case needs groups, but the connector has no groups ops');
    return this.#groups;
  }

  get pageSize(): number {
    return this.connector.capabilities.maxPageSize;
  }

  /**
   * SCIM-named values → the native record fields of this mapping. Values of attributes the backend does not
   * store are dropped, and implied values (ContractOptions.implied) added when absent, so the result is both
   * what to write and what the backend reads back.
   */
  user(values: UserValues): Record<string, NativeScalar> {
    const all: UserValues = { ...values };
    for (const [attr, v] of Object.entries(this.f.implied ?? {}) as [UserAttr, NativeScalar][]) if (all[attr] === undefined) all[attr] = v;
    return toFields(this.f.user, all, this.f.unstored?.user);
  }

  group(values: GroupValues): Record<string, NativeScalar> {
    return toFields(this.f.group, values, this.f.unstored?.group);
  }

  /** The value of a SCIM attribute in a record of this mapping. */
  userValue(r: NativeRecord, attr: UserAttr): NativeScalar | undefined {
    const field = this.f.user[attr].field;
    return Object.hasOwn(r.fields, field) ? r.fields[field] : undefined;
  }

  groupValue(r: NativeRecord, attr: GroupAttr): NativeScalar | undefined {
    const field = this.f.group[attr].field;
    return Object.hasOwn(r.fields, field) ? r.fields[field] : undefined;
  }

  createUser(values: UserValues): Promise<NativeRecord> {
    return this.users.create({ fields: this.user(values) }, this.ctx);
  }

  createGroup(values: GroupValues, members?: readonly string[]): Promise<NativeRecord> {
    return this.groups.create({ fields: this.group(values), ...(members ? { members } : {}) }, this.ctx);
  }

  getUser(id: string): Promise<NativeRecord | undefined> {
    return this.users.get(id, { withMembers: false }, this.ctx);
  }

  getGroup(id: string, withMembers = true): Promise<NativeRecord | undefined> {
    return this.groups.get(id, { withMembers }, this.ctx);
  }

  /** Every matching record, paging with the connector's largest page; checks totalResults stays put. */
  async listAll(ops: ResourceOps, filter?: NativeFilter, opts: ListOptions = {}): Promise<NativeRecord[]> {
    const out: NativeRecord[] = [];
    let total: number | undefined;
    for (let startIndex = 1; ; startIndex += this.pageSize) {
      const page: NativePage = await ops.list(
        { ...(filter ? { filter } : {}), ...(opts.sort ? { sort: opts.sort } : {}), startIndex, count: this.pageSize, withMembers: opts.withMembers ?? false },
        this.ctx,
      );
      if (total === undefined) total = page.totalResults;
      else expect(page.totalResults, 'totalResults changed between pages').toBe(total);
      expect(page.records.length).toBeLessThanOrEqual(this.pageSize);
      out.push(...page.records);
      if (page.records.length === 0 || out.length >= total) break;
    }
    expect(out.length, 'records listed vs totalResults').toBe(total);
    return out;
  }

  listUsers(filter?: NativeFilter, opts?: ListOptions): Promise<NativeRecord[]> {
    return this.listAll(this.users, filter, opts);
  }

  listGroups(filter?: NativeFilter, opts?: ListOptions): Promise<NativeRecord[]> {
    return this.listAll(this.groups, filter, opts);
  }

  /** The userNames of the users a filter matches, sorted, for comparing with an expected set. */
  async userNamesMatching(filter: NativeFilter): Promise<string[]> {
    const records = await this.listUsers(filter);
    return records.map((r) => String(this.userValue(r, 'userName'))).sort();
  }
}

function toFields<K extends string>(
  specs: Readonly<Record<K, FieldSpec>>,
  values: Partial<Record<K, NativeScalar>>,
  unstored: ReadonlySet<K> = new Set(),
): Record<string, NativeScalar> {
  const out: Record<string, NativeScalar> = {};
  for (const [attr, value] of Object.entries(values) as [K, NativeScalar | undefined][]) {
    if (value !== undefined && !unstored.has(attr)) out[specs[attr].field] = value;
  }
  return out;
}

export const unknownId = (): string => randomUUID();

export const sorted = (values: Iterable<string>): string[] => [...values].sort();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
