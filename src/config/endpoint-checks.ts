/**
 * Rules about endpoints that no single schema can check: paths that would shadow each other in the router,
 * and connector ids declared in other files.
 */
import { didYouMean } from './did-you-mean.js';
import { connectorRefSchema, endpointPathSchema, tokenSchema, type TokenSpec } from './gateway-schema.js';
import { field } from './raw-data.js';
import type { ConfigSource } from './yaml-source.js';

/** The parts of one `endpoints:` entry that are valid on their own; the invalid ones are undefined or left out. */
export interface PartialEndpoint {
  /** Position in `endpoints:`, for paths in messages. */
  readonly index: number;
  readonly path: string | undefined;
  readonly connector: string | undefined;
  /** Valid token entries with their position in `tokens:`. */
  readonly tokens: readonly { readonly index: number; readonly spec: TokenSpec }[];
}

/**
 * The valid parts of every endpoint, taken from the raw data field by field rather than from the whole-file
 * parse, so that a bad `server.port` or a bad token entry does not hide a shared token or an unknown connector.
 * The schema has already reported whatever is invalid.
 */
export function endpointParts(data: unknown): PartialEndpoint[] {
  const list = field(data, 'endpoints');
  if (!Array.isArray(list)) return [];
  return (list as unknown[]).map((raw, index) => {
    const path = endpointPathSchema.safeParse(field(raw, 'path'));
    const connector = connectorRefSchema.safeParse(field(raw, 'connector'));
    const rawTokens = field(raw, 'tokens');
    const tokens: { index: number; spec: TokenSpec }[] = [];
    for (const [j, t] of (Array.isArray(rawTokens) ? (rawTokens as unknown[]) : []).entries()) {
      const spec = tokenSchema.safeParse(t);
      if (spec.success) tokens.push({ index: j, spec: spec.data });
    }
    return {
      index,
      path: path.success ? path.data : undefined,
      connector: connector.success ? connector.data : undefined,
      tokens,
    };
  });
}

/**
 * Equal paths, and paths where one is a prefix of the other at a segment boundary (`/scim` and `/scim/v2`):
 * the shorter one's routes would swallow the longer one's. Compared case-insensitively because the gateway
 * matches base paths case-insensitively (src/http/app.ts).
 */
export function checkEndpointPaths(source: ConfigSource, endpoints: readonly PartialEndpoint[]): void {
  const withPath = endpoints.flatMap((e) => (e.path === undefined ? [] : [{ index: e.index, path: e.path.toLowerCase() }]));
  for (const [n, b] of withPath.entries()) {
    for (const a of withPath.slice(0, n)) {
      const where = ['endpoints', b.index, 'path'];
      if (a.path === b.path) {
        source.issue(where, `endpoints[${a.index}] already uses this path`);
      } else if (b.path.startsWith(`${a.path}/`) || a.path.startsWith(`${b.path}/`)) {
        source.issue(
          where,
          `overlaps endpoints[${a.index}].path: one is a prefix of the other, so one endpoint would shadow the other`,
        );
      }
    }
  }
}

/** Every endpoint names a declared connector. `declared` is undefined when some connector file had no usable id. */
export function checkEndpointConnectors(
  source: ConfigSource,
  endpoints: readonly PartialEndpoint[],
  declared: ReadonlySet<string> | undefined,
): void {
  // A connector file that failed before its id was known has already been reported; guessing which endpoint
  // pointed at it would only add wrong errors.
  if (declared === undefined) return;
  const known = [...declared].sort();
  for (const { index, connector } of endpoints) {
    if (connector === undefined || declared.has(connector)) continue;
    const where = ['endpoints', index, 'connector'];
    const list = known.length > 0 ? ` (declared connectors: ${known.join(', ')})` : '';
    source.issue(where, `unknown connector ${source.quote(where, connector)}${didYouMean(connector, known)}${list}`);
  }
}
