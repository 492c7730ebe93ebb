/**
 * Searching the directory: entries by id, by DN, in pages; and turning ids into DNs and DNs into ids in
 * chunks (member and manager values are DNs in LDAP and ids in SCIM). Every filter here is an ldapts
 * Filter object, never a string built from a value (RFC 4515 escaping cannot be forgotten).
 */
import { AndFilter, EqualityFilter, OrFilter, PresenceFilter, SizeLimitExceededError, type Client, type Entry, type Filter } from 'ldapts';
import type { LdapSession } from './session.js';
import { normalizeDn, parentOf } from './dn.js';
import { guidFromBytes, guidToBytes, parseRange, rangedAttribute } from './values.js';
import { allValues } from './records.js';
import type { Profile } from './profiles.js';

/** One searchable container: users or groups (and the disabled-users OU when users are moved there). */
export interface Container {
  readonly kind: 'user' | 'group';
  readonly bases: readonly string[];
  readonly scope: 'one' | 'sub';
  readonly filter: Filter | undefined;
}

export interface Resolved {
  readonly id: string;
  readonly dn: string;
  readonly kind: 'user' | 'group';
}

/** Ids resolved per search: OR filters stay small enough for any directory. */
const CHUNK = 50;

export class Directory {
  /** Settles when the paged search running now (if any) is done; see stream(). */
  #pagedTurn: Promise<void> = Promise.resolve();

  constructor(
    readonly session: LdapSession,
    readonly profile: Profile,
    readonly pageSize: number,
  ) {}

  /** The SCIM id of an entry: entryUUID as is, objectGUID as a GUID string. */
  idOf(entry: Entry): string | undefined {
    const v = entry[this.profile.idAttribute];
    const one = Array.isArray(v) ? v[0] : v;
    if (one instanceof Buffer) return this.profile.idIsGuid ? guidFromBytes(one) : one.toString('utf8');
    return typeof one === 'string' ? one : undefined;
  }

  /** The filter value for an id; undefined when the id cannot be one of ours (so it matches nothing). */
  idValue(id: string): string | Buffer | undefined {
    if (!this.profile.idIsGuid) return id;
    try {
      return guidToBytes(id);
    } catch {
      return undefined;
    }
  }

  idFilter(id: string): Filter | undefined {
    const value = this.idValue(id);
    return value === undefined ? undefined : new EqualityFilter({ attribute: this.profile.idAttribute, value: value as string });
  }

