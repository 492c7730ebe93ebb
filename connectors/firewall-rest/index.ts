import { defineConnector } from '../types.js';
import { firewallRestConfigSchema } from './config.js';
import { FirewallRestConnector } from './connector.js';
import { profileOf } from './profiles.js';

/** Firewall user and group REST APIs (FortiOS; PAN-OS and a generic profile to come). See README.md. */
export const firewallRestConnector = defineConnector({
  type: 'firewall-rest',
  configSchema: firewallRestConfigSchema,
  // Each profile maps what its firewall can store; the YAML overrides it attribute by attribute (null removes one).
  defaultMapping: (options) => profileOf(options).defaultMapping(options),
  mappingMode: 'merge',
  create: (options, deps) => new FirewallRestConnector(options, deps),
});
