/**
 * An in-process gateway for HTTP tests: a json-file connector in a fresh temp directory, the default
 * mapping, one endpoint at /scim/v2 with TOKEN, and createApp(). supertest drives `server`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { builtinConnectors } from '../../connectors/index.js';
import type { MappingConfig } from '../../connectors/types.js';
import { jsonFileConfigSchema, jsonFileDefaultMapping } from '../../connectors/json-file/config.js';
import { DEFAULT_QUEUE, startConnector } from '../../src/core/connectors.js';
import type { QueueConfig } from '../../src/core/queue.js';
import { DEFAULT_LIMITS, type ConnectorRuntime, type RequestLimits } from '../../src/core/runtime.js';
import { hashToken } from '../../src/http/auth.js';
import { createApp, type AppEndpoint } from '../../src/http/app.js';
import { silentLogger } from '../../src/log.js';

export const TOKEN = 'test-token-0123456789abcdefghijklmnop';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };
export const BASE = '/scim/v2';

export interface TestGateway {
  readonly server: Server;
  readonly runtime: ConnectorRuntime;
  readonly dir: string;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  readonly mapping?: MappingConfig;
  readonly queue?: Partial<QueueConfig>;
  readonly limits?: Partial<RequestLimits>;
  readonly bodyLimitBytes?: number;
  readonly options?: Record<string, unknown>;
  /** Extra endpoints sharing the connector, each with its own token. */
  readonly extraEndpoints?: readonly { path: string; token: string }[];
}

export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'scimbridge-test-'));
  const runtime = await startConnector(
    {
      id: 'test',
      type: 'json-file',
      options: jsonFileConfigSchema.parse({ dir, fsync: false, ...opts.options }),
      mapping: opts.mapping ?? jsonFileDefaultMapping,
      queue: { ...DEFAULT_QUEUE, ...opts.queue },
    },
    builtinConnectors,
    silentLogger,
  );
  const endpoints: AppEndpoint[] = [
    { path: BASE, runtime, tokenDigests: [hashToken(TOKEN)] },
    ...(opts.extraEndpoints ?? []).map((e) => ({ path: e.path, runtime, tokenDigests: [hashToken(e.token)] })),
  ];
  const app = createApp({
    endpoints,
    log: silentLogger,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    ...(opts.bodyLimitBytes !== undefined ? { bodyLimitBytes: opts.bodyLimitBytes } : {}),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    server,
    runtime,
    dir,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await runtime.connector.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
