import { describe, it, expect } from 'vitest';
import {
  AdminLimitExceededError,
  AlreadyExistsError,
  BusyError,
  ConstraintViolationError,
  InappropriateAuthError,
  InappropriateMatchingError,
  InsufficientAccessError,
  InvalidCredentialsError,
  InvalidDNSyntaxError,
  InvalidSyntaxError,
  NamingViolationError,
  NoSuchAttributeError,
  NoSuchObjectError,
  NotAllowedOnRDNError,
  ObjectClassViolationError,
  SizeLimitExceededError,
  StrongAuthRequiredError,
  TimeLimitExceededError,
  TypeOrValueExistsError,
  UnavailableError,
  UndefinedTypeError,
  UnknownStatusCodeError,
  UnwillingToPerformError,
} from 'ldapts';
import { ConnectorError, type ConnectorErrorKind } from '../../../../connectors/types.js';
import { isConnectionError, isIdempotentSuccess, toConnectorError } from '../../../../connectors/ldap/errors.js';

const kindOf = (err: unknown): ConnectorErrorKind => toConnectorError(err, 'op').kind;
const sysError = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('toConnectorError: LDAP result codes (RFC 4511 Appendix A)', () => {
  it.each([
    [new AlreadyExistsError(), 'conflict'],
    [new NoSuchObjectError(), 'not-found'],
    [new ObjectClassViolationError(), 'invalid'],
    [new InvalidSyntaxError(), 'invalid'],
    [new InvalidDNSyntaxError(), 'invalid'],
    [new UndefinedTypeError(), 'invalid'],
    [new ConstraintViolationError(), 'invalid'],
    [new NamingViolationError(), 'invalid'],
    [new NotAllowedOnRDNError(), 'invalid'],
    [new UnwillingToPerformError(), 'invalid'],
    [new InappropriateMatchingError(), 'invalid'],
    [new SizeLimitExceededError(), 'invalid'],
    [new InvalidCredentialsError(), 'upstream-auth'],
    [new InsufficientAccessError(), 'upstream-auth'],
    [new StrongAuthRequiredError(), 'upstream-auth'],
    [new InappropriateAuthError(), 'upstream-auth'],
    [new BusyError(), 'unavailable'],
    [new UnavailableError(), 'unavailable'],
    [new TimeLimitExceededError(), 'unavailable'],
    [new UnknownStatusCodeError(80, 'internal error'), 'unavailable'],
    [new AdminLimitExceededError(), 'internal'],
    [new TypeOrValueExistsError(), 'internal'],
    [new UnknownStatusCodeError(123, 'what'), 'internal'],
  ] as const)('%s → %s', (err, kind) => {
    const e = toConnectorError(err, 'create user');
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.kind).toBe(kind);
    expect(e.cause).toBe(err);
    expect(e.message).toMatch(/^create user: /);
    expect(e.retryAfterSec).toBe(kind === 'unavailable' ? 5 : undefined);
    expect(e.message).toMatch(/\([a-zA-Z]+\)|result code \d+/); // the RFC 4511 name or the number
  });

  it('names the attribute from OpenLDAP diagnostics (observed messages)', () => {
    const cases: [Error, string][] = [
      [new ObjectClassViolationError("object class 'inetOrgPerson' requires attribute 'sn'"), 'sn'],
      [new InvalidSyntaxError('mail: value #0 invalid per syntax'), 'mail'],
      [new NamingViolationError("value of naming attribute 'uid' is not present in entry"), 'uid'],
      [new UndefinedTypeError('fooBar: attribute type undefined'), 'fooBar'],
      [new ObjectClassViolationError("attribute 'x-foo' not allowed"), 'x-foo'],
    ];
    for (const [err, attribute] of cases) {
      const e = toConnectorError(err, 'create user');
      expect(e).toMatchObject({ kind: 'invalid', attribute });
      expect(e.message).toContain(`the value of ${attribute}`);
      expect(e.message).toContain(err.message.replace(/ Code: .*$/, ''));
      expect(e.message).not.toContain('Code: 0x');
    }
  });

  it('leaves the attribute undefined when the diagnostic names none (AD, empty)', () => {
    const ad = new NotAllowedOnRDNError('000020B1: UpdErr: DSID-030F1D25, problem 6004 (CANT_ON_RDN), data 0\n\0');
    expect(toConnectorError(ad, 'rename')).toMatchObject({ kind: 'invalid', attribute: undefined });
    expect(toConnectorError(ad, 'rename').message).toBe(
      'rename: the directory rejected the request (notAllowedOnRDN): 000020B1: UpdErr: DSID-030F1D25, problem 6004 (CANT_ON_RDN), data 0',
    );
    const empty = new ConstraintViolationError('');
    expect(empty.message).toBe(' Code: 0x13'); // what ldapts makes of an empty diagnosticMessage
    expect(toConnectorError(empty, 'x').message).toBe('x: the directory rejected the request (constraintViolation)');
  });

  it('tells the operator how to fix a size limit, without quoting the filter', () => {
    const e = toConnectorError(new SizeLimitExceededError(), 'list users');
    expect(e.kind).toBe('invalid');
    expect(e.message).toContain('size.prtotal=unlimited');
    expect(e.message).toContain('MaxPageSize');
  });

  it('reports the service account, not the client, on auth failures', () => {
    const e = toConnectorError(new InvalidCredentialsError('80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563'), 'bind');
    expect(e.kind).toBe('upstream-auth');
    expect(e.message).toContain("gateway's service account");
  });

  it('passes a ConnectorError through and recognises a result code from another ldapts copy', () => {
    const mine = new ConnectorError('not-found', 'x');
    expect(toConnectorError(mine, 'op')).toBe(mine);
    const foreign = Object.assign(new Error('exists Code: 0x44'), { code: 68 });
    expect(kindOf(foreign)).toBe('conflict');
    expect(kindOf(Object.assign(new Error('not ldapts'), { code: 68 }))).toBe('internal');
  });
});

