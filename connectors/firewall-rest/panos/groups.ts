/**
 * Local user groups: `<location>/local-user-database/user-group/entry[@name='…']/user/member` (research B2).
 * Groups have no fields of their own: the key is the name and `members` are user names. A member must be a
 * user of the same database (a vsys group may also name a shared user); PAN-OS refuses anything else with
 * code 12 "is not a valid reference", which reaches the client as a 400.
 */
import { ConnectorError } from '../../types.js';
import type { FirewallGroup } from '../api.js';
import { KeyedLock } from '../lock.js';
import { getEntries, getEntry, pages, type PanosStore } from './store.js';
import { checkName } from './xpath.js';

type NewGroup = { readonly key: string; readonly fields: Readonly<Record<string, unknown>>; readonly members?: readonly string[] };
import { child, children, escapeXml, textOf, type XmlElement } from './xml.js';

type Change = { readonly set: Readonly<Record<string, unknown>>; readonly unset: readonly string[]; readonly rename?: string };

export class PanosGroups {
  readonly #s: PanosStore;
  /**
   * PAN-OS has no create: `set` merges into an entry of the same name. Creates of one name (compared as
   * PAN-OS compares names, ignoring case) take turns, so the existence check before the `set` holds.
   */
  readonly #creating = new KeyedLock((k) => k.toLowerCase());

  constructor(store: PanosStore) {
    this.#s = store;
  }

  async get(name: string, signal: AbortSignal): Promise<FirewallGroup | undefined> {
    const entry = await getEntry(this.#s, this.#s.paths.entry('group', name), `read group ${name}`, signal);
    return entry && toGroup(entry);
  }

  async *list(signal: AbortSignal): AsyncIterable<readonly FirewallGroup[]> {
    const entries = await getEntries(this.#s, `${this.#s.paths.list('group')}/entry`, 'list groups', signal);
    yield* pages(entries.map(toGroup), this.#s.pageSize);
  }

  create(group: NewGroup, signal: AbortSignal): Promise<boolean> {
    return this.#creating.run(group.key, () => this.#create(group, signal));
  }

  async #create(group: NewGroup, signal: AbortSignal): Promise<boolean> {
    noFields(Object.keys(group.fields));
    const xpath = this.#s.paths.entry('group', group.key);
    const element = (group.members ?? []).length === 0 ? '' : `<user>${memberElements(group.members ?? [])}</user>`;
    if (await getEntry(this.#s, xpath, `read group ${group.key}`, signal)) {
      throw new ConnectorError('conflict', `PAN-OS user group ${group.key} already exists`);
    }
    await this.#s.client.config('set', xpath, { element }, { what: `create group ${group.key}`, idempotent: false }, signal);
    this.#s.changed();
    return true;
  }

  async update(name: string, change: Change, signal: AbortSignal): Promise<boolean> {
    noFields([...Object.keys(change.set), ...change.unset]);
    if (change.rename === undefined || change.rename === name) return false;
    this.#s.paths.entry('group', change.rename); // the new name must be addressable later, too
    await this.#s.client.config('rename', this.#s.paths.entry('group', name), { newname: change.rename }, { what: `rename group ${name}`, idempotent: false }, signal);
    this.#s.changed();
    return true;
  }

  /** Code 10 when a policy or authentication profile still names the group. */
  async delete(name: string, signal: AbortSignal): Promise<boolean> {
    await this.#s.client.config('delete', this.#s.paths.entry('group', name), {}, { what: `delete group ${name}`, idempotent: false }, signal);
    this.#s.changed();
    return true;
  }

  /**
   * Additions in one `set` on `…/user` (PAN-OS merges: present members stay once); removals one `delete` of
   * `member[text()='x']` each, an absent member (code 7) counting as removed. Member lists are never rewritten
   * whole, so concurrent changes to one group cannot lose each other's members.
   */
  async changeMembers(group: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }, signal: AbortSignal): Promise<boolean> {
    const xpath = this.#s.paths.entry('group', group);
    const memberXpaths = change.remove.map((m) => this.#s.paths.member(group, m));
    const added = memberElements(change.add);
    // `set` creates a missing group instead of failing: check it exists, or a PATCH would revive a deleted group.
    // TODO(panos): this reads the whole group; a cheaper probe needs XPath PAN-OS documents no support for.
    if (!(await getEntry(this.#s, xpath, `read group ${group}`, signal))) throw new ConnectorError('not-found', `PAN-OS user group ${group} does not exist`);
    let changed = false;
    for (const [i, memberXpath] of memberXpaths.entries()) {
      try {
        await this.#s.client.config('delete', memberXpath, {}, { what: `remove ${change.remove[i]} from group ${group}`, idempotent: true }, signal);
        this.#s.changed();
        changed = true;
      } catch (err) {
        if (!(err instanceof ConnectorError && err.kind === 'not-found')) throw err;
      }
    }
    if (added === '') return changed;
    await this.#s.client.config('set', `${xpath}/user`, { element: added }, { what: `add ${change.add.length} member(s) to group ${group}`, idempotent: true }, signal);
    this.#s.changed();
    return true;
  }

  /** The groups whose member list names `user`, by an XPath predicate on `user/member`. */
  async groupsOf(user: string, signal: AbortSignal): Promise<string[]> {
    const entries = await getEntries(this.#s, this.#s.paths.groupsWith(user), `find the groups of ${user}`, signal);
    return entries.map((e) => e.attrs.get('name') ?? '');
  }
}

function toGroup(entry: XmlElement): FirewallGroup {
  return { key: entry.attrs.get('name') ?? '', fields: {}, members: children(child(entry, 'user'), 'member').map((m) => textOf(m)) };
}

function memberElements(names: readonly string[]): string {
  return names
    .map((n) => {
      checkName(n, 'member name');
      return `<member>${escapeXml(n)}</member>`;
    })
    .join('');
}

function noFields(fields: readonly string[]): void {
  const [field] = fields;
  if (field !== undefined) throw new ConnectorError('invalid', `PAN-OS user groups have no field ${field}; only the name and members`, { attribute: field });
}
