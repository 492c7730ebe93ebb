import { describe, it, expect } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import type { AttrPath, CompareOp, Filter, FilterValue } from '../../../src/scim/filter/ast.js';
import { parseFilter } from '../../../src/scim/filter/parse.js';

const cmp = (path: string | AttrPath, op: CompareOp, value: FilterValue): Filter => ({
  kind: 'compare',
  path: typeof path === 'string' ? { name: path } : path,
  op,
  value,
});
const pr = (path: string | AttrPath): Filter => ({ kind: 'present', path: typeof path === 'string' ? { name: path } : path });
const and = (...filters: Filter[]): Filter => ({ kind: 'and', filters });
const or = (...filters: Filter[]): Filter => ({ kind: 'or', filters });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const vp = (name: string, filter: Filter): Filter => ({ kind: 'valuePath', path: { name }, filter });

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** Parse `text`, expecting a 400 invalidFilter whose detail matches `detail`; returns the message. */
function filterError(text: string, detail?: RegExp): string {
  let caught: unknown;
  try {
    parseFilter(text);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ScimError);
  const err = caught as ScimError;
  expect(err.status).toBe(400);
  expect(err.scimType).toBe('invalidFilter');
  if (detail) expect(err.message).toMatch(detail);
  return err.message;
}

describe('parseFilter: comparison operators', () => {
  const ops: CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
  it.each(ops)('%s', (op) => {
    expect(parseFilter(`userName ${op} "bjensen"`)).toEqual(cmp('userName', op, 'bjensen'));
  });
  it.each(ops.map((op) => [op.toUpperCase(), op] as const))('%s is case-insensitive', (written, op) => {
    expect(parseFilter(`userName ${written} "x"`)).toEqual(cmp('userName', op, 'x'));
  });
  it.each(['pr', 'PR', 'Pr'])('present: title %s', (kw) => {
    expect(parseFilter(`title ${kw}`)).toEqual(pr('title'));
  });
  it('mixed-case operator', () => {
    expect(parseFilter('userName Eq "x"')).toEqual(cmp('userName', 'eq', 'x'));
  });
});

describe('parseFilter: values', () => {
  it.each<[string, FilterValue]>([
    ['1', 1],
    ['0', 0],
    ['-1', -1],
    ['-0', 0],
    ['1.5', 1.5],
    ['-0.25', -0.25],
    ['1.5e3', 1500],
    ['1E-2', 0.01],
    ['2e+2', 200],
    ['123456789012', 123456789012],
    ['true', true],
    ['false', false],
    ['null', null],
    ['True', true],
    ['FALSE', false],
    ['Null', null],
    ['""', ''],
    ['"bjensen"', 'bjensen'],
  ])('value %s', (written, value) => {
    expect(parseFilter(`x eq ${written}`)).toEqual(cmp('x', 'eq', value));
  });

  it.each<[string, string]>([
    [String.raw`"CONTOSO\\jdoe"`, 'CONTOSO\\jdoe'],
    [String.raw`"O\u0027Brien"`, "O'Brien"],
    [String.raw`"a\"b"`, 'a"b'],
    [String.raw`"a\/b"`, 'a/b'],
    [String.raw`"\b\f\n\r\t"`, '\b\f\n\r\t'],
    [String.raw`"\u00e9\u00C9"`, 'éÉ'],
    [String.raw`"\ud83d\ude00"`, '😀'],
    [String.raw`"\ud800"`, '\ud800'],
    ['"raw ünïcødé 😀"', 'raw ünïcødé 😀'],
    ['"with ( and ) and [ ]"', 'with ( and ) and [ ]'],
    ['"  spaced  "', '  spaced  '],
    ['"and or not eq"', 'and or not eq'],
  ])('string %s', (written, value) => {
    expect(parseFilter(`userName eq ${written}`)).toEqual(cmp('userName', 'eq', value));
  });

  it('a backslash decodes to exactly one backslash', () => {
    const f = parseFilter(String.raw`userName eq "CONTOSO\\jdoe"`);
    expect(f.kind === 'compare' && f.value).toBe('CONTOSO\\jdoe');
    expect(f.kind === 'compare' && typeof f.value === 'string' && f.value.length).toBe(12);
  });

  it('dateTime strings', () => {
    expect(parseFilter('meta.lastModified gt "2011-05-13T04:42:34Z"')).toEqual(
      cmp({ name: 'meta', sub: 'lastModified' }, 'gt', '2011-05-13T04:42:34Z'),
    );
  });

  it('value adjacent to a closing parenthesis', () => {
    expect(parseFilter('(a eq 1)')).toEqual(cmp('a', 'eq', 1));
    expect(parseFilter('(a eq true)')).toEqual(cmp('a', 'eq', true));
  });
});

