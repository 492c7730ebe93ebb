/**
 * Parsers for SCIM filters (RFC 7644 §3.4.2.2), PATCH paths (§3.5.2) and bare attribute paths
 * (`attributes=`, `sortBy=`, mapping keys). Hand-written recursive descent: filters arrive from the
 * network, so input length is checked before anything else, nesting is capped before each recursion (the
 * stack depth is bounded by `maxDepth`, not by the input) and the number of clauses is capped as they are
 * read. Only ScimErrors come out: invalidFilter from parseFilter, invalidPath from the path parsers.
 */
import { invalidFilter, invalidPath, ScimError } from '../errors.js';
import {
  DEFAULT_FILTER_LIMITS,
  type AttrPath,
  type CompareOp,
  type Filter,
  type FilterLimits,
  type FilterValue,
  type PatchPath,
} from './ast.js';
import { isAttrName, quote, readAttrPath, readLiteral, tokenize, type LexContext, type Token } from './tokenize.js';

const FILTER_CTX: LexContext = { label: 'filter', fail: invalidFilter };
const PATH_CTX: LexContext = { label: 'path', fail: invalidPath };

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const isCompareOp = (op: string): op is CompareOp => COMPARE_OPS.has(op);
/**
 * Words that cannot start an attribute expression inside a filter. The grammar would let an attribute be
 * called `eq` or `and`, but no schema does, and reserving them turns `eq "x"` into "expected an attribute
 * path" instead of a baffling "expected a comparison operator after "eq"".
 */
const RESERVED: ReadonlySet<string> = new Set(['and', 'or', 'not', 'pr', ...COMPARE_OPS]);

export function parseFilter(text: string, limits: FilterLimits = DEFAULT_FILTER_LIMITS): Filter {
  return guard(FILTER_CTX, () => {
    checkLength(text, limits.maxLength, FILTER_CTX);
    const parser = new Parser(text, FILTER_CTX, limits);
    if (parser.peek().kind === 'end') throw invalidFilter('filter is empty');
    const filter = parser.parseOr(0, false);
    parser.expectEnd();
    return filter;
  });
}

/** `attrPath` or `valuePath ["." subAttr]`: `members[value eq "x"]`, `emails[type eq "work"].value`, `name.givenName`. */
export function parsePatchPath(text: string): PatchPath {
  return guard(PATH_CTX, () => {
    checkLength(text, DEFAULT_FILTER_LIMITS.maxLength, PATH_CTX);
    const parser = new Parser(text, PATH_CTX, DEFAULT_FILTER_LIMITS);
    const path = parser.parsePatchPath();
    parser.expectEnd();
    return path;
  });
}

/** A bare `[urn:…:]name[.sub]`. No whitespace anywhere: callers splitting `attributes=a, b` trim first. */
export function parseAttrPath(text: string): AttrPath {
  return guard(PATH_CTX, () => {
    checkLength(text, DEFAULT_FILTER_LIMITS.maxLength, PATH_CTX);
    if (text === '') throw invalidPath('path is empty');
    return readAttrPath(text, 0, PATH_CTX);
  });
}

function checkLength(text: string, max: number, ctx: LexContext): void {
  if (typeof text !== 'string') throw ctx.fail(`${ctx.label} must be a string`);
  if (text.length > max) throw ctx.fail(`${ctx.label} is ${text.length} characters; the limit is ${max}`);
}

/**
 * The contract is "only ScimError". The parser throws nothing else by design; this net is for what design
 * cannot rule out (a caller's absurd maxDepth overflowing the stack, an engine limit on a huge string).
 */
function guard<T>(ctx: LexContext, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ScimError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    const wrapped = ctx.fail(`${ctx.label} could not be parsed: ${reason}`);
    throw new ScimError(wrapped.status, wrapped.scimType, wrapped.message, { cause: err });
  }
}

class Parser {
  private readonly tokens: readonly Token[];
  private readonly endToken: Token;
  private index = 0;
  private clauses = 0;

  constructor(
    private readonly text: string,
    private readonly ctx: LexContext,
    private readonly limits: FilterLimits,
  ) {
    this.tokens = tokenize(text, ctx);
    this.endToken = { kind: 'end', pos: text.length, end: text.length };
  }

  peek(): Token {
    return this.tokens[this.index] ?? this.endToken;
  }

  private next(): Token {
    const tok = this.peek();
    if (this.index < this.tokens.length) this.index++;
    return tok;
  }

  private atKeyword(keyword: string): boolean {
    const tok = this.peek();
    return tok.kind === 'word' && tok.text.length === keyword.length && tok.text.toLowerCase() === keyword;
  }

