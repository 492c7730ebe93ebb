/**
 * ldapts failures → ConnectorError (the status table in shared research A10, RFC 4511 Appendix A codes).
 *
 * How ldapts 8 reports failures (read from its Client):
 *  - a non-success LDAP result: a ResultCodeError subclass with the numeric result `code`; the server's
 *    diagnosticMessage is kept only inside `message`, as `<diagnostic> Code: 0x<hex>` (an empty diagnostic
 *    leaves just ` Code: 0x44`). matchedDN is dropped.
 *  - failing to connect: Node's own socket/TLS error, rejected as is, with its string `code` (ECONNREFUSED,
 *    ENOTFOUND, ECONNRESET, ERR_SSL_WRONG_VERSION_NUMBER, DEPTH_ZERO_SELF_SIGNED_CERT,
 *    ERR_TLS_CERT_ALTNAME_INVALID…).
 *  - everything after connecting is a plain Error with no class or code, recognisable only by ldapts' own
 *    message text: `Connection timeout` (connectTimeout), `<Request>: Operation timed out` (timeout; the
 *    socket is destroyed too), `Connection closed before message response was received…`, and `Socket
 *    error. Message type: …\n<the socket error's message>` (the original error and its code are lost).
 * The patterns below are anchored to ldapts' wording, which no server text reaches (server text only ever
 * arrives inside a ResultCodeError); test/unit/connectors/ldap/errors-ldapts.test.ts provokes them against
 * real loopback sockets, so an ldapts upgrade that rewords them fails there.
 */
import { ResultCodeError } from 'ldapts';
import { ConnectorError } from '../types.js';

const RETRY_AFTER_SEC = 5;

/** RFC 4511 Appendix A names, for messages. */
const CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'operationsError',
  2: 'protocolError',
  3: 'timeLimitExceeded',
  4: 'sizeLimitExceeded',
  8: 'strongerAuthRequired',
  11: 'adminLimitExceeded',
  12: 'unavailableCriticalExtension',
  13: 'confidentialityRequired',
  16: 'noSuchAttribute',
  17: 'undefinedAttributeType',
  18: 'inappropriateMatching',
  19: 'constraintViolation',
  20: 'attributeOrValueExists',
  21: 'invalidAttributeSyntax',
  32: 'noSuchObject',
  34: 'invalidDNSyntax',
  48: 'inappropriateAuthentication',
  49: 'invalidCredentials',
  50: 'insufficientAccessRights',
  51: 'busy',
  52: 'unavailable',
  53: 'unwillingToPerform',
  64: 'namingViolation',
  65: 'objectClassViolation',
  66: 'notAllowedOnNonLeaf',
  67: 'notAllowedOnRDN',
  68: 'entryAlreadyExists',
  69: 'objectClassModsProhibited',
  80: 'other',
};

/** The request (schema, value, naming) is at fault: 400. */
const INVALID = new Set([17, 18, 19, 21, 34, 53, 64, 65, 67]);
/** The gateway's own service account is refused: 503 via 'upstream-auth', never 401/403 (that would blame the SCIM client's token). */
const UPSTREAM_AUTH = new Set([8, 48, 49, 50]);
/** Transient server state: retry. 80 (other) is what OpenLDAP answers for back-end failures. */
const UNAVAILABLE = new Set([3, 51, 52, 80]);

/** Socket-level failures (Node's `code`): the directory cannot be reached, or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED',
]);

/** OpenSSL certificate-verification results, which Node puts in `code` as is (X509_V_ERR_* without the prefix). */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_CHAIN_TOO_LONG', 'CERT_REVOKED', 'INVALID_CA',
  'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH',
]);

/** ldapts' own connection-failure messages (see the header). */
const LDAPTS_TIMEOUT = [/^Connection timeout$/, /^\w+: Operation timed out$/];
const LDAPTS_BROKEN = [/^Connection closed before message response was received\b/, /^Socket error\. Message type: /, /^Socket connection not established$/];

/**
 * The LDAP result code. A ResultCodeError from a second copy of ldapts (CJS next to ESM) fails instanceof, so
 * also accept its shape: a numeric `code` and ldapts' ` Code: 0x…` message suffix. The suffix matters:
 * DOMException (AbortError, TimeoutError) has a numeric `code` of its own.
 */
function resultCode(err: unknown): number | undefined {
  if (err instanceof ResultCodeError) return err.code;
  if (err instanceof Error && 'code' in err && typeof err.code === 'number' && err.message.endsWith(` Code: 0x${err.code.toString(16)}`)) {
    return err.code;
  }
  return undefined;
}

function systemCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

const isTlsCode = (code: string): boolean => code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || TLS_VERIFY_CODES.has(code);

const plainMessage = (err: unknown): string => (err instanceof Error && resultCode(err) === undefined ? err.message : '');

