import { describe, expect, it } from 'vitest';
import { ldapConfigSchema } from '../../../../connectors/ldap/config.js';

const base = {
  url: 'ldaps://ldap.example.com',
  bindDN: 'cn=svc,dc=example,dc=com',
  bindPassword: 'not-a-real-secret',
  users: { baseDN: 'ou=people,dc=example,dc=com' },
};

describe('ldap options: idAttribute', () => {
  it("defaults to the profile's and accepts 389-DS's nsUniqueId", () => {
    expect(ldapConfigSchema.parse(base).idAttribute).toBeUndefined();
    expect(ldapConfigSchema.parse({ ...base, idAttribute: 'nsUniqueId' }).idAttribute).toBe('nsUniqueId');
  });
  it('refuses names and DNs, which change on rename', () => {
    for (const bad of ['entryDN', 'distinguishedName', 'cn', 'uid', 'not an attribute']) {
      expect(ldapConfigSchema.safeParse({ ...base, idAttribute: bad }).success, bad).toBe(false);
    }
  });
});
