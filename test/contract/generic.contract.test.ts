/**
 * The shared connector contract (test/contract/connector-contract.ts) against the firewall-rest connector's
 * generic profile, configured by each shipped example connector file (config/examples/{pfsense,opnsense}/
 * connectors/*.yaml, test/support/firewall-examples.ts), against the fake pfSense and the fake OPNsense
 * (test/support/fake-firewall/json-rest.ts): a fresh fake and identity map per case.
 */
import type { MappedFields } from '../../connectors/types.js';
import { startFakeJsonRest, type JsonRestFlavour } from '../support/fake-firewall/json-rest.js';
import { exampleOptionsFor } from '../support/firewall-examples.js';
import { HOSTILE_USERNAMES, describeConnectorContract } from './connector-contract.js';
import { firewallContractBackend } from './firewall-setup.js';

const setup = (flavour: JsonRestFlavour, fields: MappedFields, anyNames: boolean) =>
  firewallContractBackend(
    `generic-${flavour}`,
    fields,
    // A slow box serving two requests at a time; the contract creates an "admin", so no system objects.
    () => startFakeJsonRest({ flavour, latencyMs: 1, maxInFlight: 2, strictNames: !anyNames, systemObjects: false }),
    (fake, dir) => {
      const { options: raw } = exampleOptionsFor(fake, dir);
      // The example as shipped, but without serializing writes, so concurrent cases interleave at the fake.
      raw['serializeWrites'] = false;
      // Without the name rules, hostile names go over the wire: in queries, search phrases and bodies.
      if (anyNames) for (const kind of ['users', 'groups']) (raw[kind] as Record<string, unknown>)['name'] = { maxLength: 64 };
      return raw;
    },
  );

const NAME_RULE = /^[a-zA-Z0-9._-]+$/;

for (const flavour of ['pfsense', 'opnsense'] as const) {
  for (const anyNames of [false, true]) {
    const label = flavour === 'pfsense' ? 'pfSense' : 'OPNsense';
    const refused = anyNames ? [] : HOSTILE_USERNAMES.filter((n) => !NAME_RULE.test(n));
    describeConnectorContract({
      name: `firewall-rest (generic profile, ${label} example${anyNames ? ' without name rules' : ''}, fake)`,
      mapping: {
        user: { userName: 'name', externalId: 'externalId', active: 'active', displayName: 'descr', ...(flavour === 'opnsense' ? { 'emails[type eq "work"].value': 'email' } : {}) },
        group: { displayName: 'name', externalId: 'externalId' },
      },
      unstored: {
        reason: `${label} local users have a name, a full name${flavour === 'opnsense' ? ', an e-mail' : ''} and a disabled flag only`,
        user: ['givenName', 'familyName', 'title', 'department', 'manager', ...(flavour === 'pfsense' ? (['workEmail'] as const) : [])],
      },
      implied: { reason: `a ${label} account is always enabled or disabled`, user: { active: true } },
      ...(refused.length > 0 ? { refusedNames: { reason: `${label} user names are letters, digits, ".", "_" and "-"`, userNames: refused } } : {}),
      ...(anyNames
        ? {}
        : {
            skip: [
              {
                reason: `${label} names are letters, digits, ".", "_" and "-"${flavour === 'pfsense' ? ' (groups at most 16)' : ''}: run without name rules below`,
                tests: [
                  'hostile: "a*" is matched literally and never matches "ab"',
                  'hostile: an injection attempt "*)(uid=*" matches only itself',
                  'hostile: leading and trailing spaces are kept and significant',
                  'hostile: non-ASCII userNames round-trip and match ignoring case, but not ignoring accents',
                  'groups: list by displayName eq ignores case',
                ],
              },
            ],
          }),
      setup: (fields) => setup(flavour, fields, anyNames),
    });
  }
}
