/**
 * `check-config --print`: the effective config (defaults applied, references expanded) as YAML, with every
 * secret and token shown as [REDACTED].
 */
import { stringify } from 'yaml';
import type { LoadedConfig } from './loaded-config.js';
import { Secret } from './secret.js';

const REDACTED = '[REDACTED]';

/**
 * Key names whose string values are redacted even when a connector forgot to use `secret()`. Matches suffixes,
 * so `bindPassword` and `clientSecret` are caught and `tokenUrl` is not.
 */
const SECRET_KEY = /(password|passwd|passphrase|secret|token|api[-_]?key|private[-_]?key|credential)s?$/i;

export function formatConfigForDisplay(config: LoadedConfig): string {
  const view = {
    gatewayFile: config.gatewayFile,
    ...config.gateway,
    connectors: config.connectors.map((c) => ({
      id: c.id,
      type: c.type,
      file: c.file,
      queue: c.queue,
      options: c.options,
      mapping: c.mapping,
    })),
    endpoints: config.endpoints.map((e) => ({
      path: e.path,
      connector: e.connectorId,
      // The digests are not secrets, but printing them invites pasting them where tokens belong.
      tokens: e.tokenHashes.map(() => REDACTED),
      ...(e.generatedTokenFiles.length > 0 ? { generatedTokenFiles: e.generatedTokenFiles } : {}),
      ...(e.pendingTokenFiles.length > 0 ? { tokenFilesToGenerate: e.pendingTokenFiles } : {}),
    })),
  };
  return stringify(toDisplay(view, undefined), { lineWidth: 0 });
}

/** A plain tree with secrets replaced; class instances become strings so nothing prints through a custom serialiser. */
function toDisplay(value: unknown, key: string | undefined): unknown {
  if (value instanceof Secret) return REDACTED;
  if (typeof value === 'string') return key !== undefined && SECRET_KEY.test(key) ? REDACTED : value;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return REDACTED;
  if (Array.isArray(value)) return value.map((v: unknown) => toDisplay(v, key));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return String(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined && typeof v !== 'function') out[k] = toDisplay(v, k);
    }
    return out;
  }
  return undefined;
}
