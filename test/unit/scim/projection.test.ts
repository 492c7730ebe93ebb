import { describe, it, expect } from 'vitest';
import { ENTERPRISE_USER_SCHEMA as ENT, GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE, USER_SCHEMA } from '../../../src/scim/schema/definitions.js';
import type { ScimObject } from '../../../src/scim/schema/types.js';
import { parseProjection, project, returnsAttribute } from '../../../src/scim/projection.js';
import { deepFreeze, expectScimError } from '../scim-error.js';

const USER: ScimObject = deepFreeze<ScimObject>({
  schemas: [USER_SCHEMA, ENT],
  id: 'u1',
  userName: 'bjensen',
  displayName: 'Babs',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'b@work', type: 'work', primary: true },
    { value: 'b@home', type: 'home' },
  ],
  addresses: [
    { type: 'work', locality: 'Paris' },
    { type: 'other', country: 'DE' },
  ],
  [ENT]: { department: 'Sales', manager: { value: 'boss', $ref: 'https://x/Users/boss' } },
  meta: { resourceType: 'User', location: 'https://x/Users/u1', version: 'W/"1"' },
});

const only = (attributes: string) => project(USER, parseProjection(USER_RESOURCE_TYPE, attributes, undefined));
const without = (excluded: string) => project(USER, parseProjection(USER_RESOURCE_TYPE, undefined, excluded));
const ALWAYS = { schemas: USER['schemas'], id: 'u1' };
const except = (...keys: string[]) => Object.fromEntries(Object.entries(USER).filter(([k]) => !keys.includes(k)));

describe('parseProjection', () => {
  it('answers an empty projection for absent, empty and blank parameters, which returns the resource as is', () => {
    for (const v of [undefined, '', '   ']) {
      const p = parseProjection(USER_RESOURCE_TYPE, v, v);
      expect(p).toEqual({});
      expect(project(USER, p)).toEqual(USER);
    }
  });

  it('rejects a parameter longer than 4096 characters with invalidValue', () => {
    expectScimError(() => parseProjection(USER_RESOURCE_TYPE, 'a,'.repeat(2100), undefined), 'invalidValue', 'attributes is too long');
    expectScimError(() => parseProjection(USER_RESOURCE_TYPE, undefined, 'a,'.repeat(2100)), 'invalidValue', 'excludedAttributes is too long');
  });

  it('ignores names that resolve to nothing', () => {
    expect(parseProjection(USER_RESOURCE_TYPE, 'shoeSize,urn:example:X:y,name.nick', 'members')).toEqual({ include: [], exclude: [] });
  });
});

describe('project with attributes=', () => {
  it('returns the listed attributes plus the always-returned id and schemas', () => {
    expect(only('userName')).toEqual({ ...ALWAYS, userName: 'bjensen' });
  });

  it('matches names case-insensitively and tolerates spaces and empty entries', () => {
    expect(only(' USERNAME , ,displayname ')).toEqual({ ...ALWAYS, userName: 'bjensen', displayName: 'Babs' });
  });

  it('returns id and schemas when only unknown names are listed', () => {
    expect(only('shoeSize')).toEqual(ALWAYS);
  });

  it('does not return meta unless asked, and returns the requested part of it', () => {
    expect(only('userName')['meta']).toBeUndefined();
    expect(only('meta.version')).toEqual({ ...ALWAYS, meta: { version: 'W/"1"' } });
  });

  it('returns one sub-attribute of a complex attribute', () => {
    expect(only('name.givenName')).toEqual({ ...ALWAYS, name: { givenName: 'Barbara' } });
    expect(only('name.givenName,name.familyName')).toEqual({ ...ALWAYS, name: USER['name'] });
  });

  it('returns one sub-attribute of every element of a multi-valued attribute', () => {
    expect(only('emails.value')).toEqual({ ...ALWAYS, emails: [{ value: 'b@work' }, { value: 'b@home' }] });
  });

  it('returns several sub-attributes of the elements of a multi-valued attribute', () => {
    expect(only('emails.type,emails.primary')).toEqual({ ...ALWAYS, emails: [{ type: 'work', primary: true }, { type: 'home' }] });
  });

  it('returns the whole attribute when it is listed after one of its sub-attributes', () => {
    expect(only('addresses.country,addresses')).toEqual({ ...ALWAYS, addresses: USER['addresses'] });
    expect(only('name.givenName,name')).toEqual({ ...ALWAYS, name: USER['name'] });
    expect(only('name,name.givenName')).toEqual({ ...ALWAYS, name: USER['name'] });
  });

  it('returns a whole extension by its URN', () => {
    expect(only(ENT)).toEqual({ ...ALWAYS, [ENT]: USER[ENT] });
  });

  it('returns extension attributes by qualified or unqualified name, inside the extension object', () => {
    expect(only(`${ENT}:department`)).toEqual({ ...ALWAYS, [ENT]: { department: 'Sales' } });
    expect(only('DEPARTMENT')).toEqual({ ...ALWAYS, [ENT]: { department: 'Sales' } });
    expect(only(`${ENT}:manager.value`)).toEqual({ ...ALWAYS, [ENT]: { manager: { value: 'boss' } } });
  });

  it('combines several attributes of one extension', () => {
    expect(only(`department,${ENT}:manager.value`)).toEqual({ ...ALWAYS, [ENT]: { department: 'Sales', manager: { value: 'boss' } } });
    expect(only(`${ENT}:manager.value,${ENT},department`)).toEqual({ ...ALWAYS, [ENT]: USER[ENT] });
  });

  it('leaves out attributes the resource does not have', () => {
    expect(only('title,nickName,phoneNumbers.value,costCenter')).toEqual(ALWAYS);
  });

  it('does not write to the resource', () => {
    expect(() => only('name.givenName,emails.value,department')).not.toThrow();
  });
});

