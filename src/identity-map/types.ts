/**
 * The identity map: for backends that key objects by a mutable name (firewall user and group APIs), the
 * gateway issues the SCIM `id` itself and keeps SCIM id ⇄ downstream key (plus the externalId) here, per
 * resource kind. A userName change renames the downstream object; the SCIM id stays (RFC 7643 §3.1: `id`
 * is stable and never reassigned). See house style §3.8a.
 */
import type { CompactionOptions, DurableLog, DurableStoreStats } from '../durable/index.js';

export type IdentityKind = 'user' | 'group';

/** One mapping. Immutable: a change replaces the entry, so an entry a caller holds never changes under it. */
export interface IdentityEntry {
  /** The SCIM id (a random UUID issued by the map). Compared exactly (SCIM ids are caseExact). */
  readonly id: string;
  readonly kind: IdentityKind;
  /** The downstream key, e.g. the firewall object's name, as last written (original case). */
  readonly key: string;
  /** The client's externalId, if it sent one. */
  readonly externalId?: string;
  /** ISO 8601 time the entry was created; kept across every change. */
  readonly created: string;
  /** ISO 8601 time of the last change that actually changed something. */
  readonly lastModified: string;
}

/** What `put` takes: the whole desired state of one entry. */
export interface IdentityInput {
  readonly kind: IdentityKind;
  /** Absent: create a new entry with a new id. Present: update that entry (it must exist). */
  readonly id?: string;
  readonly key: string;
  /** Absent (or undefined) means the entry has no externalId, also on update. */
  readonly externalId?: string | undefined;
}

export interface IdentityMapOptions {
  /** Directory of the map's files (created, mode 0700, if missing). May be shared with other stores. */
  readonly dir: string;
  /**
   * Base file name of the document; the journal (`<name>.journal.*`) and lock (`<name>.lock`) sit next to it.
   * @default 'identity-map.json'
   */
  readonly name?: string;
  /**
   * How downstream keys compare. FortiOS and PAN-OS treat user and group names case-insensitively, so by
   * default `Bjensen` and `bjensen` are one key. The choice is recorded in the document: reopening with
   * the other one is refused, because the key index (and which keys conflict) would change under the data.
   * @default 'insensitive'
   */
  readonly keyCase?: 'insensitive' | 'exact';
  /** fdatasync every write before acknowledging it. false only in tests that do not care. @default true */
  readonly fsync?: boolean;
  /** Passed to the durable engine (src/durable/types.ts); its defaults suit a map of this size. */
  readonly compaction?: CompactionOptions;
  readonly log?: DurableLog;
}

/**
 * Reads are synchronous and see every write applied so far, including writes whose `put` has not resolved
 * yet (a write is applied in memory first, then made durable). Before acting on a read in a way a client
 * can observe while writes to the same entry may be in flight, await `barrier()`.
 *
 * Writes resolve only once they are fdatasync'd through the journal: nothing acknowledged is ever lost,
 * even to `kill -9` or a power cut. They reject with `IdentityMapError` only (see errors.ts).
 * Reads and writes after `close()` throw or reject with code 'unavailable'.
 */
export interface IdentityMap {
  /** The entry with exactly this SCIM id. */
  byId(kind: IdentityKind, id: string): IdentityEntry | undefined;
  /** The entry bound to this downstream key (case-insensitively unless opened with keyCase 'exact'). */
  byKey(kind: IdentityKind, key: string): IdentityEntry | undefined;
  /**
   * Entries with this externalId, compared case-insensitively (Microsoft Entra matches externalId that way).
   * Not unique: more than one entry may carry the same externalId. Insertion order.
   */
  byExternalId(kind: IdentityKind, externalId: string): IdentityEntry[];
  /**
   * Every entry of a kind, in insertion order (an update keeps its entry's place). A live iterator: entries
   * removed before they are reached are skipped, entries added meanwhile are visited at the end.
   */
  entries(kind: IdentityKind): IterableIterator<IdentityEntry>;
  size(kind: IdentityKind): number;
  /**
   * Create (no `id`: a new random UUID, never one that was issued before) or replace the entry with that id.
   * Rejects with 'conflict' when the key is bound to another id, 'not-found' when `id` is not in the map
   * (ids come only from the map, so a removed id is never brought back), 'invalid' for an empty key or
   * externalId. Returns the stored entry; a put that changes nothing commits nothing.
   */
  put(input: IdentityInput): Promise<IdentityEntry>;
  /** Bind the entry to a new key ('conflict' if another id holds it, 'not-found' if the id is unknown). */
  rename(kind: IdentityKind, id: string, newKey: string): Promise<IdentityEntry>;
  /** Set or (with undefined) clear the externalId ('not-found' if the id is unknown). */
  setExternalId(kind: IdentityKind, id: string, externalId: string | undefined): Promise<IdentityEntry>;
  /**
   * Record that the downstream object changed without a change to its key or externalId (a field written on
   * the firewall): `lastModified` becomes now, so SCIM's meta.lastModified follows. 'not-found' if the id is unknown.
   */
  touch(kind: IdentityKind, id: string): Promise<IdentityEntry>;
  /** Remove the entry; false if there was none. */
  remove(kind: IdentityKind, id: string): Promise<boolean>;
  /** Resolves once every write applied so far is durable. */
  barrier(): Promise<void>;
  /** The engine's counters and mode, for a connector's `check()` and /status. */
  stats(): DurableStoreStats;
  /** Flush, write a final snapshot and release the lock. Idempotent. */
  close(): Promise<void>;
}
