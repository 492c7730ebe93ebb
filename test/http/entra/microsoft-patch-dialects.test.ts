/**
 * The PATCH requests of Microsoft's "SCIM 2.0 protocol compliance" page (test/fixtures/entra/compat-*.json),
 * in both dialects: what Entra sends by default and what it sends with `aadOptscim062020` in the Tenant URL.
 * The flag does not apply to on-demand provisioning, so one tenant sends both; the gateway must apply each
 * to the same effect (checklist D1, D2, D5, D6, E2, E3, I1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStored, asStoredAttr, itStores, stores, storesEnterprise } from '../../support/backend.js';
import { startTestGateway, type TestGateway } from '../../support/build-app.js';
import {
  createGroup,
  createUser,
  docDialects,
  entra,
  ENTERPRISE,
  expectScimJson,
  memberIds,
  patchOp,
  substitute,
  type EntraClient,
  type Json,
} from './entra-client.js';

const DIALECTS = ['default', 'aadOptscim062020'] as const;

describe("Microsoft's PATCH samples, with and without the aadOptscim062020 flag", () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
  });
  afterAll(async () => gw.close());

  const disable = docDialects('compat-disable-user');
  const addSingle = docDialects('compat-add-single-value');
  const replaceMany = docDialects('compat-replace-multiple');
  const removeMember = docDialects('compat-remove-member');

  it('the fixtures show the documented differences: capitalised op and "False" by default, lowercase op and false with the flag', () => {
    expect(disable.default.body['Operations']).toEqual([{ op: 'Replace', path: 'active', value: 'False' }]);
    expect(disable.aadOptscim062020.body['Operations']).toEqual([{ op: 'replace', path: 'active', value: false }]);
  });

  for (const dialect of DIALECTS) {
    it(`Entra's disable-user PATCH in the ${dialect} dialect sets active to the boolean false`, async () => {
      const user = await createUser(c);
      const res = await c.patch(`/Users/${String(user['id'])}`, disable[dialect].body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expectScimJson(res);
      expect(res.body.active).toBe(false);
      const read = await c.get(`/Users/${String(user['id'])}`);
      expect(read.body.active).toBe(false);
    });

    it(`Entra's add-single-value PATCH (nickName) in the ${dialect} dialect sets the attribute, and a second Add replaces it`, async () => {
      const user = await createUser(c);
      const id = String(user['id']);
      const res = await c.patch(`/Users/${id}`, addSingle[dialect].body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // Accepted everywhere; read back where the backend stores nickName (json-file), absent where it does not (LDAP).
      expect(res.body.nickName).toBe(asStoredAttr('nickName', 'Babs'));
      // Add on a single-valued attribute replaces it (RFC 7644 §3.5.2.1).
      const again = await c.patch(`/Users/${id}`, substitute(addSingle[dialect].body, { Babs: 'Barbara' }));
      expect(again.status).toBe(200);
      expect(again.body.nickName).toBe(asStoredAttr('nickName', 'Barbara'));
    });

    it(`Entra's replace-multiple-attributes PATCH in the ${dialect} dialect sets every attribute, including dotted and URN-qualified keys`, async () => {
      const user = await createUser(c);
      const id = String(user['id']);
      const res = await c.patch(`/Users/${id}`, replaceMany[dialect].body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const read = (await c.get(`/Users/${id}`)).body as Json;
      if (dialect === 'default') {
        expect(read).toMatchObject(
          asStored({
            displayName: 'Pvlo',
            emails: [{ type: 'work', value: 'TestBcwqnm@test.microsoft.com', primary: true }],
            name: { givenName: 'Gtfd', familyName: 'Pkqf' },
            externalId: 'Eqpj',
            [ENTERPRISE]: { employeeNumber: 'Eqpj' },
          }),
        );
      } else {
        // The no-path op's keys are attribute paths ("name.givenName", "urn:…:employeeNumber"), not
        // literal attribute names: they set sub-attributes and the extension attribute.
        expect(read).toMatchObject(
          asStored({
            displayName: 'Bjfe',
            emails: [{ type: 'work', value: 'TestMhvaes@test.microsoft.com', primary: true }],
            name: { givenName: 'Kkom', familyName: 'Unua', formatted: 'givenName familyName' },
            [ENTERPRISE]: { employeeNumber: 'Aklq' },
          }),
        );
        expect(read).not.toHaveProperty(['name.givenName']);
        expect(read.externalId).toBe(user['externalId']);
      }
      expect(read['emails'] ?? []).toHaveLength(stores('emails[type eq "work"].value') ? 1 : 0);
      if (storesEnterprise()) expect(read['schemas']).toContain(ENTERPRISE);
      expect(read['id']).toBe(id);
    });

    it(`Entra's remove-group-member PATCH in the ${dialect} dialect gets 204 and removes only that member`, async () => {
      const leaving = String((await createUser(c))['id']);
      const staying = String((await createUser(c))['id']);
      const group = await createGroup(c);
      const gid = String(group['id']);
      const added = await c.patch(`/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: leaving }, { value: staying }] }));
      expect(added.status).toBe(204);
      // Substitute the doc's member ids ("u1091" and a GUID) with ours.
      const body = substitute(removeMember[dialect].body, { u1091: leaving, '7f4bc1a3-285e-48ae-8202-5accb43efb0e': leaving });
      const res = await c.patch(`/Groups/${gid}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(204);
      expect(res.text).toBe('');
      expect(await memberIds(c, gid)).toEqual([staying]);
    });
  }

  itStores(['displayName', 'name.givenName', 'name.familyName', `${ENTERPRISE}:employeeNumber`], 'one user can receive both dialects in turn (scheduled cycle, then on-demand provisioning) and ends in the same state', async () => {
    const user = await createUser(c);
    const id = String(user['id']);
    expect((await c.patch(`/Users/${id}`, replaceMany.aadOptscim062020.body)).status).toBe(200);
    expect((await c.patch(`/Users/${id}`, replaceMany.default.body)).status).toBe(200);
    expect((await c.patch(`/Users/${id}`, disable.aadOptscim062020.body)).status).toBe(200);
    const reenable = await c.patch(`/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'True' }));
    expect(reenable.body.active).toBe(true);
    expect((await c.patch(`/Users/${id}`, disable.default.body)).body.active).toBe(false);
    const read = (await c.get(`/Users/${id}`)).body as Json;
    expect(read).toMatchObject({ displayName: 'Pvlo', name: { givenName: 'Gtfd', familyName: 'Pkqf' }, active: false, [ENTERPRISE]: { employeeNumber: 'Eqpj' } });
  });
});
