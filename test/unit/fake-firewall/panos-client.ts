/** A plain-fetch XML API client for the fake PAN-OS's own tests. */
import type { FakePanos } from '../../support/fake-firewall/panos.js';
import { childElements, firstChild, parseXml, textOf, type XmlElement } from '../../support/fake-firewall/panos-xml.js';

export interface Reply {
  readonly http: number;
  readonly body: string;
  /** The `<response>` element. */
  readonly response: XmlElement;
  readonly status: string | undefined;
  readonly code: string | undefined;
  /** `<msg><line>` texts, or the `<result><msg>` / `<msg>` text. */
  readonly lines: readonly string[];
}

export interface CallOptions {
  /** null: send no key. @default the fake's key, in X-PAN-KEY */
  readonly key?: string | null;
  /** Send the key as `key=` instead of the header. */
  readonly keyParam?: boolean;
  /** Send everything in the query string of a GET. */
  readonly get?: boolean;
  readonly signal?: AbortSignal;
}

export async function call(pan: FakePanos, params: Record<string, string>, options: CallOptions = {}): Promise<Reply> {
  const key = options.key === undefined ? pan.apiKey : options.key;
  const fields = new URLSearchParams(params);
  const headers: Record<string, string> = {};
  if (key !== null && options.keyParam) fields.set('key', key);
  else if (key !== null) headers['x-pan-key'] = key;
  const signal = options.signal ?? null;
  const res = options.get
    ? await fetch(`${pan.baseUrl}/api/?${fields}`, { headers, signal })
    : await fetch(`${pan.baseUrl}/api/`, { method: 'POST', headers, body: fields, signal });
  const body = await res.text();
  const [response] = parseXml(body);
  if (response === undefined || typeof response === 'string' || response.name !== 'response') throw new Error(`not a PAN-OS response: ${body}`);
  return { http: res.status, body, response, status: response.attrs.status, code: response.attrs.code, lines: messageLines(response) };
}

export const config = (pan: FakePanos, action: string, xpath: string, extra: Record<string, string> = {}): Promise<Reply> =>
  call(pan, { type: 'config', action, xpath, ...extra });

export const op = (pan: FakePanos, cmd: string): Promise<Reply> => call(pan, { type: 'op', cmd });

/** `<result>`'s element children. */
export function resultNodes(reply: Reply): XmlElement[] {
  const result = firstChild(reply.response, 'result');
  return result ? childElements(result) : [];
}

/** The text at a path under `<result>`, e.g. `text(reply, 'job', 'status')`. */
export function text(reply: Reply, ...path: string[]): string | undefined {
  let el: XmlElement | undefined = firstChild(reply.response, 'result');
  for (const name of path) el = el && firstChild(el, name);
  return el && textOf(el);
}

/** Commits and returns the job id, or undefined when the fake says there is nothing to commit. */
export async function commit(pan: FakePanos, cmd = '<commit></commit>'): Promise<number | undefined> {
  const reply = await call(pan, { type: 'commit', cmd });
  if (reply.status !== 'success') throw new Error(`commit failed: ${reply.body}`);
  const job = text(reply, 'job');
  return job === undefined ? undefined : Number(job);
}

export async function jobStatus(pan: FakePanos, id: number): Promise<{ status: string; result: string; progress: number; queued: string; details: string[] }> {
  const reply = await op(pan, `<show><jobs><id>${id}</id></jobs></show>`);
  const job = resultNodes(reply)[0];
  if (!job) throw new Error(`no job in ${reply.body}`);
  const field = (name: string): string => textOf(firstChild(job, name) ?? job);
  const details = firstChild(job, 'details');
  return {
    status: field('status'),
    result: field('result'),
    progress: Number(field('progress')),
    queued: field('queued'),
    details: details ? childElements(details, 'line').map(textOf) : [],
  };
}

/** Polls a job until FIN, as a connector does. */
export async function pollUntilFinished(pan: FakePanos, id: number, intervalMs = 5): Promise<{ result: string; seen: string[]; details: string[] }> {
  const seen: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const job = await jobStatus(pan, id);
    if (seen[seen.length - 1] !== job.status) seen.push(job.status);
    if (job.status === 'FIN') return { result: job.result, seen, details: job.details };
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`job ${id} never finished`);
}

function messageLines(response: XmlElement): string[] {
  const msg = firstChild(response, 'msg') ?? firstChild(firstChild(response, 'result') ?? response, 'msg');
  if (!msg) return [];
  const lines = childElements(msg, 'line');
  return lines.length > 0 ? lines.map((l) => textOf(l).trim()) : [textOf(msg).trim()];
}
