/**
 * Firewall JSON objects ⇄ the connector's view (name, mapped native fields, members), per the YAML's `object`
 * block: where the name, the native id, each field and the account state are, and which objects to ignore.
 */
import { ConnectorError, type NativeScalar } from '../../types.js';
import type { FirewallGroup, FirewallKind, FirewallObject } from '../api.js';
import type { ActiveConfig, FieldConfig, KindConfig } from './config.js';
import { isRecord, readMembers, readPath } from './extract.js';

const sameScalar = (v: unknown, e: string | number | boolean): boolean =>
  v === e || ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v) === String(e));

function coerce(v: unknown, type: FieldConfig['type']): NativeScalar | undefined {
  switch (type) {
    case 'string':
      if (typeof v === 'string') return v === '' ? undefined : v;
      return typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    case 'number':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 1 || v === '1' || v === 'true' || v === 'yes') return true;
      return v === 0 || v === '0' || v === 'false' || v === 'no' ? false : undefined;
  }
}

export class ObjectCodec {
  readonly kind: FirewallKind;
  readonly activeField: string | undefined;
  readonly #cfg: KindConfig;
  readonly #active: ActiveConfig | undefined;
  readonly #fold: (s: string) => string;
  /** Fields read back: declared, not write-only, and mapped (when the connector said which are). */
  readonly #readable: [string, FieldConfig][];

  constructor(kind: FirewallKind, cfg: KindConfig, keyCase: 'exact' | 'insensitive', mapped: readonly string[] | undefined, label: string) {
    this.kind = kind;
    this.#cfg = cfg;
    this.#active = 'active' in cfg.object ? cfg.object.active : undefined;
    this.activeField = this.#active?.field;
    this.#fold = keyCase === 'insensitive' ? (s) => s.toLowerCase() : (s) => s;
    const declared = new Set([...Object.keys(cfg.object.fields), ...(this.activeField ? [this.activeField] : [])]);
    const unknown = (mapped ?? []).filter((f) => !declared.has(f));
    if (unknown.length > 0) {
      throw new ConnectorError(
        'invalid',
        `${label}: the ${kind} mapping uses ${unknown.join(', ')}, which ${kind}s.object does not declare; declare ${unknown.length > 1 ? 'them' : 'it'} in object.fields${kind === 'user' ? ' (active: object.active)' : ''}, or map ${[...declared].join(', ') || 'nothing else'}`,
      );
    }
    const wanted = mapped ? new Set(mapped) : undefined;
    this.#readable = Object.entries(cfg.object.fields).filter(([f, c]) => !c.writeOnly && (!wanted || wanted.has(f)));
  }

  same(a: string, b: string): boolean {
    return this.#fold(a) === this.#fold(b);
  }

  fold(s: string): string {
    return this.#fold(s);
  }

  /** Length limits of the declared fields, for FirewallLimits. */
  maxFieldLength(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.#cfg.object.fields).flatMap(([f, c]) => (c.maxLength === undefined ? [] : [[f, c.maxLength]])));
  }

  keyOf(raw: unknown): string | undefined {
    const k = readPath(raw, this.#cfg.object.key);
    return typeof k === 'string' && k !== '' ? k : typeof k === 'number' ? String(k) : undefined;
  }

  idOf(raw: unknown): string | number | undefined {
    if (!this.#cfg.object.id) return undefined;
    const id = readPath(raw, this.#cfg.object.id);
    return (typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)) ? id : undefined;
  }

  /** Objects the gateway must not see (`object.ignore`), e.g. the firewall's own admin account. */
  ignored(raw: unknown): boolean {
    return this.#cfg.object.ignore.some((r) => r.equals.some((e) => sameScalar(readPath(raw, r.path), e)));
  }

  /** The object named `key` in an answer's item: an object with that name, or the entry of a list with it. */
  find(item: unknown, key: string): Record<string, unknown> | undefined {
    const candidates = Array.isArray(item) ? item : [item];
    const hits = candidates.filter((c): c is Record<string, unknown> => isRecord(c) && this.keyOf(c) !== undefined && this.same(this.keyOf(c)!, key));
    // An exact spelling wins over a case-folded one on APIs whose search folds case.
    return hits.find((h) => this.keyOf(h) === key) ?? hits[0];
  }

  /** The connector's view of a raw object; undefined for an object without a name or one to ignore. */
  toObject(raw: unknown, fallbackKey?: string): FirewallObject | FirewallGroup | undefined {
    if (!isRecord(raw) || this.ignored(raw)) return undefined;
    const key = this.keyOf(raw) ?? fallbackKey;
    if (key === undefined) return undefined;
    const fields: Record<string, NativeScalar> = {};
    for (const [f, c] of this.#readable) {
      const v = coerce(readPath(raw, c.path ?? [f]), c.type);
      if (v !== undefined) fields[f] = v;
    }
    const a = this.#active;
    if (a) {
      const v = readPath(raw, a.path);
      if (sameScalar(v, a.enabled)) fields[a.field] = true;
      else if (sameScalar(v, a.disabled)) fields[a.field] = false;
    }
    if (this.kind === 'group' && 'members' in this.#cfg.object) return { key, fields, members: readMembers(readPath(raw, this.#cfg.object.members)) };
    return { key, fields };
  }

  /** The raw member value of a group object (for option-key writes). */
  rawMembers(raw: unknown): unknown {
    return 'members' in this.#cfg.object ? readPath(raw, this.#cfg.object.members) : undefined;
  }

  /** Field values as the firewall takes them: `active` as its enabled/disabled value. */
  toWire(fields: Readonly<Record<string, NativeScalar>>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...fields };
    const a = this.#active;
    if (a && Object.hasOwn(fields, a.field)) {
      const v = fields[a.field];
      out[a.field] = v === false || v === 'false' ? a.disabled : a.enabled;
    }
    return out;
  }

  /** What an update sends to clear `field`. */
  clearValue(field: string): unknown {
    if (field === this.activeField && this.#active) return this.#active.enabled;
    return this.#cfg.object.fields[field]?.clear ?? '';
  }

  /** Whether a declared field is read back (write-only fields are not). */
  isWriteOnly(field: string): boolean {
    return this.#cfg.object.fields[field]?.writeOnly ?? false;
  }
}