  private fail(detail: string): ScimError {
    return this.ctx.fail(`${this.ctx.label}: ${detail}`);
  }

  /** filter = andExpr *("or" andExpr) */
  parseOr(depth: number, inBracket: boolean): Filter {
    const first = this.parseAnd(depth, inBracket);
    if (!this.atKeyword('or')) return first;
    const filters: Filter[] = [];
    pushFlat(filters, 'or', first);
    while (this.atKeyword('or')) {
      this.next();
      pushFlat(filters, 'or', this.parseAnd(depth, inBracket));
    }
    return { kind: 'or', filters };
  }

  /** andExpr = unary *("and" unary): `and` binds tighter than `or`. */
  private parseAnd(depth: number, inBracket: boolean): Filter {
    const first = this.parseUnary(depth, inBracket);
    if (!this.atKeyword('and')) return first;
    const filters: Filter[] = [];
    pushFlat(filters, 'and', first);
    while (this.atKeyword('and')) {
      this.next();
      pushFlat(filters, 'and', this.parseUnary(depth, inBracket));
    }
    return { kind: 'and', filters };
  }

  /** unary = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath */
  private parseUnary(depth: number, inBracket: boolean): Filter {
    const tok = this.peek();
    if (tok.kind === '(') {
      this.next();
      return this.parseGroup(tok, depth, inBracket);
    }
    if (this.atKeyword('not')) {
      this.next();
      const open = this.peek();
      // RFC 7644 only has `not (…)`; without the parentheses the scope of `not` would be a guess.
      if (open.kind !== '(') {
        throw this.fail(`expected "(" after "not" at position ${open.pos}, found ${this.describe(open)}`);
      }
      this.next();
      return { kind: 'not', filter: this.parseGroup(open, depth, inBracket) };
    }
    return this.parseAttrExp(depth, inBracket);
  }

  private parseGroup(open: Token, depth: number, inBracket: boolean): Filter {
    const inner = this.parseOr(this.enter(depth, open), inBracket);
    this.expectClose(')', open);
    return inner;
  }

  /** Checked before each recursion, so hostile nesting fails here instead of overflowing the stack. */
  private enter(depth: number, open: Token): number {
    const max = this.limits.maxDepth;
    if (depth + 1 > max) {
      throw this.fail(`"${open.kind}" at position ${open.pos} nests deeper than ${max} levels; the limit is ${max}`);
    }
    return depth + 1;
  }

  private expectClose(kind: ')' | ']', open: Token): Token {
    const tok = this.peek();
    if (tok.kind !== kind) {
      throw this.fail(
        `expected "${kind}" at position ${tok.pos} to close the "${open.kind}" at position ${open.pos}, found ${this.describe(tok)}`,
      );
    }
    return this.next();
  }

  expectEnd(): void {
    const tok = this.peek();
    if (tok.kind === 'end') return;
    if (tok.kind === ')' || tok.kind === ']') {
      const opener = tok.kind === ')' ? '(' : '[';
      throw this.fail(`"${tok.kind}" at position ${tok.pos} has no matching "${opener}"`);
    }
    const expected = this.ctx.label === 'filter' ? '"and", "or" or the end of the filter' : 'the end of the path';
    throw this.fail(`unexpected ${this.describe(tok)} at position ${tok.pos}; expected ${expected}`);
  }

  /** attrExp / valuePath, including Entra's `valuePath "." subAttr (compareOp value / "pr")`. */
  private parseAttrExp(depth: number, inBracket: boolean): Filter {
    const tok = this.peek();
    if (tok.kind !== 'word' || (tok.text.length <= 3 && RESERVED.has(tok.text.toLowerCase()))) {
      throw this.fail(`expected an attribute path at position ${tok.pos}, found ${this.describe(tok)}`);
    }
    this.next();
    const path = readAttrPath(tok.text, tok.pos, this.ctx);
    const open = this.peek();
    if (open.kind !== '[') return this.parseOperation(path, tok.text);
    if (inBracket) throw this.fail(`"[" at position ${open.pos} is inside another "[…]"; value filters cannot nest`);
    const { filter, sub, subToken } = this.parseBracket(path, tok, depth);
    if (sub === undefined || subToken === undefined) return { kind: 'valuePath', path, filter };
    const condition = this.parseOperation({ name: sub }, this.text.slice(tok.pos, subToken.end));
    const filters: Filter[] = [];
    pushFlat(filters, 'and', filter);
    filters.push(condition);
    return { kind: 'valuePath', path, filter: { kind: 'and', filters } };
  }

