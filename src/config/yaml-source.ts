/**
 * One YAML config file: read, parsed with node positions kept, references expanded, and able to turn a
 * YAML path into a line and column for the problems found in it.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { formatPath, type ConfigIssue, type ConfigPath } from './issues.js';
import { errorCode, expandDocument } from './references.js';

/** Where problems go; shared by all files so they are reported together. */
export type IssueSink = ConfigIssue[];

export interface LocateOptions {
  /** Point at the key rather than the value (for unknown or duplicate keys). */
  readonly atKey?: boolean;
}

export class ConfigSource {
  /** Absolute path. */
  readonly file: string;
  /** As shown in messages. */
  readonly display: string;
  /** The expanded content, as plain JS. */
  readonly data: unknown;
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #referencePaths: ReadonlySet<string>;
  readonly #brokenPaths: ReadonlySet<string>;
  readonly #sink: IssueSink;

  private constructor(init: {
    file: string;
    display: string;
    doc: Document;
    data: unknown;
    lines: LineCounter;
    referencePaths: ReadonlySet<string>;
    brokenPaths: ReadonlySet<string>;
    sink: IssueSink;
  }) {
    this.file = init.file;
    this.display = init.display;
    this.#doc = init.doc;
    this.#lines = init.lines;
    this.#referencePaths = init.referencePaths;
    this.#brokenPaths = init.brokenPaths;
    this.#sink = init.sink;
    this.data = init.data;
  }

  /**
   * Reads, parses and expands a file. Returns undefined (after reporting why) when the file cannot be read or
   * is not valid YAML: validating a half-parsed tree only produces noise. `onReadError` lets the caller report
   * an unreadable file where it is referenced (the gateway's `connectors:` line) rather than against itself.
   */
  static async load(
    file: string,
    display: string,
    env: NodeJS.ProcessEnv,
    sink: IssueSink,
    onReadError?: (code: string) => void,
  ): Promise<ConfigSource | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (onReadError) onReadError(errorCode(err));
      else sink.push({ file: display, path: '', message: `cannot read the file (${errorCode(err)})` });
      return undefined;
    }
    const lines = new LineCounter();
    // prettyErrors off: we want one-line messages and compute the position ourselves.
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = lines.linePos(err.pos[0]);
        sink.push({ file: display, path: '', line: pos.line, column: pos.col, message: `YAML syntax error: ${err.message}` });
      }
      return undefined;
    }
    const expanded = await expandDocument(doc, { env, baseDir: dirname(file) });
    let data: unknown;
    try {
      data = doc.toJS();
    } catch (err) {
      // toJS refuses alias bombs ("billion laughs"); nothing else in a parsed document makes it throw.
      const reason = err instanceof Error ? err.message : 'invalid';
      sink.push({ file: display, path: '', message: `cannot use the YAML document: ${reason}` });
      return undefined;
    }
    const source = new ConfigSource({
      file,
      display,
      doc,
      data,
      lines,
      referencePaths: expanded.referencePaths,
      brokenPaths: new Set(expanded.problems.map((p) => formatPath(p.path))),
      sink,
    });
    for (const problem of expanded.problems) source.#push(problem.path, problem.message, {});
    return source;
  }

  /**
   * Reports a problem at `path`. A problem under a path whose reference could not be expanded is dropped:
   * the reference error already explains it, and the unexpanded text would only cause follow-on noise.
   */
  issue(path: ConfigPath, message: string, opts: LocateOptions = {}): void {
    if (this.#isUnderBrokenPath(path)) return;
    this.#push(path, message, opts);
  }

  /** Fills in file and position for an issue whose path is relative to this file (from a callback). */
  adopt(issue: ConfigIssue, path: ConfigPath | undefined): void {
    if (path !== undefined && this.#isUnderBrokenPath(path)) return;
    const pos = issue.line === undefined && path !== undefined ? this.locate(path) : undefined;
    this.#sink.push({ ...issue, file: issue.file === '' ? this.display : issue.file, ...(pos ?? {}) });
  }

  /** True when the value at `path` came from a reference, so it may be a secret and must not be printed. */
  fromReference(path: ConfigPath): boolean {
    return this.#referencePaths.has(formatPath(path));
  }

  /** `"value"` for a literal value, or a neutral phrase for one that came from a reference. */
  quote(path: ConfigPath, value: string): string {
    return this.fromReference(path) ? '<value from a reference>' : JSON.stringify(value);
  }

  /** Line and column (1-based) of the node at `path`, or of its deepest existing ancestor. */
  locate(path: ConfigPath, opts: LocateOptions = {}): { line: number; column: number } | undefined {
    let node: unknown = this.#doc.contents;
    let key: unknown;
    let found = true;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.#doc);
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (pair) {
          key = pair.key;
          next = pair.value;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
        key = undefined;
      }
      if (next === undefined) {
        found = false;
        break;
      }
      node = next;
    }
    // A missing key points at the map that lacks it (its key when it has one: `tls:` rather than its first child);
    // a collection value points at its key line, where the reader looks.
    const preferKey = opts.atKey === true || !found || isMap(node) || isSeq(node) || node === null;
    const target = preferKey && isNode(key) ? key : node;
    const offset = isNode(target) ? target.range?.[0] : undefined;
    if (offset === undefined) return undefined;
    const pos = this.#lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  #push(path: ConfigPath, message: string, opts: LocateOptions): void {
    this.#sink.push({ file: this.display, path: formatPath(path), ...(this.locate(path, opts) ?? {}), message });
  }

  #isUnderBrokenPath(path: ConfigPath): boolean {
    for (let n = path.length; n >= 0; n--) if (this.#brokenPaths.has(formatPath(path.slice(0, n)))) return true;
    return false;
  }
}
