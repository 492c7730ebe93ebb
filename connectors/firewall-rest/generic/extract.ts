/**
 * Reading JSON answers: dotted paths (`data`, `rows`, `result.uuid`, `data.0.name`), member lists in the shapes
 * firewalls use, and error texts. Only own properties are followed, so a path can never reach `__proto__` or
 * `constructor` of an answer; nothing here evaluates anything.
 */

/** A dotted path as parsed at config time: `''` (the whole value) is `[]`. */
export type JsonPath = readonly string[];

const SEGMENT = /^[^.\s]+$/;

/** Splits `a.b.0`; throws a message for the config schema on an empty segment. */
export function parsePath(text: string): JsonPath {
  if (text === '' || text === '.') return [];
  const parts = text.split('.');
  for (const p of parts) if (!SEGMENT.test(p)) throw new Error(`"${text}" is not a dotted path (segments of letters, digits, "_" or "-", separated by ".")`);
  return parts;
}

export const formatPath = (path: JsonPath): string => (path.length === 0 ? '(the whole answer)' : path.join('.'));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at `path`, or undefined when any step is missing. Array steps are decimal indexes. */
export function readPath(value: unknown, path: JsonPath): unknown {
  let v = value;
  for (const step of path) {
    if (Array.isArray(v)) {
      if (!/^\d+$/.test(step)) return undefined;
      v = v[Number(step)];
    } else if (isRecord(v)) {
      if (!Object.hasOwn(v, step)) return undefined;
      v = v[step];
    } else {
      return undefined;
    }
  }
  return v;
}

/** JSON.parse that answers undefined instead of throwing (an HTML error page, an empty body). */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Member names from a group's member value, whatever its shape:
 *  - an array of names (pfSense `member: ["jdoe"]`), or of objects with a `name` (FortiOS style);
 *  - a comma-separated string (`"jdoe,bob"`);
 *  - an option map `{ "<key>": { "value": "<name>", "selected": 1 } }` (OPNsense `get`), selected entries only.
 */
export function readMembers(raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (Array.isArray(raw)) {
    return raw.flatMap((m: unknown) => {
      if (typeof m === 'string' && m !== '') return [m];
      if (typeof m === 'number') return [String(m)];
      const name = isRecord(m) ? m['name'] : undefined;
      return typeof name === 'string' && name !== '' ? [name] : [];
    });
  }
  if (isRecord(raw)) return optionEntries(raw).flatMap((o) => (o.selected ? [o.name] : []));
  return [];
}

export interface OptionEntry {
  readonly key: string;
  readonly name: string;
  readonly selected: boolean;
}

/** Entries of an option map; entries that are not `{ value: string }` are skipped. */
export function optionEntries(raw: unknown): OptionEntry[] {
  if (!isRecord(raw)) return [];
  return Object.entries(raw).flatMap(([key, o]) => {
    if (!isRecord(o) || typeof o['value'] !== 'string') return [];
    const s = o['selected'];
    return [{ key, name: o['value'], selected: s === 1 || s === true || s === '1' }];
  });
}

const MAX_TEXT = 500;

/** An error text from a JSON value: strings as they are, objects as `key: text; …` (OPNsense `validations`). */
export function textOf(value: unknown): string | undefined {
  const parts: string[] = [];
  const walk = (v: unknown, prefix: string): void => {
    if (parts.length > 20) return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      const s = String(v).replace(/\s+/g, ' ').trim();
      if (s !== '') parts.push(prefix ? `${prefix}: ${s}` : s);
    } else if (Array.isArray(v)) {
      for (const e of v) walk(e, prefix);
    } else if (isRecord(v)) {
      for (const [k, e] of Object.entries(v)) walk(e, k);
    }
  };
  walk(value, '');
  const text = parts.join('; ');
  if (text === '') return undefined;
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

export { isRecord };
