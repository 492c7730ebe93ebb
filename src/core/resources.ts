/**
 * The SCIM operations on /Users and /Groups, on top of one connector: validation, mapping, PATCH and PUT
 * turned into field changes and member deltas, per-resource ordering and ETags. No HTTP here: the routes
 * in src/http call these and write what they return.
 */
import type { NativeRecord, ResourceOps } from '../../connectors/types.js';
import { invalidValue, notFound, preconditionFailed } from '../scim/errors.js';
import { LIST_RESPONSE_SCHEMA } from '../scim/schema/definitions.js';
import type { ResourceTypeDef, ScimObject } from '../scim/schema/types.js';
import { applyPatch } from '../scim/patch/apply.js';
import { splitMemberOperations } from '../scim/patch/members.js';
import { parsePatchRequest } from '../scim/patch/request.js';
import { project, returnsAttribute, type Projection } from '../scim/projection.js';
import { normalizeResource } from '../scim/resource.js';
import { buildListRequest, type QueryParams } from './list-query.js';
import { toNative } from './mapping/convert.js';
import { diffFields, memberIdsOf, renderResource, scimAttributes, versionOf } from './render.js';
import { opContext, opsFor, type ConnectorRuntime, type RequestContext, type RequestLimits } from './runtime.js';

export interface ResourceResult {
  readonly resource: ScimObject;
  readonly version: string;
}

export interface ListResult {
  readonly schemas: readonly string[];
  readonly totalResults: number;
  readonly itemsPerPage: number;
  readonly startIndex: number;
  readonly Resources: readonly ScimObject[];
}

export class ResourceService {
  constructor(
    readonly rt: ResourceTypeDef,
    private readonly runtime: ConnectorRuntime,
    private readonly limits: RequestLimits,
  ) {}

