import { describe, it, expect } from 'vitest';
import type { Capabilities } from '../../../connectors/types.js';
import { buildListRequest, param, type QueryParams } from '../../../src/core/list-query.js';
import { DEFAULT_LIMITS, type RequestLimits } from '../../../src/core/runtime.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../src/scim/schema/definitions.js';
import { expectScimError } from '../scim-error.js';
import { GROUP_SLOTS, USER_SLOTS } from './mapping/mapping-fixture.js';

const CAPS: Capabilities = { groups: true, sort: true, filterOperators: 'all', maxPageSize: 500 };
const LIMITS: RequestLimits = { ...DEFAULT_LIMITS, defaultPageSize: 50, maxPageSize: 200 };

const users = (params: QueryParams, caps: Capabilities = CAPS, limits: RequestLimits = LIMITS) => buildListRequest(USER_RESOURCE_TYPE, USER_SLOTS, caps, params, limits);
const groups = (params: QueryParams, caps: Capabilities = CAPS) => buildListRequest(GROUP_RESOURCE_TYPE, GROUP_SLOTS, caps, params, LIMITS);

describe('param', () => {
  it('finds a parameter by name in any case', () => {
    expect(param({ STARTINDEX: '3' }, 'startIndex')).toBe('3');
    expect(param({ filter: 'x' }, 'Filter')).toBe('x');
    expect(param({}, 'filter')).toBeUndefined();
  });

  it('rejects a repeated parameter, as an array or as two spellings', () => {
    expectScimError(() => param({ filter: ['a', 'b'] }, 'filter'), 'invalidValue', 'the query parameter "filter" is given more than once');
    expectScimError(() => param({ sortBy: 'a', SORTBY: 'b' }, 'sortBy'), 'invalidValue', /"(sortBy|SORTBY)" is given more than once/);
  });
});

describe('buildListRequest: paging', () => {
  it('defaults to startIndex 1 and the default page size, for Users without members', () => {
    expect(users({})).toEqual({ query: { startIndex: 1, count: 50, withMembers: false }, projection: {} });
  });

  it('reads startIndex and count, in any case, with blanks meaning the default', () => {
    expect(users({ startindex: '11', COUNT: '5' }).query).toMatchObject({ startIndex: 11, count: 5 });
    expect(users({ startIndex: ' ', count: '' }).query).toMatchObject({ startIndex: 1, count: 50 });
  });

  it('clamps startIndex below 1 to 1 and a negative count to 0 (RFC 7644 §3.4.2.4)', () => {
    expect(users({ startIndex: '0', count: '-3' }).query).toMatchObject({ startIndex: 1, count: 0 });
    expect(users({ startIndex: '-10' }).query.startIndex).toBe(1);
  });

  it('clamps count to the gateway limit and to the connector limit, whichever is lower', () => {
    expect(users({ count: '100000' }).query.count).toBe(200);
    expect(users({ count: '1000' }, { ...CAPS, maxPageSize: 25 }).query.count).toBe(25);
    expect(users({}, { ...CAPS, maxPageSize: 10 }).query.count).toBe(10);
  });

  it.each([['1.5'], ['ten'], ['0x10'], ['1e3'], ['+5'], ['9999999999999999']])('rejects count %j with invalidValue', (count) => {
    expectScimError(() => users({ count }), 'invalidValue', 'count must be an integer');
  });
});

