import { describe, it, expect } from 'vitest';
import type { CompareOp, FieldType, NativeFilter, NativeRecord, NativeSort, NativeTarget } from '../../../../connectors/types.js';
import { compareRecords, evaluateFilter } from '../../../../connectors/support/evaluate-filter.js';

const field = (name: string): NativeTarget => ({ kind: 'field', field: name });
const cmp = (op: CompareOp, target: NativeTarget, value: string | number | boolean, type: FieldType = 'string', caseExact = false): NativeFilter => ({
  op,
  target,
  value,
  type,
  caseExact,
});

const BJENSEN: NativeRecord = {
  id: 'Id-1',
  fields: { uid: 'BJensen', mail: 'b@x.org', enabled: true, logins: 12, empty: '' },
  meta: { created: '2024-01-01T00:00:00Z', lastModified: '2024-06-01T12:00:00+02:00' },
};
const GROUP: NativeRecord = { id: 'g1', fields: { cn: 'Guides' }, members: [{ value: 'u1' }, { value: 'u2', type: 'User' }] };
const EMPTY_GROUP: NativeRecord = { id: 'g2', fields: { cn: 'Nobody' }, members: [] };

const ev = (f: NativeFilter, r: NativeRecord = BJENSEN) => evaluateFilter(f, r);

describe('evaluateFilter: constants and logic', () => {
  it('evaluates true, false, and, or and not', () => {
    const yes = cmp('eq', field('uid'), 'bjensen');
    const no = cmp('eq', field('uid'), 'x');
    expect(ev({ op: 'true' })).toBe(true);
    expect(ev({ op: 'false' })).toBe(false);
    expect(ev({ op: 'and', filters: [yes, no] })).toBe(false);
    expect(ev({ op: 'and', filters: [yes, yes] })).toBe(true);
    expect(ev({ op: 'or', filters: [no, yes] })).toBe(true);
    expect(ev({ op: 'or', filters: [no, no] })).toBe(false);
    expect(ev({ op: 'not', filter: no })).toBe(true);
  });
});

