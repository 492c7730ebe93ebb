/**
 * loadConfig: the gateway file, every connector file, references, schemas, cross-file rules and tokens.
 * Every problem in every file is collected before failing once, so one run of check-config shows them all.
 * Nothing is written except `generate: true` token files, and only with createTokenFiles on a valid config.
 */
import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import { checkEndpointConnectors, checkEndpointPaths, endpointParts } from './endpoint-checks.js';
import { deepFreeze } from './freeze.js';
import { gatewayFileSchema, type GatewayConfig, type TlsConfig } from './gateway-schema.js';
import { ConfigError, type ConfigIssue } from './issues.js';
import { loadConnectorFiles } from './load-connectors.js';
import type { LoadConfigOptions, LoadedConfig, LoadedEndpoint } from './loaded-config.js';
import { displayPath } from './paths.js';
import { errorCode } from './references.js';
import { createTokenFile, readEndpointTokens, type EndpointTokens } from './tokens.js';
import { ConfigSource } from './yaml-source.js';
import { parseWithSchema } from './zod-issues.js';

export async function loadConfig(gatewayFile: string, opts: LoadConfigOptions): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const sink: ConfigIssue[] = [];
  const warnings: string[] = [];
  const gatewayAbs = resolve(cwd, gatewayFile);

  const gateway = await ConfigSource.load(gatewayAbs, displayPath(gatewayAbs, cwd), env, sink);
  if (!gateway) throw new ConfigError(sink);

  const parsed = parseWithSchema(gateway, gatewayFileSchema, gateway.data);
  const loaded = await loadConnectorFiles(gateway, opts, env, cwd, sink);
  const endpoints = endpointParts(gateway.data);
  checkEndpointPaths(gateway, endpoints);
  checkEndpointConnectors(gateway, endpoints, loaded.ids);
  const tokens = await readEndpointTokens(gateway, endpoints, cwd, warnings);
  const tls = parsed?.value.server.tls ? await checkTls(gateway, parsed.value.server.tls, cwd) : undefined;

  if (sink.length > 0 || !parsed) throw new ConfigError(sortIssues(sink, [gateway.display, ...loaded.files]));

  const finished = await finishEndpoints(gateway, parsed.value.endpoints, tokens, opts.createTokenFiles ?? false);
  // Only file creation can fail here; the sink was empty before it.
  if (sink.length > 0) throw new ConfigError(sink);

  const { server, logging, limits } = parsed.value;
  const config: LoadedConfig = {
    gatewayFile: gatewayAbs,
    gateway: { server: { ...server, ...(tls ? { tls } : {}) }, logging, limits } satisfies GatewayConfig,
    connectors: loaded.connectors,
    endpoints: finished,
    warnings,
  };
  return deepFreeze(config);
}

/** Makes the TLS paths absolute (relative to the working directory) and checks they can be read now, not at bind. */
async function checkTls(source: ConfigSource, tls: TlsConfig, cwd: string): Promise<TlsConfig> {
  const out = { certFile: resolve(cwd, tls.certFile), keyFile: resolve(cwd, tls.keyFile) };
  for (const key of ['certFile', 'keyFile'] as const) {
    try {
      await access(out[key], constants.R_OK);
    } catch (err) {
      source.issue(['server', 'tls', key], `cannot read ${displayPath(out[key], cwd)} (${errorCode(err)})`);
    }
  }
  return out;
}

/** Generates the missing token files (serve) or lists them (check-config), once the config is known to be valid. */
async function finishEndpoints(
  source: ConfigSource,
  endpoints: readonly { path: string; connector: string }[],
  tokens: readonly EndpointTokens[],
  createTokenFiles: boolean,
): Promise<LoadedEndpoint[]> {
  const out: LoadedEndpoint[] = [];
  for (const [index, endpoint] of endpoints.entries()) {
    const found = tokens.find((t) => t.index === index);
    const hashes = [...(found?.hashes ?? [])];
    const generated: string[] = [];
    const pending: string[] = [];
    for (const file of found?.pending ?? []) {
      if (!createTokenFiles) {
        pending.push(file.display);
        continue;
      }
      try {
        hashes.push(await createTokenFile(file.abs));
        generated.push(file.display);
      } catch (err) {
        source.issue(file.where, `cannot create token file ${file.display} (${errorCode(err)})`);
      }
    }
    out.push({
      path: endpoint.path,
      connectorId: endpoint.connector,
      tokenHashes: hashes,
      generatedTokenFiles: generated,
      pendingTokenFiles: pending,
    });
  }
  return out;
}

/** Files in load order (gateway first), then by position: the order an operator reads them in. */
function sortIssues(issues: readonly ConfigIssue[], files: readonly string[]): ConfigIssue[] {
  const rank = (file: string) => {
    const i = files.indexOf(file);
    return i < 0 ? files.length : i;
  };
  return [...issues].sort(
    (a, b) => rank(a.file) - rank(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}
