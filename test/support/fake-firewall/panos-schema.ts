/**
 * The part of the PAN-OS config schema the fake knows (research B2): the local user database under
 * `/config/shared` and under each vsys, its users (`phash`, `disabled`) and user groups (`user/member`), plus the
 * XML API's error shape. Incoming `element` XML is checked against it, and group members must name a user of the
 * same database (a vsys group may also name a shared user).
 */
import { childElements, element, firstChild, textOf, type XmlElement, type XmlNode } from './panos-xml.js';

/** An XML API failure: `<response status="error" code="…"><msg><line>…</line></msg></response>`. */
export class PanosError extends Error {
  override readonly name = 'PanosError';
  constructor(
    readonly code: number | undefined,
    readonly lines: readonly string[],
    /** PAN-OS wraps validation messages (codes 10 and 12) in CDATA. */
    readonly cdata = false,
  ) {
    super(`PAN-OS ${code ?? '-'}: ${lines.join(' | ')}`);
  }
}

export type Schema =
  | { readonly kind: 'container'; readonly children: Readonly<Record<string, Schema>> }
  /** `<user><entry name="a">…</entry>…</user>` */
  | { readonly kind: 'entries'; readonly entry: Schema }
  /** `<user><member>a</member>…</user>` */
  | { readonly kind: 'members' }
  /** Text; `check` returns what is wrong with a value, or undefined. */
  | { readonly kind: 'leaf'; readonly check: (value: string) => string | undefined };

const container = (children: Record<string, Schema>): Schema => ({ kind: 'container', children });
const entries = (entry: Schema): Schema => ({ kind: 'entries', entry });
const leaf = (check: (value: string) => string | undefined): Schema => ({ kind: 'leaf', check });

const MEMBER = leaf((v) => (v === '' ? 'is empty' : undefined));
// The fake insists on a crypt-style hash ($5$salt$hash), so a connector that sends a plain password fails loudly.
const PHASH = leaf((v) => (/^\$\w+\$\S+$/.test(v) ? undefined : 'is not a valid password hash'));
const YES_NO = leaf((v) => (v === 'yes' || v === 'no' ? undefined : `'${v}' is not a valid value`));

const USER_DB = container({
  user: entries(container({ phash: PHASH, disabled: YES_NO })),
  'user-group': entries(container({ user: { kind: 'members' } })),
});

/** The schema of the `<config>` root. Other config (address objects, policies, mgt-config) is not modelled. */
export const CONFIG_SCHEMA: Schema = container({
  shared: container({ 'local-user-database': USER_DB }),
  devices: entries(container({ vsys: entries(container({ 'local-user-database': USER_DB })) })),
});

export function childSchema(schema: Schema, name: string): Schema | undefined {
  switch (schema.kind) {
    case 'container':
      return Object.hasOwn(schema.children, name) ? schema.children[name] : undefined;
    case 'entries':
      return name === 'entry' ? schema.entry : undefined;
    case 'members':
      return name === 'member' ? MEMBER : undefined;
    case 'leaf':
      return undefined;
  }
}

/** A new child for an xpath step that pins its identity, or undefined when the step does not say enough. */
export function newChildFor(parent: Schema, name: string, id: { readonly attr?: string; readonly text?: string } | undefined): XmlElement | undefined {
  if (!id || childSchema(parent, name) === undefined) return undefined;
  if (parent.kind === 'entries') return id.attr ? element(name, { name: id.attr }) : undefined;
  if (parent.kind === 'members') return id.text ? element(name, {}, [id.text]) : undefined;
  return id.attr === undefined && id.text === undefined ? element(name) : undefined;
}

/** What makes a child unique under its parent: its element name, entry name or member text. */
export function keyOf(parent: Schema, child: XmlElement): string | undefined {
  if (parent.kind === 'entries') return child.attrs.name;
  if (parent.kind === 'members') return textOf(child);
  return child.name;
}

/**
 * Checks `nodes` as the content of a node with `schema` and returns clean copies (only entries keep an
 * attribute, `name`). `ctx` names the node in messages the way PAN-OS does: `jdoe -> phash`.
 */
