/**
 * A small, bounded XML parser and serializer for the fake PAN-OS (panos.ts): enough for the `element` and `cmd`
 * fragments a connector sends and for the config tree the fake keeps. Elements, attributes, text, CDATA, the five
 * named entities and numeric references; comments and processing instructions are skipped; DTDs are refused
 * (no entity expansion). Namespaces are just names with a colon.
 */

export interface XmlElement {
  name: string;
  /** Null-prototype record, so an attribute called `__proto__` is just an attribute. */
  attrs: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

export interface XmlLimits {
  /** Characters; PAN-OS takes POST bodies up to 5 MB. */
  readonly maxLength: number;
  readonly maxDepth: number;
  readonly maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxLength: 5 * 1024 * 1024, maxDepth: 64, maxElements: 200_000 };

const NAME = /[A-Za-z_:][-\w.:]*/y;
const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g;
const BARE_AMP = /&(?!(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);)/;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function element(name: string, attrs: Record<string, string> = {}, children: XmlNode[] = []): XmlElement {
  return { name, attrs: Object.assign(Object.create(null) as Record<string, string>, attrs), children };
}

/** Parses a fragment: zero or more top-level elements and text. Whitespace-only text next to elements is dropped. */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlNode[] {
  if (text.length > limits.maxLength) throw new XmlSyntaxError(`document longer than ${limits.maxLength} characters`);
  const root = element('#fragment');
  const stack: XmlElement[] = [root];
  let elements = 0;
  let i = 0;
  while (i < text.length) {
    const top = stack[stack.length - 1]!;
    const lt = text.indexOf('<', i);
    const textEnd = lt === -1 ? text.length : lt;
    if (textEnd > i) appendText(top, decode(text.slice(i, textEnd)));
    if (lt === -1) break;
    if (text.startsWith('<!--', lt)) {
      i = after(text, '-->', lt + 4, 'comment');
    } else if (text.startsWith('<![CDATA[', lt)) {
      i = after(text, ']]>', lt + 9, 'CDATA section');
      appendText(top, text.slice(lt + 9, i - 3));
    } else if (text.startsWith('<?', lt)) {
      i = after(text, '?>', lt + 2, 'processing instruction');
    } else if (text.startsWith('<!', lt)) {
      throw new XmlSyntaxError('DTDs and declarations are not accepted');
    } else if (text[lt + 1] === '/') {
      const name = readName(text, lt + 2);
      const open = stack.pop();
      if (open === undefined || open === root || open.name !== name) throw new XmlSyntaxError(`unexpected </${name}>`);
      dropBlankText(open);
      i = skipSpace(text, lt + 2 + name.length);
      if (text[i] !== '>') throw new XmlSyntaxError(`malformed </${name}>`);
      i++;
    } else {
      const name = readName(text, lt + 1);
      const el = element(name);
      i = lt + 1 + name.length;
      let selfClosing = false;
      for (;;) {
        const j = skipSpace(text, i);
        if (text.startsWith('/>', j)) [i, selfClosing] = [j + 2, true];
        else if (text[j] === '>') i = j + 1;
        else {
          if (j === i) throw new XmlSyntaxError(`malformed <${name}>`);
          i = readAttribute(text, j, el);
          continue;
        }
        break;
      }
      if (++elements > limits.maxElements) throw new XmlSyntaxError(`more than ${limits.maxElements} elements`);
      top.children.push(el);
      if (!selfClosing) stack.push(el);
      if (stack.length - 1 > limits.maxDepth) throw new XmlSyntaxError(`nested deeper than ${limits.maxDepth}`);
    }
  }
  if (stack.length > 1) throw new XmlSyntaxError(`<${stack[stack.length - 1]!.name}> is not closed`);
  dropBlankText(root);
  return root.children;
}

/** Serializes nodes; an element without children is written `<name/>`. */
export function serializeXml(nodes: XmlNode | readonly XmlNode[]): string {
  const list: readonly XmlNode[] = Array.isArray(nodes) ? nodes : [nodes as XmlNode];
  let out = '';
  for (const node of list) {
    if (typeof node === 'string') {
      out += escapeText(node);
      continue;
    }
    out += `<${node.name}`;
    for (const [k, v] of Object.entries(node.attrs)) out += ` ${k}="${escapeAttr(v)}"`;
    out += node.children.length === 0 ? '/>' : `>${serializeXml(node.children)}</${node.name}>`;
  }
  return out;
}

/** `<![CDATA[…]]>`, splitting any `]]>` in the text. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

export function escapeText(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replaceAll('"', '&quot;');
}

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  return childElements(el, name)[0];
}

/** The element's own text (its string children joined). */
export function textOf(el: XmlElement): string {
  return el.children.filter((c): c is string => typeof c === 'string').join('');
}

export function cloneElement(el: XmlElement): XmlElement {
  return element(el.name, el.attrs, el.children.map((c) => (typeof c === 'string' ? c : cloneElement(c))));
}

function appendText(el: XmlElement, s: string): void {
  const last = el.children.length - 1;
  if (typeof el.children[last] === 'string') el.children[last] += s;
  else el.children.push(s);
}

function dropBlankText(el: XmlElement): void {
  if (el.children.some((c) => typeof c !== 'string')) el.children = el.children.filter((c) => typeof c !== 'string' || c.trim() !== '');
}

function readName(text: string, at: number): string {
  NAME.lastIndex = at;
  const m = NAME.exec(text);
  if (!m) throw new XmlSyntaxError(`expected a name at offset ${at}`);
  return m[0];
}

function readAttribute(text: string, at: number, el: XmlElement): number {
  const name = readName(text, at);
  let i = skipSpace(text, at + name.length);
  if (text[i] !== '=') throw new XmlSyntaxError(`attribute ${name} has no value`);
  i = skipSpace(text, i + 1);
  const quote = text[i];
  if (quote !== '"' && quote !== "'") throw new XmlSyntaxError(`attribute ${name} is not quoted`);
  const close = text.indexOf(quote, i + 1);
  if (close === -1) throw new XmlSyntaxError(`attribute ${name} is not terminated`);
  const raw = text.slice(i + 1, close);
  if (raw.includes('<')) throw new XmlSyntaxError(`'<' in attribute ${name}`);
  if (Object.hasOwn(el.attrs, name)) throw new XmlSyntaxError(`duplicate attribute ${name}`);
  el.attrs[name] = decode(raw);
  return close + 1;
}

function decode(s: string): string {
  if (!s.includes('&')) return s;
  if (BARE_AMP.test(s)) throw new XmlSyntaxError('unescaped & or unknown entity');
  return s.replace(ENTITY, (_, ref: string) => {
    if (!ref.startsWith('#')) return NAMED[ref]!;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    try {
      return String.fromCodePoint(code);
    } catch {
      throw new XmlSyntaxError(`bad character reference &${ref};`);
    }
  });
}

function after(text: string, terminator: string, from: number, what: string): number {
  const end = text.indexOf(terminator, from);
  if (end === -1) throw new XmlSyntaxError(`${what} is not terminated`);
  return end + terminator.length;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  return i;
}
