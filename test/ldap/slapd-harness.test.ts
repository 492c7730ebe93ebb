/**
 * The throwaway-slapd harness (test/support/slapd.ts) against Debian's OpenLDAP 2.5: what the LDAP connector's
 * tests rely on. One TLS-enabled server (sizeLimit 50 so paging past it is cheap) for most tests, plus a bare
 * one without overlays.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  Attribute,
  Change,
  Client,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  ObjectClassViolationError,
  SizeLimitExceededError,
  type ClientOptions,
} from 'ldapts';
import { describeLdap } from '../support/ldap-suite.js';
import { startSlapd, type Slapd } from '../support/slapd.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** refint rewrites in a background task after the operation's response: poll instead of asserting at once. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 2_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const person = (dn: string, uid: string, extra: string[] = []) =>
  [`dn: ${dn}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, ...extra, ''].join('\n');

describeLdap('throwaway slapd harness', () => {
  let s: Slapd;
  const clients: Client[] = [];
  const client = (opts: Partial<ClientOptions> = {}): Client => {
    const c = new Client({ url: s.url, timeout: 5_000, connectTimeout: 5_000, ...opts });
    clients.push(c);
    return c;
  };
  const service = async (): Promise<Client> => {
    const c = client();
    await c.bind(s.serviceDN, s.servicePassword);
    return c;
  };
  const members = async (c: Client, dn: string): Promise<string[]> => {
    const { searchEntries } = await c.search(dn, { scope: 'base', attributes: ['member'] });
    return [searchEntries[0]?.member ?? []].flat().map(String);
  };

  beforeAll(async () => {
    s = await startSlapd({ tls: true, sizeLimit: 50 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.unbind().catch(() => undefined)));
  });
  afterAll(async () => {
    await s?.destroy();
  });

  it('starts on 127.0.0.1 and accepts binds for the admin and the service account', async () => {
    expect(s.url).toMatch(/^ldap:\/\/127\.0\.0\.1:\d+$/);
    expect(s.ldapsUrl).toMatch(/^ldaps:\/\/127\.0\.0\.1:\d+$/);
    expect(s.pid).toBeGreaterThan(0);
    expect(() => process.kill(s.pid, 0)).not.toThrow();
    expect(s.startMs).toBeLessThan(5_000);
    expect([s.peopleDN, s.groupsDN, s.disabledDN]).toEqual([
      'ou=people,dc=example,dc=com',
      'ou=groups,dc=example,dc=com',
      'ou=disabled,dc=example,dc=com',
    ]);

    await client().bind(s.adminDN, s.adminPassword);
    await service();
    await expect(client().bind(s.serviceDN, 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('lets the service account add, modify, move and delete under ou=people and ou=groups, and nowhere else', async () => {
    const ous = await s.freshOus();
    const c = await service();
    const dn = `uid=alice,${ous.people}`;
    await c.add(dn, { objectClass: 'inetOrgPerson', uid: 'alice', cn: 'Alice', sn: 'A', userPassword: 'pw-alice' });

    // entryUUID is operational: only returned when asked for.
    const plain = await c.search(dn, { scope: 'base' });
    expect(plain.searchEntries[0]).not.toHaveProperty('entryUUID');
    const withId = await c.search(dn, { scope: 'base', attributes: ['*', 'entryUUID'] });
    const id = withId.searchEntries[0]!.entryUUID as string;
    expect(id).toMatch(UUID);
    const byId = await c.search(s.suffix, { filter: `(entryUUID=${id})`, attributes: ['uid'] });
    expect(byId.searchEntries.map((e) => e.dn)).toEqual([dn]);

    await c.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Eng'] }) }));
    expect((await c.search(dn, { scope: 'base', attributes: ['title'] })).searchEntries[0]!.title).toBe('Eng');

    const group = `cn=eng,${ous.groups}`;
    await c.add(group, { objectClass: 'groupOfNames', cn: 'eng', member: dn });
    expect(await members(c, group)).toEqual([dn]);

    // Move to ou=disabled (newSuperior): entryUUID is stable.
    const moved = `uid=alice,${ous.disabled}`;
    await c.modifyDN(dn, moved);
    const after = await c.search(moved, { scope: 'base', attributes: ['entryUUID'] });
    expect(after.searchEntries[0]!.entryUUID).toBe(id);

    await c.del(group);
    await c.del(moved);
    await expect(c.search(moved, { scope: 'base' })).rejects.toBeInstanceOf(NoSuchObjectError);

    // Read-only elsewhere.
    await expect(
      c.add(`cn=intruder,ou=services,${s.suffix}`, { objectClass: 'organizationalRole', cn: 'intruder' }),
    ).rejects.toBeInstanceOf(InsufficientAccessError);
    const svc = await c.search(s.serviceDN, { scope: 'base', attributes: ['cn'] });
    expect(svc.searchEntries).toHaveLength(1);
  });

  it('answers (entryDN=…) filters (how the connector maps member DNs to ids), DN-normalised', async () => {
    const ous = await s.freshOus();
    await s.ldapadd(['a', 'b', 'c'].map((u) => person(`uid=${u},${ous.people}`, u)).join('\n'));
    const c = await service();
    const wanted = [`uid=a,${ous.people}`, `UID=c, ${ous.people.toUpperCase()}`, `uid=gone,${ous.people}`];
    const { searchEntries } = await c.search(s.peopleDN, {
      filter: `(|${wanted.map((d) => `(entryDN=${d})`).join('')})`,
      attributes: ['entryUUID', 'uid'],
    });
    expect(searchEntries.map((e) => e.uid).sort()).toEqual(['a', 'c']);
    for (const e of searchEntries) expect(e.entryUUID).toMatch(UUID);
  });

  it('pages past the server sizelimit for the service account (size.prtotal=unlimited)', async () => {
    const ous = await s.freshOus();
    const n = 60; // > sizeLimit 50
    await s.ldapadd(Array.from({ length: n }, (_, i) => person(`uid=p${i},${ous.people}`, `p${i}`)).join('\n'));
    const c = await service();
    await expect(c.search(ous.people, { filter: '(objectClass=inetOrgPerson)', attributes: ['1.1'] })).rejects.toBeInstanceOf(
      SizeLimitExceededError,
    );
    const paged = await c.search(ous.people, {
      filter: '(objectClass=inetOrgPerson)',
      attributes: ['uid'],
      paged: { pageSize: 20 },
    });
    expect(paged.searchEntries).toHaveLength(n);
  });

  it('refint rewrites member on modifyDN and leaves the admin DN (refint_nothing) when the last member is deleted', async () => {
    const ous = await s.freshOus();
    const [a, b] = [`uid=ra,${ous.people}`, `uid=rb,${ous.people}`];
    await s.ldapadd([person(a, 'ra'), person(b, 'rb')].join('\n'));
    const c = await service();
    const group = `cn=g,${ous.groups}`;
    await c.add(group, { objectClass: 'groupOfNames', cn: 'g', member: [a, b] });

    // Without refint_nothing, removing the last member is an objectClassViolation (groupOfNames MUST member).
    const other = `cn=solo,${ous.groups}`;
    await c.add(other, { objectClass: 'groupOfNames', cn: 'solo', member: a });
    await expect(
      c.modify(other, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [a] }) })),
    ).rejects.toBeInstanceOf(ObjectClassViolationError);
    await c.del(other);

    const renamed = `uid=ra2,${ous.disabled}`;
    await c.modifyDN(a, renamed);
    const afterRename = await eventually(() => members(c, group), (m) => m.includes(renamed));
    expect(afterRename.sort()).toEqual([renamed, b].sort());

    await c.del(b);
    await c.del(renamed);
    expect(await eventually(() => members(c, group), (m) => m.length === 1 && m[0] === s.adminDN)).toEqual([s.adminDN]);
  });

  it('ppolicy: pwdAccountLockedTime 000001010000Z makes the bind fail with 49; deleting it restores the bind', async () => {
    const ous = await s.freshOus();
    const dn = `uid=locked,${ous.people}`;
    await s.ldapadd(person(dn, 'locked', ['userPassword: pw-locked']));
    await client().bind(dn, 'pw-locked');

    const c = await service(); // the connector locks as the service account, not as root
    await c.modify(
      dn,
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdAccountLockedTime', values: ['000001010000Z'] }) }),
    );
    const err = await client()
      .bind(dn, 'pw-locked')
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidCredentialsError);
    expect((err as InvalidCredentialsError).code).toBe(49);

    await c.modify(dn, new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdAccountLockedTime' }) }));
    await client().bind(dn, 'pw-locked');
  });

  it('pause() hangs the server (a 500 ms ldapts timeout fires), resume() recovers', async () => {
    s.pause();
    try {
      const t0 = Date.now();
      const c = client({ timeout: 500, connectTimeout: 500 });
      await expect(c.bind(s.serviceDN, s.servicePassword)).rejects.toThrow(/timed out|timeout/i);
      expect(Date.now() - t0).toBeLessThan(3_000);
    } finally {
      s.resume();
    }
    const c = client({ timeout: 2_000 });
    await c.bind(s.serviceDN, s.servicePassword);
    expect((await c.search(s.peopleDN, { scope: 'base' })).searchEntries).toHaveLength(1);
  });

  it('stop() and restart() keep the data, the URL and the entryUUIDs', async () => {
    const ous = await s.freshOus();
    const dn = `uid=durable,${ous.people}`;
    await s.ldapadd(person(dn, 'durable'));
    const before = await (await service()).search(dn, { scope: 'base', attributes: ['entryUUID'] });
    const { url, pid } = s;

    await s.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(client({ connectTimeout: 1_000 }).bind(s.serviceDN, s.servicePassword)).rejects.toThrow(/ECONNREFUSED/);

    await s.restart();
    expect(s.url).toBe(url);
    expect(s.pid).not.toBe(pid);
    const after = await (await service()).search(dn, { scope: 'base', attributes: ['entryUUID'] });
    expect(after.searchEntries[0]!.entryUUID).toBe(before.searchEntries[0]!.entryUUID);
  });

  it('TLS: ldaps:// with caPem works, without it fails on the certificate; StartTLS works', async () => {
    expect(s.caPem).toMatch(/BEGIN CERTIFICATE/);
    const ldaps = client({ url: s.ldapsUrl!, tlsOptions: { ca: s.caPem! } });
    await ldaps.bind(s.serviceDN, s.servicePassword);
    expect((await ldaps.search(s.peopleDN, { scope: 'base' })).searchEntries).toHaveLength(1);

    await expect(client({ url: s.ldapsUrl! }).bind(s.serviceDN, s.servicePassword)).rejects.toThrow(
      /self[- ]signed certificate|unable to verify|certificate/i,
    );

    const starttls = client();
    // ldapts passes only these options (plus the socket) to tls.connect: without `host`, Node checks the
    // certificate against 'localhost', not the URL's host. (`servername` with an IP is deprecated: DEP0123.)
    await starttls.startTLS({ ca: s.caPem!, host: '127.0.0.1' });
    await starttls.bind(s.serviceDN, s.servicePassword);
    expect((await starttls.search(s.peopleDN, { scope: 'base' })).searchEntries).toHaveLength(1);

    await expect(client().startTLS({ host: '127.0.0.1' })).rejects.toThrow(/self[- ]signed certificate|certificate/i);
    await expect(client().startTLS({ ca: s.caPem!, host: '127.0.0.2' })).rejects.toThrow(/does not match|altnames/i);
  });

  it('starts a bare server: no overlays, synchronous writes, no TLS', async () => {
    const bare = await startSlapd({ overlays: { refint: false, memberof: false, ppolicy: false }, noSync: false });
    try {
      expect(bare.ldapsUrl).toBeUndefined();
      expect(bare.caPem).toBeUndefined();
      expect(bare.url).not.toBe(s.url);
      const c = client({ url: bare.url });
      await c.bind(bare.serviceDN, bare.servicePassword);
      const ous = await bare.freshOus('bare');
      expect(ous.people).toBe(`ou=bare-1,${bare.peopleDN}`);
      const [a, b] = [`uid=a,${ous.people}`, `uid=b,${ous.people}`];
      await c.add(a, { objectClass: 'inetOrgPerson', uid: 'a', cn: 'a', sn: 'a' });
      await c.add(b, { objectClass: 'inetOrgPerson', uid: 'b', cn: 'b', sn: 'b' });
      const group = `cn=g,${ous.groups}`;
      await c.add(group, { objectClass: 'groupOfNames', cn: 'g', member: [a, b] });
      await c.del(a);
      // No refint: the member value dangles (the connector must tolerate member DNs that resolve to nothing).
      expect((await members(c, group)).sort()).toEqual([a, b].sort());
      // No ppolicy module: its schema is absent.
      await expect(
        c.modify(b, new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdAccountLockedTime', values: ['000001010000Z'] }) })),
      ).rejects.toThrow();
    } finally {
      await bare.destroy();
    }
  });
});
