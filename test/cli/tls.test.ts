/**
 * serve() with server.tls: HTTPS with the configured certificate, TLS 1.2 at least, and the same SCIM API.
 * Certificate: test/fixtures/tls (self-signed for 127.0.0.1, test-only).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { serve, type RunningGateway } from '../../src/server.js';
import { freePort } from '../support/cli-build.js';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const TOKEN = 'tls-test-token-0123456789abcdefghij';
let dir: string;
let gw: RunningGateway;

function get(path: string, opts: { token?: string; maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' } = {}): Promise<{ status: number; body: string; protocol: string | null }> {
  const url = new URL(path, gw.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        // The fixture is self-signed; trust it explicitly rather than turning verification off.
        ca: [certText],
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
        // SECLEVEL=0 lets this client really offer TLS 1.1, so a refusal comes from the server.
        ...(opts.maxVersion ? { maxVersion: opts.maxVersion, minVersion: 'TLSv1' as const, ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      },
      (res) => {
        const protocol = (res.socket as TLSSocket).getProtocol();
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let certText = '';

beforeAll(async () => {
  certText = await readFile(join(TLS_DIR, 'test-cert.pem'), 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'scimbridge-tls-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'gateway.yaml'),
    `server:
  host: 127.0.0.1
  port: ${port}
  tls:
    certFile: ${JSON.stringify(join(TLS_DIR, 'test-cert.pem'))}
    keyFile: ${JSON.stringify(join(TLS_DIR, 'test-key.pem'))}
connectors:
  - local.yaml
endpoints:
  - path: /scim/v2
    connector: local
    tokens:
      - ${TOKEN}
`,
  );
  await writeFile(join(dir, 'local.yaml'), `id: local\ntype: json-file\noptions:\n  dir: ${JSON.stringify(join(dir, 'data'))}\n  fsync: false\n`);
  gw = await serve({ configFile: join(dir, 'gateway.yaml'), log: silentLogger });
});

afterAll(async () => {
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('serve with server.tls', () => {
  it('serves the SCIM API over HTTPS with the configured certificate', async () => {
    expect(gw.url.startsWith('https://')).toBe(true);
    const r = await get('/scim/v2/Users?filter=userName%20eq%20%22nobody%22', { token: TOKEN });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ totalResults: 0 });
    expect(['TLSv1.2', 'TLSv1.3']).toContain(r.protocol);
  });

  it('refuses TLS 1.1 (Entra requires 1.2 or later)', async () => {
    await expect(get('/healthz', { maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });
});
