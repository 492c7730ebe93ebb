/**
 * SCIM ids for firewall objects: the identity map (src/identity-map) plus the connector's rules around it.
 *
 * - **Adoption.** An object on the firewall without a map entry (made on the box, or before the gateway
 *   existed) gets a fresh SCIM id the first time a read sees it, when `adoptExisting` is on. That is what
 *   Entra's matching expects: it looks a user up by userName before creating it, and takes over what it
 *   finds. With adoption off such objects are invisible, and creating one of their names is a conflict.
 * - **In-flight names.** While a create or rename of a name is on its way (firewall written, map not yet),
 *   reads do not adopt that name, so the object never gets a second id.
 * - **Stale entries** (the object was deleted or renamed on the box) are never removed by reads, which may
 *   race with a rename; a create or rename that needs the name checks the firewall and removes them.
 */
import type { IdentityEntry, IdentityKind, IdentityMap } from '../../src/identity-map/index.js';
import { IdentityMapError } from '../../src/identity-map/index.js';
import type { FirewallApi } from './api.js';
import { fromIdentityMap } from './errors.js';

/** How many names that are not local users (remote-server members of groups) are remembered. */
const MAX_NOT_USERS = 10_000;

export class Identities {
  readonly #inFlight = new Map<string, number>();
  /** Member names a group lists that are not local users (remote-server entries): not looked up again. */
  readonly #notUsers = new Set<string>();

  constructor(
    readonly map: IdentityMap,
    private readonly api: FirewallApi,
    private readonly adopt: boolean,
  ) {}

  fold(key: string): string {
    return this.api.keyCase === 'insensitive' ? key.toLowerCase() : key;
  }

  /** Runs `fn` with `keys` marked in flight (reads do not adopt them meanwhile). */
  async withInFlight<T>(kind: IdentityKind, keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const marks = keys.map((k) => `${kind}:${this.fold(k)}`);
    for (const m of marks) this.#inFlight.set(m, (this.#inFlight.get(m) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      for (const m of marks) {
        const n = (this.#inFlight.get(m) ?? 1) - 1;
        if (n <= 0) this.#inFlight.delete(m);
        else this.#inFlight.set(m, n);
      }
    }
  }

  /** The entry for a firewall object seen by a read: its map entry, or a new one (adoption), or undefined (hidden). */
  async entryFor(kind: IdentityKind, key: string): Promise<IdentityEntry | undefined> {
    const known = this.map.byKey(kind, key);
    if (known) return known;
    if (!this.adopt || this.#inFlight.has(`${kind}:${this.fold(key)}`)) return undefined;
    try {
      return await this.map.put({ kind, key });
    } catch (err) {
      // Another read adopted it a moment earlier.
      if (err instanceof IdentityMapError && err.code === 'conflict') return this.map.byKey(kind, key);
      throw fromIdentityMap(err, `adopt ${kind} ${JSON.stringify(key)}`);
    }
  }

  /**
   * Member names of a group as user ids. A name the map does not know is adopted when it is a local user;
   * names that are not (remote-server users and groups FortiOS also lists as members) are left out.
   */
  async memberIds(names: readonly string[], signal: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for (const name of names) {
      const known = this.map.byKey('user', name);
      if (known) {
        ids.push(known.id);
        continue;
      }
      if (!this.adopt || this.#notUsers.has(name)) continue;
      const user = await this.api.get('user', name, signal);
      const entry = user ? await this.entryFor('user', user.key) : undefined;
      if (entry) ids.push(entry.id);
      else if (!user && this.#notUsers.size < MAX_NOT_USERS) this.#notUsers.add(name);
    }
    return ids;
  }

  /** Map writes with IdentityMapErrors turned into ConnectorErrors. */
  async write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw fromIdentityMap(err, what);
    }
  }
}
