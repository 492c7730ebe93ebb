/** A mapping with every slot shape, compiled once for the mapping, list-query and render tests. */
import { expect } from 'vitest';
import { compileSlots, type Slot } from '../../../../src/core/mapping/compile.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE, USER_SCHEMA_DEF } from '../../../../src/scim/schema/definitions.js';
import type { AttributeDef, ResourceTypeDef } from '../../../../src/scim/schema/types.js';

export const ENT = ENTERPRISE_USER_SCHEMA;

export const USER_MAPPING: Readonly<Record<string, string>> = {
  userName: 'uid',
  externalId: 'extId',
  displayName: 'cn',
  active: 'enabled',
  password: 'pwd',
  profileUrl: 'url',
  'name.givenName': 'given',
  'name.familyName': 'sn',
  'emails[type eq "work"].value': 'mail',
  'emails[type eq "work"].primary': 'mailPrimary',
  'emails[type eq "home"].value': 'homeMail',
  'phoneNumbers[type eq "mobile"].value': 'mobile',
  'addresses[type eq "work"].locality': 'l',
  'addresses[type eq "work"].country': 'c',
  'x509Certificates[type eq "signing"].value': 'cert',
  [`${ENT}:department`]: 'dept',
  [`${ENT}:manager`]: 'mgr',
};

export const GROUP_MAPPING: Readonly<Record<string, string>> = { displayName: 'cn', externalId: 'extId' };

export function compileOk(rt: ResourceTypeDef, mapping: Readonly<Record<string, string>>): Slot[] {
  const { slots, issues } = compileSlots(rt, mapping);
  expect(issues).toEqual([]);
  return slots;
}

export const USER_SLOTS = compileOk(USER_RESOURCE_TYPE, USER_MAPPING);
export const GROUP_SLOTS = compileOk(GROUP_RESOURCE_TYPE, GROUP_MAPPING);

/** The User type with an integer attribute, which the RFC schemas lack, for numeric conversions. */
const LOGIN_COUNT: AttributeDef = {
  name: 'loginCount',
  type: 'integer',
  multiValued: false,
  description: 'Test-only integer attribute.',
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
};
export const USER_WITH_INTEGER: ResourceTypeDef = {
  ...USER_RESOURCE_TYPE,
  schema: { ...USER_SCHEMA_DEF, attributes: [...USER_SCHEMA_DEF.attributes, LOGIN_COUNT] },
};
export const INTEGER_SLOTS = compileOk(USER_WITH_INTEGER, { userName: 'uid', loginCount: 'logins' });
