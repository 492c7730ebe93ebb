/**
 * The options every firewall profile shares (transport, limits, retries, the identity map). A profile's
 * schema spreads `commonOptions` into its own strict object next to its `profile` literal and its vendor
 * fields (fortios/config.ts); config.ts joins the profiles into one discriminated union.
 */
import { z } from 'zod';
import { boolField, intField } from '../../src/config/fields.js';

const nonEmpty = () => z.string().trim().min(1, 'must not be empty');

export const tlsSchema = z
  .strictObject({
    /** PEM file of the CA that signed the firewall's management certificate (often self-signed or a private CA). */
    caFile: nonEmpty().optional(),
    /** Certificate verification is on unless turned off explicitly (logged as a warning at start). */
    rejectUnauthorized: boolField().default(true),
    /** The name to verify the certificate against, when the URL holds an address. */
    servername: nonEmpty().optional(),
  })
  .prefault({});

export const limitsSchema = z
  .strictObject({
    /** Requests in flight to the firewall. Vendors publish no limit; 2–4 keeps a management plane responsive. */
    concurrency: intField({ min: 1, max: 64 }).default(4),
    /** Requests started per `intervalMs`; 0 = no rate limit. */
    intervalCap: intField({ min: 0 }).default(0),
    intervalMs: intField({ min: 1 }).default(1000),
  })
  .prefault({});

export const retrySchema = z
  .strictObject({
    /** Attempts per idempotent request (the first included). */
    attempts: intField({ min: 1, max: 20 }).default(4),
    /** Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs × 2^n)] ("full jitter"). */
    baseDelayMs: intField({ min: 1 }).default(200),
    maxDelayMs: intField({ min: 1 }).default(5000),
    /**
     * Time one request may spend on attempts and waits together. Keep it below the connector queue's
     * `timeoutMs` (default 30 s), so a request gives up with its own Retry-After before the core does.
     */
    budgetMs: intField({ min: 0 }).default(15_000),
  })
  .prefault({});

export const identityMapSchema = z
  .strictObject({
    /** Directory of the identity map's files (created, mode 0700). Like json-file's `dir`, relative to the working directory. */
    dir: nonEmpty().default('./data'),
    /** File name; default `firewall-rest-<connector id>.identity.json`, so connectors can share `dir`. */
    file: z
      .string()
      .regex(/^[\w.-]+$/, 'must be a plain file name (letters, digits, ".", "_", "-")')
      .optional(),
    /** fdatasync every write before acknowledging it; off only for throwaway test data. */
    fsync: boolField().default(true),
  })
  .prefault({});

export const commonOptions = {
  /** https://host[:port] of the management interface; http:// only with allowInsecure. */
  baseUrl: z.string().regex(/^https?:\/\/[^/\s?#]+\/?$/i, 'must be https://host[:port] (no path)'),
  /** Plain http:// sends the API credential in clear; only with this set (logged as a warning). */
  allowInsecure: boolField().default(false),
  tls: tlsSchema,
  /** Per HTTP request (connect to last byte). */
  timeoutMs: intField({ min: 100 }).default(10_000),
  /** Largest response body read; a larger one fails the request instead of filling memory. */
  maxResponseBytes: intField({ min: 1024 }).default(32 * 1024 * 1024),
  limits: limitsSchema,
  retry: retrySchema,
  identityMap: identityMapSchema,
  /**
   * What to do with users and groups found on the firewall that the identity map does not know (made on the
   * box, or before the gateway): `true` gives each a SCIM id on first sight, so Entra's matching by userName
   * finds and takes over existing accounts; `false` hides them (a create with their name is then a conflict).
   */
  adoptExisting: boolField().default(true),
  /** Objects read per page when listing the firewall's tables. */
  pageSize: intField({ min: 1, max: 10_000 }).default(500),
  /** Largest SCIM page answered. */
  maxPageSize: intField({ min: 1, max: 10_000 }).default(1000),
};

/** Checks that need the whole object; each profile's schema calls it from its superRefine. */
export function refineCommon(c: { baseUrl: string; allowInsecure: boolean; retry: { baseDelayMs: number; maxDelayMs: number } }, ctx: z.RefinementCtx): void {
  if (/^http:/i.test(c.baseUrl) && !c.allowInsecure) {
    ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'plain http:// sends the API credential in clear: use https://, or allowInsecure: true' });
  }
  if (c.retry.maxDelayMs < c.retry.baseDelayMs) {
    ctx.addIssue({ code: 'custom', path: ['retry', 'maxDelayMs'], message: 'must be at least retry.baseDelayMs' });
  }
}

export type TlsOptions = z.output<typeof tlsSchema>;
export type LimitOptions = z.output<typeof limitsSchema>;
export type RetryOptions = z.output<typeof retrySchema>;
