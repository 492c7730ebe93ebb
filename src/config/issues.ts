/**
 * Config problems, and the one error that carries all of them. The loader collects every problem in every
 * file before failing, so an operator fixes a broken config in one round trip instead of one per problem.
 */

/** A YAML path as segments: `['endpoints', 0, 'tokens', 1]`. */
export type ConfigPath = readonly (string | number)[];

export interface ConfigIssue {
  /** The file as shown to the operator (relative to the working directory when inside it). */
  readonly file: string;
  /** A YAML path such as `endpoints[0].tokens[1]` or `mapping.user["emails[type eq \"work\"].value"]`; '' for the whole file. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  /** Never contains a configured value that may be secret. */
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `['mapping', 'user', 'emails[type eq "work"].value']` → `mapping.user["emails[type eq \"work\"].value"]`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * The inverse of formatPath, so callers (the mapping compiler) may hand back paths as strings and the loader
 * can still find their line. Returns undefined for a string formatPath cannot have produced.
 */
export function parsePath(text: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '[') {
      if (text[i + 1] === '"') {
        const end = findJsonStringEnd(text, i + 1);
        if (end < 0 || text[end + 1] !== ']') return undefined;
        const decoded: unknown = JSON.parse(text.slice(i + 1, end + 1));
        if (typeof decoded !== 'string') return undefined;
        out.push(decoded);
        i = end + 2;
      } else {
        const close = text.indexOf(']', i);
        const digits = close < 0 ? '' : text.slice(i + 1, close);
        if (!/^\d+$/.test(digits)) return undefined;
        out.push(Number(digits));
        i = close + 1;
      }
      continue;
    }
    if (ch === '.') {
      if (out.length === 0) return undefined;
      i += 1;
    } else if (out.length > 0) {
      return undefined;
    }
    const m = /^[A-Za-z_$][\w$-]*/.exec(text.slice(i));
    if (!m) return undefined;
    out.push(m[0]);
    i += m[0].length;
  }
  return out;
}

/** Index of the closing quote of the JSON string starting at `start`, or -1. */
function findJsonStringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * Builds an issue from a path relative to a file. `file` may be left empty by callbacks such as the mapping
 * compiler: the loader fills in the file and the line/column.
 */
export function configIssue(path: ConfigPath | string, message: string, file = ''): ConfigIssue {
  return { file, path: typeof path === 'string' ? path : formatPath(path), message };
}

/** `file:line:col: path: message`, leaving out the parts that are unknown. */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.line !== undefined) where += `:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}`;
  return [where, issue.path, issue.message].filter((part) => part !== '').join(': ');
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    // One problem per line and nothing else, so the CLI can print it as is or prefix its own summary.
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}
