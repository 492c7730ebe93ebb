import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupXpath, locationXpath, quoteXpathLiteral, startFakePanos, userXpath, type FakePanos } from '../../support/fake-firewall/panos.js';
import { call, config, op, resultNodes, text } from './panos-client.js';

const U = '/config/shared/local-user-database/user';
const G = '/config/shared/local-user-database/user-group';
const PHASH = '$5$abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const USER = `<phash>${PHASH}</phash><disabled>no</disabled>`;

let pan: FakePanos;
beforeEach(async () => {
  pan = await startFakePanos({ commitDurationMs: 10 });
});
afterEach(async () => {
  await pan.close();
});

describe('fake PAN-OS: users through the config API', () => {
  it('creates a user in the candidate config only, marked with the admin and a dirtyId', async () => {
    const set = await config(pan, 'set', userXpath('jdoe'), { element: USER });
    expect(set.body).toBe('<response status="success" code="20"><msg>command succeeded</msg></response>');
    expect(set.http).toBe(200);

    const got = await config(pan, 'get', userXpath('jdoe'));
    expect(got.code).toBe('19');
    expect(got.response.children[0]).toMatchObject({ name: 'result', attrs: { 'total-count': '1', count: '1' } });
    const [entry] = resultNodes(got);
    expect(entry?.attrs).toMatchObject({ name: 'jdoe', admin: 'scim-gw', dirtyId: '1' });
    expect(text(got, 'entry', 'phash')).toBe(PHASH);
    expect(pan.candidate.user('jdoe')).toEqual({ name: 'jdoe', phash: PHASH, disabled: 'no' });
    expect(pan.running.users()).toEqual([]);

    const shown = await config(pan, 'show', userXpath('jdoe'));
    expect([shown.status, shown.code, shown.lines]).toEqual(['error', '7', ['No such node']]);
    expect(pan.hasUncommittedChanges).toBe(true);
  });

  it('answers a get for an absent object with success, code 7 and an empty result', async () => {
    const got = await config(pan, 'get', userXpath('nobody'));
    expect(got.body).toBe('<response status="success" code="7"><result total-count="0" count="0"/></response>');
  });

  it('merges a set into an existing user and replaces one leaf with edit', async () => {
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    await config(pan, 'set', userXpath('jdoe'), { element: '<disabled>yes</disabled>' });
    expect(pan.candidate.user('jdoe')).toEqual({ name: 'jdoe', phash: PHASH, disabled: 'yes' });

    const edit = await config(pan, 'edit', `${userXpath('jdoe')}/disabled`, { element: '<disabled>no</disabled>' });
    expect(edit.code).toBe('20');
    expect(pan.candidate.user('jdoe')?.disabled).toBe('no');
    expect(pan.candidate.users()).toHaveLength(1);
  });

  it('replaces a whole entry with edit and refuses an element whose name differs from the xpath', async () => {
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    await config(pan, 'edit', userXpath('jdoe'), { element: `<entry name="jdoe"><phash>${PHASH}</phash></entry>` });
    expect(pan.candidate.user('jdoe')).toEqual({ name: 'jdoe', phash: PHASH, disabled: undefined });

    const wrong = await config(pan, 'edit', userXpath('jdoe'), { element: `<entry name="other"><phash>${PHASH}</phash></entry>` });
    expect([wrong.status, wrong.code, wrong.lines]).toEqual(['error', '12', ['Edit breaks config validity']]);
    expect(wrong.body).toContain('<![CDATA[');
  });

  it('stores names holding a quote or XML specials when the xpath quotes them with "', async () => {
    const name = `o'brien & <co>`;
    expect(userXpath(name)).toBe(`${U}/entry[@name="o'brien & <co>"]`);
    expect((await config(pan, 'set', userXpath(name), { element: USER })).code).toBe('20');
    const got = await config(pan, 'get', userXpath(name));
    expect(got.body).toContain('name="o\'brien &amp; &lt;co&gt;"');
    expect(pan.candidate.user(name)?.phash).toBe(PHASH);
    expect(() => quoteXpathLiteral(`a'b"c`)).toThrow(/both/);
  });

  it('deletes a user, and a second delete is code 7 "Object doesn\'t exist"', async () => {
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    expect((await config(pan, 'delete', userXpath('jdoe'))).code).toBe('20');
    expect(pan.candidate.users()).toEqual([]);
    const again = await config(pan, 'delete', userXpath('jdoe'));
    expect([again.status, again.code, again.lines]).toEqual(['error', '7', ["Object doesn't exist"]]);
  });

  it('renames a user and rewrites the group members that name it', async () => {
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    await config(pan, 'set', groupXpath('vpn'), { element: '<user><member>jdoe</member></user>' });
    const renamed = await config(pan, 'rename', userXpath('jdoe'), { newname: 'john.doe' });
    expect(renamed.code).toBe('20');
    expect(pan.candidate.users().map((u) => u.name)).toEqual(['john.doe']);
    expect(pan.candidate.group('vpn')?.members).toEqual(['john.doe']);

    const missing = await config(pan, 'rename', userXpath('jdoe'), { newname: 'x' });
    expect([missing.status, missing.code]).toEqual(['error', '7']);
    await config(pan, 'set', userXpath('bob'), { element: USER });
    const taken = await config(pan, 'rename', userXpath('bob'), { newname: 'john.doe' });
    expect([taken.status, taken.code, taken.lines]).toEqual(['error', '12', ['john.doe already exists']]);
  });

  it('lists every user with a step without predicate, and finds groups by member', async () => {
    for (const name of ['a', 'b', 'c']) await config(pan, 'set', userXpath(name), { element: USER });
    await config(pan, 'set', groupXpath('g1'), { element: '<user><member>a</member><member>b</member></user>' });
    await config(pan, 'set', groupXpath('g2'), { element: '<user><member>c</member></user>' });

    const all = await config(pan, 'get', `${U}/entry`);
    expect(all.response.children[0]).toMatchObject({ attrs: { 'total-count': '3', count: '3' } });
    expect(resultNodes(all).map((e) => e.attrs.name)).toEqual(['a', 'b', 'c']);

    const container = await config(pan, 'get', U);
    expect(resultNodes(container).map((e) => e.name)).toEqual(['user']);

    const withB = await config(pan, 'get', `${G}/entry[user/member='b']`);
    expect(resultNodes(withB).map((e) => e.attrs.name)).toEqual(['g1']);
  });
});

