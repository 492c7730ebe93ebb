/**
 * json-file connector options (the `options:` block of its YAML). Example: config/connectors/json-file.yaml.
 *
 *   options:
 *     dir: ${env:DATA_DIR:-./data}   # holds scimbridge.json, its journal and its lock
 *     file: scimbridge.json
 */
import { z } from 'zod';
import { boolField, intField } from '../../src/config/fields.js';
import type { MappingConfig } from '../types.js';

export const jsonFileConfigSchema = z
  .object({
    /** Directory of the data file; created (mode 0700) if missing. Relative paths are relative to the working directory. */
    dir: z.string().min(1).default('./data'),
    /** The document's file name inside `dir`. */
    file: z
      .string()
      .regex(/^[\w.-]+$/, 'must be a plain file name (letters, digits, ".", "_", "-")')
      .default('scimbridge.json'),
    /** fsync every acknowledged write. Turning it off loses durability; only for throwaway test data. */
    fsync: boolField().default(true),
    /**
     * When the document is rewritten from the journal: once the journal reaches `journalRatio` of the
     * document's size or `maxJournalBytes`; and, for readers of the file, once writes pause (checked every
     * `intervalMs`) or every 10 × `intervalMs` under a load that never pauses.
     */
    compaction: z
      .object({
        maxJournalBytes: intField({ min: 4096 }).default(1024 * 1024 * 1024),
        intervalMs: intField({ min: 0 }).default(30_000),
        journalRatio: z.number().min(0).max(100).default(2),
      })
      .strict()
      .prefault({}),
    /** Group displayName must be unique (Palo Alto's Cloud Identity Engine and most directories require it). */
    uniqueGroupNames: boolField().default(true),
    /** Largest page a list returns. */
    maxPageSize: intField({ min: 1, max: 10_000 }).default(1000),
  })
  .strict();

export type JsonFileConfig = z.output<typeof jsonFileConfigSchema>;

const WORK = 'emails[type eq "work"]';
const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * Every attribute of the Palo Alto / Entra attribute tables (../shared/seed), plus the rest of the core
 * and enterprise User schema that fits a flat record. Field names are what other programs reading the
 * JSON document see.
 */
export const jsonFileDefaultMapping: MappingConfig = {
  user: {
    userName: 'userName',
    externalId: 'externalId',
    active: 'active',
    displayName: 'displayName',
    nickName: 'nickName',
    title: 'title',
    userType: 'userType',
    preferredLanguage: 'preferredLanguage',
    locale: 'locale',
    timezone: 'timezone',
    profileUrl: 'profileUrl',
    'name.formatted': 'name.formatted',
    'name.givenName': 'name.givenName',
    'name.familyName': 'name.familyName',
    'name.middleName': 'name.middleName',
    'name.honorificPrefix': 'name.honorificPrefix',
    'name.honorificSuffix': 'name.honorificSuffix',
    [`${WORK}.value`]: 'email.work',
    [`${WORK}.primary`]: 'email.work.primary',
    'emails[type eq "other"].value': 'email.other',
    'emails[type eq "home"].value': 'email.home',
    'phoneNumbers[type eq "work"].value': 'phone.work',
    'phoneNumbers[type eq "mobile"].value': 'phone.mobile',
    'phoneNumbers[type eq "fax"].value': 'phone.fax',
    ...addressFields('work'),
    ...addressFields('other'),
    [`${E}:employeeNumber`]: 'employeeNumber',
    [`${E}:costCenter`]: 'costCenter',
    [`${E}:organization`]: 'organization',
    [`${E}:division`]: 'division',
    [`${E}:department`]: 'department',
    [`${E}:manager.value`]: 'manager',
  },
  group: {
    displayName: 'displayName',
    externalId: 'externalId',
  },
};

function addressFields(type: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country']) {
    out[`addresses[type eq "${type}"].${sub}`] = `address.${type}.${sub}`;
  }
  return out;
}
