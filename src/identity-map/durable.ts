/**
 * The embedded identity map on the durable engine (src/durable: write-ahead journal with group commit,
 * atomic snapshots, crash recovery, one process per file). Every write checks the in-memory state and
 * commits in one synchronous stretch (no await in between), so two concurrent writes can never both bind
 * one key: the second sees the first's entry, applied in memory before its fsync.
 */
import { randomUUID } from 'node:crypto';
import { DurableStoreError, open, type DurableStore, type DurableStoreStats } from '../durable/index.js';
import { IdentityMapError } from './errors.js';
import { createMachine, foldExternalId, keyFolder, kindState, type Entry, type KeyCase, type KindState, type State } from './state.js';
import type { IdentityEntry, IdentityInput, IdentityKind, IdentityMap, IdentityMapOptions } from './types.js';

const DEFAULT_NAME = 'identity-map.json';

function unavailable(err: unknown): IdentityMapError {
  if (err instanceof IdentityMapError) return err;
  // DurableStoreError messages name the file and, when locked, the process holding it.
  const message = err instanceof DurableStoreError ? err.message : `identity map: ${err instanceof Error ? err.message : String(err)}`;
  return new IdentityMapError('unavailable', message, { cause: err });
}

function checkText(what: string, v: unknown): void {
  if (typeof v !== 'string' || v === '') throw new IdentityMapError('invalid', `identity map: ${what} must be a non-empty string, got ${JSON.stringify(v)}`);
}

/** Open (or create) the identity map in `options.dir`. Rejects with 'unavailable' when another process holds it. */
export async function openIdentityMap(options: IdentityMapOptions): Promise<IdentityMap> {
  const keyCase = options.keyCase ?? 'insensitive';
  if (keyCase !== 'insensitive' && keyCase !== 'exact') throw new IdentityMapError('invalid', `identity map: keyCase must be 'insensitive' or 'exact', got ${JSON.stringify(keyCase)}`);
  try {
    const store = await open<State, Entry>({
      dir: options.dir,
      name: options.name ?? DEFAULT_NAME,
      machine: createMachine(keyCase),
      ...(options.fsync === undefined ? {} : { fsync: options.fsync }),
      ...(options.compaction ? { compaction: options.compaction } : {}),
      ...(options.log ? { log: options.log } : {}),
      // Entries are built here from plain strings and never touched after commit: apply them as they are.
      trustedEntries: true,
    });
    return new DurableIdentityMap(store, keyCase);
  } catch (err) {
    throw unavailable(err);
  }
}

class DurableIdentityMap implements IdentityMap {
  readonly #store: DurableStore<State, Entry>;
  readonly #fold: (key: string) => string;
  #closed = false;

  constructor(store: DurableStore<State, Entry>, keyCase: KeyCase) {
    this.#store = store;
    this.#fold = keyFolder(keyCase);
  }

