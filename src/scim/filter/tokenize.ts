/**
 * Lexing for SCIM filters and PATCH paths (RFC 7644 §3.4.2.2, §3.5.2): splitting the text into tokens,
 * decoding JSON string literals, and reading the two kinds of bare word (attribute paths and literals).
 * Every failure is a ScimError built by the caller's `fail`, so the filter parser reports invalidFilter and
 * the path parsers invalidPath from the same code.
 */
import type { ScimError } from '../errors.js';
import type { AttrPath, FilterValue } from './ast.js';

/** Who is lexing: `label` starts every message ("filter: …" / "path: …"), `fail` builds the error. */
export interface LexContext {
  readonly label: 'filter' | 'path';
  readonly fail: (detail: string) => ScimError;
}

export type Token =
  | { readonly kind: '(' | ')' | '[' | ']' | 'end'; readonly pos: number; readonly end: number }
  /** A run of anything but whitespace, brackets and quotes: an attribute path, keyword, number, true/false/null. */
  | { readonly kind: 'word'; readonly pos: number; readonly end: number; readonly text: string }
  /** A JSON string; `value` is decoded. */
  | { readonly kind: 'string'; readonly pos: number; readonly end: number; readonly value: string };

export type WordToken = Extract<Token, { kind: 'word' }>;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const PUNCT: Readonly<Record<string, '(' | ')' | '[' | ']'>> = { '(': '(', ')': ')', '[': '[', ']': ']' };

// RFC 7644 asks for single spaces, but clients (and `+` decoded by the HTTP layer) produce runs and tabs.
const isSpace = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR;

const isWordChar = (c: number): boolean =>
  !isSpace(c) && c !== QUOTE && c !== 0x28 && c !== 0x29 && c !== 0x5b && c !== 0x5d;

/** One pass over the text; the result always ends with an 'end' token at `text.length`. */
export function tokenize(text: string, ctx: LexContext): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const punct = PUNCT[text.charAt(i)];
    if (punct !== undefined) {
      tokens.push({ kind: punct, pos: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === QUOTE) {
      const { value, end } = readString(text, i, ctx);
      tokens.push({ kind: 'string', pos: i, end, value });
      i = end;
      continue;
    }
    let j = i + 1;
    while (j < n && isWordChar(text.charCodeAt(j))) j++;
    tokens.push({ kind: 'word', pos: i, end: j, text: text.slice(i, j) });
    i = j;
  }
  tokens.push({ kind: 'end', pos: n, end: n });
  return tokens;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const HEX4 = /^[0-9A-Fa-f]{4}$/;
const hex4 = (code: number): string => code.toString(16).toUpperCase().padStart(4, '0');

/**
 * Decode the JSON string starting at `start` (the opening quote). Written by hand rather than with
 * JSON.parse so that errors carry positions and nothing but a ScimError can come out. Unescaped runs are
 * copied with one slice each, so a megabyte-long value costs one pass.
 */
function readString(text: string, start: number, ctx: LexContext): { value: string; end: number } {
  const parts: string[] = [];
  const n = text.length;
  let chunk = start + 1;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      parts.push(text.slice(chunk, i));
      return { value: parts.join(''), end: i + 1 };
    }
    if (c < 0x20) {
      throw ctx.fail(
        `${ctx.label}: raw control character U+${hex4(c)} at position ${i} in the string starting at position ${start}; escape it`,
      );
    }
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    parts.push(text.slice(chunk, i));
    if (i + 1 >= n) break; // a backslash as the last character: the string never ends
    const e = text.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      parts.push(simple);
      i += 2;
    } else if (e === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!HEX4.test(hex)) {
        throw ctx.fail(`${ctx.label}: "\\u" at position ${i} must be followed by four hex digits`);
      }
      // Surrogate pairs arrive as two escapes; each is one UTF-16 unit, so concatenating them is the decoding.
      parts.push(String.fromCharCode(parseInt(hex, 16)));
      i += 6;
    } else {
      // Show the escape as written when it is printable; otherwise by code, so no raw control char leaks out.
      const shown = /^[!-~]$/.test(e) ? `"\\${e}"` : `"\\" followed by U+${hex4(e.charCodeAt(0))}`;
      throw ctx.fail(`${ctx.label}: invalid escape ${shown} at position ${i} in a string`);
    }
    chunk = i;
  }
  throw ctx.fail(`${ctx.label}: unterminated string starting at position ${start}`);
}

/** ATTRNAME = ALPHA *(nameChar), plus a leading `$` for `$ref`. No nested quantifiers: linear. */
const ATTR_NAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
/** Characters of a URN (RFC 8141) minus the ones that end a token, so the check is a plain scan. */
const URN_CHARS = /^[A-Za-z0-9\-._~:@/!$&'*+,;=%]+$/;

export const isAttrName = (s: string): boolean => ATTR_NAME.test(s);

/**
 * `[urn ":"] name ["." sub]`. URNs contain dots (`…:enterprise:2.0:User`), so the URI is everything up to
 * the LAST colon and only the rest is split on the dot.
 */
export function readAttrPath(text: string, pos: number, ctx: LexContext): AttrPath {
  let uri: string | undefined;
  let rest = text;
  if (text.slice(0, 4).toLowerCase() === 'urn:') {
    const colon = text.lastIndexOf(':');
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
    if (uri.length <= 4 || !URN_CHARS.test(uri) || uri.split(':').includes('')) uri = '';
  }
  const dot = rest.indexOf('.');
  const name = dot < 0 ? rest : rest.slice(0, dot);
  const sub = dot < 0 ? undefined : rest.slice(dot + 1);
  if (uri === '' || !isAttrName(name) || (sub !== undefined && !isAttrName(sub))) {
    throw ctx.fail(
      `${ctx.label}: ${quote(text)} at position ${pos} is not a valid attribute path (expected [urn:…:]name[.subAttribute])`,
    );
  }
  const path: { uri?: string; name: string; sub?: string } = { name };
  if (uri !== undefined) path.uri = uri;
  if (sub !== undefined) path.sub = sub;
  return path;
}

const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** A bare-word operand: a JSON number, or true/false/null in any case (clients send `True`). */
export function readLiteral(tok: WordToken, after: string, ctx: LexContext): FilterValue {
  const lower = tok.text.length <= 5 ? tok.text.toLowerCase() : '';
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (JSON_NUMBER.test(tok.text)) {
    const n = Number(tok.text);
    if (!Number.isFinite(n)) {
      throw ctx.fail(`${ctx.label}: the number ${quote(tok.text)} at position ${tok.pos} is out of range`);
    }
    return n === 0 ? 0 : n; // -0 would surprise every consumer and compares equal anyway
  }
  throw ctx.fail(
    `${ctx.label}: expected a value (a quoted string, a number, true, false or null) after ${quote(after)} ` +
      `at position ${tok.pos}, found ${quote(tok.text)}`,
  );
}

/** Quote source text for a message, cut short so a hostile megabyte never lands in a response or a log. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
