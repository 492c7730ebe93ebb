/**
 * Filters: every compare operator, `pr`, and/or/not and the id target, built as NativeFilters the way the
 * core translates SCIM filters. Expected results follow the SCIM rules the core uses (RFC 7644 §3.4.2.2):
 * strings compare by the field's caseExact; an absent value matches nothing except `ne`.
 */
import { expect } from 'vitest';
import type { CompareOp, NativeFilter } from '../../../connectors/types.js';
import { and, cmp, idIs, metaIs, not, or, present, sorted, type CaseContext, type ContractCase } from './context.js';

/** Five users; titles in mixed case compare case-insensitively as: senior engineer, manager, director, (none), engineer. */
async function people(t: CaseContext): Promise<Record<string, string>> {
  const rows = [
    { userName: 'alice', title: 'Senior Engineer', active: true, department: 'R&D' },
    { userName: 'bob', title: 'manager', active: false, department: 'Sales' },
    { userName: 'carol', title: 'Director', active: true },
    { userName: 'dave', active: true, department: 'Sales' },
    { userName: 'erin', title: 'ENGINEER', active: false },
  ];
  const ids: Record<string, string> = {};
  for (const row of rows) ids[row.userName] = (await t.createUser(row)).id;
  return ids;
}

const opCase = (op: CompareOp, value: string, expected: string[], note = ''): ContractCase => ({
  name: `filters: ${op} on a string field${note}`,
  needs: [op],
  async run(t) {
    await people(t);
    expect(t.f.user.title.caseExact).toBe(false);
    expect(await t.userNamesMatching(cmp(op, t.f.user.title, value))).toEqual(expected);
  },
});

export const filterCases: ContractCase[] = [
  opCase('eq', 'engineer', ['erin'], ', ignoring case'),
  opCase('ne', 'Engineer', ['alice', 'bob', 'carol', 'dave'], ' (a user without the value is not equal)'),
  opCase('co', 'ENGIN', ['alice', 'erin']),
  opCase('sw', 'Man', ['bob']),
  opCase('ew', 'OR', ['carol']),
  opCase('gt', 'Engineer', ['alice', 'bob']),
  opCase('ge', 'engineer', ['alice', 'bob', 'erin']),
  opCase('lt', 'Engineer', ['carol']),
  opCase('le', 'engineer', ['carol', 'erin']),
  {
    name: 'filters: pr finds the users that have a value',
    needs: ['pr'],
    async run(t) {
      await people(t);
      expect(await t.userNamesMatching(present(t.f.user.title))).toEqual(['alice', 'bob', 'carol', 'erin']);
      expect(await t.userNamesMatching(present(t.f.user.givenName))).toEqual([]);
    },
  },
  {
    name: 'filters: eq and ne on a boolean field',
    needs: ['eq', 'ne'],
    async run(t) {
      await people(t);
      const active = t.f.user.active;
      expect(active.type).toBe('boolean');
      expect(await t.userNamesMatching(cmp('eq', active, true))).toEqual(['alice', 'carol', 'dave']);
      expect(await t.userNamesMatching(cmp('eq', active, false))).toEqual(['bob', 'erin']);
      expect(await t.userNamesMatching(cmp('ne', active, true))).toEqual(['bob', 'erin']);
    },
  },
  {
    name: 'filters: and',
    needs: ['and', 'eq', 'pr'],
    async run(t) {
      await people(t);
      const f = t.f.user;
      expect(await t.userNamesMatching(and(cmp('eq', f.active, true), present(f.title)))).toEqual(['alice', 'carol']);
      expect(await t.userNamesMatching(and(cmp('eq', f.userName, 'alice'), cmp('eq', f.active, false)))).toEqual([]);
    },
  },
  {
    name: 'filters: or',
    needs: ['or', 'eq', 'sw'],
    async run(t) {
      await people(t);
      const f = t.f.user;
      expect(await t.userNamesMatching(or(cmp('eq', f.department, 'sales'), cmp('sw', f.title, 'dir')))).toEqual(['bob', 'carol', 'dave']);
      expect(await t.userNamesMatching(or(cmp('eq', f.userName, 'alice'), cmp('eq', f.userName, 'ERIN')))).toEqual(['alice', 'erin']);
    },
  },
  {
    name: 'filters: not',
    needs: ['not', 'eq', 'pr'],
    async run(t) {
      await people(t);
      const f = t.f.user;
      expect(await t.userNamesMatching(not(present(f.title)))).toEqual(['dave']);
      // Users without a department are "not (department eq Sales)" too.
      expect(await t.userNamesMatching(not(cmp('eq', f.department, 'Sales')))).toEqual(['alice', 'carol', 'erin']);
    },
  },
  {
    name: 'filters: nested and/or/not',
    needs: ['and', 'or', 'not', 'eq', 'co'],
    async run(t) {
      await people(t);
      const f = t.f.user;
      const filter: NativeFilter = and(or(cmp('co', f.title, 'engineer'), cmp('eq', f.department, 'sales')), not(cmp('eq', f.active, false)));
      expect(await t.userNamesMatching(filter)).toEqual(['alice', 'dave']);
    },
  },
  {
    name: 'filters: meta.created and meta.lastModified targets compare as times',
    needs: ['gt', 'lt', 'pr'],
    async run(t) {
      await people(t);
      // Stores keep these timestamps at different precisions (LDAP: seconds), so compare an hour away.
      const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      const everyone = ['alice', 'bob', 'carol', 'dave', 'erin'];
      for (const name of ['created', 'lastModified'] as const) {
        const at = (op: 'gt' | 'lt', value: string): NativeFilter => metaIs(op, name, value);
        expect(await t.userNamesMatching(at('gt', hourAgo)), `meta.${name} gt an hour ago`).toEqual(everyone);
        expect(await t.userNamesMatching(at('lt', hourAgo)), `meta.${name} lt an hour ago`).toEqual([]);
        expect(await t.userNamesMatching(at('lt', inAnHour)), `meta.${name} lt in an hour`).toEqual(everyone);
        expect(await t.userNamesMatching({ op: 'pr', target: { kind: 'meta', name } }), `meta.${name} pr`).toEqual(everyone);
      }
    },
  },
  {
    name: 'filters: the constant filters true and false',
    async run(t) {
      await people(t);
      expect(await t.userNamesMatching({ op: 'true' })).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
      expect(await t.userNamesMatching({ op: 'false' })).toEqual([]);
    },
  },
  {
    name: 'filters: the id target (eq, ne, or of two ids)',
    needs: ['eq', 'ne', 'or'],
    async run(t) {
      const ids = await people(t);
      const alice = ids['alice']!;
      const bob = ids['bob']!;
      expect(await t.userNamesMatching(idIs('eq', alice))).toEqual(['alice']);
      expect(await t.userNamesMatching(idIs('ne', alice))).toEqual(['bob', 'carol', 'dave', 'erin']);
      expect(await t.userNamesMatching(or(idIs('eq', alice), idIs('eq', bob)))).toEqual(['alice', 'bob']);
      expect(await t.userNamesMatching(idIs('eq', `${alice}x`))).toEqual([]);
      expect(sorted(Object.keys(ids))).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    },
  },
];