/** The server's diagnosticMessage, which ldapts appends ` Code: 0x…` to; AD ends it with "\n\0". Capped for messages. */
function diagnostic(err: unknown): string {
  if (!(err instanceof Error)) return '';
  const text = err.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '').replace(/[\0-\x1f]+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The attribute a diagnostic names, e.g. OpenLDAP's "object class 'inetOrgPerson' requires attribute 'sn'",
 * "value of naming attribute 'uid' is not present in entry", "mail: value #0 invalid per syntax",
 * "modify/add: member: value #0 already exists". AD's diagnostics ("00000057: LdapErr: …") name none.
 */
function attributeIn(diag: string): string | undefined {
  return (
    /\battribute '([A-Za-z][\w-]*(?:;[\w-]+)*)'/i.exec(diag)?.[1] ??
    /^(?:modify\/\w+: )?([A-Za-z][\w-]*(?:;[\w-]+)*): /.exec(diag)?.[1]
  );
}

/** Whether the connection itself failed or broke, so the client wrapper should reconnect (not: the server answered an error). */
export function isConnectionError(err: unknown): boolean {
  if (resultCode(err) !== undefined) return false;
  const code = systemCode(err);
  if (code !== undefined && (NETWORK_CODES.has(code) || isTlsCode(code))) return true;
  const message = plainMessage(err);
  return [...LDAPTS_TIMEOUT, ...LDAPTS_BROKEN].some((re) => re.test(message));
}

/**
 * Whether the directory did not answer in time (ldapts' connect or operation timeout). The connection is
 * gone then too, but unlike after a restart, trying again at once would only wait out another timeout.
 */
export function isTimeout(err: unknown): boolean {
  if (resultCode(err) !== undefined) return false;
  return systemCode(err) === 'ETIMEDOUT' || LDAPTS_TIMEOUT.some((re) => re.test(plainMessage(err)));
}

function connectionProblem(err: unknown): string {
  const code = systemCode(err);
  if (code !== undefined && isTlsCode(code)) return `the TLS handshake with the directory failed (${code})`;
  if (code !== undefined) return `cannot reach the directory (${code})`;
  const message = plainMessage(err);
  if (LDAPTS_TIMEOUT.some((re) => re.test(message))) return 'the directory did not answer in time';
  // "Socket error" carries the lost socket error's message on its second line, e.g. "read ECONNRESET".
  const lost = /\n.*\b(E[A-Z]{3,})\b/.exec(message)?.[1];
  return `the connection to the directory broke${lost ? ` (${lost})` : ''}`;
}

function fromResultCode(code: number, err: unknown, what: string): ConnectorError {
  const name = CODE_NAMES[code] ?? `result code ${code}`;
  const diag = diagnostic(err);
  const said = diag ? `: ${diag}` : '';
  if (code === 68) return new ConnectorError('conflict', `${what}: an entry with that name already exists (${name})`, { cause: err });
  if (code === 32) return new ConnectorError('not-found', `${what}: no such entry in the directory (${name})`, { cause: err });
  if (INVALID.has(code)) {
    const attribute = attributeIn(diag);
    const about = attribute ? ` the value of ${attribute}` : ' the request';
    return new ConnectorError('invalid', `${what}: the directory rejected${about} (${name})${said}`, { cause: err, attribute });
  }
  if (UPSTREAM_AUTH.has(code)) {
    return new ConnectorError('upstream-auth', `${what}: the directory refused the gateway's service account (${name})${said}`, { cause: err });
  }
  if (UNAVAILABLE.has(code)) {
    return new ConnectorError('unavailable', `${what}: the directory is busy or unavailable (${name})${said}`, { cause: err, retryAfterSec: RETRY_AFTER_SEC });
  }
  if (code === 4) {
    // 'invalid' (400), not 'internal' (500): RFC 7644 §3.12 defines exactly this case as 400 tooMany ("more
    // results than the server is willing to calculate or process"). A narrower filter succeeds, while a 5xx
    // would make the client retry a request that fails the same way every time. The operator's fix (the
    // server-side limit on *paged* searches, research A7) is in the detail and in the logged cause.
    return new ConnectorError(
      'invalid',
      `${what}: the directory's size limit stopped the search (${name}); narrow the filter, or let the service account page past it ` +
        '(OpenLDAP: limits … size.prtotal=unlimited; Active Directory: page below MaxPageSize)',
      { cause: err },
    );
  }
  return new ConnectorError('internal', `${what}: the directory failed the request (${name})${said}`, { cause: err });
}

/**
 * Classifies any failure of an ldapts call. `what` names the operation for the message ("create user"): never
 * pass a filter or a credential in it. Only a result code's diagnostic and a system error code are quoted
 * from the error; other library messages are not (ldapts' filter parser quotes whole filters).
 */
export function toConnectorError(err: unknown, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const code = resultCode(err);
  if (code !== undefined) return fromResultCode(code, err, what);
  if (isConnectionError(err)) {
    return new ConnectorError('unavailable', `${what}: ${connectionProblem(err)}`, { cause: err, retryAfterSec: RETRY_AFTER_SEC });
  }
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return new ConnectorError('unavailable', `${what}: the directory did not answer in time`, { cause: err, retryAfterSec: RETRY_AFTER_SEC });
  }
  const kind = err instanceof Error ? err.name : typeof err;
  return new ConnectorError('internal', `${what}: unexpected ${kind} from the directory client`, { cause: err });
}

/**
 * Whether a failed single-value modify already had the wanted effect (RFC 4511 §4.6): adding a value that is
 * there (20 attributeOrValueExists; AD: 68 with Win32 ERROR_MEMBER_IN_GROUP 0x562 for `member`) or deleting
 * one that is not (16 noSuchAttribute; AD: 53 with ERROR_MEMBER_NOT_IN_GROUP 0x561). A modify is atomic, so
 * this only means "done" when that value was the request's only change; otherwise nothing was applied.
 */
export function isIdempotentSuccess(error: unknown, op: 'add-value' | 'delete-value'): boolean {
  // The session hands out ConnectorErrors; the LDAP answer is their cause.
  const err = error instanceof ConnectorError && error.cause !== undefined ? error.cause : error;
  const code = resultCode(err);
  const win32 = /^([0-9A-F]{8}):/i.exec(diagnostic(err))?.[1]?.toUpperCase();
  if (op === 'add-value') return code === 20 || (code === 68 && win32 === '00000562');
  return code === 16 || (code === 53 && win32 === '00000561');
}
