/**
 * Shared HTTP plumbing for the fake firewalls (fortios.ts; a future panos.ts): a real node:http server on
 * 127.0.0.1 with a random port, and the controls a connector test needs that no vendor decides.
 *
 * A vendor fake extends HttpFake and implements `handle` (one request in, one response out) and `classify`
 * (the request's kind for the counters). Everything else is here:
 *
 * - **latencyMs**: every admitted request waits this long before it is answered, holding its slot.
 * - **maxInFlight**: at most this many requests are admitted at once; later ones wait in FIFO order, as on a
 *   box whose management plane serves a few requests at a time. `peakInFlight` records the highest number
 *   admitted at once, so a test can prove a client never exceeded its own limit.
 * - **faults**: `injectFault(fault, times)` makes the next `times` requests to *arrive* (arrival order is
 *   deterministic, admission order under load is FIFO too) fail instead of reaching `handle`:
 *   an HTTP status (429 with Retry-After, 503, ...), a TCP reset, or a hang. A faulted request still waits for
 *   admission and latency first, so it occupies a slot like a real slow failure, and it never changes state.
 * - **requests / counts()**: every request that arrived, faulted or not, with its kind.
 *
 * A request whose client gives up while it waits (queued, or in latency) is still handled when its turn comes,
 * as on a real box: a timed-out write may land. Only an unanswered `hang` notices the client leaving.
 *
 * Deliberately absent: TLS (connectors get `http://`), body size limits, keep-alive tuning.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A request as `handle` sees it, its body fully read. */
export interface FakeRequest {
  readonly method: string;
  /** Parsed against the fake's base URL; `pathname` keeps percent-escapes as sent (`a%2Fb` stays one segment). */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** The raw body as UTF-8 ('' when there is none). */
  readonly body: string;
}

/** What `handle` answers. `content-length` is added. */
export interface FakeResponse {
  readonly status: number;
  /** @default { 'content-type': 'application/json' } when `body` is set */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One injected failure, used by one request. */
export type Fault =
  /** Answer this status without calling `handle`. `retryAfterSec` sets `Retry-After` (429 and 503 use it). */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSec?: number; readonly body?: string }
  /** Reset the TCP connection (RST), so the client sees ECONNRESET and no response. */
  | { readonly kind: 'reset' }
  /**
   * Without `ms`: never answer; the slot is held until the client gives up (closes the connection) or the fake
   * closes. With `ms`: wait that long, then call `handle` and answer normally, even if the client has already
   * timed out and left; this is the "the write landed but the client never saw the answer" case.
   */
  | { readonly kind: 'hang'; readonly ms?: number };

/** One request as recorded on arrival. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, exactly as sent. */
  readonly path: string;
  /** From `classify`, e.g. "GET user/local/:name". */
  readonly kind: string;
  /** The fault this request was given, if any. */
  readonly fault?: Fault['kind'];
}

export interface HttpFakeOptions {
  /** @default 0 */
  readonly latencyMs?: number;
  /** @default Infinity */
  readonly maxInFlight?: number;
}

export abstract class HttpFake {
  /** Delay before each admitted request is answered; may be changed at any time. */
  latencyMs: number;
  /** Admission limit; may be changed at any time (raising it admits waiting requests on the next release). */
  maxInFlight: number;
  /** Every request that arrived since start or the last `resetStats()`, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  #inFlight = 0;
  #peakInFlight = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #faults: Fault[] = [];
  readonly #closing = new AbortController();
  readonly #server: Server;
  #baseUrl = '';

  constructor(options: HttpFakeOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.maxInFlight = options.maxInFlight ?? Infinity;
    this.#server = createServer((req, res) => void this.#serve(req, res));
  }

  /** Answers one admitted, unfaulted request. Exceptions become a bare 500. */
  protected abstract handle(req: FakeRequest): FakeResponse | Promise<FakeResponse>;

