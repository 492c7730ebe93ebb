/**
 * Every YAML file under config/ must load through the real loader (loadGatewayConfig from src/server.ts, the
 * built-in connectors, the mapping compiler) without a problem or a warning, so the shipped examples cannot
 * rot. Files are found by walking config/, so examples added later (config/**\/gateway*.yaml,
 * *.example.yaml, connector files) are covered without touching this test:
 *   - a file with `endpoints:` is a gateway file, loaded as is;
 *   - a file with `id:` and `type:` is a connector file, loaded on its own through a minimal gateway file
 *     that lists it (so one that no gateway file lists is covered too);
 *   - anything else under config/ is an error (an example nobody could load).
 * Each gateway file loads twice: with only the variables it requires (those without `:-default`) set, so the
 * defaults are exercised, and with every variable it references set to a dummy value of the right shape.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../../connectors/index.js';
import { ConfigError } from '../../src/config/index.js';
import { loadGatewayConfig } from '../../src/server.js';
import { repoRoot } from '../support/durable-transpile.js';

const CONFIG_DIR = join(repoRoot, 'config');

interface YamlFile {
  readonly abs: string;
  readonly rel: string;
  readonly data: unknown;
  readonly text: string;
}

interface EnvRef {
  readonly name: string;
  readonly fallback: string | undefined;
}

async function yamlFilesUnder(dir: string): Promise<YamlFile[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name)).map((e) => join(e.parentPath, e.name));
  return Promise.all(
    files.sort().map(async (abs) => {
      const text = await readFile(abs, 'utf8');
      return { abs, rel: relative(repoRoot, abs), text, data: parse(text) as unknown };
    }),
  );
}

/** `${env:NAME}` and `${env:NAME:-default}`, skipping the `$${` escape. */
function envRefs(text: string): EnvRef[] {
  const out: EnvRef[] = [];
  for (const m of text.matchAll(/(\$?)\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g)) {
    if (m[1] === '$') continue;
    out.push({ name: m[2]!, fallback: m[3] });
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isGateway = (f: YamlFile) => isMap(f.data) && 'endpoints' in f.data;
const isConnector = (f: YamlFile) => isMap(f.data) && 'id' in f.data && 'type' in f.data;

let scratch: string;
let previousCwd: string;
let files: YamlFile[];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'scimbridge-examples-'));
  // Relative runtime paths (./data/scim-token) resolve against the working directory: make it an empty one,
  // so a developer's own ./data cannot change the outcome. Nothing is written (createTokenFiles: false).
  previousCwd = process.cwd();
  await mkdir(join(scratch, 'cwd'));
  process.chdir(join(scratch, 'cwd'));
  files = await yamlFilesUnder(CONFIG_DIR);
});
afterAll(async () => {
  process.chdir(previousCwd);
  await rm(scratch, { recursive: true, force: true });
});

let dummyNo = 0;