describe('fake PAN-OS: user groups and members', () => {
  beforeEach(() => {
    for (const name of ['jdoe', 'bob', 'amy']) pan.seedUser({ name });
  });

  it('creates an empty group, adds members with set (twice is once) and removes one with delete', async () => {
    expect((await config(pan, 'set', groupXpath('vpn'), { element: '' })).code).toBe('20');
    expect(pan.candidate.group('vpn')).toEqual({ name: 'vpn', members: [] });

    await config(pan, 'set', `${groupXpath('vpn')}/user`, { element: '<member>jdoe</member>' });
    await config(pan, 'set', `${groupXpath('vpn')}/user`, { element: '<member>bob</member>' });
    await config(pan, 'set', `${groupXpath('vpn')}/user`, { element: '<member>bob</member>' });
    expect(pan.candidate.group('vpn')?.members).toEqual(['jdoe', 'bob']);

    const removed = await config(pan, 'delete', `${groupXpath('vpn')}/user/member[text()='jdoe']`);
    expect(removed.code).toBe('20');
    expect(pan.candidate.group('vpn')?.members).toEqual(['bob']);

    const absent = await config(pan, 'delete', `${groupXpath('vpn')}/user/member[text()='jdoe']`);
    expect([absent.status, absent.code]).toEqual(['error', '7']);
  });

  it('replaces the member list with edit', async () => {
    await config(pan, 'set', groupXpath('vpn'), { element: '<user><member>jdoe</member></user>' });
    await config(pan, 'edit', `${groupXpath('vpn')}/user`, { element: '<user><member>bob</member><member>amy</member></user>' });
    expect(pan.candidate.group('vpn')?.members).toEqual(['bob', 'amy']);
  });

  it('refuses a member that names no user, changing nothing', async () => {
    await config(pan, 'set', groupXpath('vpn'), { element: '<user><member>jdoe</member></user>' });
    const bad = await config(pan, 'set', `${groupXpath('vpn')}/user`, { element: '<member>ghost</member>' });
    expect([bad.status, bad.code]).toEqual(['error', '12']);
    expect(bad.lines).toEqual(["vpn -> user 'ghost' is not a valid reference", 'vpn -> user is invalid']);
    expect(pan.candidate.group('vpn')?.members).toEqual(['jdoe']);
  });

  it('refuses to delete a user still in a group (code 10) until the membership is removed', async () => {
    await config(pan, 'set', groupXpath('vpn'), { element: '<user><member>jdoe</member></user>' });
    const refused = await config(pan, 'delete', userXpath('jdoe'));
    expect([refused.status, refused.code]).toEqual(['error', '10']);
    expect(refused.lines).toEqual(['jdoe cannot be deleted because of references from:', 'shared -> local-user-database -> user-group -> vpn -> user']);
    expect(pan.candidate.user('jdoe')).toBeDefined();

    await config(pan, 'delete', `${groupXpath('vpn')}/user/member[text()='jdoe']`);
    expect((await config(pan, 'delete', userXpath('jdoe'))).code).toBe('20');
  });

  it('keeps a vsys database apart, and lets a vsys group name a shared user', async () => {
    const vsys1 = { vsys: 'vsys1' } as const;
    expect(locationXpath(vsys1)).toBe("/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']");
    await config(pan, 'set', userXpath('local', vsys1), { element: USER });
    await config(pan, 'set', groupXpath('mixed', vsys1), { element: '<user><member>local</member><member>jdoe</member></user>' });
    expect(pan.candidate.users(vsys1).map((u) => u.name)).toEqual(['local']);
    expect(pan.candidate.group('mixed', vsys1)?.members).toEqual(['local', 'jdoe']);
    expect(pan.candidate.group('mixed')).toBeUndefined();

    const sharedGroup = await config(pan, 'set', groupXpath('g'), { element: '<user><member>local</member></user>' });
    expect(sharedGroup.code).toBe('12');
    const unknownVsys = await config(pan, 'get', userXpath('x', { vsys: 'vsys9' }));
    expect(unknownVsys.code).toBe('7');
  });
});

