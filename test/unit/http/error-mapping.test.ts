import { describe, it, expect } from 'vitest';
import { ConnectorError, type ConnectorErrorKind } from '../../../connectors/types.js';
import { ERROR_SCHEMA, ScimError, invalidFilter } from '../../../src/scim/errors.js';
import { toScimError } from '../../../src/http/error-mapping.js';

const SECRET = 'ldap bind as cn=admin,dc=corp failed: password "hunter2" rejected';

describe('toScimError: connector errors by kind', () => {
  it.each<[ConnectorErrorKind, number, string | undefined, number | undefined]>([
    ['not-found', 404, undefined, undefined],
    ['conflict', 409, 'uniqueness', undefined],
    ['invalid', 400, 'invalidValue', undefined],
    ['unsupported', 501, undefined, undefined],
    ['rate-limited', 429, undefined, 5],
    ['unavailable', 503, undefined, 5],
    ['upstream-auth', 503, undefined, 5],
    ['internal', 500, undefined, undefined],
  ])('%s → %i, scimType %s, Retry-After %s', (kind, status, scimType, retryAfterSec) => {
    const cause = new ConnectorError(kind, 'message');
    const e = toScimError(cause);
    expect(e).toBeInstanceOf(ScimError);
    expect({ status: e.status, scimType: e.scimType, retryAfterSec: e.retryAfterSec }).toEqual({ status, scimType, retryAfterSec });
    expect(e.cause).toBe(cause);
  });

  it.each<ConnectorErrorKind>(['rate-limited', 'unavailable', 'upstream-auth'])('%s keeps the connector\'s own Retry-After', (kind) => {
    expect(toScimError(new ConnectorError(kind, 'm', { retryAfterSec: 42 })).retryAfterSec).toBe(42);
  });

  it('keeps a Retry-After on other kinds when the connector gives one', () => {
    expect(toScimError(new ConnectorError('internal', 'm', { retryAfterSec: 3 })).retryAfterSec).toBe(3);
  });

  it.each<ConnectorErrorKind>(['upstream-auth', 'unavailable'])('never answers %s with 401, 403 or 404 (Entra would quarantine the app)', (kind) => {
    expect([401, 403, 404]).not.toContain(toScimError(new ConnectorError(kind, 'm')).status);
  });

  it('shows the message of client errors in the body', () => {
    const body = toScimError(new ConnectorError('conflict', 'userName "bjensen" is taken')).toBody();
    expect(body).toEqual({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness', detail: 'userName "bjensen" is taken' });
  });

  it('answers rate-limited with a fixed detail rather than the connector\'s message', () => {
    expect(toScimError(new ConnectorError('rate-limited', SECRET)).toBody().detail).not.toContain('hunter2');
  });
});

describe('toScimError: 5xx bodies never expose the message', () => {
  it.each<ConnectorErrorKind>(['unsupported', 'unavailable', 'upstream-auth', 'internal'])('%s', (kind) => {
    const e = toScimError(new ConnectorError(kind, SECRET));
    expect(e.status).toBeGreaterThanOrEqual(500);
    expect(e.expose).toBe(false);
    const body = e.toBody();
    expect(body.detail).not.toContain('hunter2');
    expect(body.detail).not.toContain('cn=admin');
    expect(body.detail).not.toBe('');
    expect(body.status).toBe(String(e.status));
  });

  it('for an unexpected Error, answers 500 without its message', () => {
    const cause = new TypeError(SECRET);
    const e = toScimError(cause);
    expect(e.status).toBe(500);
    expect(e.cause).toBe(cause);
    expect(e.toBody()).toEqual({ schemas: [ERROR_SCHEMA], status: '500', detail: 'internal error; see the gateway log' });
  });

  it('for a thrown non-Error, answers 500', () => {
    expect(toScimError('boom').status).toBe(500);
    expect(toScimError(undefined).status).toBe(500);
  });
});

describe('toScimError: SCIM errors', () => {
  it('passes a ScimError through as the same object', () => {
    const e = invalidFilter('bad');
    expect(toScimError(e)).toBe(e);
  });
});
