import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { NativeScalar } from '../../../../connectors/types.js';
import { fromNative, readSlot, toNative } from '../../../../src/core/mapping/convert.js';
import type { Slot } from '../../../../src/core/mapping/compile.js';
import type { ScimObject } from '../../../../src/scim/schema/types.js';
import { ENT, USER_SLOTS } from './mapping-fixture.js';

const FULL: ScimObject = {
  userName: 'bjensen',
  externalId: 'ext-1',
  displayName: 'Babs',
  active: false,
  password: 'pw',
  profileUrl: 'https://x/b',
  name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'unmapped' },
  emails: [
    { value: 'b@work', type: 'work', primary: true },
    { value: 'b@home', type: 'home' },
    { value: 'b@other', type: 'other' },
  ],
  phoneNumbers: [{ value: '555', type: 'mobile' }],
  addresses: [{ type: 'work', locality: 'Paris', country: 'FR', postalCode: 'unmapped' }],
  x509Certificates: [{ type: 'signing', value: 'MIIB' }],
  nickName: 'unmapped',
  [ENT]: { department: 'Sales', manager: { value: 'boss' }, costCenter: 'unmapped' },
};

const FULL_NATIVE = {
  uid: 'bjensen',
  extId: 'ext-1',
  cn: 'Babs',
  enabled: false,
  pwd: 'pw',
  url: 'https://x/b',
  given: 'Barbara',
  sn: 'Jensen',
  mail: 'b@work',
  mailPrimary: true,
  homeMail: 'b@home',
  mobile: '555',
  l: 'Paris',
  c: 'FR',
  cert: 'MIIB',
  dept: 'Sales',
  mgr: 'boss',
};

const slot = (field: string) => USER_SLOTS.find((s) => s.field === field) as Slot;

describe('toNative', () => {
  it('reads every mapped slot kind and ignores unmapped attributes', () => {
    expect(toNative(USER_SLOTS, FULL)).toEqual(FULL_NATIVE);
  });

  it('drops empty strings (how Entra and LDAP spell "no value") but keeps false', () => {
    expect(toNative(USER_SLOTS, { userName: 'u', displayName: '', active: false, emails: [{ type: 'work', value: '' }] })).toEqual({ uid: 'u', enabled: false });
  });

  it('finds typed elements by their selector case-insensitively', () => {
    expect(toNative(USER_SLOTS, { userName: 'u', emails: [{ type: 'WORK', value: 'w' }] })).toEqual({ uid: 'u', mail: 'w' });
  });

  it('does not read an element without the selector, or a value that is not a scalar', () => {
    expect(toNative(USER_SLOTS, { userName: 'u', emails: [{ value: 'untyped' }], name: { givenName: { nested: 'x' } } })).toEqual({ uid: 'u' });
  });

  it('answers nothing for values of the wrong shape', () => {
    expect(readSlot({ emails: { type: 'work', value: 'x' } }, slot('mail'))).toBeUndefined();
    expect(readSlot({ name: 'Barbara' }, slot('given'))).toBeUndefined();
    expect(readSlot({ [ENT]: 'Sales' }, slot('dept'))).toBeUndefined();
    expect(readSlot({ displayName: ['a'] }, slot('cn'))).toBeUndefined();
  });

  it('takes the first element when two carry the same selector', () => {
    expect(readSlot({ emails: [{ type: 'work', value: 'first' }, { type: 'work', value: 'second' }] }, slot('mail'))).toBe('first');
  });
});

describe('fromNative', () => {
  it('rebuilds every slot kind, without write-only fields and without id, schemas or meta', () => {
    expect(fromNative(USER_SLOTS, FULL_NATIVE)).toEqual({
      userName: 'bjensen',
      externalId: 'ext-1',
      displayName: 'Babs',
      active: false,
      profileUrl: 'https://x/b',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [
        { type: 'work', value: 'b@work', primary: true },
        { type: 'home', value: 'b@home' },
      ],
      phoneNumbers: [{ type: 'mobile', value: '555' }],
      addresses: [{ type: 'work', locality: 'Paris', country: 'FR' }],
      x509Certificates: [{ type: 'signing', value: 'MIIB' }],
      [ENT]: { department: 'Sales', manager: { value: 'boss' } },
    });
  });

  it('orders elements as the mapping lists them, whatever order the fields come in', () => {
    const out = fromNative(USER_SLOTS, { homeMail: 'h', uid: 'u', mail: 'w' });
    expect(out['emails']).toEqual([
      { type: 'work', value: 'w' },
      { type: 'home', value: 'h' },
    ]);
  });

  it('drops a hollow element that has only its selector and primary, and the attribute with it', () => {
    expect(fromNative(USER_SLOTS, { uid: 'u', mailPrimary: true })).toEqual({ userName: 'u' });
    expect(fromNative(USER_SLOTS, { uid: 'u', mailPrimary: true, homeMail: 'h' })).toEqual({ userName: 'u', emails: [{ type: 'home', value: 'h' }] });
  });

  it('adds the extension object only when an extension field is present', () => {
    expect(fromNative(USER_SLOTS, { uid: 'u' })).toEqual({ userName: 'u' });
    expect(fromNative(USER_SLOTS, { uid: 'u', mgr: 'm' })).toEqual({ userName: 'u', [ENT]: { manager: { value: 'm' } } });
  });

  it('keeps the empty string and false that a store returns', () => {
    expect(fromNative(USER_SLOTS, { uid: 'u', cn: '', enabled: false })).toEqual({ userName: 'u', displayName: '', active: false });
  });

  it('reads only own fields, never inherited ones', () => {
    const fields = Object.create({ cn: 'inherited' }) as Record<string, NativeScalar>;
    fields['uid'] = 'u';
    expect(fromNative(USER_SLOTS, fields)).toEqual({ userName: 'u' });
  });
});

describe('toNative ∘ fromNative round trip', () => {
  const READABLE = USER_SLOTS.filter((s) => s.leaf.returned !== 'never');
  const valueFor = (s: Slot): fc.Arbitrary<NativeScalar> =>
    s.leaf.type === 'boolean' ? fc.boolean() : fc.string({ minLength: 1, maxLength: 6 });

  it('gives back every readable field, except a primary flag whose element has nothing else', () => {
    const record = fc
      .record(Object.fromEntries(READABLE.map((s) => [s.field, valueFor(s)])), { requiredKeys: [] })
      .map((r) => r as Record<string, NativeScalar>);
    fc.assert(
      fc.property(record, (fields) => {
        const back = toNative(USER_SLOTS, fromNative(USER_SLOTS, fields));
        const expected: Record<string, NativeScalar> = { ...fields };
        if (expected['mail'] === undefined) delete expected['mailPrimary']; // the hollow {type: work, primary} element is dropped
        expect(back).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('fromNative ∘ toNative keeps exactly the mapped part of a resource', () => {
    const { password: _pw, nickName: _n, ...readable } = FULL as Record<string, unknown>;
    const back = fromNative(USER_SLOTS, toNative(USER_SLOTS, FULL));
    expect(back).toEqual({
      ...readable,
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [
        { value: 'b@work', type: 'work', primary: true },
        { value: 'b@home', type: 'home' },
      ],
      addresses: [{ type: 'work', locality: 'Paris', country: 'FR' }],
      [ENT]: { department: 'Sales', manager: { value: 'boss' } },
    });
  });
});
