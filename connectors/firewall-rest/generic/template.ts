/**
 * The generic profile's template language: a few placeholders in path, query and JSON body templates, and
 * nothing else (no expressions, no code, no eval).
 *
 *   {key}             the object's name (for an update: its current name)
 *   {newKey}          the name after the change (a rename's target; the current name otherwise)
 *   {id}              the native id read from the firewall's answer just before (OPNsense uuid, pfSense index)
 *   {field:NAME}      a mapped native field, as the firewall takes it (`active` already converted)
 *   {members}         a group's member list, written per `membership.format`
 *   {member}          one member's name (per-member membership)
 *   {randomPassword}  32 random characters nobody knows, for APIs that require a password on create
 *   {{ and }}         a literal brace
 *
 * In a path every placeholder is percent-encoded as one URI component (`a/b?c` → `a%2Fb%3Fc`), and `.` or `..`
 * as a value is refused, since URL parsers drop such segments. In a JSON body a string leaf that is exactly one
 * placeholder becomes the value itself with its type (a number id stays a number, `{members}` an array); a
 * leaf whose value is absent (an unset field) is left out of its object. Placeholders inside longer strings are
 * interpolated as text. Bodies are built as values and serialised once by the transport, never concatenated.
 */
import { randomBytes } from 'node:crypto';

export const PLACEHOLDERS = ['key', 'newKey', 'id', 'field', 'members', 'member', 'randomPassword'] as const;
export type PlaceholderName = (typeof PLACEHOLDERS)[number];

export interface Placeholder {
  readonly name: PlaceholderName;
  /** For `field`: the native field name. */
  readonly field?: string;
}

type Segment = { readonly text: string } | { readonly ph: Placeholder };

export interface StringTemplate {
  readonly source: string;
  readonly segments: readonly Segment[];
}

export type BodyTemplate =
  | { readonly t: 'literal'; readonly value: string | number | boolean | null }
  | { readonly t: 'string'; readonly template: StringTemplate }
  | { readonly t: 'array'; readonly items: readonly BodyTemplate[] }
  | { readonly t: 'object'; readonly entries: readonly (readonly [string, BodyTemplate])[] };

/** The values a template is rendered with; an absent one renders as "absent" (see the module comment). */
export interface TemplateValues {
  readonly key?: string;
  readonly newKey?: string;
  readonly id?: string | number;
  readonly member?: string;
  readonly members?: readonly string[] | string;
  /** Native field → the value the firewall takes. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** A template that cannot be rendered (a missing id, a `..` in a path). The profile turns it into a ConnectorError. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const NAME = /^[A-Za-z]+$/;
const FIELD = /^[A-Za-z0-9_.-]+$/;

/** Parses `…{key}…`; throws an Error whose message is meant for the config schema. */
export function parseTemplate(source: string): StringTemplate {
  const segments: Segment[] = [];
  let text = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if ((c === '{' || c === '}') && source[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '}') {
      throw new Error(`"${source}": a "}" without "{" (write "}}" for a literal brace)`);
    } else if (c === '{') {
      const close = source.indexOf('}', i);
      if (close < 0) throw new Error(`"${source}": a "{" without "}" (write "{{" for a literal brace)`);
      const body = source.slice(i + 1, close);
      if (text !== '') segments.push({ text });
      text = '';
      segments.push({ ph: parsePlaceholder(body, source) });
      i = close;
    } else {
      text += c;
    }
  }
  if (text !== '') segments.push({ text });
  return { source, segments };
}

function parsePlaceholder(body: string, source: string): Placeholder {
  const colon = body.indexOf(':');
  const name = colon < 0 ? body : body.slice(0, colon);
  const arg = colon < 0 ? undefined : body.slice(colon + 1);
  const known = PLACEHOLDERS.find((p) => p === name);
  if (!NAME.test(name) || !known) throw new Error(`"${source}": unknown placeholder {${body}}; use ${PLACEHOLDERS.map((p) => (p === 'field' ? '{field:NAME}' : `{${p}}`)).join(', ')}`);
  if (known === 'field') {
    if (arg === undefined || !FIELD.test(arg)) throw new Error(`"${source}": {field:NAME} needs a native field name`);
    return { name: known, field: arg };
  }
  if (arg !== undefined) throw new Error(`"${source}": {${name}} takes no argument`);
  return { name: known };
}

/** Compiles a JSON body template (any YAML value). Object keys are literal, never templated. */
export function parseBody(value: unknown): BodyTemplate {
  if (typeof value === 'string') {
    const template = parseTemplate(value);
    return template.segments.every((s) => 'text' in s) ? { t: 'literal', value: template.segments.map((s) => ('text' in s ? s.text : '')).join('') } : { t: 'string', template };
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return { t: 'literal', value };
  if (Array.isArray(value)) return { t: 'array', items: value.map(parseBody) };
  if (typeof value === 'object') return { t: 'object', entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, parseBody(v)] as const) };
  throw new Error(`a body template holds JSON values only, not ${typeof value}`);
}

