/**
 * The rules the connector applies to what it sends a firewall, and small record helpers: names that fit the
 * firewall and its URLs, field lengths within the vendor's limits (checked before sending, so the client
 * gets a 400 naming the attribute instead of the firewall's bare "invalid length"), and the record after a change.
 */
import { ConnectorError, type FieldSpec, type NativeRecord, type NativeScalar } from '../types.js';

export type Fields = Record<string, NativeScalar>;

export const invalid = (message: string, attribute?: string): ConnectorError => new ConnectorError('invalid', message, attribute ? { attribute } : {});

/** Why `key` cannot name a firewall object, or undefined when it can. Lengths count characters (code points). */
export function keyProblem(key: unknown, attribute: string, kind: string, max: number): string | undefined {
  if (typeof key !== 'string' || key === '') return `${attribute} is required`;
  // "." and ".." cannot be path segments of the API URL (URL parsers remove them, %2E included).
  if (key === '.' || key === '..') return `${attribute} cannot be "." or ".." on a firewall`;
  if ([...key].length > max) return `${attribute} ${JSON.stringify(key)} is longer than ${max} characters, the firewall's limit for ${kind} names`;
  return undefined;
}

/** Throws 'invalid' naming the SCIM attribute for a value over the firewall's limit for its field. */
export function checkLengths(fields: Readonly<Fields>, limits: Readonly<Record<string, number>>, specs: readonly FieldSpec[]): void {
  for (const [f, v] of Object.entries(fields)) {
    const max = limits[f];
    if (max === undefined || typeof v !== 'string' || [...v].length <= max) continue;
    const attr = specs.find((s) => s.field === f)?.scimPath ?? f;
    throw invalid(`${attr} is longer than ${max} characters, the firewall's limit for ${f}`, attr);
  }
}

/** The fields after a change; unsetting `active` leaves it true (a firewall account is enabled by default). */
export function applyChanges(current: Readonly<Fields>, set: Readonly<Fields>, unset: ReadonlySet<string>, activeField: string | undefined): Fields {
  const next: Fields = { ...current, ...set };
  for (const f of unset) {
    if (f === activeField) next[f] = true;
    else delete next[f];
  }
  for (const [f, v] of Object.entries(next)) if (v === '') delete next[f];
  return next;
}

export function withoutMembers(r: NativeRecord): NativeRecord {
  if (r.members === undefined) return r;
  const { members: _members, ...rest } = r;
  return rest;
}

export function ignoreNotFound(err: unknown): void {
  if (!(err instanceof ConnectorError && err.kind === 'not-found')) throw err;
}
