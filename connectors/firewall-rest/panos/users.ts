/**
 * Local users: `<location>/local-user-database/user/entry[@name='…']` holding `<phash>` and
 * `<disabled>yes|no</disabled>` (research B2). Native fields, as the mapping names them:
 *
 * | field      | SCIM       | stored as                                                           |
 * |------------|------------|---------------------------------------------------------------------|
 * | (key)      | userName   | the entry's name (≤ 31 characters, compared case-insensitively)     |
 * | `disabled` | active     | `<disabled>`: the field holds `active`, so true ⇔ `<disabled>no`    |
 * | `password` | password   | `<phash>` from PAN-OS's own password-hash op; write-only, never read |
 *
 * A user created without a password gets the hash of a random one nobody knows: PAN-OS needs a phash for a
 * local user to authenticate at all, and the account stays unusable until a password is set.
 */
import { randomBytes } from 'node:crypto';
import type { NativeScalar } from '../../types.js';
import { ConnectorError } from '../../types.js';
import type { FirewallObject } from '../api.js';
import { KeyedLock } from '../lock.js';
import { getEntries, getEntry, pages, type PanosStore } from './store.js';
import { child, escapeXml, textOf, type XmlElement } from './xml.js';

export const USER_FIELDS = { active: 'disabled', password: 'password' } as const;

type Change = { readonly set: Readonly<Record<string, NativeScalar>>; readonly unset: readonly string[]; readonly rename?: string };

export class PanosUsers {
  readonly #s: PanosStore;
  /**
   * PAN-OS has no create: `set` merges into an entry of the same name. Creates of one name (compared as
   * PAN-OS compares names, ignoring case) take turns, so the existence check before the `set` holds.
   */
  readonly #creating = new KeyedLock((k) => k.toLowerCase());

  constructor(store: PanosStore) {
    this.#s = store;
  }

  async get(name: string, signal: AbortSignal): Promise<FirewallObject | undefined> {
    const entry = await getEntry(this.#s, this.#s.paths.entry('user', name), `read user ${name}`, signal);
    return entry && toObject(entry);
  }

  async *list(signal: AbortSignal): AsyncIterable<readonly FirewallObject[]> {
    const entries = await getEntries(this.#s, `${this.#s.paths.list('user')}/entry`, 'list users', signal);
    yield* pages(entries.map(toObject), this.#s.pageSize);
  }

  /** Conflict when the name is taken: PAN-OS's `set` would silently merge into the existing user. */
  create(object: FirewallObject, signal: AbortSignal): Promise<boolean> {
    return this.#creating.run(object.key, () => this.#create(object, signal));
  }

  async #create(object: FirewallObject, signal: AbortSignal): Promise<boolean> {
    const xpath = this.#s.paths.entry('user', object.key);
    const values = readFields(object.fields, [], true);
    if (await getEntry(this.#s, xpath, `read user ${object.key}`, signal)) {
      throw new ConnectorError('conflict', `PAN-OS local user ${object.key} already exists`);
    }
    const content = await this.#render(values, signal);
    await this.#s.client.config('set', xpath, { element: content }, { what: `create user ${object.key}`, idempotent: false }, signal);
    this.#s.changed();
    return true;
  }

  /** Everything is checked and hashed first; then the rename (the step most likely to fail, on a taken name); then one `set`. */
  async update(name: string, change: Change, signal: AbortSignal): Promise<boolean> {
    const values = readFields(change.set, change.unset, false);
    const xpath = this.#s.paths.entry('user', name);
    const renaming = change.rename !== undefined && change.rename !== name;
    const target = renaming ? this.#s.paths.entry('user', change.rename!) : xpath;
    if (!renaming && hasValues(values) && !(await getEntry(this.#s, xpath, `read user ${name}`, signal))) {
      // `set` creates what it does not find: check first, or an update of a deleted user would revive it.
      throw new ConnectorError('not-found', `PAN-OS local user ${name} does not exist`);
    }
    const content = hasValues(values) ? await this.#render(values, signal) : '';
    if (renaming) {
      // PAN-OS rewrites the group members that name the user (research B2; the fake models it).
      await this.#s.client.config('rename', xpath, { newname: change.rename! }, { what: `rename user ${name}`, idempotent: false }, signal);
      this.#s.changed();
    }
    if (content === '') return renaming;
    const current = renaming ? change.rename! : name;
    await this.#s.client.config('set', target, { element: content }, { what: `update user ${current}`, idempotent: true }, signal);
    this.#s.changed();
    return true;
  }

  /** Code 10 ("reference count not zero") when a group or policy still names the user. */
  async delete(name: string, signal: AbortSignal): Promise<boolean> {
    await this.#s.client.config('delete', this.#s.paths.entry('user', name), {}, { what: `delete user ${name}`, idempotent: false }, signal);
    this.#s.changed();
    return true;
  }

  /** The `element` of a set: `<phash>` then `<disabled>`. */
  async #render(values: UserValues, signal: AbortSignal): Promise<string> {
    const phash = values.password === undefined ? undefined : await this.#s.client.hashPassword(values.password, signal);
    const parts = [phash === undefined ? '' : `<phash>${escapeXml(phash)}</phash>`, values.active === undefined ? '' : `<disabled>${values.active ? 'no' : 'yes'}</disabled>`];
    return parts.join('');
  }
}

interface UserValues {
  readonly password?: string | undefined;
  readonly active?: boolean | undefined;
}

const hasValues = (v: UserValues): boolean => v.password !== undefined || v.active !== undefined;

/** Checks the fields before anything is sent. */
function readFields(set: Readonly<Record<string, NativeScalar>>, unset: readonly string[], creating: boolean): UserValues {
  let password: string | undefined;
  let active: boolean | undefined;
  for (const [field, value] of Object.entries(set)) {
    if (field === USER_FIELDS.active) {
      if (typeof value !== 'boolean') throw new ConnectorError('invalid', `${field} (active) must be a boolean`, { attribute: field });
      active = value;
    } else if (field === USER_FIELDS.password) {
      if (typeof value !== 'string' || value === '') throw new ConnectorError('invalid', 'password must be a non-empty string', { attribute: field });
      password = value;
    } else throw unknownField(field);
  }
  for (const field of unset) {
    // No <disabled> means enabled on PAN-OS; a user without a phash could not log in, so that is refused.
    if (field === USER_FIELDS.active) active = true;
    else if (field === USER_FIELDS.password) throw new ConnectorError('invalid', 'PAN-OS local users need a password; it cannot be removed', { attribute: field });
    else throw unknownField(field);
  }
  if (creating) {
    password ??= randomBytes(24).toString('base64url');
    active ??= true;
  }
  return { password, active };
}

function toObject(entry: XmlElement): FirewallObject {
  return { key: entry.attrs.get('name') ?? '', fields: { [USER_FIELDS.active]: textOf(child(entry, 'disabled')).trim() !== 'yes' } };
}

function unknownField(field: string): ConnectorError {
  return new ConnectorError('invalid', `PAN-OS local users have no field ${field} (only ${USER_FIELDS.active} and ${USER_FIELDS.password})`, { attribute: field });
}
