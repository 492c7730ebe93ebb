/**
 * XPaths into the PAN-OS local user database (research B2). Names go into XPath 1.0 string literals, which
 * have no escape: a name holding `'` is quoted with `"`, and one holding both quote kinds cannot be written
 * at all, so it is refused with a 400 before anything is sent.
 */
import { ConnectorError } from '../../types.js';
import { hasNonXmlChars } from './xml.js';

export type PanosKind = 'user' | 'group';

/** A name as an XPath string literal. Throws ConnectorError('invalid') when it cannot be one. */
export function xpathLiteral(name: string, what = 'name'): string {
  checkName(name, what);
  if (!name.includes("'")) return `'${name}'`;
  if (!name.includes('"')) return `"${name}"`;
  throw new ConnectorError('invalid', `PAN-OS cannot address a ${what} holding both ' and " (XPath 1.0 literals have no escape): ${name}`);
}

/** Names end up in XPath literals and XML elements; XML 1.0 cannot carry control characters in either. */
export function checkName(name: string, what = 'name'): void {
  if (name === '') throw new ConnectorError('invalid', `PAN-OS ${what} must not be empty`);
  if (hasNonXmlChars(name) || /[\n\r\t]/.test(name)) {
    throw new ConnectorError('invalid', `PAN-OS ${what} must not contain control characters: ${JSON.stringify(name)}`);
  }
}

export class PanosPaths {
  /** `/config/shared`, or the vsys of the firewall itself (`localhost.localdomain`). */
  readonly root: string;

  constructor(location: string) {
    this.root =
      location === 'shared'
        ? '/config/shared'
        : `/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name=${xpathLiteral(location, 'vsys name')}]`;
  }

  /** `…/local-user-database/user` or `…/user-group`: the list of entries. */
  list(kind: PanosKind): string {
    return `${this.root}/local-user-database/${kind === 'user' ? 'user' : 'user-group'}`;
  }

  entry(kind: PanosKind, name: string): string {
    return `${this.list(kind)}/entry[@name=${xpathLiteral(name, `${kind} name`)}]`;
  }

  /** One member of a group, for `action=delete`. */
  member(group: string, user: string): string {
    return `${this.entry('group', group)}/user/member[text()=${xpathLiteral(user, 'member name')}]`;
  }

  /** The groups that list `user` (XPath node-set equality: any `user/member` equal to the name). */
  groupsWith(user: string): string {
    return `${this.list('group')}/entry[user/member=${xpathLiteral(user, 'user name')}]`;
  }
}
