/** The result of loadConfig and its options: what the server, the CLI and the mapping compiler consume. */
import type { ConnectorDefinition, MappingConfig } from '../../connectors/types.js';
import type { QueueConfig } from './connector-schema.js';
import type { GatewayConfig } from './gateway-schema.js';
import type { ConfigIssue } from './issues.js';

export interface LoadedConnector {
  readonly id: string;
  readonly type: string;
  /** Absolute path of the connector file. */
  readonly file: string;
  /** Defaults applied. */
  readonly queue: QueueConfig;
  /** The output of `registry[type].configSchema` (defaults applied, secrets as Secret). */
  readonly options: unknown;
  /** The file's `mapping:`; a section left out comes from the connector's `defaultMapping`. */
  readonly mapping: MappingConfig;
}

export interface LoadedEndpoint {
  readonly path: string;
  readonly connectorId: string;
  /** SHA-256 digests of the accepted tokens; the plaintext is not kept. */
  readonly tokenHashes: readonly Buffer[];
  /** Token files this load created (createTokenFiles: true), as shown to the operator, e.g. `data/scim-token`. */
  readonly generatedTokenFiles: readonly string[];
  /** Token files with `generate: true` that do not exist yet and were not created (createTokenFiles: false). */
  readonly pendingTokenFiles: readonly string[];
}

export interface LoadedConfig {
  /** Absolute path. */
  readonly gatewayFile: string;
  /** server, logging, limits, defaults applied; TLS file paths made absolute. */
  readonly gateway: GatewayConfig;
  readonly connectors: readonly LoadedConnector[];
  readonly endpoints: readonly LoadedEndpoint[];
  /** Problems that do not stop the gateway (a token file readable by other users). */
  readonly warnings: readonly string[];
}

export interface LoadConfigOptions {
  readonly registry: Readonly<Record<string, ConnectorDefinition>>;
  /** Where `${env:…}` looks; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Semantic checks of a connector that parsed cleanly (the mapping compiler). Issue paths are relative to the
   * connector file; leave `file` empty and the loader fills it in with the line and column.
   */
  readonly validateConnector?: (connector: LoadedConnector) => readonly ConfigIssue[];
  /**
   * Create missing token files that have `generate: true`. False (the default) for check-config, which must not
   * write anything: such files are then listed in `pendingTokenFiles` and are not an error.
   */
  readonly createTokenFiles?: boolean;
  /** Runtime paths (token files, TLS files) are relative to this; default process.cwd(). */
  readonly cwd?: string;
}
