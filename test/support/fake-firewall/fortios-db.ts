/**
 * One VDOM's `user/local` and `user/group` tables, with FortiOS's reference rules: group members must be
 * existing local users, and an entry still referenced (a user in a group, or anything a test marks as used by
 * a policy) cannot be deleted (-23, research B1). Tables keep insertion order, as FortiOS lists CLI order.
 */
import { createHash } from 'node:crypto';
import { CmdbFailure, FORTI_ERROR, defaultsFor, missing, validateBody, type CmdbEntry, type Table } from './fortios-schema.js';

/** What a successful write reports in its envelope. */
export interface WriteResult {
  readonly mkey: string;
  readonly oldRevision: string;
  readonly revision: string;
  readonly changed: boolean;
}

export class VdomDb {
  /** Live `user/local` entries by name; `passwd` is kept in clear for assertions. */
  readonly users = new Map<string, CmdbEntry>();
  /** Live `user/group` entries by name; `member` is `{name}[]`. */
  readonly groups = new Map<string, CmdbEntry>();
  /**
   * Names referenced from outside these tables (firewall policies on a real box). A test adds names here to
   * make a delete fail with -23; renames are refused for them too.
   */
  readonly policyRefs = { users: new Set<string>(), groups: new Set<string>() };
  #revision = 0;
  #nextId = 1;

  constructor(
    readonly name: string,
    private readonly strictFields: boolean,
  ) {}

  /** FortiOS's config revision: an opaque hex string that changes with every write. */
  get revision(): string {
    return createHash('md5').update(`${this.name}:${this.#revision}`).digest('hex');
  }

  table(table: Table): Map<string, CmdbEntry> {
    return table === 'user/local' ? this.users : this.groups;
  }

  /** Names of the groups that list `user` as a member. */
  groupsOf(user: string): string[] {
    return [...this.groups.values()].filter((g) => members(g).some((m) => m.name === user)).map((g) => g.name);
  }

  create(table: Table, body: unknown): WriteResult {
    const fields = validateBody(table, body, 'create', this.strictFields);
    const name = fields.name as string;
    const rows = this.table(table);
    // Research B1: duplicate create → HTTP 500, error -5.
    if (rows.has(name)) throw new CmdbFailure(500, FORTI_ERROR.duplicate, `${table} "${name}" already exists`);
    if (fields.member) this.#checkMembersExist(fields.member as { name: string }[]);
    const entry: CmdbEntry = { name, id: this.#nextId++, ...defaultsFor(table), ...fields };
    return this.#commit(() => rows.set(name, entry), name, true);
  }

  update(table: Table, mkey: string, body: unknown): WriteResult {
    const rows = this.table(table);
    const current = rows.get(mkey);
    if (!current) throw notFound(table, mkey);
    const fields = validateBody(table, body, 'update', this.strictFields);
    const rename = typeof fields.name === 'string' && fields.name !== mkey ? fields.name : undefined;
    if (rename !== undefined) {
      if (rows.has(rename)) throw new CmdbFailure(500, FORTI_ERROR.duplicate, `${table} "${rename}" already exists`);
      const refs = table === 'user/local' ? this.policyRefs.users : this.policyRefs.groups;
      if (refs.has(mkey)) throw new CmdbFailure(500, FORTI_ERROR.inUse, `${table} "${mkey}" is used by a policy`);
    }
    if (fields.member) this.#checkMembersExist(fields.member as { name: string }[]);
    const next: CmdbEntry = { ...current, ...fields, name: rename ?? mkey };
    const changed = JSON.stringify(next) !== JSON.stringify(current);
    return this.#commit(
      () => {
        if (rename === undefined) rows.set(mkey, next);
        else this.#rename(table, mkey, next);
      },
      next.name,
      changed,
    );
  }

  remove(table: Table, mkey: string): WriteResult {
    const rows = this.table(table);
    if (!rows.has(mkey)) throw notFound(table, mkey);
    // Research B1: a user still in a group (or any entry used by a policy) → -23 "entry in use".
    const inGroups = table === 'user/local' ? this.groupsOf(mkey) : [];
    const refs = table === 'user/local' ? this.policyRefs.users : this.policyRefs.groups;
    if (inGroups.length > 0 || refs.has(mkey)) {
      throw new CmdbFailure(500, FORTI_ERROR.inUse, `${table} "${mkey}" is in use${inGroups.length ? ` by ${inGroups.join(', ')}` : ''}`);
    }
    return this.#commit(() => rows.delete(mkey), mkey, true);
  }

  #commit(apply: () => void, mkey: string, changed: boolean): WriteResult {
    const oldRevision = this.revision;
    if (changed) {
      apply();
      this.#revision++;
    }
    return { mkey, oldRevision, revision: this.revision, changed };
  }

  // Inferred: FortiOS references follow a renamed entry (its CMDB links by entry, not by name); unverified.
  #rename(table: Table, from: string, entry: CmdbEntry): void {
    const rows = this.table(table);
    const reordered = [...rows].map(([k, v]): [string, CmdbEntry] => (k === from ? [entry.name, entry] : [k, v]));
    rows.clear();
    for (const [k, v] of reordered) rows.set(k, v);
    if (table !== 'user/local') return;
    for (const g of this.groups.values()) {
      if (members(g).some((m) => m.name === from)) g.member = members(g).map((m) => (m.name === from ? { name: entry.name } : m));
    }
  }

  // Inferred: a member naming no local user is a missing dependency, 424 with -3 (FortiOS's text for 424 covers it).
  #checkMembersExist(list: readonly { name: string }[]): void {
    const absent = list.find((m) => !this.users.has(m.name));
    if (absent) throw missing(`member "${absent.name}" is not a user/local entry`, FORTI_ERROR.notFound);
  }
}

export function members(group: CmdbEntry): { name: string }[] {
  return Array.isArray(group.member) ? (group.member as { name: string }[]) : [];
}

// Research B1: unknown mkey → HTTP 404. The -3 code is the table's "entry not found" (sent on writes; inferred).
function notFound(table: Table, mkey: string): CmdbFailure {
  return new CmdbFailure(404, FORTI_ERROR.notFound, `${table} "${mkey}" not found`);
}
