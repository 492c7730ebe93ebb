import { describe, it, expect } from 'vitest';
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_RESOURCE_TYPE,
  GROUP_SCHEMA,
  USER_RESOURCE_TYPE,
  USER_SCHEMA,
} from '../../../src/scim/schema/definitions.js';
import { extensionOf, normalizeResource } from '../../../src/scim/resource.js';
import { expectScimError } from '../scim-error.js';

const user = (body: Record<string, unknown>) => normalizeResource(USER_RESOURCE_TYPE, { schemas: [USER_SCHEMA], ...body });
const group = (body: Record<string, unknown>) => normalizeResource(GROUP_RESOURCE_TYPE, { schemas: [GROUP_SCHEMA], ...body });

describe('normalizeResource: attribute names', () => {
  it('matches attribute names case-insensitively and answers them spelled as in the schema', () => {
    expect(user({ USERNAME: 'bjensen', DisplayName: 'Babs', ACTIVE: 'True' })).toEqual({ userName: 'bjensen', displayName: 'Babs', active: true });
  });

  it('matches the "schemas" key in any case and does not copy it', () => {
    expect(normalizeResource(USER_RESOURCE_TYPE, { SCHEMAS: [USER_SCHEMA], userName: 'b' })).toEqual({ userName: 'b' });
  });

  it('rejects an unknown core attribute with invalidSyntax naming it', () => {
    expectScimError(() => user({ userName: 'b', shoeSize: 42 }), 'invalidSyntax', 'unknown attribute "shoeSize" for a User');
  });

  it('rejects Group attributes sent to /Users and User attributes sent to /Groups', () => {
    expectScimError(() => user({ userName: 'b', members: [] }), 'invalidSyntax', '"members"');
    expectScimError(() => group({ displayName: 'g', userName: 'x' }), 'invalidSyntax', '"userName"');
  });

  it('ignores an unknown attribute whose value is null (Entra sends unmapped attributes as null)', () => {
    expect(user({ userName: 'b', shoeSize: null })).toEqual({ userName: 'b' });
  });

  it('rejects "__proto__" and "constructor" as unknown attributes', () => {
    const body = JSON.parse(`{"userName":"b","__proto__":{"isAdmin":true}}`) as unknown;
    expectScimError(() => normalizeResource(USER_RESOURCE_TYPE, body), 'invalidSyntax', '"__proto__"');
    expectScimError(() => user({ userName: 'b', constructor: 'x' }), 'invalidSyntax', '"constructor"');
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });

  it('ignores read-only id, meta and groups that clients echo back', () => {
    expect(
      user({
        id: 'client-chosen',
        meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z' },
        groups: [{ value: 'g1', display: 'G' }],
        userName: 'b',
      }),
    ).toEqual({ userName: 'b' });
  });

  it('keeps externalId (read-write, common to every resource)', () => {
    expect(group({ displayName: 'g', externalId: 'ext-1' })).toEqual({ displayName: 'g', externalId: 'ext-1' });
  });

  it('drops null attributes', () => {
    expect(user({ userName: 'b', displayName: null, emails: null })).toEqual({ userName: 'b' });
  });
});

describe('normalizeResource: the body and "schemas"', () => {
  it.each([[null], [[]], ['text'], [42]])('rejects the body %j with invalidSyntax', (body) => {
    expectScimError(() => normalizeResource(USER_RESOURCE_TYPE, body), 'invalidSyntax', 'must be a JSON object');
  });

  it('rejects "schemas" that is not an array of strings', () => {
    expectScimError(() => normalizeResource(USER_RESOURCE_TYPE, { schemas: USER_SCHEMA, userName: 'b' }), 'invalidSyntax', '"schemas"');
    expectScimError(() => normalizeResource(USER_RESOURCE_TYPE, { schemas: [1], userName: 'b' }), 'invalidSyntax', '"schemas"');
  });

  it('accepts a body without "schemas"', () => {
    expect(normalizeResource(USER_RESOURCE_TYPE, { userName: 'b' })).toEqual({ userName: 'b' });
  });
});

describe('normalizeResource: required attributes', () => {
  it('requires userName for a User', () => {
    expectScimError(() => user({ displayName: 'no login' }), 'invalidValue', 'userName is required');
  });

  it('requires displayName for a Group', () => {
    expectScimError(() => group({ externalId: 'x' }), 'invalidValue', 'displayName is required');
  });

  it.each([[''], ['   '], [null], [[]]])('treats userName %j as missing', (v) => {
    expectScimError(() => user({ userName: v }), 'invalidValue', 'userName is required and must not be empty');
  });

  it('does not require displayName for a User', () => {
    expect(user({ userName: 'b' })).toEqual({ userName: 'b' });
  });
});