  /** Names a request's kind for `requests` and `counts()`, method included. */
  protected abstract classify(method: string, url: URL): string;

  /** Starts listening on 127.0.0.1 with a random port. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** Requests admitted and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The most requests ever admitted at once since start or the last `resetStats()`. */
  get peakInFlight(): number {
    return this.#peakInFlight;
  }

  /** Requests waiting for admission. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Faults not yet used. */
  get pendingFaults(): number {
    return this.#faults.length;
  }

  /** The next `times` requests to arrive get `fault` (after any faults already pending). */
  injectFault(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.#faults.push(fault);
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Requests per kind; with `kind`, just that count. */
  counts(): Record<string, number>;
  counts(kind: string): number;
  counts(kind?: string): Record<string, number> | number {
    if (kind !== undefined) return this.requests.filter((r) => r.kind === kind).length;
    const out: Record<string, number> = {};
    for (const r of this.requests) out[r.kind] = (out[r.kind] ?? 0) + 1;
    return out;
  }

  /** Forgets recorded requests and the peak (the peak restarts at the current in-flight count). */
  resetStats(): void {
    this.requests.length = 0;
    this.#peakInFlight = this.#inFlight;
  }

  /** Stops the server, drops every connection (hung and queued requests included) and cancels timers. */
  async close(): Promise<void> {
    this.#closing.abort();
    for (const wake of this.#waiting.splice(0)) wake();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#baseUrl);
    const method = req.method ?? 'GET';
    const fault = this.#faults.shift();
    this.requests.push({ method, path: req.url ?? '/', kind: this.classify(method, url), ...(fault ? { fault: fault.kind } : {}) });
    const body = readBody(req);
    const signal = this.#closing.signal;
    let admitted = false;
    try {
      await this.#admit();
      admitted = true;
      if (signal.aborted) return;
      if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal });
      if (fault?.kind === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      if (fault?.kind === 'status') {
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (fault.retryAfterSec !== undefined) headers['retry-after'] = String(fault.retryAfterSec);
        send(res, { status: fault.status, headers, body: fault.body ?? '' });
        return;
      }
      if (fault?.kind === 'hang') {
        if (fault.ms === undefined) return await untilClosed(res, signal);
        await sleep(fault.ms, undefined, { signal });
      }
      const answer = await this.#answer({ method, url, headers: req.headers, body: await body });
      send(res, answer);
    } catch (err) {
      // Only close() aborts a sleep; anything else is a bug in the fake, surfaced as a bare 500.
      if (!signal.aborted) send(res, { status: 500, body: String(err), headers: { 'content-type': 'text/plain' } });
    } finally {
      if (admitted) this.#release();
    }
  }

  async #answer(req: FakeRequest): Promise<FakeResponse> {
    try {
      return await this.handle(req);
    } catch (err) {
      return { status: 500, body: `fake firewall bug: ${String(err)}`, headers: { 'content-type': 'text/plain' } };
    }
  }

  #admit(): Promise<void> {
    if (this.#inFlight < this.maxInFlight || this.#closing.signal.aborted) {
      this.#take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(() => (this.#take(), resolve())));
  }

  #take(): void {
    this.#inFlight++;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
  }

  #release(): void {
    this.#inFlight--;
    while (this.#waiting.length > 0 && this.#inFlight < this.maxInFlight) this.#waiting.shift()?.();
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A client that leaves mid-body: answer nothing useful, but never leave the promise pending forever.
    req.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function send(res: ServerResponse, answer: FakeResponse): void {
  if (res.destroyed || res.headersSent) return;
  const body = answer.body ?? '';
  const headers = { ...(answer.body !== undefined ? { 'content-type': 'application/json' } : {}), ...answer.headers };
  res.writeHead(answer.status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Resolves when the client drops the connection or the fake closes, whichever comes first. */
function untilClosed(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed || signal.aborted) return resolve();
    const done = (): void => {
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
