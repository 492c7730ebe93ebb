/**
 * The User, Enterprise User and Group schemas of RFC 7643 §4 and §8.7.1. Discovery (/Schemas) shows the
 * subset an endpoint's mapping stores; validation and PATCH use the whole definition so that an attribute
 * the RFC knows but the endpoint does not store is recognised (and ignored or rejected by policy) rather
 * than reported as unknown.
 */
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Opts = Partial<Omit<AttributeDef, 'name' | 'description'>>;

function attr(name: string, description: string, o: Opts = {}): AttributeDef {
  return {
    name,
    type: 'string',
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...o,
  };
}

const complex = (name: string, description: string, subAttributes: AttributeDef[], o: Opts = {}): AttributeDef =>
  attr(name, description, { type: 'complex', subAttributes, ...o });

/** The `value`/`display`/`type`/`primary` shape shared by emails, phoneNumbers, ims, photos, … */
function multi(name: string, description: string, types: readonly string[], valueOpts: Opts = {}): AttributeDef {
  return complex(
    name,
    description,
    [
      attr('value', `The ${name} value.`, valueOpts),
      attr('display', 'A human-readable name, primarily used for display purposes.'),
      attr('type', `A label indicating the attribute's function.`, { canonicalValues: types }),
      attr('primary', 'Indicates the primary or preferred value.', { type: 'boolean' }),
    ],
    { multiValued: true },
  );
}

const readOnly: Opts = { mutability: 'readOnly' };

