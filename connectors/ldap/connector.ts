/**
 * The LDAP connector: Entra ID provisioning into OpenLDAP, 389-DS, OpenDJ, Active Directory and AD LDS
 * through ldapts. This file wires the pieces: the profile and options decide the shapes and containers,
 * resources.ts does the operations, members.ts the group membership, session.ts the connection.
 */
import { AndFilter, FilterParser, type Filter } from 'ldapts';
import type { Logger } from '../../src/log.js';
import { ConnectorError, type Capabilities, type Connector, type FieldSpec, type MappedFields, type ResourceOps } from '../types.js';
import { activeStore } from './active.js';
import type { LdapConfig } from './config.js';
import type { Container } from './directory.js';
import { Directory } from './directory.js';
import { Membership } from './members.js';
import { PROFILES, type Profile } from './profiles.js';
import type { Shape } from './records.js';
import { DirectoryResources, type KindContext } from './resources.js';
import { LdapSession } from './session.js';

/** Fields that hold the id of another user or group (the enterprise manager): stored as that entry's DN. */
const isReference = (s: FieldSpec): boolean => (s.referenceTypes ?? []).some((t) => t === 'User' || t === 'Group');

function parseFilters(...filters: (string | undefined)[]): Filter | undefined {
  const parsed = filters.filter((f): f is string => f !== undefined && f !== '').map((f) => FilterParser.parseString(f));
  if (parsed.length === 0) return undefined;
  return parsed.length === 1 ? parsed[0] : new AndFilter({ filters: parsed });
}

function shapeOf(kind: 'user' | 'group', specs: readonly FieldSpec[], cfg: LdapConfig, profile: Profile): Shape {
  const strategy = kind === 'user' ? (cfg.users.active ?? profile.users.active) : { strategy: 'none' as const };
  const active = activeStore(strategy);
  const activeField = kind === 'user' ? specs.find((s) => s.scimPath === 'active') : undefined;
  if (activeField && !active) {
    throw new ConnectorError('invalid', 'active is mapped but users.active.strategy is "none"; remove the mapping or choose a strategy');
  }
  const references = specs.filter((s) => s !== activeField && isReference(s));
  const plain = specs.filter((s) => s !== activeField && !isReference(s));
  // Two SCIM attributes in one LDAP attribute would overwrite each other (the profile keeps userType in
  // employeeType, an obvious choice for the attribute strategy too).
  const clash = activeField && active ? [...plain, ...references].find((s) => active.attributes.some((a) => a.toLowerCase() === s.field.toLowerCase())) : undefined;
  if (clash) {
    throw new ConnectorError('invalid', `users.active stores active in ${clash.field}, which the mapping also uses for ${clash.scimPath}; map ${clash.scimPath} elsewhere (or to null)`);
  }
  const side = kind === 'user' ? cfg.users : cfg.groups;
  const defaults = kind === 'user' ? profile.users : profile.groups;
  const rdnAttribute = side?.rdnAttribute ?? defaults.rdnAttribute;
  const fallbacks = { ...defaults.fallbacks, ...(side?.fallbacks ?? {}) };
  if (!plain.some((s) => s.field.toLowerCase() === rdnAttribute.toLowerCase()) && !Object.keys(fallbacks).some((a) => a.toLowerCase() === rdnAttribute.toLowerCase())) {
    throw new ConnectorError('invalid', `the ${kind} RDN attribute ${rdnAttribute} is neither mapped nor given a fallback`);
  }
  const readAttributes = new Set<string>([
    profile.idAttribute,
    'createTimestamp',
    'modifyTimestamp',
    profile.versionAttribute,
    rdnAttribute,
    ...plain.map((s) => s.field),
    ...references.map((s) => s.field),
    ...(activeField && active ? active.attributes : []),
    ...Object.keys(fallbacks),
    ...Object.values(fallbacks).flatMap((f) => f.from),
  ]);
  return { kind, plain, references, activeField: active ? activeField : undefined, active, rdnAttribute, fallbacks, readAttributes: [...readAttributes] };
}

