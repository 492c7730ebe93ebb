/**
 * The connector files listed in the gateway file: each one's envelope, its `options:` (with the connector's
 * own schema), its mapping, and the ids across files.
 */
import { dirname, resolve } from 'node:path';
import { resolveMapping, type ConnectorDefinition } from '../../connectors/types.js';
import { connectorFileSchema, CONNECTOR_ID } from './connector-schema.js';
import { didYouMean } from './did-you-mean.js';
import { parsePath } from './issues.js';
import type { LoadConfigOptions, LoadedConnector } from './loaded-config.js';
import { displayPath } from './paths.js';
import { field } from './raw-data.js';
import { ConfigSource, type IssueSink } from './yaml-source.js';
import { parseWithSchema } from './zod-issues.js';

export interface LoadedConnectors {
  readonly connectors: LoadedConnector[];
  /** Every id declared, or undefined when some file's id could not be read (then endpoint checks are skipped). */
  readonly ids: ReadonlySet<string> | undefined;
  /** Display name of every connector file, in load order, for sorting issues. */
  readonly files: string[];
}

export async function loadConnectorFiles(
  gateway: ConfigSource,
  opts: LoadConfigOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
  sink: IssueSink,
): Promise<LoadedConnectors> {
  const result = { connectors: [] as LoadedConnector[], files: [] as string[] };
  const ids = new Map<string, string>();
  let complete = true;
  const list = field(gateway.data, 'connectors');
  if (!Array.isArray(list)) return { ...result, ids: undefined };

  const seen = new Map<string, number>();
  for (const [i, entry] of (list as unknown[]).entries()) {
    // Non-strings are reported by the gateway schema.
    if (typeof entry !== 'string' || entry === '') {
      complete = false;
      continue;
    }
    const abs = resolve(dirname(gateway.file), entry);
    const earlier = seen.get(abs);
    if (earlier !== undefined) {
      gateway.issue(['connectors', i], `the same file is already listed as connectors[${earlier}]`);
      continue;
    }
    seen.set(abs, i);
    const display = displayPath(abs, cwd);
    result.files.push(display);
    const source = await ConfigSource.load(abs, display, env, sink, (code) =>
      gateway.issue(['connectors', i], `cannot read connector file ${display} (${code})`),
    );
    if (!source) {
      complete = false;
      continue;
    }
    const id = loadOne(source, opts, ids, result.connectors);
    if (id === undefined) complete = false;
  }
  return { ...result, ids: complete ? new Set(ids.keys()) : undefined };
}

/** Validates one connector file; returns its id when usable for cross-file checks, even if other parts are invalid. */
function loadOne(
  source: ConfigSource,
  opts: LoadConfigOptions,
  ids: Map<string, string>,
  out: LoadedConnector[],
): string | undefined {
  const envelope = parseWithSchema(source, connectorFileSchema, source.data);

  // id and type are checked from the raw data too, so their errors show up even when the envelope has others.
  const rawId = field(source.data, 'id');
  let id: string | undefined;
  if (typeof rawId === 'string' && CONNECTOR_ID.test(rawId)) {
    const other = ids.get(rawId);
    if (other !== undefined) source.issue(['id'], `connector id ${source.quote(['id'], rawId)} is already declared in ${other}`);
    else ids.set(rawId, source.display);
    id = rawId;
  }

  const rawType = field(source.data, 'type');
  let definition: ConnectorDefinition | undefined;
  if (typeof rawType === 'string' && rawType !== '') {
    definition = Object.hasOwn(opts.registry, rawType) ? opts.registry[rawType] : undefined;
    if (!definition) {
      const known = Object.keys(opts.registry).sort();
      const list = known.length > 0 ? known.join(', ') : '(none)';
      const shown = source.quote(['type'], rawType);
      source.issue(['type'], `unknown connector type ${shown}${didYouMean(rawType, known)} (known types: ${list})`);
    }
  }
  // An absent `options:` is validated as {} so the connector's schema names its required keys.
  const rawOptions = field(source.data, 'options') ?? {};
  const options = definition ? parseWithSchema(source, definition.configSchema, rawOptions, ['options']) : undefined;

  if (!envelope || !definition || options === undefined || id === undefined) return id;
  const { mapping } = envelope.value;
  const connector: LoadedConnector = {
    id: envelope.value.id,
    type: envelope.value.type,
    file: source.file,
    queue: envelope.value.queue,
    options: options.value,
    // A fresh object: the loaded config is frozen, and the registry's default mapping is not ours to freeze.
    mapping: resolveMapping(definition, options.value, mapping),
  };
  out.push(connector);
  for (const issue of opts.validateConnector?.(connector) ?? []) source.adopt(issue, parsePath(issue.path));
  return id;
}
