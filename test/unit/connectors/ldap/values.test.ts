import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { EqualityFilter } from 'ldapts';
import {
  fromGeneralizedTime,
  fromLdapBoolean,
  guidFilterValue,
  guidFromBytes,
  guidToBytes,
  isGuid,
  parseRange,
  rangedAttribute,
  toGeneralizedTime,
  toLdapBoolean,
  uacDisabled,
  withDisabled,
} from '../../../../connectors/ldap/values.js';

describe('GeneralizedTime (RFC 4517 §3.3.13) → xsd:dateTime', () => {
  it.each([
    ['20240131120000Z', '2024-01-31T12:00:00Z'],
    ['20240131120000.123Z', '2024-01-31T12:00:00.123Z'],
    ['20240131120000,5Z', '2024-01-31T12:00:00.5Z'],
    ['20240131120000.0Z', '2024-01-31T12:00:00Z'], // AD's whenCreated
    ['20240131120000.1234567Z', '2024-01-31T12:00:00.1234567Z'],
    ['20240131120000+0100', '2024-01-31T11:00:00Z'],
    ['20240131120000-0530', '2024-01-31T17:30:00Z'],
    ['20240131120000+01', '2024-01-31T11:00:00Z'],
    ['20240101003000+0100', '2023-12-31T23:30:00Z'], // across a year boundary
    ['202401311230Z', '2024-01-31T12:30:00Z'],
    ['2024013112Z', '2024-01-31T12:00:00Z'],
    ['2024013112.5Z', '2024-01-31T12:30:00Z'], // a fraction of the hour
    ['202401311230.25Z', '2024-01-31T12:30:15Z'], // a fraction of the minute
    ['20240229235959Z', '2024-02-29T23:59:59Z'],
    ['20161231235960Z', '2017-01-01T00:00:00Z'], // a leap second rolls over
    ['00010101000000Z', '0001-01-01T00:00:00Z'], // not 1901
    ['19691231235959.5Z', '1969-12-31T23:59:59.5Z'],
  ])('%s → %s', (gt, iso) => {
    expect(fromGeneralizedTime(gt)).toBe(iso);
  });

  it.each([
    '20240131120000', // no zone
    '2024-01-31T12:00:00Z',
    '20241331120000Z',
    '20240230120000Z',
    '20230229120000Z',
    '20240131240000Z',
    '20240131126000Z',
    '20240131120061Z',
    '20240131120000+2400',
    '20240131120000.Z',
    '00000101000000+0100', // before year 0000
    '',
  ])('rejects %j', (gt) => {
    expect(() => fromGeneralizedTime(gt)).toThrow();
  });
});

describe('xsd:dateTime → GeneralizedTime', () => {
  it.each([
    ['2024-01-31T12:00:00Z', '20240131120000Z'],
    ['2024-01-31T13:00:00+01:00', '20240131120000Z'],
    ['2024-01-31T06:30:00-05:30', '20240131120000Z'],
    ['2024-01-31T12:00:00.500Z', '20240131120000.5Z'],
    ['2024-01-31T12:00:00.000Z', '20240131120000Z'],
    ['2024-01-31T12:00:00.1234567Z', '20240131120000.1234567Z'],
    ['2024-01-31T12:00:00', '20240131120000Z'], // no zone: UTC
    ['2024-01-31t12:00:00z', '20240131120000Z'],
    ['2024-01-01T00:30:00+01:00', '20231231233000Z'],
  ])('%s → %s', (iso, gt) => {
    expect(toGeneralizedTime(iso)).toBe(gt);
  });

  it.each(['2024-01-31', '2024-01-31T12:00Z', '2024-02-30T00:00:00Z', '2024-01-31T12:00:00+25:00', '0000-01-01T00:00:00+01:00', 'yesterday'])(
    'rejects %j',
    (iso) => {
      expect(() => toGeneralizedTime(iso)).toThrow();
    },
  );

  it('round-trips any instant, fractions included', () => {
    const instant = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, fc.integer({ min: -14 * 60, max: 14 * 60 }), (d, offset) => {
        const utc = d.toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
        expect(fromGeneralizedTime(toGeneralizedTime(utc))).toBe(utc);
        // The same instant written with an offset maps to the same GeneralizedTime.
        const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 23);
        const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
        if (/^\d{4}-/.test(local)) expect(toGeneralizedTime(`${local}${zone}`)).toBe(toGeneralizedTime(utc));
      }),
      { numRuns: 300 },
    );
  });
});

