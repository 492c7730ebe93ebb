/**
 * The HTTP layer every firewall profile sends through (the Transport of api.ts), on axios:
 *  - keep-alive agents, a per-attempt timeout, TLS with the operator's CA, no redirects and no proxy from the
 *    environment (the API credential must go to the configured host only), a bounded response size;
 *  - its own p-queue: requests in flight and per interval, so the firewall's management plane is never flooded
 *    whatever the core's queue lets through;
 *  - 429 and 503 pause that queue for Retry-After (or a backoff when there is none), for every request;
 *  - idempotent requests are tried again after transient failures (429, 502–504, the profile's own transient
 *    answers, connection resets, timeouts) with exponential backoff and full jitter, within a time budget;
 *    POST and PATCH only after 429 or a connection that was never made, since they may have been applied;
 *  - 401/403 become ConnectorError('upstream-auth') (the core answers 503: the gateway's credential failed,
 *    not the client's); giving up is 'rate-limited' (after 429s) or 'unavailable', with a Retry-After.
 * Headers and bodies are never logged (they hold the API key and personal data); log lines carry the
 * request's `what`, status, attempt and timings.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import PQueue from 'p-queue';
import type { Logger } from '../../src/log.js';
import { ConnectorError } from '../types.js';
import type { HttpRequest, HttpResponse, Transport } from './api.js';
import { backoffMs, retryAfterMs, sleep, toRetryAfterSec } from './backoff.js';
import type { LimitOptions, RetryOptions, TlsOptions } from './common-config.js';
import { describeFailure, toTransportFailure, TransportFailure } from './errors.js';

export interface TransportOptions {
  readonly baseUrl: string;
  readonly tls: TlsOptions;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly limits: LimitOptions;
  readonly retry: RetryOptions;
  /** Names the firewall in messages ("FortiOS"). */
  readonly label: string;
  readonly log: Logger;
  /**
   * Profile hook: whether an answer other than 429/502/503/504 is a transient failure worth another attempt
   * (FortiOS answers 500 for ordinary CMDB errors, so only a 500 without its error envelope is transient).
   */
  readonly isTransient?: (res: HttpResponse) => boolean;
  /** For tests: the jitter source. */
  readonly random?: () => number;
}

const TRANSIENT_STATUSES = new Set([502, 503, 504]);

const defaultIdempotent = (method: HttpRequest['method']): boolean => method === 'GET' || method === 'PUT' || method === 'DELETE';

