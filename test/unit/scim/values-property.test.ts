/**
 * Property tests: whatever JSON a client sends, normalizeResource and complexValue either throw a
 * ScimError or answer objects whose every key is a name the schema defines (or an extension URN), with
 * ordinary prototypes, and Object.prototype stays untouched.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ScimError } from '../../../src/scim/errors.js';
import { COMMON_ATTRIBUTES, GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../src/scim/schema/definitions.js';
import type { AttributeDef, ResourceTypeDef } from '../../../src/scim/schema/types.js';
import { normalizeResource } from '../../../src/scim/resource.js';
import { complexValue } from '../../../src/scim/values.js';

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

const caseOf = (n: string): fc.Arbitrary<string> => fc.constantFrom(n, n.toLowerCase(), n.toUpperCase());

/** A key: mostly one the schema knows (in any case), sometimes hostile or random. */
function keyFrom(names: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...names).chain(caseOf) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

const junk: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });

function scalarFor(def: AttributeDef): fc.Arbitrary<unknown> {
  switch (def.type) {
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constantFrom('True', 'FALSE', 'true'));
    case 'dateTime':
      return fc.constantFrom('2024-01-31T12:00:00Z', '2020-02-29T00:00:00.5+01:00');
    case 'integer':
      return fc.integer();
    case 'decimal':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    default:
      return fc.string({ maxLength: 8 });
  }
}

/** An object of sub-attributes, built from JSON text so "__proto__" is an own key as JSON.parse makes it. */
function objectOf(names: readonly string[], valueFor: (key: string) => fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .array(keyFrom(names).chain((k) => valueFor(k).map((v) => [k, v] as const)), { maxLength: 6 })
    .map((entries) => JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v ?? null)}`).join(',')}}`) as Record<string, unknown>);
}

function valueFor(def: AttributeDef | undefined): fc.Arbitrary<unknown> {
  if (!def) return junk;
  const one: fc.Arbitrary<unknown> =
    def.type === 'complex'
      ? objectOf(
          (def.subAttributes ?? []).map((s) => s.name),
          (k) => valueFor(def.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase())),
        )
      : scalarFor(def);
  const shaped = def.multiValued ? fc.oneof(fc.array(fc.oneof(one, fc.constant(null)), { maxLength: 3 }), one) : fc.oneof({ weight: 5, arbitrary: one }, { weight: 1, arbitrary: fc.array(one, { maxLength: 1 }) });
  return fc.oneof({ weight: 12, arbitrary: shaped }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: junk });
}

function bodyFor(rt: ResourceTypeDef): fc.Arbitrary<Record<string, unknown>> {
  const ext = rt.extensions.map((e) => e.schema);
  const defs = [...COMMON_ATTRIBUTES, ...rt.schema.attributes, ...ext.flatMap((s) => s.attributes)];
  const find = (k: string): AttributeDef | undefined => defs.find((d) => d.name.toLowerCase() === k.toLowerCase());
  const required = rt.schema.attributes.find((a) => a.required) as AttributeDef;
  const extArb = (urn: string): fc.Arbitrary<unknown> | undefined => {
    const s = ext.find((e) => e.id.toLowerCase() === urn.toLowerCase());
    return s ? objectOf(s.attributes.map((a) => a.name), (k) => valueFor(s.attributes.find((a) => a.name.toLowerCase() === k.toLowerCase()))) : undefined;
  };
  const names = [...defs.map((d) => d.name), ...ext.map((e) => e.id), 'schemas'];
  return fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 8 }),
      objectOf(names, (k) => (k.toLowerCase() === 'schemas' ? fc.constant([rt.schema.id]) : (extArb(k) ?? valueFor(find(k))))),
    )
    .map(([req, rest]) => JSON.parse(JSON.stringify({ [required.name]: req, ...rest })) as Record<string, unknown>);
}