describe('parseFilter: logical operators and precedence', () => {
  const a = cmp('a', 'eq', 1);
  const b = cmp('b', 'eq', 2);
  const c = cmp('c', 'eq', 3);
  it.each<[string, Filter]>([
    ['a eq 1 and b eq 2', and(a, b)],
    ['a eq 1 or b eq 2', or(a, b)],
    ['a eq 1 and b eq 2 and c eq 3', and(a, b, c)],
    ['a eq 1 or b eq 2 or c eq 3', or(a, b, c)],
    ['a eq 1 or b eq 2 and c eq 3', or(a, and(b, c))],
    ['a eq 1 and b eq 2 or c eq 3', or(and(a, b), c)],
    ['(a eq 1 or b eq 2) and c eq 3', and(or(a, b), c)],
    ['a eq 1 and (b eq 2 or c eq 3)', and(a, or(b, c))],
    ['(a eq 1 and b eq 2) and c eq 3', and(a, b, c)],
    ['a eq 1 or (b eq 2 or c eq 3)', or(a, b, c)],
    ['((a eq 1))', a],
    ['(a eq 1)', a],
    ['not (a eq 1)', not(a)],
    ['not(a eq 1)', not(a)],
    ['NOT (a eq 1)', not(a)],
    ['not (a eq 1) and b eq 2', and(not(a), b)],
    ['not (a eq 1 or b eq 2)', not(or(a, b))],
    ['not (not (a eq 1))', not(not(a))],
    ['a eq 1 AND b eq 2 Or c eq 3', or(and(a, b), c)],
    ['not (((userName eq -1)))', not(cmp('userName', 'eq', -1))],
    [String.raw`not ((userName eq "\\"))`, not(cmp('userName', 'eq', '\\'))],
  ])('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it('RFC 7644 examples', () => {
    expect(parseFilter('title pr and userType eq "Employee"')).toEqual(and(pr('title'), cmp('userType', 'eq', 'Employee')));
    expect(parseFilter('title pr or userType eq "Intern"')).toEqual(or(pr('title'), cmp('userType', 'eq', 'Intern')));
    expect(
      parseFilter('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")'),
    ).toEqual(
      and(
        cmp('userType', 'eq', 'Employee'),
        or(cmp('emails', 'co', 'example.com'), cmp({ name: 'emails', sub: 'value' }, 'co', 'example.org')),
      ),
    );
    expect(parseFilter('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toEqual(
      and(
        cmp('userType', 'ne', 'Employee'),
        not(or(cmp('emails', 'co', 'example.com'), cmp({ name: 'emails', sub: 'value' }, 'co', 'example.org'))),
      ),
    );
    expect(parseFilter('userType eq "Employee" and (emails.type eq "work")')).toEqual(
      and(cmp('userType', 'eq', 'Employee'), cmp({ name: 'emails', sub: 'type' }, 'eq', 'work')),
    );
  });

  it('lenient whitespace: runs of spaces and tabs, leading and trailing', () => {
    expect(parseFilter('  a   eq\t1 \t and  b pr  ')).toEqual(and(a, pr('b')));
    expect(parseFilter('( a eq 1 )')).toEqual(a);
  });
});

