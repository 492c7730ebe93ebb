import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { BerReader, BerWriter, EqualityFilter, FilterParser, SubstringFilter, type Filter } from 'ldapts';
import { ConnectorError, type CompareOp, type FieldType, type NativeFilter, type NativeTarget } from '../../../../connectors/types.js';
import { isSelective, referencedIds, toLdapFilter, type LdapFilterContext } from '../../../../connectors/ldap/filter.js';
import { guidFilterValue, isGuid } from '../../../../connectors/ldap/values.js';

const field = (name: string): NativeTarget => ({ kind: 'field', field: name });
const cmp = (op: CompareOp, target: NativeTarget, value: string | number | boolean, type: FieldType = 'string'): NativeFilter => ({
  op,
  target,
  value,
  type,
  caseExact: false,
});
const pr = (target: NativeTarget): NativeFilter => ({ op: 'pr', target });

const PEOPLE = 'ou=people,dc=example,dc=com';
const ATTRS: Record<string, string> = { userName: 'uid', mail: 'mail', logins: 'loginCount', enabled: 'x-enabled', born: 'birthTime', manager: 'manager', photo: 'jpegPhoto' };

const CTX: LdapFilterContext = {
  attribute: (f) => ATTRS[f],
  special: (f, op, value) => (f === 'active' && op === 'eq' ? new EqualityFilter({ attribute: 'pwdAccountLockedTime', value: String(value) }) : undefined),
  idAttribute: 'entryUUID',
  idValue: (id) => id,
  memberAttribute: 'member',
  memberDn: (id) => (id === 'u1' ? `uid=one,${PEOPLE}` : undefined),
  referenceDn: (_f, id) => (id === 'u1' ? `uid=one,${PEOPLE}` : undefined),
  isReference: (f) => f === 'manager',
};

