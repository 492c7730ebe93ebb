/** Groups and their members (every case needs capabilities.groups). */
import { expect } from 'vitest';
import type { NativeRecord } from '../../../connectors/types.js';
import { cmp, expectConnectorError, hasMember, sorted, unknownId, type CaseContext, type ContractCase } from './context.js';

async function users(t: CaseContext, ...userNames: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const userName of userNames) ids.push((await t.createUser({ userName })).id);
  return ids;
}

/** Member ids of a group as get({ withMembers: true }) returns them, sorted; each must be a User. */
async function memberIds(t: CaseContext, groupId: string): Promise<string[]> {
  const g = await t.getGroup(groupId, true);
  expect(g, `group ${groupId}`).toBeDefined();
  expect(g?.members, 'get({ withMembers: true }) must return members, [] when empty').toBeDefined();
  for (const m of g?.members ?? []) if (m.type !== undefined) expect(m.type).toBe('User');
  return sorted((g?.members ?? []).map((m) => m.value));
}

const G: ContractCase['needs'] = ['groups'];

export const groupCases: ContractCase[] = [
  {
    name: 'groups: create with members; get lists them only when asked',
    needs: G,
    async run(t) {
      const [u1, u2] = await users(t, 'u1', 'u2', 'u3');
      const fields = t.group({ displayName: 'Engineering', externalId: 'grp-ext-1' });
      const g = await t.groups.create({ fields, members: [u1!, u2!] }, t.ctx);
      expect(g.id).toEqual(expect.any(String));
      expect(g.fields).toEqual(fields);
      const withMembers = await t.getGroup(g.id, true);
      expect(withMembers?.fields).toEqual(fields);
      expect(await memberIds(t, g.id)).toEqual(sorted([u1!, u2!]));
      const without = await t.getGroup(g.id, false);
      expect(without?.fields).toEqual(fields);
      expect(without).not.toHaveProperty('members');
      const empty = await t.createGroup({ displayName: 'Empty' });
      expect(await memberIds(t, empty.id)).toEqual([]);
      expect(await t.getGroup(unknownId())).toBeUndefined();
    },
  },
  {
    name: 'groups: adding a member twice keeps it once',
    needs: G,
    async run(t) {
      const [u1, u2] = await users(t, 'u1', 'u2');
      const g = await t.createGroup({ displayName: 'G' }, [u1!]);
      await t.groups.modify(g.id, { fields: [], addMembers: [u2!] }, t.ctx);
      await t.groups.modify(g.id, { fields: [], addMembers: [u2!] }, t.ctx);
      await t.groups.modify(g.id, { fields: [], addMembers: [u1!, u2!, u2!] }, t.ctx);
      const members = await memberIds(t, g.id);
      expect(members).toEqual(sorted([u1!, u2!]));
      const dup = await t.createGroup({ displayName: 'Dup' }, [u1!, u1!]);
      expect(await memberIds(t, dup.id)).toEqual([u1]);
    },
  },
  {
    name: 'groups: removing a member that is not in the group succeeds',
    needs: G,
    async run(t) {
      const [u1, u2] = await users(t, 'u1', 'u2');
      const g = await t.createGroup({ displayName: 'G' }, [u1!]);
      await t.groups.modify(g.id, { fields: [], removeMembers: [u2!] }, t.ctx);
      await t.groups.modify(g.id, { fields: [], removeMembers: [unknownId()] }, t.ctx);
      expect(await memberIds(t, g.id)).toEqual([u1]);
      await t.groups.modify(g.id, { fields: [], removeMembers: [u1!] }, t.ctx);
      await t.groups.modify(g.id, { fields: [], removeMembers: [u1!] }, t.ctx);
      expect(await memberIds(t, g.id)).toEqual([]);
    },
  },
  {
    name: 'groups: a member that does not exist is invalid, and nothing changes',
    needs: G,
    async run(t) {
      const [u1, u2] = await users(t, 'u1', 'u2');
      const g = await t.createGroup({ displayName: 'G' }, [u1!]);
      const ghost = unknownId();
      await expectConnectorError(t.groups.modify(g.id, { fields: [], addMembers: [u2!, ghost] }, t.ctx), 'invalid');
      await expectConnectorError(
        t.groups.modify(g.id, { fields: [{ op: 'set', field: t.f.group.displayName.field, value: 'Renamed' }], addMembers: [ghost] }, t.ctx),
        'invalid',
      );
      expect(await memberIds(t, g.id)).toEqual([u1]);
      expect(t.groupValue((await t.getGroup(g.id))!, 'displayName')).toBe('G');
      await expectConnectorError(t.groups.create({ fields: t.group({ displayName: 'Ghosts' }), members: [u1!, ghost] }, t.ctx), 'invalid');
      expect((await t.listGroups()).map((r) => t.groupValue(r, 'displayName'))).toEqual(['G']);
    },
  },
  {
    name: 'groups: modify sets fields and changes members in one call',
    needs: G,
    async run(t) {
      const [u1, u2, u3] = await users(t, 'u1', 'u2', 'u3');
      const g = await t.createGroup({ displayName: 'G', externalId: 'e1' }, [u1!, u2!]);
      const after = await t.groups.modify(
        g.id,
        { fields: [{ op: 'set', field: t.f.group.displayName.field, value: 'G2' }, { op: 'unset', field: t.f.group.externalId.field }], addMembers: [u3!], removeMembers: [u1!] },
        t.ctx,
      );
      expect(after.fields).toEqual(t.group({ displayName: 'G2' }));
      expect(after).not.toHaveProperty('members');
      expect((await t.getGroup(g.id))?.fields).toEqual(t.group({ displayName: 'G2' }));
      expect(await memberIds(t, g.id)).toEqual(sorted([u2!, u3!]));
      await expectConnectorError(t.groups.modify(unknownId(), { fields: [], addMembers: [u1!] }, t.ctx), 'not-found');
    },
  },
  {
    name: 'groups: list by member finds the groups holding it',
    needs: ['groups', 'eq'],
    async run(t) {
      const [u1, u2, u3] = await users(t, 'u1', 'u2', 'u3');
      const a = await t.createGroup({ displayName: 'A' }, [u1!, u2!]);
      const b = await t.createGroup({ displayName: 'B' }, [u1!]);
      await t.createGroup({ displayName: 'C' }, [u2!]);
      const ids = (rs: NativeRecord[]) => sorted(rs.map((r) => r.id));
      const found = await t.listGroups(hasMember(u1!));
      expect(ids(found)).toEqual(sorted([a.id, b.id]));
      for (const r of found) expect(r, 'withMembers: false').not.toHaveProperty('members');
      const full = await t.listGroups(hasMember(u1!), { withMembers: true });
      expect(ids(full)).toEqual(sorted([a.id, b.id]));
      for (const r of full) expect(r.members?.map((m) => m.value)).toContain(u1);
      expect(await t.listGroups(hasMember(u3!))).toEqual([]);
      expect(await t.listGroups(hasMember(unknownId()))).toEqual([]);
    },
  },
  {
    name: 'groups: list by displayName eq ignores case',
    needs: ['groups', 'eq'],
    async run(t) {
      const g = await t.createGroup({ displayName: 'Engineering' });
      await t.createGroup({ displayName: 'Engineering Managers' });
      await t.createGroup({ displayName: 'Eng' });
      for (const q of ['Engineering', 'engineering', 'ENGINEERING']) {
        expect((await t.listGroups(cmp('eq', t.f.group.displayName, q))).map((r) => r.id), q).toEqual([g.id]);
      }
      expect(await t.listGroups(cmp('eq', t.f.group.displayName, 'engineer'))).toEqual([]);
    },
  },
  {
    name: 'groups: a taken displayName is a conflict, on create and on modify',
    needs: G,
    async run(t) {
      await t.createGroup({ displayName: 'Admins' });
      const other = await t.createGroup({ displayName: 'Others' });
      await expectConnectorError(t.createGroup({ displayName: 'Admins' }), 'conflict');
      await expectConnectorError(t.createGroup({ displayName: 'ADMINS' }), 'conflict');
      await expectConnectorError(t.groups.modify(other.id, { fields: [{ op: 'set', field: t.f.group.displayName.field, value: 'admins' }] }, t.ctx), 'conflict');
      expect(t.groupValue((await t.getGroup(other.id))!, 'displayName')).toBe('Others');
      expect((await t.listGroups()).length).toBe(2);
    },
  },
  {
    name: 'groups: deleting a user removes it from every group',
    needs: G,
    async run(t) {
      const [u1, u2] = await users(t, 'u1', 'u2');
      const a = await t.createGroup({ displayName: 'A' }, [u1!, u2!]);
      const b = await t.createGroup({ displayName: 'B' }, [u1!]);
      await t.users.delete(u1!, t.ctx);
      expect(await memberIds(t, a.id)).toEqual([u2]);
      expect(await memberIds(t, b.id)).toEqual([]);
      const still = await t.listGroups(undefined, { withMembers: true });
      for (const g of still) expect(g.members?.map((m) => m.value) ?? []).not.toContain(u1);
      // A new user is not a ghost member, even if a store reuses ids.
      const u3 = (await t.createUser({ userName: 'u1' })).id;
      expect(await memberIds(t, b.id)).not.toContain(u3);
    },
  },
  {
    name: 'groups: delete removes the group, a second delete is not-found, its members remain',
    needs: G,
    async run(t) {
      const [u1] = await users(t, 'u1');
      const g = await t.createGroup({ displayName: 'G' }, [u1!]);
      const keep = await t.createGroup({ displayName: 'Keep' });
      await t.groups.delete(g.id, t.ctx);
      expect(await t.getGroup(g.id)).toBeUndefined();
      expect((await t.listGroups()).map((r) => r.id)).toEqual([keep.id]);
      expect(await t.getUser(u1!)).toBeDefined();
      await expectConnectorError(t.groups.delete(g.id, t.ctx), 'not-found');
      await expectConnectorError(t.groups.delete(unknownId(), t.ctx), 'not-found');
      // The name is free again.
      await t.createGroup({ displayName: 'g' });
    },
  },
];