describe('objectGUID', () => {
  // Microsoft's "Search Filter Syntax" (ADSI) example: schemaIDGUID {BF967ABA-0DE6-11D0-A285-00AA003049E2}
  // is written in a filter as \BA\7A\96\BF\E6\0D\D0\11\A2\85\00\AA\00\30\49\E2.
  const MS_BYTES = Buffer.from('BA7A96BFE60DD011A28500AA003049E2', 'hex');
  const MS_TEXT = 'bf967aba-0de6-11d0-a285-00aa003049e2';

  it('reads the documented AD example and the sequential-bytes vector', () => {
    expect(guidFromBytes(MS_BYTES)).toBe(MS_TEXT);
    expect(guidFromBytes(Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'))).toBe('04030201-0605-0807-090a-0b0c0d0e0f10');
    expect(guidFromBytes(new Uint8Array(16))).toBe('00000000-0000-0000-0000-000000000000');
  });

  it('writes the bytes back, from either case and with braces', () => {
    expect(guidToBytes(MS_TEXT)).toEqual(MS_BYTES);
    expect(guidToBytes('{BF967ABA-0DE6-11D0-A285-00AA003049E2}')).toEqual(MS_BYTES);
    expect(guidFilterValue(MS_TEXT)).toEqual(MS_BYTES);
  });

  it('gives a filter value that ldapts writes as the raw bytes, shown escaped byte by byte', () => {
    const f = new EqualityFilter({ attribute: 'objectGUID', value: guidFilterValue(MS_TEXT) });
    expect(f.toString()).toBe('(objectGUID=\\ba\\7a\\96\\bf\\e6\\0d\\d0\\11\\a2\\85\\00\\aa\\00\\30\\49\\e2)');
  });

  it('rejects malformed GUIDs and wrong lengths', () => {
    for (const s of ['', 'bf967aba0de611d0a28500aa003049e2', '{bf967aba-0de6-11d0-a285-00aa003049e2', 'bf967aba-0de6-11d0-a285-00aa003049eg', 'x']) {
      expect(isGuid(s)).toBe(false);
      expect(() => guidToBytes(s)).toThrow();
    }
    expect(isGuid(MS_TEXT)).toBe(true);
    expect(() => guidFromBytes(Buffer.alloc(15))).toThrow();
  });

  it('round-trips any 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = guidFromBytes(bytes);
        expect(text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(guidToBytes(text)).toEqual(Buffer.from(bytes));
      }),
    );
  });
});

describe('LDAP Boolean (RFC 4517 §3.3.3)', () => {
  it('writes TRUE/FALSE and reads them in any case', () => {
    expect(toLdapBoolean(true)).toBe('TRUE');
    expect(toLdapBoolean(false)).toBe('FALSE');
    expect(fromLdapBoolean('TRUE')).toBe(true);
    expect(fromLdapBoolean('false')).toBe(false);
    expect(fromLdapBoolean('True')).toBe(true);
    expect(() => fromLdapBoolean('yes')).toThrow();
    expect(() => fromLdapBoolean('')).toThrow();
  });
});

describe('userAccountControl', () => {
  it('reads ACCOUNTDISABLE (0x2)', () => {
    expect(uacDisabled(0x200)).toBe(false);
    expect(uacDisabled(0x202)).toBe(true);
    expect(uacDisabled(0x10202)).toBe(true);
  });

  it('sets and clears only bit 0x2, idempotently', () => {
    expect(withDisabled(0x10200, true)).toBe(0x10202);
    expect(withDisabled(0x10202, true)).toBe(0x10202);
    expect(withDisabled(0x10202, false)).toBe(0x10200);
    expect(withDisabled(0x10200, false)).toBe(0x10200);
    expect(withDisabled(512, true)).toBe(514);
  });

  it('keeps bit 31 and the input\'s signedness', () => {
    expect(withDisabled(0x8000_0200, true)).toBe(0x8000_0202);
    expect(withDisabled(0x8000_0202 | 0, false)).toBe(0x8000_0200 | 0);
  });

  it('changes nothing but bit 0x2 for any flags', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.boolean(), (uac, disabled) => {
        const out = withDisabled(uac, disabled);
        expect(uacDisabled(out)).toBe(disabled);
        expect((out ^ uac) & ~0x2).toBe(0);
        expect(out).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('rejects values that are not 32-bit flags', () => {
    for (const v of [1.5, Number.NaN, 2 ** 32, -(2 ** 31) - 1]) expect(() => withDisabled(v, true)).toThrow();
  });
});

describe('ranged attributes (AD)', () => {
  it('parses a range option', () => {
    expect(parseRange('member;range=0-1499')).toEqual({ attribute: 'member', start: 0, end: 1499 });
    expect(parseRange('member;range=1500-*')).toEqual({ attribute: 'member', start: 1500, end: '*' });
    expect(parseRange('member;Range=0-*')).toEqual({ attribute: 'member', start: 0, end: '*' });
    expect(parseRange('member;binary;range=0-9')).toEqual({ attribute: 'member;binary', start: 0, end: 9 });
  });

  it('is undefined without a range option and throws on a malformed one', () => {
    expect(parseRange('member')).toBeUndefined();
    expect(parseRange('range=0-1')).toBeUndefined(); // an attribute type, not an option
    expect(() => parseRange('member;range=5')).toThrow();
    expect(() => parseRange('member;range=9-1')).toThrow();
    expect(() => parseRange('member;range=a-*')).toThrow();
  });

  it('names the next chunk', () => {
    expect(rangedAttribute('member', 1500)).toBe('member;range=1500-*');
    expect(rangedAttribute('member', 0)).toBe('member;range=0-*');
    expect(() => rangedAttribute('member', -1)).toThrow();
    const chunk = parseRange('member;range=0-1499');
    expect(chunk && chunk.end !== '*' ? rangedAttribute(chunk.attribute, chunk.end + 1) : '').toBe('member;range=1500-*');
  });
});
