import { describe, it, expect } from 'vitest';
import { findAttr } from '../../../src/scim/schema/resolve.js';
import { ENTERPRISE_USER_SCHEMA_DEF, GROUP_SCHEMA_DEF, USER_SCHEMA_DEF } from '../../../src/scim/schema/definitions.js';
import type { AttributeDef } from '../../../src/scim/schema/types.js';
import { complexValue, isPlainObject, normalizeValue, ownEntries, toBoolean } from '../../../src/scim/values.js';
import { expectScimError } from '../scim-error.js';

const userAttr = (name: string): AttributeDef => findAttr(USER_SCHEMA_DEF.attributes, name) as AttributeDef;
const emails = userAttr('emails');
const name = userAttr('name');
const active = userAttr('active');
const userName = userAttr('userName');
const manager = findAttr(ENTERPRISE_USER_SCHEMA_DEF.attributes, 'manager') as AttributeDef;
const members = findAttr(GROUP_SCHEMA_DEF.attributes, 'members') as AttributeDef;

function simple(type: AttributeDef['type'], o: Partial<AttributeDef> = {}): AttributeDef {
  return {
    name: 'x',
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...o,
  };
}

describe('toBoolean', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['tRuE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    [' true ', true],
  ] as const)('reads %j as %s', (input, expected) => {
    expect(toBoolean(input)).toBe(expected);
  });

  it.each([['yes'], ['1'], [''], [1], [0], [null], [undefined], [{}], [['true']], ['truee']])(
    'returns undefined for the non-boolean %j',
    (input) => {
      expect(toBoolean(input)).toBeUndefined();
    },
  );
});

describe('isPlainObject and ownEntries', () => {
  it('treats only non-null, non-array objects as plain objects', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject('x')).toBe(false);
  });

  it('lists a "__proto__" key created by JSON.parse as an ordinary own entry', () => {
    const o = JSON.parse('{"__proto__": {"polluted": 1}, "a": 2}') as Record<string, unknown>;
    expect(ownEntries(o)).toEqual([
      ['__proto__', { polluted: 1 }],
      ['a', 2],
    ]);
  });
});

describe('normalizeValue: simple types', () => {
  it('turns Entra\'s "True"/"False" strings into booleans', () => {
    expect(normalizeValue(active, 'True', 'active')).toBe(true);
    expect(normalizeValue(active, 'FALSE', 'active')).toBe(false);
    expect(normalizeValue(active, false, 'active')).toBe(false);
  });

  it('rejects a non-boolean for a boolean attribute with invalidValue naming the path', () => {
    expectScimError(() => normalizeValue(active, 'yes', 'active'), 'invalidValue', 'active must be a boolean');
    expectScimError(() => normalizeValue(active, 1, 'active'), 'invalidValue', 'number 1');
  });

  it('reads integers from numbers and from strings of digits', () => {
    const def = simple('integer');
    expect(normalizeValue(def, 42, 'n')).toBe(42);
    expect(normalizeValue(def, '42', 'n')).toBe(42);
    expect(normalizeValue(def, '-7', 'n')).toBe(-7);
    expect(normalizeValue(def, ' 12 ', 'n')).toBe(12);
  });

  it.each([[1.5], ['1.5'], ['12a'], [''], [true], [Number.NaN]])('rejects %j as an integer', (v) => {
    expectScimError(() => normalizeValue(simple('integer'), v, 'n'), 'invalidValue', 'n must be an integer');
  });

  it('accepts finite numbers as decimals and rejects strings and infinities', () => {
    const def = simple('decimal');
    expect(normalizeValue(def, 1.25, 'd')).toBe(1.25);
    expectScimError(() => normalizeValue(def, '1.25', 'd'), 'invalidValue', 'd must be a number');
    expectScimError(() => normalizeValue(def, Number.POSITIVE_INFINITY, 'd'), 'invalidValue', 'd must be a number');
  });

  it.each(['2008-01-23T04:56:22Z', '2008-01-23T04:56:22.123Z', '2008-01-23T04:56:22+02:00', '2008-01-23T04:56:22'])(
    'accepts the xsd:dateTime %s unchanged',
    (v) => {
      expect(normalizeValue(simple('dateTime'), v, 't')).toBe(v);
    },
  );

  it.each([['2008-01-23'], ['2008-01-23 04:56:22Z'], ['2008-13-01T00:00:00Z'], ['2024-01-31T25:00:00Z'], [1_700_000_000_000], ['yesterday']])(
    'rejects %j as a dateTime',
    (v) => {
      expectScimError(() => normalizeValue(simple('dateTime'), v, 't'), 'invalidValue', 't must be an xsd:dateTime');
    },
  );

  it('rejects a non-string for a string attribute', () => {
    expectScimError(() => normalizeValue(userName, 5, 'userName'), 'invalidValue', 'userName must be a string, not number 5');
    expectScimError(() => normalizeValue(userName, { a: 1 }, 'userName'), 'invalidValue', 'not an object');
  });

  it('rejects strings containing NUL in string, reference and binary attributes', () => {
    for (const type of ['string', 'reference', 'binary'] as const) {
      expectScimError(() => normalizeValue(simple(type), 'a\u0000b', 'p'), 'invalidValue', 'p must not contain a NUL character');
    }
  });

  it('keeps the empty string (it is a value, not an absence)', () => {
    expect(normalizeValue(userName, '', 'userName')).toBe('');
  });

  it('shortens long strings in error messages', () => {
    const e = expectScimError(() => normalizeValue(active, 'x'.repeat(100), 'active'), 'invalidValue');
    expect(e.message).toContain(`${'x'.repeat(40)}…`);
    expect(e.message).not.toContain('x'.repeat(41));
  });
});

