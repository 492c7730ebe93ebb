/**
 * Active Directory's ranged retrieval of large multi-valued attributes (member;range=0-1499), against a
 * fake client that answers like AD: no AD server is available to the test suite.
 */
import type { Client, Entry, SearchOptions } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { Directory } from '../../../../connectors/ldap/directory.js';
import { PROFILES } from '../../../../connectors/ldap/profiles.js';
import type { LdapSession } from '../../../../connectors/ldap/session.js';

const DN = 'CN=Big Group,OU=Groups,DC=corp,DC=example,DC=com';
const ALL = Array.from({ length: 3200 }, (_, i) => `CN=User ${i},OU=People,DC=corp,DC=example,DC=com`);

/** Answers base searches for `member;range=<start>-*` with up to 1500 values, like AD's MaxValRange. */
function fakeSession(asked: string[]): LdapSession {
  const client = {
    async search(base: string, opts: SearchOptions) {
      const attr = opts.attributes?.[0] ?? '';
      asked.push(attr);
      const start = Number(/range=(\d+)-/.exec(attr)?.[1] ?? 0);
      const end = Math.min(start + 1499, ALL.length - 1);
      const last = end === ALL.length - 1;
      const entry: Entry = { dn: base, [`member;range=${start}-${last ? '*' : end}`]: ALL.slice(start, end + 1) };
      return { searchEntries: [entry], searchReferences: [] };
    },
  } as unknown as Client;
  return { run: (_what: string, fn: (c: Client) => Promise<unknown>) => fn(client) } as unknown as LdapSession;
}

describe('ranged member retrieval (Active Directory)', () => {
  it('follows member;range=… until the range ending in * and returns every value once', async () => {
    const asked: string[] = [];
    const dir = new Directory(fakeSession(asked), PROFILES['active-directory'], 500);
    const first: Entry = { dn: DN, 'member;range=0-1499': ALL.slice(0, 1500) };
    const values = await dir.allValuesOf(first, 'member');
    expect(values).toEqual(ALL);
    expect(asked).toEqual(['member;range=1500-*', 'member;range=3000-*']);
  });

  it('reads a small group directly, and never asks for ranges on OpenLDAP', async () => {
    const asked: string[] = [];
    const ad = new Directory(fakeSession(asked), PROFILES['active-directory'], 500);
    expect(await ad.allValuesOf({ dn: DN, member: ALL.slice(0, 3) }, 'member')).toEqual(ALL.slice(0, 3));
    const openldap = new Directory(fakeSession(asked), PROFILES.openldap, 500);
    expect(await openldap.allValuesOf({ dn: DN, member: ALL.slice(0, 2) }, 'member')).toEqual(ALL.slice(0, 2));
    expect(asked).toEqual([]);
  });
});
