/**
 * Entra's "Test Connection" (checklist A8): it queries the matching attribute with a random GUID and
 * expects 200 with an empty ListResponse; it also fetches a random user and a random group, so /Groups
 * must answer 200 even on an endpoint that stores no groups. A 401 or 404 here fails the test in the
 * portal, and the same answers during cycles put the job in quarantine (G4).
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../../connectors/types.js';
import { createApp } from '../../../src/http/app.js';
import { hashToken } from '../../../src/http/auth.js';
import { silentLogger } from '../../../src/log.js';
import { itStores } from '../../support/backend.js';
import { BASE, startTestGateway, TOKEN, type TestGateway } from '../../support/build-app.js';
import { createGroup, createUser, entra, entraQuery, expectEmptyList, expectScimError, guid, type EntraClient } from './entra-client.js';

describe("Entra's Test Connection against a gateway with users and groups", () => {
  let gw: TestGateway;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    c = entra(gw);
    // A store that is not empty, so "empty" really means "no match".
    await createUser(c);
    await createGroup(c);
  });
  afterAll(async () => gw.close());

  it("Entra's Test Connection probe on /Users by userName with a random GUID gets 200 and an empty list", async () => {
    expectEmptyList(await c.get(`/Users?filter=${entraQuery(`userName eq "${guid()}"`)}`));
  });

  it("Entra's Test Connection probe on /Users written with literal spaces and quotes gets 200 and an empty list", async () => {
    expectEmptyList(await c.get(`/Users?filter=userName eq "${guid()}"`));
  });

  it("Entra's Test Connection probe on /Users by externalId (another matching attribute) gets 200 and an empty list", async () => {
    expectEmptyList(await c.get(`/Users?filter=${entraQuery(`externalId eq "${guid()}"`)}`));
  });

  itStores('emails[type eq "work"].value', "Entra's Test Connection probe on /Users by the work email (a documented matching attribute) gets 200 and an empty list", async () => {
    expectEmptyList(await c.get(`/Users?filter=${entraQuery(`emails[type eq "work"].value eq "${guid()}@testuser.com"`)}`));
  });

  it("Entra's Test Connection probe on /Groups gets 200 and an empty list", async () => {
    expectEmptyList(await c.get(`/Groups?filter=${entraQuery(`displayName eq "${guid()}"`)}`));
  });

  // Entra probes groups by their matching attribute; externalId only where the backend stores (and so offers) it.
  itStores(
    'externalId',
    "Entra's group probe with excludedAttributes=members before the filter on externalId gets 200 and an empty list",
    async () => {
      expectEmptyList(await c.get(`/Groups?excludedAttributes=members&filter=${entraQuery(`externalId eq "${guid()}"`)}`));
    },
    { kind: 'group' },
  );

  itStores(
    'externalId',
    "Entra's group probe with the parameters in the other order gets the same empty list",
    async () => {
      expectEmptyList(await c.get(`/Groups?filter=${entraQuery(`externalId eq "${guid()}"`)}&excludedAttributes=members`));
    },
    { kind: 'group' },
  );

  it("Entra's fetch of a random user id gets a 404 SCIM error, not a 401 (the token is fine)", async () => {
    expectScimError(await c.get(`/Users/${guid()}`), 404);
    expectScimError(await c.get(`/Groups/${guid()}?excludedAttributes=members`), 404);
  });

  it("Entra's Test Connection with a wrong Secret Token gets 401 with a SCIM error, so the portal reports bad credentials", async () => {
    const res = await entra(gw)
      .get(`/Users?filter=${entraQuery(`userName eq "${guid()}"`)}`)
      .set('Authorization', 'Bearer not-the-secret-token');
    expectScimError(res, 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});

describe("Entra's Test Connection against an endpoint whose connector stores users only", () => {
  let gw: TestGateway;
  let server: Server;
  let c: EntraClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    const inner = gw.runtime.connector;
    const usersOnly: Connector = {
      capabilities: { ...inner.capabilities, groups: false },
      start: async () => undefined,
      stop: async () => undefined,
      check: (ctx) => inner.check(ctx),
      users: inner.users,
    };
    const app = createApp({
      endpoints: [{ path: BASE, runtime: { ...gw.runtime, connector: usersOnly }, tokenDigests: [hashToken(TOKEN)] }],
      log: silentLogger,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    c = entra({ server });
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await gw.close();
  });

  it("Entra's Test Connection probe on /Groups of a users-only endpoint still gets 200 and an empty list, never 404", async () => {
    expectEmptyList(await c.get(`/Groups?excludedAttributes=members&filter=${entraQuery(`displayName eq "${guid()}"`)}`));
    expectEmptyList(await c.get('/Groups'));
  });

  it("Entra's Test Connection probe on /Users of a users-only endpoint gets 200 and an empty list", async () => {
    expectEmptyList(await c.get(`/Users?filter=${entraQuery(`userName eq "${guid()}"`)}`));
  });

  it('a users-only endpoint does not advertise Groups in /ResourceTypes, so Entra offers no group mapping', async () => {
    const res = await c.get('/ResourceTypes');
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User']);
  });
});
