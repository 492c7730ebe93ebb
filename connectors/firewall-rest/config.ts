/**
 * firewall-rest connector options (the `options:` block of its YAML): one schema per vendor profile, told
 * apart by `profile`. A new profile is its folder's config schema added to PROFILE_SCHEMAS. The options all
 * profiles share are in common-config.ts; examples are in config/examples/fortios/.
 */
import { z } from 'zod';
import { commonOptions, refineCommon } from './common-config.js';
import { fortiosConfigSchema } from './fortios/config.js';
import { genericOptionsShape } from './generic/index.js';
import { panosOptionsShape } from './panos/config.js';

/** PAN-OS (research B2): the shared options plus the XML API key, location and commit batching (panos/config.ts). */
const panosConfigSchema = z
  .strictObject({ profile: z.literal('panos'), ...commonOptions, ...panosOptionsShape })
  .superRefine((c, ctx) => refineCommon(c, ctx));

/** Any JSON REST user API, declared in YAML (generic/README.md): pfSense and OPNsense ship as examples. */
const genericConfigSchema = z
  .strictObject({ profile: z.literal('generic'), ...commonOptions, ...genericOptionsShape })
  .superRefine((c, ctx) => refineCommon(c, ctx));

export const firewallRestConfigSchema = z.discriminatedUnion('profile', [fortiosConfigSchema, panosConfigSchema, genericConfigSchema], {
  error: (iss) => (iss.code === 'invalid_union' ? 'profile must be one of: fortios, panos, generic' : undefined),
});

export type FirewallRestConfig = z.output<typeof firewallRestConfigSchema>;
