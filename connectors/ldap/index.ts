import { defineConnector } from '../types.js';
import { ldapConfigSchema } from './config.js';
import { LdapConnector } from './connector.js';
import { profileMapping } from './profiles.js';

/** LDAP directories (OpenLDAP, 389-DS, OpenDJ, Active Directory, AD LDS) through ldapts. See README.md. */
export const ldapConnector = defineConnector({
  type: 'ldap',
  configSchema: ldapConfigSchema,
  // A profile is a complete default mapping; the YAML overrides it attribute by attribute (null removes one).
  defaultMapping: profileMapping,
  mappingMode: 'merge',
  create: (options, deps) => new LdapConnector(options, deps.fields),
});
