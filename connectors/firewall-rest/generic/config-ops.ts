/**
 * Building blocks of the generic profile's options: requests (method, path, query, body templates), where
 * things live in answers (dotted paths), paging, and error rules. Templates and paths are compiled here, at
 * config load, so a typo is a startup error naming its place in the YAML, not a failed request at 3 a.m.
 */
import { z } from 'zod';
import { boolField, intField } from '../../../src/config/fields.js';
import { parsePath, type JsonPath } from './extract.js';
import { parseBody, parseTemplate, type BodyTemplate, type StringTemplate } from './template.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A dotted path into a JSON answer (`data`, `rows`, `result.uuid`; '' is the whole answer). */
export const jsonPath = () =>
  z.string().transform((s, ctx): JsonPath => {
    try {
      return parsePath(s.trim());
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: messageOf(err) });
      return z.NEVER;
    }
  });

/** `/api/v2/user?name={key}`: absolute path under baseUrl, placeholders percent-encoded when rendered. */
const pathTemplate = () =>
  z.string().transform((s, ctx): StringTemplate => {
    if (!s.startsWith('/') || s.startsWith('//') || /[\s#]/.test(s)) {
      ctx.addIssue({ code: 'custom', message: `"${s}" must be a path under baseUrl: starting with one "/", without spaces or "#"` });
      return z.NEVER;
    }
    try {
      return parseTemplate(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: messageOf(err) });
      return z.NEVER;
    }
  });

const stringTemplate = () =>
  z.union([z.string(), z.number(), z.boolean()]).transform((s, ctx): StringTemplate => {
    try {
      return parseTemplate(String(s));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: messageOf(err) });
      return z.NEVER;
    }
  });

const bodyTemplate = () =>
  z.unknown().transform((v, ctx): BodyTemplate => {
    try {
      return parseBody(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: messageOf(err) });
      return z.NEVER;
    }
  });

/** A regular expression the whole value must match (anchored when compiled). */
export const regexSource = () =>
  z.string().min(1).transform((s, ctx): RegExp => {
    try {
      return new RegExp(`^(?:${s})$`, 'u');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a regular expression: ${messageOf(err)}` });
      return z.NEVER;
    }
  });

const requestShape = {
  method: z.enum(METHODS),
  path: pathTemplate(),
  /** Query parameters; values are templates, encoded by the transport. A parameter whose only placeholder is absent is left out. */
  query: z.record(z.string().min(1), stringTemplate()).optional(),
  /** Whether a failed attempt may be sent again (default: GET, PUT and DELETE yes, POST and PATCH no). */
  idempotent: boolField().optional(),
};

/** A request that writes: a JSON body template. */
export const writeOpSchema = z.strictObject({ ...requestShape, body: bodyTemplate().optional() });

/** A request that reads one object: `item` is where it is in the answer (an object, or a list searched by name). */
export const readOpSchema = z.strictObject({ ...requestShape, body: bodyTemplate().optional(), item: jsonPath().prefault('') });

export const pagingSchema = z.discriminatedUnion('style', [
  z.strictObject({ style: z.literal('none') }),
  /** `?offset=0&limit=500`, then offset 500, … (pfSense). */
  z.strictObject({ style: z.literal('offset'), offset: z.string().min(1).default('offset'), limit: z.string().min(1).default('limit') }),
  /** `?current=1&rowCount=500`, then page 2, … (OPNsense bootgrid). */
  z.strictObject({ style: z.literal('page'), page: z.string().min(1).default('page'), size: z.string().min(1).default('size'), firstPage: intField({ min: 0, max: 1 }).default(1) }),
]);

export const listOpSchema = z.strictObject({
  ...requestShape,
  body: bodyTemplate().optional(),
  /** Where the array of objects is in each answer. */
  items: jsonPath().prefault(''),
  /** Where the total count is, when the API gives one; paging stops there. */
  total: jsonPath().optional(),
  paging: pagingSchema.prefault({ style: 'none' }),
  /** Read each listed object again with `fetch` (when search rows lack fields or members, as OPNsense's do). */
  fetchEach: boolField().default(false),
});

const scalar = () => z.union([z.string(), z.number(), z.boolean()]);

export const ERROR_KINDS = ['not-found', 'conflict', 'invalid', 'unavailable', 'internal', 'upstream-auth', 'rate-limited'] as const;

/**
 * One error rule; the first that matches an answer decides it is an error of `kind`. Rules are checked on every
 * answer, 2xx included (OPNsense answers a failed save with 200 and `"result": "failed"`).
 */
export const errorRuleSchema = z
  .strictObject({
    /** HTTP status(es) the rule applies to. */
    status: z.union([intField({ min: 100, max: 599 }), z.array(intField({ min: 100, max: 599 })).min(1)]).optional(),
    /** A body path: the rule applies when it holds a value (one of `equals`, when given). */
    path: jsonPath().optional(),
    equals: z.union([scalar(), z.array(scalar()).min(1)]).optional(),
    /** A regular expression the error text must contain (case-insensitive), e.g. "already exist". */
    matches: z.string().min(1).transform((s, ctx): RegExp => {
      try {
        return new RegExp(s, 'iu');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a regular expression: ${messageOf(err)}` });
        return z.NEVER;
      }
    }).optional(),
    /** Where the error text is (strings, or objects such as OPNsense `validations` flattened to "field: text"). */
    message: jsonPath().optional(),
    kind: z.enum(ERROR_KINDS),
  })
  .superRefine((r, ctx) => {
    if (r.status === undefined && r.path === undefined) ctx.addIssue({ code: 'custom', message: 'an error rule needs status or path (or both)' });
    if (r.equals !== undefined && r.path === undefined) ctx.addIssue({ code: 'custom', path: ['equals'], message: 'equals needs path' });
  })
  .transform((r) => ({
    ...r,
    status: r.status === undefined ? undefined : ([] as number[]).concat(r.status),
    equals: r.equals === undefined ? undefined : ([] as (string | number | boolean)[]).concat(r.equals),
  }));

export type WriteOp = z.output<typeof writeOpSchema>;
export type ReadOp = z.output<typeof readOpSchema>;
export type ListOp = z.output<typeof listOpSchema>;
export type Paging = z.output<typeof pagingSchema>;
export type ErrorRule = z.output<typeof errorRuleSchema>;
/** Any request the profile sends. */
export type RequestOp = WriteOp | ReadOp | ListOp;
