/**
 * Slows down token guessing: a client address that fails authentication `maxFailures` times within
 * `windowMs` gets 429 + Retry-After for the rest of the window, before its token is even looked at.
 * Per address, never global (one attacker must not lock out Entra, whose calls come from other
 * addresses), and bounded in memory. Tokens are long random strings, so this is about noise and CPU, not
 * about making a guess feasible.
 */
import { ScimError } from '../scim/errors.js';

export interface ThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Addresses tracked at once; the oldest windows are dropped beyond it. */
  readonly maxTracked: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxFailures: 30, windowMs: 60_000, maxTracked: 10_000 };

export class AuthThrottle {
  readonly #opts: ThrottleOptions;
  readonly #windows = new Map<string, { start: number; failures: number }>();

  constructor(opts: ThrottleOptions = DEFAULT_THROTTLE) {
    this.#opts = opts;
  }

  /** Throws 429 when `address` is over its failure budget. */
  check(address: string, now = Date.now()): void {
    const w = this.#windows.get(address);
    if (!w) return;
    const left = w.start + this.#opts.windowMs - now;
    if (left <= 0) {
      this.#windows.delete(address);
      return;
    }
    if (w.failures >= this.#opts.maxFailures) {
      throw new ScimError(429, undefined, 'too many failed authentication attempts from this address; retry later', {
        retryAfterSec: Math.ceil(left / 1000),
      });
    }
  }

  fail(address: string, now = Date.now()): void {
    const w = this.#windows.get(address);
    if (w && now - w.start < this.#opts.windowMs) {
      w.failures++;
      return;
    }
    if (this.#windows.size >= this.#opts.maxTracked) {
      // Map iteration is insertion order: the first key is the oldest window.
      const oldest = this.#windows.keys().next();
      if (!oldest.done) this.#windows.delete(oldest.value);
    }
    this.#windows.delete(address);
    this.#windows.set(address, { start: now, failures: 1 });
  }
}
