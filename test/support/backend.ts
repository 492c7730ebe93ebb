/**
 * Which backend the HTTP suites run on (SCIMBRIDGE_TEST_BACKEND, set per vitest project in vitest.config.ts),
 * and what the tests need to know about it: which SCIM attributes it stores with its default mapping, and
 * helpers that keep a test readable when the answer differs.
 *
 * - `json-file` (default): stores every attribute of its default mapping, sorts, and every helper here is
 *   the identity, so the json-file run asserts exactly what it always did.
 * - `ldap`: the openldap profile's mapping (connectors/ldap/profiles.ts); no sorting.
 * - `fortios`: the firewall-rest connector's FortiOS profile on the in-process fake FortiOS: userName, active,
 *   the work email, the mobile phone and externalId (users), displayName, externalId and members (groups);
 *   sorts (lists are evaluated in the gateway).
 * - `panos`: the firewall-rest connector's PAN-OS profile on the in-process fake PAN-OS XML API, commit mode
 *   `applied` with short batching delays: userName, active and externalId (a PAN-OS local user holds only a
 *   password hash and a disabled flag), displayName and externalId (groups); names ≤ 31 characters; sorts.
 * - `pfsense`: the firewall-rest connector's generic profile configured by the shipped pfSense example
 *   (config/examples/pfsense/connectors/pfsense.yaml, its `mapping:` included) on the in-process fake pfSense:
 *   userName, active, displayName (the user's "Full name", `descr`) and externalId (users), displayName and
 *   externalId (groups); names are letters, digits, ".", "_" and "-", users ≤ 32, groups ≤ 16; sorts.
 *
 * Rules for a test that meets a difference, in order of preference:
 * 1. use attributes both backends store;
 * 2. `asStored(expected)`: drop from an expected resource the attributes this backend does not store (nothing
 *    on json-file), so the assertion still checks everything that is stored;
 * 3. `itStores(paths, …)` / `itOn(backend, reason, …)`: skip the whole test, with the reason in its name;
 * 4. `expectKnownBug(backend, bug, assertion)`: a connector bug on one backend, reported and not yet fixed: the
 *    assertion is required to still fail there, so that the fix makes the test fail until the marker goes.
 */
import { describe, it, type TestFunction } from 'vitest';
import { firewallRestConfigSchema } from '../../connectors/firewall-rest/config.js';
import { firewallRestConnector } from '../../connectors/firewall-rest/index.js';
import { PROFILES as FIREWALL_PROFILES } from '../../connectors/firewall-rest/profiles.js';
import { resolveMapping, type MappingConfig } from '../../connectors/types.js';
import { fortiosDefaultMapping } from '../../connectors/firewall-rest/fortios/fields.js';
import { jsonFileDefaultMapping } from '../../connectors/json-file/config.js';
import { PROFILES } from '../../connectors/ldap/profiles.js';
import { exampleYaml, expandEnv } from './firewall-examples.js';

export type Backend = 'json-file' | 'ldap' | 'fortios' | 'panos' | 'pfsense';

const BACKENDS: readonly Backend[] = ['json-file', 'ldap', 'fortios', 'panos', 'pfsense'];

function backendFromEnv(): Backend {
  const v = process.env.SCIMBRIDGE_TEST_BACKEND;
  if (v === undefined || v === '') return 'json-file';
  if ((BACKENDS as readonly string[]).includes(v)) return v as Backend;
  throw new Error(`SCIMBRIDGE_TEST_BACKEND=${v}: expected one of ${BACKENDS.join(', ')}`);
}

/** The backend startTestGateway uses in this run. */
export const BACKEND: Backend = backendFromEnv();

/** The connector sorts (`sortBy`); the LDAP connector does not (it would need slapd's sssvlv overlay). */
export const SORTS = BACKEND !== 'ldap';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The LDAP backend's default mapping: the openldap profile's, as in production. */
export const OPENLDAP_MAPPING: MappingConfig = PROFILES.openldap.mapping;

/** The FortiOS backend's default mapping: the firewall-rest FortiOS profile's, as in production. */
export const FORTIOS_MAPPING: MappingConfig = fortiosDefaultMapping;

/** The PAN-OS backend's default mapping: the firewall-rest PAN-OS profile's, as in production. */
export const PANOS_MAPPING: MappingConfig = FIREWALL_PROFILES.panos.defaultMapping(undefined as never);

/**
 * The pfSense backend's default mapping: the generic profile's for the shipped pfSense example, with the
 * example's own `mapping:` block merged in (displayName → descr), as the loader resolves it in production.
 */