/** Every key of `v` is a sub-attribute of `def` (recursively); read-only subs never appear. */
function checkValue(def: AttributeDef, v: unknown): void {
  const checkObject = (o: unknown): void => {
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    for (const key of Object.keys(o as object)) {
      const sub = def.subAttributes?.find((s) => s.name === key);
      expect(sub, `"${key}" is not a sub-attribute of ${def.name}`).toBeDefined();
      expect(sub?.mutability).not.toBe('readOnly');
    }
  };
  if (def.multiValued) {
    expect(Array.isArray(v)).toBe(true);
    if (def.type === 'complex') for (const e of v as unknown[]) checkObject(e);
  } else if (def.type === 'complex') checkObject(v);
}

function checkResource(rt: ResourceTypeDef, out: Record<string, unknown>): void {
  expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  for (const key of Object.keys(out)) {
    const ext = rt.extensions.find((e) => e.schema.id === key)?.schema;
    if (ext) {
      expect(Object.getPrototypeOf(out[key])).toBe(Object.prototype);
      for (const inner of Object.keys(out[key] as object)) {
        const def = ext.attributes.find((a) => a.name === inner);
        expect(def, `"${inner}" is not an attribute of ${ext.id}`).toBeDefined();
        checkValue(def as AttributeDef, (out[key] as Record<string, unknown>)[inner]);
      }
      continue;
    }
    const def = [...COMMON_ATTRIBUTES, ...rt.schema.attributes].find((a) => a.name === key);
    expect(def, `"${key}" is not an attribute of a ${rt.name}`).toBeDefined();
    expect(def?.mutability).not.toBe('readOnly');
    checkValue(def as AttributeDef, out[key]);
  }
}

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

function prototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  const probe: Record<string, unknown> = {};
  const inherited: string[] = [];
  for (const k in probe) inherited.push(k);
  expect(inherited).toEqual([]);
}

describe.each([USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE])('normalizeResource on arbitrary $name bodies', (rt) => {
  it('the generator produces bodies that normalise, not only bodies that are rejected', () => {
    const samples = fc.sample(bodyFor(rt), { numRuns: 300, seed: 7 });
    const ok = samples.filter((b) => {
      try {
        normalizeResource(rt, b);
        return true;
      } catch {
        return false;
      }
    });
    expect(ok.length).toBeGreaterThan(30);
  });

  it('only throws ScimError, and every output key is a schema name or an extension URN', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: bodyFor(rt) }, { weight: 1, arbitrary: junk }), (body) => {
        let out: Record<string, unknown> | undefined;
        try {
          out = normalizeResource(rt, body) as Record<string, unknown>;
        } catch (err) {
          expect(err).toBeInstanceOf(ScimError);
          expect((err as ScimError).status).toBe(400);
        }
        if (out) checkResource(rt, out);
        prototypeUntouched();
      }),
      { numRuns: 400 },
    );
  });
});

describe('complexValue on arbitrary objects', () => {
  const complexDefs = [
    ...USER_RESOURCE_TYPE.schema.attributes,
    ...USER_RESOURCE_TYPE.extensions.flatMap((e) => e.schema.attributes),
    ...GROUP_RESOURCE_TYPE.schema.attributes,
  ].filter((d) => d.type === 'complex');

  it.each(complexDefs.map((d) => [d.name, d] as const))('%s: only sub-attribute names come out, read-only ones never', (_, def) => {
    const subNames = (def.subAttributes ?? []).map((s) => s.name);
    const arb = objectOf(subNames, (k) => valueFor(def.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase())));
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: junk }), (v) => {
        let out: unknown;
        try {
          out = complexValue(def, v, def.name);
        } catch (err) {
          expect(err).toBeInstanceOf(ScimError);
          return;
        }
        if (out !== undefined) checkValue({ ...def, multiValued: false }, out);
        prototypeUntouched();
      }),
      { numRuns: 200 },
    );
  });
});
