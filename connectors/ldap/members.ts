/**
 * Group membership as single-value LDAP changes, never a rewrite of the whole list: concurrent PATCHes
 * cannot lose each other's members (research notes: read-modify-write replace lost 199 of 200 concurrent
 * adds; per-value add/delete lost none). Adding a present member (20) or removing an absent one (16)
 * counts as success. groupOfNames needs at least one member (RFC 4519), so an empty group holds a
 * placeholder DN, which readers filter out.
 */
import { Attribute, Change, type Client } from 'ldapts';
import { ConnectorError } from '../types.js';
import { normalizeDn } from './dn.js';
import type { Container, Directory } from './directory.js';
import { isIdempotentSuccess } from './errors.js';

const change = (operation: 'add' | 'delete', type: string, values: string[]): Change =>
  new Change({ operation, modification: new Attribute({ type, values }) });

function resultCode(err: unknown): number | undefined {
  const cause = err instanceof ConnectorError ? err.cause : err;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** 65 objectClassViolation: the change would leave a groupOfNames without a member. */
const wouldEmpty = (err: unknown): boolean => resultCode(err) === 65;

export class Membership {
  /** Groups known to hold no placeholder (normalized DN), so adds need not try to remove it. */
  readonly #clean = new Set<string>();

  constructor(
    private readonly dir: Directory,
    readonly attribute: string,
    /** Normalized placeholder DN, or undefined when groups may be empty (AD). */
    readonly placeholder: string | undefined,
  ) {}

  /**
   * Forget which groups are known to hold no placeholder: the refint overlay adds its refint_nothing DN (the
   * same DN as the placeholder when configured right) to a group whose last member it deletes, behind our
   * back. Without this the next add would skip removing it, and the group would show as empty to `members pr`.
   */
  forget(): void {
    this.#clean.clear();
  }

  isPlaceholder(dn: string): boolean {
    return this.placeholder !== undefined && normalizeDn(dn) === normalizeDn(this.placeholder);
  }

  #modify(groupDn: string, changes: Change[], what: string): Promise<void> {
    // Adding/removing values is idempotent here (20/16 are successes), so a retry after a dropped connection is safe.
    return this.dir.session.run(what, (c: Client) => c.modify(groupDn, changes), { idempotent: true });
  }

  async add(groupDn: string, dns: readonly string[]): Promise<void> {
    if (dns.length === 0) return;
    const key = normalizeDn(groupDn);
    const what = `add members to ${groupDn}`;
    const adds = [change('add', this.attribute, [...dns])];
    if (this.placeholder !== undefined && !this.#clean.has(key)) {
      // One modify: add the members and drop the placeholder. A modify is all or nothing, so on 16 (no
      // placeholder) or 20 (a member already there) nothing happened and the plain path below runs.
      try {
        await this.#modify(groupDn, [...adds, change('delete', this.attribute, [this.placeholder])], what);
        this.#clean.add(key);
        return;
      } catch (err) {
        if (isIdempotentSuccess(err, 'delete-value')) this.#clean.add(key);
        else if (!isIdempotentSuccess(err, 'add-value')) throw err;
      }
    }
    try {
      await this.#modify(groupDn, adds, what);
    } catch (err) {
      if (!isIdempotentSuccess(err, 'add-value')) throw err;
      // Some were members already: add the others one by one.
      for (const dn of dns) await this.#one(groupDn, 'add', dn, what);
    }
    if (this.placeholder !== undefined && !this.#clean.has(key)) await this.#dropPlaceholder(groupDn, what);
  }

  /** The group has real members now: the placeholder can go (absent already, or the only member: leave it). */
  async #dropPlaceholder(groupDn: string, what: string): Promise<void> {
    try {
      await this.#modify(groupDn, [change('delete', this.attribute, [this.placeholder as string])], what);
    } catch (err) {
      if (!isIdempotentSuccess(err, 'delete-value') && !wouldEmpty(err)) throw err;
    }
    this.#clean.add(normalizeDn(groupDn));
  }

  async remove(groupDn: string, dns: readonly string[]): Promise<void> {
    if (dns.length === 0) return;
    const what = `remove members from ${groupDn}`;
    try {
      await this.#modify(groupDn, [change('delete', this.attribute, [...dns])], what);
    } catch (err) {
      if (wouldEmpty(err)) return this.#emptyWith(groupDn, dns, what);
      if (!isIdempotentSuccess(err, 'delete-value')) throw err;
      for (const dn of dns) await this.#one(groupDn, 'delete', dn, what);
    }
  }

  async #one(groupDn: string, op: 'add' | 'delete', dn: string, what: string): Promise<void> {
    try {
      await this.#modify(groupDn, [change(op, this.attribute, [dn])], what);
    } catch (err) {
      if (op === 'delete' && wouldEmpty(err)) return this.#emptyWith(groupDn, [dn], what);
      if (!isIdempotentSuccess(err, op === 'add' ? 'add-value' : 'delete-value')) throw err;
    }
  }

  /** Remove the last members and add the placeholder in one modify, so the group is never memberless. */
  async #emptyWith(groupDn: string, dns: readonly string[], what: string): Promise<void> {
    if (this.placeholder === undefined) throw new ConnectorError('invalid', `${groupDn} cannot be left without members`, { attribute: 'members' });
    this.#clean.delete(normalizeDn(groupDn));
    try {
      await this.#modify(groupDn, [change('add', this.attribute, [this.placeholder]), change('delete', this.attribute, [...dns])], what);
    } catch (err) {
      if (!isIdempotentSuccess(err, 'delete-value') && !isIdempotentSuccess(err, 'add-value')) throw err;
      for (const dn of dns) await this.#one(groupDn, 'delete', dn, what);
    }
  }

  /** Referential integrity done by the gateway: `dn` leaves every group (user or group deleted). */
  async removeEverywhere(groups: Container, dn: string): Promise<void> {
    for (const g of await this.dir.referencing(groups, this.attribute, dn)) await this.remove(g.dn, [dn]);
  }

  /** Referential integrity done by the gateway: member values follow a rename. */
  async renameEverywhere(groups: Container, oldDn: string, newDn: string): Promise<void> {
    for (const g of await this.dir.referencing(groups, this.attribute, oldDn)) {
      await this.add(g.dn, [newDn]);
      await this.remove(g.dn, [oldDn]);
    }
  }
}