const ldap = (f: NativeFilter, ctx: LdapFilterContext = CTX) => toLdapFilter(f, ctx).toString();
const rejected = (f: NativeFilter, ctx: LdapFilterContext = CTX) => {
  try {
    toLdapFilter(f, ctx);
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

/** Encodes like a SearchRequest does and decodes again: what the server receives. */
const overTheWire = (f: Filter): Filter => {
  const w = new BerWriter();
  f.write(w);
  return FilterParser.parse(new BerReader(w.buffer));
};

describe('toLdapFilter: operators on plain attributes', () => {
  it.each([
    [cmp('eq', field('userName'), 'bjensen'), '(uid=bjensen)'],
    [cmp('ne', field('userName'), 'bjensen'), '(!(uid=bjensen))'],
    [cmp('co', field('mail'), 'example'), '(mail=*example*)'],
    [cmp('sw', field('mail'), 'b'), '(mail=b*)'],
    [cmp('ew', field('mail'), '.org'), '(mail=*.org)'],
    [cmp('co', field('mail'), ''), '(mail=*)'],
    [cmp('sw', field('mail'), ''), '(mail=*)'],
    [cmp('ge', field('userName'), 'm'), '(uid>=m)'],
    [cmp('le', field('userName'), 'm'), '(uid<=m)'],
    [cmp('gt', field('userName'), 'm'), '(&(uid>=m)(!(uid=m)))'],
    [cmp('lt', field('userName'), 'm'), '(&(uid<=m)(!(uid=m)))'],
    [pr(field('mail')), '(mail=*)'],
  ])('%j → %s', (f, s) => {
    expect(ldap(f)).toBe(s);
  });

  it('writes booleans as TRUE/FALSE and numbers as plain decimals', () => {
    expect(ldap(cmp('eq', field('enabled'), true, 'boolean'))).toBe('(x-enabled=TRUE)');
    expect(ldap(cmp('ne', field('enabled'), false, 'boolean'))).toBe('(!(x-enabled=FALSE))');
    expect(ldap(cmp('gt', field('logins'), 9, 'integer'))).toBe('(&(loginCount>=9)(!(loginCount=9)))');
    expect(ldap(cmp('eq', field('logins'), 1e21, 'integer'))).toBe('(loginCount=1000000000000000000000)');
    expect(ldap(cmp('le', field('logins'), -2.5, 'decimal'))).toBe('(loginCount<=-2.5)');
  });

  it('converts dateTime comparisons to GeneralizedTime', () => {
    expect(ldap(cmp('ge', field('born'), '2024-01-31T13:00:00+01:00', 'dateTime'))).toBe('(birthTime>=20240131120000Z)');
    expect(ldap(cmp('lt', field('born'), '2024-01-31T12:00:00.5Z', 'dateTime'))).toBe('(&(birthTime<=20240131120000.5Z)(!(birthTime=20240131120000.5Z)))');
  });

  it('rejects operators the attribute syntax has no matching rule for', () => {
    for (const f of [
      cmp('gt', field('enabled'), true, 'boolean'),
      cmp('co', field('enabled'), true, 'boolean'),
      cmp('sw', field('logins'), 1, 'integer'),
      cmp('co', field('born'), '2024', 'dateTime'),
      cmp('ge', field('photo'), 'AAAA', 'binary'),
      cmp('eq', field('born'), 'yesterday', 'dateTime'),
      cmp('eq', field('logins'), Number.NaN, 'integer'),
    ]) {
      expect(rejected(f)).toMatchObject({ kind: 'invalid' });
    }
  });

  it('compares binary fields by their base64-decoded bytes', () => {
    const f = toLdapFilter(cmp('eq', field('photo'), Buffer.from([0x28, 0x2a, 0x00]).toString('base64'), 'binary'), CTX);
    expect(f.toString()).toBe('(jpegPhoto=\\28\\2a\\00)');
  });
});

describe('toLdapFilter: logic and constants', () => {
  const a = cmp('eq', field('userName'), 'a');
  const b = cmp('eq', field('mail'), 'b');

  it('translates and/or/not recursively', () => {
    expect(ldap({ op: 'and', filters: [a, { op: 'or', filters: [b, { op: 'not', filter: a }] }] })).toBe('(&(uid=a)(|(mail=b)(!(uid=a))))');
  });

  it('spells out true, false and degenerate and/or', () => {
    expect(ldap({ op: 'true' })).toBe('(objectClass=*)');
    expect(ldap({ op: 'false' })).toBe('(!(objectClass=*))');
    expect(ldap({ op: 'and', filters: [] })).toBe('(objectClass=*)');
    expect(ldap({ op: 'or', filters: [] })).toBe('(!(objectClass=*))');
    expect(ldap({ op: 'or', filters: [a] })).toBe('(uid=a)');
  });
});

describe('toLdapFilter: injection', () => {
  const HOSTILE = ['x)(|(objectClass=*)', '*', 'a*b', '(', ')', 'back\\slash', 'nul\0x', '\\2a', 'Ünï'];

  it.each(HOSTILE)('keeps %j a value: escaped in toString, byte-exact on the wire', (v) => {
    const eq = toLdapFilter(cmp('eq', field('userName'), v), CTX);
    expect(eq.toString()).toBe(`(uid=${EqualityFilter.escape(v)})`);
    expect(eq.toString()).not.toMatch(/[*\0]|\((?!uid=)|\)(?!$)/);
    const decoded = overTheWire(eq);
    expect(decoded).toBeInstanceOf(EqualityFilter);
    expect((decoded as EqualityFilter).value).toBe(v);

    const co = overTheWire(toLdapFilter(cmp('co', field('userName'), v), CTX));
    expect(co).toBeInstanceOf(SubstringFilter);
    expect((co as SubstringFilter).any).toEqual([v]);
  });

  it('prints * ( ) \\ and NUL escaped (RFC 4515 §3)', () => {
    expect(ldap(cmp('eq', field('userName'), 'x)(|(objectClass=*)'))).toBe('(uid=x\\29\\28|\\28objectClass=\\2a\\29)');
    expect(ldap(cmp('sw', field('userName'), 'a\\b\0'))).toBe('(uid=a\\5cb\\00*)');
  });

  it('never lets any string change the filter structure', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), (v) => {
        const decoded = overTheWire(toLdapFilter(cmp('ne', field('userName'), v), CTX));
        expect(decoded.toString()).toBe(`(!(uid=${EqualityFilter.escape(v)}))`);
      }),
    );
  });
});

