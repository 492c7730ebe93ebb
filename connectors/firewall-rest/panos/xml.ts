/**
 * The XML the PAN-OS profile reads and writes. PAN-OS answers every XML API call with a small, well-formed
 * `<response status="…" code="…">` document, so a bounded reader is enough: elements, attributes, text, CDATA,
 * the five predefined entities and numeric references. Comments and the `<?xml?>` declaration are skipped;
 * a DTD is refused (no entity expansion, so no "billion laughs"); length, depth and element count are capped.
 * The parser is iterative, so a deep document cannot exhaust the stack.
 */

export interface XmlElement {
  readonly name: string;
  /** A Map, so an attribute called `__proto__` is just an attribute. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly (XmlElement | string)[];
}

export interface XmlLimits {
  /** Characters. The transport bounds the response size too; this guards the parser on its own. */
  readonly maxChars: number;
  readonly maxDepth: number;
  readonly maxElements: number;
}

export const XML_LIMITS: XmlLimits = { maxChars: 64 * 1024 * 1024, maxDepth: 32, maxElements: 2_000_000 };

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

interface Building {
  readonly name: string;
  readonly attrs: Map<string, string>;
  readonly children: (XmlElement | string)[];
}

const NAME = /[A-Za-z_:][-\w.:]*/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITY = /&([^;&]*);?/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses one document with a single root element. Throws XmlError on anything malformed or over a limit. */
export function parseXml(text: string, limits: XmlLimits = XML_LIMITS): XmlElement {
  if (text.length > limits.maxChars) throw new XmlError(`XML longer than ${limits.maxChars} characters`);
  const doc: Building = { name: '#document', attrs: new Map(), children: [] };
  const stack: Building[] = [doc];
  let elements = 0;
  let i = 0;
  while (i < text.length) {
    const top = stack[stack.length - 1]!;
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? text.length : lt;
    if (end > i) addText(top, decode(text.slice(i, end)), stack.length);
    if (lt === -1) break;
    if (text.startsWith('<?', lt)) i = skipPast(text, '?>', lt + 2);
    else if (text.startsWith('<!--', lt)) i = skipPast(text, '-->', lt + 4);
    else if (text.startsWith('<![CDATA[', lt)) {
      i = skipPast(text, ']]>', lt + 9);
      addText(top, text.slice(lt + 9, i - 3), stack.length);
    } else if (text.startsWith('<!', lt)) throw new XmlError('DTDs and declarations are not accepted');
    else if (text[lt + 1] === '/') {
      const name = readName(text, lt + 2);
      const close = skipSpace(text, lt + 2 + name.length);
      if (text[close] !== '>') throw new XmlError(`expected '>' at ${close}`);
      if (stack.length === 1 || top.name !== name) throw new XmlError(`unexpected </${name}>`);
      stack.pop();
      i = close + 1;
    } else {
      if (++elements > limits.maxElements) throw new XmlError(`more than ${limits.maxElements} elements`);
      if (stack.length > limits.maxDepth) throw new XmlError(`nested deeper than ${limits.maxDepth}`);
      const { element, end: after, selfClosing } = readOpenTag(text, lt + 1);
      top.children.push(element);
      if (!selfClosing) stack.push(element);
      i = after;
    }
  }
  if (stack.length > 1) throw new XmlError(`<${stack[stack.length - 1]!.name}> is not closed`);
  const roots = doc.children.filter((c): c is XmlElement => typeof c !== 'string');
  if (roots.length !== 1) throw new XmlError(`expected one root element, found ${roots.length}`);
  return roots[0]!;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content or a quoted attribute value. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * Characters XML 1.0 cannot carry at all, escaped or not (C0 controls other than tab, LF and CR; lone
 * surrogates; U+FFFE/U+FFFF). A value holding one cannot be sent to PAN-OS.
 */
export function hasNonXmlChars(value: string): boolean {
  return /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

/** The first child element called `name`. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
}

/** Child elements, all or those called `name`. */
export function children(el: XmlElement | undefined, name?: string): XmlElement[] {
  if (!el) return [];
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

/** The element's own text (CDATA included), without its children's. */
export function textOf(el: XmlElement | undefined): string {
  return el ? el.children.filter((c): c is string => typeof c === 'string').join('') : '';
}

/** Text of the element and everything below it, in document order. */
export function deepText(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : deepText(c))).join('');
}

function readOpenTag(text: string, at: number): { element: Building; end: number; selfClosing: boolean } {
  const name = readName(text, at);
  const element: Building = { name, attrs: new Map(), children: [] };
  let i = at + name.length;
  for (;;) {
    const next = skipSpace(text, i);
    if (text.startsWith('/>', next)) return { element, end: next + 2, selfClosing: true };
    if (text[next] === '>') return { element, end: next + 1, selfClosing: false };
    if (next === i) throw new XmlError(`expected whitespace, '>' or '/>' at ${next}`);
    const attr = readName(text, next);
    let j = skipSpace(text, next + attr.length);
    if (text[j] !== '=') throw new XmlError(`expected '=' after ${attr}`);
    j = skipSpace(text, j + 1);
    const quote = text[j];
    if (quote !== '"' && quote !== "'") throw new XmlError(`expected a quoted value for ${attr}`);
    const close = text.indexOf(quote, j + 1);
    if (close === -1) throw new XmlError(`unterminated value of ${attr}`);
    const raw = text.slice(j + 1, close);
    if (raw.includes('<')) throw new XmlError(`'<' in the value of ${attr}`);
    if (element.attrs.has(attr)) throw new XmlError(`duplicate attribute ${attr}`);
    element.attrs.set(attr, decode(raw));
    i = close + 1;
  }
}

function addText(top: Building, value: string, depth: number): void {
  if (depth > 1) {
    const last = top.children[top.children.length - 1];
    if (typeof last === 'string') top.children[top.children.length - 1] = last + value;
    else top.children.push(value);
  } else if (value.trim() !== '') throw new XmlError('text outside the root element');
}

function decode(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(ENTITY, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new XmlError(`bare '&' in text`);
    const named = NAMED[body];
    if (named !== undefined && Object.hasOwn(NAMED, body)) return named;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(body) ? parseInt(body.slice(2), 16) : /^#[0-9]{1,7}$/.test(body) ? parseInt(body.slice(1), 10) : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`unknown entity &${body};`);
    return String.fromCodePoint(code);
  });
}

function readName(text: string, at: number): string {
  NAME.lastIndex = at;
  const m = NAME.exec(text);
  if (!m) throw new XmlError(`expected a name at ${at}`);
  return m[0];
}

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

function skipPast(text: string, marker: string, from: number): number {
  const at = text.indexOf(marker, from);
  if (at === -1) throw new XmlError(`unterminated ${marker === '-->' ? 'comment' : marker === ']]>' ? 'CDATA section' : 'declaration'}`);
  return at + marker.length;
}
