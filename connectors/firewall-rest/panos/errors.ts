/**
 * PAN-OS XML API answers → ConnectorError (the code table in research B2). Every answer is
 * `<response status="success|error" code="N">`; errors carry their text in `<msg><line>…</line></msg>` or
 * `<result><msg>…</msg></result>` (400 and 403). Mapping is by code; message text is used only where PAN-OS
 * gives no distinguishing code (a taken name on rename, commit/config locks).
 */
import { ConnectorError } from '../../types.js';
import type { HttpResponse } from '../api.js';
import { XmlError, child, children, deepText, parseXml, type XmlElement } from './xml.js';

/** How long a caller should wait after PAN-OS reported an internal error or a lock. */
const RETRY_AFTER_SEC = 5;
const MAX_MESSAGE = 500;

/** An XML API error as PAN-OS sent it; kept as the `cause` of the ConnectorError. */
export class PanosApiError extends Error {
  override readonly name = 'PanosApiError';
  constructor(
    /** The response's `code` attribute; undefined when PAN-OS sent none (e.g. "Another commit … in progress"). */
    readonly code: number | undefined,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

/** The PAN-OS code behind a ConnectorError, e.g. 10 ("reference count not zero") when deleting a referenced user. */
export function panosCode(err: unknown): number | undefined {
  const cause = err instanceof ConnectorError ? err.cause : err;
  return cause instanceof PanosApiError ? cause.code : undefined;
}

/** A successful `<response>`. */
export interface PanosReply {
  readonly response: XmlElement;
  /** PAN-OS's code: 19/20 for success, 7 for a `get` that found nothing. */
  readonly code: number | undefined;
  readonly result: XmlElement | undefined;
}

/** Parses an answer; throws the mapped ConnectorError for anything but `status="success"`. */
export function readReply(res: HttpResponse, what: string): PanosReply {
  let response: XmlElement;
  try {
    response = parseXml(res.body);
  } catch (err) {
    if (!(err instanceof XmlError)) throw err;
    throw notXml(res, what, err);
  }
  if (response.name !== 'response') throw notXml(res, what, new XmlError(`root element <${response.name}>`));
  const codeText = response.attrs.get('code');
  const code = codeText !== undefined && /^\d+$/.test(codeText) ? Number(codeText) : undefined;
  if (response.attrs.get('status') === 'success' && res.status < 300) return { response, code, result: child(response, 'result') };
  throw mapPanosError(new PanosApiError(code, res.status, messageOf(response)), what);
}

export function mapPanosError(e: PanosApiError, what: string): ConnectorError {
  const code = e.code;
  const detail = `PAN-OS ${code ?? 'error'} on ${what}: ${e.message}`;
  const make = (kind: ConstructorParameters<typeof ConnectorError>[0], message = detail, retry = false): ConnectorError =>
    new ConnectorError(kind, message, { cause: e, ...(retry ? { retryAfterSec: RETRY_AFTER_SEC } : {}) });
  // 403 (bad key) arrives as HTTP 403 with code 403; 16 unauthorized; 22 session timed out. Never 401/403 to
  // the SCIM client: it would blame its own token.
  if (e.httpStatus === 401 || e.httpStatus === 403 || code === 403 || code === 16 || code === 22) {
    return make('upstream-auth', `PAN-OS refused the API key on ${what}: ${e.message}`);
  }
  // PAN-OS 11 answers a rename onto a taken name with code 12 and "… already exists" (the fake follows that);
  // a `set` onto a duplicate entry is 8 "not unique".
  if (code === 8 || /\balready exists\b|\bnot unique\b/i.test(e.message)) return make('conflict');
  switch (code) {
    case 7:
    case 13:
      return make('not-found');
    case 10:
      // "reference count not zero": a group or policy still names the object. The caller removes the
      // memberships and retries; panosCode() tells it apart from a name conflict.
      return make('conflict', `PAN-OS ${code} on ${what}: still referenced: ${e.message}`);
    case 12:
    case 18:
    case 400:
    case 14:
      return make('invalid');
    case 2:
    case 3:
    case 4:
    case 5:
    case 21:
      return make('unavailable', detail, true);
  }
  // Commit and config locks come without a code (pan-os-python matches the text the same way).
  if (/in progress|try again later|is locked|locked by/i.test(e.message)) return make('unavailable', detail, true);
  if (e.httpStatus >= 500) return make('unavailable', detail, true);
  // 1 unknown command, 6 bad XPath, 15 operation denied, 17 invalid command: the gateway sent something the
  // firewall does not take, which no retry fixes.
  return make('internal');
}

/** The `<msg>` text: its `<line>`s joined, or its plain text; bounded, as it ends up in SCIM error details. */
export function messageOf(response: XmlElement): string {
  const msg = child(response, 'msg') ?? child(child(response, 'result'), 'msg');
  if (!msg) return '(no message)';
  const lines = children(msg, 'line');
  const text = (lines.length > 0 ? lines.map(deepText) : [deepText(msg)])
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '')
    .join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text || '(no message)';
}

function notXml(res: HttpResponse, what: string, cause: Error): ConnectorError {
  const message = `PAN-OS answered ${what} with HTTP ${res.status} and no XML API response`;
  if (res.status === 401 || res.status === 403) return new ConnectorError('upstream-auth', message, { cause });
  if (res.status >= 500) return new ConnectorError('unavailable', message, { cause, retryAfterSec: RETRY_AFTER_SEC });
  return new ConnectorError('internal', message, { cause });
}