describe('toLdapFilter: id, meta, members, references', () => {
  it('compares ids on the id attribute, eq/ne/pr only', () => {
    expect(ldap(cmp('eq', { kind: 'id' }, 'abc'))).toBe('(entryUUID=abc)');
    expect(ldap(cmp('ne', { kind: 'id' }, 'abc'))).toBe('(!(entryUUID=abc))');
    expect(ldap(pr({ kind: 'id' }))).toBe('(entryUUID=*)');
    const e = rejected(cmp('sw', { kind: 'id' }, 'a'));
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e).toMatchObject({ kind: 'invalid', attribute: 'id', message: expect.stringContaining("'sw'") });
  });

  it('writes objectGUID ids as bytes, and a non-GUID id matches nothing', () => {
    const ad: LdapFilterContext = { ...CTX, idAttribute: 'objectGUID', idValue: (id) => (isGuid(id) ? guidFilterValue(id) : undefined) };
    expect(ldap(cmp('eq', { kind: 'id' }, 'bf967aba-0de6-11d0-a285-00aa003049e2'), ad)).toBe(
      '(objectGUID=\\ba\\7a\\96\\bf\\e6\\0d\\d0\\11\\a2\\85\\00\\aa\\00\\30\\49\\e2)',
    );
    expect(ldap(cmp('eq', { kind: 'id' }, 'not-a-guid'), ad)).toBe('(!(objectClass=*))');
    expect(ldap(cmp('ne', { kind: 'id' }, 'not-a-guid'), ad)).toBe('(objectClass=*)');
  });

  it('compares meta timestamps as GeneralizedTime on the configured attributes', () => {
    expect(ldap(cmp('gt', { kind: 'meta', name: 'lastModified' }, '2024-01-31T12:00:00Z', 'dateTime'))).toBe(
      '(&(modifyTimestamp>=20240131120000Z)(!(modifyTimestamp=20240131120000Z)))',
    );
    expect(ldap(cmp('ge', { kind: 'meta', name: 'created' }, '2024-01-31T12:00:00Z', 'dateTime'))).toBe('(createTimestamp>=20240131120000Z)');
    const ad = { ...CTX, metaAttribute: { created: 'whenCreated', lastModified: 'whenChanged' } };
    expect(ldap(cmp('le', { kind: 'meta', name: 'created' }, '2024-01-31T12:00:00Z', 'dateTime'), ad)).toBe('(whenCreated<=20240131120000Z)');
    expect(ldap(pr({ kind: 'meta', name: 'lastModified' }), ad)).toBe('(whenChanged=*)');
    expect(rejected(cmp('sw', { kind: 'meta', name: 'created' }, '2024', 'dateTime'))).toMatchObject({ kind: 'invalid' });
    expect(rejected(cmp('eq', { kind: 'meta', name: 'created' }, 'soon', 'dateTime'))).toMatchObject({ kind: 'invalid', attribute: 'meta.created' });
  });

  it('compares members by resolved DN; an unknown id is in no group', () => {
    expect(ldap(cmp('eq', { kind: 'member' }, 'u1'))).toBe(`(member=uid=one,${PEOPLE})`);
    expect(ldap(cmp('ne', { kind: 'member' }, 'u1'))).toBe(`(!(member=uid=one,${PEOPLE}))`);
    expect(ldap(cmp('eq', { kind: 'member' }, 'ghost'))).toBe('(!(objectClass=*))');
    expect(ldap(cmp('ne', { kind: 'member' }, 'ghost'))).toBe('(objectClass=*)');
    expect(ldap(pr({ kind: 'member' }))).toBe('(member=*)');
    expect(rejected(cmp('co', { kind: 'member' }, 'u'))).toMatchObject({ kind: 'invalid', attribute: 'members' });
    const users: LdapFilterContext = { ...CTX, memberAttribute: undefined };
    expect(rejected(cmp('eq', { kind: 'member' }, 'u1'), users)).toMatchObject({ kind: 'invalid' });
    expect(rejected(pr({ kind: 'member' }), users)).toMatchObject({ kind: 'invalid' });
  });

  it('does not count the empty-group placeholder as a member for pr', () => {
    const ctx = { ...CTX, memberPlaceholderDn: 'cn=nobody,dc=example,dc=com' };
    expect(ldap(pr({ kind: 'member' }), ctx)).toBe('(&(member=*)(!(member=cn=nobody,dc=example,dc=com)))');
  });

  it('compares reference fields by resolved DN, eq/ne/pr only', () => {
    expect(ldap(cmp('eq', field('manager'), 'u1', 'reference'))).toBe(`(manager=uid=one,${PEOPLE})`);
    expect(ldap(cmp('eq', field('manager'), 'ghost', 'reference'))).toBe('(!(objectClass=*))');
    expect(ldap(cmp('ne', field('manager'), 'ghost', 'reference'))).toBe('(objectClass=*)');
    expect(ldap(pr(field('manager')))).toBe('(manager=*)');
    expect(rejected(cmp('sw', field('manager'), 'u', 'reference'))).toMatchObject({ kind: 'invalid', attribute: 'manager' });
    const { referenceDn: _, ...noResolver } = CTX;
    expect(rejected(cmp('eq', field('manager'), 'u1', 'reference'), noResolver)).toMatchObject({ kind: 'internal' });
  });

  it('hands fields without an attribute to special, and rejects them without one', () => {
    expect(ldap(cmp('eq', field('active'), true, 'boolean'))).toBe('(pwdAccountLockedTime=true)');
    expect(rejected(cmp('ne', field('active'), true, 'boolean'))).toMatchObject({ kind: 'invalid', attribute: 'active' });
    expect(rejected(pr(field('active')))).toMatchObject({ kind: 'invalid', attribute: 'active' });
    const { special: _, ...noSpecial } = CTX;
    expect(rejected(cmp('eq', field('nickName'), 'x'), noSpecial)).toMatchObject({ kind: 'invalid', attribute: 'nickName' });
  });
});

