import { describe, it, expect } from 'vitest';
import type { NativeRecord } from '../../../connectors/types.js';
import { diffFields, memberIdsOf, renderResource, scimAttributes, versionOf } from '../../../src/core/render.js';
import { etagMatches } from '../../../src/core/resources.js';
import { GROUP_RESOURCE_TYPE, GROUP_SCHEMA, USER_RESOURCE_TYPE, USER_SCHEMA } from '../../../src/scim/schema/definitions.js';
import { ENT, GROUP_SLOTS, USER_SLOTS } from './mapping/mapping-fixture.js';

const BASE = 'https://gw.example/scim/v2';

describe('versionOf', () => {
  it('uses the store\'s own version as a weak ETag', () => {
    expect(versionOf({ id: 'x', fields: { uid: 'a' }, meta: { version: '17' } })).toBe('W/"17"');
  });

  it('otherwise hashes the content: stable for the same record, different when a field or member changes', () => {
    const r: NativeRecord = { id: 'g', fields: { cn: 'G' }, members: [{ value: 'u1' }] };
    const v = versionOf(r);
    expect(v).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
    expect(versionOf({ ...r, fields: { cn: 'G' }, members: [{ value: 'u1' }] })).toBe(v);
    expect(versionOf({ ...r, fields: { cn: 'H' } })).not.toBe(v);
    expect(versionOf({ ...r, fields: { cn: 'G', extra: '' } })).not.toBe(v);
    expect(versionOf({ ...r, members: [{ value: 'u1' }, { value: 'u2' }] })).not.toBe(v);
    expect(versionOf({ ...r, members: [] })).not.toBe(v);
  });

  it('does not depend on the id or on meta dates', () => {
    const a = versionOf({ id: 'a', fields: { uid: 'x' } });
    expect(versionOf({ id: 'b', fields: { uid: 'x' }, meta: { lastModified: '2024-01-01T00:00:00Z' } })).toBe(a);
  });
});

describe('etagMatches (If-Match)', () => {
  it('matches the same tag, weakly: with or without W/', () => {
    expect(etagMatches('W/"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches(' W/"abc" ', 'W/"abc"')).toBe(true);
  });

  it('matches any tag of a list, and *', () => {
    expect(etagMatches('W/"x", W/"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('*', 'W/"abc"')).toBe(true);
    expect(etagMatches('W/"x", *', 'W/"abc"')).toBe(true);
  });

  it('does not match another tag, an unquoted tag, or a different case', () => {
    expect(etagMatches('W/"abd"', 'W/"abc"')).toBe(false);
    expect(etagMatches('abc', 'W/"abc"')).toBe(false);
    expect(etagMatches('W/"ABC"', 'W/"abc"')).toBe(false);
    expect(etagMatches('', 'W/"abc"')).toBe(false);
  });
});

describe('diffFields', () => {
  it('sets new and changed fields, unsets removed ones and leaves equal ones alone', () => {
    expect(diffFields(USER_SLOTS, { uid: 'a', cn: 'old', title: 'unmapped', sn: 'gone' }, { uid: 'a', cn: 'new', given: 'B' })).toEqual([
      { op: 'set', field: 'cn', value: 'new' },
      { op: 'set', field: 'given', value: 'B' },
      { op: 'unset', field: 'sn' },
    ]);
  });

  it('sees false and "" as values, distinct from absence', () => {
    expect(diffFields(USER_SLOTS, { enabled: true }, { enabled: false })).toEqual([{ op: 'set', field: 'enabled', value: false }]);
    expect(diffFields(USER_SLOTS, {}, { cn: '' })).toEqual([{ op: 'set', field: 'cn', value: '' }]);
  });

  it('never unsets a write-only field that is absent after, but sets it when given', () => {
    expect(diffFields(USER_SLOTS, { uid: 'a', pwd: 'secret' }, { uid: 'a' })).toEqual([]);
    expect(diffFields(USER_SLOTS, { uid: 'a', pwd: 'secret' }, { uid: 'a', pwd: 'new' })).toEqual([{ op: 'set', field: 'pwd', value: 'new' }]);
  });

  it('ignores fields no slot maps and inherited properties', () => {
    const before = Object.create({ cn: 'inherited' }) as Record<string, string>;
    expect(diffFields(USER_SLOTS, before, { other: 'x' })).toEqual([]);
  });
});

describe('memberIdsOf', () => {
  it('lists member values once each, in order, skipping anything that is not a string id', () => {
    expect(memberIdsOf({ members: [{ value: 'u1' }, { value: 'u2' }, { value: 'u1' }, { display: 'x' }, { value: 5 }, 'u3', [{ value: 'u4' }]] })).toEqual(['u1', 'u2']);
  });

  it('answers [] without members', () => {
    expect(memberIdsOf({ displayName: 'g' })).toEqual([]);
    expect(memberIdsOf({ members: 'u1' })).toEqual([]);
  });
});

describe('renderResource and scimAttributes', () => {
  it('renders a user with schemas, id, attributes and meta; the extension URN only when used', () => {
    const plain = renderResource(USER_RESOURCE_TYPE, USER_SLOTS, { id: 'a b', fields: { uid: 'u' }, meta: { created: '2024-01-01T00:00:00Z', version: '3' } }, BASE);
    expect(plain).toEqual({
      schemas: [USER_SCHEMA],
      id: 'a b',
      userName: 'u',
      meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', location: `${BASE}/Users/a%20b`, version: 'W/"3"' },
    });
    const ext = renderResource(USER_RESOURCE_TYPE, USER_SLOTS, { id: 'x', fields: { uid: 'u', dept: 'D' } }, BASE);
    expect(ext['schemas']).toEqual([USER_SCHEMA, ENT]);
    expect(ext[ENT]).toEqual({ department: 'D' });
  });

  it('renders group members with $ref and type when the type is known', () => {
    const record: NativeRecord = { id: 'g', fields: { cn: 'G' }, members: [{ value: 'u/1', type: 'User' }, { value: 'g2', type: 'Group' }, { value: 'x' }] };
    expect(scimAttributes(GROUP_RESOURCE_TYPE, GROUP_SLOTS, record, BASE)).toEqual({
      displayName: 'G',
      members: [
        { value: 'u/1', $ref: `${BASE}/Users/u%2F1`, type: 'User' },
        { value: 'g2', $ref: `${BASE}/Groups/g2`, type: 'Group' },
        { value: 'x' },
      ],
    });
    expect(renderResource(GROUP_RESOURCE_TYPE, GROUP_SLOTS, record, BASE)['schemas']).toEqual([GROUP_SCHEMA]);
  });

  it('leaves members out when the record was read without them', () => {
    expect(scimAttributes(GROUP_RESOURCE_TYPE, GROUP_SLOTS, { id: 'g', fields: { cn: 'G' } }, BASE)).toEqual({ displayName: 'G' });
  });
});
