/**
 * The PAN-OS profile against the fake PAN-OS (test/support/fake-firewall/panos.ts), through the shared
 * HttpTransport, with every request the profile hands to the transport and every log line recorded.
 */
import type { FirewallApi, HttpRequest } from '../../../../../connectors/firewall-rest/api.js';
import { panosOptionsSchema } from '../../../../../connectors/firewall-rest/panos/config.js';
import { createPanosApi } from '../../../../../connectors/firewall-rest/panos/index.js';
import { recordingTransport } from '../../../../support/recording-transport.js';
import { startFakePanos, type FakePanos, type FakePanosOptions } from '../../../../support/fake-firewall/panos.js';

export interface HarnessOptions {
  readonly pan?: FakePanosOptions;
  /** Merged over the test defaults (short delays, fast polling). */
  readonly commit?: Record<string, unknown>;
  readonly location?: string;
  readonly apiKey?: string;
  readonly pageSize?: number;
}

export interface Harness {
  readonly pan: FakePanos;
  readonly api: FirewallApi;
  /** Requests as the profile handed them to the transport (headers included). */
  readonly requests: HttpRequest[];
  /** Every log line, JSON, from the profile and the transport (level trace). */
  readonly logs: string[];
  close(): Promise<void>;
}

/** Short enough for tests, long enough that a burst of writes shares commits. */
export const TEST_COMMIT = { quietMs: 20, maxDelayMs: 150, pollMs: 10, timeoutMs: 5_000, retryAfterSec: 1 };

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const pan = await startFakePanos({ commitDurationMs: 20, ...options.pan });
  const { transport, requests, logs, log } = recordingTransport({ baseUrl: pan.baseUrl, label: 'PAN-OS' });
  const parsed = panosOptionsSchema.parse({
    apiKey: options.apiKey ?? pan.apiKey,
    ...(options.location === undefined ? {} : { location: options.location }),
    commit: { ...TEST_COMMIT, ...options.commit },
  });
  const api = createPanosApi({ ...parsed, ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }) }, transport, log);
  return {
    pan,
    api,
    requests,
    logs,
    async close() {
      await api.close?.();
      await transport.close();
      await pan.close();
    },
  };
}

/** A signal that never aborts, for calls without a budget. */
export const never = (): AbortSignal => new AbortController().signal;

/** The form fields of recorded requests, e.g. to find the commit commands. */
export function forms(h: Harness, type?: string): Readonly<Record<string, string>>[] {
  return h.requests.map((r) => r.form ?? {}).filter((f) => type === undefined || f.type === type);
}

/** Rejects with what `promise` rejected with, failing when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