export const PFSENSE_MAPPING: MappingConfig = (() => {
  const { options, mapping } = exampleYaml('pfsense');
  const parsed = firewallRestConfigSchema.parse({ ...(expandEnv(options, { PFSENSE_API_KEY: 'unused' }) as Record<string, unknown>), tls: {} });
  return resolveMapping(firewallRestConnector, parsed, mapping);
})();

const MAPPINGS: Readonly<Record<Backend, MappingConfig>> = {
  'json-file': jsonFileDefaultMapping,
  ldap: OPENLDAP_MAPPING,
  fortios: FORTIOS_MAPPING,
  panos: PANOS_MAPPING,
  pfsense: PFSENSE_MAPPING,
};

/** The mapping startTestGateway gives this backend when a test passes none. */
export const DEFAULT_MAPPING: MappingConfig = MAPPINGS[BACKEND];

/** A mapping key compared case-insensitively; `…:manager.value` and `…:manager` name the same attribute. */
export function canonicalPath(scimPath: string): string {
  const p = scimPath.toLowerCase();
  return p === `${ENTERPRISE}:manager.value`.toLowerCase() ? `${ENTERPRISE}:manager`.toLowerCase() : p;
}

/** Homes the openldap profile does not map by default but a YAML mapping may give (inetOrgPerson has them). */
const LDAP_EXTRA: Readonly<Record<'user' | 'group', Readonly<Record<string, string>>>> = {
  user: { password: 'userPassword' },
  group: {},
};

const lookup = (m: Readonly<Record<string, string>>, scimPath: string): string | undefined =>
  Object.entries(m).find(([k]) => canonicalPath(k) === canonicalPath(scimPath))?.[1];

/** The LDAP attribute (openldap profile) for a SCIM path, or undefined when the directory has no home for it. */
export function ldapAttributeFor(kind: 'user' | 'group', scimPath: string): string | undefined {
  return lookup(OPENLDAP_MAPPING[kind], scimPath) ?? lookup(LDAP_EXTRA[kind], scimPath);
}

/** Homes the FortiOS profile does not map by default but a YAML mapping may give (a password user's `passwd`). */
const FORTIOS_EXTRA: Readonly<Record<'user' | 'group', Readonly<Record<string, string>>>> = {
  user: { password: 'passwd' },
  group: {},
};

/** The FortiOS field (firewall-rest FortiOS profile) for a SCIM path, or undefined when FortiOS has no home for it. */
export function fortiosFieldFor(kind: 'user' | 'group', scimPath: string): string | undefined {
  return lookup(FORTIOS_MAPPING[kind], scimPath) ?? lookup(FORTIOS_EXTRA[kind], scimPath);
}

/** Homes the PAN-OS profile does not map by default but a YAML mapping may give (the write-only `<phash>`). */
const PANOS_EXTRA: Readonly<Record<'user' | 'group', Readonly<Record<string, string>>>> = {
  user: { password: 'password' },
  group: {},
};

/** The PAN-OS field (firewall-rest PAN-OS profile) for a SCIM path, or undefined when PAN-OS has no home for it. */
export function panosFieldFor(kind: 'user' | 'group', scimPath: string): string | undefined {
  return lookup(PANOS_MAPPING[kind], scimPath) ?? lookup(PANOS_EXTRA[kind], scimPath);
}

/**
 * The pfSense field (the shipped example's generic profile) for a SCIM path, or undefined. The example declares
 * no other user field: every user is created with a random password nobody knows (no password home).
 */
export function pfsenseFieldFor(kind: 'user' | 'group', scimPath: string): string | undefined {
  return lookup(PFSENSE_MAPPING[kind], scimPath);
}

/** Whether this backend's default mapping stores a SCIM path. */
function storesPath(kind: 'user' | 'group', scimPath: string): boolean {
  if (BACKEND === 'json-file') return true;
  return lookup(DEFAULT_MAPPING[kind], scimPath) !== undefined;
}

/** The SCIM paths among `scimPaths` this backend does not store with its default mapping. */
export function unstored(scimPaths: string | readonly string[], kind: 'user' | 'group' = 'user'): string[] {
  return (typeof scimPaths === 'string' ? [scimPaths] : scimPaths).filter((p) => !storesPath(kind, p));
}

/** Whether this backend stores every one of `scimPaths` with its default mapping (user attributes unless `kind`). */
export function stores(scimPaths: string | readonly string[], kind: 'user' | 'group' = 'user'): boolean {
  return unstored(scimPaths, kind).length === 0;
}

