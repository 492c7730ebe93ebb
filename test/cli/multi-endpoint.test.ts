/**
 * Two SCIM endpoints on two json-file connectors, each with its own token, served in-process by serve() from a
 * temp gateway file (the same path the CLI takes): tokens open one endpoint only, data does not leak across,
 * endpoint paths match whole segments only. A last case drives createApp directly with overlapping paths,
 * which the config loader refuses but an embedding program could still pass.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../../connectors/index.js';
import { jsonFileConfigSchema, jsonFileDefaultMapping } from '../../connectors/json-file/config.js';
import { ConfigError } from '../../src/config/index.js';
import { DEFAULT_QUEUE, startConnector } from '../../src/core/connectors.js';
import type { ConnectorRuntime } from '../../src/core/runtime.js';
import { hashToken } from '../../src/http/auth.js';
import { createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/log.js';
import { loadGatewayConfig, serve, type RunningGateway } from '../../src/server.js';
import { freePort } from '../support/cli-build.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const MAIN = '/scim/v2';
const ACME = '/tenants/acme/scim/v2';
const MAIN_TOKEN = `main-${randomBytes(16).toString('hex')}`;
const ACME_TOKEN = `acme-${randomBytes(16).toString('hex')}`;

let dir: string;
let gw: RunningGateway;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scimbridge-multi-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'gateway.yaml'),
    `server:
  host: 127.0.0.1
  port: ${port}
connectors:
  - main.yaml
  - acme.yaml
endpoints:
  - path: ${MAIN}
    connector: main
    tokens:
      - ${MAIN_TOKEN}
  - path: ${ACME}
    connector: acme
    tokens:
      - value: \${env:ACME_TOKEN}
`,
  );
  const connector = (id: string) => `id: ${id}\ntype: json-file\noptions:\n  dir: ${JSON.stringify(join(dir, `${id}-data`))}\n  fsync: false\n`;
  await writeFile(join(dir, 'main.yaml'), connector('main'));
  await writeFile(join(dir, 'acme.yaml'), connector('acme'));
  gw = await serve({ configFile: join(dir, 'gateway.yaml'), env: { ACME_TOKEN }, log: silentLogger });
});
afterAll(async () => {
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(base: string, path: string, token: string | undefined, init: { method?: string; body?: unknown } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/scim+json';
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const createUser = (endpoint: string, token: string, userName: string, displayName: string) =>
  call(gw.url, `${endpoint}/Users`, token, { method: 'POST', body: { schemas: [USER_SCHEMA], userName, displayName } });

const byUserName = (endpoint: string, token: string, userName: string) =>
  call(gw.url, `${endpoint}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, token);

describe('two endpoints on two connectors', () => {
  it('accepts each token on its own endpoint only', async () => {
    expect((await call(gw.url, `${MAIN}/Users`, MAIN_TOKEN)).status).toBe(200);
    expect((await call(gw.url, `${ACME}/Users`, ACME_TOKEN)).status).toBe(200);
    expect((await call(gw.url, `${MAIN}/Users`, ACME_TOKEN)).status).toBe(401);
    expect((await call(gw.url, `${ACME}/Users`, MAIN_TOKEN)).status).toBe(401);
    expect((await call(gw.url, `${ACME}/ServiceProviderConfig`, MAIN_TOKEN)).status).toBe(401);
    expect((await createUser(ACME, MAIN_TOKEN, 'intruder@example.com', 'Intruder')).status).toBe(401);
    expect((await byUserName(ACME, ACME_TOKEN, 'intruder@example.com')).body['totalResults']).toBe(0);
  });

  it('keeps the data of each endpoint invisible to the other', async () => {
    const main = await createUser(MAIN, MAIN_TOKEN, 'main-only@example.com', 'Main Only');
    expect(main.status).toBe(201);
    const mainId = String(main.body['id']);
    expect(String((main.body['meta'] as { location: string }).location)).toBe(`${gw.url}${MAIN}/Users/${mainId}`);

    // The same userName on both: two stores, no conflict, two different users.
    const sharedMain = await createUser(MAIN, MAIN_TOKEN, 'both@example.com', 'Both (main)');
    const sharedAcme = await createUser(ACME, ACME_TOKEN, 'both@example.com', 'Both (acme)');
    expect([sharedMain.status, sharedAcme.status]).toEqual([201, 201]);
    expect(sharedAcme.body['id']).not.toBe(sharedMain.body['id']);
    expect(String((sharedAcme.body['meta'] as { location: string }).location)).toBe(`${gw.url}${ACME}/Users/${String(sharedAcme.body['id'])}`);

    expect((await byUserName(ACME, ACME_TOKEN, 'main-only@example.com')).body['totalResults']).toBe(0);
    expect((await call(gw.url, `${ACME}/Users/${mainId}`, ACME_TOKEN)).status).toBe(404);
    const acmeBoth = await byUserName(ACME, ACME_TOKEN, 'both@example.com');
    expect(acmeBoth.body['Resources']).toMatchObject([{ id: sharedAcme.body['id'], displayName: 'Both (acme)' }]);
    const mainBoth = await byUserName(MAIN, MAIN_TOKEN, 'both@example.com');
    expect(mainBoth.body['Resources']).toMatchObject([{ id: sharedMain.body['id'], displayName: 'Both (main)' }]);

    // A delete on one leaves the other's user alone.
    expect((await call(gw.url, `${ACME}/Users/${String(sharedAcme.body['id'])}`, ACME_TOKEN, { method: 'DELETE' })).status).toBe(204);
    expect((await call(gw.url, `${MAIN}/Users/${String(sharedMain.body['id'])}`, MAIN_TOKEN)).status).toBe(200);

    // And on disk: two documents.
    await gw.stop();
    const stored = async (id: string) =>
      (JSON.parse(await readFile(join(dir, `${id}-data`, 'scimbridge.json'), 'utf8')) as { users: { fields: { userName: string } }[] }).users
        .map((u) => u.fields.userName)
        .sort();
    expect(await stored('main')).toEqual(['both@example.com', 'main-only@example.com']);
    expect(await stored('acme')).toEqual([]);
    gw = await serve({ configFile: join(dir, 'gateway.yaml'), env: { ACME_TOKEN }, log: silentLogger });
  });

  it('matches endpoint paths by whole segments: /tenants/acme/scim/v2x and /scim/v2x are 404 with any token', async () => {
    for (const path of [`${ACME}x/Users`, `${MAIN}x/Users`, '/tenants/acme/Users', '/tenants/acme/scim/Users']) {
      for (const token of [undefined, MAIN_TOKEN, ACME_TOKEN]) {
        const r = await call(gw.url, path, token);
        expect(r.status, `${path} with ${token === undefined ? 'no token' : token.slice(0, 4)}`).toBe(404);
        expect(r.body['schemas']).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      }
    }
  });

  it('refuses, in the config, endpoint paths where one is a prefix of the other', async () => {
    const overlap = join(dir, 'overlap.yaml');
    await writeFile(
      overlap,
      `connectors:\n  - main.yaml\n  - acme.yaml\nendpoints:\n  - path: /tenants/acme\n    connector: main\n    tokens:\n      - ${MAIN_TOKEN}\n` +
        `  - path: ${ACME}\n    connector: acme\n    tokens:\n      - ${ACME_TOKEN}\n`,
    );
    const err = await loadGatewayConfig(overlap, builtinConnectors, {}, false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => [i.path, i.message])).toEqual([
      ['endpoints[1].path', expect.stringContaining('overlaps endpoints[0].path') as unknown],
    ]);
  });
});

describe('createApp with overlapping endpoint paths (an embedding program, not the config)', () => {
  let server: Server;
  const runtimes: ConnectorRuntime[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    const start = async (id: string) => {
      const d = await mkdtemp(join(tmpdir(), `scimbridge-overlap-${id}-`));
      dirs.push(d);
      const rt = await startConnector(
        { id, type: 'json-file', options: jsonFileConfigSchema.parse({ dir: d, fsync: false }), mapping: jsonFileDefaultMapping, queue: DEFAULT_QUEUE },
        builtinConnectors,
        silentLogger,
      );
      runtimes.push(rt);
      return rt;
    };
    const [short, long] = [await start('short'), await start('long')];
    // Shorter first, so that a first-match dispatcher would get it wrong.
    const app = createApp({
      endpoints: [
        { path: '/tenants/acme', runtime: short, tokenDigests: [hashToken(MAIN_TOKEN)] },
        { path: ACME, runtime: long, tokenDigests: [hashToken(ACME_TOKEN)] },
      ],
      log: silentLogger,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await Promise.all(runtimes.map((r) => r.connector.stop()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('sends a request to the longest matching endpoint, never to a shorter one that prefixes it', async () => {
    const { port } = server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    expect((await call(base, `${ACME}/Users`, ACME_TOKEN)).status).toBe(200);
    // The shorter endpoint's token does not open the longer endpoint's paths.
    expect((await call(base, `${ACME}/Users`, MAIN_TOKEN)).status).toBe(401);
    const created = await call(base, `${ACME}/Users`, ACME_TOKEN, { method: 'POST', body: { schemas: [USER_SCHEMA], userName: 'long@example.com' } });
    expect(created.status).toBe(201);
    const long = await call(base, `${ACME}/Users?filter=${encodeURIComponent('userName eq "long@example.com"')}`, ACME_TOKEN);
    expect(long.body['totalResults']).toBe(1);
    const short = await call(base, `/tenants/acme/Users?filter=${encodeURIComponent('userName eq "long@example.com"')}`, MAIN_TOKEN);
    expect(short.status).toBe(200);
    expect(short.body['totalResults']).toBe(0);
  });
});
