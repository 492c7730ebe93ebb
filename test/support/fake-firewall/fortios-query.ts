/**
 * FortiOS CMDB list queries for the fake: `filter`, `start`/`count`, `format`, and how entries are shown.
 *
 * Filter syntax (research B1 and hfortix's FORTIOS_API_GUIDE): `filter=<key><op><value>`; several `filter=`
 * parameters are AND, commas inside one are OR. Operators: `==` (case-sensitive), `=*` (case-insensitive),
 * `!=`, `!*`, `=@` (contains, case-insensitive), `!@`, `<`, `<=`, `>`, `>=`. A backslash escapes the next
 * character in a value (`\,` `\.` `\\`). A dotted key (`member.name`) reaches into table fields, matching
 * when any row matches: the CMDB "deep search" (inferred, research B6).
 */
import { CmdbFailure, FORTI_ERROR, type CmdbEntry } from './fortios-schema.js';

type Op = '==' | '=*' | '!=' | '!*' | '=@' | '!@' | '<' | '<=' | '>' | '>=';
interface Clause {
  readonly path: readonly string[];
  readonly op: Op;
  readonly value: string;
}

const CLAUSE = /^([^=!<>]+)(==|=\*|=@|!=|!\*|!@|<=|>=|<|>)(.*)$/s;

// Inferred: FortiOS's answer to a malformed filter or paging value is undocumented; the fake says -651.
const badQuery = (message: string) => new CmdbFailure(500, FORTI_ERROR.invalidValue, message);

/** Parses every `filter=` parameter into a predicate (AND of ORs). */
export function parseFilters(filters: readonly string[]): (entry: CmdbEntry) => boolean {
  const groups = filters.map((f) => splitUnescaped(f).map(parseClause));
  return (entry) => groups.every((anyOf) => anyOf.some((c) => matches(entry, c)));
}

function parseClause(text: string): Clause {
  const m = CLAUSE.exec(text);
  if (!m) throw badQuery(`invalid filter "${text}"`);
  return { path: m[1]!.split('.'), op: m[2] as Op, value: unescape(m[3]!) };
}

/** Splits on commas not preceded by a backslash, keeping escapes for `unescape`. */
function splitUnescaped(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i]!;
    } else if (ch === ',') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/gs, '$1');
}

function matches(entry: CmdbEntry, clause: Clause): boolean {
  const values = resolve(entry, clause.path);
  const positive = values.some((v) => compare(v, clause.op, clause.value));
  // A negated operator holds when no value matches its positive form (so an absent field is "not equal").
  switch (clause.op) {
    case '!=':
      return !values.some((v) => compare(v, '==', clause.value));
    case '!*':
      return !values.some((v) => compare(v, '=*', clause.value));
    case '!@':
      return !values.some((v) => compare(v, '=@', clause.value));
    default:
      return positive;
  }
}

/** The scalar values at `path`, flattening table (array) fields on the way. */
function resolve(node: unknown, path: readonly string[]): string[] {
  if (Array.isArray(node)) return node.flatMap((n) => resolve(n, path));
  if (path.length === 0) return node === undefined || node === null || typeof node === 'object' ? [] : [String(node)];
  if (typeof node !== 'object' || node === null) return [];
  return resolve((node as Record<string, unknown>)[path[0]!], path.slice(1));
}

function compare(actual: string, op: Op, expected: string): boolean {
  switch (op) {
    case '==':
      return actual === expected;
    case '=*':
      return actual.toLowerCase() === expected.toLowerCase();
    case '=@':
      return actual.toLowerCase().includes(expected.toLowerCase());
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const [a, b] = [Number(actual), Number(expected)];
      const order = Number.isFinite(a) && Number.isFinite(b) ? a - b : actual < expected ? -1 : actual > expected ? 1 : 0;
      return op === '<' ? order < 0 : op === '<=' ? order <= 0 : op === '>' ? order > 0 : order >= 0;
    }
    default:
      return false; // negations are handled in `matches`
  }
}

/** `start`/`count` from the query; absent `count` means everything from `start`. */
export function parsePaging(query: URLSearchParams): { start: number; count: number } {
  const read = (key: string, fallback: number): number => {
    const raw = query.get(key);
    if (raw === null || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) throw badQuery(`${key} must be a non-negative integer`);
    return Number(raw);
  };
  return { start: read('start', 0), count: read('count', Infinity) };
}

/** How FortiOS shows an entry: `q_origin_key` after `name`, `passwd` masked, members with their own key. */
export function viewEntry(entry: CmdbEntry, format: readonly string[] | undefined): Record<string, unknown> {
  const { name, ...rest } = entry;
  const shown: Record<string, unknown> = { name, q_origin_key: name };
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'passwd') shown[key] = 'ENC XXXX'; // research B1 sample: never returned in clear
    else if (key === 'member' && Array.isArray(value)) shown[key] = (value as { name: string }[]).map((m) => ({ name: m.name, q_origin_key: m.name }));
    else shown[key] = structuredClone(value);
  }
  if (!format) return shown;
  return Object.fromEntries(Object.entries(shown).filter(([k]) => k === 'q_origin_key' || format.includes(k)));
}

/** `format=name|status` (research B1), or undefined for every field. */
export function parseFormat(query: URLSearchParams): string[] | undefined {
  const raw = query.get('format');
  return raw ? raw.split('|').filter(Boolean) : undefined;
}
