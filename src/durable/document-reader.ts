/**
 * Reading the snapshot document without holding it twice. JSON.parse of a 75 MB document needs the
 * whole text and the whole result at once (three to four times the data at the peak). Our own writer
 * (snapshot-writer.ts) puts every header field and every record on a line of its own, so the usual case
 * is read line by line, one record at a time. A document in any other layout (edited and re-indented by
 * hand, written by another tool) is still valid JSON and falls back to one JSON.parse.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** `  "key": value,` */
const FIELD = /^ {2}("(?:[^"\\]|\\.)*"): (.*?),?$/;
/** `  "key": [` or `  "key": []` */
const SECTION = /^ {2}("(?:[^"\\]|\\.)*"): \[(\]?),?$/;

class NotOurLayout extends Error {}

/** Parses `path` as JSON; throws SyntaxError (or a read error) like JSON.parse would. */
export async function readDocument(path: string): Promise<unknown> {
  try {
    return await readByLines(path);
  } catch (err) {
    if (!(err instanceof NotOurLayout)) throw err;
  }
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

async function readByLines(path: string): Promise<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  const doc: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let section: unknown[] | undefined;
  let state: 'start' | 'fields' | 'records' | 'end' = 'start';
  try {
    for await (const line of lines) {
      if (state === 'start') {
        if (line !== '{') throw new NotOurLayout();
        state = 'fields';
      } else if (state === 'records') {
        if (line === '  ]' || line === '  ],') {
          state = 'fields';
          section = undefined;
        } else {
          if (!line.startsWith('    ')) throw new NotOurLayout();
          section?.push(JSON.parse(line.endsWith(',') ? line.slice(4, -1) : line.slice(4)) as unknown);
        }
      } else if (state === 'fields') {
        if (line === '}') {
          state = 'end';
          continue;
        }
        const s = SECTION.exec(line);
        if (s) {
          section = [];
          doc[JSON.parse(s[1] as string) as string] = section;
          if (s[2] !== ']') state = 'records';
          continue;
        }
        const f = FIELD.exec(line);
        if (!f) throw new NotOurLayout();
        doc[JSON.parse(f[1] as string) as string] = JSON.parse(f[2] as string) as unknown;
      } else if (line.trim() !== '') {
        throw new NotOurLayout();
      }
    }
  } catch (err) {
    // A record line that is not JSON may still be part of valid JSON in another layout.
    if (err instanceof SyntaxError) throw new NotOurLayout();
    throw err;
  } finally {
    lines.close();
  }
  if (state !== 'end') throw new NotOurLayout();
  return { ...doc };
}