export function sanitizeContent(schema: Schema, nodes: readonly XmlNode[], ctx: string): XmlNode[] {
  if (schema.kind === 'leaf') {
    const child = nodes.find((n): n is XmlElement => typeof n !== 'string');
    if (child) throw invalid(ctx, `${child.name} unexpected here`);
    const value = nodes.join('');
    const problem = schema.check(value);
    if (problem !== undefined) throw invalid(ctx, problem, ' ');
    return value === '' ? [] : [value];
  }
  const out: XmlElement[] = [];
  const seen = new Set<string>();
  for (const node of nodes) {
    if (typeof node === 'string') {
      if (node.trim() !== '') throw invalid(ctx, `'${node.trim()}' unexpected here`);
      continue;
    }
    const sub = childSchema(schema, node.name);
    if (!sub) throw invalid(ctx, `${node.name} unexpected here`);
    const key = keyOf(schema, node);
    if (key === undefined || key === '') throw invalid(ctx, `${node.name} has no name`);
    if (seen.has(key)) throw invalid(ctx, `${node.name} '${key}' is not unique`);
    seen.add(key);
    const attrs: Record<string, string> = schema.kind === 'entries' ? { name: key } : {};
    const subCtx = schema.kind === 'entries' ? key : schema.kind === 'members' ? ctx : `${ctx} -> ${node.name}`;
    out.push(element(node.name, attrs, sanitizeContent(sub, node.children, subCtx)));
  }
  return out;
}

/** The message context of a node reached by `path` (root first): the nearest entry name, then element names. */
export function contextOf(path: readonly XmlElement[]): string {
  let ctx = '';
  for (const node of path.slice(1)) {
    if (node.name === 'entry' && node.attrs.name !== undefined) ctx = node.attrs.name;
    else if (node.name !== 'member') ctx = ctx === '' ? node.name : `${ctx} -> ${node.name}`;
  }
  return ctx;
}

/** One local user database: `shared`, or a vsys by name. */
export interface UserDatabase {
  readonly location: string;
  readonly node: XmlElement;
}

export function userDatabases(config: XmlElement): UserDatabase[] {
  const out: UserDatabase[] = [];
  const shared = firstChild(config, 'shared');
  const sharedDb = shared && firstChild(shared, 'local-user-database');
  if (sharedDb) out.push({ location: 'shared', node: sharedDb });
  for (const device of childElements(firstChild(config, 'devices') ?? element('devices'), 'entry')) {
    for (const vsys of childElements(firstChild(device, 'vsys') ?? element('vsys'), 'entry')) {
      const db = firstChild(vsys, 'local-user-database');
      if (db && vsys.attrs.name !== undefined) out.push({ location: vsys.attrs.name, node: db });
    }
  }
  return out;
}

export function entriesOf(db: XmlElement, list: 'user' | 'user-group'): XmlElement[] {
  const container = firstChild(db, list);
  return container ? childElements(container, 'entry') : [];
}

export function membersOf(group: XmlElement): string[] {
  const user = firstChild(group, 'user');
  return user ? childElements(user, 'member').map(textOf) : [];
}

export interface Reference {
  readonly location: string;
  readonly group: string;
  readonly member: string;
}

/** Group members that name no user visible from the group's database. */
export function danglingReferences(config: XmlElement): Reference[] {
  const dbs = userDatabases(config);
  const shared = new Set(dbs.filter((d) => d.location === 'shared').flatMap((d) => names(entriesOf(d.node, 'user'))));
  const out: Reference[] = [];
  for (const db of dbs) {
    const own = new Set(names(entriesOf(db.node, 'user')));
    for (const group of entriesOf(db.node, 'user-group')) {
      for (const member of membersOf(group)) {
        if (own.has(member) || (db.location !== 'shared' && shared.has(member))) continue;
        out.push({ location: db.location, group: group.attrs.name ?? '', member });
      }
    }
  }
  return out;
}

/**
 * PAN-OS's rename rewrites references: members naming the renamed user, in its own database and, for a shared
 * user, in each vsys database that has no user of that name shadowing it.
 */
export function renameReferences(config: XmlElement, db: XmlElement, from: string, to: string): void {
  const dbs = userDatabases(config);
  const home = dbs.find((d) => d.node === db);
  if (!home) return;
  for (const d of dbs) {
    const sees = d === home || (home.location === 'shared' && !names(entriesOf(d.node, 'user')).includes(from));
    if (!sees) continue;
    for (const group of entriesOf(d.node, 'user-group')) {
      for (const member of childElements(firstChild(group, 'user') ?? element('user'), 'member')) {
        if (textOf(member) === from) member.children = [to];
      }
    }
  }
}

export function invalid(ctx: string, problem: string, separator = ' -> '): PanosError {
  const subject = ctx === '' ? problem : `${ctx}${separator}${problem}`;
  return new PanosError(12, [` ${subject}`, ` ${ctx === '' ? 'config' : ctx} is invalid`], true);
}

function names(list: readonly XmlElement[]): string[] {
  return list.map((e) => e.attrs.name ?? '');
}