function flatHeaders(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

export class HttpTransport implements Transport {
  readonly #o: TransportOptions;
  readonly #http: AxiosInstance;
  readonly #agents: { http: HttpAgent; https: HttpsAgent };
  readonly #queue: PQueue;
  #resumeAt = 0;
  #resumeTimer: NodeJS.Timeout | undefined;

  constructor(options: TransportOptions) {
    this.#o = options;
    const { tls, limits } = options;
    const agent = { keepAlive: true, maxSockets: limits.concurrency };
    this.#agents = {
      http: new HttpAgent(agent),
      https: new HttpsAgent({
        ...agent,
        rejectUnauthorized: tls.rejectUnauthorized,
        minVersion: 'TLSv1.2',
        ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls.servername ? { servername: tls.servername } : {}),
      }),
    };
    this.#http = axios.create({
      baseURL: options.baseUrl.replace(/\/$/, ''),
      timeout: options.timeoutMs,
      maxContentLength: options.maxResponseBytes,
      maxBodyLength: options.maxResponseBytes,
      maxRedirects: 0,
      proxy: false,
      httpAgent: this.#agents.http,
      httpsAgent: this.#agents.https,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
    });
    this.#queue = new PQueue({
      concurrency: limits.concurrency,
      ...(limits.intervalCap > 0 ? { intervalCap: limits.intervalCap, interval: limits.intervalMs } : {}),
    });
  }

  /** Requests waiting and in flight, and whether a Retry-After pause holds the queue. */
  stats(): { queued: number; inFlight: number; paused: boolean } {
    return { queued: this.#queue.size, inFlight: this.#queue.pending, paused: this.#queue.isPaused };
  }

  async request(req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const { retry, label } = this.#o;
    const idempotent = req.idempotent ?? defaultIdempotent(req.method);
    const started = Date.now();
    // One call's signal is shared by its requests, each adding listeners (queue, sleep, socket): no leak warning.
    setMaxListeners(0, signal);
    const fail = (kind: 'unavailable' | 'rate-limited', why: string, waitMs: number, cause?: Error): ConnectorError =>
      new ConnectorError(kind, `${label}: ${req.what}: ${why}`, { retryAfterSec: toRetryAfterSec(waitMs), ...(cause ? { cause } : {}) });
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.#queue.add(() => this.#send(req, signal), { signal });
      } catch (err) {
        const f = toTransportFailure(err, signal);
        const wait = backoffMs(attempt, retry.baseDelayMs, retry.maxDelayMs, this.#o.random);
        const retryable = f.failure === 'not-sent' || (f.failure === 'maybe-sent' && idempotent);
        this.#o.log.warn({ what: req.what, code: f.code, attempt, retryable }, `${label}: request failed`);
        if (f.failure === 'final' && f.code === 'RESPONSE_TOO_LARGE') throw new ConnectorError('internal', `${label}: ${req.what}: ${describeFailure(f)}`, { cause: f });
        if (retryable && this.#mayRetry(attempt, started, wait) && !signal.aborted) {
          await this.#wait(wait, signal, req, f);
          continue;
        }
        throw fail('unavailable', describeFailure(f), Math.max(wait, retry.baseDelayMs), f);
      }

      if (res.status === 401 || res.status === 403) {
        // The gateway's own API credential (or its trusted hosts, or the VDOM it may use) was refused.
        throw new ConnectorError('upstream-auth', `${label}: ${req.what}: the firewall refused the gateway's API credential (HTTP ${res.status}); check the token, its admin profile, trusted hosts and VDOM`);
      }
      const throttled = res.status === 429;
      if (!throttled && !TRANSIENT_STATUSES.has(res.status) && !(this.#o.isTransient?.(res) ?? false)) return res;

      const told = retryAfterMs(res.headers['retry-after']);
      const wait = told ?? backoffMs(attempt, retry.baseDelayMs, retry.maxDelayMs, this.#o.random);
      // 429 and 503 speak for the firewall as a whole: hold every request, not just this one.
      if (throttled || res.status === 503) this.#pauseFor(wait);
      // A 429 is a refusal, so even a create was not applied; other failures may have been.
      const retryable = throttled || idempotent;
      this.#o.log.warn({ what: req.what, status: res.status, attempt, waitMs: wait, retryable }, `${label}: ${throttled ? 'throttled' : 'transient failure'}`);
      if (retryable && this.#mayRetry(attempt, started, wait)) {
        await this.#wait(wait, signal, req);
        continue;
      }
      const why = throttled ? 'the firewall keeps answering 429 Too Many Requests' : `the firewall answered HTTP ${res.status}`;
      throw fail(throttled ? 'rate-limited' : 'unavailable', why, Math.max(wait, 1000));
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.#resumeTimer);
    this.#queue.clear();
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #mayRetry(attempt: number, started: number, waitMs: number): boolean {
    const { attempts, budgetMs } = this.#o.retry;
    return attempt < attempts && Date.now() - started + waitMs <= budgetMs;
  }

  async #wait(ms: number, signal: AbortSignal, req: HttpRequest, cause?: TransportFailure): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch {
      const why = cause ? `${describeFailure(cause)}, and the call ran out of time before another attempt` : 'the call ran out of time waiting to try again';
      throw new ConnectorError('unavailable', `${this.#o.label}: ${req.what}: ${why}`, { retryAfterSec: toRetryAfterSec(ms), ...(cause ? { cause } : {}) });
    }
  }

  /** Hold the queue until `ms` from now (a later resume time wins over an earlier one). */
  #pauseFor(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.#resumeAt) return;
    this.#resumeAt = until;
    this.#queue.pause();
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => {
      this.#resumeAt = 0;
      this.#queue.start();
    }, ms);
    this.#resumeTimer.unref();
  }

  async #send(req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const query = req.query && Object.keys(req.query).length > 0 ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
    let data: string | undefined;
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (req.body !== undefined) {
      data = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    } else if (req.form !== undefined) {
      data = new URLSearchParams(req.form as Record<string, string>).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const t0 = Date.now();
    const res = await this.#http.request<string>({ method: req.method, url: `${req.path}${query}`, headers, data, signal });
    this.#o.log.debug({ what: req.what, status: res.status, ms: Date.now() - t0 }, `${this.#o.label}: answered`);
    return { status: res.status, headers: flatHeaders(res.headers as Record<string, unknown>), body: typeof res.data === 'string' ? res.data : '' };
  }
}
