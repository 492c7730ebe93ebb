/**
 * firewall-rest connector options (the `options:` block of its YAML): one schema per vendor profile, told
 * apart by `profile`. A new profile is its folder's config schema added to PROFILE_SCHEMAS. The options all
 * profiles share are in common-config.ts; examples are in config/examples/fortios/.
 */
import { z } from 'zod';
import { fortiosConfigSchema } from './fortios/config.js';

export const firewallRestConfigSchema = z.discriminatedUnion('profile', [fortiosConfigSchema], {
  error: (iss) => (iss.code === 'invalid_union' ? 'profile must be one of: fortios' : undefined),
});

export type FirewallRestConfig = z.output<typeof firewallRestConfigSchema>;
