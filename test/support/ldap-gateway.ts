/**
 * An in-process gateway on the LDAP connector for HTTP tests against the throwaway slapd (test/support/slapd.ts):
 * fresh OUs (or the ones given), the openldap profile bound as the harness's service account, the profile's
 * mapping merged with `mappingOverride` exactly as a YAML `mapping:` block is, one endpoint at /scim/v2 with
 * TOKEN, and createApp(). supertest drives `server`; scimClient(server) from scim-client.ts talks SCIM to it.
 *
 *   const gw = await startLdapGateway({ slapd, options: { referentialIntegrity: 'server' } });
 *   …scimClient(gw.server)…, and gw.ous.people for direct ldapts checks
 *   await gw.close();
 */
import type { Server } from 'node:http';
import { Client } from 'ldapts';
import { builtinConnectors } from '../../connectors/index.js';
import { ldapConfigSchema, type LdapConfig } from '../../connectors/ldap/config.js';
import { ldapConnector } from '../../connectors/ldap/index.js';
import { resolveMapping, type MappingInput } from '../../connectors/types.js';
import { DEFAULT_QUEUE, startConnector } from '../../src/core/connectors.js';
import type { QueueConfig } from '../../src/core/queue.js';
import { DEFAULT_LIMITS, type ConnectorRuntime, type RequestLimits } from '../../src/core/runtime.js';
import { hashToken } from '../../src/http/auth.js';
import { createApp } from '../../src/http/app.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import { BASE, TOKEN } from './build-app.js';
import type { Slapd } from './slapd.js';

export { AUTH, BASE, TOKEN } from './build-app.js';

export type Ous = { people: string; groups: string; disabled: string };

export interface LdapGatewayOptions {
  readonly slapd: Slapd;
  /** Merged over the defaults (users and groups one level deep); parsed by the connector's zod schema. */
  readonly options?: Record<string, unknown>;
  /** A YAML-style mapping merged over the profile's (null removes an attribute). */
  readonly mappingOverride?: MappingInput;
  readonly queue?: Partial<QueueConfig>;
  readonly limits?: Partial<RequestLimits>;
  /** Use these OUs instead of fresh ones (e.g. when slapd is down at start, or two gateways share a tree). */
  readonly ous?: Ous;
  readonly log?: Logger;
}

export interface LdapGateway {
  readonly server: Server;
  readonly runtime: ConnectorRuntime;
  readonly ous: Ous;
  readonly config: LdapConfig;
  close(): Promise<void>;
}

/** The options the gateway gets: plain ldap:// to the harness (allowInsecure), service account, the OUs. */
export function ldapOptions(slapd: Slapd, ous: Ous, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { users, groups, ...rest } = extra as { users?: Record<string, unknown>; groups?: Record<string, unknown> | null };
  return {
    url: slapd.url,
    allowInsecure: true,
    bindDN: slapd.serviceDN,
    bindPassword: slapd.servicePassword,
    profile: 'openldap',
    timeoutMs: 5_000,
    connectTimeoutMs: 2_000,
    ...rest,
    users: { baseDN: ous.people, ...users },
    ...(groups === null ? {} : { groups: { baseDN: ous.groups, ...groups } }),
  };
}

export async function startLdapGateway(opts: LdapGatewayOptions): Promise<LdapGateway> {
  const ous = opts.ous ?? (await opts.slapd.freshOus('gw'));
  const config = ldapConfigSchema.parse(ldapOptions(opts.slapd, ous, opts.options));
  const runtime = await startConnector(
    {
      id: 'ldap-test',
      type: 'ldap',
      options: config,
      mapping: resolveMapping(ldapConnector, config, opts.mappingOverride),
      queue: { ...DEFAULT_QUEUE, ...opts.queue },
    },
    builtinConnectors,
    opts.log ?? silentLogger,
  );
  const app = createApp({
    endpoints: [{ path: BASE, runtime, tokenDigests: [hashToken(TOKEN)] }],
    log: opts.log ?? silentLogger,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    server,
    runtime,
    ous,
    config,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await runtime.connector.stop();
    },
  };
}

/** An ldapts client bound as the slapd's admin, for checking what the gateway wrote. Unbind it when done. */
export async function adminClient(slapd: Slapd): Promise<Client> {
  const c = new Client({ url: slapd.url, timeout: 5_000, connectTimeout: 2_000 });
  await c.bind(slapd.adminDN, slapd.adminPassword);
  return c;
}

/** Every entry under `base` (one level) matching `filter`, with the requested attributes (operational ones included when named). */
export async function entries(c: Client, base: string, filter = '(objectClass=*)', attributes: string[] = ['*', '+']) {
  const { searchEntries } = await c.search(base, { scope: 'one', filter, attributes, paged: { pageSize: 200 } });
  return searchEntries;
}

/** The entry at `dn`, or undefined. */
export async function entryAt(c: Client, dn: string, attributes: string[] = ['*', '+']) {
  try {
    const { searchEntries } = await c.search(dn, { scope: 'base', attributes });
    return searchEntries[0];
  } catch (err) {
    if ((err as { code?: number }).code === 32) return undefined;
    throw err;
  }
}

/** An attribute's values as strings (ldapts gives a string or an array). */
export function values(entry: Record<string, unknown> | undefined, attr: string): string[] {
  if (!entry) return [];
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key === undefined ? undefined : entry[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

/** refint rewrites in a background task after the operation's response: poll instead of asserting at once. */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 3_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A logger that keeps its lines (parsed), for asserting on what an operator would read. */
export function capturingLogger(level = 'debug'): { log: Logger; lines: Record<string, unknown>[]; text(): string } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level, destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { log, lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}
