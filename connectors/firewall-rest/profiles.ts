/**
 * The vendor profiles: for each `profile:` value, its default mapping, how its transport tells a transient
 * failure, and how its FirewallApi is made. A new profile is a folder (its config schema in config.ts, its
 * FirewallApi) and one entry here.
 */
import type { Logger } from '../../src/log.js';
import type { MappingConfig } from '../types.js';
import type { FirewallApi, HttpResponse, Transport } from './api.js';
import type { FirewallRestConfig } from './config.js';
import { FortiosApi } from './fortios/api.js';
import { isTransient as fortiosTransient } from './fortios/errors.js';
import { fortiosDefaultMapping } from './fortios/fields.js';
import { createGenericApi, genericDefaultMapping } from './generic/index.js';
import { createPanosApi, PANOS_USER_FIELDS } from './panos/index.js';

export interface ProfileDeps {
  readonly transport: Transport;
  readonly log: Logger;
  /** Native fields the firewall stores for each kind (the mapping minus the name and externalId fields). */
  readonly fields: { readonly user: readonly string[]; readonly group: readonly string[] };
}

export interface Profile<C extends FirewallRestConfig> {
  /** The vendor's name in messages and logs (generic: the YAML's `label`). */
  label(options: C): string;
  /** generic: what the YAML declares. */
  defaultMapping(options: C): MappingConfig;
  /** Answers besides 429/502/503/504 worth another attempt of an idempotent request. */
  readonly isTransient?: (res: HttpResponse) => boolean;
  create(options: C, deps: ProfileDeps): FirewallApi;
}

type Profiles = { readonly [P in FirewallRestConfig['profile']]: Profile<Extract<FirewallRestConfig, { profile: P }>> };

export const PROFILES: Profiles = {
  fortios: {
    label: () => 'FortiOS',
    defaultMapping: () => fortiosDefaultMapping,
    isTransient: fortiosTransient,
    create: (options, deps) => new FortiosApi(options, deps),
  },
  panos: {
    label: () => 'PAN-OS',
    // PAN-OS local users hold only a password hash and a disabled flag (research B2): no e-mail or phone.
    defaultMapping: () => ({
      user: { userName: 'name', externalId: 'externalId', active: PANOS_USER_FIELDS.active },
      group: { displayName: 'name', externalId: 'externalId' },
    }),
    create: (options, deps) => createPanosApi(options, deps.transport, deps.log),
  },
  generic: {
    label: (options) => options.label,
    defaultMapping: (options) => genericDefaultMapping(options),
    create: (options, deps) => createGenericApi(options, deps.transport, deps.log, deps.fields),
  },
};

/** The profile of a configuration (typed loosely: each entry takes its own profile's options). */
export function profileOf(options: FirewallRestConfig): Profile<FirewallRestConfig> {
  return PROFILES[options.profile] as Profile<FirewallRestConfig>;
}
