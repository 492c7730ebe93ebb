/**
 * ldap connector options (the `options:` block of its YAML). Examples: config/examples/openldap/ and
 * config/examples/active-directory/. Everything a profile decides (object classes, RDN, id attribute,
 * how `active` is stored) has its default in profiles.ts and can be overridden here.
 *
 *   options:
 *     url: ldaps://ldap.example.com:636
 *     bindDN: cn=scimbridge,ou=services,dc=example,dc=com
 *     bindPassword: ${env:LDAP_BIND_PASSWORD}
 *     profile: openldap
 *     users:  { baseDN: ou=people,dc=example,dc=com }
 *     groups: { baseDN: ou=groups,dc=example,dc=com }
 */
import { FilterParser } from 'ldapts';
import { z } from 'zod';
import { boolField, intField } from '../../src/config/fields.js';
import { secret } from '../../src/config/secret.js';

const nonEmpty = () => z.string().trim().min(1, 'must not be empty');

/** A trusted LDAP filter from the operator, AND-ed into every search; checked here so a typo fails at start. */
const ldapFilter = () =>
  z.string().superRefine((v, ctx) => {
    try {
      FilterParser.parseString(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid LDAP filter: ${(err as Error).message}` });
    }
  });

/** How SCIM `active` is stored (research notes A3). Read back from the same place, so it round-trips. */
export const activeSchema = z.discriminatedUnion('strategy', [
  /** OpenLDAP ppolicy: disabled = pwdAccountLockedTime 000001010000Z (binds fail with 49); needs the ppolicy overlay. */
  z.strictObject({ strategy: z.literal('ppolicy-lock') }),
  /** Any attribute: the value for disabled, and optionally one for enabled (otherwise the attribute is removed). */
  z.strictObject({ strategy: z.literal('attribute'), attribute: nonEmpty(), disabledValue: nonEmpty(), enabledValue: nonEmpty().optional() }),
  /** Disabled users are moved under `disabledBaseDN` (their id stays; searches cover both places). */
  z.strictObject({ strategy: z.literal('move-to-ou'), disabledBaseDN: nonEmpty() }),
  /** Active Directory: userAccountControl bit 0x2 (ACCOUNTDISABLE) set or cleared explicitly, never toggled. */
  z.strictObject({ strategy: z.literal('ad-user-account-control') }),
  /** `active` is not stored (and so not advertised). */
  z.strictObject({ strategy: z.literal('none') }),
]);

/** An attribute computed when a write leaves it empty, for attributes the schema requires (sn, cn, sAMAccountName). */
const fallbackSchema = z.strictObject({
  /** Native fields (LDAP attributes) tried in order; the first with a value is used. */
  from: z.array(nonEmpty()).min(1),
  /** Keep only the part before "@" (userPrincipalName → sAMAccountName). */
  localPart: boolField().default(false),
  maxLength: intField({ min: 1 }).optional(),
});

const containerSchema = {
  baseDN: nonEmpty(),
  scope: z.enum(['one', 'sub']).default('one'),
  filter: ldapFilter().optional(),
  /** Object classes of new entries; the profile's when absent. */
  objectClasses: z.array(nonEmpty()).min(1).optional(),
  /** The RDN attribute of new entries (a mapped native field); the profile's when absent. */
  rdnAttribute: nonEmpty().optional(),
  /** Values for required attributes a write leaves empty; merged over the profile's (sn, cn, sAMAccountName). */
  fallbacks: z.record(z.string(), fallbackSchema).optional(),
};

export const ldapConfigSchema = z
  .strictObject({
    /** ldap:// (with startTLS, or allowInsecure) or ldaps://. */
    url: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/i, 'must be ldap://host[:port] or ldaps://host[:port]'),
    startTLS: boolField().default(false),
    tls: z
      .strictObject({
        /** PEM file of the CA that signed the directory's certificate (directories often use a private CA). */
        caFile: nonEmpty().optional(),
        /** Certificate verification is on unless turned off explicitly (logged as a warning at start). */
        rejectUnauthorized: boolField().default(true),
        servername: nonEmpty().optional(),
      })
      .prefault({}),
    /** Plain ldap:// without StartTLS sends the bind password in clear; only with this set (logged as a warning). */
    allowInsecure: boolField().default(false),
    bindDN: nonEmpty(),
    bindPassword: secret(),
    /** Per operation, and for the TCP/TLS connect: no LDAP call can hang for ever. */
    timeoutMs: intField({ min: 100 }).default(10_000),
    connectTimeoutMs: intField({ min: 100 }).default(5_000),
    profile: z.enum(['openldap', 'active-directory']).default('openldap'),
    /**
     * The attribute whose value is the SCIM id, when not the profile's (entryUUID, objectGUID): 389-DS
     * without its entryUUID plugin has `nsUniqueId`. Never a DN or a name, which change on rename.
     */
    idAttribute: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be an attribute name')
      .refine((a) => !['dn', 'distinguishedname', 'entrydn', 'cn', 'uid'].includes(a.toLowerCase()), 'must be a permanent identifier, not a name or DN')
      .optional(),
    /** Simple paged results page size for searches. */
    pageSize: intField({ min: 1, max: 5000 }).default(500),
    /** Largest SCIM page answered. */
    maxPageSize: intField({ min: 1, max: 10_000 }).default(1000),
    /**
     * Who rewrites `member`/`manager` DNs when an entry is renamed or deleted: `server` when the directory
     * does it (OpenLDAP refint overlay, AD, 389-DS plugin), `gateway` when it does not.
     */
    referentialIntegrity: z.enum(['server', 'gateway']).default('gateway'),
    users: z.strictObject({
      ...containerSchema,
      active: activeSchema.optional(),
    }),
    /** Without it the endpoint stores users only, and /Groups answers empty lists. */
    groups: z
      .strictObject({
        ...containerSchema,
        memberAttribute: nonEmpty().optional(),
        /**
         * groupOfNames needs at least one member (RFC 4519): an empty group holds this DN, which SCIM never
         * shows. Defaults to bindDN.
         */
        emptyMember: nonEmpty().optional(),
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (/^ldap:/i.test(c.url) && !c.startTLS && !c.allowInsecure) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'plain ldap:// sends the bind password in clear: use ldaps://, startTLS: true, or allowInsecure: true' });
    }
    if (/^ldaps:/i.test(c.url) && c.startTLS) {
      ctx.addIssue({ code: 'custom', path: ['startTLS'], message: 'startTLS is for ldap:// URLs; ldaps:// is already TLS' });
    }
  });

export type LdapConfig = z.output<typeof ldapConfigSchema>;
export type ActiveStrategy = z.output<typeof activeSchema>;
export type Fallback = z.output<typeof fallbackSchema>;