describe('referencedIds', () => {
  it('collects member and reference ids from eq/ne terms, deduplicated', () => {
    const f: NativeFilter = {
      op: 'or',
      filters: [
        cmp('eq', { kind: 'member' }, 'u1'),
        { op: 'not', filter: cmp('ne', { kind: 'member' }, 'u2') },
        cmp('eq', { kind: 'member' }, 'u1'),
        { op: 'and', filters: [cmp('eq', field('manager'), 'm1', 'reference'), cmp('eq', field('userName'), 'u3')] },
        pr({ kind: 'member' }),
        cmp('eq', { kind: 'id' }, 'i1'),
      ],
    };
    const ids = referencedIds(f, CTX);
    expect(ids.members).toEqual(['u1', 'u2']);
    expect([...ids.references]).toEqual([['manager', ['m1']]]);
    expect(referencedIds({ op: 'true' }, {})).toEqual({ members: [], references: new Map() });
  });
});

describe('isSelective: which lists skip paging', () => {
  const unique = (f: string): boolean => f === 'userName';
  it('is an equality on the id or a unique field, alone, and-ed with anything, or or-ed with its kind', () => {
    expect(isSelective(cmp('eq', field('userName'), 'a'), unique)).toBe(true);
    expect(isSelective(cmp('eq', { kind: 'id' }, 'x'), unique)).toBe(true);
    expect(isSelective({ op: 'and', filters: [pr(field('mail')), cmp('eq', field('userName'), 'a')] }, unique)).toBe(true);
    expect(isSelective({ op: 'or', filters: [cmp('eq', field('userName'), 'a'), cmp('eq', { kind: 'id' }, 'x')] }, unique)).toBe(true);
  });
  it('is not anything that can match many entries', () => {
    expect(isSelective(cmp('eq', field('mail'), 'a'), unique)).toBe(false);
    expect(isSelective(cmp('sw', field('userName'), 'a'), unique)).toBe(false);
    expect(isSelective(cmp('ne', field('userName'), 'a'), unique)).toBe(false);
    expect(isSelective({ op: 'not', filter: cmp('eq', field('userName'), 'a') }, unique)).toBe(false);
    expect(isSelective({ op: 'or', filters: [cmp('eq', field('userName'), 'a'), pr(field('mail'))] }, unique)).toBe(false);
    expect(isSelective(pr(field('userName')), unique)).toBe(false);
  });
});