describe('project with excludedAttributes=', () => {
  it('removes the listed attributes and keeps the rest', () => {
    expect(without('emails,NAME')).toEqual(except('emails', 'name'));
  });

  it('never removes id and schemas', () => {
    expect(without('id,schemas')).toEqual(USER);
  });

  it('removes one sub-attribute, and the attribute when nothing is left', () => {
    expect(without('name.givenName')).toEqual({ ...USER, name: { familyName: 'Jensen' } });
    expect(without('name.givenName,name.familyName')).toEqual(except('name'));
  });

  it('removes a sub-attribute from every element, dropping elements left empty', () => {
    expect(without('emails.value')).toEqual({ ...USER, emails: [{ type: 'work', primary: true }, { type: 'home' }] });
    expect(without('addresses.country')).toEqual({ ...USER, addresses: [{ type: 'work', locality: 'Paris' }, { type: 'other' }] });
  });

  it('removes extension attributes, and the extension object with its last attribute', () => {
    expect(without('department')).toEqual({ ...USER, [ENT]: { manager: { value: 'boss', $ref: 'https://x/Users/boss' } } });
    expect(without(`${ENT}:manager.value`)).toEqual({ ...USER, [ENT]: { department: 'Sales', manager: { $ref: 'https://x/Users/boss' } } });
    expect(without(`department,${ENT}:manager`)).toEqual(except(ENT));
    expect(without(ENT)).toEqual(except(ENT));
  });

  it('does not bring back an attribute excluded whole when one of its sub-attributes is excluded too', () => {
    expect(without('name,name.givenName')).toEqual(except('name'));
    expect(without('emails.value,emails')).toEqual(except('emails'));
    expect(without(`${ENT},department`)).toEqual(except(ENT));
  });

  it('applies after attributes= when both are given', () => {
    const p = parseProjection(USER_RESOURCE_TYPE, 'userName,emails,name', 'emails,name.familyName');
    expect(project(USER, p)).toEqual({ ...ALWAYS, userName: 'bjensen', name: { givenName: 'Barbara' } });
  });
});

describe('returnsAttribute', () => {
  const g = (attributes?: string, excluded?: string) => parseProjection(GROUP_RESOURCE_TYPE, attributes, excluded);

  it('is true without a projection', () => {
    expect(returnsAttribute(g(), 'members')).toBe(true);
  });

  it('follows attributes=: listed whole or by sub-attribute, or not listed', () => {
    expect(returnsAttribute(g('members'), 'members')).toBe(true);
    expect(returnsAttribute(g('MEMBERS.value'), 'members')).toBe(true);
    expect(returnsAttribute(g('displayName'), 'members')).toBe(false);
  });

  it('follows excludedAttributes=: excluded whole means no, a sub-attribute excluded still means yes', () => {
    expect(returnsAttribute(g(undefined, 'members'), 'members')).toBe(false);
    expect(returnsAttribute(g(undefined, 'members.display'), 'members')).toBe(true);
    expect(returnsAttribute(g(undefined, 'displayName'), 'members')).toBe(true);
  });
});

/** Several selections of one attribute combine per element and per sub-attribute. */
describe('project with attributes=: several selections of one attribute', () => {
  it('keeps each element\'s own sub-attributes apart', () => {
    expect(only('addresses.locality,addresses.country')).toEqual({ ...ALWAYS, addresses: [{ locality: 'Paris' }, { country: 'DE' }] });
  });

  it('returns the whole attribute when it is listed with one of its sub-attributes', () => {
    expect(only('addresses,addresses.country')).toEqual({ ...ALWAYS, addresses: USER['addresses'] });
  });

  it('combines two sub-attributes of one extension attribute', () => {
    expect(only(`${ENT}:manager.value,${ENT}:manager.$ref`)).toEqual({ ...ALWAYS, [ENT]: { manager: { value: 'boss', $ref: 'https://x/Users/boss' } } });
  });
});
