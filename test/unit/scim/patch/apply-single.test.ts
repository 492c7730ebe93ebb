import { describe, it, expect } from 'vitest';
import { ScimError } from '../../../../src/scim/errors.js';
import { USER_RESOURCE_TYPE } from '../../../../src/scim/schema/definitions.js';
import { applyPatch } from '../../../../src/scim/patch/apply.js';
import { expectScimError, deepFreeze } from '../../scim-error.js';
import { BASE_USER, ENT, patchGroup, patchOn, patchUser, userWith } from './patch-helpers.js';

describe('applyPatch: simple single-valued attributes', () => {
  it('add sets an attribute the resource lacks', () => {
    expect(patchUser({ op: 'add', path: 'nickName', value: 'Babs' })).toEqual(userWith({ nickName: 'Babs' }));
  });

  it('add and replace overwrite an existing single value', () => {
    expect(patchUser({ op: 'add', path: 'title', value: 'Boss' })).toEqual(userWith({ title: 'Boss' }));
    expect(patchUser({ op: 'replace', path: 'title', value: 'Boss' })).toEqual(userWith({ title: 'Boss' }));
  });

  it('remove deletes the attribute, and removing an absent one is a no-op', () => {
    expect(patchUser({ op: 'remove', path: 'title' })).toEqual(userWith({ title: undefined }));
    expect(patchUser({ op: 'remove', path: 'nickName' })).toEqual(BASE_USER);
  });

  it('resolves path names case-insensitively', () => {
    expect(patchUser({ op: 'replace', path: 'TITLE', value: 'Boss' })).toEqual(userWith({ title: 'Boss' }));
    expect(patchUser({ op: 'replace', path: `urn:ietf:params:scim:schemas:core:2.0:User:displayName`, value: 'B' })).toEqual(userWith({ displayName: 'B' }));
  });

  it('stores Entra\'s "True"/"False" as booleans, and a one-element array as its element', () => {
    expect(patchUser({ op: 'Replace', path: 'active', value: 'False' })).toEqual(userWith({ active: false }));
    expect(patchUser({ op: 'Replace', path: 'displayName', value: ['Barbara'] })).toEqual(userWith({ displayName: 'Barbara' }));
  });

  it('treats replace with an empty value as remove for an optional attribute', () => {
    expect(patchUser({ op: 'replace', path: 'title', value: [] })).toEqual(userWith({ title: undefined }));
  });

  it('applies operations in order', () => {
    expect(patchUser({ op: 'replace', path: 'title', value: 'a' }, { op: 'replace', path: 'title', value: 'b' })).toEqual(userWith({ title: 'b' }));
    expect(patchUser({ op: 'add', path: 'nickName', value: 'n' }, { op: 'remove', path: 'nickName' })).toEqual(BASE_USER);
  });

  it('rejects a value of the wrong type with invalidValue naming the operation', () => {
    expectScimError(() => patchUser({ op: 'add', path: 'title', value: 't' }, { op: 'replace', path: 'active', value: 'maybe' }), 'invalidValue', /^Operations\[1\]: active must be a boolean/);
  });
});

describe('applyPatch: required and read-only attributes', () => {
  it('refuses to remove a required attribute with mutability', () => {
    expectScimError(() => patchUser({ op: 'remove', path: 'userName' }), 'mutability', 'userName is required and cannot be removed');
    expectScimError(() => patchGroup({ op: 'remove', path: 'displayName' }), 'mutability', 'displayName is required');
  });

  it.each([[''], ['  '], [[]]])('refuses to replace a required attribute with the empty value %j', (value) => {
    expectScimError(() => patchUser({ op: 'replace', path: 'userName', value }), 'invalidValue', 'userName is required and cannot be empty');
  });

  it.each([['id'], ['meta'], ['meta.lastModified'], ['groups'], ['groups[value eq "g1"]']])('refuses to change the read-only %s with mutability', (path) => {
    expectScimError(() => patchUser({ op: 'replace', path, value: [{ value: 'x' }] }), 'mutability', 'is read-only');
  });

  it('refuses to change a read-only sub-attribute of a writable attribute', () => {
    expectScimError(() => patchUser({ op: 'replace', path: `${ENT}:manager.displayName`, value: 'B' }), 'mutability', 'manager.displayName is read-only');
    expectScimError(() => patchGroup({ op: 'replace', path: 'members[value eq "u1"].display', value: 'U' }), 'mutability', 'members.display is read-only');
  });
});

