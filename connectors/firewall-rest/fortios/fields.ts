/**
 * FortiOS `user/local` and `user/group` fields the connector maps SCIM attributes to, with their limits (FortiOS
 * 7.6 schema via hfortix, research B1), and the conversion between CMDB values and the connector's scalars.
 *
 * | SCIM (default mapping)                  | FortiOS field            |
 * | --------------------------------------- | ------------------------ |
 * | userName                                | user/local `name` (≤ 64) |
 * | active                                  | `status` enable/disable  |
 * | emails[type eq "work"].value            | `email-to` (≤ 63)        |
 * | phoneNumbers[type eq "mobile"].value    | `sms-phone` (≤ 15)       |
 * | externalId (users and groups)           | the gateway's identity map (FortiOS has no field for it) |
 * | group displayName                       | user/group `name` (≤ 35) |
 * | group members                           | user/group `member[].name` |
 * | password (optional, write-only)          | `passwd` (password users) |
 */
import type { MappingConfig, NativeScalar } from '../../types.js';

/** Free-text user/local fields a mapping may use (FortiOS has no name, title or department fields). */
export const USER_TEXT_FIELDS: Readonly<Record<string, number>> = {
  'email-to': 63,
  'sms-phone': 15,
  workstation: 35,
};

export const STATUS_FIELD = 'status';

/**
 * Where a mapped SCIM `password` goes (write-only: FortiOS answers "ENC XXXX", and the core never shows it).
 * Without the mapping, password users get a random password. Only for userType password.
 */
export const PASSWORD_FIELD = 'passwd';

export const KEY_LIMITS = { user: 64, group: 35 } as const;

export const fortiosDefaultMapping: MappingConfig = {
  user: {
    userName: 'name',
    externalId: 'externalId',
    active: STATUS_FIELD,
    'emails[type eq "work"].value': 'email-to',
    'phoneNumbers[type eq "mobile"].value': 'sms-phone',
  },
  group: {
    displayName: 'name',
    externalId: 'externalId',
  },
};

/** A CMDB entry's mapped fields as connector scalars: `status` as a boolean, empty strings as absent. */
export function fromCmdb(entry: Record<string, unknown>, fields: readonly string[]): Record<string, NativeScalar> {
  const out: Record<string, NativeScalar> = {};
  for (const f of fields) {
    const v = entry[f];
    if (f === STATUS_FIELD) {
      if (v === 'enable' || v === 'disable') out[f] = v === 'enable';
    } else if (typeof v === 'string' && v !== '') {
      out[f] = v;
    } else if (typeof v === 'number') {
      out[f] = String(v);
    }
  }
  return out;
}

/** A field value as the CMDB takes it; `undefined` clears it (FortiOS has no null: '' for text, enable for status). */
export function toCmdb(field: string, value: NativeScalar | undefined): string {
  if (field === STATUS_FIELD) return value === false || value === 'false' ? 'disable' : 'enable';
  return value === undefined ? '' : String(value);
}