export class LdapConnector implements Connector {
  readonly capabilities: Capabilities;
  readonly users: ResourceOps;
  readonly groups: ResourceOps | undefined;
  readonly #cfg: LdapConfig;
  readonly #session: LdapSession;
  readonly #dir: Directory;

  constructor(cfg: LdapConfig, fields: MappedFields) {
    this.#cfg = cfg;
    const chosen = PROFILES[cfg.profile];
    const profile = cfg.idAttribute ? { ...chosen, idAttribute: cfg.idAttribute } : chosen;
    this.#session = new LdapSession(cfg);
    this.#dir = new Directory(this.#session, profile, cfg.pageSize);
    const userShape = shapeOf('user', fields.user, cfg, profile);
    const disabledBase = userShape.active?.disabledBaseDN;
    const users: Container = {
      kind: 'user',
      bases: disabledBase ? [cfg.users.baseDN, disabledBase] : [cfg.users.baseDN],
      scope: cfg.users.scope,
      filter: parseFilters(profile.users.filter, cfg.users.filter),
    };
    const groups: Container | undefined = cfg.groups
      ? { kind: 'group', bases: [cfg.groups.baseDN], scope: cfg.groups.scope, filter: parseFilters(profile.groups.filter, cfg.groups.filter) }
      : undefined;
    const all = groups ? [users, groups] : [users];
    const placeholder = profile.groups.needsMember ? (cfg.groups?.emptyMember ?? cfg.bindDN) : undefined;
    const membership = cfg.groups ? new Membership(this.#dir, cfg.groups.memberAttribute ?? profile.groups.memberAttribute, placeholder) : undefined;
    const gatewayIntegrity = cfg.referentialIntegrity === 'gateway';
    const base = { all, users, groups, versionAttribute: profile.versionAttribute, gatewayIntegrity, integrity: membership };
    const userContext: KindContext = {
      ...base,
      shape: userShape,
      container: users,
      createBase: (active) => (active === false && disabledBase ? disabledBase : cfg.users.baseDN),
      objectClasses: cfg.users.objectClasses ?? profile.users.objectClasses,
      membership: undefined,
      referenceAttributes: userShape.references.map((s) => s.field),
    };
    this.users = new DirectoryResources(this.#dir, userContext);
    if (groups && cfg.groups) {
      const groupsCfg = cfg.groups;
      this.groups = new DirectoryResources(this.#dir, {
        ...base,
        shape: shapeOf('group', fields.group, cfg, profile),
        container: groups,
        createBase: () => groupsCfg.baseDN,
        objectClasses: groupsCfg.objectClasses ?? profile.groups.objectClasses,
        membership,
        referenceAttributes: [],
      });
    } else {
      this.groups = undefined;
    }
    // Sorting would need the sssvlv overlay (or AD's sort control): not advertised.
    this.capabilities = { groups: this.groups !== undefined, sort: false, filterOperators: 'all', maxPageSize: cfg.maxPageSize };
  }

  async start(ctx: { readonly log: Logger }): Promise<void> {
    this.#session.log = ctx.log;
    const { url, tls, allowInsecure, startTLS } = this.#cfg;
    if (!tls.rejectUnauthorized) ctx.log.warn({ url }, 'ldap: TLS certificate verification is OFF (tls.rejectUnauthorized: false)');
    if (/^ldap:/i.test(url) && !startTLS && allowInsecure) ctx.log.warn({ url }, 'ldap: plain ldap:// without StartTLS: the bind password crosses the network in clear');
    try {
      await this.#dir.probe(this.#cfg.users.baseDN);
      if (this.#cfg.groups) await this.#dir.probe(this.#cfg.groups.baseDN);
      ctx.log.info({ url, profile: this.#cfg.profile }, 'ldap: bound and found the base DNs');
    } catch (err) {
      // A directory that is down or busy now may be back in a minute: start, and answer 503 until then.
      // Wrong credentials or a missing base DN will not fix themselves: refuse to start.
      if (err instanceof ConnectorError && err.kind === 'unavailable') {
        ctx.log.warn({ url, err: err.message }, 'ldap: directory unreachable at start; requests get 503 until it is back');
        return;
      }
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.#session.close();
  }

  async check(): Promise<void> {
    await this.#dir.probe(this.#cfg.users.baseDN);
  }
}
