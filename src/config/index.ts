/** The config module's public surface; import from here rather than from the files behind it. */
export { formatConfigForDisplay } from './display.js';
export { boolField, intField, portField, type IntFieldOptions } from './fields.js';
export {
  gatewayFileSchema,
  LOG_LEVELS,
  type EndpointFileConfig,
  type GatewayConfig,
  type GatewayFileConfig,
  type LimitsConfig,
  type LoggingConfig,
  type LogLevel,
  type ServerConfig,
  type TlsConfig,
  type TokenSpec,
} from './gateway-schema.js';
export {
  connectorFileSchema,
  mappingSchema,
  queueSchema,
  type ConnectorFileConfig,
  type MappingFileConfig,
  type QueueConfig,
} from './connector-schema.js';
export { ConfigError, configIssue, formatIssue, formatPath, parsePath, type ConfigIssue, type ConfigPath } from './issues.js';
export { loadConfig } from './load.js';
export type { LoadConfigOptions, LoadedConfig, LoadedConnector, LoadedEndpoint } from './loaded-config.js';
export { Secret, secret } from './secret.js';
export { MIN_TOKEN_LENGTH, sha256 } from './tokens.js';
