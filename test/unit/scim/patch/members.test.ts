import { describe, it, expect } from 'vitest';
import { GROUP_SCHEMA, PATCH_OP_SCHEMA } from '../../../../src/scim/schema/definitions.js';
import { splitMemberOperations } from '../../../../src/scim/patch/members.js';
import { parsePatchRequest } from '../../../../src/scim/patch/request.js';
import { expectScimError } from '../../scim-error.js';

const split = (ops: unknown[], maxMembers = 100) => splitMemberOperations(parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops }, 100), maxMembers);
const add = (...ids: string[]) => ({ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) });
const remove = (...ids: string[]) => ({ op: 'Remove', path: 'members', value: ids.map((value) => ({ value })) });

describe('splitMemberOperations: member deltas', () => {
  it('turns Entra\'s add and remove of listed members into a delta, without other operations', () => {
    expect(split([add('u1', 'u2'), remove('u3')])).toEqual({ other: [], delta: { add: ['u1', 'u2'], remove: ['u3'] }, touchesMembers: true });
  });

  it('reads the RFC form remove members[value eq "x"] as a removal', () => {
    expect(split([{ op: 'remove', path: 'members[value eq "u1"]' }]).delta).toEqual({ add: [], remove: ['u1'] });
  });

  it('reads an "or" of value equalities as several removals', () => {
    expect(split([{ op: 'remove', path: 'members[value eq "u1" or value eq "u2" or VALUE eq "u3"]' }]).delta).toEqual({ add: [], remove: ['u1', 'u2', 'u3'] });
  });

  it('keeps the net effect per id, in order: "add x, remove x" removes x and "remove x, add x" adds it', () => {
    expect(split([add('x'), remove('x')]).delta).toEqual({ add: [], remove: ['x'] });
    expect(split([remove('x'), add('x')]).delta).toEqual({ add: ['x'], remove: [] });
    expect(split([add('a', 'b'), remove('a'), add('c'), add('a')]).delta).toEqual({ add: ['b', 'c', 'a'], remove: [] });
  });

  it('lists an id added twice once', () => {
    expect(split([add('x'), add('x')]).delta).toEqual({ add: ['x'], remove: [] });
  });

  it('treats ids as case-sensitive (member values are caseExact)', () => {
    expect(split([add('X'), remove('x')]).delta).toEqual({ add: ['X'], remove: ['x'] });
  });

  it('accepts a single member object, bare id strings and a "Value" key in any case', () => {
    expect(split([{ op: 'add', path: 'members', value: { value: 'u1' } }]).delta).toEqual({ add: ['u1'], remove: [] });
    expect(split([{ op: 'add', path: 'members', value: ['u1', { VALUE: 'u2' }] }]).delta).toEqual({ add: ['u1', 'u2'], remove: [] });
  });

  it('matches the members path case-insensitively', () => {
    expect(split([{ op: 'ADD', path: 'MEMBERS', value: [{ value: 'u1' }] }]).delta).toEqual({ add: ['u1'], remove: [] });
  });

  it('treats a members path qualified with the Group schema URN as a member operation', () => {
    const out = split([{ op: 'add', path: `${GROUP_SCHEMA}:members`, value: [{ value: 'u1' }] }]);
    expect(out.touchesMembers).toBe(true);
    expect(out.other).toEqual([]);
    expect(out.delta).toEqual({ add: ['u1'], remove: [] });
  });

  it('passes operations on other attributes through, in order', () => {
    const out = split([{ op: 'replace', path: 'displayName', value: 'G' }, add('u1'), { op: 'add', path: 'externalId', value: 'e' }]);
    expect(out.other.map((o) => o.index)).toEqual([0, 2]);
    expect(out.delta).toEqual({ add: ['u1'], remove: [] });
  });

  it('answers an empty delta and touchesMembers false when no operation touches members', () => {
    expect(split([{ op: 'replace', path: 'displayName', value: 'G' }])).toMatchObject({ delta: { add: [], remove: [] }, touchesMembers: false });
    expect(split([])).toEqual({ other: [], delta: { add: [], remove: [] }, touchesMembers: false });
  });
});

describe('splitMemberOperations: operations that need the current member list', () => {
  it.each([
    ['replace', { op: 'replace', path: 'members', value: [{ value: 'u1' }] }],
    ['remove without a value (remove all)', { op: 'remove', path: 'members' }],
    ['remove with a null value', { op: 'remove', path: 'members', value: null }],
    ['remove by another filter', { op: 'remove', path: 'members[type eq "User"]' }],
    ['remove by "and"', { op: 'remove', path: 'members[value eq "a" and type eq "User"]' }],
    ['remove by "not"', { op: 'remove', path: 'members[not (value eq "a")]' }],
    ['remove by "ne"', { op: 'remove', path: 'members[value ne "a"]' }],
    ['remove by an "or" with another term', { op: 'remove', path: 'members[value eq "a" or type eq "User"]' }],
    ['add with a filter', { op: 'add', path: 'members[value eq "a"]', value: { value: 'a' } }],
    ['a sub-attribute path', { op: 'remove', path: 'members[value eq "a"].type' }],
    ['a no-path value with members', { op: 'replace', value: { displayName: 'G', Members: [{ value: 'u1' }] } }],
  ])('%s → delta undefined, touchesMembers true', (_, op) => {
    const out = split([add('u0'), op]);
    expect(out.delta).toBeUndefined();
    expect(out.touchesMembers).toBe(true);
  });

  it('keeps a no-path operation that touches members with the member operations, not with the others', () => {
    const out = split([{ op: 'replace', value: { displayName: 'G', members: [] } }]);
    expect(out.other).toEqual([]);
  });
});

describe('splitMemberOperations: limits and bad values', () => {
  it('accepts exactly maxMembers ids across operations and rejects one more', () => {
    expect(split([add('a', 'b'), remove('c')], 3).delta).toEqual({ add: ['a', 'b'], remove: ['c'] });
    expectScimError(() => split([add('a', 'b'), remove('c', 'd')], 3), 'invalidValue', 'more than 3 members in one request');
  });

  it.each([[{ value: '' }], [{ value: 5 }], [{ display: 'x' }], [7]])('rejects the member %j without a string id', (m) => {
    expectScimError(() => split([{ op: 'add', path: 'members', value: [m] }]), 'invalidValue', 'Operations[0]: each member needs a string "value"');
  });

  it('skips null members', () => {
    expect(split([{ op: 'add', path: 'members', value: [null, { value: 'u1' }] }]).delta).toEqual({ add: ['u1'], remove: [] });
  });
});
