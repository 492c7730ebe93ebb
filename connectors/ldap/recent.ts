/**
 * The entry a request has just read, for the modify the same request makes next. The core answers a PATCH
 * or PUT with a read (to apply the operations to the current resource) and then a modify, both inside one
 * per-resource exclusive section (src/core/resources.ts, queue.ts). Without this hand-off the modify would
 * search for the same entry again (its DN and current attributes): one search in three of Entra's PATCH.
 *
 * An entry is handed only to the request that read it (same requestId), once. A modify that finds the DN
 * gone (the entry was renamed or moved by someone else in between) searches afresh (resources.ts).
 */
import type { Entry } from 'ldapts';

export class RecentReads {
  readonly #reads = new Map<string, { readonly requestId: string; readonly entry: Entry }>();

  /** `max` bounds memory: reads no modify follows (plain GETs) are evicted oldest first. */
  constructor(private readonly max = 256) {}

  remember(id: string, requestId: string, entry: Entry): void {
    this.#reads.delete(id);
    this.#reads.set(id, { requestId, entry });
    if (this.#reads.size > this.max) this.#reads.delete(this.#reads.keys().next().value as string);
  }

  /** The entry `requestId` read for `id`, once; undefined when another request read it last. */
  take(id: string, requestId: string): Entry | undefined {
    const read = this.#reads.get(id);
    if (!read) return undefined;
    this.#reads.delete(id);
    return read.requestId === requestId ? read.entry : undefined;
  }

  forget(id: string): void {
    this.#reads.delete(id);
  }
}
