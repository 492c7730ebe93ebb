/**
 * FortiOS profile options (research B1, B6). Example: config/examples/fortios/.
 *
 *   options:
 *     profile: fortios
 *     baseUrl: https://fgt.example.com
 *     token: ${env:FORTIOS_TOKEN}     # a REST API administrator's key, sent as Authorization: Bearer
 *     vdom: root
 */
import { z } from 'zod';
import { secret } from '../../../src/config/secret.js';
import { commonOptions, refineCommon } from '../common-config.js';

/** `type` of user/local entries. FortiOS requires `passwd` for `password`; the others authenticate against a server. */
export const FORTIOS_USER_TYPES = ['password', 'ldap', 'radius', 'tacacs+', 'saml'] as const;

export const fortiosConfigSchema = z
  .strictObject({
    profile: z.literal('fortios'),
    ...commonOptions,
    /**
     * The REST API administrator's key (System > Administrators > REST API Admin, a profile with User & Device
     * read/write, trusted hosts set). Never the `access_token` query parameter: FortiOS ≥ 7.4.5 refuses it.
     */
    token: secret(),
    /** The VDOM holding the users and groups (one per connector). */
    vdom: z
      .string()
      .trim()
      .min(1)
      .regex(/^[^,\s]+$/, 'one VDOM name (no commas or spaces)')
      .default('root'),
    /**
     * `password` (default): local users with a random password the gateway generates and never logs or
     * returns, so they cannot log in until an administrator sets one; they anchor policies and groups. The
     * other types authenticate against `authServer` (FortiOS `ldap-server`, `radius-server`, …).
     */
    userType: z.enum(FORTIOS_USER_TYPES).default('password'),
    /** The remote server object name for userType ldap, radius, tacacs+ or saml (≤ 35 characters). */
    authServer: z.string().trim().min(1).max(35).optional(),
    /** `group-type` of groups the gateway creates. Only firewall groups hold local users as members. */
    groupType: z.literal('firewall').default('firewall'),
  })
  .superRefine((c, ctx) => {
    refineCommon(c, ctx);
    if (c.userType !== 'password' && c.authServer === undefined) {
      ctx.addIssue({ code: 'custom', path: ['authServer'], message: `userType ${c.userType} needs authServer (the FortiOS ${c.userType}-server name)` });
    }
    if (c.userType === 'password' && c.authServer !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['authServer'], message: 'authServer is for userType ldap, radius, tacacs+ or saml' });
    }
  });

export type FortiosConfig = z.output<typeof fortiosConfigSchema>;
