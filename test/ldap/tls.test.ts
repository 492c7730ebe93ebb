/**
 * TLS to the directory (LDAP connector, real slapd with a throwaway self-signed certificate): ldaps:// and
 * StartTLS verify the certificate against the configured CA, fail readably without it, and plain ldap://
 * needs an explicit allowInsecure.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ldapConfigSchema } from '../../connectors/ldap/config.js';
import { capturingLogger, ldapOptions, startLdapGateway, type LdapGateway } from '../support/ldap-gateway.js';
import { describeLdap } from '../support/ldap-suite.js';
import { createUser, scimClient } from '../support/scim-client.js';
import { startSlapd, type Slapd } from '../support/slapd.js';

describeLdap('LDAP over TLS', () => {
  let slapd: Slapd;
  let caFile: string;
  let gw: LdapGateway | undefined;

  beforeAll(async () => {
    slapd = await startSlapd({ tls: true });
    caFile = join(slapd.dir, 'cert.pem');
  });
  afterAll(async () => {
    await slapd?.destroy();
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  async function roundTrip(options: Record<string, unknown>, userName: string): Promise<void> {
    gw = await startLdapGateway({ slapd, options: { allowInsecure: false, ...options } });
    const api = scimClient(gw.server);
    const u = await createUser(api, { userName });
    const got = await api.get(`/Users/${u.id}`);
    expect(got.status).toBe(200);
    expect(got.body.userName).toBe(userName);
  }

  it('works over ldaps:// with tls.caFile naming the directory\'s CA', async () => {
    await roundTrip({ url: slapd.ldapsUrl, tls: { caFile } }, 'over-ldaps');
  });

  it('works with StartTLS on ldap:// and the CA', async () => {
    await roundTrip({ url: slapd.url, startTLS: true, tls: { caFile } }, 'over-starttls');
  });

  it.each([
    ['ldaps://', () => ({ url: slapd.ldapsUrl })],
    ['StartTLS', () => ({ url: slapd.url, startTLS: true })],
  ])('fails %s without the CA: the gateway starts, requests get 503, and the log names the certificate', async (_what, options) => {
    const cap = capturingLogger('warn');
    gw = await startLdapGateway({ slapd, options: { allowInsecure: false, ...options() }, log: cap.log });
    const res = await scimClient(gw.server).get('/Users');
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(cap.text()).toMatch(/TLS handshake with the directory failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)/);
  });

  it('skips certificate verification only when tls.rejectUnauthorized is false, and warns about it', async () => {
    const cap = capturingLogger('warn');
    gw = await startLdapGateway({ slapd, options: { allowInsecure: false, url: slapd.ldapsUrl, tls: { rejectUnauthorized: false } }, log: cap.log });
    expect((await createUser(scimClient(gw.server), { userName: 'unverified' })).userName).toBe('unverified');
    expect(cap.text()).toMatch(/certificate verification is OFF/);
  });

  it('rejects plain ldap:// without startTLS or allowInsecure as a config error that says what to do', () => {
    const base = ldapOptions(slapd, { people: 'ou=p,dc=x', groups: 'ou=g,dc=x', disabled: 'ou=d,dc=x' }, { allowInsecure: false });
    const plain = ldapConfigSchema.safeParse(base);
    expect(plain.success).toBe(false);
    const issue = plain.error?.issues.find((i) => i.path.join('.') === 'url');
    expect(issue?.message).toMatch(/plain ldap:\/\/ sends the bind password in clear: use ldaps:\/\/, startTLS: true, or allowInsecure: true/);

    expect(ldapConfigSchema.safeParse({ ...base, startTLS: true }).success).toBe(true);
    expect(ldapConfigSchema.safeParse({ ...base, allowInsecure: true }).success).toBe(true);
    expect(ldapConfigSchema.safeParse({ ...base, url: slapd.ldapsUrl }).success).toBe(true);
    const both = ldapConfigSchema.safeParse({ ...base, url: slapd.ldapsUrl, startTLS: true });
    expect(both.error?.issues.map((i) => i.message)).toEqual(['startTLS is for ldap:// URLs; ldaps:// is already TLS']);
  });
});