/** Whether this backend's default mapping stores any attribute of the enterprise User extension (so /Schemas lists it). */
export function storesEnterprise(): boolean {
  return BACKEND === 'json-file' || Object.keys(DEFAULT_MAPPING.user).some((k) => k.toLowerCase().startsWith(ENTERPRISE.toLowerCase()));
}

/** The longest name this backend stores per kind (FortiOS: users 64, groups 35 characters), or none. */
const MAX_NAME: Readonly<Record<Backend, { user: number; group: number } | undefined>> = {
  'json-file': undefined,
  ldap: undefined,
  fortios: { user: 64, group: 35 },
  panos: { user: 31, group: 31 },
  pfsense: { user: 32, group: 16 },
};

/** Characters a backend refuses in names (pfSense: anything but letters, digits, ".", "_" and "-"), or none. */
const NAME_REFUSES: Readonly<Partial<Record<Backend, RegExp>>> = { pfsense: /[^a-zA-Z0-9._-]/g };

/**
 * A generated unique name that fits this backend: unchanged where names are unbounded and free; otherwise
 * without the characters the backend refuses (pfSense: spaces, "@", "\", …) and, when too long, without
 * dashes and cut to the limit, keeping the prefix and enough of the random part to stay unique. For test data
 * whose length or spelling is not what the test is about (Entra's `Group_<guid>` is 42 characters).
 */
export function fitName(kind: 'user' | 'group', name: string): string {
  const max = MAX_NAME[BACKEND]?.[kind];
  const refused = NAME_REFUSES[BACKEND];
  const clean = refused ? name.replace(refused, '') : name;
  if (max === undefined || clean.length <= max) return clean;
  return clean.replace(/-/g, '').slice(0, max);
}

/**
 * uniq()'s name (`full`) where it fits every kind of name on this backend; otherwise a short one: `prefix`
 * without the characters the backend refuses, cut so that `-<tail>` (unique within the process) still fits
 * the shorter of the user and group limits. Each firewall backend gateway has a fake of its own, so the
 * process id `full` carries is not needed there.
 */
export function fitUnique(prefix: string, full: string, tail: string): string {
  const limits = MAX_NAME[BACKEND];
  if (limits === undefined) return full;
  const refused = NAME_REFUSES[BACKEND];
  const max = Math.min(limits.user, limits.group);
  if (full.length <= max && (refused === undefined || full.replace(refused, '') === full)) return full;
  const clean = refused ? prefix.replace(refused, '') : prefix;
  return `${clean.slice(0, Math.max(0, max - tail.length - 1))}-${tail}`;
}

/**
 * `it`, except on a backend whose default mapping does not store every one of `scimPaths` (user attributes
 * unless `kind` says group): skipped there, with the reason appended to the name. Plain `it` on json-file.
 */
export function itStores(scimPaths: string | readonly string[], name: string, fn: TestFunction, opts: { kind?: 'user' | 'group'; timeout?: number } = {}): void {
  const missing = unstored(scimPaths, opts.kind);
  if (missing.length > 0) it.skip(`${name} [skipped: the ${BACKEND} backend does not store ${opts.kind === 'group' ? 'group ' : ''}${missing.join(', ')}]`, fn);
  else it(name, fn, opts.timeout);
}

/** `describe` for a block whose gateway maps `scimPaths` (user attributes unless `kind`): skipped where they have no home. */
export function describeStores(scimPaths: string | readonly string[], name: string, fn: () => void, opts: { kind?: 'user' | 'group' } = {}): void {
  const missing = unstored(scimPaths, opts.kind);
  if (missing.length > 0) describe.skip(`${name} [skipped: the ${BACKEND} backend does not store ${opts.kind === 'group' ? 'group ' : ''}${missing.join(', ')}]`, fn);
  else describe(name, fn);
}

/** `describe` for a block only `backend` (or one of several) can run: skipped on the others, with `reason` in the name. */
export function describeOn(backend: Backend | readonly Backend[], reason: string, name: string, fn: () => void): void {
  if ((typeof backend === 'string' ? [backend] : backend).includes(BACKEND)) describe(name, fn);
  else describe.skip(`${name} [skipped on ${BACKEND}: ${reason}]`, fn);
}

/** `it` for what only `backend` (or one of several) can do (sortBy, …): skipped on the others, with `reason` in the name. */
export function itOn(backend: Backend | readonly Backend[], reason: string, name: string, fn: TestFunction, timeout?: number): void {
  if ((typeof backend === 'string' ? [backend] : backend).includes(BACKEND)) it(name, fn, timeout);
  else it.skip(`${name} [skipped on ${BACKEND}: ${reason}]`, fn);
}

