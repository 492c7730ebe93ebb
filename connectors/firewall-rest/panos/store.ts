/**
 * What users.ts and groups.ts share: the client, the XPaths, and reading entries from the candidate config.
 * Reads use `action=get` (candidate), not `show` (running): a write acknowledged in `candidate` mode, or one
 * whose commit failed, must be visible to the next read, or Entra's retry of a create would find nothing and
 * create again.
 */
import type { PanosClient } from './client.js';
import type { PanosPaths } from './xpath.js';
import { children, type XmlElement } from './xml.js';

export interface PanosStore {
  readonly client: PanosClient;
  readonly paths: PanosPaths;
  /** Called after each request that changed the candidate config, so a commit follows even if a later step fails. */
  readonly changed: () => void;
  /** Objects per page of list(): PAN-OS has no paging, the whole table comes in one answer and is cut here. */
  readonly pageSize: number;
}

/** The `<entry>` elements an XPath selects in the candidate config ([] when none: PAN-OS answers success, code 7). */
export async function getEntries(store: PanosStore, xpath: string, what: string, signal: AbortSignal): Promise<XmlElement[]> {
  const reply = await store.client.config('get', xpath, {}, { what, idempotent: true }, signal);
  if (reply.code === 7) return [];
  return children(reply.result, 'entry');
}

export async function getEntry(store: PanosStore, xpath: string, what: string, signal: AbortSignal): Promise<XmlElement | undefined> {
  return (await getEntries(store, xpath, what, signal))[0];
}

/** Splits a table into pages for list(). */
export function* pages<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
