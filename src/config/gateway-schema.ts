/**
 * The gateway file: server, logging, limits, which connector files to load, and the endpoints. Defaults live
 * here and nowhere else. Cross-file rules (connector ids, overlapping paths, shared tokens) are in
 * endpoint-checks.ts and tokens.ts, because one schema cannot see them.
 */
import { z } from 'zod';
import { DEFAULT_FILTER_LIMITS } from '../scim/filter/ast.js';
import { boolField, intField, portField } from './fields.js';
import { Secret, secret } from './secret.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const nonEmpty = () => z.string().min(1, 'must not be empty');

const tlsSchema = z.strictObject({
  certFile: nonEmpty(),
  keyFile: nonEmpty(),
});

const serverSchema = z
  .strictObject({
    host: nonEmpty().default('127.0.0.1'),
    port: portField().default(8080),
    // Both or neither: a missing one is reported as a required key.
    tls: tlsSchema.optional(),
    bodyLimitBytes: intField({ min: 1024 }).default(1_048_576),
    drainTimeoutMs: intField({ min: 0 }).default(10_000),
    // src/heap-governor.ts: a full collection once the heap grows past growth × live + slackMB.
    heapGovernor: z
      .strictObject({
        enabled: boolField().default(true),
        growth: z.number().min(1.1).max(10).default(1.5),
        slackMB: intField({ min: 0 }).default(48),
      })
      .prefault({}),
  })
  .prefault({});

const loggingSchema = z
  .strictObject({
    level: z.enum(LOG_LEVELS).default('info'),
  })
  .prefault({});

const filterLimitsSchema = z
  .strictObject({
    maxLength: intField({ min: 1 }).default(DEFAULT_FILTER_LIMITS.maxLength),
    maxDepth: intField({ min: 1 }).default(DEFAULT_FILTER_LIMITS.maxDepth),
    maxClauses: intField({ min: 1 }).default(DEFAULT_FILTER_LIMITS.maxClauses),
  })
  .prefault({});

const limitsSchema = z
  .strictObject({
    filter: filterLimitsSchema,
    defaultPageSize: intField({ min: 1 }).default(100),
    maxPageSize: intField({ min: 1 }).default(1000),
    maxOperations: intField({ min: 1 }).default(1000),
    maxMembersPerRequest: intField({ min: 1 }).default(10_000),
  })
  .superRefine((l, ctx) => {
    if (l.defaultPageSize > l.maxPageSize) {
      ctx.addIssue({ code: 'custom', path: ['defaultPageSize'], message: `must not exceed maxPageSize (${l.maxPageSize})` });
    }
  })
  .prefault({});

/** RFC 3986 path characters, one or more non-empty segments. */
const PATH_SEGMENTS = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/;

export const endpointPathSchema = z.string().superRefine((p, ctx) => {
  const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
  if (!p.startsWith('/')) fail('must start with "/"');
  else if (p.length > 1 && p.endsWith('/')) fail('must not end with "/"');
  else if (p === '/') fail('must not be "/" alone: it would overlap every other route');
  else if (/[?#]/.test(p)) fail('must not contain "?" or "#"');
  else if (p.includes('//')) fail('must not contain an empty segment ("//")');
  else if (!PATH_SEGMENTS.test(p)) fail('must contain only URL path characters (letters, digits, "-", ".", "_", "~" …)');
});

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** A token entry after parsing. Plain tokens are Secrets; nothing here prints a token. */
export type TokenSpec =
  | { readonly kind: 'plain'; readonly token: Secret }
  | { readonly kind: 'sha256'; readonly digest: Buffer }
  | { readonly kind: 'file'; readonly value: Secret | undefined; readonly file: string | undefined; readonly generate: boolean };

const tokenObjectSchema = z
  .strictObject({
    sha256: z.string().regex(SHA256_HEX, 'must be 64 hex digits (the SHA-256 of the token)').optional(),
    value: z.string().optional(),
    file: z.string().optional(),
    generate: boolField().optional(),
  })
  .superRefine((t, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (t.sha256 !== undefined) {
      if (t.value !== undefined || t.file !== undefined || t.generate !== undefined) {
        fail('sha256 stands alone: do not combine it with value, file or generate');
      }
    } else if (t.value === undefined && t.file === undefined) {
      fail('give a token as sha256, value or file');
    } else if (t.generate === true && (t.file === undefined || t.file === '')) {
      fail('generate: true needs a file to store the generated token in');
    }
  })
  .transform((t): TokenSpec => {
    if (t.sha256 !== undefined) return { kind: 'sha256', digest: Buffer.from(t.sha256, 'hex') };
    return {
      kind: 'file',
      // An empty value is how `${env:SCIM_TOKEN:-}` says "no token in the environment, use the file".
      value: t.value === undefined || t.value === '' ? undefined : new Secret(t.value),
      file: t.file === undefined || t.file === '' ? undefined : t.file,
      generate: t.generate ?? false,
    };
  });

export const tokenSchema = z.union([secret().transform((token): TokenSpec => ({ kind: 'plain', token })), tokenObjectSchema]);

export const connectorRefSchema = nonEmpty();

export const endpointSchema = z.strictObject({
  path: endpointPathSchema,
  connector: connectorRefSchema,
  tokens: z.array(tokenSchema).min(1, 'declare at least one token'),
});

export const gatewayFileSchema = z.strictObject({
  server: serverSchema,
  logging: loggingSchema,
  limits: limitsSchema,
  connectors: z.array(nonEmpty()).min(1, 'list at least one connector file'),
  endpoints: z.array(endpointSchema).min(1, 'declare at least one endpoint'),
});

/** The whole gateway file, validated, defaults applied. */
export type GatewayFileConfig = z.output<typeof gatewayFileSchema>;
export type EndpointFileConfig = GatewayFileConfig['endpoints'][number];
export type ServerConfig = GatewayFileConfig['server'];
export type TlsConfig = NonNullable<ServerConfig['tls']>;
export type LoggingConfig = GatewayFileConfig['logging'];
export type LogLevel = LoggingConfig['level'];
export type LimitsConfig = GatewayFileConfig['limits'];

/** What the server needs from the gateway file besides connectors and endpoints (those are resolved separately). */
export type GatewayConfig = Pick<GatewayFileConfig, 'server' | 'logging' | 'limits'>;
