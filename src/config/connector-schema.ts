/**
 * The envelope of a connector file: what the core owns (id, type, queue, mapping shape). The `options:` block
 * belongs to the connector and is validated with its own `configSchema` once `type` is known.
 */
import { z } from 'zod';
import { intField } from './fields.js';

export const CONNECTOR_ID = /^[a-z0-9][a-z0-9-]*$/;

export const queueSchema = z
  .strictObject({
    /** Calls in flight. */
    concurrency: intField({ min: 1 }).default(16),
    /** Calls started per intervalMs; 0 = unlimited. */
    intervalCap: intField({ min: 0 }).default(0),
    intervalMs: intField({ min: 1 }).default(1000),
    /** Per call. */
    timeoutMs: intField({ min: 1 }).default(30_000),
    /** Calls waiting; beyond that the request gets 503 with Retry-After. */
    maxQueued: intField({ min: 0 }).default(1000),
    /** The Retry-After sent when the queue is full or the downstream is down. */
    retryAfterSec: intField({ min: 1 }).default(5),
  })
  .prefault({});

// null removes an attribute from a connector's default mapping (connectors whose mapping merges, like ldap).
const mappingSection = () => z.record(z.string(), z.string().min(1, 'must name a native field').nullable());

/** Only the shape; what the keys mean (SCIM paths) is checked by the mapping compiler via `validateConnector`. */
export const mappingSchema = z.strictObject({
  user: mappingSection().optional(),
  group: mappingSection().optional(),
});

export const connectorFileSchema = z.strictObject({
  id: z.string().regex(CONNECTOR_ID, 'must start with a lowercase letter or digit and contain only a-z, 0-9 and "-"'),
  type: z.string().min(1, 'must not be empty'),
  queue: queueSchema,
  /** Validated later with the connector's configSchema. */
  options: z.unknown().optional(),
  mapping: mappingSchema.optional(),
});

export type QueueConfig = z.output<typeof queueSchema>;
export type MappingFileConfig = z.output<typeof mappingSchema>;
/** A connector file after the envelope check; `options` still unvalidated. */
export type ConnectorFileConfig = z.output<typeof connectorFileSchema>;
