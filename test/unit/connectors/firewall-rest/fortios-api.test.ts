/**
 * The FortiOS profile's wire format against nock (research B1/B8): the Bearer header and `vdom` on every
 * request, create bodies, the full-list member PUT, paging, and error envelopes → ConnectorError kinds.
 */
import nock from 'nock';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { firewallRestConfigSchema } from '../../../../connectors/firewall-rest/config.js';
import { FortiosApi } from '../../../../connectors/firewall-rest/fortios/api.js';
import type { FortiosConfig } from '../../../../connectors/firewall-rest/fortios/config.js';
import { isTransient } from '../../../../connectors/firewall-rest/fortios/errors.js';
import { HttpTransport } from '../../../../connectors/firewall-rest/transport.js';
import { ConnectorError } from '../../../../connectors/types.js';

const BASE = 'https://fgt.example.test';
const TOKEN = 'tok-0123456789';
const USERS = '/api/v2/cmdb/user/local';
const GROUPS = '/api/v2/cmdb/user/group';
const ok = (extra: Record<string, unknown> = {}) => ({ http_method: 'GET', status: 'success', http_status: 200, vdom: 'dmz', ...extra });
const fail = (status: number, error?: number) => ({ status: 'error', http_status: status, vdom: 'dmz', ...(error === undefined ? {} : { error }) });

let transport: HttpTransport;

function api(options: Record<string, unknown> = {}, fields = { user: ['status', 'email-to', 'sms-phone'], group: [] as string[] }): FortiosApi {
  const cfg = firewallRestConfigSchema.parse({ profile: 'fortios', baseUrl: BASE, token: TOKEN, vdom: 'dmz', pageSize: 2, retry: { attempts: 1 }, ...options }) as FortiosConfig;
  transport = new HttpTransport({ ...cfg, label: 'FortiOS', log: pino({ level: 'silent' }), isTransient });
  return new FortiosApi(cfg, { transport, fields });
}

const fgt = () => nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } });
const signal = new AbortController().signal;

async function kindOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConnectorError);
  return (err as ConnectorError).kind;
}

beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  nock.cleanAll();
  await transport?.close();
});
afterAll(() => nock.enableNetConnect());

