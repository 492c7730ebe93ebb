/**
 * The XML API wire: every call is `POST /api/` with form fields (research B2: "send requests as POST with
 * application/x-www-form-urlencoded"; a GET query string would put XPaths and password-hash commands in URLs
 * that proxies log), the key in `X-PAN-KEY`, through the shared Transport.
 */
import type { Secret } from '../../../src/config/secret.js';
import { ConnectorError } from '../../types.js';
import type { Transport } from '../api.js';
import { PanosApiError, mapPanosError, readReply, type PanosReply } from './errors.js';
import { child, escapeXml, hasNonXmlChars, textOf } from './xml.js';

export type ConfigAction = 'get' | 'set' | 'edit' | 'delete' | 'rename';

export interface PanosCall {
  /** For logs and error messages ("create user jdoe"); never holds a secret. */
  readonly what: string;
  /** May the transport send it again after a failed attempt (same effect twice)? */
  readonly idempotent: boolean;
}

export class PanosClient {
  readonly #transport: Transport;
  readonly #apiKey: Secret;

  constructor(transport: Transport, apiKey: Secret) {
    this.#transport = transport;
    this.#apiKey = apiKey;
  }

  config(action: ConfigAction, xpath: string, fields: Readonly<Record<string, string>>, call: PanosCall, signal: AbortSignal): Promise<PanosReply> {
    return this.#send({ type: 'config', action, xpath, ...fields }, call, signal);
  }

  op(cmd: string, call: PanosCall, signal: AbortSignal): Promise<PanosReply> {
    return this.#send({ type: 'op', cmd }, call, signal);
  }

  commit(cmd: string, call: PanosCall, signal: AbortSignal): Promise<PanosReply> {
    return this.#send({ type: 'commit', cmd }, call, signal);
  }

  /**
   * PAN-OS's own hash of `password` (`request password-hash`: MD5-crypt, or SHA-256-crypt in FIPS/CC mode),
   * so the firewall never stores or receives anything but a hash in its config. The clear password travels
   * only inside this op's form body; an error that echoes it has it replaced before anyone sees the message.
   */
  async hashPassword(password: string, signal: AbortSignal): Promise<string> {
    if (hasNonXmlChars(password)) throw new ConnectorError('invalid', 'the password holds characters XML cannot carry', { attribute: 'password' });
    const cmd = `<request><password-hash><password>${escapeXml(password)}</password></password-hash></request>`;
    let reply: PanosReply;
    try {
      reply = await this.op(cmd, { what: 'hash a password', idempotent: true }, signal);
    } catch (err) {
      throw redacted(err, [password, escapeXml(password)]);
    }
    const text = textOf(child(reply.result, 'phash')).trim();
    if (text === '') throw new ConnectorError('internal', 'PAN-OS answered the password-hash op without a <phash>');
    return text;
  }

  async #send(form: Record<string, string>, call: PanosCall, signal: AbortSignal): Promise<PanosReply> {
    const res = await this.#transport.request(
      {
        method: 'POST',
        path: '/api/',
        headers: { 'X-PAN-KEY': this.#apiKey.reveal() },
        form,
        idempotent: call.idempotent,
        what: call.what,
      },
      signal,
    );
    return readReply(res, call.what);
  }
}

function redacted(err: unknown, secrets: readonly string[]): unknown {
  if (!(err instanceof ConnectorError) || !(err.cause instanceof PanosApiError)) return err;
  const clean = (s: string): string => secrets.reduce((acc, x) => (x === '' ? acc : acc.split(x).join('[REDACTED]')), s);
  if (!secrets.some((x) => x !== '' && (err.message.includes(x) || (err.cause as Error).message.includes(x)))) return err;
  const cause = err.cause;
  return mapPanosError(new PanosApiError(cause.code, cause.httpStatus, clean(cause.message)), 'hash a password');
}
