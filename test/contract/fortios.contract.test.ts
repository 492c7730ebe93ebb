/**
 * The shared connector contract (test/contract/connector-contract.ts) against the firewall-rest connector's
 * FortiOS profile on the in-process fake FortiOS (test/support/fake-firewall/fortios.ts): a fresh fake and a
 * fresh identity map per case, the FortiOS field names of the profile's default mapping.
 */
import type { MappedFields } from '../../connectors/types.js';
import { startFakeFortiOS, type FakeFortiOSOptions } from '../support/fake-firewall/fortios.js';
import { describeConnectorContract } from './connector-contract.js';
import { firewallContractBackend } from './firewall-setup.js';

const setup = (fields: MappedFields, fake: FakeFortiOSOptions = {}) =>
  firewallContractBackend('fortios', fields, () => startFakeFortiOS(fake), (fgt, dir) => ({
    profile: 'fortios',
    baseUrl: fgt.baseUrl,
    allowInsecure: true,
    token: fgt.token,
    identityMap: { dir, fsync: false },
  }));

function contract(name: string, fake?: FakeFortiOSOptions): void {
  describeConnectorContract({
    name,
    // The profile's production field names; externalId lives in the gateway's identity map.
    mapping: {
      user: { userName: 'name', externalId: 'externalId', active: 'status', 'emails[type eq "work"].value': 'email-to' },
      group: { displayName: 'name', externalId: 'externalId' },
    },
    unstored: {
      reason: 'FortiOS user/local has no field for it (only name, status, email-to, sms-phone and a few functional fields)',
      user: ['displayName', 'givenName', 'familyName', 'title', 'department', 'manager'],
    },
    implied: { reason: 'a FortiOS account is always enabled or disabled (status)', user: { active: true } },
    setup: (fields) => setup(fields, fake),
  });
}

contract('firewall-rest (FortiOS, fake)');
// A slow box serving two requests at a time: the connector's own limit (4 in flight) queues at the box, and
// concurrent cases (200 member additions, 20 creates of one name) interleave for real.
contract('firewall-rest (FortiOS, fake with 2 ms latency, 2 requests in flight)', { latencyMs: 2, maxInFlight: 2 });
