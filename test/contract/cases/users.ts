/** Users: create/get round trips, uniqueness, lookups, modify and delete. */
import { expect } from 'vitest';
import type { NativeRecord } from '../../../connectors/types.js';
import { cmp, expectConnectorError, sorted, unknownId, type CaseContext, type ContractCase } from './context.js';

function expectValidTime(value: string | undefined, what: string): number {
  expect(value, `${what} is missing`).toEqual(expect.any(String));
  const t = Date.parse(value ?? '');
  expect(Number.isNaN(t), `${what} ${JSON.stringify(value)} is not a timestamp`).toBe(false);
  return t;
}

/** A user with every contract attribute set; the manager points at another user. */
async function fullUser(t: CaseContext, userName = 'jdoe') {
  const boss = await t.createUser({ userName: `${userName}-boss` });
  return t.user({
    userName,
    externalId: `EXT-${userName}`,
    active: true,
    displayName: 'John Doe',
    givenName: 'John',
    familyName: 'Doe',
    workEmail: `${userName}@example.com`,
    title: 'Engineer',
    department: 'R&D',
    manager: boss.id,
  });
}

export const userCases: ContractCase[] = [
  {
    name: 'users: create then get round-trips every mapped field with its type',
    async run(t) {
      const fields = await fullUser(t);
      const created = await t.users.create({ fields }, t.ctx);
      expect(created.id).toEqual(expect.any(String));
      expect(created.id.length).toBeGreaterThan(0);
      expect(created.fields).toEqual(fields);
      const got = await t.getUser(created.id);
      expect(got?.id).toBe(created.id);
      expect(got?.fields).toEqual(fields);
      expect(got).not.toHaveProperty('members');
      for (const spec of t.f.mapped.user) {
        const v = got?.fields[spec.field];
        expect(typeof v, `${spec.scimPath} (field ${spec.field})`).toBe(spec.type === 'boolean' ? 'boolean' : 'string');
      }
      // false is a value, not an absence; unset attributes are absent, not "" or null.
      const minimal = await t.createUser({ userName: 'jane', active: false, displayName: 'Jane' });
      const jane = await t.getUser(minimal.id);
      expect(jane?.fields).toEqual(t.user({ userName: 'jane', active: false, displayName: 'Jane' }));
      expect(t.userValue(jane!, 'active')).toBe(false);
    },
  },
  {
    name: 'users: create and get carry meta.created and meta.lastModified',
    async run(t) {
      const before = Date.now() - 60_000;
      const created = await t.createUser({ userName: 'jdoe' });
      const got = await t.getUser(created.id);
      for (const [what, r] of [['create', created], ['get', got]] as const) {
        expect(r?.meta, `${what}: meta`).toBeDefined();
        const c = expectValidTime(r?.meta?.created, `${what}: meta.created`);
        const m = expectValidTime(r?.meta?.lastModified, `${what}: meta.lastModified`);
        expect(c).toBeGreaterThan(before);
        expect(m).toBeGreaterThanOrEqual(c);
        if (r?.meta?.version !== undefined) expect(r.meta.version.length).toBeGreaterThan(0);
      }
      expect(got?.meta?.created).toBe(created.meta?.created);
    },
  },
  {
    name: 'users: a taken userName is a conflict, also when only the case differs',
    async run(t) {
      await t.createUser({ userName: 'jdoe', title: 'first' });
      await expectConnectorError(t.createUser({ userName: 'jdoe' }), 'conflict');
      await expectConnectorError(t.createUser({ userName: 'JDoe', title: 'second' }), 'conflict');
      const all = await t.listUsers();
      expect(all.map((r) => t.userValue(r, 'userName'))).toEqual(['jdoe']);
      expect(t.userValue(all[0]!, 'title')).toBe('first');
    },
  },
  {
    name: 'users: get of an unknown id is undefined',
    async run(t) {
      await t.createUser({ userName: 'jdoe' });
      expect(await t.getUser(unknownId())).toBeUndefined();
      expect(await t.getUser('no-such-user')).toBeUndefined();
    },
  },
  {
    name: 'users: list by userName eq ignores case and finds exactly one',
    needs: ['eq'],
    async run(t) {
      const jdoe = await t.createUser({ userName: 'jdoe' });
      for (const other of ['jdoe2', 'xjdoe', 'j.doe', 'jdo']) await t.createUser({ userName: other });
      expect(t.f.user.userName.caseExact).toBe(false);
      for (const q of ['jdoe', 'JDOE', 'jDoE']) {
        const hits = await t.listUsers(cmp('eq', t.f.user.userName, q));
        expect(hits.map((r) => r.id), q).toEqual([jdoe.id]);
        expect(hits[0]?.fields).toEqual(t.user({ userName: 'jdoe' }));
      }
      expect(await t.listUsers(cmp('eq', t.f.user.userName, 'nobody'))).toEqual([]);
    },
  },
  {
    name: 'users: list by externalId eq finds every user carrying it',
    needs: ['eq'],
    async run(t) {
      const a = await t.createUser({ userName: 'a', externalId: 'Ext-1' });
      const b = await t.createUser({ userName: 'b', externalId: 'Ext-1' });
      await t.createUser({ userName: 'c', externalId: 'Ext-2' });
      await t.createUser({ userName: 'd' });
      const spec = t.f.user.externalId;
      const ids = async (v: string) => sorted((await t.listUsers(cmp('eq', spec, v))).map((r) => r.id));
      expect(await ids('Ext-1')).toEqual(sorted([a.id, b.id]));
      // The core's schema decides whether externalId compares case-exactly; the connector follows the filter.
      expect(await ids('EXT-1')).toEqual(spec.caseExact ? [] : sorted([a.id, b.id]));
      expect(await ids('Ext-3')).toEqual([]);
    },
  },
  {
    name: 'users: modify sets and unsets fields, atomically, and returns the record after the change',
    async run(t) {
      const u = await t.users.create({ fields: await fullUser(t) }, t.ctx);
      const after = await t.users.modify(
        u.id,
        {
          fields: [
            { op: 'set', field: t.f.user.title.field, value: 'Lead' },
            { op: 'set', field: t.f.user.active.field, value: false },
            { op: 'set', field: t.f.user.workEmail.field, value: 'new@example.com' },
            { op: 'unset', field: t.f.user.displayName.field },
            { op: 'unset', field: t.f.user.department.field },
            { op: 'unset', field: t.f.user.externalId.field },
          ],
        },
        t.ctx,
      );
      const expected = { ...u.fields, ...t.user({ title: 'Lead', active: false, workEmail: 'new@example.com' }) };
      for (const attr of ['displayName', 'department', 'externalId'] as const) delete expected[t.f.user[attr].field];
      expect(after.id).toBe(u.id);
      expect(after.fields).toEqual(expected);
      expect(after).not.toHaveProperty('members');
      const got = await t.getUser(u.id);
      expect(got?.fields).toEqual(expected);
      expect(got?.fields).not.toHaveProperty([t.f.user.displayName.field]);
      // Setting a field that was never set, and unsetting one that is absent, both work.
      await t.users.modify(u.id, { fields: [{ op: 'set', field: t.f.user.displayName.field, value: 'Back' }, { op: 'unset', field: t.f.user.department.field }] }, t.ctx);
      expect(t.userValue((await t.getUser(u.id))!, 'displayName')).toBe('Back');
      // No changes: the record stays as it is.
      const same = await t.users.modify(u.id, { fields: [] }, t.ctx);
      expect(same.fields).toEqual((await t.getUser(u.id))?.fields);
    },
  },
  {
    name: 'users: modify to a userName taken by another user is a conflict and changes nothing',
    async run(t) {
      await t.createUser({ userName: 'alice' });
      const bob = await t.createUser({ userName: 'bob', title: 'x' });
      const change = (userName: string) => ({
        fields: [
          { op: 'set' as const, field: t.f.user.title.field, value: 'changed' },
          { op: 'set' as const, field: t.f.user.userName.field, value: userName },
        ],
      });
      await expectConnectorError(t.users.modify(bob.id, change('alice'), t.ctx), 'conflict');
      await expectConnectorError(t.users.modify(bob.id, change('ALICE'), t.ctx), 'conflict');
      expect((await t.getUser(bob.id))?.fields).toEqual(t.user({ userName: 'bob', title: 'x' }));
      // Renaming to one's own name in another case is no conflict; the old spelling stays taken.
      await t.users.modify(bob.id, { fields: [{ op: 'set', field: t.f.user.userName.field, value: 'BOB' }] }, t.ctx);
      expect(t.userValue((await t.getUser(bob.id))!, 'userName')).toBe('BOB');
      await expectConnectorError(t.createUser({ userName: 'bob' }), 'conflict');
      // A real rename frees the old name.
      await t.users.modify(bob.id, { fields: [{ op: 'set', field: t.f.user.userName.field, value: 'robert' }] }, t.ctx);
      const newBob = await t.createUser({ userName: 'bob' });
      expect(newBob.id).not.toBe(bob.id);
    },
  },
  {
    name: 'users: modify of an unknown id is not-found',
    async run(t) {
      await t.createUser({ userName: 'jdoe' });
      await expectConnectorError(t.users.modify(unknownId(), { fields: [{ op: 'set', field: t.f.user.title.field, value: 'x' }] }, t.ctx), 'not-found');
      await expectConnectorError(t.users.modify(unknownId(), { fields: [] }, t.ctx), 'not-found');
    },
  },
  {
    name: 'users: delete removes the user from get and list, and frees its userName',
    async run(t) {
      const u = await t.createUser({ userName: 'jdoe' });
      const keep = await t.createUser({ userName: 'keep' });
      await t.users.delete(u.id, t.ctx);
      expect(await t.getUser(u.id)).toBeUndefined();
      expect((await t.listUsers()).map((r: NativeRecord) => r.id)).toEqual([keep.id]);
      const again = await t.createUser({ userName: 'JDOE' });
      expect(again.id).not.toBe(u.id);
    },
  },
  {
    name: 'users: a second delete of the same user is not-found, as is deleting an unknown id',
    async run(t) {
      const u = await t.createUser({ userName: 'jdoe' });
      await t.users.delete(u.id, t.ctx);
      await expectConnectorError(t.users.delete(u.id, t.ctx), 'not-found');
      await expectConnectorError(t.users.delete(unknownId(), t.ctx), 'not-found');
    },
  },
];
