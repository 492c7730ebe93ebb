/**
 * Inputs an attacker controls: every one must parse correctly or fail with a 400 invalidFilter, quickly,
 * and nothing may blow the stack or go quadratic.
 */
import { describe, it, expect } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import { DEFAULT_FILTER_LIMITS, type Filter, type FilterLimits } from '../../../src/scim/filter/ast.js';
import { parseFilter } from '../../../src/scim/filter/parse.js';

const UNLIMITED_LENGTH: FilterLimits = { ...DEFAULT_FILTER_LIMITS, maxLength: 10_000_000 };

type Outcome = { filter: Filter } | { error: ScimError };

function attempt(text: string, limits?: FilterLimits): Outcome {
  try {
    return { filter: parseFilter(text, limits) };
  } catch (err) {
    expect(err).toBeInstanceOf(ScimError);
    const e = err as ScimError;
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidFilter');
    return { error: e };
  }
}

function rejects(text: string, detail: RegExp, limits?: FilterLimits): void {
  const outcome = attempt(text, limits);
  expect('error' in outcome ? outcome.error.message : 'parsed').toMatch(detail);
}

/** Median of a few runs, so one GC pause cannot fail the test but a quadratic parser still does. */
function medianMs(run: () => void, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    try {
      run();
    } catch {
      // outcome checked separately
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? Infinity;
}

describe('deep nesting', () => {
  const deep = `${'('.repeat(100_000)}a eq 1${')'.repeat(100_000)}`;

  it('100,000 nested parentheses fail on length with the default limits', () => {
    rejects(deep, /^filter is 200006 characters; the limit is 4096$/);
  });

  it('100,000 nested parentheses fail on depth, not the stack, when length is unlimited', () => {
    rejects(deep, /"\(" at position 32 nests deeper than 32 levels; the limit is 32/, UNLIMITED_LENGTH);
    expect(medianMs(() => parseFilter(deep, UNLIMITED_LENGTH))).toBeLessThan(50);
  });

  it('even an absurd maxDepth yields a ScimError, never a RangeError', () => {
    attempt(deep, { maxLength: 10_000_000, maxDepth: 10_000_000, maxClauses: 100 });
  });

  it.each([
    ['not (', 'not ('],
    ['emails[', 'emails['],
    ['(', '('],
  ])('deep %s chains stop at the depth limit', (_, unit) => {
    rejects(unit.repeat(20_000), /nests deeper than 32 levels|inside another/, UNLIMITED_LENGTH);
  });

  it('exactly maxDepth levels parse; one more fails', () => {
    expect(parseFilter(`${'('.repeat(32)}a pr${')'.repeat(32)}`)).toEqual({ kind: 'present', path: { name: 'a' } });
    rejects(`${'('.repeat(33)}a pr${')'.repeat(33)}`, /nests deeper than 32 levels/);
    expect(parseFilter(`${'not ('.repeat(32)}a pr${')'.repeat(32)}`).kind).toBe('not');
    rejects(`${'not ('.repeat(33)}a pr${')'.repeat(33)}`, /nests deeper than 32 levels/);
    rejects(`emails[${'('.repeat(32)}a pr${')'.repeat(32)}]`, /nests deeper than 32 levels/);
  });

  it.each(['((a eq 1))', 'not (((userName eq -1)))', String.raw`not ((userName eq "\\"))`])('%s parses', (text) => {
    expect('filter' in attempt(text)).toBe(true);
  });

  it('unbalanced parentheses and brackets', () => {
    rejects('('.repeat(4000), /expected an attribute path at position 1|nests deeper/);
    rejects(')'.repeat(4000), /expected an attribute path at position 0, found "\)"/);
    rejects('['.repeat(4000), /expected an attribute path at position 0, found "\["/);
    rejects(']'.repeat(4000), /expected an attribute path at position 0, found "]"/);
    rejects('emails[type eq "work"', /expected "]" at position 21/);
    rejects('emails[type eq "work"]]', /"]" at position 22 has no matching "\["/);
    rejects('(a pr))', /"\)" at position 6 has no matching "\("/);
  });
});

describe('many clauses', () => {
  const orChain = Array.from({ length: 10_000 }, (_, i) => `a eq ${i}`).join(' or ');

  it('10,000 or clauses fail on length with the default limits', () => {
    rejects(orChain, /characters; the limit is 4096/);
  });

  it('10,000 or clauses fail on the clause limit when length is unlimited', () => {
    rejects(orChain, /more than 100 attribute expressions \(at position \d+\); the limit is 100/, UNLIMITED_LENGTH);
  });

  it('10,000 or clauses parse flat when the limits allow them', () => {
    const limits = { maxLength: 10_000_000, maxDepth: 32, maxClauses: 10_000 };
    const f = parseFilter(orChain, limits);
    expect(f.kind === 'or' && f.filters.length).toBe(10_000);
    expect(medianMs(() => parseFilter(orChain, limits))).toBeLessThan(100);
  });

  it('clauses inside value paths count, including the Entra sub-attribute form', () => {
    const limits = { ...DEFAULT_FILTER_LIMITS, maxClauses: 2 };
    expect(parseFilter('emails[type eq "work"].value eq "x"', limits).kind).toBe('valuePath');
    rejects('emails[type eq "work" and primary eq true].value eq "x"', /more than 2 attribute expressions/, limits);
    rejects('a pr and b pr and c pr', /more than 2 attribute expressions \(at position 20\)/, limits);
  });

  it('exactly 100 clauses parse; 101 fail', () => {
    const chain = (n: number) => Array.from({ length: n }, () => 'a pr').join(' or ');
    expect(parseFilter(chain(100)).kind).toBe('or');
    rejects(chain(101), /more than 100 attribute expressions/);
  });
});

describe('huge and broken strings', () => {
  const megabyte = 'x'.repeat(1024 * 1024);

  it('a 1 MB string value fails on length with the default limits', () => {
    rejects(`userName eq "${megabyte}"`, /^filter is 1048590 characters; the limit is 4096$/);
  });

  it('a 1 MB string value parses in one pass when length is unlimited', () => {
    const f = parseFilter(`userName eq "${megabyte}"`, UNLIMITED_LENGTH);
    expect(f.kind === 'compare' && typeof f.value === 'string' && f.value.length).toBe(megabyte.length);
    expect(medianMs(() => parseFilter(`userName eq "${megabyte}"`, UNLIMITED_LENGTH))).toBeLessThan(200);
    const escapes = '\\\\'.repeat(512 * 1024);
    const g = parseFilter(`userName eq "${escapes}"`, UNLIMITED_LENGTH);
    expect(g.kind === 'compare' && g.value).toBe('\\'.repeat(512 * 1024));
  });

  it('a 1 MB unterminated string fails cleanly', () => {
    rejects(`userName eq "${megabyte}`, /unterminated string starting at position 12/, UNLIMITED_LENGTH);
  });

  it('a 1 MB bare word is named in part only', () => {
    const outcome = attempt(`${megabyte} foo 1`, UNLIMITED_LENGTH);
    expect('error' in outcome ? outcome.error.message.length : Infinity).toBeLessThan(200);
    const attr = parseFilter(`${megabyte} eq 1`, UNLIMITED_LENGTH);
    expect(attr.kind === 'compare' && attr.path.name.length).toBe(megabyte.length);
  });

  it.each([
    ['userName eq "', /unterminated string starting at position 12/],
    ['userName eq "abc\\', /unterminated string/],
    ['"', /unterminated string starting at position 0/],
    ['userName eq "\u001f"', /raw control character U\+001F/],
    ['not userName eq "x"', /expected "\(" after "not" at position 4/],
    ['not not (a pr)', /expected "\(" after "not" at position 4, found "not"/],
  ])('%j', (text, detail) => {
    rejects(text, detail);
  });
});

describe('4,096-character hostile filters finish in well under 10 ms', () => {
  const max = DEFAULT_FILTER_LIMITS.maxLength;
  const fill = (unit: string, prefix = '', suffix = ''): string => {
    const room = max - prefix.length - suffix.length;
    return prefix + unit.repeat(Math.floor(room / unit.length)) + suffix;
  };
  const cases: Array<[string, string]> = [
    ['open parentheses', fill('(')],
    ['close parentheses', fill(')')],
    ['not chains', fill('not (')],
    ['brackets', fill('[')],
    ['bracket pairs', fill('a[b pr]')],
    ['quotes', fill('"')],
    ['backslashes in a string', fill('\\\\', 'a eq "', '"')],
    ['unicode escapes', fill('\\ud83d\\ude00', 'a eq "', '"')],
    ['bad unicode escape at the end', fill('\\u0041', 'a eq "', '\\u00')],
    ['or chain', fill(' or a pr', 'a pr')],
    ['and chain', fill(' and a eq "x"', 'a pr')],
    ['keywords only', fill('and or not ')],
    ['operators only', fill('eq ')],
    ['one long word', fill('a')],
    ['long dotted word', fill('a.')],
    ['long urn', fill(':', 'urn:')],
    ['long urn path', fill('a:', 'urn:', 'b eq 1')],
    ['long number', fill('1', 'a eq ')],
    ['long fraction', fill('0', 'a eq 0.', '1')],
    ['long exponent', fill('9', 'a eq 1e')],
    ['spaces', fill(' ')],
    ['tabs and spaces', fill('\t ', 'a', ' pr')],
    ['entra forms', fill(' or emails[type eq "work"].value eq "a@b.c"', 'a pr')],
    ['nested value paths', fill('emails[type eq "w" and x[', '')],
  ];

  it.each(cases)('%s', (_, text) => {
    expect(text.length).toBeLessThanOrEqual(max);
    attempt(text); // parses or throws a 400 invalidFilter
    expect(medianMs(() => parseFilter(text))).toBeLessThan(10);
  });

  it('a filter just over the limit fails before any work', () => {
    rejects(fill('(') + '(', /^filter is 4097 characters; the limit is 4096$/);
  });
});
