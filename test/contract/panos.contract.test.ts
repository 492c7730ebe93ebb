/**
 * The shared connector contract (test/contract/connector-contract.ts) against the firewall-rest connector's
 * PAN-OS profile on the in-process fake PAN-OS XML API (test/support/fake-firewall/panos.ts): a fresh fake
 * and identity map per case; every write acknowledged only once a commit holding it finished (mode
 * `applied`, the default), with short batching delays so the suite stays quick.
 */
import type { MappedFields } from '../../connectors/types.js';
import { startFakePanos } from '../support/fake-firewall/panos.js';
import { describeConnectorContract } from './connector-contract.js';
import { firewallContractBackend } from './firewall-setup.js';

const setup = (fields: MappedFields, mode: 'applied' | 'candidate') =>
  firewallContractBackend('panos', fields, () => startFakePanos({ commitDurationMs: 5 }), (pan, dir) => ({
    profile: 'panos',
    baseUrl: pan.baseUrl,
    allowInsecure: true,
    apiKey: pan.apiKey,
    identityMap: { dir, fsync: false },
    commit: { mode, quietMs: 5, maxDelayMs: 50, pollMs: 10 },
  }));

for (const mode of ['applied', 'candidate'] as const) {
  describeConnectorContract({
    name: `firewall-rest (PAN-OS, fake, commit ${mode})`,
    mapping: {
      user: { userName: 'name', externalId: 'externalId', active: 'disabled' },
      group: { displayName: 'name', externalId: 'externalId' },
    },
    unstored: {
      reason: 'a PAN-OS local user holds only a password hash and a disabled flag',
      user: ['displayName', 'givenName', 'familyName', 'title', 'department', 'manager', 'workEmail'],
    },
    implied: { reason: 'a PAN-OS local user is always enabled or disabled', user: { active: true } },
    refusedNames: { reason: 'PAN-OS object names cannot hold control characters', userNames: ['tab\there'] },
    setup: (fields) => setup(fields, mode),
  });
}