const USER_ATTRIBUTES: AttributeDef[] = [
  attr('userName', 'Unique identifier for the User, typically used to sign in. Compared case-insensitively.', {
    required: true,
    uniqueness: 'server',
  }),
  complex('name', "The components of the user's name.", [
    attr('formatted', 'The full name, formatted for display.'),
    attr('familyName', 'The family name (last name).'),
    attr('givenName', 'The given name (first name).'),
    attr('middleName', 'The middle name(s).'),
    attr('honorificPrefix', 'The honorific prefix(es), e.g. "Ms.".'),
    attr('honorificSuffix', 'The honorific suffix(es), e.g. "III".'),
  ]),
  attr('displayName', 'The name of the User, suitable for display to end-users.'),
  attr('nickName', 'The casual way to address the user.'),
  attr('profileUrl', "A URI of the user's online profile.", { type: 'reference', referenceTypes: ['external'] }),
  attr('title', "The user's title, such as \"Vice President\"."),
  attr('userType', 'The relationship between the organization and the user, e.g. "Employee".'),
  attr('preferredLanguage', "The user's preferred written or spoken language, e.g. \"en-US\"."),
  attr('locale', "The user's default location for localizing, e.g. \"en-US\"."),
  attr('timezone', "The user's time zone in IANA format, e.g. \"America/Los_Angeles\"."),
  attr('active', "The user's administrative status.", { type: 'boolean' }),
  attr('password', "The user's clear-text password. Never returned.", {
    mutability: 'writeOnly',
    returned: 'never',
    caseExact: true,
  }),
  multi('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
  multi('phoneNumbers', 'Phone numbers for the user.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  multi('ims', 'Instant messaging addresses for the user.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
  multi('photos', 'URLs of photos of the user.', ['photo', 'thumbnail'], { type: 'reference', referenceTypes: ['external'] }),
  complex(
    'addresses',
    'A physical mailing address for this user.',
    [
      attr('formatted', 'The full mailing address, formatted for display.'),
      attr('streetAddress', 'The full street address component.'),
      attr('locality', 'The city or locality component.'),
      attr('region', 'The state or region component.'),
      attr('postalCode', 'The zip code or postal code component.'),
      attr('country', 'The country name component.'),
      attr('type', "A label indicating the attribute's function.", { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'Indicates the primary mailing address.', { type: 'boolean' }),
    ],
    { multiValued: true },
  ),
  complex(
    'groups',
    'A list of groups to which the user belongs, through direct membership or nested groups.',
    [
      attr('value', 'The identifier of the group.', readOnly),
      attr('$ref', 'The URI of the group.', { ...readOnly, type: 'reference', referenceTypes: ['User', 'Group'] }),
      attr('display', 'A human-readable name.', readOnly),
      attr('type', 'direct or indirect.', { ...readOnly, canonicalValues: ['direct', 'indirect'] }),
    ],
    { multiValued: true, mutability: 'readOnly' },
  ),
  multi('entitlements', 'Entitlements for the user.', []),
  multi('roles', 'Roles for the user.', []),
  multi('x509Certificates', 'X.509 certificates issued to the user.', [], { type: 'binary' }),
];

const ENTERPRISE_ATTRIBUTES: AttributeDef[] = [
  attr('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person.'),
  attr('costCenter', 'Identifies the name of a cost center.'),
  attr('organization', 'Identifies the name of an organization.'),
  attr('division', 'Identifies the name of a division.'),
  attr('department', 'Identifies the name of a department.'),
  complex('manager', "The user's manager.", [
    attr('value', 'The id of the SCIM resource representing the manager.', { caseExact: true }),
    attr('$ref', 'The URI of the manager.', { type: 'reference', referenceTypes: ['User'] }),
    attr('displayName', 'The displayName of the manager.', readOnly),
  ]),
];

const GROUP_ATTRIBUTES: AttributeDef[] = [
  attr('displayName', 'A human-readable name for the Group.', { required: true, uniqueness: 'server' }),
  complex(
    'members',
    'A list of members of the Group.',
    [
      attr('value', 'Identifier of the member of this Group.', { mutability: 'immutable', caseExact: true }),
      attr('$ref', 'The URI of the member.', { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'immutable' }),
      attr('display', 'A human-readable name of the member.', readOnly),
      attr('type', 'The type of the member.', { canonicalValues: ['User', 'Group'], mutability: 'immutable' }),
    ],
    { multiValued: true },
  ),
];

/** `id`, `externalId` and `meta` are on every resource (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES: readonly AttributeDef[] = [
  attr('id', 'Unique identifier for the resource, assigned by the service provider.', {
    ...readOnly,
    caseExact: true,
    returned: 'always',
    uniqueness: 'server',
  }),
  // RFC 7643 makes externalId caseExact; Entra matches on it case-insensitively (it compares its own
  // values that way), so a case-exact match here would create duplicates on its next cycle.
  attr('externalId', 'An identifier for the resource as defined by the provisioning client.'),
  complex(
    'meta',
    'Resource metadata.',
    [
      attr('resourceType', 'The name of the resource type.', { ...readOnly, caseExact: true }),
      attr('created', 'When the resource was added to the service provider.', { ...readOnly, type: 'dateTime' }),
      attr('lastModified', 'When the resource was last updated.', { ...readOnly, type: 'dateTime' }),
      attr('location', 'The URI of the resource.', { ...readOnly, type: 'reference', caseExact: true }),
      attr('version', 'The version (ETag) of the resource.', { ...readOnly, caseExact: true }),
    ],
    readOnly,
  ),
];

export const USER_SCHEMA_DEF: SchemaDef = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: USER_ATTRIBUTES,
};

export const ENTERPRISE_USER_SCHEMA_DEF: SchemaDef = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: ENTERPRISE_ATTRIBUTES,
};

export const GROUP_SCHEMA_DEF: SchemaDef = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: GROUP_ATTRIBUTES,
};

export const USER_RESOURCE_TYPE: ResourceTypeDef = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA_DEF,
  extensions: [{ schema: ENTERPRISE_USER_SCHEMA_DEF, required: false }],
};

export const GROUP_RESOURCE_TYPE: ResourceTypeDef = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA_DEF,
  extensions: [],
};

export const RESOURCE_TYPES: Readonly<Record<'User' | 'Group', ResourceTypeDef>> = {
  User: USER_RESOURCE_TYPE,
  Group: GROUP_RESOURCE_TYPE,
};
