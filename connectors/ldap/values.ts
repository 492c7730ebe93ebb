/**
 * Conversions between the LDAP value syntaxes the connector meets and what SCIM carries: GeneralizedTime
 * (RFC 4517 §3.3.13) ↔ xsd:dateTime (RFC 7643 §2.3.5), AD's binary objectGUID ↔ its dashed text form, LDAP
 * Boolean (RFC 4517 §3.3.3), AD userAccountControl's disabled bit, and AD ranged attribute retrieval.
 * Pure functions; invalid input throws a plain Error for the caller to classify.
 */

const GENERALIZED_TIME =
  /^(\d{4})(\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{2})?)?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/;
const XSD_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Epoch milliseconds of a UTC calendar time. setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999. */
function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0); // a leap second (60) rolls over into the next minute: JavaScript has no :60
  return date.getTime();
}

function checkFields(y: number, mo: number, d: number, h: number, mi: number, s: number, what: string): void {
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) {
    throw new Error(`${what}: date or time out of range`);
  }
}

/** Offset `+hh`, `+hhmm` or `+hh:mm` in minutes east of UTC. */
function offsetMinutes(zone: string, what: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (h > 23 || m > 59) throw new Error(`${what}: bad time-zone offset`);
  return (zone.startsWith('-') ? -1 : 1) * (h * 60 + m);
}

/** `YYYY-MM-DDTHH:MM:SS` of an epoch time; only years 0000–9999 have a 4-digit form in both syntaxes. */
function isoSeconds(ms: number, what: string): string {
  const iso = new Date(ms).toISOString();
  if (!/^\d{4}-/.test(iso)) throw new Error(`${what}: year out of range`);
  return iso.slice(0, 19);
}

const trimZeros = (digits: string): string => digits.replace(/0+$/, '');

/**
 * GeneralizedTime → xsd:dateTime in UTC: `20240131120000Z` → `2024-01-31T12:00:00Z`. Accepts omitted minutes
 * and seconds, a fraction (of the last unit given, as RFC 4517 defines it) and a `+hhmm` offset. A fraction of
 * seconds keeps its digits exactly (trailing zeros dropped, so AD's `.0Z` disappears); a fraction of an hour
 * or a minute is resolved to milliseconds.
 */
export function fromGeneralizedTime(s: string): string {
  const m = GENERALIZED_TIME.exec(s);
  if (!m) throw new Error(`not a GeneralizedTime: ${JSON.stringify(s)}`);
  const [, y, mo, d, h, mi, sec, fraction = '', zone = 'Z'] = m;
  const n = (x: string | undefined): number => Number(x ?? 0);
  checkFields(n(y), n(mo), n(d), n(h), n(mi), n(sec), 'GeneralizedTime');
  // What slapd and AD send for every entry (createTimestamp, modifyTimestamp): UTC to the second. Already
  // in range, so it needs no Date round trip (a measurable part of a read's CPU).
  if (zone === 'Z' && sec !== undefined && mi !== undefined && n(sec) < 60) {
    const digits = trimZeros(fraction);
    return `${y}-${mo}-${d}T${h}:${mi}:${sec}${digits ? `.${digits}` : ''}Z`;
  }
  let ms = utcMillis(n(y), n(mo), n(d), n(h), n(mi), n(sec)) - offsetMinutes(zone, 'GeneralizedTime') * MINUTE_MS;
  let digits = trimZeros(fraction);
  if (digits !== '' && sec === undefined) {
    // A fraction of a minute or an hour: resolve it to whole milliseconds.
    ms += Math.round(Number(`0.${digits}`) * (mi === undefined ? HOUR_MS : MINUTE_MS));
    digits = trimZeros(String(ms - Math.floor(ms / 1000) * 1000).padStart(3, '0'));
  }
  return `${isoSeconds(ms, 'GeneralizedTime')}${digits ? `.${digits}` : ''}Z`;
}

/**
 * xsd:dateTime / RFC 3339 → GeneralizedTime in UTC: `2024-01-31T13:00:00+01:00` → `20240131120000Z`. The
 * fraction is kept exactly (it matters for `gt`/`lt` on timestamps). A time without a zone is taken as UTC,
 * which is what SCIM services use (RFC 7643 §2.3.5 shows `Z`).
 */
export function toGeneralizedTime(iso: string): string {
  const m = XSD_DATE_TIME.exec(iso);
  if (!m) throw new Error(`not an xsd:dateTime: ${JSON.stringify(iso)}`);
  const [, y, mo, d, h, mi, sec, fraction = '', zone = 'Z'] = m;
  const n = (x: string | undefined): number => Number(x ?? 0);
  checkFields(n(y), n(mo), n(d), n(h), n(mi), n(sec), 'dateTime');
  const ms = utcMillis(n(y), n(mo), n(d), n(h), n(mi), n(sec)) - offsetMinutes(zone, 'dateTime') * MINUTE_MS;
  const digits = trimZeros(fraction);
  return `${isoSeconds(ms, 'dateTime').replace(/[-T:]/g, '')}${digits ? `.${digits}` : ''}Z`;
}

const GUID_TEXT = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** Whether `s` is a dashed GUID, optionally in braces. */
export function isGuid(s: string): boolean {
  return GUID_TEXT.test(unbrace(s));
}