/** Every placeholder a template uses. */
export function placeholdersOf(t: StringTemplate | BodyTemplate): Placeholder[] {
  if ('segments' in t) return t.segments.flatMap((s) => ('ph' in s ? [s.ph] : []));
  switch (t.t) {
    case 'literal':
      return [];
    case 'string':
      return placeholdersOf(t.template);
    case 'array':
      return t.items.flatMap(placeholdersOf);
    case 'object':
      return t.entries.flatMap(([, v]) => placeholdersOf(v));
  }
}

const OMIT = Symbol('omit');

/** One render: `{randomPassword}` is the same value wherever it appears in it. */
class Render {
  #password: string | undefined;
  constructor(private readonly values: TemplateValues) {}

  value(p: Placeholder): unknown {
    const v = this.values;
    switch (p.name) {
      case 'field':
        return v.fields?.[p.field!];
      case 'randomPassword':
        return (this.#password ??= randomBytes(24).toString('base64url'));
      default:
        return v[p.name];
    }
  }
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** A path (and query string) with every placeholder encoded as one URI component. */
export function renderPath(t: StringTemplate, values: TemplateValues): string {
  const r = new Render(values);
  return t.segments
    .map((s) => {
      if ('text' in s) return s.text;
      const v = r.value(s.ph);
      if (v === undefined || v === null || v === '') throw new TemplateError(`no value for {${s.ph.name}} in ${t.source}`);
      const str = text(v);
      if (str === '.' || str === '..') throw new TemplateError(`"${str}" cannot be part of a URL path`);
      return encodeURIComponent(str);
    })
    .join('');
}

/** A query parameter's value (the transport encodes it); undefined when it is exactly one absent placeholder. */
export function renderQueryValue(t: StringTemplate, values: TemplateValues): string | undefined {
  const r = new Render(values);
  const [only] = t.segments;
  if (t.segments.length === 1 && only && 'ph' in only) {
    const v = r.value(only.ph);
    return v === undefined || v === null ? undefined : text(v);
  }
  return t.segments.map((s) => ('text' in s ? s.text : text(r.value(s.ph)))).join('');
}

/** A JSON body value from its template. */
export function renderBody(t: BodyTemplate, values: TemplateValues): unknown {
  const out = renderNode(t, new Render(values));
  return out === OMIT ? {} : out;
}

function renderNode(t: BodyTemplate, r: Render): unknown {
  switch (t.t) {
    case 'literal':
      return t.value;
    case 'string': {
      const [only] = t.template.segments;
      if (t.template.segments.length === 1 && only && 'ph' in only) {
        const v = r.value(only.ph);
        return v === undefined ? OMIT : Array.isArray(v) ? [...(v as unknown[])] : v;
      }
      return t.template.segments.map((s) => ('text' in s ? s.text : text(r.value(s.ph)))).join('');
    }
    case 'array':
      return t.items.map((i) => renderNode(i, r)).filter((v) => v !== OMIT);
    case 'object': {
      // A null-prototype object: a `__proto__` key in a template stays an ordinary key.
      const obj: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of t.entries) {
        const out = renderNode(v, r);
        if (out !== OMIT) obj[k] = out;
      }
      return obj;
    }
  }
}
