import { describe, it, expect } from 'vitest';
import type { AttributeDef } from '../../../../src/scim/schema/types.js';
import type { CompareOp } from '../../../../src/scim/filter/ast.js';
import { parseFilter } from '../../../../src/scim/filter/parse.js';
import { compareScalars, equalityTerms, matchesElement } from '../../../../src/scim/filter/match-element.js';
import { findAttr } from '../../../../src/scim/schema/resolve.js';
import { GROUP_SCHEMA_DEF, USER_SCHEMA_DEF } from '../../../../src/scim/schema/definitions.js';
import { expectScimError } from '../../scim-error.js';

const STRING = { type: 'string', caseExact: false } as const;
const EXACT = { type: 'string', caseExact: true } as const;
const BOOL = { type: 'boolean', caseExact: false } as const;
const INT = { type: 'integer', caseExact: false } as const;
const DATE = { type: 'dateTime', caseExact: false } as const;

const emailSubs = (findAttr(USER_SCHEMA_DEF.attributes, 'emails') as AttributeDef).subAttributes as readonly AttributeDef[];
const memberSubs = (findAttr(GROUP_SCHEMA_DEF.attributes, 'members') as AttributeDef).subAttributes as readonly AttributeDef[];
const matches = (filter: string, element: Record<string, string | number | boolean>, subs = emailSubs) => matchesElement(parseFilter(filter), element, subs);

