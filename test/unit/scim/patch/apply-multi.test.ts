import { describe, it, expect } from 'vitest';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../../src/scim/schema/definitions.js';
import type { ScimObject } from '../../../../src/scim/schema/types.js';
import { expectScimError } from '../../scim-error.js';
import { BASE_GROUP, patchGroup, patchOn, patchUser, userWith } from './patch-helpers.js';

const WORK = { value: 'b@work.example', type: 'work', primary: true };
const HOME = { value: 'b@home.example', type: 'home' };
const withEmails = (...emails: ScimObject[]) => userWith({ emails: emails.length > 0 ? emails : undefined });
const primaries = (r: ScimObject) => (r['emails'] as ScimObject[]).filter((e) => e['primary'] === true).map((e) => e['value']);

describe('applyPatch: multi-valued attributes without a filter', () => {
  it('add appends a new element', () => {
    expect(patchUser({ op: 'add', path: 'emails', value: [{ value: 'o@x', type: 'other' }] })).toEqual(withEmails(WORK, HOME, { value: 'o@x', type: 'other' }));
  });

  it('add accepts a single element that is not in an array', () => {
    expect(patchUser({ op: 'add', path: 'emails', value: { value: 'o@x', type: 'other' } })).toEqual(withEmails(WORK, HOME, { value: 'o@x', type: 'other' }));
  });

  it('add merges an element of a type already present into that element (one element per type)', () => {
    expect(patchUser({ op: 'add', path: 'emails', value: [{ value: 'new@work', type: 'WORK' }] })).toEqual(withEmails({ value: 'new@work', type: 'WORK', primary: true }, HOME));
  });

  it('add merges an element equal by value (case-insensitively where the value is) instead of duplicating it', () => {
    expect(patchUser({ op: 'add', path: 'emails', value: [{ value: 'B@HOME.EXAMPLE', display: 'Home' }] })).toEqual(
      withEmails(WORK, { value: 'B@HOME.EXAMPLE', type: 'home', display: 'Home' }),
    );
  });

  it('replace swaps the whole list', () => {
    expect(patchUser({ op: 'replace', path: 'emails', value: [{ value: 'only@x', type: 'other' }] })).toEqual(withEmails({ value: 'only@x', type: 'other' }));
  });

  it('replace with an empty list removes the attribute', () => {
    expect(patchUser({ op: 'replace', path: 'emails', value: [] })).toEqual(withEmails());
  });

  it('remove without a value removes every element', () => {
    expect(patchUser({ op: 'remove', path: 'emails' })).toEqual(withEmails());
  });

  it('remove with a value array removes the elements equal by value', () => {
    expect(patchUser({ op: 'remove', path: 'emails', value: [{ value: 'b@home.example' }] })).toEqual(withEmails(WORK));
    expect(patchUser({ op: 'remove', path: 'emails', value: [{ value: 'B@Home.Example' }, { value: 'b@work.example' }] })).toEqual(withEmails());
  });

  it('remove with a value compares case-exactly where the sub-attribute is caseExact (member ids)', () => {
    expect(patchGroup({ op: 'remove', path: 'members', value: [{ value: 'U1' }] })).toEqual(BASE_GROUP);
    expect(patchGroup({ op: 'remove', path: 'members', value: [{ value: 'u1' }] })).toEqual({ displayName: 'Tour Guides', members: [{ value: 'u2', type: 'User' }] });
  });

  it('remove with elements that have no value removes nothing', () => {
    expect(patchUser({ op: 'remove', path: 'emails', value: [{ type: 'work' }] })).toEqual(withEmails(WORK, HOME));
  });

  it('rejects a sub-attribute path without a value filter', () => {
    expectScimError(() => patchUser({ op: 'replace', path: 'emails.value', value: 'x' }), 'invalidPath', '"emails.value" needs a value filter');
  });
});

describe('applyPatch: primary', () => {
  it('a new primary element clears primary on the others', () => {
    const out = patchUser({ op: 'add', path: 'emails', value: [{ value: 'o@x', type: 'other', primary: 'True' }] });
    expect(out).toEqual(withEmails({ ...WORK, primary: false }, HOME, { value: 'o@x', type: 'other', primary: true }));
  });

  it('a list with two primary elements keeps only the last one primary', () => {
    const out = patchUser({ op: 'replace', path: 'emails', value: [{ value: 'a@x', type: 'work', primary: true }, { value: 'b@x', type: 'home', primary: true }] });
    expect(primaries(out)).toEqual(['b@x']);
  });

  it('setting primary through a value path clears primary on the other elements', () => {
    const out = patchUser({ op: 'replace', path: 'emails[type eq "home"].primary', value: true });
    expect(out).toEqual(withEmails({ ...WORK, primary: false }, { ...HOME, primary: true }));
  });

  it('replacing a matched element with a primary one clears primary on the others', () => {
    const out = patchUser({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'h@x', type: 'home', primary: true } });
    expect(primaries(out)).toEqual(['h@x']);
  });
});