function unbrace(s: string): string {
  return s.startsWith('{') && s.endsWith('}') ? s.slice(1, -1) : s;
}

/**
 * AD objectGUID bytes → the dashed form Windows shows (lower-case): the first three groups are stored
 * little-endian (the GUID struct's Data1/Data2/Data3, MS-DTYP §2.3.4.2), the last two in byte order.
 * Bytes `01 02 03 04 05 06 07 08 09 0a …` → `04030201-0605-0807-090a-…`.
 */
export function guidFromBytes(buf: Uint8Array): string {
  if (buf.length !== 16) throw new Error(`a GUID has 16 bytes, not ${buf.length}`);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  return [
    hex(b.readUInt32LE(0), 8),
    hex(b.readUInt16LE(4), 4),
    hex(b.readUInt16LE(6), 4),
    b.subarray(8, 10).toString('hex'),
    b.subarray(10, 16).toString('hex'),
  ].join('-');
}

/** The inverse of guidFromBytes; accepts either case and optional braces. */
export function guidToBytes(s: string): Buffer {
  const m = GUID_TEXT.exec(unbrace(s));
  if (!m) throw new Error(`not a GUID: ${JSON.stringify(s)}`);
  const [, d1 = '', d2 = '', d3 = '', d4 = '', d5 = ''] = m;
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(d1, 16), 0);
  out.writeUInt16LE(parseInt(d2, 16), 4);
  out.writeUInt16LE(parseInt(d3, 16), 6);
  Buffer.from(d4 + d5, 'hex').copy(out, 8);
  return out;
}

/**
 * The assertion value for `(objectGUID=…)`: the raw 16 bytes. An ldapts EqualityFilter writes a Buffer value
 * as the OCTET STRING itself, so no `\xx` filter escaping is involved (RFC 4515 §3 only applies to strings).
 */
export function guidFilterValue(s: string): Buffer {
  return guidToBytes(s);
}

/** LDAP Boolean syntax (RFC 4517 §3.3.3) is exactly `TRUE` or `FALSE`. */
export function toLdapBoolean(b: boolean): 'TRUE' | 'FALSE' {
  return b ? 'TRUE' : 'FALSE';
}

/** Reads `TRUE`/`FALSE` in any case (some directories store DirectoryString `true`, e.g. 389's nsAccountLock). */
export function fromLdapBoolean(s: string): boolean {
  const v = s.trim().toUpperCase();
  if (v === 'TRUE') return true;
  if (v === 'FALSE') return false;
  throw new Error(`not an LDAP Boolean: ${JSON.stringify(s)}`);
}

/** ACCOUNTDISABLE in userAccountControl (MS-ADTS §2.2.16). */
const ACCOUNTDISABLE = 0x2;

function checkUac(uac: number): void {
  // AD returns the flags as a signed 32-bit INTEGER; accept that and the unsigned reading of the same bits.
  if (!Number.isInteger(uac) || uac < -0x8000_0000 || uac > 0xffff_ffff) throw new Error(`not a userAccountControl value: ${uac}`);
}

export function uacDisabled(uac: number): boolean {
  checkUac(uac);
  return (uac & ACCOUNTDISABLE) !== 0;
}

/**
 * Sets or clears ACCOUNTDISABLE and leaves every other flag (NORMAL_ACCOUNT 0x200, DONT_EXPIRE_PASSWORD 0x10000,
 * …) as it was. Explicit set/clear, never a toggle, so replaying a request is harmless. The result keeps the
 * input's signedness.
 */
export function withDisabled(uac: number, disabled: boolean): number {
  checkUac(uac);
  const bits = disabled ? uac | ACCOUNTDISABLE : uac & ~ACCOUNTDISABLE;
  return uac < 0 ? bits | 0 : bits >>> 0;
}

/** A chunk of a ranged attribute (AD returns at most MaxValRange values per attribute and names the range). */
export interface AttributeRange {
  /** The attribute description without its range option, e.g. `member`. */
  attribute: string;
  start: number;
  /** `'*'` on the last chunk. */
  end: number | '*';
}

/**
 * `member;range=0-1499` → `{ attribute: 'member', start: 0, end: 1499 }`; `member;range=1500-*` → end `'*'`.
 * undefined when the description has no range option (the attribute came whole); throws on a malformed one.
 */
export function parseRange(description: string): AttributeRange | undefined {
  const parts = description.split(';');
  const i = parts.findIndex((p, k) => k > 0 && /^range=/i.test(p));
  if (i < 0) return undefined;
  const m = /^range=(\d+)-(\d+|\*)$/i.exec(parts[i] ?? '');
  if (!m) throw new Error(`malformed range option: ${JSON.stringify(description)}`);
  const start = Number(m[1]);
  const end = m[2] === '*' ? '*' : Number(m[2]);
  if (end !== '*' && end < start) throw new Error(`range ends before it starts: ${JSON.stringify(description)}`);
  parts.splice(i, 1);
  return { attribute: parts.join(';'), start, end };
}

/** The attribute description that asks for the values from `start` on: `member;range=1500-*`. */
export function rangedAttribute(attribute: string, start: number): string {
  if (!Number.isSafeInteger(start) || start < 0) throw new Error(`bad range start: ${start}`);
  return `${attribute};range=${start}-*`;
}
