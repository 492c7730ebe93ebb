/**
 * Errors (every failure is a ConnectorError) and concurrency: calls the connector receives at the same
 * time must not lose writes or let a unique name be taken twice.
 */
import { expect } from 'vitest';
import { ConnectorError, type ConnectorErrorKind, type NativeRecord } from '../../../connectors/types.js';
import { cmp, expectConnectorError, sorted, unknownId, type CaseContext, type ContractCase } from './context.js';

async function createUsers(t: CaseContext, count: number, prefix: string, batch = 50): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const made = await Promise.all(Array.from({ length: n }, (_, k) => t.createUser({ userName: `${prefix}${i + k}` })));
    ids.push(...made.map((r) => r.id));
  }
  return ids;
}

export const errorCases: ContractCase[] = [
  {
    name: 'errors: every failure is a ConnectorError with its kind and a message',
    async run(t) {
      const u = await t.createUser({ userName: 'jdoe' });
      const cases: [string, ConnectorErrorKind, () => Promise<unknown>][] = [
        ['create a taken userName', 'conflict', () => t.createUser({ userName: 'jdoe' })],
        ['modify an unknown user', 'not-found', () => t.users.modify(unknownId(), { fields: [] }, t.ctx)],
        ['delete an unknown user', 'not-found', () => t.users.delete(unknownId(), t.ctx)],
      ];
      if (t.connector.capabilities.groups && t.connector.groups) {
        const g = await t.createGroup({ displayName: 'G' }, [u.id]);
        cases.push(
          ['add a member that does not exist', 'invalid', () => t.groups.modify(g.id, { fields: [], addMembers: [unknownId()] }, t.ctx)],
          ['modify an unknown group', 'not-found', () => t.groups.modify(unknownId(), { fields: [] }, t.ctx)],
          ['delete an unknown group', 'not-found', () => t.groups.delete(unknownId(), t.ctx)],
        );
      }
      for (const [what, kind, call] of cases) {
        const err = await expectConnectorError(call(), kind);
        expect(err, what).toBeInstanceOf(ConnectorError);
        expect(err.name).toBe('ConnectorError');
      }
    },
  },
];

export const concurrencyCases: ContractCase[] = [
  {
    name: 'concurrency: 200 concurrent addMembers of distinct users to one group all land',
    needs: ['groups'],
    timeoutMs: 120_000,
    async run(t) {
      const ids = await createUsers(t, 200, 'member');
      const g = await t.createGroup({ displayName: 'Everyone' });
      const results = await Promise.allSettled(ids.map((id) => t.groups.modify(g.id, { fields: [], addMembers: [id] }, t.ctx)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const got = await t.getGroup(g.id, true);
      const members = (got?.members ?? []).map((m) => m.value);
      expect(members.length).toBe(200);
      expect(sorted(members)).toEqual(sorted(ids));
    },
  },
  {
    name: 'concurrency: 50 concurrent creates with distinct userNames all succeed',
    timeoutMs: 60_000,
    async run(t) {
      const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => t.createUser({ userName: `parallel${i}` })));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const ids = (results as PromiseFulfilledResult<NativeRecord>[]).map((r) => r.value.id);
      expect(new Set(ids).size).toBe(50);
      const listed = await t.listUsers();
      expect(sorted(listed.map((r) => r.id))).toEqual(sorted(ids));
    },
  },
  {
    name: 'concurrency: 20 concurrent creates of the same userName: exactly one succeeds, the rest conflict',
    needs: ['eq'],
    timeoutMs: 60_000,
    async run(t) {
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => t.createUser({ userName: 'contended', title: `attempt ${i}` })));
      const won = results.filter((r): r is PromiseFulfilledResult<NativeRecord> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won.length).toBe(1);
      for (const r of lost) {
        expect(r.reason).toBeInstanceOf(ConnectorError);
        expect((r.reason as ConnectorError).kind).toBe('conflict');
      }
      const found = await t.listUsers(cmp('eq', t.f.user.userName, 'contended'));
      expect(found.map((r) => r.id)).toEqual([won[0]!.value.id]);
      expect(found[0]?.fields).toEqual(won[0]!.value.fields);
      expect((await t.listUsers()).length).toBe(1);
    },
  },
];
