/**
 * An in-process gateway for HTTP tests: one endpoint at /scim/v2 with TOKEN, and createApp(). supertest
 * drives `server`.
 *
 * Two backends, chosen by SCIMBRIDGE_TEST_BACKEND (vitest.config.ts sets it per project):
 * - `json-file` (default): a json-file connector in a fresh temp dir (`dir`), its default mapping.
 * - `ldap`: the LDAP connector on a throwaway slapd (test/support/slapd.ts), one slapd per test file started
 *   on first use and destroyed after the file, a fresh OU triple per gateway (`ous`), the openldap profile
 *   exactly as in production, bound as the harness's service account, the refint overlay keeping member
 *   DNs right (referentialIntegrity: server).
 * - `fortios`: the firewall-rest connector's FortiOS profile on an in-process fake FortiOS of its own
 *   (`fortios`, for seeding and fault injection) and an identity map in a fresh temp dir (`dir`).
 * - `panos`: the firewall-rest connector's PAN-OS profile on an in-process fake PAN-OS of its own (`panos`),
 *   commit mode `applied` with short batching delays and 5 ms commits, an identity map in `dir`.
 * - `pfsense`: the firewall-rest connector's generic profile with the shipped pfSense example's options and
 *   mapping (config/examples/pfsense/connectors/pfsense.yaml) on an in-process fake pfSense of its own
 *   (`pfsense`), an identity map in `dir`.
 *
 * A custom `mapping` is the whole mapping the connector gets (not merged with a default), written with
 * json-file field names as before; on LDAP each SCIM path is given the LDAP attribute the openldap profile
 * stores it under (ldapAttributeFor), on the firewalls the profile's field (fortiosFieldFor, panosFieldFor,
 * pfsenseFieldFor), and a path the backend has no home for throws, so a test cannot
 * silently run on a mapping other than the one it wrote. `gw.field(kind, scimPath)` names the native field
 * on either backend. What differs between the backends, and how tests deal with it: test/support/backend.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll } from 'vitest';
import { builtinConnectors } from '../../connectors/index.js';
import { resolveMapping, type MappingConfig } from '../../connectors/types.js';
import { firewallRestConfigSchema } from '../../connectors/firewall-rest/config.js';
import { firewallRestConnector } from '../../connectors/firewall-rest/index.js';
import { jsonFileConfigSchema, jsonFileDefaultMapping } from '../../connectors/json-file/config.js';
import { ldapConfigSchema } from '../../connectors/ldap/config.js';
import { ldapConnector } from '../../connectors/ldap/index.js';
import { DEFAULT_QUEUE, startConnector } from '../../src/core/connectors.js';
import type { QueueConfig } from '../../src/core/queue.js';
import { DEFAULT_LIMITS, type ConnectorRuntime, type RequestLimits } from '../../src/core/runtime.js';
import { hashToken } from '../../src/http/auth.js';
import { createApp, type AppEndpoint } from '../../src/http/app.js';
import { silentLogger } from '../../src/log.js';
import { BACKEND, canonicalPath, fortiosFieldFor, ldapAttributeFor, panosFieldFor, pfsenseFieldFor, type Backend } from './backend.js';
import { startFakeFortiOS, type FakeFortiOS } from './fake-firewall/fortios.js';
import { startFakeJsonRest, type FakeJsonRest } from './fake-firewall/json-rest.js';
import { startFakePanos, type FakePanos } from './fake-firewall/panos.js';
import { exampleOptionsFor } from './firewall-examples.js';
import { ldapRequiredMessage, slapdMissing, startSlapd, type Slapd } from './slapd.js';

export { BACKEND, type Backend } from './backend.js';

export const TOKEN = 'test-token-0123456789abcdefghijklmnop';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };
export const BASE = '/scim/v2';

export interface TestGateway {
  readonly server: Server;
  readonly runtime: ConnectorRuntime;
  readonly backend: Backend;
  /** The mapping the connector got (LDAP attribute names on LDAP). */
  readonly mapping: MappingConfig;
  /** json-file: the data directory; fortios, panos, pfsense: the identity map's directory. */
  readonly dir?: string;
  /** fortios: the gateway's own fake FortiOS (seed it, inject faults, count requests). */
  readonly fortios?: FakeFortiOS;
  /** panos: the gateway's own fake PAN-OS. */
  readonly panos?: FakePanos;
  /** pfsense: the gateway's own fake pfSense. */
  readonly pfsense?: FakeJsonRest;
  /** ldap: the gateway's own OUs. */
  readonly ous?: { readonly people: string; readonly groups: string; readonly disabled: string };
  /** The native field a SCIM path is stored under on this gateway (`password` → `password` or `userPassword`). */
  field(kind: 'user' | 'group', scimPath: string): string;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** With json-file field names; translated per SCIM path on LDAP (see ldapAttributeFor). */
  readonly mapping?: MappingConfig;
  readonly queue?: Partial<QueueConfig>;
  readonly limits?: Partial<RequestLimits>;
  readonly bodyLimitBytes?: number;
  /** Connector options: json-file's (refused on LDAP), or firewall-rest's on the firewalls (merged over the test's own). */
  readonly options?: Record<string, unknown>;
  /** fortios: an existing fake and identity map directory to use (a gateway restart); the test closes them. */
  readonly fortios?: { readonly fake: FakeFortiOS; readonly dir: string };
  /** Extra endpoints sharing the connector, each with its own token. */
  readonly extraEndpoints?: readonly { path: string; token: string }[];
}

