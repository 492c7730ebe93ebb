/**
 * Property tests: (1) nothing but a ScimError ever comes out of the parsers, quickly, whatever the input;
 * (2) printing a generated AST and parsing the text gives the AST back, across keyword case, whitespace,
 * redundant parentheses, string escapes, arbitrary unicode and the Entra `[…].sub op value` form.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ScimError } from '../../../src/scim/errors.js';
import type { AttrPath, CompareOp, Filter, FilterLimits, FilterValue } from '../../../src/scim/filter/ast.js';
import { parseAttrPath, parseFilter, parsePatchPath } from '../../../src/scim/filter/parse.js';

const RESERVED = new Set(['and', 'or', 'not', 'pr', 'eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const OPS: CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const ROOMY: FilterLimits = { maxLength: 1_000_000, maxDepth: 64, maxClauses: 100_000 };

// ---- (1) robustness ----

function onlyScimError(run: () => unknown, scimType: 'invalidFilter' | 'invalidPath'): void {
  const t0 = performance.now();
  try {
    run();
  } catch (err) {
    if (!(err instanceof ScimError)) throw err;
    expect(err.status).toBe(400);
    expect(err.scimType).toBe(scimType);
  }
  // Generous against GC pauses; the hostile tests pin the real budget.
  expect(performance.now() - t0).toBeLessThan(100);
}

/** Fragments that reach the parser's interesting states far more often than random characters do. */
const soup = fc.string({
  unit: fc.constantFrom(
    '(', ')', '[', ']', '"', '\\', '\\u', '\\ud83d', ' ', '\t', '.', ':', 'urn:', 'a', 'x1', '$ref', 'eq', 'EQ',
    'pr', 'and', 'or', 'not', 'not (', '1', '-', 'e', '0', 'true', 'null', '"x"', 'emails[', '].value', '😀', '\u0000',
  ),
  maxLength: 60,
});
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }), soup);

describe('only ScimErrors come out, quickly', () => {
  it('parseFilter', () => {
    fc.assert(fc.property(anyText, (text) => onlyScimError(() => parseFilter(text), 'invalidFilter')), { numRuns: 2000 });
  });
  it('parseFilter with tight limits', () => {
    const limits = { maxLength: 40, maxDepth: 2, maxClauses: 2 };
    fc.assert(fc.property(soup, (text) => onlyScimError(() => parseFilter(text, limits), 'invalidFilter')), { numRuns: 1000 });
  });
  it('parsePatchPath', () => {
    fc.assert(fc.property(anyText, (text) => onlyScimError(() => parsePatchPath(text), 'invalidPath')), { numRuns: 1000 });
  });
  it('parseAttrPath', () => {
    fc.assert(fc.property(anyText, (text) => onlyScimError(() => parseAttrPath(text), 'invalidPath')), { numRuns: 1000 });
  });
});

// ---- (2) round trip ----

interface Style {
  readonly kwCase: 'lower' | 'upper' | 'title';
  readonly sep: string;
  readonly parens: boolean;
  readonly escapeAll: boolean;
  readonly entra: boolean;
  readonly pad: string;
}

const hex4 = (code: number): string => code.toString(16).padStart(4, '0');

