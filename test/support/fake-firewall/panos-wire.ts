/**
 * The fake PAN-OS's wire format: request parameters (query string and form body) and the XML API's response
 * envelopes (research B2: `<response status="…" code="…">`).
 */
import type { FakeRequest, FakeResponse } from './http-fake.js';
import { PanosError } from './panos-schema.js';
import { XmlSyntaxError, cdata, childElements, escapeText, parseXml, type XmlElement } from './panos-xml.js';

// pan-python accepts only application/xml with charset=utf-8 (compared case-insensitively).
const XML_TYPE = { 'content-type': 'application/xml; charset=UTF-8' } as const;

/** Query parameters, then the form body's (a POST's fields win, as the connector sends them there). */
export function paramsOf(req: FakeRequest): URLSearchParams {
  const params = new URLSearchParams(req.url.searchParams);
  if (req.body === '') return params;
  const type = headerValue(req.headers['content-type']) ?? '';
  if (type !== '' && !type.startsWith('application/x-www-form-urlencoded')) throw new PanosError(400, [`Content-Type ${type} is not modelled by the fake PAN-OS`]);
  for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v);
  return params;
}

export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw new PanosError(400, [`Missing parameter: ${name}`]);
  return value;
}

export function parseCommand(cmd: string): XmlElement {
  try {
    const [root, ...rest] = parseXml(cmd);
    if (root !== undefined && typeof root !== 'string' && rest.length === 0) return root;
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
  }
  throw new PanosError(18, ['Malformed command']);
}

export function pathNames(el: XmlElement): string[] {
  const [only, ...more] = childElements(el);
  return only && more.length === 0 ? [el.name, ...pathNames(only)] : [el.name];
}

export function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/** 400 and 403 carry their message in `<result><msg>` and as the HTTP status; the rest are HTTP 200. */
export function errorResponse(err: PanosError): FakeResponse {
  const code = err.code === undefined ? '' : ` code="${err.code}"`;
  if (err.code === 400 || err.code === 403) {
    return xml(err.code, `<response status="error"${code}><result><msg>${escapeText(err.lines.join(' '))}</msg></result></response>`);
  }
  const lines = err.lines.map((l) => `<line>${err.cdata ? cdata(l) : escapeText(l)}</line>`).join('');
  return xml(200, `<response status="error"${code}><msg>${lines}</msg></response>`);
}

export function xml(status: number, body: string): FakeResponse {
  return { status, headers: XML_TYPE, body };
}
