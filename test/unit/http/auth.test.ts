import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { checkBearer, hashToken } from '../../../src/http/auth.js';
import { expectScimError } from '../scim-error.js';

const TOKEN = 's3cr3t-Token_value.1';
const OTHER = 'another-token';
const DIGESTS = [hashToken(OTHER), hashToken(TOKEN)];

describe('hashToken', () => {
  it('is the SHA-256 digest of the UTF-8 token', () => {
    expect(hashToken('é')).toEqual(createHash('sha256').update(Buffer.from('é', 'utf8')).digest());
    expect(hashToken(TOKEN)).toHaveLength(32);
  });
});

describe('checkBearer', () => {
  it('accepts a configured token', () => {
    expect(() => checkBearer(`Bearer ${TOKEN}`, DIGESTS)).not.toThrow();
  });

  it('accepts any one of several configured tokens', () => {
    expect(() => checkBearer(`Bearer ${OTHER}`, DIGESTS)).not.toThrow();
    expect(() => checkBearer(`Bearer ${TOKEN}`, [hashToken(TOKEN)])).not.toThrow();
  });

  it.each([['bearer'], ['BEARER'], ['BeArEr']])('accepts the scheme written %s', (scheme) => {
    expect(() => checkBearer(`${scheme} ${TOKEN}`, DIGESTS)).not.toThrow();
  });

  it('accepts extra spaces and tabs between the scheme and the token, and after it', () => {
    expect(() => checkBearer(`Bearer    ${TOKEN}`, DIGESTS)).not.toThrow();
    expect(() => checkBearer(`Bearer\t${TOKEN} \t`, DIGESTS)).not.toThrow();
  });

  it('answers 401 when the header is missing', () => {
    expectScimError(() => checkBearer(undefined, DIGESTS), undefined, 'an Authorization: Bearer token is required', 401);
  });

  it.each([[`Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`], [TOKEN], ['Bearer'], ['Bearer '], [''], [`Bearer ${TOKEN} extra`], [`Bearer${TOKEN}`], [`Token ${TOKEN}`]])(
    'answers 401 for the malformed header %j',
    (header) => {
      expectScimError(() => checkBearer(header, DIGESTS), undefined, 'the Authorization header must be "Bearer <token>"', 401);
    },
  );

  it.each([['wrong'], [TOKEN.toUpperCase()], [TOKEN.slice(0, -1)], [`${TOKEN}x`]])('answers 401 for the unknown token %j', (token) => {
    expectScimError(() => checkBearer(`Bearer ${token}`, DIGESTS), undefined, 'the bearer token is not valid for this endpoint', 401);
  });

  it('answers 401 when no token is configured', () => {
    expectScimError(() => checkBearer(`Bearer ${TOKEN}`, []), undefined, 'not valid', 401);
  });

  it('never puts the presented token in the error', () => {
    const e = expectScimError(() => checkBearer('Bearer leaked-secret', DIGESTS), undefined, undefined, 401);
    expect(e.message).not.toContain('leaked-secret');
    expect(JSON.stringify(e.toBody())).not.toContain('leaked-secret');
  });
});