describe('buildListRequest: filter', () => {
  it('translates the filter to native fields', () => {
    expect(users({ filter: 'userName eq "bjensen"' }).query.filter).toEqual({ op: 'eq', target: { kind: 'field', field: 'uid' }, value: 'bjensen', type: 'string', caseExact: false });
  });

  it('ignores an empty filter', () => {
    expect(users({ filter: '  ' }).query.filter).toBeUndefined();
  });

  it('applies the configured filter limits', () => {
    expectScimError(() => users({ filter: 'userName eq "bjensen"' }, CAPS, { ...LIMITS, filter: { ...LIMITS.filter, maxLength: 10 } }), 'invalidFilter');
  });

  it('lets group filters reach members only when the connector stores groups', () => {
    expect(groups({ filter: 'members eq "u1"' }).query.filter).toMatchObject({ target: { kind: 'member' } });
    expectScimError(() => groups({ filter: 'members eq "u1"' }, { ...CAPS, groups: false }), 'invalidFilter', 'not stored');
  });

  it('rejects operators the connector cannot evaluate, anywhere in the filter', () => {
    const caps: Capabilities = { ...CAPS, filterOperators: ['eq', 'and', 'or'] };
    expect(users({ filter: 'userName eq "a" or displayName eq "b"' }, caps).query.filter).toBeDefined();
    expectScimError(() => users({ filter: 'userName co "a"' }, caps), 'invalidFilter', 'this endpoint\'s store cannot evaluate "co" in a filter');
    expectScimError(() => users({ filter: 'userName eq "a" and not (displayName pr)' }, caps), 'invalidFilter', '"not"');
    expectScimError(() => users({ filter: 'displayName eq null' }, caps), 'invalidFilter', '"not"');
  });

  it('accepts a filter that folds to a constant whatever operators the connector has', () => {
    expect(users({ filter: 'meta.resourceType eq "Group"' }, { ...CAPS, filterOperators: [] }).query.filter).toEqual({ op: 'false' });
  });
});

describe('buildListRequest: sorting', () => {
  it('sorts by a mapped field, ascending unless told otherwise', () => {
    expect(users({ sortBy: 'userName' }).query.sort).toEqual({ target: { kind: 'field', field: 'uid' }, descending: false, type: 'string', caseExact: false });
    expect(users({ sortBy: 'userName', sortOrder: 'DESCENDING' }).query.sort?.descending).toBe(true);
    expect(users({ sortBy: 'userName', sortorder: 'ascending' }).query.sort?.descending).toBe(false);
  });

  it('sorts by id case-exactly and by meta dates as dateTime', () => {
    expect(users({ sortBy: 'id' }).query.sort).toMatchObject({ target: { kind: 'id' }, caseExact: true });
    expect(users({ sortBy: 'meta.created' }).query.sort).toMatchObject({ target: { kind: 'meta', name: 'created' }, type: 'dateTime' });
  });

  it('sorts by the first field of a complex attribute, with that field\'s type', () => {
    expect(users({ sortBy: 'emails' }).query.sort).toMatchObject({ target: { kind: 'field', field: 'mail' }, type: 'string' });
    expect(users({ sortBy: 'active' }).query.sort).toMatchObject({ type: 'boolean' });
  });

  it('ignores sortBy when the connector cannot sort', () => {
    expect(users({ sortBy: 'userName' }, { ...CAPS, sort: false }).query.sort).toBeUndefined();
  });

  it('rejects sortBy on what cannot be sorted', () => {
    expectScimError(() => users({ sortBy: 'meta.resourceType' }), 'invalidValue', 'cannot sort by "meta.resourceType"');
    expectScimError(() => users({ sortBy: 'nickName' }), 'invalidFilter', 'not stored');
  });

  it('rejects a sortOrder other than ascending or descending, even without sortBy', () => {
    expectScimError(() => users({ sortOrder: 'up' }), 'invalidValue', 'sortOrder must be "ascending" or "descending", not "up"');
  });
});

describe('buildListRequest: projection and members', () => {
  it('passes attributes and excludedAttributes on as the projection', () => {
    expect(users({ attributes: 'userName', excludedattributes: 'emails' }).projection).toEqual({
      include: [{ key: 'userName' }],
      exclude: [{ key: 'emails' }],
    });
  });

  it('asks for group members unless the projection leaves them out', () => {
    expect(groups({}).query.withMembers).toBe(true);
    expect(groups({ excludedAttributes: 'members' }).query.withMembers).toBe(false);
    expect(groups({ attributes: 'displayName' }).query.withMembers).toBe(false);
    expect(groups({ attributes: 'members.value' }).query.withMembers).toBe(true);
    expect(groups({ excludedAttributes: 'members.display' }).query.withMembers).toBe(true);
  });

  it('never asks for members of Users', () => {
    expect(users({ attributes: 'members' }).query.withMembers).toBe(false);
  });
});
