/**
 * The XPath subset the fake PAN-OS understands: absolute paths of named steps, each with optional predicates
 * `[@attr='v']`, `[text()='v']`, `[.='v']` or `[child/path='v']` (true when any node the path reaches has that
 * text, XPath's node-set equality). String literals are XPath 1.0's: '…' or "…" with no escapes, so a name holding
 * both quote kinds cannot be written (PAN-OS connectors reject such names; research B6).
 */
import { childElements, textOf, type XmlElement } from './panos-xml.js';

export type Predicate =
  | { readonly kind: 'attr'; readonly name: string; readonly value: string }
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'child'; readonly path: readonly string[]; readonly value: string };

export interface Step {
  readonly name: string;
  readonly predicates: readonly Predicate[];
}

export class XpathSyntaxError extends Error {
  override readonly name = 'XpathSyntaxError';
}

const NAME = /[A-Za-z_][-\w.]*/y;

export function parseXpath(xpath: string): Step[] {
  if (!xpath.startsWith('/')) throw new XpathSyntaxError(`not an absolute path: ${xpath}`);
  const steps: Step[] = [];
  let i = 0;
  while (i < xpath.length) {
    if (xpath[i] !== '/') throw new XpathSyntaxError(`expected '/' at ${i}`);
    const name = readName(xpath, i + 1);
    i += 1 + name.length;
    const predicates: Predicate[] = [];
    while (xpath[i] === '[') {
      const { predicate, end } = readPredicate(xpath, i + 1);
      predicates.push(predicate);
      i = end;
    }
    steps.push({ name, predicates });
  }
  return steps;
}

/** Quotes a value as an XPath string literal: '…', or "…" when it holds a '. Throws when it holds both. */
export function quoteXpathLiteral(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new XpathSyntaxError(`an XPath literal cannot hold both ' and ": ${value}`);
}

export function matches(el: XmlElement, step: Step): boolean {
  return el.name === step.name && step.predicates.every((p) => holds(el, p));
}

/** The value a predicate pins for a step that names one new node: `entry[@name='x']` or `member[text()='x']`. */
export function identityOf(step: Step): { readonly attr?: string; readonly text?: string } | undefined {
  if (step.predicates.length === 0) return {};
  const [p] = step.predicates;
  if (step.predicates.length > 1 || p === undefined) return undefined;
  if (p.kind === 'attr' && p.name === 'name') return { attr: p.value };
  if (p.kind === 'text') return { text: p.value };
  return undefined;
}

function holds(el: XmlElement, p: Predicate): boolean {
  switch (p.kind) {
    case 'attr':
      return el.attrs[p.name] === p.value;
    case 'text':
      return textOf(el) === p.value;
    case 'child': {
      let level = [el];
      for (const name of p.path) level = level.flatMap((n) => childElements(n, name));
      return level.some((n) => textOf(n) === p.value);
    }
  }
}

function readPredicate(xpath: string, at: number): { predicate: Predicate; end: number } {
  let i = skipSpace(xpath, at);
  let left: { kind: 'attr'; name: string } | { kind: 'text' } | { kind: 'child'; path: string[] };
  if (xpath[i] === '@') {
    const name = readName(xpath, i + 1);
    left = { kind: 'attr', name };
    i += 1 + name.length;
  } else if (xpath.startsWith('text()', i)) {
    left = { kind: 'text' };
    i += 'text()'.length;
  } else if (xpath[i] === '.') {
    left = { kind: 'text' };
    i += 1;
  } else {
    const path = [readName(xpath, i)];
    i += path[0]!.length;
    while (xpath[i] === '/') {
      const name = readName(xpath, i + 1);
      path.push(name);
      i += 1 + name.length;
    }
    left = { kind: 'child', path };
  }
  i = skipSpace(xpath, i);
  if (xpath[i] !== '=') throw new XpathSyntaxError(`expected '=' at ${i}`);
  i = skipSpace(xpath, i + 1);
  const quote = xpath[i];
  if (quote !== "'" && quote !== '"') throw new XpathSyntaxError(`expected a string literal at ${i}`);
  const close = xpath.indexOf(quote, i + 1);
  if (close === -1) throw new XpathSyntaxError('unterminated string literal');
  const value = xpath.slice(i + 1, close);
  i = skipSpace(xpath, close + 1);
  if (xpath[i] !== ']') throw new XpathSyntaxError(`expected ']' at ${i}`);
  return { predicate: { ...left, value }, end: i + 1 };
}

function readName(xpath: string, at: number): string {
  NAME.lastIndex = at;
  const m = NAME.exec(xpath);
  if (!m) throw new XpathSyntaxError(`expected a name at ${at}`);
  return m[0];
}

function skipSpace(s: string, i: number): number {
  while (s[i] === ' ') i++;
  return i;
}
