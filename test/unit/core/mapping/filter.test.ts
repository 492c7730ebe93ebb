import { describe, it, expect } from 'vitest';
import type { CompareOp, NativeFilter, NativeTarget } from '../../../../connectors/types.js';
import { translate, type FilterContext } from '../../../../src/core/mapping/filter.js';
import { parseFilter } from '../../../../src/scim/filter/parse.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../src/scim/schema/definitions.js';
import { expectScimError } from '../../scim-error.js';
import { ENT, GROUP_SLOTS, INTEGER_SLOTS, USER_SLOTS, USER_WITH_INTEGER } from './mapping-fixture.js';

const USERS: FilterContext = { rt: USER_RESOURCE_TYPE, slots: USER_SLOTS, members: false };
const GROUPS: FilterContext = { rt: GROUP_RESOURCE_TYPE, slots: GROUP_SLOTS, members: true };
const tr = (text: string, ctx: FilterContext = USERS) => translate(ctx, parseFilter(text));

const f = (field: string): NativeTarget => ({ kind: 'field', field });
const cmp = (op: CompareOp, target: NativeTarget, value: string | number | boolean, type = 'string', caseExact = false): NativeFilter =>
  ({ op, target, value, type, caseExact }) as NativeFilter;
const pr = (target: NativeTarget): NativeFilter => ({ op: 'pr', target });
const or = (...filters: NativeFilter[]): NativeFilter => ({ op: 'or', filters });
const and = (...filters: NativeFilter[]): NativeFilter => ({ op: 'and', filters });
const not = (filter: NativeFilter): NativeFilter => ({ op: 'not', filter });
const TRUE: NativeFilter = { op: 'true' };
const FALSE: NativeFilter = { op: 'false' };

describe('translate: operators and types', () => {
  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const)('%s on a string field keeps the operator, type and caseExact', (op) => {
    expect(tr(`userName ${op} "bjensen"`)).toEqual(cmp(op, f('uid'), 'bjensen'));
  });

  it('pr becomes presence of the field', () => {
    expect(tr('displayName pr')).toEqual(pr(f('cn')));
  });

  it('eq null becomes "not present" and ne null "present"; other operators reject null', () => {
    expect(tr('displayName eq null')).toEqual(not(pr(f('cn'))));
    expect(tr('displayName ne null')).toEqual(pr(f('cn')));
    expectScimError(() => tr('displayName gt null'), 'invalidFilter', '"displayName gt null" compares with null');
  });

  it('reads booleans from true/false and from Entra\'s strings', () => {
    expect(tr('active eq true')).toEqual(cmp('eq', f('enabled'), true, 'boolean'));
    expect(tr('active eq "False"')).toEqual(cmp('eq', f('enabled'), false, 'boolean'));
    expect(tr('active ne "TRUE"')).toEqual(cmp('ne', f('enabled'), true, 'boolean'));
  });

  it('rejects a non-boolean operand and ordering operators on a boolean', () => {
    expectScimError(() => tr('active eq "yes"'), 'invalidFilter', 'active is a boolean; compare it with true or false');
    expectScimError(() => tr('active eq 1'), 'invalidFilter', 'active is a boolean');
    expectScimError(() => tr('active gt true'), 'invalidFilter', '"gt" cannot compare the boolean active');
  });

  it('converts operands of a string attribute to strings', () => {
    expect(tr('userName eq 42')).toEqual(cmp('eq', f('uid'), '42'));
    expect(tr('userName eq true')).toEqual(cmp('eq', f('uid'), 'true'));
  });

  it('converts operands of an integer attribute to numbers, and rejects what is not a number', () => {
    const ctx: FilterContext = { rt: USER_WITH_INTEGER, slots: INTEGER_SLOTS, members: false };
    expect(tr('loginCount gt 5', ctx)).toEqual(cmp('gt', f('logins'), 5, 'integer'));
    expect(tr('loginCount le "7"', ctx)).toEqual(cmp('le', f('logins'), 7, 'integer'));
    expectScimError(() => tr('loginCount eq "many"', ctx), 'invalidFilter', 'loginCount is a number; "many" is not');
  });

  it.each(['co', 'sw', 'ew'])('rejects %s on a number', (op) => {
    const ctx: FilterContext = { rt: USER_WITH_INTEGER, slots: INTEGER_SLOTS, members: false };
    expectScimError(() => tr(`loginCount ${op} 5`, ctx), 'invalidFilter', `"${op}" needs a string attribute; loginCount is a number`);
  });

  it('allows only eq and ne on binary values', () => {
    expect(tr('x509Certificates.value eq "MIIB"')).toEqual(cmp('eq', f('cert'), 'MIIB', 'binary'));
    expectScimError(() => tr('x509Certificates.value sw "MII"'), 'invalidFilter', '"sw" cannot compare the binary');
  });

  it('takes caseExact from the attribute', () => {
    expect(tr(`${ENT}:manager.value eq "Boss"`)).toEqual(cmp('eq', f('mgr'), 'Boss', 'string', true));
  });
});

