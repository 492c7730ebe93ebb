/**
 * Write the snapshot document: `{ ...header, "seq": S, "<section>": [ records ] }`, one record per line.
 *
 * The document can be tens of megabytes, so it is never built as one string: records are stringified a
 * chunk at a time and written through a file handle, awaiting each write, so the event loop keeps serving
 * requests between chunks. It goes to a temp file that is fsynced and renamed over the document, so other
 * programs (and a crash) only ever see a complete old or a complete new document.
 */
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, unlinkIfExists, writeAll } from './files.js';
import type { SnapshotCapture } from './types.js';

/**
 * Flush the chunk buffer at this size or after this many records, whichever comes first. Kept under
 * V8's large-object size (128 KiB) so chunk strings die young instead of growing the old generation.
 */
const CHUNK_CHARS = 64 * 1024;
const CHUNK_RECORDS = 500;

export interface SnapshotWriteOptions {
  fsync: boolean;
  mode: number;
  /** Called between chunks; throws to abandon the snapshot (e.g. the state it captured was rolled back). */
  checkpoint: () => void | Promise<void>;
  /** Awaited after the temp file is complete and before it replaces the document. */
  beforeRename: () => Promise<void>;
}

export async function writeSnapshot(
  docPath: string,
  tmpPath: string,
  seq: number,
  capture: SnapshotCapture,
  options: SnapshotWriteOptions,
): Promise<void> {
  const { header, sections } = capture;
  const sectionNames = Object.keys(sections);
  if (Object.hasOwn(header, 'seq') || Object.hasOwn(sections, 'seq')) {
    throw new Error('snapshot header and sections must not use the reserved key "seq"');
  }
  for (const key of sectionNames) {
    if (Object.hasOwn(header, key)) throw new Error(`snapshot header field "${key}" is also a section`);
  }

  const handle = await open(tmpPath, 'w', options.mode);
  let complete = false;
  try {
    let buffer = '{\n';
    const flush = async (): Promise<void> => {
      if (buffer.length > 0) await writeAll(handle, Buffer.from(buffer, 'utf8'));
      buffer = '';
      await options.checkpoint();
    };
    const fields: string[] = [];
    for (const [key, value] of Object.entries(header)) fields.push(`  ${JSON.stringify(key)}: ${stringifyValue(value)}`);
    fields.push(`  "seq": ${seq}`);
    buffer += fields.join(',\n');

    for (const key of sectionNames) {
      const records = sections[key] ?? [];
      buffer += `,\n  ${JSON.stringify(key)}: [`;
      let inChunk = 0;
      for (let i = 0; i < records.length; i++) {
        buffer += `${i === 0 ? '\n' : ',\n'}    ${stringifyValue(records[i])}`;
        if (++inChunk >= CHUNK_RECORDS || buffer.length >= CHUNK_CHARS) {
          await flush();
          inChunk = 0;
        }
      }
      buffer += records.length > 0 ? '\n  ]' : ']';
    }
    buffer += '\n}\n';
    await flush();
    if (options.fsync) await handle.sync();
    complete = true;
  } finally {
    await handle.close();
    if (!complete) await unlinkIfExists(tmpPath);
  }

  try {
    await options.beforeRename();
  } catch (err) {
    await unlinkIfExists(tmpPath);
    throw err;
  }
  await rename(tmpPath, docPath);
  if (options.fsync) await fsyncDir(dirname(docPath));
}

/** JSON.stringify, but never `undefined` (which would make the document invalid JSON). */
function stringifyValue(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
