import { describe, it, expect } from 'vitest';
import { PATCH_OP_SCHEMA } from '../../../../src/scim/schema/definitions.js';
import { parsePatchRequest } from '../../../../src/scim/patch/request.js';
import { expectScimError } from '../../scim-error.js';

const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const parse = (...ops: unknown[]) => parsePatchRequest(body(...ops), 10);

describe('parsePatchRequest: the message', () => {
  it('answers an empty Operations array as no operations (Entra sends it as a no-op)', () => {
    expect(parsePatchRequest(body(), 10)).toEqual([]);
  });

  it.each([[null], [[]], ['x'], [1]])('rejects the body %j with invalidSyntax', (b) => {
    expectScimError(() => parsePatchRequest(b, 10), 'invalidSyntax', 'JSON PatchOp object');
  });

  it('accepts a message without "schemas"', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'add', path: 'title', value: 't' }] }, 10)).toHaveLength(1);
  });

  it('accepts the PatchOp URN in any case, among other URNs', () => {
    expect(parsePatchRequest({ schemas: ['urn:x', PATCH_OP_SCHEMA.toUpperCase()], Operations: [] }, 10)).toEqual([]);
  });

  it.each([[[]], [['urn:ietf:params:scim:schemas:core:2.0:User']], [PATCH_OP_SCHEMA], [null]])(
    'rejects "schemas" %j that does not list the PatchOp URN',
    (schemas) => {
      expectScimError(() => parsePatchRequest({ schemas, Operations: [] }, 10), 'invalidSyntax', PATCH_OP_SCHEMA);
    },
  );

  it('matches "Operations", "op", "path" and "value" case-insensitively', () => {
    expect(parsePatchRequest({ operations: [{ OP: 'add', PATH: 'title', VALUE: 't' }] }, 10)).toEqual([
      { op: 'add', path: { name: 'title' }, rawPath: 'title', value: 't', index: 0 },
    ]);
  });

  it.each([[undefined], [{}], ['add'], [null]])('rejects Operations %j that is not an array', (ops) => {
    expectScimError(() => parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops }, 10), 'invalidSyntax', '"Operations" must be an array');
  });

  it('accepts exactly the maximum number of operations and rejects one more with invalidValue', () => {
    const op = { op: 'add', path: 'title', value: 't' };
    expect(parsePatchRequest(body(op, op, op), 3)).toHaveLength(3);
    expectScimError(() => parsePatchRequest(body(op, op, op, op), 3), 'invalidValue', '4 operations in one PATCH; the limit is 3');
  });
});

describe('parsePatchRequest: operation names', () => {
  it.each([
    ['add', 'add'],
    ['Add', 'add'],
    ['ADD', 'add'],
    ['Replace', 'replace'],
    ['REPLACE', 'replace'],
    ['remove', 'remove'],
    ['Remove', 'remove'],
    ['delete', 'remove'],
    ['Delete', 'remove'],
    [' add ', 'add'],
  ])('reads op %j as %s', (written, op) => {
    expect(parse({ op: written, path: 'title', value: 't' })[0]?.op).toBe(op);
  });

  it.each([['patch'], [''], [1], [null], [undefined]])('rejects op %j with invalidSyntax naming the operation', (op) => {
    expectScimError(() => parse({ op: 'add', path: 'a', value: 1 }, { op, path: 'title', value: 't' }), 'invalidSyntax', 'Operations[1].op must be');
  });

  it('rejects an operation that is not an object', () => {
    expectScimError(() => parse('add'), 'invalidSyntax', 'Operations[0] must be an object');
  });
});

describe('parsePatchRequest: path and value', () => {
  it('parses the path and keeps the raw text and index', () => {
    expect(parse({ op: 'replace', path: 'name.givenName', value: 'B' }, { op: 'remove', path: 'emails[type eq "work"]' })).toEqual([
      { op: 'replace', path: { name: 'name', sub: 'givenName' }, rawPath: 'name.givenName', value: 'B', index: 0 },
      {
        op: 'remove',
        path: { name: 'emails', filter: { kind: 'compare', path: { name: 'type' }, op: 'eq', value: 'work' } },
        rawPath: 'emails[type eq "work"]',
        value: undefined,
        index: 1,
      },
    ]);
  });

  it('trims the path', () => {
    expect(parse({ op: 'add', path: '  title ', value: 't' })[0]?.rawPath).toBe('title');
  });

  it('rejects a path that is not a string', () => {
    expectScimError(() => parse({ op: 'add', path: 5, value: 't' }), 'invalidSyntax', 'Operations[0].path must be a string');
  });

  it('rejects a path that does not parse with invalidPath', () => {
    expectScimError(() => parse({ op: 'add', path: 'emails[type eq', value: 't' }), 'invalidPath');
  });

  it('treats a missing, null or blank path as no path: add and replace then need an object value', () => {
    for (const path of [undefined, null, '', '   ']) {
      expect(parse({ op: 'replace', path, value: { title: 't' } })).toEqual([{ op: 'replace', value: { title: 't' }, index: 0 }]);
      expectScimError(() => parse({ op: 'add', path, value: 't' }), 'invalidSyntax', '"add" without a path needs an object "value"');
    }
  });

  it('rejects remove without a path with noTarget', () => {
    expectScimError(() => parse({ op: 'remove' }), 'noTarget', 'Operations[0]: "remove" needs a "path"');
    expectScimError(() => parse({ op: 'Delete', value: { title: 't' } }), 'noTarget');
  });

  it('rejects add and replace with a path but no value with invalidValue', () => {
    expectScimError(() => parse({ op: 'add', path: 'title' }), 'invalidValue', 'Operations[0]: "add" of "title" needs a "value"');
    expectScimError(() => parse({ op: 'replace', path: 'title', value: null }), 'invalidValue', '"replace" of "title"');
  });

  it('accepts remove with a path and a value (Entra removes members that way)', () => {
    expect(parse({ op: 'Remove', path: 'members', value: [{ value: 'u1' }] })[0]).toEqual({
      op: 'remove',
      path: { name: 'members' },
      rawPath: 'members',
      value: [{ value: 'u1' }],
      index: 0,
    });
  });
});
