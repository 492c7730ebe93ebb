/** Paging (1-based startIndex, count, totalResults) and sorting. */
import { expect } from 'vitest';
import type { NativeFilter, NativeQuery, NativeRecord } from '../../../connectors/types.js';
import { cmp, sortBy, type CaseContext, type ContractCase } from './context.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** user01 … user25, created in a shuffled order; odd numbers have the title "odd". */
async function twentyFive(t: CaseContext): Promise<Map<string, string>> {
  const order = [17, 3, 25, 9, 1, 22, 14, 6, 11, 19, 2, 24, 8, 13, 5, 21, 16, 10, 4, 23, 12, 7, 18, 15, 20];
  const ids = new Map<string, string>();
  for (const n of order) {
    const r = await t.createUser({ userName: `user${pad(n)}`, ...(n % 2 === 1 ? { title: 'odd' } : {}) });
    ids.set(`user${pad(n)}`, r.id);
  }
  return ids;
}

function query(startIndex: number, count: number, extra: Partial<NativeQuery> = {}): NativeQuery {
  return { startIndex, count, withMembers: false, ...extra };
}

async function pages(t: CaseContext, size: number, total: number, extra: Partial<NativeQuery> = {}): Promise<NativeRecord[]> {
  const out: NativeRecord[] = [];
  for (let start = 1; start <= total; start += size) {
    const page = await t.users.list(query(start, size, extra), t.ctx);
    expect(page.totalResults).toBe(total);
    expect(page.records.length, `page at startIndex ${start}`).toBe(Math.min(size, total - start + 1));
    out.push(...page.records);
  }
  return out;
}

const names = (t: CaseContext, records: readonly NativeRecord[]): string[] => records.map((r) => String(t.userValue(r, 'userName')));

export const pagingCases: ContractCase[] = [
  {
    name: 'paging: startIndex and count walk 25 users without gaps or repeats',
    async run(t) {
      const ids = await twentyFive(t);
      const size = Math.min(10, t.pageSize);
      const seen = await pages(t, size, 25);
      expect(new Set(seen.map((r) => r.id)).size).toBe(25);
      expect(new Set(seen.map((r) => r.id))).toEqual(new Set(ids.values()));
      // Past the end: no records, the same total.
      const beyond = await t.users.list(query(26, size), t.ctx);
      expect(beyond).toEqual({ totalResults: 25, records: [] });
      const far = await t.users.list(query(1000, size), t.ctx);
      expect(far).toEqual({ totalResults: 25, records: [] });
      // count 0 asks for the total only.
      expect(await t.users.list(query(1, 0), t.ctx)).toEqual({ totalResults: 25, records: [] });
      // A page that runs over the end is short.
      const last = await t.users.list(query(24, size), t.ctx);
      expect(last.records.length).toBe(2);
    },
  },
  {
    name: 'paging: a filtered list counts and pages over the matches only',
    needs: ['eq'],
    async run(t) {
      await twentyFive(t);
      const filter: NativeFilter = cmp('eq', t.f.user.title, 'odd');
      const size = Math.min(5, t.pageSize);
      const seen = await pages(t, size, 13, { filter });
      expect(new Set(names(t, seen))).toEqual(new Set(Array.from({ length: 13 }, (_, i) => `user${pad(2 * i + 1)}`)));
      expect(await t.users.list(query(1, 0, { filter }), t.ctx)).toEqual({ totalResults: 13, records: [] });
      expect(await t.users.list(query(14, size, { filter }), t.ctx)).toEqual({ totalResults: 13, records: [] });
    },
  },
  {
    name: 'sort: by userName ascending and descending, ignoring case',
    needs: ['sort'],
    async run(t) {
      for (const userName of ['bob', 'Alice', 'carol', 'Dave', 'aaron']) await t.createUser({ userName });
      const asc = await t.listUsers(undefined, { sort: sortBy(t.f.user.userName) });
      expect(names(t, asc)).toEqual(['aaron', 'Alice', 'bob', 'carol', 'Dave']);
      const desc = await t.listUsers(undefined, { sort: sortBy(t.f.user.userName, true) });
      expect(names(t, desc)).toEqual(['Dave', 'carol', 'bob', 'Alice', 'aaron']);
    },
  },
  {
    name: 'sort: users without the sort attribute come last in both directions',
    needs: ['sort'],
    async run(t) {
      await t.createUser({ userName: 'none1' });
      await t.createUser({ userName: 'b', title: 'Beta' });
      await t.createUser({ userName: 'a', title: 'alpha' });
      await t.createUser({ userName: 'c', title: 'gamma' });
      const asc = names(t, await t.listUsers(undefined, { sort: sortBy(t.f.user.title) }));
      expect(asc).toEqual(['a', 'b', 'c', 'none1']);
      const desc = names(t, await t.listUsers(undefined, { sort: sortBy(t.f.user.title, true) }));
      expect(desc).toEqual(['c', 'b', 'a', 'none1']);
    },
  },
  {
    name: 'sort: sorted pages concatenate to the sorted list, with a filter too',
    needs: ['sort', 'eq'],
    async run(t) {
      await twentyFive(t);
      const size = Math.min(10, t.pageSize);
      const all = names(t, await pages(t, size, 25, { sort: sortBy(t.f.user.userName) }));
      expect(all).toEqual(Array.from({ length: 25 }, (_, i) => `user${pad(i + 1)}`));
      const filter = cmp('eq', t.f.user.title, 'odd');
      const desc = names(t, await pages(t, Math.min(4, t.pageSize), 13, { sort: sortBy(t.f.user.userName, true), filter }));
      expect(desc).toEqual(Array.from({ length: 13 }, (_, i) => `user${pad(25 - 2 * i)}`));
    },
  },
];
