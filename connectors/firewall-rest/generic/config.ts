/**
 * Options of the generic profile: any JSON REST user API described in YAML, no code (research B6). The
 * connector's schema spreads `genericOptionsShape` into a strict object next to `profile: generic` and the
 * common options. Complete examples: config/examples/pfsense/ and config/examples/opnsense/.
 *
 *   options:
 *     profile: generic
 *     baseUrl: https://fw.example.com
 *     label: pfSense
 *     auth: { type: header, name: X-API-Key, value: ${env:PFSENSE_API_KEY} }
 *     serializeWrites: true
 *     errors:
 *       - { path: response_id, equals: FIELD_MUST_BE_UNIQUE, message: message, kind: conflict }
 *     users:
 *       object: { key: name, id: id, fields: { descr: descr }, active: { path: disabled, enabled: false, disabled: true } }
 *       name: { pattern: '[a-zA-Z0-9._-]+', maxLength: 32 }
 *       get:    { method: GET, path: /api/v2/users, query: { name: '{key}' }, item: data }
 *       list:   { method: GET, path: /api/v2/users, items: data, paging: { style: offset } }
 *       create: { method: POST, path: /api/v2/user, body: { name: '{key}', password: '{randomPassword}', descr: '{field:descr}', disabled: '{field:active}' } }
 *       update: { method: PATCH, path: /api/v2/user, body: { id: '{id}', name: '{newKey}', descr: '{field:descr}', disabled: '{field:active}' } }
 *       delete: { method: DELETE, path: '/api/v2/user?id={id}' }
 *
 * Native ids (`{id}`) are read from the firewall just before each use and never stored: pfSense's are array
 * indexes that shift after a delete. Names are the identity; the identity map keeps the SCIM ids.
 */
import { z } from 'zod';
import { boolField, intField } from '../../../src/config/fields.js';
import { secret } from '../../../src/config/secret.js';
import { errorRuleSchema, jsonPath, listOpSchema, readOpSchema, regexSource, writeOpSchema } from './config-ops.js';
import { placeholdersOf, type BodyTemplate, type PlaceholderName, type StringTemplate } from './template.js';

const nativeName = () => z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a native field name: letters, digits, "_", "." or "-"');

/** Native names the connector itself uses for the object's name and externalId (genericDefaultMapping). */
export const RESERVED_FIELDS = ['name', 'externalId'] as const;

