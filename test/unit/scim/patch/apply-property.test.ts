/**
 * Property: any sequence of PATCH operations a client could send (valid names, paths and values mixed with
 * wrong ones) either applies or throws a ScimError, never mutates its input, never loses the required
 * userName and never leaves two primary elements in a multi-valued attribute.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ScimError } from '../../../../src/scim/errors.js';
import { PATCH_OP_SCHEMA, USER_RESOURCE_TYPE } from '../../../../src/scim/schema/definitions.js';
import type { ScimObject } from '../../../../src/scim/schema/types.js';
import { applyPatch } from '../../../../src/scim/patch/apply.js';
import { parsePatchRequest } from '../../../../src/scim/patch/request.js';
import { deepFreeze } from '../../scim-error.js';
import { BASE_USER, ENT } from './patch-helpers.js';

const str = fc.constantFrom('x', 'Y', 'b@home.example', 'B@WORK.EXAMPLE', 'a@x');
const bool = fc.oneof(fc.boolean(), fc.constantFrom('True', 'false'));
const element = fc.record(
  { value: str, type: fc.constantFrom('work', 'home', 'other', 'Work'), primary: bool, display: fc.string({ maxLength: 3 }) },
  { requiredKeys: [] },
);

/** Paths with values that suit them: the operations a well-behaved client sends. */
const TARGETS: readonly (readonly [string, fc.Arbitrary<unknown>])[] = [
  ['displayName', str],
  ['title', str],
  ['active', bool],
  ['userName', str],
  ['name', fc.record({ givenName: str, familyName: str }, { requiredKeys: [] })],
  ['NAME.givenName', str],
  ['emails', fc.oneof(fc.array(element, { maxLength: 3 }), element)],
  ['emails[type eq "work"]', element],
  ['emails[type eq "work"].value', str],
  ['emails[type eq "home"].primary', bool],
  ['emails[type eq "other" and primary eq true].value', str],
  ['emails[value co "@"].display', str],
  ['emails[type ne "work"]', element],
  ['emails[value eq "b@home.example"].type', fc.constantFrom('work', 'home')],
  ['emails[primary eq true].primary', bool],
  ['phoneNumbers[type eq "mobile"].value', str],
  ['addresses[type eq "work"].locality', str],
  ['addresses', fc.array(fc.record({ type: fc.constantFrom('work', 'home'), locality: str, primary: bool }, { requiredKeys: [] }), { maxLength: 2 })],
  [`${ENT}:department`, str],
  [`${ENT}:manager`, str],
  [`${ENT}:manager.value`, str],
  ['costCenter', str],
  [ENT, fc.record({ department: str, division: str }, { requiredKeys: [] })],
];

const validOp = fc
  .tuple(fc.constantFrom('add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'delete'), fc.constantFrom(...TARGETS))
  .chain(([op, [path, value]]) => value.map((v) => ({ op, path, value: v })));

/** Operations that are wrong in some way: unknown or read-only paths, junk values, no path. */
const wrongOp = fc.record(
  {
    op: fc.constantFrom('add', 'replace', 'remove', 'patch'),
    path: fc.constantFrom('id', 'groups', 'meta.created', 'nope', '__proto__', 'emails.value', 'name[givenName eq "x"]', 'emails[nope eq 1]'),
    value: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['op'] },
);

const OP = fc.oneof({ weight: 12, arbitrary: validOp }, { weight: 1, arbitrary: wrongOp }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

function primaryCount(list: unknown): number {
  return Array.isArray(list) ? list.filter((e) => (e as ScimObject)['primary'] === true).length : 0;
}

describe('applyPatch on random operation sequences', () => {
  it('throws only ScimError, never mutates the input, keeps userName and at most one primary element', () => {
    let applied = 0;
    fc.assert(
      fc.property(fc.array(OP, { minLength: 1, maxLength: 5 }), (ops) => {
        const before = structuredClone(BASE_USER);
        const input = deepFreeze(structuredClone(BASE_USER));
        let out: ScimObject | undefined;
        try {
          out = applyPatch(USER_RESOURCE_TYPE, input, parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops }, 100));
        } catch (err) {
          expect(err).toBeInstanceOf(ScimError);
          expect((err as ScimError).status).toBe(400);
        }
        expect(input).toEqual(before);
        if (out) {
          applied++;
          expect(typeof out['userName']).toBe('string');
          expect((out['userName'] as string).trim()).not.toBe('');
          for (const attr of ['emails', 'phoneNumbers', 'addresses']) expect(primaryCount(out[attr])).toBeLessThanOrEqual(1);
          expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        }
      }),
      { numRuns: 1000 },
    );
    // The property must not hold vacuously: plenty of sequences apply.
    expect(applied).toBeGreaterThan(300);
  });
});
