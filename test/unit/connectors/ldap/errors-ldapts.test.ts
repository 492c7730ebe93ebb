/**
 * Provokes each way ldapts reports a connection problem, against throwaway loopback servers (no LDAP server
 * needed), and checks errors.ts classifies what ldapts really throws. If an ldapts upgrade changes a message
 * or drops a code, this fails rather than the gateway answering 500 instead of 503.
 */
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Client, type ClientOptions } from 'ldapts';
import { isConnectionError, toConnectorError } from '../../../../connectors/ldap/errors.js';

const CERT = readFileSync(new URL('../../../fixtures/tls/test-cert.pem', import.meta.url));
const KEY = readFileSync(new URL('../../../fixtures/tls/test-key.pem', import.meta.url));

const servers: Server[] = [];
const sockets = new Set<Socket>();

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const ports: Record<'closed' | 'closeOnData' | 'resetOnData' | 'silent' | 'plainGarbage' | 'tls', number> = {
  closed: 0,
  closeOnData: 0,
  resetOnData: 0,
  silent: 0,
  plainGarbage: 0,
  tls: 0,
};

beforeAll(async () => {
  // A port nobody listens on: listen, note it, close.
  const probe = createTcpServer();
  ports.closed = await listen(probe);
  await new Promise((r) => probe.close(r));
  ports.closeOnData = await listen(createTcpServer((s) => s.on('data', () => s.end())));
  ports.resetOnData = await listen(createTcpServer((s) => s.on('data', () => s.resetAndDestroy())));
  ports.silent = await listen(createTcpServer(() => {}));
  ports.plainGarbage = await listen(createTcpServer((s) => s.on('data', () => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'))));
  const tls = createTlsServer({ cert: CERT, key: KEY }, (s) => s.on('data', () => s.end()));
  tls.on('tlsClientError', () => {});
  ports.tls = await listen(tls);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** The error one search throws with these client options. */
async function failure(options: ClientOptions): Promise<unknown> {
  const client = new Client(options);
  try {
    await client.search('dc=example,dc=com', { attributes: ['1.1'] });
  } catch (err) {
    return err;
  } finally {
    await client.unbind().catch(() => undefined);
  }
  throw new Error('the search succeeded');
}

describe('ldapts connection failures → unavailable', () => {
  it.each([
    ['connection refused', () => ({ url: `ldap://127.0.0.1:${ports.closed}` }), 'cannot reach the directory (ECONNREFUSED)'],
    ['closed mid-request', () => ({ url: `ldap://127.0.0.1:${ports.closeOnData}` }), 'the connection to the directory broke'],
    ['reset mid-request', () => ({ url: `ldap://127.0.0.1:${ports.resetOnData}` }), 'the connection to the directory broke (ECONNRESET)'],
    ['operation timeout', () => ({ url: `ldap://127.0.0.1:${ports.silent}`, timeout: 200 }), 'the directory did not answer in time'],
    ['connect timeout (TLS handshake never answered)', () => ({ url: `ldaps://127.0.0.1:${ports.silent}`, connectTimeout: 200 }), 'the directory did not answer in time'],
    ['ldaps:// to a plain-text port', () => ({ url: `ldaps://127.0.0.1:${ports.plainGarbage}` }), 'the TLS handshake with the directory failed (ERR_SSL_WRONG_VERSION_NUMBER)'],
    ['untrusted certificate', () => ({ url: `ldaps://127.0.0.1:${ports.tls}` }), 'the TLS handshake with the directory failed (DEPTH_ZERO_SELF_SIGNED_CERT)'],
    [
      'certificate for another name',
      () => ({ url: `ldaps://127.0.0.1:${ports.tls}`, tlsOptions: { ca: [CERT], servername: 'ldap.example.org' } }),
      'the TLS handshake with the directory failed (ERR_TLS_CERT_ALTNAME_INVALID)',
    ],
    ['trusted TLS, then closed', () => ({ url: `ldaps://127.0.0.1:${ports.tls}`, tlsOptions: { ca: [CERT] } }), 'the connection to the directory broke'],
  ] as const)('%s', async (_, options, says) => {
    const err = await failure(options());
    expect(isConnectionError(err)).toBe(true);
    const e = toConnectorError(err, 'list users');
    expect(e).toMatchObject({ kind: 'unavailable', retryAfterSec: 5, message: `list users: ${says}` });
    expect(e.cause).toBe(err);
  });
});
