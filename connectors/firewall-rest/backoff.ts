/** Waits between attempts: Retry-After when the firewall sends one, else exponential backoff with full jitter. */
import { setTimeout as sleepTimer } from 'node:timers/promises';

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): uniform in [0, min(maxMs, baseMs × 2^(attempt-1))].
 * "Full jitter" (AWS architecture blog, "Exponential Backoff and Jitter"): clients that failed together do
 * not come back together.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * Retry-After in milliseconds (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or undefined when absent or
 * unreadable. A date in the past is 0.
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whole seconds for a Retry-After header we send on, never 0 (a client would retry at once). */
export const toRetryAfterSec = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** Sleep that ends early (rejecting with the signal's reason) when `signal` aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal.throwIfAborted();
    return;
  }
  await sleepTimer(ms, undefined, { signal });
}
