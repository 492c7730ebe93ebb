import { describe, expect, it } from 'vitest';
import { firewallRestConfigSchema } from '../../../../connectors/firewall-rest/config.js';
import { Secret } from '../../../../src/config/secret.js';

const issues = (input: unknown): string[] => {
  const r = firewallRestConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('firewall-rest options', () => {
  it('fills every default in the schema for a minimal FortiOS block, the token held as a Secret', () => {
    const c = firewallRestConfigSchema.parse({ profile: 'fortios', baseUrl: 'https://fgt.example.com', token: 'tok' });
    expect(c).toMatchObject({
      profile: 'fortios',
      vdom: 'root',
      userType: 'password',
      groupType: 'firewall',
      allowInsecure: false,
      tls: { rejectUnauthorized: true },
      timeoutMs: 10_000,
      limits: { concurrency: 4, intervalCap: 0, intervalMs: 1000 },
      retry: { attempts: 4, baseDelayMs: 200, maxDelayMs: 5000, budgetMs: 15_000 },
      identityMap: { dir: './data', fsync: true },
      adoptExisting: true,
    });
    expect(c.profile === "fortios" && c.token).toBeInstanceOf(Secret);
    expect(JSON.stringify(c)).not.toContain('"tok"');
  });

  it('accepts numbers and booleans written as strings (values from ${env:…})', () => {
    const c = firewallRestConfigSchema.parse({ profile: 'fortios', baseUrl: 'https://fgt', token: 't', timeoutMs: '2500', limits: { concurrency: '2' }, tls: { rejectUnauthorized: 'false' } });
    expect(c.timeoutMs).toBe(2500);
    expect(c.limits.concurrency).toBe(2);
    expect(c.tls.rejectUnauthorized).toBe(false);
  });

  it('names the profiles it knows for an unknown one', () => {
    expect(issues({ profile: 'checkpoint', baseUrl: 'https://x', token: 't' })).toEqual(['profile: profile must be one of: fortios, panos, generic']);
  });

  it('refuses plain http:// unless allowInsecure, a URL with a path, and unknown keys', () => {
    expect(issues({ profile: 'fortios', baseUrl: 'http://fgt', token: 't' })).toEqual([
      'baseUrl: plain http:// sends the API credential in clear: use https://, or allowInsecure: true',
    ]);
    expect(issues({ profile: 'fortios', baseUrl: 'http://fgt', token: 't', allowInsecure: true })).toEqual([]);
    expect(issues({ profile: 'fortios', baseUrl: 'https://fgt/api/v2', token: 't' })).toEqual(['baseUrl: must be https://host[:port] (no path)']);
    expect(issues({ profile: 'fortios', baseUrl: 'https://fgt', token: 't', tokne: 'x' })[0]).toMatch(/tokne/);
  });

  it('needs authServer for remote user types, and refuses it for password users', () => {
    expect(issues({ profile: 'fortios', baseUrl: 'https://fgt', token: 't', userType: 'saml' })).toEqual([
      'authServer: userType saml needs authServer (the FortiOS saml-server name)',
    ]);
    expect(issues({ profile: 'fortios', baseUrl: 'https://fgt', token: 't', userType: 'saml', authServer: 'entra' })).toEqual([]);
    expect(issues({ profile: 'fortios', baseUrl: 'https://fgt', token: 't', authServer: 'x' })).toEqual(['authServer: authServer is for userType ldap, radius, tacacs+ or saml']);
  });

  it('refuses an empty token, a VDOM list and a retry cap below its base', () => {
    expect(issues({ profile: 'fortios', baseUrl: 'https://fgt', token: '' })).toEqual(['token: must not be empty']);
    expect(issues({ profile: 'fortios', baseUrl: 'https://fgt', token: 't', vdom: 'root,dmz' })).toEqual(['vdom: one VDOM name (no commas or spaces)']);
    expect(issues({ profile: 'fortios', baseUrl: 'https://fgt', token: 't', retry: { baseDelayMs: 500, maxDelayMs: 100 } })).toEqual(['retry.maxDelayMs: must be at least retry.baseDelayMs']);
  });
});