  #withScope(c: Container, f: Filter): Filter {
    return c.filter ? new AndFilter({ filters: [c.filter, f] }) : f;
  }

  #buffers(): string[] {
    return this.profile.idIsGuid ? [this.profile.idAttribute] : [];
  }

  /**
   * Entries matching `filter` in every base of `c` (one search per base; bases are few). Unpaged: for
   * lookups that match a handful of entries (an id, a chunk of 50 ids or DNs). Anything that can match
   * more than a server's size limit goes through stream().
   */
  async search(c: Container, filter: Filter, attributes: readonly string[], what: string): Promise<Entry[]> {
    const out: Entry[] = [];
    for (const base of c.bases) {
      const entries = await this.session.run(
        what,
        async (client: Client) =>
          (await client.search(base, { scope: c.scope, filter: this.#withScope(c, filter), attributes: [...attributes], explicitBufferAttributes: this.#buffers() })).searchEntries,
        { idempotent: true },
      );
      out.push(...entries);
    }
    return out;
  }

  /**
   * Stream matching entries page by page (simple paged results, RFC 2696) without holding more than one
   * page: `visit` sees each entry in order and returns false to stop early.
   *
   * One paged search at a time: slapd keeps a single paged-results state per connection, so a second paged
   * search on our one connection (even one that fits in a page) invalidates the first one's cookie, and the
   * listing fails with "paged results cookie is invalid" (measured on OpenLDAP 2.5). AD and 389-DS keep
   * several, but one at a time is right for all of them.
   */
  async stream(c: Container, filter: Filter, attributes: readonly string[], what: string, visit: (e: Entry) => boolean | void, opts: { readonly selective?: boolean } = {}): Promise<void> {
    // Entra's reads are lists filtered on a unique attribute (userName eq "…"): `selective` ones are answered
    // by one unpaged search, concurrently with everything else; a server size limit sends them down the
    // paged path too.
    const few = opts.selective ? await this.#few(c, filter, attributes, what) : undefined;
    if (few) {
      for (const e of few) if (visit(e) === false) return;
      return;
    }
    const turn = this.#pagedTurn;
    let done!: () => void;
    this.#pagedTurn = new Promise<void>((r) => (done = r));
    try {
      await turn;
      await this.#stream(c, filter, attributes, what, visit);
    } finally {
      done();
    }
  }

  /**
   * Every match of an unpaged search, or undefined when the server's size limit cut it short. No client
   * sizeLimit: ldapts hides code 4 when one is set, and a server limit below it would pass for a complete
   * answer. Only for filters that can match a handful of entries (stream's `selective`).
   */
  async #few(c: Container, filter: Filter, attributes: readonly string[], what: string): Promise<Entry[] | undefined> {
    const out: Entry[] = [];
    for (const base of c.bases) {
      const entries = await this.session.run(
        what,
        async (client: Client) => {
          try {
            const opts = { scope: c.scope, filter: this.#withScope(c, filter), attributes: [...attributes], explicitBufferAttributes: this.#buffers() };
            return (await client.search(base, opts)).searchEntries;
          } catch (err) {
            // More than this account may read unpaged: page through instead.
            if (err instanceof SizeLimitExceededError) return undefined;
            throw err;
          }
        },
        { idempotent: true },
      );
      if (!entries) return undefined;
      out.push(...entries);
    }
    return out;
  }

  async #stream(c: Container, filter: Filter, attributes: readonly string[], what: string, visit: (e: Entry) => boolean | void): Promise<void> {
    for (const base of c.bases) {
      let stopped = false;
      await this.session.run(
        what,
        async (client: Client) => {
          const pages = client.searchPaginated(base, {
            scope: c.scope,
            filter: this.#withScope(c, filter),
            attributes: [...attributes],
            explicitBufferAttributes: this.#buffers(),
            paged: { pageSize: this.pageSize },
          });
          for await (const page of pages) {
            for (const e of page.searchEntries) {
              if (visit(e) === false) {
                stopped = true;
                break;
              }
            }
            if (stopped) break;
          }
        },
        // Restarting a partly consumed stream would visit entries twice.
        { idempotent: false },
      );
      if (stopped) return;
    }
  }

  /**
   * SCIM ids are case-exact (RFC 7643 §3.1) but entryUUID's matching rule ignores case, so a directory
   * would find `ABC…` for `abc…`: compare what comes back. GUIDs are the same GUID in either case.
   */
  sameId(a: string, b: string): boolean {
    return this.profile.idIsGuid ? a.toLowerCase() === b.toLowerCase() : a === b;
  }

  async byId(c: Container, id: string, attributes: readonly string[]): Promise<Entry | undefined> {
    const f = this.idFilter(id);
    if (!f) return undefined;
    const found = await this.search(c, f, attributes, `read ${c.kind} ${id}`);
    return found.find((e) => {
      const got = this.idOf(e);
      return got !== undefined && this.sameId(got, id);
    });
  }

  /** The entry at `dn` (a base-scope search), e.g. to read back what was just added. */
  async byDn(dn: string, attributes: readonly string[]): Promise<Entry | undefined> {
    const found = await this.session.run(
      `read ${dn}`,
      async (client: Client) =>
        (await client.search(dn, { scope: 'base', filter: new PresenceFilter({ attribute: 'objectClass' }), attributes: [...attributes], explicitBufferAttributes: this.#buffers() }))
          .searchEntries,
      { idempotent: true },
    );
    return found[0];
  }

  /**
   * Every value of `attribute` in `entry`. Active Directory returns at most ~1500 values of a large
   * multi-valued attribute and names the rest as a range (`member;range=0-1499`): ask for the next range
   * of the same entry until the server answers one ending in `*`.
   */
  async allValuesOf(entry: Entry, attribute: string): Promise<string[]> {
    const rangedKey = (e: Entry): string | undefined => Object.keys(e).find((k) => parseRange(k)?.attribute.toLowerCase() === attribute.toLowerCase());
    let key = this.profile.rangedMembers ? rangedKey(entry) : undefined;
    if (key === undefined) return allValues(entry, attribute);
    const values = allValues(entry, key);
    for (let range = parseRange(key); range && range.end !== '*'; ) {
      const next = await this.byDn(entry.dn, [rangedAttribute(attribute, range.end + 1)]);
      key = next ? rangedKey(next) : undefined;
      if (!next || key === undefined) break;
      values.push(...allValues(next, key));
      range = parseRange(key);
    }
    return values;
  }

  /** ids → DNs, for member and manager values, keyed by the id as given. Unknown ids are missing from the result. */
  async dnsForIds(containers: readonly Container[], ids: readonly string[]): Promise<Map<string, Resolved>> {
    const out = new Map<string, Resolved>();
    const wanted = [...new Set(ids)];
    for (let i = 0; i < wanted.length; i += CHUNK) {
      const chunk = wanted.slice(i, i + CHUNK);
      for (const c of containers) {
        // Users are searched first; an id found there is not looked for among the groups (one search, not
        // two, for Entra's usual member add).
        const filters = chunk
          .filter((id) => !out.has(id))
          .map((id) => this.idFilter(id))
          .filter((f): f is Filter => f !== undefined);
        if (filters.length === 0) break;
        for (const e of await this.search(c, new OrFilter({ filters }), [this.profile.idAttribute], `resolve ${c.kind} ids`)) {
          const got = this.idOf(e);
          // Keyed by the id as asked for, and only when it is exactly that id (see sameId).
          const asked = got === undefined ? undefined : wanted.find((w) => this.sameId(w, got));
          if (got !== undefined && asked !== undefined) out.set(asked, { id: got, dn: e.dn, kind: c.kind });
        }
      }
    }
    return out;
  }

  /**
   * The entries at `dns`, in that order (DNs no longer there are left out). A listing's page once its
   * position is found: one search per 50 DNs instead of reading every entry before it in full.
   */
  async byDns(c: Container, dns: readonly string[], attributes: readonly string[]): Promise<Entry[]> {
    const found = new Map<string, Entry>();
    for (let i = 0; i < dns.length; i += CHUNK) {
      const filters = dns.slice(i, i + CHUNK).map((dn) => new EqualityFilter({ attribute: this.profile.dnAttribute, value: dn }));
      for (const e of await this.search(c, new OrFilter({ filters }), attributes, `read ${c.kind}s`)) found.set(normalizeDn(e.dn), e);
    }
    return dns.flatMap((dn) => found.get(normalizeDn(dn)) ?? []);
  }

  /** DNs → ids (keyed by normalized DN). DNs outside the containers, or of deleted entries, are missing. */
  async idsForDns(containers: readonly Container[], dns: readonly string[]): Promise<Map<string, Resolved>> {
    const out = new Map<string, Resolved>();
    const wanted = [...new Set(dns)];
    for (let i = 0; i < wanted.length; i += CHUNK) {
      const chunk = wanted.slice(i, i + CHUNK);
      for (const c of containers) {
        // Only the DNs that can be in this container: a group of users costs one search, not one per container.
        const filters = chunk.filter((dn) => mayHold(c, dn)).map((dn) => new EqualityFilter({ attribute: this.profile.dnAttribute, value: dn }));
        if (filters.length === 0) continue;
        for (const e of await this.search(c, new OrFilter({ filters }), [this.profile.idAttribute], `resolve ${c.kind} DNs`)) {
          const id = this.idOf(e);
          if (id !== undefined) out.set(normalizeDn(e.dn), { id, dn: e.dn, kind: c.kind });
        }
      }
    }
    return out;
  }

  /** Entries whose `attribute` holds `dn` (groups with a member, users with a manager). */
  async referencing(c: Container, attribute: string, dn: string): Promise<Entry[]> {
    // A user can be in more groups (a manager have more reports) than a size limit allows unpaged.
    const out: Entry[] = [];
    await this.stream(c, new EqualityFilter({ attribute, value: dn }), ['1.1'], `find ${attribute} references`, (e) => {
      out.push(e);
    });
    return out;
  }

  /** A cheap probe: the base entry of a container can be read. */
  async probe(base: string): Promise<void> {
    await this.session.run('probe', (client) => client.search(base, { scope: 'base', filter: new PresenceFilter({ attribute: 'objectClass' }), attributes: ['1.1'] }), {
      idempotent: true,
    });
  }
}

const normalizedBases = new WeakMap<Container, readonly string[]>();

/** Whether `dn` can be an entry of `c`: under one of its bases (a DN we cannot parse is not ruled out). */
function mayHold(c: Container, dn: string): boolean {
  let n: string;
  try {
    n = normalizeDn(dn);
  } catch {
    return true;
  }
  let bases = normalizedBases.get(c);
  if (!bases) normalizedBases.set(c, (bases = c.bases.map(normalizeDn)));
  return bases.some((b) => n.endsWith(`,${b}`) && (c.scope === 'sub' || parentOf(n) === b));
}