describe('normalizeResource: extensions', () => {
  it('files the extension object under its URN as the schema spells it, whatever case the key has', () => {
    const out = user({ userName: 'b', [ENTERPRISE_USER_SCHEMA.toUpperCase()]: { DEPARTMENT: 'Sales', manager: 'boss' } });
    expect(out).toEqual({ userName: 'b', [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'boss' } } });
  });

  it('files unqualified extension attributes under their extension', () => {
    expect(user({ userName: 'b', department: 'Sales', employeeNumber: '42' })).toEqual({
      userName: 'b',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', employeeNumber: '42' },
    });
  });

  it('merges an unqualified extension attribute into an extension object that came before it', () => {
    expect(user({ userName: 'b', [ENTERPRISE_USER_SCHEMA]: { department: 'Sales' }, costCenter: 'C1' })).toEqual({
      userName: 'b',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', costCenter: 'C1' },
    });
  });

  it('keeps an unqualified extension attribute when the extension object comes after it', () => {
    expect(user({ userName: 'b', costCenter: 'C1', [ENTERPRISE_USER_SCHEMA]: { department: 'Sales' } })).toEqual({
      userName: 'b',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', costCenter: 'C1' },
    });
  });

  it('ignores an unqualified extension attribute sent as null', () => {
    expect(user({ userName: 'b', department: null, manager: null })).toEqual({ userName: 'b' });
  });

  it('rejects an unknown attribute inside a known extension with invalidSyntax naming both', () => {
    expectScimError(() => user({ userName: 'b', [ENTERPRISE_USER_SCHEMA]: { badge: 1 } }), 'invalidSyntax', `unknown attribute "badge" in ${ENTERPRISE_USER_SCHEMA}`);
  });

  it('rejects a known extension key whose value is not an object', () => {
    expectScimError(() => user({ userName: 'b', [ENTERPRISE_USER_SCHEMA]: 'Sales' }), 'invalidValue', `${ENTERPRISE_USER_SCHEMA} must be an object`);
  });

  it('leaves out an extension object that is null, empty or holds only nulls and read-only values', () => {
    expect(user({ userName: 'b', [ENTERPRISE_USER_SCHEMA]: null })).toEqual({ userName: 'b' });
    expect(user({ userName: 'b', [ENTERPRISE_USER_SCHEMA]: {} })).toEqual({ userName: 'b' });
    expect(user({ userName: 'b', [ENTERPRISE_USER_SCHEMA]: { department: null, manager: { displayName: 'B' } } })).toEqual({ userName: 'b' });
  });

  it('ignores URN-keyed objects of extensions it does not know', () => {
    expect(user({ userName: 'b', 'urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User': { anything: 1 } })).toEqual({ userName: 'b' });
  });

  it('does not accept the enterprise extension on a Group (it only extends User)', () => {
    expect(group({ displayName: 'g', [ENTERPRISE_USER_SCHEMA]: { department: 'x' } })).toEqual({ displayName: 'g' });
    expectScimError(() => group({ displayName: 'g', department: 'x' }), 'invalidSyntax', '"department"');
  });
});

describe('normalizeResource: values', () => {
  it('normalises multi-valued, complex and boolean values through the schema', () => {
    expect(
      user({
        userName: 'b',
        name: { givenName: 'Barbara', FAMILYNAME: 'Jensen' },
        emails: { value: 'b@x.org', type: 'work', primary: 'True' },
        active: 'False',
      }),
    ).toEqual({
      userName: 'b',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ value: 'b@x.org', type: 'work', primary: true }],
      active: false,
    });
  });

  it('keeps the members of a group, without their read-only display', () => {
    expect(group({ displayName: 'g', members: [{ value: 'u1', display: 'U' }, { value: 'u2', type: 'User' }] })).toEqual({
      displayName: 'g',
      members: [{ value: 'u1' }, { value: 'u2', type: 'User' }],
    });
  });

  it('reports a bad value with its path', () => {
    expectScimError(() => user({ userName: 'b', emails: [{ value: 'a' }, { value: 1 }] }), 'invalidValue', 'emails[1].value');
    expectScimError(() => user({ userName: 'b', [ENTERPRISE_USER_SCHEMA]: { department: 7 } }), 'invalidValue', `${ENTERPRISE_USER_SCHEMA}:department`);
  });
});

describe('extensionOf', () => {
  it('answers the extension object, or undefined when the resource has none', () => {
    expect(extensionOf({ [ENTERPRISE_USER_SCHEMA]: { department: 'x' } }, ENTERPRISE_USER_SCHEMA)).toEqual({ department: 'x' });
    expect(extensionOf({ userName: 'b' }, ENTERPRISE_USER_SCHEMA)).toBeUndefined();
    expect(extensionOf({ [ENTERPRISE_USER_SCHEMA]: 'x' }, ENTERPRISE_USER_SCHEMA)).toBeUndefined();
  });
});