describe('compareScalars: strings', () => {
  it.each<[CompareOp, string, string, boolean]>([
    ['eq', 'BJensen', 'bjensen', true],
    ['ne', 'BJensen', 'bjensen', false],
    ['co', 'Barbara Jensen', 'RA JEN', true],
    ['sw', 'Barbara', 'BAR', true],
    ['sw', 'Barbara', 'ara', false],
    ['ew', 'Barbara', 'ARA', true],
    ['gt', 'b', 'A', true],
    ['ge', 'a', 'A', true],
    ['lt', 'a', 'B', true],
    ['le', 'B', 'b', true],
    ['gt', 'a', 'b', false],
  ])('not caseExact: %s %j %j → %s', (op, actual, expected, result) => {
    expect(compareScalars(op, actual, expected, STRING)).toBe(result);
  });

  it.each<[CompareOp, string, string, boolean]>([
    ['eq', 'BJensen', 'bjensen', false],
    ['eq', 'BJensen', 'BJensen', true],
    ['ne', 'BJensen', 'bjensen', true],
    ['co', 'Barbara', 'BAR', false],
    ['sw', 'Barbara', 'Bar', true],
    ['ew', 'Barbara', 'RA', false],
    ['gt', 'b', 'B', true],
  ])('caseExact: %s %j %j → %s', (op, actual, expected, result) => {
    expect(compareScalars(op, actual, expected, EXACT)).toBe(result);
  });

  it('compares a string attribute with a number or boolean operand as text', () => {
    expect(compareScalars('eq', '42', 42, STRING)).toBe(true);
    expect(compareScalars('eq', 'true', true, STRING)).toBe(true);
  });

  it('treats a null operand as absent: only ne holds for a present value', () => {
    for (const op of ['eq', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const) expect(compareScalars(op, 'x', null, STRING)).toBe(false);
    expect(compareScalars('ne', 'x', null, STRING)).toBe(true);
  });
});

describe('compareScalars: booleans', () => {
  it('compares with true/false and with Entra\'s "True"/"False" strings', () => {
    expect(compareScalars('eq', true, true, BOOL)).toBe(true);
    expect(compareScalars('eq', true, 'True', BOOL)).toBe(true);
    expect(compareScalars('eq', false, 'FALSE', BOOL)).toBe(true);
    expect(compareScalars('ne', true, false, BOOL)).toBe(true);
    expect(compareScalars('ne', true, 'true', BOOL)).toBe(false);
  });

  it('never equals an operand that is not a boolean', () => {
    expect(compareScalars('eq', true, 'yes', BOOL)).toBe(false);
    expect(compareScalars('ne', true, 'yes', BOOL)).toBe(true);
  });

  it.each(['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew'] as const)('rejects %s on a boolean with invalidFilter', (op) => {
    expectScimError(() => compareScalars(op, true, true, BOOL), 'invalidFilter', `"${op}" cannot compare booleans`);
  });
});

describe('compareScalars: numbers', () => {
  it.each<[CompareOp, number, number | string, boolean]>([
    ['eq', 5, 5, true],
    ['eq', 5, '5', true],
    ['ne', 5, 6, true],
    ['gt', 10, 9, true],
    ['gt', 10, '9', true],
    ['ge', 9, 9, true],
    ['lt', -1, 0, true],
    ['le', 1, 0, false],
  ])('%s %j %j → %s (numerically, not as text)', (op, actual, expected, result) => {
    expect(compareScalars(op, actual, expected, INT)).toBe(result);
  });

  it('never matches a non-numeric operand except with ne', () => {
    expect(compareScalars('eq', 5, 'five', INT)).toBe(false);
    expect(compareScalars('gt', 5, 'five', INT)).toBe(false);
    expect(compareScalars('ne', 5, 'five', INT)).toBe(true);
  });

  it('answers false for substring operators on numbers', () => {
    expect(compareScalars('co', 15, 5, INT)).toBe(false);
  });
});

describe('compareScalars: dateTime', () => {
  it('compares instants, not text, across offsets and fractions', () => {
    expect(compareScalars('eq', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00+01:00', DATE)).toBe(true);
    expect(compareScalars('eq', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00Z', DATE)).toBe(true);
    expect(compareScalars('gt', '2024-01-01T00:30:00Z', '2024-01-01T01:00:00+01:00', DATE)).toBe(true);
    expect(compareScalars('lt', '2023-12-31T23:59:59Z', '2024-01-01T00:00:00Z', DATE)).toBe(true);
  });

  it('uses text for sw/co/ew and when either side is not a date', () => {
    expect(compareScalars('sw', '2024-01-01T00:00:00Z', '2024-01', DATE)).toBe(true);
    expect(compareScalars('eq', 'not a date', 'NOT A DATE', DATE)).toBe(true);
    expect(compareScalars('gt', '2024-01-01T00:00:00Z', 'x', DATE)).toBe(false);
  });
});

describe('matchesElement', () => {
  const work = { value: 'b@work', type: 'work', primary: true };

  it('compares sub-attributes by their schema: type is not caseExact, members.value is', () => {
    expect(matches('type eq "WORK"', work)).toBe(true);
    expect(matches('value eq "U1"', { value: 'u1' }, memberSubs)).toBe(false);
    expect(matches('value eq "u1"', { value: 'u1' }, memberSubs)).toBe(true);
  });

  it('resolves sub-attribute names case-insensitively', () => {
    expect(matches('TYPE eq "work" and Primary eq true', work)).toBe(true);
  });

  it('evaluates and, or and not', () => {
    expect(matches('type eq "work" and primary eq false', work)).toBe(false);
    expect(matches('type eq "home" or primary eq "True"', work)).toBe(true);
    expect(matches('not (type eq "home")', work)).toBe(true);
  });

  it('treats a missing or empty sub-attribute as not present', () => {
    expect(matches('display pr', work)).toBe(false);
    expect(matches('display pr', { ...work, display: '' })).toBe(false);
    expect(matches('value pr', work)).toBe(true);
  });

  it('lets ne hold for a missing sub-attribute and nothing else', () => {
    expect(matches('display ne "x"', work)).toBe(true);
    expect(matches('display eq "x"', work)).toBe(false);
    expect(matches('display co "x"', work)).toBe(false);
  });

  it('reads eq null as "not present" and ne null as "present", as filter translation does', () => {
    expect(matches('display eq null', work)).toBe(true);
    expect(matches('display ne null', work)).toBe(false);
    expect(matches('value eq null', work)).toBe(false);
    expect(matches('value ne null', work)).toBe(true);
  });

  it('rejects an unknown sub-attribute and a dotted sub-attribute path with invalidPath', () => {
    expectScimError(() => matches('nope eq "x"', work), 'invalidPath', '"nope" is not a sub-attribute here');
    expectScimError(() => matches('value.x eq "x"', work), 'invalidPath', '"value.x"');
  });

  it('rejects a nested value filter with invalidPath', () => {
    expectScimError(() => matches('emails[type eq "work"]', work), 'invalidPath', 'cannot be nested');
  });
});

describe('equalityTerms', () => {
  const terms = (f: string) => {
    const t = equalityTerms(parseFilter(f), emailSubs);
    return t && Object.fromEntries([...t].map(([def, v]) => [def.name, v]));
  };

  it('answers the sub-attribute values an equality or a conjunction of equalities pins down, spelled as in the schema', () => {
    expect(terms('type eq "work"')).toEqual({ type: 'work' });
    expect(terms('TYPE eq "work" and primary eq true')).toEqual({ type: 'work', primary: true });
  });

  it.each([
    ['type ne "work"'],
    ['type eq "work" or type eq "home"'],
    ['not (type eq "work")'],
    ['type pr'],
    ['type eq null'],
    ['type co "w"'],
    ['nope eq "x"'],
    ['value.x eq "x"'],
    ['type eq "work" and value sw "a"'],
  ])('answers undefined for %s, which describes no single element', (f) => {
    expect(terms(f)).toBeUndefined();
  });
});
