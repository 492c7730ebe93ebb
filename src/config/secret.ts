import { z } from 'zod';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A value that must never reach a log, an error message or `check-config` output. Every way of printing it
 * (String(), template literals, JSON.stringify, util.inspect, pino) gives [REDACTED]; only `reveal()` gives
 * the value, and it is called where the value is used, nowhere else.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[REDACTED]';
  }
  toJSON(): string {
    return '[REDACTED]';
  }
  [INSPECT](): string {
    return 'Secret([REDACTED])';
  }
}

/** zod type for a secret config value: a non-empty string, held as a Secret. */
export const secret = () =>
  z
    .string()
    .min(1, 'must not be empty')
    .transform((v) => new Secret(v));
