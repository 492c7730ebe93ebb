/**
 * The fake PAN-OS's configuration: a candidate tree that `type=config` writes change, and a running tree that
 * only a commit replaces (research B2). Every write works on a copy of the candidate and is swapped in only when
 * the result is valid, so a failed request changes nothing. Changed nodes carry PAN-OS's `admin`, `dirtyId`
 * and `time` attributes in the candidate until a commit that includes them finishes.
 */
import {
  CONFIG_SCHEMA,
  PanosError,
  childSchema,
  contextOf,
  danglingReferences,
  keyOf,
  newChildFor,
  renameReferences,
  sanitizeContent,
  type Reference,
  type Schema,
} from './panos-schema.js';
import { XpathSyntaxError, identityOf, matches, parseXpath, type Step } from './panos-xpath.js';
import { XmlSyntaxError, childElements, cloneElement, element, parseXml, serializeXml, textOf, type XmlElement, type XmlNode } from './panos-xml.js';

/** A point-in-time copy of the candidate, without change markers, that a commit job installs. */
export interface ConfigSnapshot {
  readonly tree: XmlElement;
  /** The highest change marker it includes. */
  readonly dirtyId: number;
}

interface Located {
  readonly node: XmlElement;
  readonly schema: Schema;
  /** From the `<config>` root to `node`, both included. */
  readonly path: readonly XmlElement[];
}

type Operation = 'write' | 'delete';
const META = ['admin', 'dirtyId', 'time'] as const;

export class PanosConfig {
  #candidate: XmlElement;
  #running: XmlElement;
  #dirtyId = 0;

  constructor(vsysNames: readonly string[]) {
    const vsys = vsysNames.map((name) => element('entry', { name }));
    const device = element('entry', { name: 'localhost.localdomain' }, [element('vsys', {}, vsys)]);
    this.#candidate = element('config', { version: '11.1.0', urldb: 'paloaltonetworks' }, [element('shared'), element('devices', {}, [device])]);
    this.#running = cloneElement(this.#candidate);
  }

  tree(which: 'candidate' | 'running'): XmlElement {
    return which === 'candidate' ? this.#candidate : this.#running;
  }

  /** The nodes `xpath` selects (`action=get` on the candidate, `action=show` on the running config). */
  select(which: 'candidate' | 'running', xpath: string): XmlElement[] {
    const steps = parse(xpath);
    schemasOf(steps, xpath);
    return select(this.tree(which), steps).map((l) => l.node);
  }

