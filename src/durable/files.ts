/**
 * File names and the small fs helpers the store needs. Everything the store creates lives next to the
 * document, so a rename is atomic and one directory fsync makes new names durable.
 */
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from './errors.js';

/** Zero-padded so that the lexical order of segment names is their sequence order. */
const SEQ_DIGITS = 16;

export interface SegmentFile {
  /** Sequence number of the first record this segment may hold (from its name). */
  readonly firstSeq: number;
  readonly path: string;
  /** Size on disk (or bytes written so far for the active segment). */
  bytes: number;
}

export function segmentPath(dir: string, name: string, firstSeq: number): string {
  return join(dir, `${name}.journal.${String(firstSeq).padStart(SEQ_DIGITS, '0')}`);
}

export function tempPath(dir: string, name: string): string {
  return join(dir, `${name}.tmp-${process.pid}`);
}

export function lockPath(dir: string, name: string): string {
  return join(dir, `${name}.lock`);
}

/** The name must be a plain file name: the store derives sibling names from it. */
export function assertPlainName(name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new Error(`durable store name must be a plain file name, got ${JSON.stringify(name)}`);
  }
}

/** Journal segments of `name` in `dir`, sorted by first sequence number, with their sizes. */
export async function listSegments(dir: string, name: string): Promise<SegmentFile[]> {
  const prefix = `${name}.journal.`;
  const found: SegmentFile[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.startsWith(prefix)) continue;
    const digits = entry.name.slice(prefix.length);
    if (!/^\d{16}$/.test(digits)) continue;
    found.push({ firstSeq: Number(digits), path: join(dir, entry.name), bytes: 0 });
  }
  found.sort((a, b) => a.firstSeq - b.firstSeq);
  return found;
}

/**
 * Leftovers of earlier processes that crashed mid-way: snapshot temp files and stale locks moved aside
 * during a take-over. Safe to delete once we hold the lock.
 */
export async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const prefixes = [`${name}.tmp-`, `${name}.lock.stale-`];
  for (const entry of await readdir(dir)) {
    if (prefixes.some((p) => entry.startsWith(p))) await unlinkIfExists(join(dir, entry));
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/**
 * fsync a directory so that creates, renames and unlinks in it survive a power loss. Some filesystems
 * refuse fsync on a directory (EINVAL); there is nothing better to do on those, so that is not an error.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw err;
  } finally {
    await handle.close();
  }
}

/** `write` may write less than asked (rare for files, but allowed); loop until the buffer is out. */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    offset += bytesWritten;
  }
}