describe('evaluateFilter: fields', () => {
  it('compares by the field\'s caseExact', () => {
    expect(ev(cmp('eq', field('uid'), 'bjensen'))).toBe(true);
    expect(ev(cmp('eq', field('uid'), 'bjensen', 'string', true))).toBe(false);
    expect(ev(cmp('sw', field('mail'), 'B@'))).toBe(true);
  });

  it('compares numbers numerically and booleans as booleans', () => {
    expect(ev(cmp('gt', field('logins'), 9, 'integer'))).toBe(true);
    expect(ev(cmp('lt', field('logins'), 100, 'integer'))).toBe(true);
    expect(ev(cmp('eq', field('enabled'), true, 'boolean'))).toBe(true);
    expect(ev(cmp('ne', field('enabled'), true, 'boolean'))).toBe(false);
  });

  it('treats a missing field and an empty string as absent for pr', () => {
    expect(ev({ op: 'pr', target: field('uid') })).toBe(true);
    expect(ev({ op: 'pr', target: field('nickName') })).toBe(false);
    expect(ev({ op: 'pr', target: field('empty') })).toBe(false);
  });

  it('lets only ne hold for an absent field', () => {
    for (const f of ['nickName', 'empty']) {
      expect(ev(cmp('ne', field(f), 'x'))).toBe(true);
      for (const op of ['eq', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const) expect(ev(cmp(op, field(f), 'x'))).toBe(false);
    }
  });

  it('does not read inherited properties as fields', () => {
    const r: NativeRecord = { id: 'x', fields: Object.create({ uid: 'ghost' }) as Record<string, string> };
    expect(ev({ op: 'pr', target: field('uid') }, r)).toBe(false);
    expect(ev({ op: 'pr', target: field('constructor') }, r)).toBe(false);
  });
});

describe('evaluateFilter: id, meta and members', () => {
  it('compares the id case-exactly when asked', () => {
    expect(ev(cmp('eq', { kind: 'id' }, 'Id-1', 'string', true))).toBe(true);
    expect(ev(cmp('eq', { kind: 'id' }, 'id-1', 'string', true))).toBe(false);
  });

  it('compares meta dates as instants', () => {
    expect(ev(cmp('eq', { kind: 'meta', name: 'lastModified' }, '2024-06-01T10:00:00Z', 'dateTime'))).toBe(true);
    expect(ev(cmp('gt', { kind: 'meta', name: 'created' }, '2023-12-31T23:00:00Z', 'dateTime'))).toBe(true);
  });

  it('treats missing meta as absent', () => {
    expect(ev({ op: 'pr', target: { kind: 'meta', name: 'created' } }, GROUP)).toBe(false);
    expect(ev(cmp('ne', { kind: 'meta', name: 'created' }, '2024-01-01T00:00:00Z', 'dateTime'), GROUP)).toBe(true);
  });

  it('matches a group when any member matches', () => {
    expect(ev(cmp('eq', { kind: 'member' }, 'u2', 'string', true), GROUP)).toBe(true);
    expect(ev(cmp('eq', { kind: 'member' }, 'U2', 'string', true), GROUP)).toBe(false);
    expect(ev({ op: 'pr', target: { kind: 'member' } }, GROUP)).toBe(true);
  });

  it('treats a group without members, or whose members were not read, as having none', () => {
    expect(ev({ op: 'pr', target: { kind: 'member' } }, EMPTY_GROUP)).toBe(false);
    expect(ev({ op: 'pr', target: { kind: 'member' } }, { id: 'g', fields: {} })).toBe(false);
    expect(ev(cmp('ne', { kind: 'member' }, 'u1', 'string', true), EMPTY_GROUP)).toBe(true);
  });
});

describe('compareRecords', () => {
  const rec = (id: string, fields: NativeRecord['fields']): NativeRecord => ({ id, fields });
  const sort = (target: NativeTarget, o: Partial<NativeSort> = {}): NativeSort => ({ target, descending: false, type: 'string', caseExact: false, ...o });
  const order = (records: NativeRecord[], s: NativeSort) => [...records].sort((a, b) => compareRecords(a, b, s)).map((r) => r.id);

  const people = [rec('c', { n: 'carol' }), rec('none', {}), rec('a', { n: 'Alice' }), rec('blank', { n: '' }), rec('b', { n: 'bob' })];

  it('orders strings ignoring case unless caseExact, with records lacking the field last', () => {
    expect(order(people, sort(field('n')))).toEqual(['a', 'b', 'c', 'none', 'blank']);
    expect(order(people, sort(field('n'), { caseExact: true }))).toEqual(['a', 'b', 'c', 'none', 'blank']);
    expect(order([rec('x', { n: 'b' }), rec('y', { n: 'B' }), rec('z', { n: 'a' })], sort(field('n'), { caseExact: true }))).toEqual(['y', 'z', 'x']);
  });

  it('puts records lacking the field last when descending too', () => {
    expect(order(people, sort(field('n'), { descending: true }))).toEqual(['c', 'b', 'a', 'none', 'blank']);
  });

  it('orders numbers numerically and booleans false first', () => {
    expect(order([rec('x', { k: 10 }), rec('y', { k: 9 }), rec('z', { k: -1 })], sort(field('k'), { type: 'integer' }))).toEqual(['z', 'y', 'x']);
    expect(order([rec('t', { k: true }), rec('f', { k: false })], sort(field('k'), { type: 'boolean' }))).toEqual(['f', 't']);
  });

  it('orders by id and by meta', () => {
    expect(order([rec('b', {}), rec('a', {})], sort({ kind: 'id' }, { caseExact: true }))).toEqual(['a', 'b']);
    const m = (id: string, created?: string): NativeRecord => ({ id, fields: {}, ...(created ? { meta: { created } } : {}) });
    expect(order([m('new', '2024-02-01T00:00:00Z'), m('none'), m('old', '2023-01-01T00:00:00Z')], sort({ kind: 'meta', name: 'created' }, { type: 'dateTime' }))).toEqual([
      'old',
      'new',
      'none',
    ]);
  });

  it('answers 0 for equal values and for two records both lacking the field', () => {
    expect(compareRecords(rec('x', { n: 'A' }), rec('y', { n: 'a' }), sort(field('n')))).toBe(0);
    expect(compareRecords(rec('x', {}), rec('y', {}), sort(field('n'), { descending: true }))).toBe(0);
  });
});
