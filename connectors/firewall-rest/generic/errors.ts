/**
 * Answers → ConnectorError, per the YAML's error rules (first match wins), then by HTTP status. 401/403 and
 * retryable statuses (429, 502–504) never get here: the transport turns them into upstream-auth, rate-limited
 * or unavailable. Messages carry the firewall's own error text (bounded), never request headers.
 */
import { ConnectorError, type ConnectorErrorKind } from '../../types.js';
import type { HttpResponse } from '../api.js';
import type { ErrorRule } from './config-ops.js';
import { readPath, textOf, type JsonPath } from './extract.js';

/** Retry-After given with 'unavailable' when the firewall named no time. */
const RETRY_AFTER_SEC = 5;

export interface ErrorPolicy {
  readonly label: string;
  readonly rules: readonly ErrorRule[];
  /** Where to look for an error text when a rule names none. */
  readonly messagePaths: readonly JsonPath[];
}

const sameScalar = (v: unknown, e: string | number | boolean): boolean =>
  v === e || ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v) === String(e));

const present = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

function defaultText(body: unknown, policy: ErrorPolicy): string | undefined {
  for (const p of policy.messagePaths) {
    const t = textOf(readPath(body, p));
    if (t !== undefined) return t;
  }
  return undefined;
}

function kindForStatus(status: number): ConnectorErrorKind {
  if (status === 404 || status === 410) return 'not-found';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'unavailable';
  if (status >= 400) return 'invalid';
  return 'internal';
}

/**
 * The error an answer stands for, or undefined when it is a success. `what` is the request ("create user"),
 * `subject` the object (`"jdoe"`).
 */
export function errorOf(res: HttpResponse, body: unknown, policy: ErrorPolicy, what: string, subject: string): ConnectorError | undefined {
  for (const rule of policy.rules) {
    if (rule.status && !rule.status.includes(res.status)) continue;
    if (rule.path) {
      const v = readPath(body, rule.path);
      if (rule.equals ? !rule.equals.some((e) => sameScalar(v, e)) : !present(v)) continue;
    }
    const text = (rule.message ? textOf(readPath(body, rule.message)) : undefined) ?? defaultText(body, policy);
    if (rule.matches && !rule.matches.test(text ?? '')) continue;
    return make(rule.kind, policy, what, subject, res.status, text);
  }
  if (res.status >= 200 && res.status < 300) return undefined;
  return make(kindForStatus(res.status), policy, what, subject, res.status, defaultText(body, policy));
}

function make(kind: ConnectorErrorKind, policy: ErrorPolicy, what: string, subject: string, status: number, text: string | undefined): ConnectorError {
  const message = `${policy.label}: ${[what, subject].filter((s) => s !== '').join(' ')}: ${text ?? `HTTP ${status}`}`;
  return new ConnectorError(kind, message, kind === 'unavailable' || kind === 'rate-limited' ? { retryAfterSec: RETRY_AFTER_SEC } : {});
}

/** A success whose body is not the JSON the configuration expects. */
export function notJson(label: string, what: string, res: HttpResponse): ConnectorError {
  return new ConnectorError('internal', `${label}: ${what}: HTTP ${res.status} without the expected JSON answer`);
}