  #kind(kind: IdentityKind): KindState {
    if (this.#closed) throw new IdentityMapError('unavailable', 'identity map: it is closed');
    try {
      return kindState(this.#store.state, kind);
    } catch (err) {
      throw new IdentityMapError('invalid', `identity map: ${(err as Error).message}`);
    }
  }

  byId(kind: IdentityKind, id: string): IdentityEntry | undefined {
    return this.#kind(kind).byId.get(id);
  }

  byKey(kind: IdentityKind, key: string): IdentityEntry | undefined {
    const s = this.#kind(kind);
    const id = s.byKey.get(this.#fold(key));
    return id === undefined ? undefined : s.byId.get(id);
  }

  byExternalId(kind: IdentityKind, externalId: string): IdentityEntry[] {
    const s = this.#kind(kind);
    const ids = s.byExternalId.get(foldExternalId(externalId)) ?? [];
    return [...ids].map((id) => s.byId.get(id)!);
  }

  entries(kind: IdentityKind): IterableIterator<IdentityEntry> {
    return this.#kind(kind).byId.values();
  }

  size(kind: IdentityKind): number {
    return this.#kind(kind).byId.size;
  }

  async put(input: IdentityInput): Promise<IdentityEntry> {
    const s = this.#kind(input.kind);
    checkText('key', input.key);
    if (input.externalId !== undefined) checkText('externalId', input.externalId);
    if (input.id === undefined) {
      this.#checkKeyFree(s, input.kind, input.key, undefined);
      return this.#write(undefined, { id: this.#newId(), kind: input.kind, key: input.key, externalId: input.externalId });
    }
    const old = this.#existing(s, input.kind, input.id);
    this.#checkKeyFree(s, input.kind, input.key, old.id);
    return this.#write(old, { ...old, key: input.key, externalId: input.externalId });
  }

  async rename(kind: IdentityKind, id: string, newKey: string): Promise<IdentityEntry> {
    const s = this.#kind(kind);
    checkText('key', newKey);
    const old = this.#existing(s, kind, id);
    this.#checkKeyFree(s, kind, newKey, id);
    return this.#write(old, { ...old, key: newKey });
  }

  async setExternalId(kind: IdentityKind, id: string, externalId: string | undefined): Promise<IdentityEntry> {
    const s = this.#kind(kind);
    if (externalId !== undefined) checkText('externalId', externalId);
    const old = this.#existing(s, kind, id);
    return this.#write(old, { ...old, externalId });
  }

  async touch(kind: IdentityKind, id: string): Promise<IdentityEntry> {
    const s = this.#kind(kind);
    const old = this.#existing(s, kind, id);
    return this.#write(old, { ...old }, true);
  }

  async remove(kind: IdentityKind, id: string): Promise<boolean> {
    const s = this.#kind(kind);
    // Absent: perhaps removed by a write still on its way to disk; answer only once that is durable.
    if (!s.byId.has(id)) return this.barrier().then(() => false);
    await this.#commit([{ t: 'del', kind, id }]);
    return true;
  }

  async barrier(): Promise<void> {
    try {
      await this.#store.barrier();
    } catch (err) {
      throw unavailable(err);
    }
  }

  stats(): DurableStoreStats {
    return this.#store.stats();
  }

  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.#store.close();
    } catch (err) {
      throw unavailable(err);
    }
  }

  #existing(s: KindState, kind: IdentityKind, id: string): IdentityEntry {
    const old = s.byId.get(id);
    if (!old) throw new IdentityMapError('not-found', `identity map: no ${kind} with id ${JSON.stringify(id)}`);
    return old;
  }

  #checkKeyFree(s: KindState, kind: IdentityKind, key: string, selfId: string | undefined): void {
    const holder = s.byKey.get(this.#fold(key));
    if (holder !== undefined && holder !== selfId) {
      const bound = s.byId.get(holder)?.key ?? key;
      throw new IdentityMapError('conflict', `identity map: ${kind} key ${JSON.stringify(key)} is already bound to id ${holder} (as ${JSON.stringify(bound)})`, { existingId: holder });
    }
  }

  /** A v4 UUID has 122 random bits; the loop only documents that an id in use is never issued. */
  #newId(): string {
    const { user, group } = this.#store.state;
    for (;;) {
      const id = randomUUID();
      if (!user.byId.has(id) && !group.byId.has(id)) return id;
    }
  }

  /** Commit `next` over `old` (synchronously up to the fsync wait); a write that changes nothing commits nothing, unless `touch`. */
  async #write(old: IdentityEntry | undefined, next: { id: string; kind: IdentityKind; key: string; externalId?: string | undefined }, touch = false): Promise<IdentityEntry> {
    if (!touch && old && old.key === next.key && old.externalId === next.externalId) {
      await this.barrier(); // `old` itself may still be on its way to disk
      return old;
    }
    const now = new Date().toISOString();
    // No undefined fields: the engine applies this object as is (trustedEntries) and replay sees its JSON.
    const entry: IdentityEntry = {
      id: next.id,
      kind: next.kind,
      key: next.key,
      ...(next.externalId === undefined ? {} : { externalId: next.externalId }),
      created: old?.created ?? now,
      lastModified: now,
    };
    await this.#commit([{ t: 'put', e: entry }]);
    return entry;
  }

  async #commit(entries: Entry[]): Promise<void> {
    try {
      await this.#store.commit(entries);
    } catch (err) {
      throw unavailable(err);
    }
  }
}
