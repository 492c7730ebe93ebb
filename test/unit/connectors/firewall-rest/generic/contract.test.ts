/**
 * The shared connector contract (test/contract/connector-contract.ts) on the generic profile, configured by
 * each shipped example YAML, against the fake pfSense and the fake OPNsense. The connector is assembled as
 * connector.ts does it (identity map, Identities, FirewallResources over the profile's FirewallApi), because
 * the profile is not yet one of the `profile:` values of firewall-rest's config schema. Once it is, this
 * belongs in test/contract/ and can use firewallRestConnector.create directly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identities } from '../../../../../connectors/firewall-rest/identities.js';
import { FirewallResources, type KindSetup } from '../../../../../connectors/firewall-rest/resources.js';
import type { Connector, FieldSpec, MappedFields } from '../../../../../connectors/types.js';
import { openIdentityMap } from '../../../../../src/identity-map/index.js';
import { HOSTILE_USERNAMES, describeConnectorContract } from '../../../../contract/connector-contract.js';
import type { JsonRestFlavour } from '../../../../support/fake-firewall/json-rest.js';
import { startHarness } from './harness.js';

/** connector.ts's setupFor, for the kinds the contract maps. */
function setupFor(kind: 'user' | 'group', specs: readonly FieldSpec[]): KindSetup {
  const keyAttribute = kind === 'user' ? 'userName' : 'displayName';
  const key = specs.find((s) => s.scimPath === keyAttribute)!;
  const externalId = specs.find((s) => s.scimPath === 'externalId');
  const active = kind === 'user' ? specs.find((s) => s.scimPath === 'active') : undefined;
  return {
    kind,
    roles: { key: key.field, externalId: externalId?.field },
    keyAttribute,
    fwFields: specs.filter((s) => s !== key && s !== externalId),
    activeField: active?.field,
    writeOnly: new Set<string>(),
  };
}

async function setup(flavour: JsonRestFlavour, fields: MappedFields, anyNames: boolean): Promise<{ connector: Connector; teardown(): Promise<void> }> {
  const native = (specs: readonly FieldSpec[], key: string) => specs.filter((s) => s.scimPath !== key && s.scimPath !== 'externalId').map((s) => s.field);
  const mapped = { user: native(fields.user, 'userName'), group: native(fields.group, 'displayName') };
  // The example as shipped, but without serializing writes, so concurrent cases interleave at the fake.
  const h = await startHarness(flavour, {
    fake: { latencyMs: 1, maxInFlight: 2, strictNames: !anyNames, systemObjects: false }, // the contract creates an "admin"
    patch: (o) => {
      o['serializeWrites'] = false;
      // Without the name rules, hostile names go over the wire: in queries, search phrases and bodies.
      if (anyNames) for (const kind of ['users', 'groups']) (o[kind] as Record<string, unknown>)['name'] = { maxLength: 64 };
    },
    mapped,
  });
  const dir = await mkdtemp(join(tmpdir(), `scimbridge-generic-${flavour}-`));
  const map = await openIdentityMap({ dir, name: 'contract.identity.json', keyCase: h.api.keyCase, fsync: false });
  const identities = new Identities(map, h.api, true);
  const connector: Connector = {
    capabilities: { groups: true, sort: true, filterOperators: 'all', maxPageSize: 1000 },
    users: new FirewallResources(h.api, () => identities, setupFor('user', fields.user)),
    groups: new FirewallResources(h.api, () => identities, setupFor('group', fields.group)),
    start: async () => undefined,
    stop: async () => undefined,
    check: (ctx) => h.api.check(ctx.signal),
  };
  return {
    connector,
    async teardown() {
      await map.close();
      await h.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

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
