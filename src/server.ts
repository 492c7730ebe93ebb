/**
 * `scimbridge serve`: load and validate the config, start every connector, listen, and on SIGTERM/SIGINT
 * drain: stop accepting, let in-flight requests finish (up to drainTimeoutMs), drain the connector queues,
 * stop the connectors (which flush what was acknowledged), exit.
 */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { builtinConnectors } from '../connectors/index.js';
import { configIssue, loadConfig, type ConfigIssue, type LoadedConfig, type LoadedConnector } from './config/index.js';
import { compileMapping, startConnector, type ConnectorRegistry } from './core/connectors.js';
import type { ConnectorRuntime } from './core/runtime.js';
import { createApp } from './http/app.js';
import { startHeapGovernor } from './heap-governor.js';
import { createLogger, type Logger } from './log.js';

export interface RunningGateway {
  readonly server: Server;
  readonly url: string;
  readonly config: LoadedConfig;
  /** Drain and stop; resolves when everything is flushed. */
  stop(): Promise<void>;
}

export interface ServeOptions {
  readonly configFile: string;
  readonly registry?: ConnectorRegistry;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
}

/** Mapping problems as config issues, so check-config and serve report them with file and line. */
export function validateMapping(c: LoadedConnector): ConfigIssue[] {
  return compileMapping(c.mapping).issues.map((i) => configIssue(i.path, i.message));
}

export function loadGatewayConfig(configFile: string, registry: ConnectorRegistry, env: NodeJS.ProcessEnv, createTokenFiles: boolean): Promise<LoadedConfig> {
  return loadConfig(configFile, { registry, env, validateConnector: validateMapping, createTokenFiles });
}

export async function serve(opts: ServeOptions): Promise<RunningGateway> {
  const registry = opts.registry ?? builtinConnectors;
  const config = await loadGatewayConfig(opts.configFile, registry, opts.env ?? process.env, true);
  const log = opts.log ?? createLogger({ level: config.gateway.logging.level });
  for (const w of config.warnings) log.warn({ warning: w }, 'configuration warning');
  for (const e of config.endpoints) {
    for (const file of e.generatedTokenFiles) {
      log.warn({ endpoint: e.path, tokenFile: file }, `generated a bearer token for ${e.path} and stored it in ${file} (mode 0600); use it as the Secret Token`);
    }
  }

  const gov = config.gateway.server.heapGovernor;
  const stopGovernor = gov.enabled ? startHeapGovernor({ growth: gov.growth, slackMB: gov.slackMB, intervalMs: 500 }) : () => undefined;
  const runtimes = new Map<string, ConnectorRuntime>();
  try {
    for (const c of config.connectors) {
      runtimes.set(c.id, await startConnector({ id: c.id, type: c.type, options: c.options, mapping: c.mapping, queue: c.queue }, registry, log));
    }
  } catch (err) {
    await Promise.allSettled([...runtimes.values()].map((r) => r.connector.stop()));
    throw err;
  }

  let draining = false;
  const { server: sc, limits } = config.gateway;
  const app = createApp({
    endpoints: config.endpoints.map((e) => ({ path: e.path, runtime: runtimes.get(e.connectorId) as ConnectorRuntime, tokenDigests: e.tokenHashes })),
    log,
    limits,
    bodyLimitBytes: sc.bodyLimitBytes,
    ready: () => !draining,
  });
  const callback = app.callback();
  // Responses not yet sent. Once draining they go out with `Connection: close`: keep-alive clients (Entra,
  // Okta) would otherwise hold their connections open and server.close() would wait out drainTimeoutMs.
  const unanswered = new Set<ServerResponse>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (draining) res.shouldKeepAlive = false;
    unanswered.add(res);
    res.once('close', () => unanswered.delete(res));
    void callback(req, res);
  };
  const server = sc.tls
    ? createHttpsServer({ cert: await readFile(sc.tls.certFile), key: await readFile(sc.tls.keyFile), minVersion: 'TLSv1.2' }, handler)
    : createHttpServer(handler);
  // Bound slow clients: a request must arrive within 60 s; idle keep-alive sockets close after 65 s.
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(sc.port, sc.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const scheme = sc.tls ? 'https' : 'http';
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${scheme}://${host}:${addr.port}`;
  log.info(
    { url, endpoints: config.endpoints.map((e) => ({ url: `${url}${e.path}`, connector: e.connectorId })) },
    `scimbridge listening on ${url}`,
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      draining = true;
      for (const res of unanswered) if (!res.headersSent) res.shouldKeepAlive = false;
      log.info({ drainTimeoutMs: sc.drainTimeoutMs }, 'draining');
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), sc.drainTimeoutMs);
      await closed;
      clearTimeout(timer);
      await Promise.all([...runtimes.values()].map((r) => r.queue.drain(sc.drainTimeoutMs)));
      await Promise.allSettled([...runtimes.values()].map((r) => r.connector.stop()));
      stopGovernor();
      log.info('stopped');
      log.flush();
    })();
    return stopping;
  };
  return { server, url, config, stop };
}
