import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DN } from 'ldapts';
import { buildDn, escapeDnValue, normalizeDn, parentOf, parseDn, rdnOf } from '../../../../connectors/ldap/dn.js';

/** Hostile values from the research (A8), with what we write and what OpenLDAP 2.5 answers for them (observed). */
const HOSTILE: readonly (readonly [value: string, ours: string, openldap: string])[] = [
  [' lead', '\\ lead', '\\20lead'],
  ['trail ', 'trail\\ ', 'trail\\20'],
  ['#hash', '\\#hash', '\\23hash'],
  ['a,b+c', 'a\\,b\\+c', 'a\\2Cb\\2Bc'],
  ['x)(|(objectClass=*)', 'x)(|(objectClass\\=*)', 'x)(|(objectClass\\3D*)'],
  ['back\\slash', 'back\\\\slash', 'back\\5Cslash'],
  ['a"b<c>;=d', 'a\\"b\\<c\\>\\;\\=d', 'a\\22b\\3Cc\\3E\\3B\\3Dd'],
  ['nul\0x', 'nul\\00x', 'nul\\00x'],
  ['Ünï €😀', 'Ünï €😀', 'Ünï €😀'],
  ['Tour Guides, West', 'Tour Guides\\, West', 'Tour Guides\\2C West'],
];

const PARENT = 'ou=people,dc=example,dc=com';
const first = (dn: string) => parseDn(dn)[0]?.[0]?.value;

describe('escapeDnValue (RFC 4514 §2.4)', () => {
  it.each(HOSTILE)('escapes %j as %s', (value, ours) => {
    expect(escapeDnValue(value)).toBe(ours);
  });

  it('escapes a leading space or # and a trailing space only at the edges', () => {
    expect(escapeDnValue(' a ')).toBe('\\ a\\ ');
    expect(escapeDnValue('#x')).toBe('\\#x');
    expect(escapeDnValue('a#b c')).toBe('a#b c');
    expect(escapeDnValue(' ')).toBe('\\ ');
    expect(escapeDnValue('  ')).toBe('\\ \\ ');
    expect(escapeDnValue('')).toBe('');
  });

  it('escapes a trailing space after a backslash (the research snippet missed this one)', () => {
    expect(escapeDnValue('a\\ ')).toBe('a\\\\\\ ');
    expect(first(`cn=${escapeDnValue('a\\ ')}`)).toBe('a\\ ');
  });
});

describe('parseDn', () => {
  it.each(HOSTILE)('reads back %j from our escaping and from the server\'s hex form', (value, ours, openldap) => {
    expect(first(`uid=${ours},${PARENT}`)).toBe(value);
    expect(first(`uid=${openldap},${PARENT}`)).toBe(value);
  });

  it('splits RDNs and multi-valued RDNs', () => {
    expect(parseDn('cn=a+sn=b,ou=x,dc=y')).toEqual([
      [{ type: 'cn', value: 'a' }, { type: 'sn', value: 'b' }],
      [{ type: 'ou', value: 'x' }],
      [{ type: 'dc', value: 'y' }],
    ]);
    expect(parseDn('')).toEqual([]);
    expect(parseDn('2.5.4.3=x')).toEqual([[{ type: '2.5.4.3', value: 'x' }]]);
    expect(first('cn=a=b#c')).toBe('a=b#c'); // '=' and a non-leading '#' need no escape (RFC 4514 §3 stringchar)
  });

  it('decodes hex pairs, including multi-byte UTF-8 sequences, mixed case', () => {
    expect(first('cn=\\C3\\A9t\\c3\\a9')).toBe('été');
    expect(first('cn=\\F0\\9F\\98\\80!')).toBe('😀!');
    expect(first('cn=\\EF\\BB\\BFx')).toBe('\uFEFFx'); // a leading BOM is data, not stripped
  });

  it('ignores spaces around = , + and unescaped trailing spaces, but keeps escaped ones', () => {
    expect(parseDn(' cn = a b  ,  ou = x + l = y ')).toEqual([
      [{ type: 'cn', value: 'a b' }],
      [{ type: 'ou', value: 'x' }, { type: 'l', value: 'y' }],
    ]);
    expect(first('cn=a\\ ,dc=x')).toBe('a ');
    expect(first('cn=a\\20  ,dc=x')).toBe('a ');
  });

  it('accepts the RFC 2253 quoted form ldapts writes', () => {
    expect(first('uid=" lead",dc=x')).toBe(' lead');
    expect(first('uid="a,b+c;d\\"e\\\\f" , dc=x')).toBe('a,b+c;d"e\\f');
    for (const v of [' lead', 'trail ', '  ', 'a\\ ', ' a"b ']) {
      expect(first(new DN({ uid: v }).toString())).toBe(v);
    }
  });

  it('accepts a BER #hexstring value and ; as an RDN separator (RFC 2253 §4)', () => {
    expect(parseDn('cn=#0C03616263;o=#040141')).toEqual([[{ type: 'cn', value: 'abc' }], [{ type: 'o', value: 'A' }]]);
  });

  it.each([
    'cn',
    'cn=a,',
    ',cn=a',
    'cn=a+',
    '=a',
    'c n=a',
    'cn=a\\',
    'cn=a\\4',
    'cn=a\\q',
    'cn=a"b',
    'cn=a<b',
    'cn=a>b',
    'cn=a\0b',
    'cn="open',
    'cn="a"b',
    'cn=\\C3',
    'cn=\\FF\\FE',
    'cn=#zz',
    'cn=#0C05ab',
    'cn=#300100',
    '1abc=x',
  ])('rejects %j', (dn) => {
    expect(() => parseDn(dn)).toThrow(/malformed DN/);
  });
});