function translateMapping(mapping: MappingConfig, homeFor: (kind: 'user' | 'group', path: string) => string | undefined): MappingConfig {
  const section = (kind: 'user' | 'group'): Record<string, string> =>
    Object.fromEntries(
      Object.keys(mapping[kind]).map((path) => {
        const attr = homeFor(kind, path);
        if (attr === undefined) {
          throw new Error(`startTestGateway: the ${BACKEND} backend has no field for ${kind} ${path}; make this test backend-aware (itStores/itOn)`);
        }
        return [path, attr];
      }),
    );
  return { user: section('user'), group: section('group') };
}

// ---------------------------------------------------------------------------------------------------------------
// One slapd per test file

let slapd: Promise<Slapd> | undefined;

function fileSlapd(): Promise<Slapd> {
  if (!slapd) {
    const missing = slapdMissing();
    if (missing.length > 0) throw new Error(ldapRequiredMessage(missing));
    slapd = startSlapd();
  }
  return slapd;
}

if (BACKEND === 'ldap') {
  // Registered while the test file imports this module, so it runs once after the whole file (after the
  // file's own afterAll hooks, which close the gateways).
  afterAll(async () => {
    const s = slapd;
    slapd = undefined;
    await (await s?.catch(() => undefined))?.destroy();
  });
}

async function ldapSpec(opts: TestGatewayOptions): Promise<{ options: unknown; mapping: MappingConfig; ous: NonNullable<TestGateway['ous']> }> {
  if (opts.options !== undefined) throw new Error('startTestGateway: `options` are json-file options; this test cannot run on ldap');
  const s = await fileSlapd();
  const ous = await s.freshOus('http');
  const options = ldapConfigSchema.parse({
    url: s.url,
    allowInsecure: true,
    bindDN: s.serviceDN,
    bindPassword: s.servicePassword,
    profile: 'openldap',
    referentialIntegrity: 'server',
    users: { baseDN: ous.people },
    // refint replaces a deleted last member by its refint_nothing DN (the admin): that is the placeholder.
    groups: { baseDN: ous.groups, emptyMember: s.adminDN },
  });
  // No mapping: the profile's, resolved as for a YAML without a `mapping:` block.
  const mapping = opts.mapping ? translateMapping(opts.mapping, ldapAttributeFor) : resolveMapping(ldapConnector, options, undefined);
  return { options, mapping, ous };
}

// ---------------------------------------------------------------------------------------------------------------
// A fake FortiOS per gateway

async function fortiosSpec(opts: TestGatewayOptions): Promise<{ options: unknown; mapping: MappingConfig; fake: FakeFortiOS; dir: string; owned: boolean }> {
  const owned = opts.fortios === undefined;
  const fake = opts.fortios?.fake ?? (await startFakeFortiOS());
  const dir = opts.fortios?.dir ?? (await mkdtemp(join(tmpdir(), 'scimbridge-fortios-')));
  const options = firewallRestConfigSchema.parse({
    profile: 'fortios',
    baseUrl: fake.baseUrl,
    allowInsecure: true,
    token: fake.token,
    identityMap: { dir, fsync: false },
    ...opts.options,
  });
  const mapping = opts.mapping ? translateMapping(opts.mapping, fortiosFieldFor) : resolveMapping(firewallRestConnector, options, undefined);
  return { options, mapping, fake, dir, owned };
}

// ---------------------------------------------------------------------------------------------------------------
// A fake PAN-OS per gateway