function printer(style: Style): (f: Filter) => string {
  const kw = (k: string): string =>
    style.kwCase === 'lower' ? k : style.kwCase === 'upper' ? k.toUpperCase() : k.charAt(0).toUpperCase() + k.slice(1);
  const path = (p: AttrPath): string => `${p.uri !== undefined ? `${p.uri}:` : ''}${p.name}${p.sub !== undefined ? `.${p.sub}` : ''}`;
  const value = (v: FilterValue): string => {
    if (typeof v === 'string') {
      if (!style.escapeAll) return JSON.stringify(v).replace(/\//g, '\\/');
      let out = '"';
      for (let i = 0; i < v.length; i++) out += `\\u${i % 2 ? hex4(v.charCodeAt(i)).toUpperCase() : hex4(v.charCodeAt(i))}`;
      return `${out}"`;
    }
    if (typeof v === 'number') return JSON.stringify(v);
    return kw(String(v));
  };
  const operation = (f: Filter): string => {
    if (f.kind === 'compare') return `${kw(f.op)}${style.sep}${value(f.value)}`;
    return kw('pr');
  };
  const print = (f: Filter): string => {
    switch (f.kind) {
      case 'compare':
      case 'present':
        return `${path(f.path)}${style.sep}${operation(f)}`;
      case 'not':
        return `${kw('not')}${style.sep}(${print(f.filter)})`;
      case 'and':
      case 'or': {
        const child = (c: Filter): string =>
          (f.kind === 'and' && c.kind === 'or') || (style.parens && (c.kind === 'and' || c.kind === 'or'))
            ? `(${style.pad}${print(c)}${style.pad})`
            : print(c);
        return f.filters.map(child).join(`${style.sep}${kw(f.kind)}${style.sep}`);
      }
      case 'valuePath': {
        const inner = f.filter;
        const last = inner.kind === 'and' ? inner.filters[inner.filters.length - 1] : undefined;
        if (style.entra && inner.kind === 'and' && last && (last.kind === 'compare' || last.kind === 'present')) {
          if (last.path.uri === undefined && last.path.sub === undefined) {
            const rest = inner.filters.slice(0, -1);
            const restFilter: Filter = rest.length === 1 && rest[0] ? rest[0] : { kind: 'and', filters: rest };
            return `${path(f.path)}[${print(restFilter)}].${last.path.name}${style.sep}${operation(last)}`;
          }
        }
        return `${path(f.path)}[${style.pad}${print(inner)}${style.pad}]`;
      }
    }
  };
  return (f) => `${style.pad}${print(f)}${style.pad}`;
}

/** What the parser produces: and/or flattened. */
function normalize(f: Filter): Filter {
  switch (f.kind) {
    case 'and':
    case 'or': {
      const filters: Filter[] = [];
      for (const c of f.filters.map(normalize)) {
        if (c.kind === f.kind) filters.push(...c.filters);
        else filters.push(c);
      }
      return { kind: f.kind, filters };
    }
    case 'not':
      return { kind: 'not', filter: normalize(f.filter) };
    case 'valuePath':
      return { kind: 'valuePath', path: f.path, filter: normalize(f.filter) };
    default:
      return f;
  }
}

const attrName = fc.stringMatching(/^\$?[A-Za-z][A-Za-z0-9_-]{0,7}$/).filter((s) => !RESERVED.has(s.toLowerCase()));
const uri = fc.oneof(
  fc.constantFrom(
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    'URN:Example:custom:1.0',
  ),
  fc.array(fc.stringMatching(/^[A-Za-z0-9._-]{1,5}$/), { minLength: 1, maxLength: 3 }).map((s) => `urn:${s.join(':')}`),
);
const attrPath = (withSub: boolean): fc.Arbitrary<AttrPath> =>
  fc
    .record({
      uri: fc.option(uri, { nil: undefined }),
      name: attrName,
      sub: withSub ? fc.option(attrName, { nil: undefined }) : fc.constant(undefined),
    })
    .map(({ uri: u, name, sub }) => ({ ...(u !== undefined && { uri: u }), name, ...(sub !== undefined && { sub }) }));

const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const filterValue: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: anyCodeUnit }),
  fc.string({ unit: fc.constantFrom('"', '\\', '/', '\n', '\t', ' ', 'a', 'é', '😀', '\u2028') }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n)),
  fc.boolean(),
  fc.constant(null),
);
const leaf: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({ path: attrPath(true), op: fc.constantFrom(...OPS), value: filterValue }).map(
    (r): Filter => ({ kind: 'compare', ...r }),
  ),
  attrPath(true).map((path): Filter => ({ kind: 'present', path })),
);

const { top } = fc.letrec<{ top: Filter; inner: Filter }>((tie) => {
  const compound = (self: fc.Arbitrary<Filter>): fc.Arbitrary<Filter>[] => [
    fc.array(self, { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ kind: 'and', filters })),
    fc.array(self, { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ kind: 'or', filters })),
    self.map((filter): Filter => ({ kind: 'not', filter })),
  ];
  return {
    top: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      leaf,
      fc.record({ path: attrPath(false), filter: tie('inner') }).map((r): Filter => ({ kind: 'valuePath', ...r })),
      ...compound(tie('top')),
    ),
    inner: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, ...compound(tie('inner'))),
  };
});

const style: fc.Arbitrary<Style> = fc.record({
  kwCase: fc.constantFrom('lower', 'upper', 'title'),
  sep: fc.constantFrom(' ', '  ', '\t', ' \t '),
  parens: fc.boolean(),
  escapeAll: fc.boolean(),
  entra: fc.boolean(),
  pad: fc.constantFrom('', ' ', '\t'),
});

describe('print → parse round trip', () => {
  it('gives back an equivalent AST', () => {
    fc.assert(
      fc.property(top, style, (ast, s) => {
        const text = printer(s)(ast);
        expect(parseFilter(text, ROOMY)).toStrictEqual(normalize(ast));
      }),
      { numRuns: 1500 },
    );
  });

  it('round-trips every string value, escaped either way', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: anyCodeUnit })), fc.boolean(), (v, escapeAll) => {
        const s: Style = { kwCase: 'lower', sep: ' ', parens: false, escapeAll, entra: false, pad: '' };
        const f = parseFilter(printer(s)({ kind: 'compare', path: { name: 'a' }, op: 'eq', value: v }), ROOMY);
        expect(f.kind === 'compare' && f.value).toBe(v);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips value paths through parsePatchPath', () => {
    fc.assert(
      fc.property(attrPath(false), fc.option(attrName, { nil: undefined }), (p, sub) => {
        const inner: Filter = { kind: 'compare', path: { name: 'value' }, op: 'eq', value: 'x' };
        const text = `${p.uri !== undefined ? `${p.uri}:` : ''}${p.name}[value eq "x"]${sub !== undefined ? `.${sub}` : ''}`;
        expect(parsePatchPath(text)).toStrictEqual({ ...p, filter: inner, ...(sub !== undefined && { sub }) });
      }),
      { numRuns: 300 },
    );
  });
});
