/**
 * One bound ldapts client per connector (ldapts multiplexes operations on one connection; the research
 * notes measured 16 in flight on one connection as fast as 16 connections). Bound as the service account,
 * rebuilt and re-bound whenever the connection is gone, so a directory restart needs no gateway restart.
 *
 * ldapts' own autoRebind is not used: it does not cover StartTLS sessions, and after a restart the first
 * operation still fails with "Connection closed before message response" (research notes, failure mode
 * 12). Instead a connection error drops the client, and an idempotent operation is retried once on a
 * fresh, bound client (not after a timeout); others answer 503 so the SCIM client retries after reading back.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { Secret } from '../../src/config/secret.js';
import type { Logger } from '../../src/log.js';
import { ConnectorError } from '../types.js';
import type { LdapConfig } from './config.js';
import { isConnectionError, isTimeout, toConnectorError } from './errors.js';

export class LdapSession {
  readonly #cfg: LdapConfig;
  readonly #tls: ConnectionOptions;
  #client: Client | undefined;
  #ready: Promise<Client> | undefined;
  #closed = false;
  #log: Logger | undefined;

  constructor(cfg: LdapConfig) {
    this.#cfg = cfg;
    const { caFile, rejectUnauthorized, servername } = cfg.tls;
    this.#tls = {
      rejectUnauthorized,
      minVersion: 'TLSv1.2',
      ...(caFile ? { ca: [readFileSync(caFile, 'utf8')] } : {}),
      ...(servername ? { servername } : {}),
    };
  }

  set log(log: Logger) {
    this.#log = log;
  }

  /** Connect, StartTLS if configured, bind. Shared by concurrent callers. */
  #connect(): Promise<Client> {
    if (this.#closed) return Promise.reject(new ConnectorError('unavailable', 'the LDAP connector is stopped', { retryAfterSec: 5 }));
    this.#ready ??= (async () => {
      const { url, timeoutMs, connectTimeoutMs, startTLS, bindDN, bindPassword } = this.#cfg;
      // ldapts speaks TLS from the first byte whenever tlsOptions are given, so only for ldaps://.
      const secure = /^ldaps:/i.test(url);
      const client = new Client({ url, timeout: timeoutMs, connectTimeout: connectTimeoutMs, strictDN: false, ...(secure ? { tlsOptions: this.#tls } : {}) });
      try {
        // ldapts hands only these options to the TLS layer on StartTLS, so without `host` the certificate
        // would be checked against "localhost" instead of the directory's name.
        if (startTLS) await client.startTLS({ host: new URL(url).hostname, ...this.#tls });
        await client.bind(bindDN, (bindPassword as Secret).reveal());
      } catch (err) {
        await client.unbind().catch(() => undefined);
        throw toConnectorError(err, `bind as ${bindDN}`);
      }
      this.#client = client;
      return client;
    })();
    const ready = this.#ready;
    ready.catch(() => {
      if (this.#ready === ready) this.#ready = undefined;
    });
    return ready;
  }

  /**
   * The bound client, connecting when there is none. A client whose connection closed under us (a server
   * restart, a timeout) is dropped, never reused: ldapts would reconnect it by itself, unbound, and two
   * operations reconnecting one client at once can leave one of them waiting for ever (the second connect
   * clears the first one's timer and error listener).
   */
  #bound(): Promise<Client> {
    const current = this.#client;
    if (current?.isConnected) return Promise.resolve(current);
    if (current) this.#drop(current);
    return this.#connect();
  }

  /** Forget the current client (its connection broke); the next operation connects again. */
  #drop(client: Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#ready = undefined;
    void client.unbind().catch(() => undefined);
  }

  /**
   * Run `fn` on a bound client. Errors become ConnectorErrors (errors.ts); a broken connection is dropped
   * and, for idempotent operations, `fn` runs once more on a fresh connection.
   */
  async run<T>(what: string, fn: (c: Client) => Promise<T>, opts: { idempotent: boolean }): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#bound();
      try {
        // Closed while we waited for the bind shared with other callers: a broken connection like any other.
        if (!client.isConnected) throw new Error('Socket connection not established');
        return await fn(client);
      } catch (err) {
        if (!isConnectionError(err)) throw toConnectorError(err, what);
        this.#drop(client);
        this.#log?.warn({ op: what, attempt, err: (err as Error).message }, 'ldap connection lost');
        // A hung directory gets no second try: the caller's 503 comes after one timeout, not two.
        if (!opts.idempotent || attempt >= 2 || isTimeout(err)) throw toConnectorError(err, what);
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    this.#ready = undefined;
    await client?.unbind().catch(() => undefined);
  }
}
