import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boolField, intField, portField } from '../../../src/config/index.js';

describe('intField', () => {
  it('accepts numbers and numeric strings (what env references produce)', () => {
    expect(intField().parse(42)).toBe(42);
    expect(intField().parse('8080')).toBe(8080);
    expect(intField().parse(' -3 ')).toBe(-3);
  });

  it('rejects non-integers with a plain message', () => {
    for (const bad of ['abc', '1.5', 1.5, '', true, null]) {
      const r = intField().safeParse(bad);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toBe('expected an integer');
    }
  });

  it('applies bounds, and ports are 1–65535', () => {
    expect(portField().safeParse('0').error?.issues[0]?.message).toBe('must be at least 1');
    expect(portField().safeParse('65536').error?.issues[0]?.message).toBe('must be at most 65535');
    expect(portField().parse('65535')).toBe(65535);
  });

  it('works with defaults inside objects', () => {
    const schema = z.strictObject({ n: intField({ min: 1 }).default(7) });
    expect(schema.parse({})).toEqual({ n: 7 });
    expect(schema.parse({ n: '9' })).toEqual({ n: 9 });
  });
});

describe('boolField', () => {
  it('accepts booleans and their string forms', () => {
    expect(boolField().parse(true)).toBe(true);
    expect(boolField().parse('TRUE')).toBe(true);
    expect(boolField().parse('1')).toBe(true);
    expect(boolField().parse('false')).toBe(false);
    expect(boolField().parse('0')).toBe(false);
  });

  it('rejects anything else', () => {
    const r = boolField().safeParse('yes');
    expect(r.error?.issues[0]?.message).toBe('expected true or false');
  });
});
