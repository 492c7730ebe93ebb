import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../../connectors/firewall-rest/generic/errors.js';
import { parseJson, parsePath, readMembers, readPath, textOf } from '../../../../../connectors/firewall-rest/generic/extract.js';
import { errorRuleSchema } from '../../../../../connectors/firewall-rest/generic/config-ops.js';

describe('generic extraction: dotted paths', () => {
  it('reads objects and array indexes, and the whole value for an empty path', () => {
    const v = { data: [{ name: 'a' }, { name: 'b' }], result: { uuid: 'u-1' } };
    expect(readPath(v, parsePath('data.1.name'))).toBe('b');
    expect(readPath(v, parsePath('result.uuid'))).toBe('u-1');
    expect(readPath(v, parsePath(''))).toBe(v);
    expect(readPath(v, parsePath('data.x'))).toBeUndefined();
    expect(readPath(v, parsePath('result.uuid.length'))).toBeUndefined();
    expect(readPath(null, parsePath('a'))).toBeUndefined();
  });

  it('follows own properties only, never the prototype chain', () => {
    expect(readPath({}, parsePath('constructor'))).toBeUndefined();
    expect(readPath({ a: {} }, parsePath('a.__proto__'))).toBeUndefined();
    expect(readPath({ a: 'x' }, parsePath('a.length'))).toBeUndefined();
    expect(readPath(JSON.parse('{"__proto__":{"x":1}}'), parsePath('__proto__.x'))).toBe(1);
  });

  it('refuses malformed paths', () => {
    expect(() => parsePath('a..b')).toThrow(/not a dotted path/);
    expect(() => parsePath('a b')).toThrow(/not a dotted path/);
  });

  it('parses JSON leniently (an HTML error page is no JSON)', () => {
    expect(parseJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseJson('<html>')).toBeUndefined();
    expect(parseJson('')).toBeUndefined();
  });
});

describe('generic extraction: members', () => {
  it('reads name arrays, objects with names, comma lists and option maps', () => {
    expect(readMembers(['a', 'b'])).toEqual(['a', 'b']);
    expect(readMembers([{ name: 'a' }, { x: 1 }, ''])).toEqual(['a']);
    expect(readMembers('a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(readMembers({ 2000: { value: 'a', selected: 1 }, 2001: { value: 'b', selected: 0 }, 2002: { value: 'c', selected: '1' } })).toEqual(['a', 'c']);
    expect(readMembers(undefined)).toEqual([]);
    expect(readMembers('')).toEqual([]);
  });
});

describe('generic extraction: error texts and rules', () => {
  it('flattens validation objects into "field: text" and bounds the length', () => {
    expect(textOf({ 'user.name': 'taken', 'user.email': ['bad', 'worse'] })).toBe('user.name: taken; user.email: bad; user.email: worse');
    expect(textOf('x'.repeat(600))).toHaveLength(501);
    expect(textOf({})).toBeUndefined();
  });

  const policy = (rules: unknown[]) => ({ label: 'FW', rules: rules.map((r) => errorRuleSchema.parse(r)), messagePaths: [parsePath('message'), parsePath('validations')] });
  const res = (status: number, body: unknown) => ({ status, headers: {}, body: JSON.stringify(body) });
  const check = (p: ReturnType<typeof policy>, status: number, body: unknown) => errorOf(res(status, body), body, p, 'create user', '"j"');

  it('applies the first matching rule, on 2xx answers too', () => {
    const p = policy([
      { path: 'result', equals: 'failed', matches: 'already exist', message: 'validations', kind: 'conflict' },
      { path: 'result', equals: 'failed', message: 'validations', kind: 'invalid' },
      { path: 'response_id', equals: ['A', 'FIELD_MUST_BE_UNIQUE'], kind: 'conflict' },
      { status: 418, kind: 'unavailable' },
    ]);
    expect(check(p, 200, { result: 'failed', validations: { 'user.name': 'This username already exist.' } })).toMatchObject({ kind: 'conflict', message: 'FW: create user "j": user.name: This username already exist.' });
    expect(check(p, 200, { result: 'failed', validations: { 'user.x': 'bad' } })).toMatchObject({ kind: 'invalid' });
    expect(check(p, 400, { response_id: 'FIELD_MUST_BE_UNIQUE', message: 'in use' })).toMatchObject({ kind: 'conflict', message: 'FW: create user "j": in use' });
    expect(check(p, 418, {})).toMatchObject({ kind: 'unavailable', retryAfterSec: 5, message: 'FW: create user "j": HTTP 418' });
    expect(check(p, 200, { result: 'saved' })).toBeUndefined();
  });

  it('maps by status when no rule matches', () => {
    const p = policy([]);
    expect(check(p, 404, {})?.kind).toBe('not-found');
    expect(check(p, 409, {})?.kind).toBe('conflict');
    expect(check(p, 400, { message: 'nope' })).toMatchObject({ kind: 'invalid', message: 'FW: create user "j": nope' });
    expect(check(p, 500, {})?.kind).toBe('unavailable');
    expect(check(p, 302, {})?.kind).toBe('internal');
    expect(check(p, 204, undefined)).toBeUndefined();
  });

  it('refuses rules that cannot match anything', () => {
    expect(() => errorRuleSchema.parse({ kind: 'invalid' })).toThrow(/needs status or path/);
    expect(() => errorRuleSchema.parse({ status: 400, equals: 'x', kind: 'invalid' })).toThrow(/equals needs path/);
    expect(() => errorRuleSchema.parse({ status: 400, kind: 'teapot' })).toThrow();
  });
});
