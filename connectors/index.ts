/**
 * The built-in connectors: the only file that imports every connector. createApp/serve receive this map,
 * so a test or an embedding program can pass another one. A new connector is a folder plus one line here.
 */
import { firewallRestConnector } from './firewall-rest/index.js';
import { jsonFileConnector } from './json-file/index.js';
import { ldapConnector } from './ldap/index.js';
import type { ConnectorDefinition } from './types.js';

export const builtinConnectors: Readonly<Record<string, ConnectorDefinition>> = {
  'json-file': jsonFileConnector,
  ldap: ldapConnector,
  'firewall-rest': firewallRestConnector,
};
