/**
 * The fake FortiOS's field rules and error codes for `user/local` and `user/group`.
 *
 * Sources are the research notes (/work/shared/research/ldap-and-firewall-apis.md, B1): the error table is
 * hfortix-fortios's, the limits its FortiOS 7.6 schema. Where FortiOS's exact answer is not documented, the
 * choice is marked "inferred".
 */

/** FortiOS `error` codes (hfortix table, research B1). */
export const FORTI_ERROR = {
  invalidLength: -1,
  notFound: -3,
  duplicate: -5,
  inUse: -23,
  invalidValue: -651,
  unknownKeyword: -703,
} as const;

/** A CMDB request that fails: the HTTP status and, when FortiOS sends one, the numeric `error`. */
export class CmdbFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

// Research B1: "500 most CMDB errors", with the code in `error`.
const invalid = (code: number, message: string) => new CmdbFailure(500, code, message);
/** Fortinet's 424 text: "missing required parameter, missing required attribute, invalid attribute value" (inferred use). */
export const missing = (message: string, code?: number) => new CmdbFailure(424, code, message);

export type Table = 'user/local' | 'user/group';

/** One stored CMDB entry. The store keeps `passwd` in clear so tests can assert it; reads mask it. */
export type CmdbEntry = { name: string } & Record<string, unknown>;

interface FieldRule {
  readonly kind: 'string' | 'int' | 'members' | 'list';
  readonly maxLen?: number;
  readonly oneOf?: readonly string[];
}

const str = (maxLen?: number, oneOf?: readonly string[]): FieldRule => ({ kind: 'string', ...(maxLen ? { maxLen } : {}), ...(oneOf ? { oneOf } : {}) });
const ENABLE = ['enable', 'disable'] as const;

// Limits: user/local.name ≤ 64, email-to ≤ 63, sms-phone ≤ 15; type and status enums (research B1, FortiOS 7.6 schema).
const USER_FIELDS: Readonly<Record<string, FieldRule>> = {
  name: str(64),
  id: { kind: 'int' },
  status: str(undefined, ENABLE),
  type: str(undefined, ['password', 'radius', 'tacacs+', 'ldap', 'saml']),
  passwd: str(),
  'ldap-server': str(35),
  'radius-server': str(35),
  'tacacs+-server': str(35),
  'saml-server': str(35),
  'two-factor': str(undefined, ['disable', 'fortitoken', 'fortitoken-cloud', 'email', 'sms']),
  fortitoken: str(16),
  'email-to': str(63),
  'sms-server': str(undefined, ['fortiguard', 'custom']),
  'sms-custom-server': str(35),
  'sms-phone': str(15),
  'passwd-policy': str(35),
  authtimeout: { kind: 'int' },
  workstation: str(35),
  'auth-concurrent-override': str(undefined, ENABLE),
  'auth-concurrent-value': { kind: 'int' },
  'username-sensitivity': str(undefined, ENABLE),
};

// Limits: user/group.name ≤ 35, member[].name ≤ 511, group-type enum (research B1).
const GROUP_FIELDS: Readonly<Record<string, FieldRule>> = {
  name: str(35),
  id: { kind: 'int' },
  'group-type': str(undefined, ['firewall', 'fsso-service', 'rsso', 'guest']),
  authtimeout: { kind: 'int' },
  'auth-concurrent-override': str(undefined, ENABLE),
  'auth-concurrent-value': { kind: 'int' },
  'http-digest-realm': str(35),
  'sso-attribute-value': str(511),
  member: { kind: 'members', maxLen: 511 },
  match: { kind: 'list' },
};

/** What a new entry holds before the POST body is applied (a subset of FortiOS's defaults). */
export function defaultsFor(table: Table): Record<string, unknown> {
  return table === 'user/local'
    ? { status: 'enable', type: 'password', 'two-factor': 'disable', 'email-to': '', 'sms-phone': '' }
    : { 'group-type': 'firewall', member: [], match: [] };
}

/**
 * Checks a POST or PUT body and returns the fields to store (`q_origin_key`, which clients echo back from a
 * GET, is dropped). `strict` rejects fields the fake does not know with -703 so that a connector typo fails
 * loudly; a real box knows many more fields than these.
 */
export function validateBody(table: Table, body: unknown, mode: 'create' | 'update', strict: boolean): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid(FORTI_ERROR.invalidValue, 'body must be a JSON object');
  const rules = table === 'user/local' ? USER_FIELDS : GROUP_FIELDS;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'q_origin_key') continue;
    const rule = rules[key];
    if (!rule) {
      if (strict) throw invalid(FORTI_ERROR.unknownKeyword, `unknown field "${key}"`);
      out[key] = value;
      continue;
    }
    out[key] = checkField(key, rule, value);
  }
  if (mode === 'create') {
    if (typeof out.name !== 'string' || out.name === '') throw missing('name is required');
    // Research B1: "passwd is required for type=password".
    if (table === 'user/local' && (out.type ?? 'password') === 'password' && typeof out.passwd !== 'string') {
      throw missing('passwd is required for type=password');
    }
  } else if (out.name === '') {
    throw missing('name cannot be empty');
  }
  return out;
}

function checkField(key: string, rule: FieldRule, value: unknown): unknown {
  switch (rule.kind) {
    case 'string':
      if (typeof value !== 'string') throw invalid(FORTI_ERROR.invalidValue, `${key} must be a string`);
      if (rule.oneOf && !rule.oneOf.includes(value)) throw invalid(FORTI_ERROR.invalidValue, `${key}: "${value}" is not one of ${rule.oneOf.join('|')}`);
      if (rule.maxLen !== undefined && value.length > rule.maxLen) throw invalid(FORTI_ERROR.invalidLength, `${key} is longer than ${rule.maxLen}`);
      return value;
    case 'int':
      if (!Number.isInteger(value)) throw invalid(FORTI_ERROR.invalidValue, `${key} must be an integer`);
      return value;
    case 'list':
      if (!Array.isArray(value)) throw invalid(FORTI_ERROR.invalidValue, `${key} must be an array`);
      return structuredClone(value);
    case 'members':
      return checkMembers(key, rule.maxLen ?? Infinity, value);
  }
}

/** `member` is the full list of `{name}`; repeats collapse to one (inferred; FortiOS's answer is unverified). */
function checkMembers(key: string, maxLen: number, value: unknown): { name: string }[] {
  if (!Array.isArray(value)) throw invalid(FORTI_ERROR.invalidValue, `${key} must be an array of {name}`);
  const names: string[] = [];
  for (const m of value) {
    const name: unknown = typeof m === 'object' && m !== null ? (m as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name === '') throw invalid(FORTI_ERROR.invalidValue, `${key} entries must be {name: string}`);
    if (name.length > maxLen) throw invalid(FORTI_ERROR.invalidLength, `${key} name is longer than ${maxLen}`);
    if (!names.includes(name)) names.push(name);
  }
  return names.map((name) => ({ name }));
}
