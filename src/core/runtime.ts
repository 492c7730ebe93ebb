/** What the core keeps per connector instance, and the limits that apply to requests. */
import type { Connector, OpContext, ResourceOps } from '../../connectors/types.js';
import type { FilterLimits } from '../scim/filter/ast.js';
import type { ResourceTypeName } from '../scim/schema/types.js';
import type { Logger } from '../log.js';
import type { Slot } from './mapping/compile.js';
import type { CallQueue } from './queue.js';

export interface ConnectorRuntime {
  readonly id: string;
  readonly type: string;
  readonly connector: Connector;
  readonly queue: CallQueue;
  readonly slots: Readonly<Record<ResourceTypeName, readonly Slot[]>>;
  readonly log: Logger;
}

export interface RequestLimits {
  readonly filter: FilterLimits;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly maxOperations: number;
  readonly maxMembersPerRequest: number;
}

export const DEFAULT_LIMITS: RequestLimits = {
  filter: { maxLength: 4096, maxDepth: 32, maxClauses: 100 },
  defaultPageSize: 100,
  maxPageSize: 1000,
  maxOperations: 1000,
  maxMembersPerRequest: 10_000,
};

/** Per request: where the endpoint lives (for Location and $ref) and who logs. */
export interface RequestContext {
  readonly requestId: string;
  /** e.g. https://gw.example.com/scim/v2 — no trailing slash. */
  readonly baseUrl: string;
  readonly log: Logger;
}

export function opsFor(connector: Connector, rt: ResourceTypeName): ResourceOps | undefined {
  return rt === 'User' ? connector.users : connector.capabilities.groups ? connector.groups : undefined;
}

/** The OpContext of one connector call; its signal is created only when a connector reads it (see CallSignal). */
class CallContext implements OpContext {
  constructor(
    readonly requestId: string,
    readonly log: Logger,
    private readonly call: { readonly signal: AbortSignal },
  ) {}

  get signal(): AbortSignal {
    return this.call.signal;
  }
}

export function opContext(ctx: RequestContext, call: { readonly signal: AbortSignal }): OpContext {
  return new CallContext(ctx.requestId, ctx.log, call);
}
