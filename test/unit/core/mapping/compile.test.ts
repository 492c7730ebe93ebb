import { describe, it, expect } from 'vitest';
import { compileSlots, toFieldSpec, type Slot } from '../../../../src/core/mapping/compile.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE, USER_SCHEMA } from '../../../../src/scim/schema/definitions.js';
import { ENT, USER_SLOTS } from './mapping-fixture.js';

/** Compile `mapping` plus a mapped userName, answering the one slot or issue for `key`. */
function compileKey(key: string, field = 'f'): { slot?: Slot; message?: string } {
  const { slots, issues } = compileSlots(USER_RESOURCE_TYPE, { userName: 'uid', [key]: field });
  const issue = issues.find((i) => i.key === key);
  return { ...(issue ? { message: issue.message } : {}), ...(slots.find((s) => s.field === field) ? { slot: slots.find((s) => s.field === field) } : {}) };
}

const pathOf = (key: string) => compileKey(key).slot?.scimPath;
const issueOf = (key: string, field = 'f') => compileKey(key, field).message;

describe('compileSlots: accepted keys', () => {
  it('maps a simple attribute to its field, with the attribute as leaf', () => {
    const slot = compileKey('displayName').slot as Slot;
    expect(slot).toMatchObject({ field: 'f', scimPath: 'displayName', schema: USER_SCHEMA, core: true });
    expect(slot.attr.name).toBe('displayName');
    expect(slot.leaf).toBe(slot.attr);
    expect(slot.sub).toBeUndefined();
    expect(slot.selector).toBeUndefined();
  });

  it('spells the canonical path as the schema does, whatever case or URN qualification the key has', () => {
    expect(pathOf('DISPLAYNAME')).toBe('displayName');
    expect(pathOf(`${USER_SCHEMA}:displayName`)).toBe('displayName');
    expect(pathOf('externalId')).toBe('externalId');
  });

  it('maps a sub-attribute of a complex attribute', () => {
    const slot = compileKey('name.GIVENNAME').slot as Slot;
    expect(slot.scimPath).toBe('name.givenName');
    expect(slot.attr.name).toBe('name');
    expect(slot.sub?.name).toBe('givenName');
    expect(slot.leaf).toBe(slot.sub);
  });

  it('maps a typed element of a multi-valued attribute, with its selector', () => {
    const slot = compileKey('emails[TYPE eq "Work"].VALUE').slot as Slot;
    expect(slot.scimPath).toBe('emails[type eq "Work"].value');
    expect(slot.selector?.sub.name).toBe('type');
    expect(slot.selector?.value).toBe('Work');
    expect(slot.sub?.name).toBe('value');
  });

  it('accepts a selector on another sub-attribute than type', () => {
    expect(pathOf('emails[display eq "Main"].value')).toBe('emails[display eq "Main"].value');
  });

  it('maps extension attributes by qualified or unqualified name under the extension URN', () => {
    const slot = compileKey(`${ENT}:department`).slot as Slot;
    expect(slot).toMatchObject({ scimPath: `${ENT}:department`, schema: ENT, core: false });
    expect(pathOf('department')).toBe(`${ENT}:department`);
    expect(pathOf(`${ENT.toUpperCase()}:COSTCENTER`)).toBe(`${ENT}:costCenter`);
  });

  it('reads the manager alone as manager.value, and accepts manager.$ref', () => {
    expect(pathOf(`${ENT}:manager`)).toBe(`${ENT}:manager.value`);
    expect(pathOf(`${ENT}:manager.value`)).toBe(`${ENT}:manager.value`);
    expect(pathOf('manager.$ref')).toBe(`${ENT}:manager.$ref`);
  });

  it('accepts the write-only password', () => {
    expect(pathOf('password')).toBe('password');
  });

  it.each([['a'], ['_x'], ['mail.work'], ['ns:attr'], ['a-b;lang-en'], ['A1_b']])('accepts the field name %j', (field) => {
    expect(compileKey('title', field).slot?.field).toBe(field);
  });

  it('keeps the mapping order', () => {
    expect(USER_SLOTS.map((s) => s.field).slice(0, 4)).toEqual(['uid', 'extId', 'cn', 'enabled']);
  });
});