/**
 * One assertion that a connector bug on `backend` (reported, not yet fixed) makes fail: run as is elsewhere;
 * on `backend` it must still fail, so that the fix is noticed and the marker removed. The rest of the test
 * keeps asserting normally on every backend.
 */
export async function expectKnownBug(backend: Backend, bug: string, assertion: () => unknown): Promise<void> {
  if (BACKEND !== backend) {
    await assertion();
    return;
  }
  try {
    await assertion();
  } catch {
    return;
  }
  throw new Error(`the known ${backend} connector bug "${bug}" no longer shows: remove its expectKnownBug marker`);
}

// ---------------------------------------------------------------------------------------------------------------
// asStored

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys every resource has whatever the mapping (the core fills them in, or they are not mapped attributes). */
const ALWAYS = new Set(['schemas', 'id', 'meta', 'members', 'groups']);

function storedAttribute(kind: 'user' | 'group', name: string, value: unknown, prefix: string): unknown {
  const path = `${prefix}${name}`;
  if (Array.isArray(value)) {
    // Multi-valued complex (emails, phoneNumbers, addresses): element by element, by type.
    const out = value.flatMap((el) => {
      if (!isObject(el) || typeof el['type'] !== 'string') return storesPath(kind, path) || !isObject(el) ? [el] : [];
      const typed = `${path}[type eq "${el['type']}"]`;
      const kept = Object.fromEntries(Object.entries(el).filter(([k]) => k !== 'type' && storesPath(kind, `${typed}.${k}`)));
      return Object.keys(kept).length > 0 ? [{ type: el['type'], ...kept }] : [];
    });
    return out.length > 0 || (value.length === 0 && storesPath(kind, path)) ? out : undefined;
  }
  if (isObject(value) && !storesPath(kind, path)) {
    // Complex (name, the enterprise extension): sub-attribute by sub-attribute.
    const sub = prefix === '' && name.startsWith('urn:') ? `${name}:` : `${path}.`;
    const kept = Object.fromEntries(
      Object.entries(value).flatMap(([k, v]) => {
        const s = storedAttribute(kind, k, v, sub);
        return s === undefined ? [] : [[k, s]];
      }),
    );
    return Object.keys(kept).length > 0 ? kept : undefined;
  }
  return storesPath(kind, path) ? value : undefined;
}

/**
 * `expected` without the attributes this backend does not store with its default mapping, for asserting
 * on what a gateway echoes or reads back: the identity on json-file. On LDAP, `{ nickName, emails: [{ type:
 * 'work', value, primary }, { type: 'other', value }] }` becomes `{ emails: [{ type: 'work', value }] }`, and
 * a schema URN whose extension is left empty leaves `schemas`.
 */
export function asStored<T>(expected: T, kind: 'user' | 'group' = 'user'): T {
  if (BACKEND === 'json-file' || !isObject(expected)) return expected;
  const out: Json = {};
  for (const [k, v] of Object.entries(expected)) {
    if (ALWAYS.has(k)) {
      out[k] = v;
      continue;
    }
    const s = storedAttribute(kind, k, v, '');
    if (s !== undefined) out[k] = s;
  }
  if (Array.isArray(out['schemas'])) {
    const dropped = Object.keys(expected).filter((k) => k.startsWith('urn:') && !(k in out));
    out['schemas'] = (out['schemas'] as unknown[]).filter((s) => !dropped.includes(String(s)));
  }
  return out as T;
}

/** The stored part of one attribute's expected value (undefined when none of it is stored). */
export function asStoredAttr<T>(name: string, expected: T, kind: 'user' | 'group' = 'user'): T {
  return (asStored({ [name]: expected }, kind) as Json)[name] as T;
}

/** Whether this backend is the firewall-rest connector on a fake firewall (names are bounded, lists sorted in the gateway). */
export const FIREWALL = BACKEND === 'fortios' || BACKEND === 'panos' || BACKEND === 'pfsense';

/**
 * How long to wait before a write so that its meta.lastModified is later than every timestamp taken before:
 * 0 on json-file (milliseconds); up to the next whole second on LDAP (OpenLDAP's modifyTimestamp has seconds).
 */
export function msToNextTimestamp(): number {
  return BACKEND === 'ldap' ? 1000 - (Date.now() % 1000) : 0;
}
