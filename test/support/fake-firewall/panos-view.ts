/**
 * Read-only views of the fake PAN-OS's candidate and running config for test assertions, the xpaths of the
 * local user database (research B2), and the fake's password hashes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { entriesOf, membersOf, userDatabases } from './panos-schema.js';
import { quoteXpathLiteral } from './panos-xpath.js';
import { firstChild, serializeXml, textOf, type XmlElement } from './panos-xml.js';

/** Where a local user database lives: `shared`, or one vsys. */
export type PanosLocation = 'shared' | { readonly vsys: string };

export interface PanosUser {
  readonly name: string;
  readonly phash: string | undefined;
  /** As stored: 'yes', 'no' or undefined when absent. */
  readonly disabled: string | undefined;
}

export interface PanosGroup {
  readonly name: string;
  readonly members: readonly string[];
}

/** `/config/shared`, or `/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']`. */
export function locationXpath(location: PanosLocation = 'shared'): string {
  if (location === 'shared') return '/config/shared';
  return `/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name=${quoteXpathLiteral(location.vsys)}]`;
}

export function userXpath(name: string, location?: PanosLocation): string {
  return `${locationXpath(location)}/local-user-database/user/entry[@name=${quoteXpathLiteral(name)}]`;
}

export function groupXpath(name: string, location?: PanosLocation): string {
  return `${locationXpath(location)}/local-user-database/user-group/entry[@name=${quoteXpathLiteral(name)}]`;
}

export class PanosConfigView {
  readonly #tree: () => XmlElement;

  constructor(tree: () => XmlElement) {
    this.#tree = tree;
  }

  users(location?: PanosLocation): PanosUser[] {
    return this.#entries(location, 'user').map((e) => {
      const phash = firstChild(e, 'phash');
      const disabled = firstChild(e, 'disabled');
      return { name: e.attrs.name ?? '', phash: phash && textOf(phash), disabled: disabled && textOf(disabled) };
    });
  }

  user(name: string, location?: PanosLocation): PanosUser | undefined {
    return this.users(location).find((u) => u.name === name);
  }

  groups(location?: PanosLocation): PanosGroup[] {
    return this.#entries(location, 'user-group').map((e) => ({ name: e.attrs.name ?? '', members: membersOf(e) }));
  }

  group(name: string, location?: PanosLocation): PanosGroup | undefined {
    return this.groups(location).find((g) => g.name === name);
  }

  /** The whole tree as XML, change markers included (candidate only), for debugging a failing test. */
  xml(): string {
    return serializeXml(this.#tree());
  }

  #entries(location: PanosLocation = 'shared', list: 'user' | 'user-group'): XmlElement[] {
    const label = location === 'shared' ? 'shared' : location.vsys;
    const db = userDatabases(this.#tree()).find((d) => d.location === label);
    return db ? entriesOf(db.node, list) : [];
  }
}

/**
 * A crypt-looking `$5$<salt>$<hash>` (PAN-OS's phash format in research B2). It is not real SHA-256-crypt, only
 * unique per call and checkable with `phashMatches`.
 */
export function hashPassword(password: string, salt = randomBytes(6).toString('base64url')): string {
  return `$5$${salt}$${createHash('sha256').update(`${salt}$${password}`).digest('base64url')}`;
}

export function phashMatches(phash: string, password: string): boolean {
  const [, kind, salt] = phash.split('$');
  if (kind !== '5' || salt === undefined) return false;
  const expected = Buffer.from(hashPassword(password, salt));
  const actual = Buffer.from(phash);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
