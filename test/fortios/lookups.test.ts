/**
 * What a SCIM list costs on FortiOS (connectors/firewall-rest/query.ts): the lookups Entra makes before every
 * write are one GET by name; a filter the connector cannot narrow reads the table page by page.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/build-app.js';
import { createUser, scimClient, type ScimClient } from '../support/scim-client.js';

describe('FortiOS: requests per lookup', () => {
  let gw: TestGateway;
  let api: ScimClient;
  let ids: string[];
  beforeAll(async () => {
    gw = await startTestGateway({ options: { pageSize: 4 } });
    api = scimClient(gw.server);
    ids = [];
    for (let i = 0; i < 10; i++) ids.push(String((await createUser(api, { userName: `look${i}`, externalId: `ext-${i}` }))['id']));
  });
  afterAll(async () => gw.close());
  beforeEach(() => gw.fortios!.resetStats());

  const found = async (filter: string): Promise<string[]> => {
    const res = await api.list('/Users', { filter });
    expect(res.status).toBe(200);
    return (res.body.Resources as { id: string }[]).map((r) => r.id);
  };

  it('answers userName eq (any case) with one GET by name, and a miss with one 404', async () => {
    expect(await found('userName eq "LOOK3"')).toEqual([ids[3]]);
    expect(await found('userName eq "nobody"')).toEqual([]);
    expect(gw.fortios!.counts()).toEqual({ 'GET user/local/:name': 2 });
  });

  it('answers externalId eq and id eq from the identity map, one GET each', async () => {
    expect(await found('externalId eq "EXT-4"')).toEqual([ids[4]]);
    expect(await found(`id eq "${ids[5]}" or id eq "${ids[6]}"`)).toEqual([ids[5], ids[6]]);
    expect(await found('externalId eq "ext-none"')).toEqual([]);
    expect(gw.fortios!.counts()).toEqual({ 'GET user/local/:name': 3 });
  });

  it('narrows an and by its userName term, and evaluates the rest itself', async () => {
    expect(await found('userName eq "look1" and active eq false')).toEqual([]);
    expect(await found('userName eq "look1" and active eq true')).toEqual([ids[1]]);
    expect(gw.fortios!.counts()).toEqual({ 'GET user/local/:name': 2 });
  });

  it('reads the whole table, page by page, for a filter it cannot narrow', async () => {
    expect((await found('userName co "ook"')).sort()).toEqual([...ids].sort());
    // 10 users in pages of 4: 3 pages.
    expect(gw.fortios!.counts()).toEqual({ 'GET user/local': 3 });
  });
});