describe('toConnectorError: connection problems', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'])('%s → unavailable', (code) => {
    const e = toConnectorError(sysError(code, `connect ${code} 10.0.0.1:636`), 'get user');
    expect(e).toMatchObject({ kind: 'unavailable', retryAfterSec: 5, message: `get user: cannot reach the directory (${code})` });
    expect(isConnectionError(sysError(code))).toBe(true);
  });

  it.each(['DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER'])(
    'TLS %s → unavailable',
    (code) => {
      const e = toConnectorError(sysError(code, 'self-signed certificate'), 'get user');
      expect(e).toMatchObject({ kind: 'unavailable', retryAfterSec: 5, message: `get user: the TLS handshake with the directory failed (${code})` });
      expect(isConnectionError(sysError(code))).toBe(true);
    },
  );

  it.each([
    ['Connection timeout', 'the directory did not answer in time'],
    ['SearchRequest: Operation timed out', 'the directory did not answer in time'],
    ['Connection closed before message response was received. Message type: SearchRequest (0x63)', 'the connection to the directory broke'],
    ['Socket error. Message type: ModifyRequest (0x66)\nread ECONNRESET', 'the connection to the directory broke (ECONNRESET)'],
    ['Socket connection not established', 'the connection to the directory broke'],
  ])('ldapts %j → unavailable', (message, says) => {
    const e = toConnectorError(new Error(message), 'modify user');
    expect(e).toMatchObject({ kind: 'unavailable', retryAfterSec: 5, message: `modify user: ${says}` });
    expect(isConnectionError(new Error(message))).toBe(true);
  });

  it('treats an abort of the time budget as unavailable, but not as a broken connection', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(toConnectorError(abort, 'op')).toMatchObject({ kind: 'unavailable', retryAfterSec: 5 });
    expect(isConnectionError(abort)).toBe(false);
  });

  it('does not take server answers or server text for connection problems', () => {
    expect(isConnectionError(new BusyError())).toBe(false);
    expect(isConnectionError(new UnavailableError('Connection timeout'))).toBe(false);
    expect(isConnectionError(new Error('xConnection timeout'))).toBe(false);
    expect(isConnectionError(sysError('ERR_INVALID_ARG_TYPE'))).toBe(false);
    expect(isConnectionError('ECONNRESET')).toBe(false);
  });
});

describe('toConnectorError: everything else', () => {
  it('is internal and does not quote library messages (ldapts quotes whole filters)', () => {
    const e = toConnectorError(new Error('Invalid expression: (userPassword=hunter2)'), 'list users');
    expect(e).toMatchObject({ kind: 'internal', message: 'list users: unexpected Error from the directory client' });
    expect(e.message).not.toContain('hunter2');
    expect(toConnectorError(new TypeError('x'), 'op').message).toBe('op: unexpected TypeError from the directory client');
    expect(toConnectorError('boom', 'op')).toMatchObject({ kind: 'internal', message: 'op: unexpected string from the directory client' });
  });
});

describe('isIdempotentSuccess', () => {
  it('accepts 20 on add-value and 16 on delete-value only', () => {
    const exists = new TypeOrValueExistsError('modify/add: member: value #0 already exists');
    const absent = new NoSuchAttributeError('modify/delete: member: no such value');
    expect(isIdempotentSuccess(exists, 'add-value')).toBe(true);
    expect(isIdempotentSuccess(absent, 'delete-value')).toBe(true);
    expect(isIdempotentSuccess(exists, 'delete-value')).toBe(false);
    expect(isIdempotentSuccess(absent, 'add-value')).toBe(false);
    expect(isIdempotentSuccess(new NoSuchObjectError(), 'delete-value')).toBe(false);
    expect(isIdempotentSuccess(new Error('Connection timeout'), 'add-value')).toBe(false);
  });

  it('accepts AD\'s member-in-group / member-not-in-group answers by their Win32 code', () => {
    const inGroup = new AlreadyExistsError('00000562: UpdErr: DSID-031A11E2, problem 6005 (ENTRY_EXISTS), data 0\n\0');
    const notInGroup = new UnwillingToPerformError('00000561: SvcErr: DSID-031A120C, problem 5003 (WILL_NOT_PERFORM), data 0\n\0');
    expect(isIdempotentSuccess(inGroup, 'add-value')).toBe(true);
    expect(isIdempotentSuccess(notInGroup, 'delete-value')).toBe(true);
    expect(isIdempotentSuccess(inGroup, 'delete-value')).toBe(false);
    expect(isIdempotentSuccess(new AlreadyExistsError('00002071: UpdErr: DSID-030503CF, problem 6005 (ENTRY_EXISTS), data 0'), 'add-value')).toBe(false);
    expect(isIdempotentSuccess(new UnwillingToPerformError('0000209A: SvcErr: DSID-031A10E7, problem 5003 (WILL_NOT_PERFORM), data 0'), 'delete-value')).toBe(false);
  });
});
