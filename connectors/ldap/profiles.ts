/**
 * Directory profiles: everything that differs between OpenLDAP-style directories (also 389-DS, OpenDJ)
 * and Active Directory (also AD LDS), as defaults the YAML can override. The attribute mappings follow
 * the research notes' table A2 (OpenLDAP, inetOrgPerson) and the usual AD attributes.
 */
import type { MappingConfig } from '../types.js';
import type { ActiveStrategy, Fallback, LdapConfig } from './config.js';

export interface Profile {
  /** The attribute whose value is the SCIM id: never the DN, which changes on rename. */
  readonly idAttribute: string;
  /** objectGUID is binary and shown as a GUID string; entryUUID and nsUniqueId are strings. */
  readonly idIsGuid: boolean;
  /** An attribute holding an entry's own DN, for turning member DNs into ids with one search per chunk. */
  readonly dnAttribute: string;
  /** Changes on every modification of the entry: the SCIM version (ETag). */
  readonly versionAttribute: string;
  readonly users: {
    objectClasses: readonly string[];
    /** Which entries under the base are users (AND-ed with the YAML's own filter). */
    filter: string;
    rdnAttribute: string;
    scope: 'one' | 'sub';
    active: ActiveStrategy;
    fallbacks: Readonly<Record<string, Fallback>>;
  };
  readonly groups: {
    objectClasses: readonly string[];
    filter: string;
    rdnAttribute: string;
    memberAttribute: string;
    fallbacks: Readonly<Record<string, Fallback>>;
    /** groupOfNames must have a member (RFC 4519), so an empty group holds a placeholder; AD groups may be empty. */
    needsMember: boolean;
  };
  /** AD answers large multi-valued attributes in ranges (`member;range=0-1499`). */
  readonly rangedMembers: boolean;
  readonly mapping: MappingConfig;
}

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const OPENLDAP: Profile = {
  idAttribute: 'entryUUID',
  idIsGuid: false,
  dnAttribute: 'entryDN',
  versionAttribute: 'entryCSN',
  users: {
    filter: '(objectClass=inetOrgPerson)',
    // extensibleObject lets an inetOrgPerson hold co, uniqueIdentifier, personalTitle and
    // generationQualifier, so every attribute of Entra's Palo Alto table has a home (research A2: `c`
    // alone is rejected with 65 on a plain inetOrgPerson).
    objectClasses: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'extensibleObject'],
    rdnAttribute: 'uid',
    scope: 'one',
    active: { strategy: 'ppolicy-lock' },
    // person requires sn and cn; Entra may create a user before it knows the surname. Both come from uid:
    // a value equal to its fallback reads back as absent (records.ts), and Entra often sends
    // name.formatted equal to displayName, which must not vanish.
    fallbacks: {
      sn: { from: ['uid'], localPart: false },
      cn: { from: ['uid'], localPart: false },
    },
  },
  groups: { objectClasses: ['top', 'groupOfNames'], filter: '(objectClass=groupOfNames)', rdnAttribute: 'cn', memberAttribute: 'member', fallbacks: {}, needsMember: true },
  rangedMembers: false,
  mapping: {
    user: {
      userName: 'uid',
      externalId: 'uniqueIdentifier',
      active: 'active',
      displayName: 'displayName',
      title: 'title',
      userType: 'employeeType',
      preferredLanguage: 'preferredLanguage',
      'name.formatted': 'cn',
      'name.givenName': 'givenName',
      'name.familyName': 'sn',
      'name.honorificPrefix': 'personalTitle',
      'name.honorificSuffix': 'generationQualifier',
      'emails[type eq "work"].value': 'mail',
      'phoneNumbers[type eq "work"].value': 'telephoneNumber',
      'phoneNumbers[type eq "mobile"].value': 'mobile',
      'phoneNumbers[type eq "fax"].value': 'facsimileTelephoneNumber',
      'addresses[type eq "work"].formatted': 'postalAddress',
      'addresses[type eq "work"].streetAddress': 'street',
      'addresses[type eq "work"].locality': 'l',
      'addresses[type eq "work"].region': 'st',
      'addresses[type eq "work"].postalCode': 'postalCode',
      // `c` takes only two-letter codes; Entra sends country names ("United States").
      'addresses[type eq "work"].country': 'co',
      [`${ENT}:employeeNumber`]: 'employeeNumber',
      [`${ENT}:department`]: 'departmentNumber',
      [`${ENT}:organization`]: 'o',
      [`${ENT}:division`]: 'ou',
      [`${ENT}:manager`]: 'manager',
    },
    group: { displayName: 'cn' },
  },
};

const ACTIVE_DIRECTORY: Profile = {
  idAttribute: 'objectGUID',
  idIsGuid: true,
  dnAttribute: 'distinguishedName',
  versionAttribute: 'uSNChanged',
  users: {
    // Computers are objectClass user too; objectCategory person excludes them.
    filter: '(&(objectCategory=person)(objectClass=user))',
    objectClasses: ['top', 'person', 'organizationalPerson', 'user'],
    rdnAttribute: 'cn',
    scope: 'sub',
    active: { strategy: 'ad-user-account-control' },
    fallbacks: {
      cn: { from: ['displayName', 'userPrincipalName'], localPart: false, maxLength: 64 },
      // sAMAccountName is required, at most 20 characters: the UPN's local part.
      sAMAccountName: { from: ['userPrincipalName'], localPart: true, maxLength: 20 },
    },
  },
  groups: {
    objectClasses: ['top', 'group'],
    filter: '(objectClass=group)',
    rdnAttribute: 'cn',
    memberAttribute: 'member',
    fallbacks: { sAMAccountName: { from: ['cn'], localPart: false, maxLength: 256 } },
    needsMember: false,
  },
  rangedMembers: true,
  mapping: {
    user: {
      userName: 'userPrincipalName',
      externalId: 'employeeID',
      active: 'active',
      displayName: 'displayName',
      title: 'title',
      preferredLanguage: 'preferredLanguage',
      'name.givenName': 'givenName',
      'name.familyName': 'sn',
      'name.honorificPrefix': 'personalTitle',
      'name.honorificSuffix': 'generationQualifier',
      'emails[type eq "work"].value': 'mail',
      'phoneNumbers[type eq "work"].value': 'telephoneNumber',
      'phoneNumbers[type eq "mobile"].value': 'mobile',
      'phoneNumbers[type eq "fax"].value': 'facsimileTelephoneNumber',
      'addresses[type eq "work"].streetAddress': 'streetAddress',
      'addresses[type eq "work"].locality': 'l',
      'addresses[type eq "work"].region': 'st',
      'addresses[type eq "work"].postalCode': 'postalCode',
      'addresses[type eq "work"].country': 'co',
      [`${ENT}:employeeNumber`]: 'employeeNumber',
      [`${ENT}:department`]: 'department',
      [`${ENT}:organization`]: 'company',
      [`${ENT}:division`]: 'division',
      [`${ENT}:manager`]: 'manager',
    },
    group: { displayName: 'cn' },
  },
};

export const PROFILES: Readonly<Record<LdapConfig['profile'], Profile>> = { openldap: OPENLDAP, 'active-directory': ACTIVE_DIRECTORY };

/** The connector's default mapping: the profile's, without `active` when the strategy stores nothing. */
export function profileMapping(options: LdapConfig): MappingConfig {
  const profile = PROFILES[options.profile];
  const active = options.users.active ?? profile.users.active;
  const user = { ...profile.mapping.user };
  if (active.strategy === 'none') delete user['active'];
  return { user, group: { ...profile.mapping.group } };
}