async function panosSpec(opts: TestGatewayOptions): Promise<{ options: unknown; mapping: MappingConfig; fake: FakePanos; dir: string }> {
  if (opts.fortios !== undefined) throw new Error('startTestGateway: `fortios` (a restart on a given fake) is FortiOS-only');
  const fake = await startFakePanos({ commitDurationMs: 5 });
  const dir = await mkdtemp(join(tmpdir(), 'scimbridge-panos-'));
  const options = firewallRestConfigSchema.parse({
    profile: 'panos',
    baseUrl: fake.baseUrl,
    allowInsecure: true,
    apiKey: fake.apiKey,
    identityMap: { dir, fsync: false },
    // A write is answered once a commit holding it finished (the production default), batched briefly.
    commit: { mode: 'applied', quietMs: 5, maxDelayMs: 50, pollMs: 10 },
    ...opts.options,
  });
  const mapping = opts.mapping ? translateMapping(opts.mapping, panosFieldFor) : resolveMapping(firewallRestConnector, options, undefined);
  return { options, mapping, fake, dir };
}

// ---------------------------------------------------------------------------------------------------------------
// A fake pfSense per gateway, configured by the shipped example

async function pfsenseSpec(opts: TestGatewayOptions): Promise<{ options: unknown; mapping: MappingConfig; fake: FakeJsonRest; dir: string }> {
  if (opts.fortios !== undefined) throw new Error('startTestGateway: `fortios` (a restart on a given fake) is FortiOS-only');
  const fake = await startFakeJsonRest({ flavour: 'pfsense' });
  const dir = await mkdtemp(join(tmpdir(), 'scimbridge-pfsense-'));
  const example = exampleOptionsFor(fake, dir);
  const options = firewallRestConfigSchema.parse({ ...example.options, ...opts.options });
  // No mapping: the example's `mapping:` block merged over the profile's, as the loader does.
  const mapping = opts.mapping ? translateMapping(opts.mapping, pfsenseFieldFor) : resolveMapping(firewallRestConnector, options, example.mapping);
  return { options, mapping, fake, dir };
}

// ---------------------------------------------------------------------------------------------------------------

export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  let dir: string | undefined;
  let ous: TestGateway['ous'];
  let options: unknown;
  let mapping: MappingConfig;
  let fortios: FakeFortiOS | undefined;
  let panos: FakePanos | undefined;
  let pfsense: FakeJsonRest | undefined;
  let ownsFortios = false;
  if (BACKEND === 'ldap') {
    ({ options, mapping, ous } = await ldapSpec(opts));
  } else if (BACKEND === 'fortios') {
    ({ options, mapping, fake: fortios, dir, owned: ownsFortios } = await fortiosSpec(opts));
  } else if (BACKEND === 'panos') {
    ({ options, mapping, fake: panos, dir } = await panosSpec(opts));
  } else if (BACKEND === 'pfsense') {
    ({ options, mapping, fake: pfsense, dir } = await pfsenseSpec(opts));
  } else {
    dir = await mkdtemp(join(tmpdir(), 'scimbridge-test-'));
    options = jsonFileConfigSchema.parse({ dir, fsync: false, ...opts.options });
    mapping = opts.mapping ?? jsonFileDefaultMapping;
  }
  const type = BACKEND === 'fortios' || BACKEND === 'panos' || BACKEND === 'pfsense' ? 'firewall-rest' : BACKEND;
  const runtime = await startConnector({ id: 'test', type, options, mapping, queue: { ...DEFAULT_QUEUE, ...opts.queue } }, builtinConnectors, silentLogger);
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
    backend: BACKEND,
    mapping,
    ...(dir !== undefined ? { dir } : {}),
    ...(ous !== undefined ? { ous } : {}),
    ...(fortios !== undefined ? { fortios } : {}),
    ...(panos !== undefined ? { panos } : {}),
    ...(pfsense !== undefined ? { pfsense } : {}),
    field(kind, scimPath) {
      const f = Object.entries(mapping[kind]).find(([k]) => canonicalPath(k) === canonicalPath(scimPath))?.[1];
      if (f === undefined) throw new Error(`this gateway does not map ${kind} ${scimPath}`);
      return f;
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await runtime.connector.stop();
      // A gateway given its fake and directory (a restart) leaves them to the test.
      if (BACKEND === 'fortios' && !ownsFortios) return;
      await fortios?.close();
      await panos?.close();
      await pfsense?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