describe('FortiOS profile: requests', () => {
  it('reads a user by its percent-encoded name in the VDOM, asking only for mapped fields', async () => {
    const a = api();
    fgt()
      .get(`${USERS}/a%2Fb%20c%3F`)
      .query({ vdom: 'dmz', format: 'name|status|email-to|sms-phone' })
      .reply(200, ok({ results: [{ name: 'a/b c?', q_origin_key: 'a/b c?', status: 'disable', 'email-to': 'x@example.com', 'sms-phone': '' }] }));
    expect(await a.get('user', 'a/b c?', signal)).toEqual({ key: 'a/b c?', fields: { status: false, 'email-to': 'x@example.com' } });
    fgt().get(`${USERS}/nosuch`).query(true).reply(404, fail(404));
    expect(await a.get('user', 'nosuch', signal)).toBeUndefined();
  });

  it('creates a password user with a random password and explicit status, and a firewall group with members', async () => {
    const a = api();
    let sent: Record<string, unknown> = {};
    fgt()
      .post(USERS, (b: Record<string, unknown>) => ((sent = b), true))
      .query({ vdom: 'dmz' })
      .reply(200, ok({ http_method: 'POST', mkey: 'jdoe' }));
    await a.create('user', { key: 'jdoe', fields: { status: true, 'email-to': 'j@example.com' } }, signal);
    expect(sent).toMatchObject({ name: 'jdoe', type: 'password', status: 'enable', 'email-to': 'j@example.com' });
    expect(String(sent['passwd'])).toMatch(/^[\w-]{32}$/);
    fgt().post(GROUPS, { name: 'vpn', 'group-type': 'firewall', member: [{ name: 'jdoe' }, { name: 'bob' }] }).query({ vdom: 'dmz' }).reply(200, ok());
    await a.create('group', { key: 'vpn', fields: {}, members: ['jdoe', 'bob'] }, signal);
  });

  it('creates remote users with their server and no password', async () => {
    const a = api({ userType: 'saml', authServer: 'entra' });
    fgt().post(USERS, { name: 'jdoe', type: 'saml', 'saml-server': 'entra' }).query({ vdom: 'dmz' }).reply(200, ok());
    await a.create('user', { key: 'jdoe', fields: {} }, signal);
  });

  it('updates with only the changes: cleared text as "", cleared status as enable, a rename as name', async () => {
    const a = api();
    fgt().put(`${USERS}/jdoe`, { status: 'disable', 'email-to': '', name: 'john' }).query({ vdom: 'dmz' }).reply(200, ok());
    await a.update('user', 'jdoe', { set: { status: false }, unset: ['email-to'], rename: 'john' }, signal);
    // Nothing to change: no request at all (nock would fail on an unexpected one).
    await a.update('user', 'jdoe', { set: {}, unset: [] }, signal);
  });

  it('changes members by GET and a PUT of the whole list, keeping members it did not add', async () => {
    const a = api();
    fgt().get(`${GROUPS}/vpn`).query(true).reply(200, ok({ results: [{ name: 'vpn', member: [{ name: 'radius-x', q_origin_key: 'radius-x' }, { name: 'Bob', q_origin_key: 'Bob' }] }] }));
    fgt().put(`${GROUPS}/vpn`, { member: [{ name: 'radius-x' }, { name: 'jdoe' }] }).query({ vdom: 'dmz' }).reply(200, ok());
    await a.changeMembers('vpn', { add: ['jdoe', 'radius-x'], remove: ['bob'] }, signal);
    // Adding a present member and removing an absent one: no PUT.
    fgt().get(`${GROUPS}/vpn`).query(true).reply(200, ok({ results: [{ name: 'vpn', member: [{ name: 'jdoe' }] }] }));
    await a.changeMembers('vpn', { add: ['JDOE'], remove: ['nobody'] }, signal);
  });

  it('serialises concurrent member changes of one group, so none reads a list another is about to replace', async () => {
    const a = api();
    let list = [{ name: 'a' }];
    const scope = fgt().persist();
    scope.get(`${GROUPS}/g`).query(true).delay(20).reply(200, () => ok({ results: [{ name: 'g', member: list }] }));
    scope.put(`${GROUPS}/g`).query(true).delay(20).reply(200, (_uri, body) => ((list = (body as { member: { name: string }[] }).member), ok()));
    await Promise.all(['b', 'c', 'd', 'e'].map((m) => a.changeMembers('g', { add: [m], remove: [] }, signal)));
    expect(list.map((m) => m.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('lists a table page by page with start and count until a short page', async () => {
    const a = api();
    fgt().get(USERS).query({ vdom: 'dmz', start: '0', count: '2', format: 'name|status|email-to|sms-phone' }).reply(200, ok({ results: [{ name: 'a' }, { name: 'b' }] }));
    fgt().get(USERS).query({ vdom: 'dmz', start: '2', count: '2', format: 'name|status|email-to|sms-phone' }).reply(200, ok({ results: [{ name: 'c' }] }));
    const names: string[] = [];
    for await (const page of a.list('user', signal)) names.push(...page.map((o) => o.key));
    expect(names).toEqual(['a', 'b', 'c']);
  });

  it('finds the groups of a user by scanning the groups (names compared without case)', async () => {
    const a = api();
    fgt().get(GROUPS).query(true).reply(200, ok({ results: [{ name: 'g1', member: [{ name: 'JDoe' }] }, { name: 'g2', member: [] }] }));
    fgt().get(GROUPS).query(true).reply(200, ok({ results: [{ name: 'g3', member: [{ name: 'jdoe' }] }] }));
    expect(await a.groupsOf('jdoe', signal)).toEqual(['g1', 'g3']);
  });
});

describe('FortiOS profile: errors', () => {
  it('maps CMDB error codes and statuses to ConnectorError kinds', async () => {
    const a = api();
    const cases: [number, number | undefined, string][] = [
      [500, -5, 'conflict'],
      [500, -15, 'conflict'],
      [500, -3, 'not-found'],
      [404, undefined, 'not-found'],
      [500, -1, 'invalid'],
      [500, -651, 'invalid'],
      [500, -703, 'invalid'],
      [424, -3, 'invalid'],
      [424, undefined, 'invalid'],
      [500, -23, 'conflict'],
      [500, -14, 'upstream-auth'],
      [405, undefined, 'internal'],
      [500, -9999, 'internal'],
    ];
    for (const [status, code, kind] of cases) {
      fgt().delete(`${USERS}/jdoe`).query(true).reply(status, fail(status, code));
      expect(await kindOf(a.delete('user', 'jdoe', signal)), `${status} ${code}`).toBe(kind);
    }
  });

  it('names the object and the code in messages, e.g. a duplicate and an entry in use', async () => {
    const a = api();
    fgt().post(USERS).query(true).reply(500, fail(500, -5));
    const dup = await a.create('user', { key: 'jdoe', fields: {} }, signal).catch((e: ConnectorError) => e);
    expect((dup as ConnectorError).message).toBe('FortiOS: create user: user "jdoe" already exists on the firewall (HTTP 500, error -5)');
    fgt().delete(`${GROUPS}/vpn`).query(true).reply(500, fail(500, -23));
    const inUse = await a.delete('group', 'vpn', signal).catch((e: ConnectorError) => e);
    expect((inUse as ConnectorError).message).toMatch(/group "vpn" is in use on the firewall/);
  });

  it('treats a bare 500 (no CMDB envelope) as the firewall failing: unavailable', async () => {
    const a = api();
    fgt().put(`${USERS}/jdoe`).query(true).reply(500, '<html>oops</html>');
    expect(await kindOf(a.update('user', 'jdoe', { set: { status: true }, unset: [] }, signal))).toBe('unavailable');
  });

  it('refuses at construction a mapping onto fields FortiOS users or groups do not have', () => {
    expect(() => api({}, { user: ['title'], group: [] })).toThrow(/user\/local has no field title/);
    expect(() => api({}, { user: [], group: ['description'] })).toThrow(/user\/group has no field description/);
  });
});
