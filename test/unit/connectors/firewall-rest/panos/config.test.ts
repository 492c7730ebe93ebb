import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { panosOptionsSchema, panosOptionsShape } from '../../../../../connectors/firewall-rest/panos/config.js';
import { Secret } from '../../../../../src/config/secret.js';

const issues = (input: unknown): string[] => {
  const r = panosOptionsSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('PAN-OS profile options', () => {
  it('fills every default, the key held as a Secret', () => {
    const o = panosOptionsSchema.parse({ apiKey: 'LUFRPT-key' });
    expect(o).toMatchObject({
      location: 'shared',
      commit: { mode: 'applied', quietMs: 500, maxDelayMs: 5_000, pollMs: 1_000, timeoutMs: 300_000, retryAfterSec: 10 },
    });
    expect(o.commit.partialAdmin).toBeUndefined();
    expect(o.apiKey).toBeInstanceOf(Secret);
    expect(JSON.stringify(o)).not.toContain('LUFRPT-key');
  });

  it('accepts numbers from ${env:…} strings, a vsys and candidate mode', () => {
    const o = panosOptionsSchema.parse({ apiKey: 'k', location: 'vsys2', commit: { mode: 'candidate', quietMs: '250', partialAdmin: 'scim-gw' } });
    expect(o.location).toBe('vsys2');
    expect(o.commit).toMatchObject({ mode: 'candidate', quietMs: 250, partialAdmin: 'scim-gw' });
  });

  it('reports mistakes with their path', () => {
    expect(issues({})).toEqual(['apiKey: Invalid input: expected string, received undefined']);
    expect(issues({ apiKey: '' })).toEqual(['apiKey: must not be empty']);
    expect(issues({ apiKey: 'k', commit: { mode: 'later' } })[0]).toMatch(/^commit\.mode: /);
    expect(issues({ apiKey: 'k', commit: { quietMs: 6_000 } })).toEqual(['commit.quietMs: must not exceed commit.maxDelayMs']);
    expect(issues({ apiKey: 'k', commit: { pollMs: 1 } })).toEqual(['commit.pollMs: must be at least 10']);
    expect(issues({ apiKey: 'k', comit: {} })[0]).toMatch(/comit/);
  });

  it('spreads into a profile object next to a discriminator, keeping the commit checks', () => {
    const profile = z.discriminatedUnion('profile', [z.strictObject({ profile: z.literal('panos'), ...panosOptionsShape })]);
    expect(profile.parse({ profile: 'panos', apiKey: 'k' }).commit.mode).toBe('applied');
    expect(profile.safeParse({ profile: 'panos', apiKey: 'k', commit: { quietMs: 9_000 } }).success).toBe(false);
  });
});