  /** `action=set`: creates the node and its ancestors as needed and merges `elementXml` into it. */
  set(xpath: string, elementXml: string, admin: string): void {
    const steps = parse(xpath);
    const schemas = schemasOf(steps, xpath);
    const content = parseElement(elementXml);
    this.#write(admin, 'write', (root) => {
      const target = ensure(root, steps, schemas);
      merge(target.node, target.schema, sanitizeContent(target.schema, content, contextOf(target.path)));
      return [target.path];
    });
  }

  /** `action=edit`: replaces the node with `elementXml`, whose root must be that node (same name, same entry name). */
  edit(xpath: string, elementXml: string, admin: string): void {
    const steps = parse(xpath);
    const schemas = schemasOf(steps, xpath);
    const last = steps[steps.length - 1]!;
    const nodes = parseElement(elementXml).filter((n) => typeof n !== 'string' || n.trim() !== '');
    const [replacement] = nodes;
    const id = identityOf(last);
    const fits =
      nodes.length === 1 &&
      typeof replacement !== 'string' &&
      replacement?.name === last.name &&
      (id?.attr === undefined || replacement.attrs.name === id.attr) &&
      (id?.text === undefined || textOf(replacement) === id.text);
    if (!fits || steps.length < 2) throw new PanosError(12, [' Edit breaks config validity'], true);
    this.#write(admin, 'write', (root) => {
      const parent = ensure(root, steps.slice(0, -1), schemas);
      const [clean] = sanitizeContent(parent.schema, [replacement], contextOf(parent.path)) as XmlElement[];
      const existing = childElements(parent.node).filter((c) => matches(c, last));
      if (existing.length > 1) throw new PanosError(8, ['Can edit only one obj at a time']);
      const at = existing[0] === undefined ? -1 : parent.node.children.indexOf(existing[0]);
      if (at === -1) parent.node.children.push(clean!);
      else parent.node.children[at] = clean!;
      return [[...parent.path, clean!]];
    });
  }

  /** `action=delete`: removes every node `xpath` selects; none is code 7 (research B8). */
  delete(xpath: string, admin: string): void {
    const steps = parse(xpath);
    schemasOf(steps, xpath);
    this.#write(admin, 'delete', (root) => {
      const found = select(root, steps);
      if (found.length === 0) throw new PanosError(7, ["Object doesn't exist"]);
      return found.map(({ node, path }) => {
        const parent = path[path.length - 2];
        if (!parent) throw new PanosError(15, ['Operation denied']);
        parent.children = parent.children.filter((c) => c !== node);
        return path.slice(0, -1);
      });
    });
  }

  /** `action=rename`: renames one entry; PAN-OS rewrites group members that name a renamed user. */
  rename(xpath: string, newname: string, admin: string): void {
    const steps = parse(xpath);
    const schemas = schemasOf(steps, xpath);
    if (newname === '') throw new PanosError(18, ['Missing newname']);
    this.#write(admin, 'write', (root) => {
      const found = select(root, steps);
      if (found.length === 0) throw new PanosError(7, ["Object doesn't exist"]);
      const [target] = found;
      if (found.length > 1 || !target) throw new PanosError(8, ['Can rename only one obj at a time']);
      const parent = target.path[target.path.length - 2]!;
      const old = target.node.attrs.name;
      if (schemas[schemas.length - 2]?.kind !== 'entries' || old === undefined) throw new PanosError(12, [` ${target.node.name} cannot be renamed`], true);
      if (old === newname) return [];
      // Inferred: the exact message for a taken name is not documented; the code follows research B2 (12).
      if (childElements(parent, 'entry').some((e) => e.attrs.name === newname)) throw new PanosError(12, [` ${newname} already exists`], true);
      target.node.attrs.name = newname;
      const db = target.path[target.path.length - 3];
      if (parent.name === 'user' && db?.name === 'local-user-database') renameReferences(root, db, old, newname);
      return [target.path];
    });
  }

  /** Writes to both trees with no change marker: config the box had before the test. */
  seed(xpath: string, elementXml: string): void {
    const steps = parse(xpath);
    const schemas = schemasOf(steps, xpath);
    const content = parseElement(elementXml);
    for (const which of ['candidate', 'running'] as const) {
      const root = cloneElement(this.tree(which));
      const target = ensure(root, steps, schemas);
      merge(target.node, target.schema, sanitizeContent(target.schema, content, contextOf(target.path)));
      const dangling = danglingReferences(root);
      if (dangling.length > 0) throw new Error(`seed leaves dangling members: ${JSON.stringify(dangling)}`);
      if (which === 'candidate') this.#candidate = root;
      else this.#running = root;
    }
  }

  snapshot(): ConfigSnapshot {
    return { tree: withoutMeta(this.#candidate), dirtyId: this.#dirtyId };
  }

  /** A successful commit: the snapshot becomes the running config and its changes stop being marked. */
  install(snapshot: ConfigSnapshot): void {
    this.#running = cloneElement(snapshot.tree);
    clearMeta(this.#candidate, snapshot.dirtyId);
  }

  /** Whether the candidate differs from `baseline` (default: the running config). */
  candidateDiffers(baseline: XmlElement = this.#running): boolean {
    return serializeXml(withoutMeta(this.#candidate)) !== serializeXml(baseline);
  }

  #write(admin: string, op: Operation, change: (root: XmlElement) => (readonly XmlElement[])[]): void {
    const before = new Set(danglingReferences(this.#candidate).map(refKey));
    const next = cloneElement(this.#candidate);
    const touched = change(next);
    const dangling = danglingReferences(next).filter((r) => !before.has(refKey(r)));
    if (dangling.length > 0) throw op === 'delete' ? stillReferenced(dangling) : notValidReference(dangling[0]!);
    if (touched.length === 0) return;
    this.#dirtyId++;
    const time = panosTime(new Date());
    for (const path of touched) {
      for (const node of path.slice(1)) Object.assign(node.attrs, { admin, dirtyId: String(this.#dirtyId), time });
    }
    this.#candidate = next;
  }
}

/** PAN-OS's timestamp format: `2026/11/29 12:34:56`. */
export function panosTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function parse(xpath: string): Step[] {
  try {
    return parseXpath(xpath);
  } catch (err) {
    if (err instanceof XpathSyntaxError) throw new PanosError(6, [`Malformed xpath: ${err.message}`]);
    throw err;
  }
}

/** The schema of each step (index 0 is `config`); a name the schema lacks is code 6. */
function schemasOf(steps: readonly Step[], xpath: string): Schema[] {
  const [first, ...rest] = steps;
  const out: Schema[] = [CONFIG_SCHEMA];
  if (first?.name !== 'config') throw noSchema(xpath);
  for (const step of rest) {
    const sub = childSchema(out[out.length - 1]!, step.name);
    if (!sub) throw noSchema(xpath);
    out.push(sub);
  }
  return out;
}

function select(root: XmlElement, steps: readonly Step[]): Located[] {
  const [first, ...rest] = steps;
  if (!first || !matches(root, first)) return [];
  let level: Located[] = [{ node: root, schema: CONFIG_SCHEMA, path: [root] }];
  for (const step of rest) {
    level = level.flatMap((at) =>
      childElements(at.node, step.name)
        .filter((c) => matches(c, step))
        .map((c) => ({ node: c, schema: childSchema(at.schema, step.name)!, path: [...at.path, c] })),
    );
  }
  return level;
}

/** Walks `steps`, creating missing nodes whose identity the xpath pins (`entry[@name='x']`, `member[text()='x']`). */
function ensure(root: XmlElement, steps: readonly Step[], schemas: readonly Schema[]): Located {
  let at: Located = { node: root, schema: CONFIG_SCHEMA, path: [root] };
  for (let k = 1; k < steps.length; k++) {
    const step = steps[k]!;
    const found = childElements(at.node, step.name).filter((c) => matches(c, step));
    if (found.length > 1) throw new PanosError(8, ['Can set only one obj at a time']);
    let node = found[0];
    if (!node) {
      node = newChildFor(at.schema, step.name, identityOf(step));
      if (!node) throw new PanosError(6, [`Cannot create a node from xpath step ${step.name}`]);
      at.node.children.push(node);
    }
    at = { node, schema: schemas[k]!, path: [...at.path, node] };
  }
  return at;
}

function merge(node: XmlElement, schema: Schema, content: readonly XmlNode[]): void {
  if (schema.kind === 'leaf') {
    node.children = [...content];
    return;
  }
  for (const child of content) {
    if (typeof child === 'string') continue;
    const key = keyOf(schema, child);
    const existing = childElements(node, child.name).find((e) => keyOf(schema, e) === key);
    if (existing) merge(existing, childSchema(schema, child.name)!, child.children);
    else node.children.push(child);
  }
}

function parseElement(xml: string): XmlNode[] {
  try {
    return parseXml(xml);
  } catch (err) {
    // Inferred: PAN-OS's answer to unparsable element XML is not documented; 18 is "malformed command".
    if (err instanceof XmlSyntaxError) throw new PanosError(18, [`Malformed element: ${err.message}`]);
    throw err;
  }
}

function withoutMeta(el: XmlElement): XmlElement {
  const copy = cloneElement(el);
  clearMeta(copy, Infinity);
  return copy;
}

function clearMeta(el: XmlElement, upTo: number): void {
  if (Number(el.attrs.dirtyId) <= upTo) for (const k of META) delete el.attrs[k];
  for (const c of childElements(el)) clearMeta(c, upTo);
}

function noSchema(xpath: string): PanosError {
  return new PanosError(6, [`Could not get schema node for xpath ${xpath}`]);
}

function notValidReference(r: Reference): PanosError {
  return new PanosError(12, [` ${r.group} -> user '${r.member}' is not a valid reference`, ` ${r.group} -> user is invalid`], true);
}

// Code 10 with PAN-OS's "cannot be deleted because of references from:" listing (research B2: delete user).
function stillReferenced(refs: readonly Reference[]): PanosError {
  const lines = [` ${refs[0]!.member} cannot be deleted because of references from:`];
  for (const r of refs) lines.push(` ${r.location} -> local-user-database -> user-group -> ${r.group} -> user`);
  return new PanosError(10, lines, true);
}

function refKey(r: Reference): string {
  return JSON.stringify([r.location, r.group, r.member]);
}