describe('normalizeDn', () => {
  it.each(HOSTILE)('gives the same form for our escaping and the server\'s of %j', (_, ours, openldap) => {
    expect(normalizeDn(`uid=${ours},${PARENT}`)).toBe(normalizeDn(`uid=${openldap},${PARENT}`));
  });

  it('lower-cases types and values and sorts multi-valued RDNs', () => {
    expect(normalizeDn('UID=JDoe , OU=People,DC=Example')).toBe('uid=jdoe,ou=people,dc=example');
    expect(normalizeDn('sn=B+CN=a,dc=x')).toBe(normalizeDn('cn=A+sn=b,dc=x'));
    expect(normalizeDn('uid=" Lead",dc=x')).toBe('uid=\\ lead,dc=x');
    expect(normalizeDn('uid=\\20lead\\2Cx,dc=x')).toBe(normalizeDn('uid=\\ lead\\,x,dc=x'));
  });

  it('keeps distinct DNs distinct', () => {
    expect(normalizeDn('uid=a\\,b,dc=x')).not.toBe(normalizeDn('uid=a,b=c,dc=x'));
    expect(normalizeDn('uid=a\\+b,dc=x')).not.toBe(normalizeDn('uid=a+b=c,dc=x'));
    expect(normalizeDn('uid=a\\ ,dc=x')).not.toBe(normalizeDn('uid=a,dc=x'));
  });
});

describe('buildDn, rdnOf, parentOf', () => {
  it('builds an escaped DN under a parent', () => {
    expect(buildDn('uid', ' lead,x', PARENT)).toBe(`uid=\\ lead\\,x,${PARENT}`);
    expect(buildDn('cn', 'a+b', '')).toBe('cn=a\\+b');
  });

  it('refuses a bad attribute type, an empty value or a malformed parent', () => {
    expect(() => buildDn('u=id', 'x', PARENT)).toThrow(/attribute type/);
    expect(() => buildDn('uid', '', PARENT)).toThrow(/empty/);
    expect(() => buildDn('uid', 'x', 'ou=a,')).toThrow(/malformed DN/);
  });

  it('splits off the first RDN, keeping the parent as written', () => {
    const dn = 'uid=a\\,b ,  OU=People\\2C Inc,dc=x';
    expect(rdnOf(dn)).toEqual({ type: 'uid', value: 'a,b' });
    expect(parentOf(dn)).toBe('OU=People\\2C Inc,dc=x');
    expect(parentOf('uid=" x, y",dc=x')).toBe('dc=x');
    expect(parentOf('dc=com')).toBe('');
  });

  it('refuses the empty DN and multi-valued RDNs', () => {
    expect(() => rdnOf('')).toThrow();
    expect(() => parentOf('')).toThrow();
    expect(() => rdnOf('cn=a+sn=b,dc=x')).toThrow(/multi-valued/);
  });
});

/** Full Unicode code points (no lone surrogates, which cannot be UTF-8), biased towards the characters that matter. */
const value = fc.string({
  unit: fc.oneof(
    { arbitrary: fc.constantFrom(' ', '#', ',', '+', ';', '"', '\\', '<', '>', '=', '\0', '*', '(', ')', 'é', '😀'), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
  ),
  maxLength: 10,
});

/** The way OpenLDAP writes a value: every special character, edge space and NUL as a hex pair. */
function serverEscape(v: string): string {
  const chars = [...v];
  const last = chars.length - 1;
  return chars
    .map((c, i) => {
      const special = '\\"+,;<>=\0'.includes(c) || (i === 0 && (c === ' ' || c === '#')) || (i === last && c === ' ');
      return special ? `\\${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : c;
    })
    .join('');
}

describe('properties', () => {
  it('escape → parse gives the value back', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const dn = buildDn('cn', a || 'x', `ou=${escapeDnValue(b)},dc=example`);
        const parsed = parseDn(dn);
        expect(parsed[0]?.[0]?.value).toBe(a || 'x');
        expect(parsed[1]?.[0]?.value).toBe(b);
        expect(parentOf(dn)).toBe(`ou=${escapeDnValue(b)},dc=example`);
      }),
      { numRuns: 1000 },
    );
  });

  it('normalizeDn is idempotent and equal for the server\'s hex form and our backslash form', () => {
    fc.assert(
      fc.property(value, fc.boolean(), (v, upper) => {
        const ours = `uid=${escapeDnValue(v)},ou=People,dc=x`;
        const theirs = `UID=${serverEscape(upper ? v.toUpperCase() : v)},OU=people,DC=X`;
        const n = normalizeDn(ours);
        expect(normalizeDn(n)).toBe(n);
        if (!upper || v.toUpperCase().toLowerCase() === v.toLowerCase()) expect(normalizeDn(theirs)).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });
});
