/**
 * The shared connector contract (test/contract/connector-contract.ts) against the firewall-rest connector's
 * FortiOS profile on the in-process fake FortiOS (test/support/fake-firewall/fortios.ts): a fresh fake and a
 * fresh identity map per case, the FortiOS field names of the profile's default mapping.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firewallRestConfigSchema } from '../../connectors/firewall-rest/config.js';
import { firewallRestConnector } from '../../connectors/firewall-rest/index.js';
import type { MappedFields } from '../../connectors/types.js';
import { silentLogger } from '../../src/log.js';
import { startFakeFortiOS, type FakeFortiOSOptions } from '../support/fake-firewall/fortios.js';
import { describeConnectorContract } from './connector-contract.js';

async function setup(fields: MappedFields, fake: FakeFortiOSOptions = {}) {
  const fgt = await startFakeFortiOS(fake);
  const dir = await mkdtemp(join(tmpdir(), 'scimbridge-fortios-contract-'));
  const options = firewallRestConfigSchema.parse({
    profile: 'fortios',
    baseUrl: fgt.baseUrl,
    allowInsecure: true,
    token: fgt.token,
    identityMap: { dir, fsync: false },
  });
  const connector = firewallRestConnector.create(options, { id: 'contract', log: silentLogger, fields });
  try {
    await connector.start({ log: silentLogger });
  } catch (err) {
    await fgt.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    connector,
    async teardown() {
      try {
        await connector.stop();
      } finally {
        await fgt.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

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