/** A value of the shape the variable's name (or its default) suggests. */
async function dummyValue(ref: EnvRef): Promise<string> {
  const n = ref.name.toUpperCase();
  if (/PORT$/.test(n)) return '8443';
  if (/(^|_)HOST(NAME)?$/.test(n)) return '127.0.0.1';
  if (/LEVEL$/.test(n)) return 'debug';
  if (/(DIR|DIRECTORY)$/.test(n)) {
    const dir = join(scratch, `dir-${++dummyNo}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }
  if (/(FILE|PATH)$/.test(n)) {
    const file = join(scratch, `file-${++dummyNo}`);
    await writeFile(file, `dummy-${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    return file;
  }
  if (/URL$|URI$/.test(n)) return n.includes('LDAP') ? 'ldaps://ldap.example.invalid:636' : 'https://api.example.invalid';
  if (/(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIALS?)$/.test(n)) return randomBytes(24).toString('hex');
  if (/(_DN|^DN)$/.test(n)) return 'cn=scimbridge,ou=services,dc=example,dc=com';
  if (ref.fallback !== undefined && /^\d+$/.test(ref.fallback)) return ref.fallback;
  if (ref.fallback !== undefined && /^(true|false)$/i.test(ref.fallback)) return ref.fallback;
  return ref.fallback || 'example';
}

/** The connector files a gateway file lists (absolute). */
function listedConnectors(gateway: YamlFile): string[] {
  const list = isMap(gateway.data) && Array.isArray(gateway.data['connectors']) ? (gateway.data['connectors'] as unknown[]) : [];
  return list.filter((e): e is string => typeof e === 'string').map((e) => resolve(dirname(gateway.abs), e));
}

async function envFor(texts: readonly string[], all: boolean): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {};
  const refs = texts.flatMap(envRefs);
  const required = new Set(refs.filter((r) => r.fallback === undefined).map((r) => r.name));
  for (const ref of refs) {
    if (env[ref.name] !== undefined) continue;
    if (all || required.has(ref.name)) env[ref.name] = await dummyValue(ref);
  }
  return env;
}

/** Loads `file` and fails with every problem the loader reported. */
async function load(file: string, env: NodeJS.ProcessEnv) {
  try {
    return await loadGatewayConfig(file, builtinConnectors, env, false);
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(`${relative(repoRoot, file)} does not load:\n${err.message}`);
    throw err;
  }
}

describe('example configs under config/', () => {
  it('finds the embedded default, and every YAML file there is a gateway or a connector file', () => {
    expect(files.map((f) => f.rel)).toContain(join('config', 'gateway.yaml'));
    const neither = files.filter((f) => !isGateway(f) && !isConnector(f)).map((f) => f.rel);
    expect(neither, 'YAML under config/ that is neither a gateway file (endpoints:) nor a connector file (id:, type:)').toEqual([]);
  });

  it('loads every gateway file with only its required variables set (the defaults) and with all of them set, without problems or warnings', async () => {
    const gateways = files.filter(isGateway);
    expect(gateways.length).toBeGreaterThan(0);
    for (const g of gateways) {
      const connectorTexts = files.filter((f) => listedConnectors(g).includes(f.abs)).map((f) => f.text);
      for (const all of [false, true]) {
        const env = await envFor([g.text, ...connectorTexts], all);
        const config = await load(g.abs, env);
        expect(config.warnings, `${g.rel} (${all ? 'all' : 'required'} variables set)`).toEqual([]);
        expect(config.endpoints.length, g.rel).toBeGreaterThan(0);
        expect(config.connectors.length, g.rel).toBe(listedConnectors(g).length);
        for (const e of config.endpoints) {
          expect(e.tokenHashes.length + e.pendingTokenFiles.length, `${g.rel}: ${e.path} accepts some token`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('loads every connector file on its own too (also those no gateway file lists), through a minimal gateway file', async () => {
    const connectors = files.filter(isConnector);
    expect(connectors.length).toBeGreaterThan(0);
    for (const [i, c] of connectors.entries()) {
      const id = String((c.data as Record<string, unknown>)['id']);
      const gateway = join(scratch, `connector-${i}.yaml`);
      const token = randomBytes(24).toString('hex');
      await writeFile(
        gateway,
        `connectors:\n  - ${JSON.stringify(c.abs)}\nendpoints:\n  - path: /scim/v2\n    connector: ${JSON.stringify(id)}\n    tokens:\n      - ${token}\n`,
      );
      const config = await load(gateway, await envFor([c.text], true));
      expect(config.warnings, c.rel).toEqual([]);
      expect(config.connectors.map((x) => x.id)).toEqual([id]);
    }
  });

  it('gives the embedded default its documented shape: /scim/v2 on the json-file store in ./data or DATA_DIR, token from SCIM_TOKEN or a generated file', async () => {
    const file = join(CONFIG_DIR, 'gateway.yaml');
    const plain = await load(file, {});
    expect(plain.gateway.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(plain.endpoints.map((e) => [e.path, e.connectorId])).toEqual([['/scim/v2', 'local']]);
    expect(plain.connectors.map((c) => [c.id, c.type])).toEqual([['local', 'json-file']]);
    expect(plain.connectors[0]!.options).toMatchObject({ dir: './data', fsync: true });
    expect(plain.endpoints[0]!.tokenHashes).toEqual([]);
    expect(plain.endpoints[0]!.pendingTokenFiles).toEqual([join('data', 'scim-token')]);

    const dataDir = join(scratch, 'default-data');
    const set = await load(file, { SCIM_TOKEN: randomBytes(24).toString('hex'), DATA_DIR: dataDir, PORT: '9000', HOST: '0.0.0.0' });
    expect(set.gateway.server).toMatchObject({ host: '0.0.0.0', port: 9000 });
    expect(set.connectors[0]!.options).toMatchObject({ dir: dataDir });
    expect(set.endpoints[0]!.tokenHashes).toHaveLength(1);
    expect(set.endpoints[0]!.pendingTokenFiles).toEqual([]);
  });
});