const authSchema = z.discriminatedUnion('type', [
  /** `Authorization: Bearer <token>`. */
  z.strictObject({ type: z.literal('bearer'), token: secret() }),
  /** A header of the API's choosing, e.g. pfSense `X-API-Key`. */
  z.strictObject({
    type: z.literal('header'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name')
      .refine((n) => !['host', 'content-type', 'content-length', 'connection', 'transfer-encoding', 'accept'].includes(n.toLowerCase()), 'a header the transport sets itself'),
    value: secret(),
  }),
  /** HTTP Basic, e.g. OPNsense: the API key as user, its secret as password. */
  z.strictObject({ type: z.literal('basic'), username: secret(), password: secret() }),
]);

const scalar = () => z.union([z.string(), z.number(), z.boolean()]);

const fieldSchema = z.union([
  jsonPath().transform((path) => ({ path: path as readonly string[] | undefined, type: 'string' as const, writeOnly: false, clear: '' as string | number | boolean | null, maxLength: undefined as number | undefined })),
  z.strictObject({
    /** Where the value is in an object; default: the native field's own name. */
    path: jsonPath().optional(),
    /** The type read back (written as given). */
    type: z.enum(['string', 'number', 'boolean']).default('string'),
    /** Written, never read back (a password). */
    writeOnly: boolField().default(false),
    /** What an update sends to clear the field. */
    clear: z.union([scalar(), z.null()]).default(''),
    /** The firewall's length limit, checked before sending (400 naming the attribute). */
    maxLength: intField({ min: 1 }).optional(),
  }),
]);

const activeSchema = z.strictObject({
  /** The native field `active` is mapped to (the default mapping does that). */
  field: nativeName().default('active'),
  /** Where the firewall keeps the account state in an object. */
  path: jsonPath(),
  /** The stored value of an enabled account: pfSense `disabled: false`, OPNsense `disabled: "0"`, FortiOS `status: enable`. */
  enabled: scalar(),
  disabled: scalar(),
});

/** Objects the gateway must never see or touch, e.g. `{ path: scope, equals: system }` for the admin account. */
const ignoreSchema = z.strictObject({ path: jsonPath(), equals: z.union([scalar(), z.array(scalar()).min(1)]) }).transform((r) => ({ path: r.path, equals: ([] as (string | number | boolean)[]).concat(r.equals) }));

const objectShape = {
  /** Where the name is in an object. */
  key: jsonPath().prefault('name'),
  /** Where the native id is (for `{id}`); read fresh before each use, never stored. */
  id: jsonPath().optional(),
  /** Native field → where it is in an object (or `{ path, type, writeOnly, clear, maxLength }`). */
  fields: z.record(nativeName(), fieldSchema).default({}),
  ignore: z.array(ignoreSchema).default([]),
};

const nameSchema = z
  .strictObject({
    /** A regular expression the whole name must match, e.g. pfSense `[a-zA-Z0-9._-]+`. */
    pattern: regexSource().optional(),
    maxLength: intField({ min: 1, max: 4096 }).default(255),
  })
  .prefault({});

const kindShape = {
  name: nameSchema,
  /** Reads one object by `{key}`: an object at `item`, or a list there that is searched for the exact name. */
  get: readOpSchema,
  /** Optional second read by `{id}` for the full object (OPNsense `get/{id}` after a search). */
  fetch: readOpSchema.optional(),
  list: listOpSchema,
  create: writeOpSchema,
  update: writeOpSchema,
  delete: writeOpSchema,
};

const membershipSchema = z.discriminatedUnion('style', [
  /**
   * GET the group, change the list, write it back whole, under a per-group lock so concurrent changes cannot
   * drop each other's members. `format` is how `{members}` is written: a JSON array of names, names joined
   * by ",", or the keys of the group's option map joined by "," (OPNsense writes user uids).
   */
  z.strictObject({ style: z.literal('full-list'), format: z.enum(['list', 'csv', 'option-keys']).default('list'), update: writeOpSchema }),
  /** One request per member added (`{member}`) and per member removed; "already a member" and "not a member" count as done. */
  z.strictObject({ style: z.literal('per-member'), add: writeOpSchema, remove: writeOpSchema }),
]);

const usersSchema = z.strictObject({
  ...kindShape,
  object: z.strictObject({ ...objectShape, active: activeSchema.optional() }).prefault({}),
});

const groupsSchema = z.strictObject({
  ...kindShape,
  object: z.strictObject({ ...objectShape, /** Where the member list is (names, CSV or an option map). */ members: jsonPath().prefault('member') }).prefault({}),
  membership: membershipSchema,
});

type UsersIn = z.output<typeof usersSchema>;
type GroupsIn = z.output<typeof groupsSchema>;

/** Which placeholders each request may use; `{id}` also needs `object.id`, `{field:x}` a declared field. */
function checkPlaceholders(k: UsersIn | GroupsIn, kind: 'user' | 'group', ctx: z.RefinementCtx): void {
  const fields = new Set([...Object.keys(k.object.fields), ...('active' in k.object && k.object.active ? [k.object.active.field] : [])]);
  for (const r of RESERVED_FIELDS) if (Object.hasOwn(k.object.fields, r)) ctx.addIssue({ code: 'custom', path: ['object', 'fields', r], message: `"${r}" is reserved: the connector maps ${r === 'name' ? 'the object name' : 'externalId'} to it` });
  type Template = StringTemplate | BodyTemplate;
  const ops: [string[], Template[], readonly PlaceholderName[]][] = [];
  const add = (where: string[], op: { path: Template; query?: Record<string, Template> | undefined; body?: Template | undefined } | undefined, allowed: readonly PlaceholderName[]) => {
    if (op) ops.push([where, [op.path, ...Object.values(op.query ?? {}), ...(op.body ? [op.body] : [])], allowed]);
  };
  const members = kind === 'group' ? (['members'] as const) : [];
  add(['get'], k.get, ['key']);
  add(['fetch'], k.fetch, ['key', 'id']);
  add(['list'], k.list, []);
  add(['create'], k.create, ['key', 'newKey', 'field', 'randomPassword', ...members]);
  add(['update'], k.update, ['key', 'newKey', 'id', 'field']);
  add(['delete'], k.delete, ['key', 'id']);
  if ('membership' in k) {
    if (k.membership.style === 'full-list') add(['membership', 'update'], k.membership.update, ['key', 'id', 'members']);
    else {
      add(['membership', 'add'], k.membership.add, ['key', 'id', 'member']);
      add(['membership', 'remove'], k.membership.remove, ['key', 'id', 'member']);
    }
  }
  for (const [where, templates, allowed] of ops) {
    for (const p of templates.flatMap(placeholdersOf)) {
      const shown = p.name === 'field' ? `{field:${p.field}}` : `{${p.name}}`;
      if (!allowed.includes(p.name)) ctx.addIssue({ code: 'custom', path: where, message: `${shown} cannot be used here; this request takes ${allowed.map((a) => (a === 'field' ? '{field:NAME}' : `{${a}}`)).join(', ') || 'no placeholders'}` });
      else if (p.name === 'id' && k.object.id === undefined) ctx.addIssue({ code: 'custom', path: where, message: '{id} needs object.id: where the native id is in an object' });
      else if (p.name === 'field' && !fields.has(p.field!)) ctx.addIssue({ code: 'custom', path: where, message: `${shown}: no such field in object.fields${kind === 'user' ? ' (or object.active.field)' : ''}` });
    }
  }
  if ('membership' in k && k.membership.style === 'full-list' && k.membership.format === 'option-keys' && placeholdersOf(k.create.body ?? { t: 'literal', value: null }).some((p) => p.name === 'members')) {
    ctx.addIssue({ code: 'custom', path: ['create', 'body'], message: '{members} in create cannot be written as option-keys (the group has no member options before it exists); leave it out: members are added after the create' });
  }
  if (k.fetch && k.object.id === undefined) ctx.addIssue({ code: 'custom', path: ['fetch'], message: 'fetch reads by {id}: set object.id' });
  if (k.list.fetchEach && !k.fetch) ctx.addIssue({ code: 'custom', path: ['list', 'fetchEach'], message: 'fetchEach needs a fetch request' });
}

export const genericOptionsShape = {
  /** The firewall's name in messages and logs ("pfSense"). */
  label: z.string().trim().min(1).max(40).default('firewall'),
  auth: authSchema,
  /** How the firewall compares names; the identity map folds keys the same way. */
  keyCase: z.enum(['exact', 'insensitive']).default('exact'),
  /** One write at a time, each with the read it depends on (pfSense: "not designed for concurrency"; its ids are indexes). */
  serializeWrites: boolField().default(false),
  /** Error rules, first match wins; without a match, HTTP ≥ 400 maps by status (404 not-found, 409 conflict, 4xx invalid, 5xx unavailable). */
  errors: z.array(errorRuleSchema).default([]),
  /** Where to look for an error text when no rule names one. */
  errorMessage: z.array(jsonPath()).prefault(['message', 'errorMessage', 'validations', 'error', 'errors']),
  /** The probe for start and /status; default: the first page of the user list. */
  check: readOpSchema.optional(),
  users: usersSchema.superRefine((k, ctx) => checkPlaceholders(k, 'user', ctx)),
  /** Leave out when the firewall has no user groups: /Groups is then not offered. */
  groups: groupsSchema.superRefine((k, ctx) => checkPlaceholders(k, 'group', ctx)).optional(),
};

/** The generic fields alone; the connector's schema spreads `genericOptionsShape` next to `profile` and the common options. */
export const genericOptionsSchema = z.strictObject(genericOptionsShape);

export type GenericOptions = z.output<typeof genericOptionsSchema>;
/** What createGenericApi reads; the connector's whole options object fits. */
export type GenericProfileOptions = Pick<GenericOptions, keyof typeof genericOptionsShape>;
export type UsersConfig = z.output<typeof usersSchema>;
export type GroupsConfig = z.output<typeof groupsSchema>;
export type KindConfig = UsersConfig | GroupsConfig;
export type FieldConfig = z.output<typeof fieldSchema>;
export type ActiveConfig = z.output<typeof activeSchema>;
export type MembershipConfig = z.output<typeof membershipSchema>;
