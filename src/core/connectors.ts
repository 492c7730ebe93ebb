/**
 * Turning a validated connector config into a running ConnectorRuntime: compile the mapping, create the
 * connector through its registry entry, give it its queue, start it.
 */
import type { ConnectorDefinition, MappingConfig } from '../../connectors/types.js';
import { ConnectorError } from '../../connectors/types.js';
import type { Logger } from '../log.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../scim/schema/definitions.js';
import { compileSlots, toFieldSpec, type MappingIssue, type Slot } from './mapping/compile.js';
import { CallQueue, type QueueConfig } from './queue.js';
import type { ConnectorRuntime } from './runtime.js';

export type ConnectorRegistry = Readonly<Record<string, ConnectorDefinition>>;

export interface ConnectorSpec {
  readonly id: string;
  readonly type: string;
  /** Already validated by the definition's configSchema. */
  readonly options: unknown;
  readonly mapping: MappingConfig;
  readonly queue: QueueConfig;
}

export interface CompiledMapping {
  readonly slots: { readonly User: readonly Slot[]; readonly Group: readonly Slot[] };
  /** Problems with their YAML path inside the connector file, e.g. ['mapping', 'user', 'name.givn']. */
  readonly issues: readonly { readonly path: readonly string[]; readonly message: string }[];
}

export function compileMapping(mapping: MappingConfig): CompiledMapping {
  const user = compileSlots(USER_RESOURCE_TYPE, mapping.user);
  const group = compileSlots(GROUP_RESOURCE_TYPE, mapping.group);
  const at = (kind: string) => (i: MappingIssue) => ({ path: ['mapping', kind, i.key], message: i.message });
  return { slots: { User: user.slots, Group: group.slots }, issues: [...user.issues.map(at('user')), ...group.issues.map(at('group'))] };
}

export const DEFAULT_QUEUE: QueueConfig = {
  concurrency: 16,
  intervalCap: 0,
  intervalMs: 1000,
  timeoutMs: 30_000,
  maxQueued: 1000,
  retryAfterSec: 5,
};

/** Create and start one connector. Throws an Error with an operator-readable message when it cannot start. */
export async function startConnector(spec: ConnectorSpec, registry: ConnectorRegistry, log: Logger): Promise<ConnectorRuntime> {
  const def = registry[spec.type];
  if (!def) throw new Error(`connector ${spec.id}: unknown type "${spec.type}"`);
  const compiled = compileMapping(spec.mapping);
  if (compiled.issues.length > 0) {
    throw new Error(`connector ${spec.id}: ${compiled.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const clog = log.child({ connector: spec.id });
  const fields = { user: compiled.slots.User.map(toFieldSpec), group: compiled.slots.Group.map(toFieldSpec) };
  const connector = def.create(spec.options, { id: spec.id, log: clog, fields });
  try {
    await connector.start({ log: clog });
  } catch (err) {
    const why = err instanceof ConnectorError || err instanceof Error ? err.message : String(err);
    throw new Error(`connector ${spec.id} (${spec.type}) could not start: ${why}`, { cause: err });
  }
  return { id: spec.id, type: spec.type, connector, queue: new CallQueue(spec.queue), slots: compiled.slots, log: clog };
}
