import { describe, expect, it } from 'vitest';
import { parseBody, parseTemplate, placeholdersOf, renderBody, renderPath, renderQueryValue, TemplateError } from '../../../../../connectors/firewall-rest/generic/template.js';

const path = (t: string, values: Parameters<typeof renderPath>[1]) => renderPath(parseTemplate(t), values);
const body = (t: unknown, values: Parameters<typeof renderBody>[1]) => JSON.parse(JSON.stringify(renderBody(parseBody(t), values))) as unknown;

describe('generic templates: parsing', () => {
  it('knows its placeholders, {field:NAME} and literal braces', () => {
    const t = parseTemplate('/a/{key}/{{x}}/{field:e-mail.work}/{id}');
    expect(placeholdersOf(t)).toEqual([{ name: 'key' }, { name: 'field', field: 'e-mail.work' }, { name: 'id' }]);
    expect(path('/a/{{b}}', {})).toBe('/a/{b}');
  });

  it.each([
    ['/x/{nope}', /unknown placeholder \{nope\}/],
    ['/x/{key', /a "\{" without "\}"/],
    ['/x/key}', /a "\}" without "\{"/],
    ['/x/{field}', /\{field:NAME\} needs a native field name/],
    ['/x/{field:a b}', /needs a native field name/],
    ['/x/{key:x}', /\{key\} takes no argument/],
    ['/x/{constructor}', /unknown placeholder/],
    ['/x/{ key }', /unknown placeholder/],
  ])('refuses %s', (source, message) => {
    expect(() => parseTemplate(source)).toThrow(message);
  });
});

describe('generic templates: paths', () => {
  it.each([
    ['a/b', 'a%2Fb'],
    ['a?b=c', 'a%3Fb%3Dc'],
    ['a#b', 'a%23b'],
    ['100%', '100%25'],
    ['%2e%2e', '%252e%252e'],
    ['../etc', '..%2Fetc'],
    ['j doe', 'j%20doe'],
    ['jürgen', 'j%C3%BCrgen'],
    ['李', '%E6%9D%8E'],
    ['a&b+c', 'a%26b%2Bc'],
  ])('encodes %j as one segment', (key, encoded) => {
    expect(path('/api/user/{key}', { key })).toBe(`/api/user/${encoded}`);
    expect(path('/api/user?name={key}', { key })).toBe(`/api/user?name=${encoded}`);
  });

  it('refuses "." and ".." as values (URL parsers drop such segments) and absent values', () => {
    expect(() => path('/api/user/{key}', { key: '..' })).toThrow(TemplateError);
    expect(() => path('/api/user/{key}', { key: '.' })).toThrow(TemplateError);
    expect(() => path('/api/user/{id}', {})).toThrow(/no value for \{id\}/);
    expect(() => path('/api/user/{key}', { key: '' })).toThrow(TemplateError);
  });

  it('writes numeric ids as text, 0 included', () => {
    expect(path('/api/v2/user?id={id}', { id: 0 })).toBe('/api/v2/user?id=0');
  });
});

describe('generic templates: query values', () => {
  it('leaves the value to the transport to encode, and a parameter with an absent only placeholder out', () => {
    expect(renderQueryValue(parseTemplate('{key}'), { key: 'a&b=c' })).toBe('a&b=c');
    expect(renderQueryValue(parseTemplate('{field:x}'), {})).toBeUndefined();
    expect(renderQueryValue(parseTemplate('name:{key}'), { key: 'j' })).toBe('name:j');
    expect(renderQueryValue(parseTemplate('-1'), {})).toBe('-1');
  });
});

describe('generic templates: JSON bodies', () => {
  it('substitutes whole-placeholder leaves with typed values and leaves absent ones out', () => {
    const t = { user: { id: '{id}', name: '{newKey}', off: '{field:active}', mail: '{field:email}', tags: ['{field:email}', 'x'], n: 3, b: true, z: null } };
    expect(body(t, { id: 7, newKey: 'jdoe', fields: { active: false } })).toEqual({ user: { id: 7, name: 'jdoe', off: false, tags: ['x'], n: 3, b: true, z: null } });
  });

  it('writes {members} as the value given (an array, or a joined string)', () => {
    expect(body({ member: '{members}' }, { members: ['a', 'b'] })).toEqual({ member: ['a', 'b'] });
    expect(body({ member: '{members}' }, { members: '2001,2002' })).toEqual({ member: '2001,2002' });
  });

  it('keeps hostile values as string values: never JSON text built by concatenation', () => {
    const evil = '","scope":"system","x":"';
    const out = body({ name: '{key}', descr: 'for {key}' }, { key: evil });
    expect(out).toEqual({ name: evil, descr: `for ${evil}` });
  });

  it('keeps a __proto__ key of a template an ordinary key', () => {
    const t = JSON.parse('{"__proto__": {"polluted": "{key}"}, "a": 1}') as unknown;
    const out = renderBody(parseBody(t), { key: 'x' }) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"x"},"a":1}');
  });

  it('gives {randomPassword} 32 random characters, the same within one body and new in the next', () => {
    const t = parseBody({ p: '{randomPassword}', again: '{randomPassword}' });
    const a = renderBody(t, {}) as { p: string; again: string };
    const b = renderBody(t, {}) as { p: string };
    expect(a.p).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a.again).toBe(a.p);
    expect(b.p).not.toBe(a.p);
  });

  it('treats strings without placeholders as literals and refuses non-JSON values', () => {
    expect(body({ a: 'plain {{x}}' }, {})).toEqual({ a: 'plain {x}' });
    expect(() => parseBody({ f: () => 1 })).toThrow(/JSON values only/);
  });
});
