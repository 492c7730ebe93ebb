/**
 * zod field types for numbers and booleans that may come from `${env:…}` references. A reference always
 * expands to a string (`port: ${env:PORT:-8080}` gives "8080"), so these accept the string forms too.
 * Connectors use them for their own `options:` as well.
 */
import { z } from 'zod';

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const TRUE_TEXT = new Set(['true', '1']);
const FALSE_TEXT = new Set(['false', '0']);

export interface IntFieldOptions {
  readonly min?: number;
  readonly max?: number;
}

/** An integer, written as a YAML number or as a string of digits. */
export function intField(opts: IntFieldOptions = {}) {
  let num = z
    .number({ error: (iss) => (iss.code === 'invalid_type' ? 'expected an integer' : undefined) })
    .int('expected an integer');
  if (opts.min !== undefined) num = num.min(opts.min, `must be at least ${opts.min}`);
  if (opts.max !== undefined) num = num.max(opts.max, `must be at most ${opts.max}`);
  return z.preprocess((v) => (typeof v === 'string' && INTEGER_TEXT.test(v) ? Number(v) : v), num);
}

/** A boolean, written as a YAML boolean or as "true"/"false"/"1"/"0" in any case (what env files contain). */
export function boolField() {
  return z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const text = v.trim().toLowerCase();
      if (TRUE_TEXT.has(text)) return true;
      if (FALSE_TEXT.has(text)) return false;
      return v;
    },
    z.boolean({ error: 'expected true or false' }),
  );
}

/** A TCP port, 1–65535. */
export const portField = () => intField({ min: 1, max: 65535 });
