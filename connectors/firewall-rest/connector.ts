/**
 * The firewall-rest connector: SCIM users and groups as a firewall's local users and user groups, through a
 * vendor profile (profiles.ts). This file wires the pieces: the transport (transport.ts), the profile's
 * FirewallApi, the identity map that gives the name-keyed objects stable SCIM ids (identities.ts), and the
 * ResourceOps on top (resources.ts).
 */
import { openIdentityMap, type IdentityMap } from '../../src/identity-map/index.js';
import type { Logger } from '../../src/log.js';
import { ConnectorError, type Capabilities, type Connector, type FieldSpec, type MappedFields, type OpContext, type ResourceOps } from '../types.js';
import type { FirewallApi, FirewallKind } from './api.js';
import type { FirewallRestConfig } from './config.js';
import { fromIdentityMap } from './errors.js';
import { Identities } from './identities.js';
import { profileOf } from './profiles.js';
import { FirewallResources, type KindSetup } from './resources.js';
import { HttpTransport } from './transport.js';

function setupFor(kind: FirewallKind, specs: readonly FieldSpec[], api: FirewallApi): KindSetup {
  const keyAttribute = kind === 'user' ? 'userName' : 'displayName';
  const key = specs.find((s) => s.scimPath === keyAttribute);
  if (!key) throw new ConnectorError('invalid', `the ${kind} mapping must map ${keyAttribute}: it is the firewall object's name`);
  const externalId = specs.find((s) => s.scimPath === 'externalId');
  const active = kind === 'user' ? specs.find((s) => s.scimPath === 'active') : undefined;
  if (active && active.field !== api.activeField) {
    throw new ConnectorError('invalid', `active must be mapped to ${api.activeField ?? 'nothing'} (the firewall's account status), not ${active.field}`);
  }
  return {
    kind,
    roles: { key: key.field, externalId: externalId?.field },
    keyAttribute,
    fwFields: specs.filter((s) => s !== key && s !== externalId),
    activeField: active?.field,
    writeOnly: new Set(specs.filter((s) => s.scimPath === 'password').map((s) => s.field)),
  };
}

/** Connector ids are the operator's; the default map file name must still be one plain name. */
const fileSafe = (id: string): string => id.replace(/[^\w.-]/g, '_');

export class FirewallRestConnector implements Connector {
  readonly capabilities: Capabilities;
  readonly users: ResourceOps;
  readonly groups: ResourceOps | undefined;
  readonly #cfg: FirewallRestConfig;
  readonly #id: string;
  readonly #transport: HttpTransport;
  readonly #api: FirewallApi;
  #map: IdentityMap | undefined;
  #identities: Identities | undefined;

  constructor(cfg: FirewallRestConfig, deps: { readonly id: string; readonly log: Logger; readonly fields: MappedFields }) {
    this.#cfg = cfg;
    this.#id = deps.id;
    const profile = profileOf(cfg);
    try {
      this.#transport = new HttpTransport({
        baseUrl: cfg.baseUrl,
        tls: cfg.tls,
        timeoutMs: cfg.timeoutMs,
        maxResponseBytes: cfg.maxResponseBytes,
        limits: cfg.limits,
        retry: cfg.retry,
        label: profile.label(cfg),
        log: deps.log,
        ...(profile.isTransient ? { isTransient: profile.isTransient } : {}),
      });
    } catch (err) {
      throw new ConnectorError('invalid', `tls.caFile: cannot read ${cfg.tls.caFile}: ${(err as Error).message}`, { cause: err });
    }
    const userKey = deps.fields.user.find((s) => s.scimPath === 'userName')?.field;
    const groupKey = deps.fields.group.find((s) => s.scimPath === 'displayName')?.field;
    const native = (specs: readonly FieldSpec[], key: string | undefined) =>
      specs.filter((s) => s.field !== key && s.scimPath !== 'externalId').map((s) => s.field);
    this.#api = profile.create(cfg, { transport: this.#transport, log: deps.log, fields: { user: native(deps.fields.user, userKey), group: native(deps.fields.group, groupKey) } });
    const identities = () => {
      if (!this.#identities) throw new ConnectorError('unavailable', 'the firewall-rest connector is not started', { retryAfterSec: 5 });
      return this.#identities;
    };
    this.users = new FirewallResources(this.#api, identities, setupFor('user', deps.fields.user, this.#api));
    this.groups = this.#api.groups ? new FirewallResources(this.#api, identities, setupFor('group', deps.fields.group, this.#api)) : undefined;
    // Lists are evaluated in the gateway (query.ts), so every operator works and sorting is cheap.
    this.capabilities = { groups: this.groups !== undefined, sort: true, filterOperators: 'all', maxPageSize: cfg.maxPageSize };
  }

  async start(ctx: { readonly log: Logger }): Promise<void> {
    const { baseUrl, tls, allowInsecure, identityMap } = this.#cfg;
    if (!tls.rejectUnauthorized) ctx.log.warn({ baseUrl }, 'firewall-rest: TLS certificate verification is OFF (tls.rejectUnauthorized: false)');
    if (/^http:/i.test(baseUrl) && allowInsecure) ctx.log.warn({ baseUrl }, 'firewall-rest: plain http://: the API credential crosses the network in clear');
    try {
      this.#map = await openIdentityMap({
        dir: identityMap.dir,
        name: identityMap.file ?? `firewall-rest-${fileSafe(this.#id)}.identity.json`,
        keyCase: this.#api.keyCase,
        fsync: identityMap.fsync,
        log: ctx.log,
      });
    } catch (err) {
      // The message names the file and, when another process holds it, that process.
      throw fromIdentityMap(err, 'open the identity map');
    }
    this.#identities = new Identities(this.#map, this.#api, this.#cfg.adoptExisting);
    try {
      await this.#api.check(AbortSignal.timeout(this.#cfg.timeoutMs * 2));
      ctx.log.info({ baseUrl, profile: this.#cfg.profile, users: this.#map.size('user'), groups: this.#map.size('group') }, 'firewall-rest: firewall reachable, identity map open');
    } catch (err) {
      // Down or busy now may be back in a minute: start, and answer 503 until then. A refused credential
      // or a wrong VDOM will not fix itself: refuse to start.
      if (err instanceof ConnectorError && (err.kind === 'unavailable' || err.kind === 'rate-limited')) {
        ctx.log.warn({ baseUrl, err: err.message }, 'firewall-rest: firewall unreachable at start; requests get 503 until it is back');
        return;
      }
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.#api.flush?.();
      await this.#api.close?.();
    } finally {
      await this.#transport.close();
      const map = this.#map;
      this.#map = undefined;
      this.#identities = undefined;
      await map?.close();
    }
  }

  async check(ctx: OpContext): Promise<void> {
    const mode = this.#map?.stats().mode;
    if (mode !== 'open') throw new ConnectorError('unavailable', `the identity map is ${mode ?? 'not open'}`, { retryAfterSec: 5 });
    await this.#api.check(ctx.signal);
  }

  /** Transport queue state, for /status and tests. */
  stats() {
    return { transport: this.#transport.stats(), identityMap: this.#map?.stats() };
  }
}