describe('applyPatch: value paths with a sub-attribute', () => {
  it('replace sets the sub-attribute of the matching element and keeps its other sub-attributes', () => {
    expect(patchUser({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@work' })).toEqual(withEmails({ ...WORK, value: 'new@work' }, HOME));
  });

  it('matches the filter by the sub-attribute schema: type is not caseExact', () => {
    expect(patchUser({ op: 'replace', path: 'emails[type eq "WORK"].display', value: 'W' })).toEqual(withEmails({ ...WORK, display: 'W' }, HOME));
  });

  it('creates the element from the equality terms when none matches (Entra\'s first work phone)', () => {
    expect(patchUser({ op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '555-1234' })).toEqual(userWith({ phoneNumbers: [{ type: 'work', value: '555-1234' }] }));
    expect(patchUser({ op: 'replace', path: 'emails[type eq "other"].value', value: 'o@x' })).toEqual(withEmails(WORK, HOME, { type: 'other', value: 'o@x' }));
  });

  it('creates the element from every term of an "and" of equalities, converting their types', () => {
    const out = patchUser({ op: 'add', path: 'emails[type eq "other" and primary eq "true"].value', value: 'o@x' });
    expect(out).toEqual(withEmails({ ...WORK, primary: false }, HOME, { type: 'other', primary: true, value: 'o@x' }));
  });

  it.each([
    ['emails[type eq "other" or type eq "x"].value'],
    ['emails[value co "nowhere"].display'],
    ['emails[type ne "work" and type ne "home"].value'],
    ['emails[not (value pr)].value'],
    ['emails[type pr and display eq "x"].value'],
  ])('answers noTarget when nothing matches %s and it pins down no element', (path) => {
    expectScimError(() => patchUser({ op: 'replace', path, value: 'x' }), 'noTarget', 'no emails element matches the filter');
  });

  it('updates every matching element', () => {
    const out = patchUser({ op: 'add', path: 'emails[value ew ".example"].display', value: 'D' });
    expect(out).toEqual(withEmails({ ...WORK, display: 'D' }, { ...HOME, display: 'D' }));
  });

  it('remove of a sub-attribute other than value removes just that sub-attribute', () => {
    expect(patchUser({ op: 'remove', path: 'emails[type eq "work"].primary' })).toEqual(withEmails({ value: 'b@work.example', type: 'work' }, HOME));
  });

  it('remove of the value sub-attribute removes the whole element', () => {
    expect(patchUser({ op: 'remove', path: 'emails[type eq "work"].value' })).toEqual(withEmails(HOME));
  });

  it('drops an element that a partial removal leaves empty, and the attribute with its last element', () => {
    const only = patchOn(USER_RESOURCE_TYPE, { userName: 'u', emails: [{ type: 'work' }] }, { op: 'remove', path: 'emails[type eq "work"].type' });
    expect(only).toEqual({ userName: 'u' });
  });

  it('rejects a sub-attribute after the filter that the attribute does not have', () => {
    expectScimError(() => patchUser({ op: 'replace', path: 'emails[type eq "work"].nope', value: 'x' }), 'invalidPath', '"emails.nope"');
  });

  it('rejects a filter on a sub-attribute the element does not have', () => {
    expectScimError(() => patchUser({ op: 'replace', path: 'emails[nope eq "x"].value', value: 'x' }), 'invalidPath', '"nope" is not a sub-attribute');
  });
});

describe('applyPatch: value paths without a sub-attribute', () => {
  it('remove removes the matching elements and leaves the rest', () => {
    expect(patchUser({ op: 'remove', path: 'emails[type eq "home"]' })).toEqual(withEmails(WORK));
  });

  it('remove with no match is a no-op', () => {
    expect(patchUser({ op: 'remove', path: 'emails[type eq "other"]' })).toEqual(withEmails(WORK, HOME));
  });

  it('remove of every element removes the attribute', () => {
    expect(patchUser({ op: 'remove', path: 'emails[value pr]' })).toEqual(withEmails());
  });

  it('add merges the value into each matching element', () => {
    expect(patchUser({ op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } })).toEqual(withEmails(WORK, { ...HOME, display: 'Home' }));
  });

  it('replace replaces each matching element with the value', () => {
    expect(patchUser({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'h@x', type: 'home' } })).toEqual(withEmails(WORK, { value: 'h@x', type: 'home' }));
  });

  it('replace keeps what the filter pinned down (the type) when the value omits it', () => {
    expect(patchUser({ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'h@x' } })).toEqual(withEmails(WORK, { value: 'h@x', type: 'home' }));
  });

  it('add creates the element when none matches an equality filter', () => {
    expect(patchUser({ op: 'add', path: 'addresses[type eq "work"]', value: { locality: 'Paris' } })).toEqual(userWith({ addresses: [{ type: 'work', locality: 'Paris' }] }));
  });

  it('rejects a non-object value with invalidValue', () => {
    expectScimError(() => patchUser({ op: 'add', path: 'emails[type eq "home"]', value: 'h@x' }), 'invalidValue', 'emails must be an object');
  });
});

describe('applyPatch: group members', () => {
  it('add merges members by id and keeps the order', () => {
    expect(patchGroup({ op: 'Add', path: 'members', value: [{ value: 'u2' }, { value: 'u3', display: 'ignored' }] })).toEqual({
      displayName: 'Tour Guides',
      members: [{ value: 'u1' }, { value: 'u2', type: 'User' }, { value: 'u3' }],
    });
  });

  it('add does not merge members by type', () => {
    const out = patchGroup({ op: 'add', path: 'members', value: [{ value: 'u3', type: 'User' }] });
    expect(out['members']).toEqual([{ value: 'u1' }, { value: 'u2', type: 'User' }, { value: 'u3', type: 'User' }]);
  });

  it('remove by a value filter removes that member only', () => {
    expect(patchGroup({ op: 'remove', path: 'members[value eq "u2"]' })).toEqual({ displayName: 'Tour Guides', members: [{ value: 'u1' }] });
  });

  it('replace sets the whole list', () => {
    expect(patchGroup({ op: 'replace', path: 'members', value: [{ value: 'u9' }] })).toEqual({ displayName: 'Tour Guides', members: [{ value: 'u9' }] });
  });

  it('remove without a value empties the group', () => {
    expect(patchOn(GROUP_RESOURCE_TYPE, BASE_GROUP, { op: 'remove', path: 'members' })).toEqual({ displayName: 'Tour Guides' });
  });
});
