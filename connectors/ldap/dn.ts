/**
 * Distinguished names as strings (RFC 4514): escaping the values we put into DNs, parsing the DNs a server
 * sends back, and a normal form to compare the two. Servers escape differently from us (OpenLDAP answers
 * `uid=\20lead\2Cx` for the `uid=\ lead\,x` we sent; ldapts' own DN class writes the RFC 2253 quoted form
 * `uid=" lead"`), so DNs are only ever compared through normalizeDn, never as raw strings.
 *
 * Pure string code: no I/O, no ldapts.
 */

/** One attributeTypeAndValue of an RDN (RFC 4514 §2.3), with the value unescaped. */
export interface DnComponent {
  type: string;
  value: string;
}

/** attributeType = descr / numericoid (RFC 4512 §1.4). */
const ATTRIBUTE_TYPE = /[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+/y;
const ATTRIBUTE_TYPE_ONLY = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

/** Characters RFC 4514 §2.4 requires escaped anywhere in a value. `=` is optional there; escaping it is allowed and harmless. */
const ESCAPED_ANYWHERE = new Set(['\\', '"', '+', ',', ';', '<', '>', '=']);

/** What may follow a backslash in `pair` (RFC 4514 §3): ESC / special, besides a hex pair. */
const PAIR_CHARS = new Set(['\\', '"', '+', ',', ';', '<', '>', ' ', '#', '=']);

/** Characters `stringchar` (RFC 4514 §3) excludes and that are not separators: they must arrive escaped. */
const MUST_BE_ESCAPED = new Set(['"', '<', '>', '\0']);

/**
 * Escapes an attribute value for a DN string (RFC 4514 §2.4): `\ " + , ; < > =` get a backslash, NUL becomes
 * `\00`, and so do a leading space or `#` and a trailing space. Anything else, non-ASCII included, stays as
 * UTF-8 text. Without this a `+` would silently make a multi-valued RDN and a `,` a different parent.
 * A trailing backslash is written `\5C`: ldapts' modifyDN cuts the new DN at the first `,` not preceded by
 * a backslash, so `uid=a\\,ou=…` would be cut after `ou=…` and the rename rejected (34 invalid new RDN).
 */
export function escapeDnValue(v: string): string {
  const last = v.length - 1;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charAt(i);
    if (c === '\0') out += '\\00';
    else if (c === '\\' && i === last) out += '\\5C';
    else if (ESCAPED_ANYWHERE.has(c) || (i === 0 && (c === ' ' || c === '#')) || (i === last && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Collects one value: literal characters, escaped characters and hex-escaped UTF-8 bytes. */
class ValueBuilder {
  private out = '';
  /** Length of `out` up to the last significant character: unescaped trailing spaces are not part of the value. */
  private keep = 0;
  private bytes: number[] = [];

  constructor(private readonly fail: (why: string) => never) {}

  literal(c: string, significant: boolean): void {
    this.flush();
    this.out += c;
    if (significant) this.keep = this.out.length;
  }

  byte(b: number): void {
    this.bytes.push(b);
  }

  finish(): string {
    this.flush();
    return this.out.slice(0, this.keep);
  }

  /** Hex pairs are UTF-8 bytes (RFC 4514 §2.4), and one character may span several pairs (`\C3\A9` = é). */
  private flush(): void {
    if (this.bytes.length === 0) return;
    try {
      this.out += utf8.decode(Uint8Array.from(this.bytes));
    } catch {
      this.fail('hex-escaped bytes are not UTF-8');
    }
    this.bytes = [];
    this.keep = this.out.length;
  }
}

interface ParsedDn {
  rdns: DnComponent[][];
  /** Offset in the input where the second RDN starts (the parent DN), or the input length. */
  parentAt: number;
}

function parse(dn: string): ParsedDn {
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`malformed DN at offset ${pos}: ${why}`);
  };
  const skipSpaces = (): void => {
    while (dn.charAt(pos) === ' ') pos++;
  };
  const isHex = (s: string): boolean => /^[0-9A-Fa-f]{2}$/.test(s);

  /** After a backslash: a hex pair (one byte) or one of the characters `pair` allows. */
  const escape = (b: ValueBuilder): void => {
    const hex = dn.slice(pos + 1, pos + 3);
    if (isHex(hex)) {
      b.byte(parseInt(hex, 16));
      pos += 3;
      return;
    }
    const c = dn.charAt(pos + 1);
    if (!PAIR_CHARS.has(c)) fail(c === '' ? 'dangling backslash' : `'\\${c}' is not a valid escape`);
    b.literal(c, true);
    pos += 2;
  };

  /** `string` (RFC 4514 §3), tolerating unescaped spaces before the next separator (RFC 4514 §3 / RFC 2253 §4). */
  const readString = (): string => {
    const b = new ValueBuilder(fail);
    while (pos < dn.length) {
      const c = dn.charAt(pos);
      if (c === ',' || c === '+' || c === ';') break;
      if (c === '\\') {
        escape(b);
        continue;
      }
      if (MUST_BE_ESCAPED.has(c)) fail(`unescaped ${JSON.stringify(c)} in a value`);
      b.literal(c, c !== ' ');
      pos++;
    }
    return b.finish();
  };

  /** RFC 2253 §4 / RFC 1779 quoted value, which ldapts' RDN.toString() writes for values with edge spaces. */
  const readQuoted = (): string => {
    const b = new ValueBuilder(fail);
    pos++;
    for (;;) {
      if (pos >= dn.length) fail('unterminated quoted value');
      const c = dn.charAt(pos);
      if (c === '"') break;
      if (c === '\\') escape(b);
      else {
        b.literal(c, true);
        pos++;
      }
    }
    pos++;
    return b.finish();
  };

  /** `#` hexstring: the BER encoding of the value (RFC 4514 §2.4). Only primitive string types are decoded. */
  const readHexString = (): string => {
    const m = /[0-9A-Fa-f]*/y;
    m.lastIndex = pos + 1;
    const hex = m.exec(dn)?.[0] ?? '';
    if (hex.length < 4 || hex.length % 2 !== 0) fail('bad #hexstring');
    pos += 1 + hex.length;
    return decodeBerString(Buffer.from(hex, 'hex'), fail);
  };

  const readType = (): string => {
    ATTRIBUTE_TYPE.lastIndex = pos;
    const m = ATTRIBUTE_TYPE.exec(dn);
    if (!m) return fail('expected an attribute type');
    pos += m[0].length;
    return m[0];
  };

  const rdns: DnComponent[][] = [];
  let parentAt = dn.length;
  skipSpaces();
  if (pos === dn.length) return { rdns, parentAt }; // the empty DN (the root DSE) is valid
  for (;;) {
    const rdn: DnComponent[] = [];
    for (;;) {
      skipSpaces();
      const type = readType();
      skipSpaces();
      if (dn.charAt(pos) !== '=') fail("expected '='");
      pos++;
      skipSpaces();
      const c = dn.charAt(pos);
      const value = c === '#' ? readHexString() : c === '"' ? readQuoted() : readString();
      rdn.push({ type, value });
      skipSpaces();
      if (dn.charAt(pos) !== '+') break;
      pos++;
    }
    rdns.push(rdn);
    if (pos >= dn.length) break;
    // RFC 2253 §4: parsers accept ';' as an RDN separator too.
    if (dn.charAt(pos) !== ',' && dn.charAt(pos) !== ';') fail(`unexpected ${JSON.stringify(dn.charAt(pos))}`);
    pos++;
    if (rdns.length === 1) {
      skipSpaces();
      parentAt = pos;
    }
  }
  return { rdns, parentAt };
}

/** OCTET STRING, UTF8String, PrintableString, IA5String: the string types an RDN value plausibly carries. */
const BER_STRING_TAGS = new Set([0x04, 0x0c, 0x13, 0x16]);

function decodeBerString(ber: Buffer, fail: (why: string) => never): string {
  const tag = ber[0];
  let length = ber[1] ?? fail('truncated #hexstring');
  let offset = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) fail('unsupported BER length in #hexstring');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (ber[offset++] ?? fail('truncated #hexstring'));
  }
  if (offset + length !== ber.length) fail('BER length does not match the #hexstring');
  if (tag === undefined || !BER_STRING_TAGS.has(tag)) fail('#hexstring is not a BER string type');
  try {
    return utf8.decode(ber.subarray(offset));
  } catch {
    return fail('#hexstring is not UTF-8');
  }
}