describe('normalizeValue: absence and arrays', () => {
  it('returns undefined for null and undefined', () => {
    expect(normalizeValue(userName, null, 'userName')).toBeUndefined();
    expect(normalizeValue(userName, undefined, 'userName')).toBeUndefined();
    expect(normalizeValue(emails, null, 'emails')).toBeUndefined();
  });

  it('unwraps a single-valued attribute sent as a one-element array', () => {
    expect(normalizeValue(userName, ['bjensen'], 'userName')).toBe('bjensen');
    expect(normalizeValue(active, ['True'], 'active')).toBe(true);
    expect(normalizeValue(name, [{ givenName: 'Barbara' }], 'name')).toEqual({ givenName: 'Barbara' });
  });

  it('treats an empty array for a single-valued attribute as absent', () => {
    expect(normalizeValue(userName, [], 'userName')).toBeUndefined();
  });

  it('treats a single-valued attribute sent as [null] as absent, like null itself', () => {
    expect(normalizeValue(userName, [null], 'userName')).toBeUndefined();
  });

  it('rejects more than one element for a single-valued attribute', () => {
    expectScimError(() => normalizeValue(userName, ['a', 'b'], 'userName'), 'invalidValue', 'userName is single-valued; got an array of 2 values');
  });

  it('accepts a single element (not in an array) for a multi-valued attribute', () => {
    expect(normalizeValue(emails, { value: 'a@x.org', type: 'work' }, 'emails')).toEqual([{ value: 'a@x.org', type: 'work' }]);
  });

  it('drops null elements and empty elements of a multi-valued attribute, keeping the order of the rest', () => {
    expect(normalizeValue(emails, [null, { value: 'a@x' }, {}, { display: null }, { value: 'b@x' }], 'emails')).toEqual([
      { value: 'a@x' },
      { value: 'b@x' },
    ]);
  });

  it('returns undefined for a multi-valued attribute with no element left', () => {
    expect(normalizeValue(emails, [], 'emails')).toBeUndefined();
    expect(normalizeValue(emails, [null, {}], 'emails')).toBeUndefined();
  });

  it('names the index of a bad element in the error', () => {
    expectScimError(() => normalizeValue(emails, [{ value: 'a' }, { value: 5 }], 'emails'), 'invalidValue', 'emails[1].value must be a string');
  });

  it('rejects a bare string as an element of a multi-valued complex attribute', () => {
    expectScimError(() => normalizeValue(emails, 'a@x.org', 'emails'), 'invalidValue', 'emails[0] must be an object');
  });
});

describe('complexValue', () => {
  it('spells sub-attribute names as the schema does, whatever case the client used', () => {
    expect(complexValue(name, { GIVENNAME: 'Barbara', familyname: 'Jensen' }, 'name')).toEqual({ givenName: 'Barbara', familyName: 'Jensen' });
  });

  it('normalises sub-attribute values by their type', () => {
    expect(complexValue(emails, { value: 'a@x', primary: 'True' }, 'emails')).toEqual({ value: 'a@x', primary: true });
  });

  it('rejects an unknown sub-attribute with invalidSyntax naming it', () => {
    expectScimError(() => complexValue(name, { givenName: 'B', nickname: 'x' }, 'name'), 'invalidSyntax', 'name has no sub-attribute "nickname"');
  });

  it('rejects "__proto__" as an unknown sub-attribute and leaves Object.prototype alone', () => {
    const v = JSON.parse('{"givenName":"B","__proto__":{"polluted":true}}') as unknown;
    expectScimError(() => complexValue(name, v, 'name'), 'invalidSyntax', '"__proto__"');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('drops read-only sub-attributes that clients echo back', () => {
    expect(complexValue(manager, { value: 'm1', displayName: 'Boss' }, 'manager')).toEqual({ value: 'm1' });
    expect(complexValue(members, { value: 'u1', display: 'User One' }, 'members')).toEqual({ value: 'u1' });
  });

  it('drops null sub-attributes and answers undefined when nothing is left', () => {
    expect(complexValue(name, { givenName: null, familyName: 'J' }, 'name')).toEqual({ familyName: 'J' });
    expect(complexValue(name, { givenName: null }, 'name')).toBeUndefined();
    expect(complexValue(name, {}, 'name')).toBeUndefined();
    expect(complexValue(manager, { displayName: 'only read-only' }, 'manager')).toBeUndefined();
  });

  it('reads a plain string for the manager as its value', () => {
    expect(complexValue(manager, 'boss-id', 'manager')).toEqual({ value: 'boss-id' });
    expect(normalizeValue(manager, 'boss-id', 'manager')).toEqual({ value: 'boss-id' });
  });

  it('rejects a plain string for a single-valued complex attribute without a value sub-attribute', () => {
    expectScimError(() => complexValue(name, 'Barbara Jensen', 'name'), 'invalidValue', 'name must be an object, not the string "Barbara Jensen"');
  });

  it('rejects arrays, numbers and null where an object is needed', () => {
    expectScimError(() => complexValue(name, ['a'], 'name'), 'invalidValue', 'an array');
    expectScimError(() => complexValue(name, 3, 'name'), 'invalidValue', 'number 3');
    expectScimError(() => complexValue(name, null, 'name'), 'invalidValue', 'null');
  });

  it('builds a fresh object rather than returning the input', () => {
    const input = { givenName: 'B' };
    const out = complexValue(name, input, 'name');
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });
});