  get #slots() {
    return this.runtime.slots[this.rt.id];
  }

  /** The connector's operations for this resource type; undefined for /Groups on a users-only connector. */
  get #ops(): ResourceOps | undefined {
    return opsFor(this.runtime.connector, this.rt.id);
  }

  #missing(id: string): never {
    throw notFound(`${this.rt.name} "${id}" not found`);
  }

  #render(record: NativeRecord, ctx: RequestContext, projection?: Projection): ResourceResult {
    const full = renderResource(this.rt, this.#slots, record, ctx.baseUrl);
    return { resource: projection ? project(full, projection) : full, version: versionOf(record) };
  }

  /** Read inside an exclusive section: 404 when absent, 412 when If-Match does not match. */
  async #current(ops: ResourceOps, id: string, withMembers: boolean, ifMatch: string | undefined, ctx: RequestContext, track: (p: Promise<unknown>) => void): Promise<NativeRecord> {
    const { queue } = this.runtime;
    const record = await queue.call((signal) => ops.get(id, { withMembers }, opContext(ctx, signal)), track);
    if (!record) this.#missing(id);
    if (ifMatch !== undefined && !etagMatches(ifMatch, versionOf(record))) {
      throw preconditionFailed(`${this.rt.name} "${id}" has changed (If-Match ${ifMatch} does not match ${versionOf(record)})`);
    }
    return record;
  }

  async get(id: string, projection: Projection, ctx: RequestContext): Promise<ResourceResult> {
    const ops = this.#ops ?? this.#missing(id);
    const withMembers = this.rt.id === 'Group' && !projection.exclude?.some((s) => s.key === 'members' && !s.sub);
    const { queue } = this.runtime;
    const record = await queue.exclusive(id, (track) => queue.call((signal) => ops.get(id, { withMembers }, opContext(ctx, signal)), track));
    if (!record) this.#missing(id);
    return this.#render(record, ctx, projection);
  }

  async list(params: QueryParams, ctx: RequestContext): Promise<ListResult> {
    const caps = this.runtime.connector.capabilities;
    const { query, projection } = buildListRequest(this.rt, this.#slots, caps, params, this.limits);
    const ops = this.#ops;
    // Entra's Test Connection also queries /Groups; a users-only endpoint answers with an empty list.
    const page = ops ? await this.runtime.queue.call((signal) => ops.list(query, opContext(ctx, signal))) : { totalResults: 0, records: [] };
    const Resources = page.records.map((r) => this.#render(r, ctx, projection).resource);
    return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: page.totalResults, itemsPerPage: Resources.length, startIndex: query.startIndex, Resources };
  }

  async create(body: unknown, ctx: RequestContext): Promise<ResourceResult> {
    const ops = this.#ops;
    if (!ops) throw invalidValue(`this endpoint does not store ${this.rt.name}s`);
    const resource = normalizeResource(this.rt, body);
    const fields = toNative(this.#slots, resource);
    const members = this.rt.id === 'Group' ? this.#memberList(resource) : undefined;
    const record = await this.runtime.queue.call((signal) => ops.create({ fields, ...(members ? { members } : {}) }, opContext(ctx, signal)));
    return this.#render(record, ctx);
  }

  #memberList(resource: ScimObject): string[] {
    const ids = memberIdsOf(resource);
    if (ids.length > this.limits.maxMembersPerRequest) {
      throw invalidValue(`more than ${this.limits.maxMembersPerRequest} members in one request; add the rest with PATCH`);
    }
    return ids;
  }

  async replace(id: string, body: unknown, ifMatch: string | undefined, ctx: RequestContext): Promise<ResourceResult> {
    const ops = this.#ops ?? this.#missing(id);
    const resource = normalizeResource(this.rt, body);
    const isGroup = this.rt.id === 'Group';
    const { queue } = this.runtime;
    return queue.exclusive(id, async (track) => {
      const current = await this.#current(ops, id, isGroup, ifMatch, ctx, track);
      const fields = diffFields(this.#slots, current.fields, toNative(this.#slots, resource));
      const wanted = isGroup ? this.#memberList(resource) : [];
      const had = new Set((current.members ?? []).map((m) => m.value));
      const addMembers = wanted.filter((m) => !had.has(m));
      const keep = new Set(wanted);
      const removeMembers = [...had].filter((m) => !keep.has(m));
      const record = await queue.call((signal) => ops.modify(id, { fields, addMembers, removeMembers }, opContext(ctx, signal)), track);
      const final = isGroup ? await queue.call((signal) => ops.get(id, { withMembers: true }, opContext(ctx, signal)), track) : record;
      return this.#render(final ?? record, ctx);
    });
  }

  /** Returns the patched resource, or undefined when the answer should be 204 (groups: Entra wants no member list back). */
  async patch(id: string, body: unknown, ifMatch: string | undefined, projection: Projection | undefined, ctx: RequestContext): Promise<ResourceResult | undefined> {
    const ops = this.#ops ?? this.#missing(id);
    const operations = parsePatchRequest(body, this.limits.maxOperations);
    const isGroup = this.rt.id === 'Group';
    const split = isGroup ? splitMemberOperations(operations, this.limits.maxMembersPerRequest) : undefined;
    const needMembers = split !== undefined && split.touchesMembers && split.delta === undefined;
    const { queue } = this.runtime;
    // Entra's member add/remove: a pure delta needs no read first (the connector answers not-found itself).
    if (split?.delta && split.other.length === 0 && ifMatch === undefined && projection === undefined) {
      const delta = split.delta;
      await queue.exclusive(id, (track) =>
        queue.call(async (signal) => {
          if (ops.changeMembers) await ops.changeMembers(id, delta, opContext(ctx, signal));
          else await ops.modify(id, { fields: [], addMembers: delta.add, removeMembers: delta.remove }, opContext(ctx, signal));
        }, track),
      );
      return undefined;
    }
    return queue.exclusive(id, async (track) => {
      const current = await this.#current(ops, id, needMembers, ifMatch, ctx, track);
      const before = scimAttributes(this.rt, this.#slots, current, ctx.baseUrl);
      // `id` lets a path-less operation that echoes the unchanged id through (it is not a mapped field).
      const patched = applyPatch(this.rt, { ...before, id }, split?.delta ? split.other : operations);
      const fields = diffFields(this.#slots, current.fields, toNative(this.#slots, patched));
      let addMembers: readonly string[] = split?.delta?.add ?? [];
      let removeMembers: readonly string[] = split?.delta?.remove ?? [];
      if (needMembers) {
        const had = new Set(memberIdsOf(before));
        const now = this.#memberList(patched);
        addMembers = now.filter((m) => !had.has(m));
        const keep = new Set(now);
        removeMembers = [...had].filter((m) => !keep.has(m));
      }
      let record = current;
      if (fields.length > 0 || addMembers.length > 0 || removeMembers.length > 0) {
        record = await queue.call((signal) => ops.modify(id, { fields, addMembers, removeMembers }, opContext(ctx, signal)), track);
      }
      if (isGroup && projection === undefined) return undefined;
      // modify() answers without members: read them back when the requested projection returns them.
      if (isGroup && projection !== undefined && returnsAttribute(projection, 'members') && record.members === undefined) {
        record = (await queue.call((signal) => ops.get(id, { withMembers: true }, opContext(ctx, signal)), track)) ?? record;
      }
      return this.#render(record, ctx, projection);
    });
  }

  async delete(id: string, ifMatch: string | undefined, ctx: RequestContext): Promise<void> {
    const ops = this.#ops ?? this.#missing(id);
    const { queue } = this.runtime;
    await queue.exclusive(id, async (track) => {
      if (ifMatch !== undefined) await this.#current(ops, id, false, ifMatch, ctx, track);
      await queue.call((signal) => ops.delete(id, opContext(ctx, signal)), track);
    });
  }
}

/** If-Match: `*` or a list of entity tags; weak comparison (RFC 7232 §2.3.2), since our tags are weak. */
export function etagMatches(header: string, version: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  const mine = strip(version);
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === mine);
}