describe('fake PAN-OS: invalid requests', () => {
  it.each([
    ['an unknown element', `${USER}<password>x</password>`, ['jdoe -> password unexpected here', 'jdoe is invalid']],
    ['a bad disabled value', '<disabled>maybe</disabled>', ["jdoe -> disabled 'maybe' is not a valid value", 'jdoe -> disabled is invalid']],
    ['a plain-text phash', '<phash>secret</phash>', ['jdoe -> phash is not a valid password hash', 'jdoe -> phash is invalid']],
  ])('answers code 12 for %s and stores nothing', async (_what, element, lines) => {
    const reply = await config(pan, 'set', userXpath('jdoe'), { element });
    expect([reply.status, reply.code, reply.lines]).toEqual(['error', '12', lines]);
    expect(pan.candidate.users()).toEqual([]);
  });

  it('answers code 6 for an xpath outside the schema or one it cannot parse, and 18 for malformed XML', async () => {
    const outside = await config(pan, 'get', '/config/shared/address/entry');
    expect([outside.code, outside.lines]).toEqual(['6', ['Could not get schema node for xpath /config/shared/address/entry']]);
    expect((await config(pan, 'get', `${U}/entry[@name='unterminated]`)).code).toBe('6');
    expect((await config(pan, 'set', userXpath('jdoe'), { element: '<phash>x' })).code).toBe('18');
    expect((await config(pan, 'set', userXpath('jdoe'), { element: '<!DOCTYPE x [<!ENTITY a "b">]><phash>&a;</phash>' })).code).toBe('18');
  });

  it('answers HTTP 400 for a missing type, parameter or unmodelled action, and 404 off /api/', async () => {
    const noType = await call(pan, {});
    expect([noType.http, noType.code, noType.lines]).toEqual([400, '400', ['Missing parameter: type']]);
    expect((await config(pan, 'move', userXpath('a'))).http).toBe(400);
    expect((await call(pan, { type: 'config', action: 'get' })).lines).toEqual(['Missing parameter: xpath']);
    expect((await fetch(`${pan.baseUrl}/restapi/v11.1/Objects/Addresses`)).status).toBe(404);
  });
});

