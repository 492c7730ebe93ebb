/**
 * The PatchOp message (RFC 7644 §3.5.2), validated and normalised for the applier. Client quirks handled
 * here, in one place:
 *  - Entra sends `op` capitalised ("Add", "Replace", "Remove"); some clients send "delete" for remove.
 *  - Entra sends an empty `Operations` array as a no-op.
 *  - `Operations` and the operation keys are matched case-insensitively like attribute names.
 */
import { invalidSyntax, invalidValue, noTarget } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/parse.js';
import { PATCH_OP_SCHEMA } from '../schema/definitions.js';
import { isPlainObject, ownEntries } from '../values.js';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  readonly op: PatchOpName;
  readonly path?: PatchPath;
  /** The path as the client wrote it, for error messages. */
  readonly rawPath?: string;
  readonly value?: unknown;
  /** Position in Operations, for error messages. */
  readonly index: number;
}

const OP_NAMES: Readonly<Record<string, PatchOpName>> = { add: 'add', replace: 'replace', remove: 'remove', delete: 'remove' };

function field(o: Record<string, unknown>, name: string): unknown {
  for (const [k, v] of ownEntries(o)) if (k.toLowerCase() === name) return v;
  return undefined;
}

export function parsePatchRequest(body: unknown, maxOperations: number): PatchOperation[] {
  if (!isPlainObject(body)) throw invalidSyntax('the request body must be a JSON PatchOp object');
  const schemas = field(body, 'schemas');
  if (schemas !== undefined) {
    if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
      throw invalidSyntax(`"schemas" must contain "${PATCH_OP_SCHEMA}"`);
    }
  }
  const ops = field(body, 'operations');
  if (!Array.isArray(ops)) throw invalidSyntax('"Operations" must be an array of operations');
  if (ops.length > maxOperations) {
    throw invalidValue(`${ops.length} operations in one PATCH; the limit is ${maxOperations}`);
  }
  return ops.map((raw, index) => parseOperation(raw, index));
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isPlainObject(raw)) throw invalidSyntax(`${where} must be an object`);
  const opRaw = field(raw, 'op');
  const op = typeof opRaw === 'string' ? OP_NAMES[opRaw.trim().toLowerCase()] : undefined;
  if (!op) throw invalidSyntax(`${where}.op must be "add", "replace" or "remove", not ${JSON.stringify(opRaw ?? null)}`);
  const pathRaw = field(raw, 'path');
  const value = field(raw, 'value');
  if (pathRaw !== undefined && pathRaw !== null && typeof pathRaw !== 'string') {
    throw invalidSyntax(`${where}.path must be a string`);
  }
  const rawPath = typeof pathRaw === 'string' && pathRaw.trim() !== '' ? pathRaw.trim() : undefined;
  if (rawPath === undefined) {
    // RFC 7644 §3.5.2.2: remove needs a target.
    if (op === 'remove') throw noTarget(`${where}: "remove" needs a "path"`);
    if (!isPlainObject(value)) throw invalidSyntax(`${where}: "${op}" without a path needs an object "value"`);
    return { op, value, index };
  }
  if (op !== 'remove' && (value === undefined || value === null)) {
    throw invalidValue(`${where}: "${op}" of "${rawPath}" needs a "value"`);
  }
  return { op, path: parsePatchPath(rawPath), rawPath, value, index };
}
