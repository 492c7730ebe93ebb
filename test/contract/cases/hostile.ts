/**
 * Hostile values: characters that mean something in LDAP filters and DNs (RFC 4515, RFC 4514), in query
 * strings and in JSON, stored and found literally and exactly: one result, the right one.
 */
import { expect } from 'vitest';
import { ConnectorError } from '../../../connectors/types.js';
import { cmp, type CaseContext, type ContractCase } from './context.js';

export const HOSTILE_USERNAMES = [
  'a*',
  'ab',
  '*',
  'x(y)',
  '(paren',
  'paren)',
  'back\\slash',
  '\\2a',
  '\\',
  'com,ma',
  'plus+sign',
  'quo"te',
  "apo'strophe",
  '#hash',
  '<angle>',
  'semi;colon',
  'equals=sign',
  'uid=admin,dc=example,dc=org',
  '  padded  ',
  'Zoë Ångström 東京',
  '*)(uid=*',
  ')(|(uid=*',
  'a&b|c!d',
  '%2a%00',
  'tab\there',
  '__proto__',
  'constructor',
  'toString',
] as const;

/**
 * The hostile names this backend stores; the ones it refuses (ContractOptions.refusedNames: PAN-OS has no
 * control characters in names) must be refused as 'invalid', never stored mangled or answered 5xx.
 */
async function storableNames(t: CaseContext): Promise<string[]> {
  const refused = new Set(t.f.refusedNames?.userNames ?? []);
  for (const userName of refused) {
    const err = await t.createUser({ userName, externalId: `ext:${userName}` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `${JSON.stringify(userName)} should be refused: ${t.f.refusedNames?.reason}`).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).kind, JSON.stringify(userName)).toBe('invalid');
  }
  return HOSTILE_USERNAMES.filter((u) => !refused.has(u));
}

async function createAll(t: CaseContext, userNames: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const userName of userNames) {
    const r = await t.createUser({ userName, externalId: `ext:${userName}`, displayName: userName });
    ids.set(userName, r.id);
  }
  return ids;
}

async function findOne(t: CaseContext, userName: string): Promise<string[]> {
  return (await t.listUsers(cmp('eq', t.f.user.userName, userName))).map((r) => r.id);
}

export const hostileCases: ContractCase[] = [
  {
    name: 'hostile: userNames with filter and DN metacharacters are stored and found literally',
    needs: ['eq'],
    timeoutMs: 60_000,
    async run(t) {
      const names = await storableNames(t);
      const ids = await createAll(t, names);
      for (const userName of names) {
        const id = ids.get(userName)!;
        const got = await t.getUser(id);
        expect(got?.fields, JSON.stringify(userName)).toEqual(t.user({ userName, externalId: `ext:${userName}`, displayName: userName }));
        expect(await findOne(t, userName), `userName eq ${JSON.stringify(userName)}`).toEqual([id]);
        const byExt = await t.listUsers(cmp('eq', t.f.user.externalId, `ext:${userName}`));
        expect(byExt.map((r) => r.id), `externalId eq ${JSON.stringify(`ext:${userName}`)}`).toEqual([id]);
      }
      expect((await t.listUsers()).length).toBe(names.length);
    },
  },
  {
    name: 'hostile: "a*" is matched literally and never matches "ab"',
    needs: ['eq'],
    async run(t) {
      const ids = await createAll(t, ['a*', 'ab', 'a', 'abc']);
      expect(await findOne(t, 'a*')).toEqual([ids.get('a*')]);
      expect(await findOne(t, 'ab')).toEqual([ids.get('ab')]);
      expect(await findOne(t, 'A*')).toEqual([ids.get('a*')]);
      expect(await findOne(t, '*')).toEqual([]);
      expect(await findOne(t, 'a**')).toEqual([]);
    },
  },
  {
    name: 'hostile: an injection attempt "*)(uid=*" matches only itself',
    needs: ['eq'],
    async run(t) {
      const ids = await createAll(t, ['*)(uid=*', 'admin', 'uid', '*']);
      expect(await findOne(t, '*)(uid=*')).toEqual([ids.get('*)(uid=*')]);
      expect(await findOne(t, '*)(|(uid=*))')).toEqual([]);
      expect(await findOne(t, 'admin)(uid=*')).toEqual([]);
      expect(await findOne(t, '*')).toEqual([ids.get('*')]);
    },
  },
  {
    name: 'hostile: leading and trailing spaces are kept and significant',
    needs: ['eq'],
    async run(t) {
      const ids = await createAll(t, ['  padded  ', 'in  side']);
      expect((await t.getUser(ids.get('  padded  ')!))?.fields[t.f.user.userName.field]).toBe('  padded  ');
      expect(await findOne(t, '  padded  ')).toEqual([ids.get('  padded  ')]);
      expect(await findOne(t, 'padded')).toEqual([]);
      expect(await findOne(t, ' padded ')).toEqual([]);
      expect(await findOne(t, 'in  side')).toEqual([ids.get('in  side')]);
      expect(await findOne(t, 'in side')).toEqual([]);
    },
  },
  {
    name: 'hostile: non-ASCII userNames round-trip and match ignoring case, but not ignoring accents',
    needs: ['eq'],
    async run(t) {
      const ids = await createAll(t, ['Zoë Ångström 東京', 'Zoe Angstrom']);
      const id = ids.get('Zoë Ångström 東京');
      expect((await t.getUser(id!))?.fields[t.f.user.userName.field]).toBe('Zoë Ångström 東京');
      expect(await findOne(t, 'Zoë Ångström 東京')).toEqual([id]);
      expect(await findOne(t, 'zoë ångström 東京')).toEqual([id]);
      expect(await findOne(t, 'ZOË ÅNGSTRÖM 東京')).toEqual([id]);
      expect(await findOne(t, 'Zoe Angstrom 東京')).toEqual([]);
      expect(await findOne(t, 'Zoë Ångström')).toEqual([]);
    },
  },
  {
    name: 'hostile: co, sw and ew with metacharacters match literally',
    needs: ['co', 'sw', 'ew'],
    timeoutMs: 60_000,
    async run(t) {
      const names = await storableNames(t);
      await createAll(t, names);
      const lower = names.map((u) => u.toLowerCase());
      const oracle = {
        co: (v: string) => names.filter((_, i) => lower[i]!.includes(v.toLowerCase())),
        sw: (v: string) => names.filter((_, i) => lower[i]!.startsWith(v.toLowerCase())),
        ew: (v: string) => names.filter((_, i) => lower[i]!.endsWith(v.toLowerCase())),
      };
      for (const v of ['*', '(', ')', '\\', ',', '+', '"', '#', '<', '=', ';', ' ', '*)(', 'a*', '\\2a', 'uid=', '東京', 'Ö']) {
        for (const op of ['co', 'sw', 'ew'] as const) {
          const expected = [...oracle[op](v)].sort();
          expect(await t.userNamesMatching(cmp(op, t.f.user.userName, v)), `userName ${op} ${JSON.stringify(v)}`).toEqual(expected);
        }
      }
    },
  },
];
