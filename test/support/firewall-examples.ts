/**
 * The shipped generic-profile example connector files (config/examples/{pfsense,opnsense}/connectors/*.yaml),
 * read as the loader reads them, for tests that run the firewall-rest connector exactly as configured there
 * against the fake JSON REST firewall (fake-firewall/json-rest.ts): the generic profile's unit harness, its
 * contract test, and the `pfsense` backend of the HTTP suites (build-app.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { MappingInput } from '../../connectors/types.js';
import type { FakeJsonRest, JsonRestFlavour } from './fake-firewall/json-rest.js';

/** The repository root (this file is test/support/firewall-examples.ts). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const exampleFile = (flavour: JsonRestFlavour): string => join(repoRoot, 'config', 'examples', flavour, 'connectors', `${flavour}.yaml`);

/** The example connector file as parsed YAML (its `options:` and `mapping:`), before references are expanded. */
export function exampleYaml(flavour: JsonRestFlavour): { options: Record<string, unknown>; mapping?: MappingInput } {
  return parse(readFileSync(exampleFile(flavour), 'utf8')) as { options: Record<string, unknown>; mapping?: MappingInput };
}

/** `${env:NAME}` / `${env:NAME:-default}` in string leaves, as the loader does on the parsed tree. */
export function expandEnv(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\$\{env:([A-Za-z_]\w*)(?::-([^}]*))?\}/g, (_m, name: string, d?: string) => env[name] ?? d ?? '');
  if (Array.isArray(value)) return value.map((v) => expandEnv(v, env));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env)]));
  return value;
}

/**
 * The example's raw `options:` pointed at `fake`, ready for firewallRestConfigSchema.parse: the credential is
 * the fake's (through the example's own `${env:…}` references), `baseUrl` the fake's plain-http URL
 * (`allowInsecure`, no CA file), the identity map in `dir` without fsync. Everything else is as shipped.
 */
export function exampleOptionsFor(fake: FakeJsonRest, dir: string): { options: Record<string, unknown>; mapping?: MappingInput } {
  const { options: raw, mapping } = exampleYaml(fake.flavour);
  const prefix = fake.flavour === 'pfsense' ? 'PFSENSE' : 'OPNSENSE';
  const env = { [`${prefix}_URL`]: fake.baseUrl, [`${prefix}_API_KEY`]: fake.apiKey, [`${prefix}_API_SECRET`]: fake.apiSecret, DATA_DIR: dir };
  const options = expandEnv(raw, env) as Record<string, unknown>;
  delete options['tls'];
  options['allowInsecure'] = true;
  options['identityMap'] = { ...(options['identityMap'] as Record<string, unknown>), dir, fsync: false };
  return { options, ...(mapping !== undefined ? { mapping } : {}) };
}