describe('translate: what a term can target', () => {
  it('id is the record id, compared case-exactly', () => {
    expect(tr('id eq "abc"')).toEqual(cmp('eq', { kind: 'id' }, 'abc', 'string', true));
  });

  it('meta.created and meta.lastModified are the record\'s dates', () => {
    expect(tr('meta.created gt "2024-01-01T00:00:00Z"')).toEqual(cmp('gt', { kind: 'meta', name: 'created' }, '2024-01-01T00:00:00Z', 'dateTime'));
    expect(tr('meta.lastModified pr')).toEqual(pr({ kind: 'meta', name: 'lastModified' }));
  });

  it('meta.resourceType folds to a constant', () => {
    expect(tr('meta.resourceType eq "User"')).toEqual(TRUE);
    expect(tr('meta.resourceType eq "Group"')).toEqual(FALSE);
    expect(tr('meta.resourceType eq "user"')).toEqual(FALSE);
    expect(tr('meta.resourceType pr')).toEqual(TRUE);
    expect(tr('meta.resourceType eq "Group"', GROUPS)).toEqual(TRUE);
  });

  it.each([['meta.location eq "x"'], ['meta.version eq "x"'], ['meta pr']])('rejects %s', (text) => {
    expectScimError(() => tr(text), 'invalidFilter', 'cannot filter on');
  });

  it('members and members.value target the group\'s member ids, case-exactly', () => {
    const expected = cmp('eq', { kind: 'member' }, 'u1', 'string', true);
    expect(tr('members eq "u1"', GROUPS)).toEqual(expected);
    expect(tr('members.value eq "u1"', GROUPS)).toEqual(expected);
    expect(tr('members[value eq "u1"]', GROUPS)).toEqual(expected);
    expect(tr('members pr', GROUPS)).toEqual(pr({ kind: 'member' }));
  });

  it('rejects members when the connector does not store them, and member sub-attributes other than value', () => {
    expectScimError(() => tr('members eq "u1"', { ...GROUPS, members: false }), 'invalidFilter', '"members" is not stored by this endpoint');
    expectScimError(() => tr('members.display eq "x"', GROUPS), 'invalidFilter', '"members.display" is not stored');
  });

  it('reaches extension attributes by qualified or unqualified name', () => {
    expect(tr(`${ENT}:department eq "Sales"`)).toEqual(cmp('eq', f('dept'), 'Sales'));
    expect(tr('DEPARTMENT eq "Sales"')).toEqual(cmp('eq', f('dept'), 'Sales'));
  });

  it('compares the value sub-attribute when a complex attribute is compared directly', () => {
    expect(tr(`${ENT}:manager eq "boss"`)).toEqual(cmp('eq', f('mgr'), 'boss', 'string', true));
    expect(tr('emails eq "x"')).toEqual(or(cmp('eq', f('mail'), 'x'), cmp('eq', f('homeMail'), 'x')));
  });

  it('reads presence of a complex attribute as presence of any of its fields', () => {
    expect(tr('name pr')).toEqual(or(pr(f('given')), pr(f('sn'))));
  });

  it('rejects comparing a complex attribute that has no value sub-attribute', () => {
    expectScimError(() => tr('name eq "x"'), 'invalidFilter', '"name" is complex; name a sub-attribute, e.g. name.formatted');
  });

  it('emails.value is an or over every mapped email', () => {
    expect(tr('emails.value eq "x"')).toEqual(or(cmp('eq', f('mail'), 'x'), cmp('eq', f('homeMail'), 'x')));
  });

  it('emails.type eq "work" asks for the element the mapping selects', () => {
    expect(tr('emails.type eq "work"')).toEqual(or(pr(f('mail')), pr(f('mailPrimary'))));
  });

  it('rejects a filter on the write-only password with 403 sensitive', () => {
    expectScimError(() => tr('password eq "x"'), 'sensitive', undefined, 403);
  });
});

