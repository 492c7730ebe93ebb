/**
 * The real firewall-rest transport (connectors/firewall-rest/transport.ts) with short test timeouts and
 * retries, recording every request a profile sends and every log line written (at trace), so a test can
 * count requests and check that no secret reaches a log. Used by the profile harnesses (PAN-OS, generic).
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { HttpRequest, HttpResponse, Transport } from '../../connectors/firewall-rest/api.js';
import { HttpTransport } from '../../connectors/firewall-rest/transport.js';

export interface RecordingTransport {
  readonly transport: Transport;
  readonly requests: HttpRequest[];
  readonly logs: string[];
  readonly log: Logger;
}

export function recordingTransport(opts: {
  readonly baseUrl: string;
  readonly label: string;
  readonly limits?: { readonly concurrency: number; readonly intervalCap: number; readonly intervalMs: number };
}): RecordingTransport {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = pino({ level: 'trace' }, sink);
  const http = new HttpTransport({
    baseUrl: opts.baseUrl,
    tls: { rejectUnauthorized: true },
    timeoutMs: 5_000,
    maxResponseBytes: 32 * 1024 * 1024,
    limits: opts.limits ?? { concurrency: 4, intervalCap: 0, intervalMs: 1000 },
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 1_000 },
    label: opts.label,
    log,
  });
  const requests: HttpRequest[] = [];
  const transport: Transport = {
    request(req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
      requests.push(req);
      return http.request(req, signal);
    },
    close: () => http.close(),
  };
  return { transport, requests, logs, log };
}
