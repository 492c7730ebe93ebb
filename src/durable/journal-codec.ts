/**
 * The journal line format: `<seq>\t<crc32 of the JSON text, hex>\t<JSON array of the commit's entries>\n`.
 *
 * One line per commit (not per entry), so the entries of one commit are atomic: a torn line is dropped as a
 * whole. Lines are plain text so an operator can read a segment with `less`; the CRC catches torn or
 * zero-filled tails that still happen to end in a newline.
 */
import { crc32 } from 'node:zlib';

const NEWLINE = 0x0a;
const TAB = 0x09;

export function encodeRecord(seq: number, json: string): string {
  return `${seq}\t${crc32(json).toString(16)}\t${json}\n`;
}

export interface DecodedRecord {
  readonly seq: number;
  readonly entries: readonly unknown[];
  /** Byte offset just past this record's newline. */
  readonly end: number;
}

export type DecodeResult =
  | { readonly ok: true; readonly records: DecodedRecord[]; readonly validBytes: number }
  | { readonly ok: false; readonly records: DecodedRecord[]; readonly validBytes: number; readonly reason: string };

/**
 * Decode a segment up to its first bad line. A crash can leave a partial line, a line with the wrong CRC or
 * a run of zero bytes at the end; none of those was acknowledged, so everything from there on is ignored and
 * reported as `reason`. A line with a good CRC whose JSON is not an array was written by someone else: that
 * is corruption, not a torn tail, and throws.
 */
export function decodeSegment(data: Buffer, label: string): DecodeResult {
  const records: DecodedRecord[] = [];
  let pos = 0;
  while (pos < data.length) {
    const nl = data.indexOf(NEWLINE, pos);
    if (nl < 0) return torn(records, pos, 'incomplete last line');
    const tab1 = data.indexOf(TAB, pos);
    const tab2 = tab1 < 0 ? -1 : data.indexOf(TAB, tab1 + 1);
    if (tab1 < 0 || tab2 < 0 || tab2 > nl) return torn(records, pos, 'malformed line');
    const seqText = data.toString('latin1', pos, tab1);
    const crcText = data.toString('latin1', tab1 + 1, tab2);
    if (!/^\d{1,16}$/.test(seqText) || !/^[0-9a-f]{1,8}$/.test(crcText)) return torn(records, pos, 'malformed line');
    const json = data.subarray(tab2 + 1, nl);
    if (crc32(json) !== parseInt(crcText, 16)) return torn(records, pos, 'checksum mismatch');
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.toString('utf8'));
    } catch {
      return torn(records, pos, 'unparseable JSON');
    }
    if (!Array.isArray(parsed)) {
      throw new Error(`${label}: record at byte ${pos} has a valid checksum but is not a JSON array of entries`);
    }
    records.push({ seq: Number(seqText), entries: parsed, end: nl + 1 });
    pos = nl + 1;
  }
  return { ok: true, records, validBytes: pos };
}

function torn(records: DecodedRecord[], pos: number, reason: string): DecodeResult {
  return { ok: false, records, validBytes: pos, reason };
}