describe('translate: what cannot be answered', () => {
  it('rejects a known attribute the endpoint does not store, naming it', () => {
    expectScimError(() => tr('nickName eq "x"'), 'invalidFilter', '"nickName" is not stored by this endpoint, so it cannot be used in a filter');
    expectScimError(() => tr('name.middleName eq "x"'), 'invalidFilter', '"name.middleName" is not stored');
    expectScimError(() => tr(`${ENT}:costCenter eq "x"`), 'invalidFilter', `"${ENT}:costCenter" is not stored`);
  });

  it('rejects an unknown attribute, naming it', () => {
    expectScimError(() => tr('shoeSize eq 42'), 'invalidFilter', 'unknown attribute "shoeSize" in filter');
    expectScimError(() => tr('userName.first eq "x"'), 'invalidFilter', 'unknown attribute "userName.first"');
  });

  it('rejects a schema URN used as an attribute', () => {
    expectScimError(() => tr(`${ENT} pr`), 'invalidFilter', 'is a schema, not an attribute');
  });
});

describe('translate: value paths folded against the mapping', () => {
  it('emails[type eq "work" and value eq "x"] is a single eq on the work field', () => {
    expect(tr('emails[type eq "work" and value eq "x"]')).toEqual(cmp('eq', f('mail'), 'x'));
  });

  it('Entra\'s emails[type eq "work"].value eq "x" is the same single eq', () => {
    expect(tr('emails[type eq "work"].value eq "x"')).toEqual(cmp('eq', f('mail'), 'x'));
  });

  it('matches the selector case-insensitively', () => {
    expect(tr('emails[type eq "WORK" and value eq "x"]')).toEqual(cmp('eq', f('mail'), 'x'));
  });

  it('an element type the mapping does not store is 400 invalidFilter naming it', () => {
    for (const text of ['emails[type eq "other"]', 'phoneNumbers[type eq "work"]', 'emails[type eq "other" and value eq "x"]']) {
      expect(() => tr(text), text).toThrow(/\[type eq "(other|work)"\]" is not stored/);
    }
  });

  it('emails[type eq "work"] is the presence of the work element', () => {
    expect(tr('emails[type eq "work"]')).toEqual(or(pr(f('mail')), pr(f('mailPrimary'))));
    expect(tr('emails[type eq "home"]')).toEqual(pr(f('homeMail')));
  });

  it('a term on a sub-attribute is an or over the elements that store it', () => {
    expect(tr('emails[value eq "x"]')).toEqual(or(cmp('eq', f('mail'), 'x'), cmp('eq', f('homeMail'), 'x')));
  });

  it('a sub-attribute stored for one element only is false for the others', () => {
    expect(tr('emails[primary eq true]')).toEqual(cmp('eq', f('mailPrimary'), true, 'boolean'));
  });

  it('ne keeps the element\'s presence, since ne holds for an absent field', () => {
    expect(tr('emails[type eq "home" and value ne "x"]')).toEqual(and(pr(f('homeMail')), cmp('ne', f('homeMail'), 'x')));
    expect(tr('emails[type ne "work"]')).toEqual(pr(f('homeMail')));
  });

  it('rejects a sub-attribute that no element stores, and one the attribute does not have', () => {
    expectScimError(() => tr('emails[display eq "x"]'), 'invalidFilter', '"emails.display" is not stored by this endpoint');
    expectScimError(() => tr('emails[nope eq "x"]'), 'invalidFilter', '"emails.nope" is not a sub-attribute of emails');
  });

  it('rejects a value path on an attribute no slot maps, or one that is not multi-valued', () => {
    expectScimError(() => tr('ims[type eq "xmpp"]'), 'invalidFilter', '"ims" is not stored');
    expectScimError(() => tr('name[givenName eq "x"]'), 'invalidFilter', '"name[...]" needs a multi-valued attribute');
    expectScimError(() => tr('shoes[size eq 1]'), 'invalidFilter', 'unknown attribute "shoes"');
  });
});

describe('translate: logic and constant folding', () => {
  it('keeps and, or and not over terms', () => {
    expect(tr('userName eq "a" and not (displayName pr)')).toEqual(and(cmp('eq', f('uid'), 'a'), not(pr(f('cn')))));
    expect(tr('userName eq "a" or userName eq "b"')).toEqual(or(cmp('eq', f('uid'), 'a'), cmp('eq', f('uid'), 'b')));
  });

  it('folds constants: false and-ed, true or-ed, and negated constants', () => {
    expect(tr('userName eq "a" and meta.resourceType eq "Group"')).toEqual(FALSE);
    expect(tr('userName eq "a" or meta.resourceType eq "User"')).toEqual(TRUE);
    expect(tr('userName eq "a" and meta.resourceType eq "User"')).toEqual(cmp('eq', f('uid'), 'a'));
    expect(tr('not (meta.resourceType eq "Group")')).toEqual(TRUE);
    expect(tr('not (meta.resourceType pr)')).toEqual(FALSE);
  });
});