describe('applyPatch: paths that name nothing', () => {
  it('rejects "__proto__" as a path with invalidPath', () => {
    expectScimError(() => patchUser({ op: 'add', path: '__proto__', value: { x: 1 } }), 'invalidPath');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it.each([['shoeSize'], ['constructor'], ['constructor.prototype'], ['toString'], ['urn:example:Ext:foo'], ['members']])('rejects %s on a User with invalidPath', (path) => {
    const e = expectScimError(() => patchUser({ op: 'add', path, value: 'x' }), 'invalidPath', 'is not an attribute of a User');
    expect(e.message).toMatch(/^Operations\[0\]: /);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('rejects a sub-attribute the attribute does not have', () => {
    expectScimError(() => patchUser({ op: 'add', path: 'name.nickName', value: 'x' }), 'invalidPath', '"name.nickName" is not an attribute');
    expectScimError(() => patchUser({ op: 'add', path: 'userName.first', value: 'x' }), 'invalidPath', '"userName.first"');
  });

  it('rejects a value filter on a single-valued attribute', () => {
    expectScimError(() => patchUser({ op: 'replace', path: 'name[givenName eq "Barbara"].familyName', value: 'x' }), 'invalidPath', 'a value filter needs a multi-valued attribute');
  });
});

describe('applyPatch: single-valued complex attributes', () => {
  it('add and replace of the whole attribute set the given sub-attributes and keep the others (RFC 7644 §3.5.2.3)', () => {
    const expected = userWith({ name: { givenName: 'Babs', familyName: 'Jensen', middleName: 'J' } });
    expect(patchUser({ op: 'add', path: 'name', value: { givenName: 'Babs', middleName: 'J' } })).toEqual(expected);
    expect(patchUser({ op: 'replace', path: 'name', value: { givenName: 'Babs', middleName: 'J' } })).toEqual(expected);
  });

  it('sets one sub-attribute, creating the attribute when absent', () => {
    expect(patchUser({ op: 'replace', path: 'name.givenName', value: 'Babs' })).toEqual(userWith({ name: { givenName: 'Babs', familyName: 'Jensen' } }));
    expect(patchOn(USER_RESOURCE_TYPE, { userName: 'u' }, { op: 'add', path: 'NAME.FORMATTED', value: 'Ms B' })).toEqual({ userName: 'u', name: { formatted: 'Ms B' } });
  });

  it('removes one sub-attribute, and the attribute with its last sub-attribute', () => {
    expect(patchUser({ op: 'remove', path: 'name.givenName' })).toEqual(userWith({ name: { familyName: 'Jensen' } }));
    expect(patchUser({ op: 'remove', path: 'name.givenName' }, { op: 'remove', path: 'name.familyName' })).toEqual(userWith({ name: undefined }));
  });

  it('removes the whole complex attribute', () => {
    expect(patchUser({ op: 'remove', path: 'name' })).toEqual(userWith({ name: undefined }));
  });

  it('rejects an unknown sub-attribute inside the value with invalidSyntax', () => {
    expectScimError(() => patchUser({ op: 'replace', path: 'name', value: { nick: 'x' } }), 'invalidSyntax', 'name has no sub-attribute "nick"');
  });
});

describe('applyPatch: extension attributes', () => {
  it('sets an attribute by its URN-qualified path and keeps the rest of the extension', () => {
    expect(patchUser({ op: 'replace', path: `${ENT}:department`, value: 'Ops' })).toEqual(userWith({ [ENT]: { department: 'Ops', manager: { value: 'boss' } } }));
  });

  it('accepts the URN in any case and an unqualified extension attribute', () => {
    const expected = userWith({ [ENT]: { department: 'Sales', manager: { value: 'boss' }, costCenter: 'C1' } });
    expect(patchUser({ op: 'add', path: `${ENT.toLowerCase()}:COSTCENTER`, value: 'C1' })).toEqual(expected);
    expect(patchUser({ op: 'add', path: 'costCenter', value: 'C1' })).toEqual(expected);
  });

  it('takes a plain string for the manager as its value, by path with or without ".value"', () => {
    const expected = userWith({ [ENT]: { department: 'Sales', manager: { value: 'boss2' } } });
    expect(patchUser({ op: 'Replace', path: `${ENT}:manager`, value: 'boss2' })).toEqual(expected);
    expect(patchUser({ op: 'Replace', path: `${ENT}:manager.value`, value: 'boss2' })).toEqual(expected);
  });

  it('creates the extension object when the resource has none', () => {
    expect(patchOn(USER_RESOURCE_TYPE, { userName: 'u' }, { op: 'add', path: `${ENT}:employeeNumber`, value: '7' })).toEqual({ userName: 'u', [ENT]: { employeeNumber: '7' } });
  });

  it('drops the extension object when its last attribute is removed, and never leaves an empty one', () => {
    expect(patchUser({ op: 'remove', path: `${ENT}:department` }, { op: 'remove', path: `${ENT}:manager` })).toEqual(userWith({ [ENT]: undefined }));
    expect(patchOn(USER_RESOURCE_TYPE, { userName: 'u' }, { op: 'remove', path: `${ENT}:department` })).toEqual({ userName: 'u' });
  });

  it('removes the whole extension by its URN', () => {
    expect(patchUser({ op: 'remove', path: ENT })).toEqual(userWith({ [ENT]: undefined }));
  });

  it('applies an extension object given by its URN attribute by attribute', () => {
    expect(patchUser({ op: 'replace', path: ENT, value: { department: 'Ops', division: 'D' } })).toEqual(
      userWith({ [ENT]: { department: 'Ops', manager: { value: 'boss' }, division: 'D' } }),
    );
  });

  it('rejects a non-object value for the whole extension and unknown attributes inside it', () => {
    expectScimError(() => patchUser({ op: 'replace', path: ENT, value: 'Ops' }), 'invalidValue', `the value for ${ENT} must be an object`);
    expectScimError(() => patchUser({ op: 'replace', path: ENT, value: { badge: 'x' } }), 'invalidPath', 'badge');
  });
});

describe('applyPatch: operations without a path', () => {
  it('applies each key of the value as a path: plain, case-insensitive, dotted, URN-qualified and whole-extension keys', () => {
    expect(
      patchUser({
        op: 'replace',
        value: {
          schemas: ['ignored'],
          DISPLAYNAME: 'B',
          'name.givenName': 'Babs',
          [`${ENT}:department`]: 'Ops',
          [ENT]: { costCenter: 'C1' },
          'emails[type eq "home"].value': 'new@home.example',
        },
      }),
    ).toEqual(
      userWith({
        displayName: 'B',
        name: { givenName: 'Babs', familyName: 'Jensen' },
        [ENT]: { department: 'Ops', manager: { value: 'boss' }, costCenter: 'C1' },
        emails: [
          { value: 'b@work.example', type: 'work', primary: true },
          { value: 'new@home.example', type: 'home' },
        ],
      }),
    );
  });

  it('treats a null in the value as removal of an optional attribute', () => {
    expect(patchUser({ op: 'replace', value: { title: null } })).toEqual(userWith({ title: undefined }));
  });

  it('ignores read-only attributes a client echoes back: meta, groups and the unchanged id', () => {
    const resource = { ...BASE_USER, id: 'u-1' };
    expect(
      patchOn(USER_RESOURCE_TYPE, resource, { op: 'replace', value: { id: 'u-1', meta: { resourceType: 'User' }, groups: [{ value: 'g' }], title: 'T' } }),
    ).toEqual({ ...resource, title: 'T' });
  });

  it('refuses a path-less value that changes the id', () => {
    expectScimError(() => patchOn(USER_RESOURCE_TYPE, { ...BASE_USER, id: 'u-1' }, { op: 'replace', value: { id: 'u-2' } }), 'mutability', 'id is read-only');
  });

  it('names the offending key in errors', () => {
    expectScimError(() => patchUser({ op: 'add', value: { title: 't', shoeSize: 42 } }), 'invalidPath', 'Operations[0].value["shoeSize"]');
    expectScimError(() => patchUser({ op: 'add', value: { id: 'mine' } }), 'mutability', 'Operations[0].value["id"]: id is read-only');
  });
});

describe('applyPatch: atomicity', () => {
  it('throws on the first failing operation without touching the input, even after earlier operations succeeded', () => {
    const input = deepFreeze(structuredClone(BASE_USER));
    const e = (() => {
      try {
        applyPatch(USER_RESOURCE_TYPE, input, [
          { op: 'replace', path: { name: 'title' }, value: 'changed', index: 0 },
          { op: 'remove', path: { name: 'emails' }, index: 1 },
          { op: 'remove', path: { name: 'userName' }, index: 2 },
        ]);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ScimError);
    expect((e as ScimError).message).toMatch(/^Operations\[2\]/);
    expect(input).toEqual(BASE_USER);
  });

  it('answers a new object that shares no nested objects with the input', () => {
    const input = structuredClone(BASE_USER);
    const out = applyPatch(USER_RESOURCE_TYPE, input, []);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(out['name']).not.toBe(input['name']);
    expect(out[ENT]).not.toBe(input[ENT]);
  });
});