describe('parseFilter: value paths', () => {
  it('simple', () => {
    expect(parseFilter('emails[type eq "work"]')).toEqual(vp('emails', cmp('type', 'eq', 'work')));
  });
  it('with a logical filter inside', () => {
    expect(parseFilter('emails[type eq "work" and primary eq true]')).toEqual(
      vp('emails', and(cmp('type', 'eq', 'work'), cmp('primary', 'eq', true))),
    );
    expect(parseFilter('emails[not (type eq "work") or value pr]')).toEqual(
      vp('emails', or(not(cmp('type', 'eq', 'work')), pr('value'))),
    );
  });
  it('RFC 7644 example combining value paths', () => {
    expect(
      parseFilter('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]'),
    ).toEqual(
      and(cmp('userType', 'eq', 'Employee'), vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')))),
    );
    expect(
      parseFilter('emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]'),
    ).toEqual(
      or(
        vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
        vp('ims', and(cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com'))),
      ),
    );
  });
  it('URN-qualified value path', () => {
    expect(parseFilter(`${CORE_USER}:emails[type eq "work"]`)).toEqual({
      kind: 'valuePath',
      path: { uri: CORE_USER, name: 'emails' },
      filter: cmp('type', 'eq', 'work'),
    });
  });
  it('a value path inside not and parentheses', () => {
    expect(parseFilter('not (emails[type eq "work"])')).toEqual(not(vp('emails', cmp('type', 'eq', 'work'))));
  });
});

describe('parseFilter: what Entra ID and Okta send', () => {
  it.each<[string, Filter]>([
    ['userName eq "Test_User_00aa00aa"', cmp('userName', 'eq', 'Test_User_00aa00aa')],
    ['externalId eq "0a21f0f2-8d2a-4f8e-bf98-7b2e0d1d4a6f"', cmp('externalId', 'eq', '0a21f0f2-8d2a-4f8e-bf98-7b2e0d1d4a6f')],
    ['displayName eq "Group1"', cmp('displayName', 'eq', 'Group1')],
    ['emails[type eq "work"].value eq "a@b.c"', vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'a@b.c')))],
    ['emails[type eq "work"].value pr', vp('emails', and(cmp('type', 'eq', 'work'), pr('value')))],
    [
      'emails[type eq "work" and primary eq true].value eq "a@b.c"',
      vp('emails', and(cmp('type', 'eq', 'work'), cmp('primary', 'eq', true), cmp('value', 'eq', 'a@b.c'))),
    ],
    [
      'emails[type eq "work" or type eq "home"].value eq "a@b.c"',
      vp('emails', and(or(cmp('type', 'eq', 'work'), cmp('type', 'eq', 'home')), cmp('value', 'eq', 'a@b.c'))),
    ],
    [
      'id eq "5171a35d82074e068ce2" and manager eq "a2d6f1d8"',
      and(cmp('id', 'eq', '5171a35d82074e068ce2'), cmp('manager', 'eq', 'a2d6f1d8')),
    ],
    [
      'displayName eq "Group1" and members[value eq "2819c223"]',
      and(cmp('displayName', 'eq', 'Group1'), vp('members', cmp('value', 'eq', '2819c223'))),
    ],
    [
      `${ENTERPRISE}:employeeNumber eq "701984"`,
      cmp({ uri: ENTERPRISE, name: 'employeeNumber' }, 'eq', '701984'),
    ],
    [`${CORE_USER}:userName sw "J"`, cmp({ uri: CORE_USER, name: 'userName' }, 'sw', 'J')],
    [`${ENTERPRISE}:manager.value eq "26118915"`, cmp({ uri: ENTERPRISE, name: 'manager', sub: 'value' }, 'eq', '26118915')],
    [`URN:IETF:params:scim:schemas:core:2.0:User:userName pr`, pr({ uri: 'URN:IETF:params:scim:schemas:core:2.0:User', name: 'userName' })],
    ['name.familyName co "O\'Malley"', cmp({ name: 'name', sub: 'familyName' }, 'co', "O'Malley")],
    ['members.$ref pr', pr({ name: 'members', sub: '$ref' })],
    ['meta.resourceType eq "User"', cmp({ name: 'meta', sub: 'resourceType' }, 'eq', 'User')],
  ])('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it('keeps attribute names as written', () => {
    expect(parseFilter('USERNAME eq "x"')).toEqual(cmp('USERNAME', 'eq', 'x'));
    expect(parseFilter('Name.GivenName eq "x"')).toEqual(cmp({ name: 'Name', sub: 'GivenName' }, 'eq', 'x'));
  });
});

