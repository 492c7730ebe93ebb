/**
 * The shared connector contract (test/contract/connector-contract.ts) against the LDAP connector on a real
 * slapd: every case on fresh OUs, once with the refint overlay keeping member/manager DNs right
 * (referentialIntegrity: server) and once on a slapd without refint, where the gateway does it.
 * The contract's attributes are mapped to the LDAP attributes the openldap profile uses in production.
 */
import { afterAll, beforeAll } from 'vitest';
import { ldapConfigSchema } from '../../connectors/ldap/config.js';
import { ldapConnector } from '../../connectors/ldap/index.js';
import { PROFILES } from '../../connectors/ldap/profiles.js';
import type { MappedFields } from '../../connectors/types.js';
import { silentLogger } from '../../src/log.js';
import { contractMappingFor, describeConnectorContract } from '../contract/connector-contract.js';
import { ldapOptions } from '../support/ldap-gateway.js';
import { describeLdap } from '../support/ldap-suite.js';
import { startSlapd, type Slapd } from '../support/slapd.js';

/**
 * The openldap profile's own mapping (the production field names), plus a home for the contract's group
 * externalId, which the profile does not map (Entra sends none for groups): businessCategory is one of the
 * few attributes groupOfNames allows.
 */
const { mapping: profile } = PROFILES.openldap;
const mapping = contractMappingFor({ user: profile.user, group: { ...profile.group, externalId: 'businessCategory' } });

function contract(name: string, refint: boolean, integrity: 'server' | 'gateway'): void {
  describeLdap(`LDAP connector contract, referentialIntegrity ${integrity}`, () => {
    let slapd: Slapd;
    beforeAll(async () => {
      slapd = await startSlapd({ overlays: { refint } });
    });
    afterAll(async () => {
      await slapd?.destroy();
    });

    describeConnectorContract({
      name,
      mapping,
      skip: [
        {
          // test/ldap/users.test.ts and hostile.test.ts check the rest of these cases through HTTP.
          reason:
            'ppolicy-lock derives active from the lock, so every user reads active true or false: one created without active reads back active: true where the case expects no active field',
          tests: [
            'users: list by userName eq ignores case and finds exactly one',
            'users: modify to a userName taken by another user is a conflict and changes nothing',
            'hostile: userNames with filter and DN metacharacters are stored and found literally',
          ],
        },
      ],
      async setup(fields: MappedFields) {
        const ous = await slapd.freshOus('contract');
        const options = ldapConfigSchema.parse(
          ldapOptions(slapd, ous, {
            referentialIntegrity: integrity,
            // With refint the server puts its refint_nothing DN (the admin) into a group whose last member is
            // deleted: the connector must treat that DN as the placeholder too.
            ...(refint ? { groups: { emptyMember: slapd.adminDN } } : {}),
          }),
        );
        const connector = ldapConnector.create(options, { id: 'contract', log: silentLogger, fields });
        await connector.start({ log: silentLogger });
        return { connector, teardown: () => connector.stop() };
      },
    });
  });
}

contract('ldap (refint overlay, referentialIntegrity server)', true, 'server');
contract('ldap (no refint, referentialIntegrity gateway)', false, 'gateway');
