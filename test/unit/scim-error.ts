/** Assertion helpers shared by the unit tests: "this throws a ScimError of this kind". */
import { expect } from 'vitest';
import { ScimError, type ScimType } from '../../src/scim/errors.js';

/** Run `fn`, expecting it to throw; returns what it threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw, but it returned normally');
}

/** Expect `fn` to throw a ScimError with `scimType` (and status 400 unless told) whose detail matches `detail`. */
export function expectScimError(
  fn: () => unknown,
  scimType: ScimType | undefined,
  detail?: RegExp | string,
  status = 400,
): ScimError {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(ScimError);
  const e = err as ScimError;
  expect({ status: e.status, scimType: e.scimType }).toEqual({ status, scimType });
  if (detail !== undefined) {
    if (typeof detail === 'string') expect(e.message).toContain(detail);
    else expect(e.message).toMatch(detail);
  }
  return e;
}

/** Recursively freeze a JSON value, so a test can prove that code under test never writes to its input. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}