describe('parseFilter: errors say what and where', () => {
  it.each<[string, RegExp]>([
    ['', /^filter is empty$/],
    ['   ', /^filter is empty$/],
    ['userName eq', /expected a value after "eq" at position 11, found the end of the filter/],
    ['eq "x"', /expected an attribute path at position 0, found "eq"/],
    ['userName foo "x"', /^filter: expected a comparison operator after "userName" at position 9, found "foo"$/],
    ['userName "x"', /expected a comparison operator after "userName" at position 9/],
    ['userName', /expected a comparison operator after "userName" at position 8, found the end of the filter/],
    ['title pr "x"', /"pr" takes no value.*position 9/],
    ['title pr 1', /"pr" takes no value/],
    ['title pr true', /"pr" takes no value/],
    ['userName eq "x" userName eq "y"', /unexpected "userName" at position 16; expected "and", "or" or the end of the filter/],
    ['userName eq "x" and', /expected an attribute path at position 19, found the end of the filter/],
    ['userName eq "x" or or b pr', /expected an attribute path at position 19, found "or"/],
    ['and a pr', /expected an attribute path at position 0, found "and"/],
    ['(userName eq "x"', /expected "\)" at position 16 to close the "\(" at position 0/],
    ['userName eq "x")', /"\)" at position 15 has no matching "\("/],
    ['emails[type eq "work"', /expected "]" at position 21 to close the "\[" at position 6/],
    ['emails[type eq "work")', /expected "]" at position 21 to close the "\[" at position 6, found "\)"/],
    ['emails type eq "work"]', /expected a comparison operator after "emails" at position 7, found "type"/],
    ['a pr]', /"]" at position 4 has no matching "\["/],
    ['()', /expected an attribute path at position 1, found "\)"/],
    ['not a pr', /expected "\(" after "not" at position 4, found "a"/],
    ['not', /expected "\(" after "not" at position 3, found the end of the filter/],
    ['userName eq "abc', /unterminated string starting at position 12/],
    ['userName eq "abc\\"', /unterminated string starting at position 12/],
    ['userName eq "abc\\', /unterminated string starting at position 12/],
    ['userName eq "a\\qb"', /invalid escape "\\q" at position 14/],
    ['userName eq "a\\\u0001b"', /invalid escape "\\" followed by U\+0001 at position 14/],
    ['userName eq "a\\u12"', /"\\u" at position 14 must be followed by four hex digits/],
    ['userName eq "a\\u12G4"', /four hex digits/],
    ['userName eq "a\nb"', /raw control character U\+000A at position 14/],
    ['userName eq "a\u0000b"', /raw control character U\+0000/],
    ['userName eq bjensen', /expected a value \(a quoted string, a number, true, false or null\) after "eq" at position 12, found "bjensen"/],
    ["userName eq 'x'", /expected a value/],
    ['a eq 01', /expected a value/],
    ['a eq 1.', /expected a value/],
    ['a eq .5', /expected a value/],
    ['a eq +1', /expected a value/],
    ['a eq 0x10', /expected a value/],
    ['a eq NaN', /expected a value/],
    ['a eq Infinity', /expected a value/],
    ['a eq 1e400', /the number "1e400" at position 5 is out of range/],
    ['a eq (1)', /expected a value after "eq" at position 5, found "\("/],
    ['emails[value[x pr]]', /"\[" at position 12 is inside another/],
    ['name.givenName[x pr]', /follows the sub-attribute path "name.givenName"/],
    ['emails[type eq "work"] .value eq "x"', /must follow "]" directly/],
    ['emails[type eq "work"].value.x eq "x"', /not a valid sub-attribute/],
    ['emails[type eq "work"].value', /expected a comparison operator after "emails\[type eq \\"work\\"\].value" at position 28/],
    ['name.given.x eq 1', /"name.given.x" at position 0 is not a valid attribute path/],
    ['1abc eq 1', /"1abc" at position 0 is not a valid attribute path/],
    ['foo:bar eq 1', /not a valid attribute path/],
    ['urn::x eq 1', /not a valid attribute path/],
    ['urn:x: eq 1', /not a valid attribute path/],
    ['"x" eq "x"', /expected an attribute path at position 0, found the string "\\"x\\""/],
  ])('%j', (text, detail) => {
    filterError(text, detail);
  });

  it('the length limit is checked first and named', () => {
    filterError(`userName eq "${'x'.repeat(5000 - 14)}"`, /^filter is 5000 characters; the limit is 4096$/);
  });

  it('quotes long tokens only in part', () => {
    const message = filterError(`${'a'.repeat(3000)} foo 1`);
    expect(message.length).toBeLessThan(200);
  });
});
