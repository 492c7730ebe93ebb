import { describe, it, expect } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import type { AttrPath, Filter, PatchPath } from '../../../src/scim/filter/ast.js';
import { parseAttrPath, parsePatchPath } from '../../../src/scim/filter/parse.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const eq = (name: string, value: string | boolean): Filter => ({ kind: 'compare', path: { name }, op: 'eq', value });

function pathError(run: () => unknown, detail?: RegExp): string {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ScimError);
  const err = caught as ScimError;
  expect(err.status).toBe(400);
  expect(err.scimType).toBe('invalidPath');
  if (detail) expect(err.message).toMatch(detail);
  return err.message;
}

describe('parsePatchPath', () => {
  it.each<[string, PatchPath]>([
    ['userName', { name: 'userName' }],
    ['name.givenName', { name: 'name', sub: 'givenName' }],
    ['members', { name: 'members' }],
    ['members[value eq "2819c223"]', { name: 'members', filter: eq('value', '2819c223') }],
    ['emails[type eq "work"].value', { name: 'emails', filter: eq('type', 'work'), sub: 'value' }],
    [
      'emails[type eq "work" and primary eq true].display',
      {
        name: 'emails',
        filter: { kind: 'and', filters: [eq('type', 'work'), eq('primary', true)] },
        sub: 'display',
      },
    ],
    ['addresses[type eq "work"].streetAddress', { name: 'addresses', filter: eq('type', 'work'), sub: 'streetAddress' }],
    ['members[value eq "x"].$ref', { name: 'members', filter: eq('value', 'x'), sub: '$ref' }],
    [`${ENTERPRISE}:manager`, { uri: ENTERPRISE, name: 'manager' }],
    [`${ENTERPRISE}:manager.value`, { uri: ENTERPRISE, name: 'manager', sub: 'value' }],
    [`${ENTERPRISE}:employeeNumber`, { uri: ENTERPRISE, name: 'employeeNumber' }],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value',
      { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', name: 'emails', filter: eq('type', 'work'), sub: 'value' },
    ],
    [ENTERPRISE, { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', name: 'User' }],
    ['members[value eq "x" or value eq "y"]', { name: 'members', filter: { kind: 'or', filters: [eq('value', 'x'), eq('value', 'y')] } }],
    ['emails[not (type eq "work")]', { name: 'emails', filter: { kind: 'not', filter: eq('type', 'work') } }],
    ['members[VALUE EQ "x"]', { name: 'members', filter: { kind: 'compare', path: { name: 'VALUE' }, op: 'eq', value: 'x' } }],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toStrictEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['', /^path is empty$/],
    ['name.givenName[type eq "work"]', /follows the sub-attribute path "name.givenName"/],
    ['emails[type eq "work"].value.display', /".value.display" at position 22 is not a valid sub-attribute/],
    ['emails[type eq "work"].value[type eq "x"]', /unexpected "\[" at position 28; expected the end of the path|"\[" at position 28/],
    ['emails[type eq "work"].value.', /not a valid sub-attribute/],
    ['emails[type eq "work"].', /not a valid sub-attribute/],
    ['emails[type eq "work"] .value', /must follow "]" directly/],
    ['emails[type eq "work"', /^path: expected "]" at position 21 to close the "\[" at position 6/],
    ['emails[type eq ]', /^path: expected a value after "eq" at position 15/],
    ['emails[]', /^path: expected an attribute path at position 7, found "]"/],
    ['emails[value[x pr]]', /inside another/],
    ['emails]', /"]" at position 6 has no matching "\["/],
    ['userName eq "x"', /unexpected "eq" at position 9; expected the end of the path/],
    ['name givenName', /unexpected "givenName" at position 5/],
    ['"userName"', /expected an attribute path at position 0, found the string/],
    ['[type eq "work"]', /expected an attribute path at position 0, found "\["/],
    ['name.given.x', /"name.given.x" at position 0 is not a valid attribute path/],
    ['9lives', /not a valid attribute path/],
    ['urn:', /not a valid attribute path/],
    ['members[value eq "unterminated]', /unterminated string starting at position 17/],
  ])('rejects %j', (text, detail) => {
    pathError(() => parsePatchPath(text), detail);
  });

  it('caps the bracket filter with the default limits', () => {
    const clauses = Array.from({ length: 101 }, (_, i) => `value eq "${i}"`).join(' or ');
    pathError(() => parsePatchPath(`members[${clauses}]`), /more than 100 attribute expressions/);
    pathError(() => parsePatchPath(`members[${'('.repeat(40)}value pr${')'.repeat(40)}]`), /nests deeper than 32 levels/);
    pathError(() => parsePatchPath(`members[value eq "${'x'.repeat(5000)}"]`), /^path is 5020 characters; the limit is 4096$/);
  });
});

describe('parseAttrPath', () => {
  it.each<[string, AttrPath]>([
    ['userName', { name: 'userName' }],
    ['name.givenName', { name: 'name', sub: 'givenName' }],
    ['members.$ref', { name: 'members', sub: '$ref' }],
    ['$ref', { name: '$ref' }],
    ['x-custom_attr1', { name: 'x-custom_attr1' }],
    ['DisplayName', { name: 'DisplayName' }],
    [`${ENTERPRISE}:employeeNumber`, { uri: ENTERPRISE, name: 'employeeNumber' }],
    [`${ENTERPRISE}:manager.value`, { uri: ENTERPRISE, name: 'manager', sub: 'value' }],
    ['urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', name: 'name', sub: 'familyName' }],
    [ENTERPRISE, { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', name: 'User' }],
    ['Urn:Example:Custom:attr', { uri: 'Urn:Example:Custom', name: 'attr' }],
  ])('%s', (text, expected) => {
    expect(parseAttrPath(text)).toStrictEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['', /^path is empty$/],
    [' ', /not a valid attribute path/],
    ['name givenName', /"name givenName" at position 0 is not a valid attribute path/],
    [' userName', /not a valid attribute path/],
    ['userName ', /not a valid attribute path/],
    ['emails[type eq "work"]', /not a valid attribute path/],
    ['emails]', /not a valid attribute path/],
    ['name.', /not a valid attribute path/],
    ['.name', /not a valid attribute path/],
    ['name..x', /not a valid attribute path/],
    ['a.b.c', /not a valid attribute path/],
    ['1name', /not a valid attribute path/],
    ['na$me', /not a valid attribute path/],
    ['foo:bar', /not a valid attribute path/],
    ['urn:', /not a valid attribute path/],
    ['urn:name', /not a valid attribute path/],
    ['urn:a::name', /not a valid attribute path/],
    ['urn:a b:name', /not a valid attribute path/],
    ['"userName"', /not a valid attribute path/],
  ])('rejects %j', (text, detail) => {
    pathError(() => parseAttrPath(text), detail);
  });

  it('rejects an overlong path by its length', () => {
    pathError(() => parseAttrPath('a'.repeat(5000)), /^path is 5000 characters; the limit is 4096$/);
  });
});
