/**
 * FortiOS CMDB answers → results or ConnectorErrors (research B1: envelopes and the hfortix error table).
 *
 * Every answer is a JSON envelope `{ status: "success" | "error", http_status, error?, results?, … }`. Most
 * CMDB failures are HTTP 500 with a negative `error` code; an unknown mkey is a 404 (no code on GETs). A bad
 * token is an HTML page from the web server (401, handled by the transport), as is a broken box's 500.
 */
import { ConnectorError } from '../../types.js';
import type { HttpResponse } from '../api.js';

export const FORTI_ERROR = {
  invalidLength: -1,
  notFound: -3,
  duplicate: -5,
  permissionDenied: -14,
  duplicateEntry: -15,
  inUse: -23,
  invalidValue: -651,
  unknownKeyword: -703,
} as const;

export interface Envelope {
  readonly status?: unknown;
  readonly http_status?: unknown;
  readonly error?: unknown;
  readonly results?: unknown;
  readonly mkey?: unknown;
}

/** The JSON envelope of an answer, or undefined when the body is not one (an HTML error page, a proxy's answer). */
export function envelopeOf(res: HttpResponse): Envelope | undefined {
  if (res.body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(res.body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && ('http_status' in parsed || 'status' in parsed) ? (parsed as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a failed answer is worth another attempt: a 500 that is not a CMDB envelope came from a web server
 * that could not reach the CMDB daemon (busy, restarting). A 500 envelope with a code is a final CMDB answer.
 */
export function isTransient(res: HttpResponse): boolean {
  return res.status === 500 && envelopeOf(res) === undefined;
}

/** The subject of a request, for messages: `user "jdoe"`, `group "vpn"`. */
export type Subject = string;

/** Maps a non-success answer to the ConnectorError a SCIM client should see. */
export function toConnectorError(res: HttpResponse, what: string, subject: Subject): ConnectorError {
  const env = envelopeOf(res);
  const code = typeof env?.error === 'number' ? env.error : undefined;
  const said = `(HTTP ${res.status}${code === undefined ? '' : `, error ${code}`})`;
  const prefix = `FortiOS: ${what}`;
  // Fortinet's 424 text: "missing required parameter, missing required attribute, invalid attribute value";
  // with −3 it is an object the request names (a group member) that does not exist: the request is at fault.
  if (res.status === 424) return new ConnectorError('invalid', `${prefix}: the firewall rejected the request for ${subject}: a value is missing or names an object that does not exist ${said}`);
  switch (code) {
    case FORTI_ERROR.duplicate:
    case FORTI_ERROR.duplicateEntry:
      return new ConnectorError('conflict', `${prefix}: ${subject} already exists on the firewall ${said}`);
    case FORTI_ERROR.notFound:
      return new ConnectorError('not-found', `${prefix}: ${subject} (or an object it names) does not exist on the firewall ${said}`);
    case FORTI_ERROR.invalidLength:
      return new ConnectorError('invalid', `${prefix}: the firewall rejected a value of ${subject} as too long ${said}`);
    case FORTI_ERROR.invalidValue:
      return new ConnectorError('invalid', `${prefix}: the firewall rejected a value of ${subject} as invalid ${said}`);
    case FORTI_ERROR.unknownKeyword:
      return new ConnectorError('invalid', `${prefix}: the firewall does not know a field sent for ${subject} (check the mapping) ${said}`);
    case FORTI_ERROR.inUse:
      // A user still in a group is taken out first (connector.ts); what is left is a policy or another table.
      return new ConnectorError('conflict', `${prefix}: ${subject} is in use on the firewall (a policy or another object refers to it) ${said}`);
    case FORTI_ERROR.permissionDenied:
      return new ConnectorError('upstream-auth', `${prefix}: the API administrator's profile may not do this ${said}`);
    default:
      break;
  }
  if (res.status === 404) return new ConnectorError('not-found', `${prefix}: ${subject} does not exist on the firewall ${said}`);
  if (res.status === 400) return new ConnectorError('invalid', `${prefix}: the firewall rejected the request for ${subject} ${said}`);
  if (res.status >= 500 && env === undefined) return new ConnectorError('unavailable', `${prefix}: the firewall failed ${said}`, { retryAfterSec: 5 });
  return new ConnectorError('internal', `${prefix}: unexpected answer from the firewall ${said}`);
}

/** The `results` of a successful answer; a 200 without an envelope is a firewall (or proxy) misbehaving. */
export function resultsOf(res: HttpResponse, what: string): unknown[] {
  const env = envelopeOf(res);
  if (!env) throw new ConnectorError('internal', `FortiOS: ${what}: the answer is not a FortiOS JSON envelope (HTTP ${res.status})`);
  return Array.isArray(env.results) ? env.results : [];
}
