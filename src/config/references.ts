/**
 * `${env:NAME}`, `${env:NAME:-default}`, `${file:path}` and the `$${` escape.
 *
 * References are expanded on the parsed YAML tree, in string scalars only, never on the raw text: a value
 * that contains YAML syntax (`a: b`, `- x`, a newline) stays one string and cannot add keys or entries.
 * Map keys are never expanded, so the shape of a file is always what is written in it.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';
import { formatPath, type ConfigPath } from './issues.js';

export interface ReferenceContext {
  readonly env: NodeJS.ProcessEnv;
  /** Directory of the YAML file; `${file:…}` paths are relative to it. */
  readonly baseDir: string;
}

export type Expansion =
  | { readonly ok: true; readonly value: string; readonly usedReference: boolean }
  | { readonly ok: false; readonly message: string };

export interface ReferenceProblem {
  readonly path: ConfigPath;
  readonly message: string;
}

export interface ExpandResult {
  readonly problems: ReferenceProblem[];
  /** formatPath() of every scalar that contained a reference: its value must never be printed. */
  readonly referencePaths: Set<string>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SYNTAX_HINT = 'expected ${env:NAME}, ${env:NAME:-default} or ${file:path}; write $${ for a literal ${';

/**
 * Expands every reference in one string. Messages name variables and files, never values: the values are
 * usually secrets.
 */
export async function expandString(text: string, ctx: ReferenceContext): Promise<Expansion> {
  let out = '';
  let usedReference = false;
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    if (text.startsWith('$${', dollar)) {
      out += '${';
      i = dollar + 3;
      continue;
    }
    if (!text.startsWith('${', dollar)) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close < 0) return { ok: false, message: `unterminated reference: "\${" without a closing "}"; ${SYNTAX_HINT}` };
    const resolved = await resolveReference(text.slice(dollar + 2, close), ctx);
    if (!resolved.ok) return resolved;
    out += resolved.value;
    usedReference = true;
    i = close + 1;
  }
  return { ok: true, value: out, usedReference };
}

async function resolveReference(body: string, ctx: ReferenceContext): Promise<Expansion> {
  if (body.startsWith('env:')) return resolveEnv(body.slice(4), ctx.env);
  if (body.startsWith('file:')) return resolveFile(body.slice(5), ctx.baseDir);
  return { ok: false, message: `malformed reference: ${SYNTAX_HINT}` };
}

function resolveEnv(spec: string, env: NodeJS.ProcessEnv): Expansion {
  const sep = spec.indexOf(':-');
  const name = sep < 0 ? spec : spec.slice(0, sep);
  const fallback = sep < 0 ? undefined : spec.slice(sep + 2);
  if (name === '') return { ok: false, message: `malformed reference: \${env:} needs a variable name; ${SYNTAX_HINT}` };
  if (!ENV_NAME.test(name)) {
    const message = `malformed reference: an environment variable name has only letters, digits and "_"; ${SYNTAX_HINT}`;
    return { ok: false, message };
  }
  const value = env[name];
  // Set-but-empty counts as unset: compose files and .env templates routinely leave `FOO=` lines behind,
  // and an empty password or token is never what was meant.
  if (value !== undefined && value !== '') return { ok: true, value, usedReference: true };
  if (fallback !== undefined) return { ok: true, value: fallback, usedReference: true };
  const state = value === undefined ? 'is not set' : 'is set but empty';
  return { ok: false, message: `environment variable ${name} ${state}` };
}

async function resolveFile(path: string, baseDir: string): Promise<Expansion> {
  if (path === '') return { ok: false, message: `malformed reference: \${file:} needs a path; ${SYNTAX_HINT}` };
  const full = isAbsolute(path) ? path : resolve(baseDir, path);
  try {
    const content = await readFile(full, 'utf8');
    // Exactly one trailing newline goes: `echo secret > file` and Kubernetes secret files add one; anything
    // beyond that was put there on purpose.
    return { ok: true, value: content.replace(/\r?\n$/, ''), usedReference: true };
  } catch (err) {
    return { ok: false, message: `cannot read file ${JSON.stringify(path)} (${errorCode(err)})` };
  }
}

export function errorCode(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return 'unreadable';
}

/** Expands the references in every string scalar of `doc`, in place (the document is ours, never written back). */
export async function expandDocument(doc: Document, ctx: ReferenceContext): Promise<ExpandResult> {
  const result: ExpandResult = { problems: [], referencePaths: new Set() };
  await visit(doc.contents, [], ctx, result);
  return result;
}

async function visit(node: unknown, path: ConfigPath, ctx: ReferenceContext, result: ExpandResult): Promise<void> {
  // Aliases are skipped: the anchored node is expanded once where it is defined.
  if (isAlias(node)) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      await visit(pair.value, [...path, key], ctx, result);
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) await visit(item, [...path, index], ctx, result);
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
    const expanded = await expandString(node.value, ctx);
    if (!expanded.ok) {
      result.problems.push({ path, message: expanded.message });
      // The unexpanded text may hold part of a secret; keep it out of any later message about this value.
      result.referencePaths.add(formatPath(path));
      return;
    }
    node.value = expanded.value;
    if (expanded.usedReference) result.referencePaths.add(formatPath(path));
  }
}
