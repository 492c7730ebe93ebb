/**
 * Options of the PAN-OS profile (Palo Alto NGFW, XML API; research B2). The connector's schema spreads
 * `panosOptionsShape` into a strict object next to `profile: panos` and the common options:
 *
 *   options:
 *     profile: panos
 *     baseUrl: https://fw.example.com
 *     apiKey: ${env:PANOS_API_KEY}     # sent as X-PAN-KEY, never logged
 *     location: vsys1                  # or shared (default)
 *     commit:
 *       mode: applied                  # answer SCIM once the commit job finished OK (default)
 *       quietMs: 500
 *       maxDelayMs: 5000
 *       partialAdmin: scim-gw          # commit only this admin's changes
 *
 * Local users live in the local user database (`<location>/local-user-database/user`), groups in
 * `…/user-group`; the native fields are listed in users.ts.
 */
import { z } from 'zod';
import { intField } from '../../../src/config/fields.js';
import { secret } from '../../../src/config/secret.js';

const nonEmpty = () => z.string().trim().min(1, 'must not be empty');

export const panosCommitSchema = z.strictObject({
  /**
   * `applied`: a SCIM write is answered only after a commit that includes it finished OK, so Entra's
   * success means the firewall enforces it. `candidate`: answered once the candidate config holds it; the
   * commit follows within `maxDelayMs` (plus the commit's own duration), and a failed commit is retried by
   * the gateway, not by Entra.
   */
  mode: z.enum(['applied', 'candidate']).default('applied'),
  /** A commit starts once no write arrived for this long... */
  quietMs: intField({ min: 0, max: 60_000 }).default(500),
  /** ...or this long after the first write waiting for it, whichever comes first. */
  maxDelayMs: intField({ min: 0, max: 600_000 }).default(5_000),
  /** How often a running commit job is polled. */
  pollMs: intField({ min: 10, max: 60_000 }).default(1_000),
  /** A commit job not finished after this long counts as failed (it may still finish on the firewall). */
  timeoutMs: intField({ min: 1_000, max: 3_600_000 }).default(300_000),
  /**
   * Retry-After given to writes whose commit failed, and the delay before the gateway retries the commit on
   * its own (doubling after each failure in a row, up to 15 minutes).
   */
  retryAfterSec: intField({ min: 1, max: 3_600 }).default(10),
  /**
   * Commit only changes made by this administrator (the API key's admin): `<partial><admin>`. Other admins'
   * pending changes stay uncommitted. Without it, a commit includes everyone's pending changes.
   */
  partialAdmin: nonEmpty().optional(),
}).superRefine((c, ctx) => {
  if (c.quietMs > c.maxDelayMs) ctx.addIssue({ code: 'custom', path: ['quietMs'], message: 'must not exceed commit.maxDelayMs' });
});

export const panosOptionsShape = {
  /** An XML API key of a dedicated admin (an XML-API-only role with config, op and commit rights). */
  apiKey: secret(),
  /** `shared`, or the vsys whose local user database holds the users and groups. */
  location: nonEmpty().default('shared'),
  commit: panosCommitSchema.prefault({}),
};

/** The PAN-OS fields alone; the connector's schema spreads `panosOptionsShape` next to `profile` and the common options. */
export const panosOptionsSchema = z.strictObject(panosOptionsShape);

export type PanosOptions = z.output<typeof panosOptionsSchema>;
/** What createPanosApi reads; the connector's whole options object fits. */
export type PanosProfileOptions = Pick<PanosOptions, 'apiKey' | 'location' | 'commit'>;
export type PanosCommitOptions = z.output<typeof panosCommitSchema>;
