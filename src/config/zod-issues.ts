/**
 * zod issues → config issues: positions from the YAML file, "unknown key … did you mean …", "required key …
 * is missing", and one readable message instead of zod's "Invalid input" for unions.
 */
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import type { ConfigPath } from './issues.js';
import type { ConfigSource } from './yaml-source.js';

type Schema = z.core.$ZodType;
type ZodIssue = z.core.$ZodIssue;

/** How deep the key walker follows lazy schemas before giving up (a recursive schema would loop forever). */
const MAX_UNWRAP_DEPTH = 32;
const NOT_A_MAPPING = 'expected a YAML mapping (key: value lines) at the top level';

/**
 * Validates `data` with `schema` and reports every problem against `source`, with paths prefixed by `prefix`
 * (`['options']` for a connector's own schema). Returns `{ value }`, or undefined when invalid (boxed, because
 * a connector's schema may legitimately produce undefined).
 */
export function parseWithSchema<S extends z.ZodType>(
  source: ConfigSource,
  schema: S,
  data: unknown,
  prefix: ConfigPath = [],
): { readonly value: z.output<S> } | undefined {
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data };
  reportIssues(source, schema, data, prefix, [], result.error.issues);
  return undefined;
}

function reportIssues(
  source: ConfigSource,
  schema: Schema,
  data: unknown,
  prefix: ConfigPath,
  base: ConfigPath,
  issues: readonly ZodIssue[],
): void {
  // An object-level rule ("give sha256, value or file") on an object with a misspelt key is usually broken by
  // the typo; the unknown-key message is the one to fix, so the other is not shown.
  const misspelt = new Set(issues.filter((i) => i.code === 'unrecognized_keys').map((i) => pathKey(i.path)));
  for (const issue of issues) {
    if (issue.code === 'custom' && misspelt.has(pathKey(issue.path))) continue;
    const rel: ConfigPath = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const path: ConfigPath = [...prefix, ...rel];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, rel);
        for (const key of issue.keys) {
          source.issue([...path, key], `unknown key ${JSON.stringify(key)}${didYouMean(key, known)}`, { atKey: true });
        }
        break;
      }
      case 'invalid_union': {
        const plausible = issue.errors.filter((branch) => !branch.every(isWrongShape));
        // When the value's shape picks one branch (an object among "string | object"), its problems are the
        // useful ones; otherwise say which shapes are accepted.
        const only = plausible.length === 1 ? plausible[0] : undefined;
        if (only) reportIssues(source, schema, data, prefix, rel, only);
        else source.issue(path, unionMessage(issue));
        break;
      }
      case 'invalid_type': {
        const missing = isMissingKey(data, rel);
        if (missing !== undefined) source.issue(path, `required key ${JSON.stringify(missing)} is missing`);
        else if (path.length === 0 && issue.expected === 'object') source.issue(path, NOT_A_MAPPING);
        else source.issue(path, issue.message);
        break;
      }
      default:
        source.issue(path, issue.message);
    }
  }
}

/** A union branch that failed only because the value is not that kind of thing (a string, an object). */
const isWrongShape = (i: ZodIssue): boolean => i.code === 'invalid_type' && i.path.length === 0;

const pathKey = (path: readonly PropertyKey[]): string => JSON.stringify(path.map(String));

function unionMessage(issue: Extract<ZodIssue, { code: 'invalid_union' }>): string {
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    for (const i of branch) if (i.code === 'invalid_type' && i.path.length === 0) expected.add(i.expected);
  }
  return expected.size > 0 ? `expected ${[...expected].join(' or ')}` : 'does not match any accepted form';
}

/** The key name when the value at `path` is absent from an object that exists; otherwise undefined. */
function isMissingKey(data: unknown, path: ConfigPath): string | undefined {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  let node: unknown = data;
  for (const seg of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  return Object.hasOwn(node, last) && (node as Record<string, unknown>)[last] !== undefined ? undefined : last;
}

/**
 * The keys an object schema accepts at `path`, looking through wrappers (optional, default, pipe, union…).
 * Empty when the walk cannot tell; then the message simply has no suggestion.
 */
export function knownKeysAt(schema: Schema, path: ConfigPath): string[] {
  let current: Schema[] = [schema];
  for (const seg of path) {
    const next: Schema[] = [];
    for (const s of current.flatMap((c) => unwrap(c, 0))) {
      const def = (s as z.core.$ZodTypes)._zod.def;
      if (def.type === 'object' && typeof seg === 'string') {
        const child = def.shape[seg];
        if (child) next.push(child);
        else if (def.catchall) next.push(def.catchall);
      } else if (def.type === 'array' && typeof seg === 'number') {
        next.push(def.element);
      } else if (def.type === 'record') {
        next.push(def.valueType);
      } else if (def.type === 'tuple' && typeof seg === 'number') {
        const item = def.items[seg] ?? def.rest;
        if (item) next.push(item);
      }
    }
    current = next;
  }
  const keys = new Set<string>();
  for (const s of current.flatMap((c) => unwrap(c, 0))) {
    const def = (s as z.core.$ZodTypes)._zod.def;
    if (def.type === 'object') for (const k of Object.keys(def.shape)) keys.add(k);
  }
  return [...keys];
}

/** The schemas that actually see the value: wrappers removed, both ends of pipes, every union member. */
function unwrap(schema: Schema, depth: number): Schema[] {
  if (depth > MAX_UNWRAP_DEPTH) return [];
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
    case 'success':
      return unwrap(def.innerType, depth + 1);
    case 'pipe':
      return [...unwrap(def.in, depth + 1), ...unwrap(def.out, depth + 1)];
    case 'lazy':
      return unwrap(def.getter(), depth + 1);
    case 'union':
      return def.options.flatMap((o) => unwrap(o, depth + 1));
    case 'intersection':
      return [...unwrap(def.left, depth + 1), ...unwrap(def.right, depth + 1)];
    default:
      return [schema];
  }
}