  /** `[` valFilter `]` [`.` subAttr], after the attribute path `pathToken`; shared by filters and PATCH paths. */
  private parseBracket(
    path: AttrPath,
    pathToken: Token,
    depth: number,
  ): { filter: Filter; sub?: string; subToken?: Token } {
    const open = this.next();
    if (path.sub !== undefined) {
      throw this.fail(
        `"[" at position ${open.pos} follows the sub-attribute path ${quote(this.text.slice(pathToken.pos, pathToken.end))}; ` +
          'a value filter applies to a multi-valued attribute, e.g. emails[type eq "work"].value',
      );
    }
    const filter = this.parseOr(this.enter(depth, open), true);
    const close = this.expectClose(']', open);
    const dot = this.peek();
    if (dot.kind !== 'word' || !dot.text.startsWith('.')) return { filter };
    if (dot.pos !== close.end) {
      throw this.fail(`the sub-attribute ${quote(dot.text)} at position ${dot.pos} must follow "]" directly`);
    }
    const sub = dot.text.slice(1);
    if (!isAttrName(sub)) {
      throw this.fail(`${quote(dot.text)} at position ${dot.pos} is not a valid sub-attribute (expected ".name")`);
    }
    this.next();
    return { filter, sub, subToken: dot };
  }

  /** compareOp value / "pr", after the attribute path described by `subject`. */
  private parseOperation(path: AttrPath, subject: string): Filter {
    const opTok = this.peek();
    const op = opTok.kind === 'word' && opTok.text.length === 2 ? opTok.text.toLowerCase() : '';
    if (op === 'pr') {
      this.next();
      this.countClause(opTok);
      const after = this.peek();
      if (after.kind === 'string' || (after.kind === 'word' && /^[-0-9]|^(true|false|null)$/i.test(after.text))) {
        throw this.fail(`"pr" takes no value, but ${this.describe(after)} follows at position ${after.pos}`);
      }
      return { kind: 'present', path };
    }
    if (opTok.kind !== 'word' || !isCompareOp(op)) {
      throw this.fail(
        `expected a comparison operator after ${quote(subject)} at position ${opTok.pos}, found ${this.describe(opTok)}`,
      );
    }
    this.next();
    const valTok = this.next();
    let value: FilterValue;
    if (valTok.kind === 'string') value = valTok.value;
    else if (valTok.kind === 'word') value = readLiteral(valTok, opTok.text, this.ctx);
    else {
      throw this.fail(
        `expected a value after ${quote(opTok.text)} at position ${valTok.pos}, found ${this.describe(valTok)}`,
      );
    }
    this.countClause(opTok);
    return { kind: 'compare', path, op, value };
  }

  private countClause(at: Token): void {
    this.clauses++;
    const max = this.limits.maxClauses;
    if (this.clauses > max) {
      throw this.fail(`more than ${max} attribute expressions (at position ${at.pos}); the limit is ${max}`);
    }
  }

  /** PATCH path: `attrPath` / `valuePath ["." subAttr]`. */
  parsePatchPath(): PatchPath {
    const tok = this.next();
    if (tok.kind === 'end') throw invalidPath('path is empty');
    if (tok.kind !== 'word') {
      throw this.fail(`expected an attribute path at position ${tok.pos}, found ${this.describe(tok)}`);
    }
    const path = readAttrPath(tok.text, tok.pos, this.ctx);
    if (this.peek().kind !== '[') return path;
    const { filter, sub } = this.parseBracket(path, tok, 0);
    const result: { uri?: string; name: string; filter: Filter; sub?: string } = { name: path.name, filter };
    if (path.uri !== undefined) result.uri = path.uri;
    if (sub !== undefined) result.sub = sub;
    return result;
  }

  private describe(tok: Token): string {
    switch (tok.kind) {
      case 'end':
        return `the end of the ${this.ctx.label}`;
      case 'word':
        return quote(tok.text);
      case 'string':
        return `the string ${quote(this.text.slice(tok.pos, tok.end))}`;
      default:
        return `"${tok.kind}"`;
    }
  }
}

/** n-ary and/or: a child of the same kind (from parentheses or the Entra form) is merged into its parent. */
function pushFlat(into: Filter[], kind: 'and' | 'or', filter: Filter): void {
  if (filter.kind !== kind) {
    into.push(filter);
    return;
  }
  for (const f of filter.filters) into.push(f); // a loop, not push(...f): spreading 100k args can throw
}