describe('fake PAN-OS: authentication', () => {
  it("answers a missing or wrong key with PAN-OS's 403 and counts it", async () => {
    for (const key of [null, 'wrong']) {
      const reply = await call(pan, { type: 'config', action: 'get', xpath: U }, { key });
      expect(reply.http).toBe(403);
      expect(reply.body).toBe('<response status="error" code="403"><result><msg>Invalid Credential</msg></result></response>');
    }
    expect(pan.operations('auth.rejected')).toBe(2);
  });

  it('accepts the key as a key= parameter and on GET requests', async () => {
    expect((await call(pan, { type: 'config', action: 'get', xpath: U }, { keyParam: true })).status).toBe('success');
    expect((await call(pan, { type: 'config', action: 'get', xpath: U }, { get: true, keyParam: true })).status).toBe('success');
  });

  it('hands out the key for the right user and password (type=keygen)', async () => {
    const good = await call(pan, { type: 'keygen', user: 'scim-gw', password: 'fake-panos-password' }, { key: null });
    expect(text(good, 'key')).toBe(pan.apiKey);
    const bad = await call(pan, { type: 'keygen', user: 'scim-gw', password: 'nope' }, { key: null });
    expect([bad.http, bad.code]).toEqual([403, '403']);
  });
});

describe('fake PAN-OS: operational commands', () => {
  it('hashes a password into a $5$ phash the fake can check and the config accepts', async () => {
    const cmd = '<request><password-hash><password>S3cret&lt;!</password></password-hash></request>';
    const [one, two] = [await op(pan, cmd), await op(pan, cmd)];
    const phash = text(one, 'phash') ?? '';
    expect(phash).toMatch(/^\$5\$[\w-]{8}\$[\w-]{43}$/);
    expect(text(two, 'phash')).not.toBe(phash);
    expect(pan.phashMatches(phash, 'S3cret<!')).toBe(true);
    expect(pan.phashMatches(phash, 'other')).toBe(false);
    expect((await config(pan, 'set', userXpath('jdoe'), { element: `<phash>${phash}</phash>` })).code).toBe('20');
    expect(pan.operations('op.password-hash')).toBe(2);
  });

  it('answers show system info and check pending-changes, and code 17 for an unknown command', async () => {
    expect(text(await op(pan, '<show><system><info></info></system></show>'), 'system', 'sw-version')).toBe('11.1.4');
    expect(text(await op(pan, '<check><pending-changes></pending-changes></check>'))).toBe('no');
    pan.seedUser({ name: 'seeded' });
    expect(pan.hasUncommittedChanges).toBe(false);
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    expect(text(await op(pan, '<check><pending-changes/></check>'))).toBe('yes');

    const unknown = await op(pan, '<show><bogus/></show>');
    expect([unknown.status, unknown.code, unknown.lines]).toEqual(['error', '17', ['show -> bogus is unexpected']]);
    expect((await op(pan, '<show><unclosed>')).code).toBe('18');
  });

  it('counts operations by type and action', async () => {
    await config(pan, 'set', userXpath('jdoe'), { element: USER });
    await config(pan, 'get', userXpath('jdoe'));
    await config(pan, 'get', userXpath('jdoe'));
    expect(pan.operations()).toEqual({ 'config.set': 1, 'config.get': 2 });
    expect(pan.counts('POST /api/')).toBe(3);
  });
});