describe('compileSlots: rejected keys, each with its reason', () => {
  it.each([
    ['shoeSize', '"shoeSize" is not an attribute of a User'],
    ['members', '"members" is not an attribute of a User'],
    [ENT, `"${ENT}" is not an attribute of a User`],
    ['urn:example:Ext:x', 'is not an attribute of a User'],
    ['id', 'id cannot be mapped: it is read-only'],
    ['meta.created', 'meta cannot be mapped: it is read-only'],
    ['groups[type eq "direct"].value', 'groups cannot be mapped: it is read-only'],
    ['emails', 'emails is multi-valued: map one element, e.g. emails[type eq "work"].value'],
    ['emails.value', 'emails is multi-valued'],
    ['name[givenName eq "x"].familyName', 'name is not multi-valued; remove the [filter]'],
    ['emails[type ne "work"].value', 'the filter in "emails[type ne "work"].value" must be one equality such as [type eq "work"]'],
    ['emails[type eq "work" and primary eq true].value', 'must be one equality'],
    ['emails[type eq "work" or type eq "home"].value', 'must be one equality'],
    ['emails[primary eq true].value', 'must be one equality'],
    ['emails[type pr].value', 'must be one equality'],
    ['emails[nope eq "x"].value', 'must be one equality'],
    ['emails[type eq "work"]', '"emails[type eq "work"]" must name a sub-attribute after the filter'],
    ['emails[type eq "work"].type', 'must name a sub-attribute after the filter'],
    ['emails[type eq "work"].nope', 'must name a sub-attribute after the filter'],
    ['name', '"name" must name a sub-attribute, e.g. name.formatted'],
    [`${ENT}:manager.displayName`, 'manager.displayName is read-only'],
    ['userName.first', 'userName has no sub-attributes'],
  ])('%s → %s', (key, message) => {
    const { slot, message: actual } = compileKey(key);
    expect(slot).toBeUndefined();
    expect(actual).toContain(message);
  });

  it('rejects an unknown sub-attribute of a complex attribute, naming it', () => {
    expect(issueOf('name.nickName')).toContain('name has no sub-attribute "nickName"');
  });

  it('rejects a key that does not parse, with the parser\'s reason', () => {
    expect(issueOf('emails[type eq')).toMatch(/path/);
    expect(issueOf('__proto__')).toMatch(/path/);
  });

  it('rejects members on a Group: the connector stores them itself', () => {
    const { issues } = compileSlots(GROUP_RESOURCE_TYPE, { displayName: 'cn', members: 'member' });
    expect(issues).toEqual([{ key: 'members', message: 'members cannot be mapped: group members are stored by the connector itself' }]);
  });

  it.each([['__proto__'], ['constructor'], ['prototype'], [''], ['1abc'], ['a b'], ['a/b'], ['ä']])('rejects the field name %j', (field) => {
    expect(issueOf('title', field)).toBe(`the field name ${JSON.stringify(field)} is not usable (letters, digits, "_", "-", ".", ":", ";")`);
  });

  it('rejects a field name that is not a string', () => {
    const { issues } = compileSlots(USER_RESOURCE_TYPE, { userName: 'uid', title: 42 as unknown as string });
    expect(issues).toEqual([{ key: 'title', message: expect.stringContaining('the field name 42 is not usable') }]);
  });
});

describe('compileSlots: duplicates and required attributes', () => {
  it('rejects a SCIM path mapped twice, however it is spelled, and keeps the first', () => {
    const { slots, issues } = compileSlots(USER_RESOURCE_TYPE, { userName: 'uid', USERNAME: 'login' });
    expect(slots.map((s) => s.field)).toEqual(['uid']);
    expect(issues).toEqual([{ key: 'USERNAME', message: 'userName is mapped twice (also as "userName")' }]);
  });

  it('sees manager and manager.value as the same path, and element selectors case-insensitively', () => {
    expect(compileSlots(USER_RESOURCE_TYPE, { userName: 'u', [`${ENT}:manager`]: 'a', 'manager.value': 'b' }).issues).toEqual([
      { key: 'manager.value', message: `${ENT}:manager.value is mapped twice (also as "${ENT}:manager")` },
    ]);
    expect(compileSlots(USER_RESOURCE_TYPE, { userName: 'u', 'emails[type eq "work"].value': 'a', 'emails[type eq "WORK"].value': 'b' }).issues).toHaveLength(1);
  });

  it('rejects a field used by two paths', () => {
    const { slots, issues } = compileSlots(USER_RESOURCE_TYPE, { userName: 'uid', displayName: 'cn', title: 'cn' });
    expect(slots.map((s) => s.field)).toEqual(['uid', 'cn']);
    expect(issues).toEqual([{ key: 'title', message: 'field "cn" is used twice (also by "displayName")' }]);
  });

  it('requires userName for Users and displayName for Groups', () => {
    expect(compileSlots(USER_RESOURCE_TYPE, { displayName: 'cn' }).issues).toEqual([{ key: 'userName', message: 'userName must be mapped: it is required for a User' }]);
    expect(compileSlots(GROUP_RESOURCE_TYPE, { externalId: 'x' }).issues).toEqual([{ key: 'displayName', message: 'displayName must be mapped: it is required for a Group' }]);
    expect(compileSlots(USER_RESOURCE_TYPE, { userName: 'uid' }).issues).toEqual([]);
  });

  it('reports every problem at once, not only the first', () => {
    const { issues } = compileSlots(USER_RESOURCE_TYPE, { shoeSize: 'a', id: 'b', title: '__proto__' });
    expect(issues.map((i) => i.key)).toEqual(['shoeSize', 'id', 'title', 'userName']);
  });
});

describe('toFieldSpec', () => {
  const spec = (field: string) => toFieldSpec(USER_SLOTS.find((s) => s.field === field) as Slot);

  it('takes type and caseExact from the leaf', () => {
    expect(spec('uid')).toEqual({ field: 'uid', scimPath: 'userName', type: 'string', caseExact: false });
    expect(spec('enabled')).toEqual({ field: 'enabled', scimPath: 'active', type: 'boolean', caseExact: false });
    expect(spec('mailPrimary')).toMatchObject({ scimPath: 'emails[type eq "work"].primary', type: 'boolean' });
    expect(spec('cert')).toMatchObject({ type: 'binary' });
    expect(spec('mgr')).toEqual({ field: 'mgr', scimPath: `${ENT}:manager.value`, type: 'string', caseExact: true, referenceTypes: ['User'] });
    expect(spec('pwd')).toMatchObject({ caseExact: true });
  });

  it('carries referenceTypes for references', () => {
    expect(spec('url')).toEqual({ field: 'url', scimPath: 'profileUrl', type: 'reference', caseExact: false, referenceTypes: ['external'] });
  });
});

describe('compileSlots selector types', () => {
  it('rejects an element selector on a boolean sub-attribute, which could never match', () => {
    const r = compileSlots(USER_RESOURCE_TYPE, { userName: 'u', 'emails[primary eq "true"].value': 'mail' });
    expect(r.issues.map((i) => i.message).join('\n')).toMatch(/text sub-attribute/);
  });
});