/**
 * Parses a DN into its RDNs, first (leaf) RDN first, each a list of one or more type/value pairs. Values are
 * unescaped (`\,`, `\2C`, multi-byte `\C3\A9`, `#`-BER, and RFC 2253 `"…"`); spaces around `=`, `,` and `+`
 * are ignored. Throws an Error on malformed input.
 */
export function parseDn(dn: string): DnComponent[][] {
  return parse(dn).rdns;
}

/**
 * A canonical string for comparing DNs: attribute types lower-cased, values unescaped, lower-cased and
 * re-escaped one way, the parts of a multi-valued RDN sorted (their order is insignificant, RFC 4512 §2.3).
 * Lower-casing values is right for the attributes DNs are built from (uid, cn, ou, dc, o: caseIgnoreMatch,
 * RFC 4519); it does not apply RFC 4518's insignificant-space folding, so `a  b` and `a b` stay different.
 */
export function normalizeDn(dn: string): string {
  return parseDn(dn)
    .map((rdn) =>
      rdn
        .map((c) => `${c.type.toLowerCase()}=${escapeDnValue(c.value.toLowerCase())}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/** `<rdnType>=<escaped rdnValue>,<parent>`; the parent is checked, not rewritten. An empty parent gives a one-RDN DN. */
export function buildDn(rdnType: string, rdnValue: string, parent: string): string {
  if (!ATTRIBUTE_TYPE_ONLY.test(rdnType)) throw new Error(`not an attribute type: ${JSON.stringify(rdnType)}`);
  if (rdnValue === '') throw new Error(`empty value for the RDN attribute ${rdnType}`);
  const rdn = `${rdnType}=${escapeDnValue(rdnValue)}`;
  if (parent.trim() === '') return rdn;
  parseDn(parent); // throws on a malformed parent, which would otherwise change what the result means
  return `${rdn},${parent}`;
}

/** The first (leaf) RDN, which must be single-valued: multi-valued RDNs are not something we create or rename. */
export function rdnOf(dn: string): DnComponent {
  const first = parseDn(dn)[0];
  if (first === undefined) throw new Error('the empty DN has no RDN');
  const [only, ...more] = first;
  if (only === undefined || more.length > 0) throw new Error('multi-valued RDNs are not supported');
  return only;
}

/** The DN without its first RDN, as written in the input (not re-escaped); '' for a one-RDN DN. */
export function parentOf(dn: string): string {
  const { rdns, parentAt } = parse(dn);
  if (rdns.length === 0) throw new Error('the empty DN has no parent');
  return dn.slice(parentAt);
}
