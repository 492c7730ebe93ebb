/**
 * The identity map's in-memory state and the journal entries that change it: the StateMachine the durable
 * engine (src/durable) replays. Only entries are stored durably; the key and externalId indexes are rebuilt
 * from them on load and replay, so they cannot drift from the data.
 */
import type { StateMachine } from '../durable/index.js';
import type { IdentityEntry, IdentityKind } from './types.js';

export const FORMAT = 'scimbridge.identity-map/1';

export type KeyCase = 'insensitive' | 'exact';

/**
 * A whole entry per change, not a diff: entries are small, and a `put` carrying the full record makes
 * replay trivially idempotent and the record immutable (the snapshot serialises references).
 */
export type Entry =
  | { readonly t: 'put'; readonly e: IdentityEntry }
  | { readonly t: 'del'; readonly kind: IdentityKind; readonly id: string };

export interface KindState {
  /** SCIM id → entry, in insertion order (Map.set on an existing id keeps its place). */
  readonly byId: Map<string, IdentityEntry>;
  /** Folded key → id. One id per key: that is the invariant the map exists to keep. */
  readonly byKey: Map<string, string>;
  /** Lower-cased externalId → ids (not unique). */
  readonly byExternalId: Map<string, Set<string>>;
}

export interface State {
  readonly user: KindState;
  readonly group: KindState;
}

/** Microsoft Entra compares externalId case-insensitively; so do we, whatever keyCase says. */
export const foldExternalId = (v: string): string => v.toLowerCase();

export function keyFolder(keyCase: KeyCase): (key: string) => string {
  return keyCase === 'exact' ? (k) => k : (k) => k.toLowerCase();
}

export function kindState(state: State, kind: IdentityKind): KindState {
  // Runtime check too: kinds may come from untyped code, and `state[kind]` must never hit the prototype.
  if (kind !== 'user' && kind !== 'group') throw new Error(`unknown identity kind ${JSON.stringify(kind)}`);
  return state[kind];
}

const SECTIONS = { user: 'users', group: 'groups' } as const;

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

function assertEntry(raw: unknown, kind?: IdentityKind): asserts raw is IdentityEntry {
  const r = raw as Partial<Record<keyof IdentityEntry, unknown>> | null;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    isText(r.id) &&
    (r.kind === 'user' || r.kind === 'group') &&
    (kind === undefined || r.kind === kind) &&
    isText(r.key) &&
    (r.externalId === undefined || isText(r.externalId)) &&
    typeof r.created === 'string' &&
    typeof r.lastModified === 'string';
  if (!ok) throw new Error(`not an identity map entry: ${JSON.stringify(raw)}`);
}

function addTo(map: Map<string, Set<string>>, k: string, id: string): void {
  const set = map.get(k);
  if (set) set.add(id);
  else map.set(k, new Set([id]));
}

function removeFrom(map: Map<string, Set<string>>, k: string, id: string): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(k);
}

export function createMachine(keyCase: KeyCase): StateMachine<State, Entry> {
  const fold = keyFolder(keyCase);
  const emptyKind = (): KindState => ({ byId: new Map(), byKey: new Map(), byExternalId: new Map() });
  const empty = (): State => ({ user: emptyKind(), group: emptyKind() });

  const unindex = (s: KindState, e: IdentityEntry): void => {
    const k = fold(e.key);
    if (s.byKey.get(k) === e.id) s.byKey.delete(k);
    if (e.externalId !== undefined) removeFrom(s.byExternalId, foldExternalId(e.externalId), e.id);
  };

  const put = (state: State, e: IdentityEntry): void => {
    assertEntry(e);
    const s = kindState(state, e.kind);
    const k = fold(e.key);
    const holder = s.byKey.get(k);
    // The map checks this before committing; throwing here is the backstop that keeps a bug from ever
    // reaching the journal (the engine applies before it writes, and rejects a commit whose apply throws).
    if (holder !== undefined && holder !== e.id) throw new Error(`${e.kind} key ${JSON.stringify(e.key)} is already bound to ${holder}`);
    const old = s.byId.get(e.id);
    if (old) unindex(s, old);
    s.byId.set(e.id, Object.freeze(e));
    s.byKey.set(k, e.id);
    if (e.externalId !== undefined) addTo(s.byExternalId, foldExternalId(e.externalId), e.id);
  };

  return {
    empty,
    apply(state, entry) {
      if (entry.t === 'put') return put(state, entry.e);
      if (entry.t !== 'del') throw new Error(`unknown identity map entry ${JSON.stringify(entry)}`);
      const s = kindState(state, entry.kind);
      const old = s.byId.get(entry.id);
      if (!old) return;
      unindex(s, old);
      s.byId.delete(entry.id);
    },
    load(doc) {
      const d = doc as { format?: unknown; keyCase?: unknown; users?: unknown; groups?: unknown };
      if (d.format !== FORMAT) throw new Error(`not a scimbridge identity map (format ${JSON.stringify(d.format)}, expected ${FORMAT})`);
      // The key index, and so which keys conflict, depends on keyCase: reading the data under the other
      // rule could bind one key to two ids, or split what the firewall sees as one name.
      if (d.keyCase !== keyCase) throw new Error(`it was written with keyCase ${JSON.stringify(d.keyCase)}; open it with keyCase ${JSON.stringify(d.keyCase)}, not ${JSON.stringify(keyCase)}`);
      const state = empty();
      for (const kind of ['user', 'group'] as const) {
        const list = d[SECTIONS[kind]];
        if (!Array.isArray(list)) throw new Error(`the document needs a "${SECTIONS[kind]}" array`);
        for (const raw of list as unknown[]) {
          assertEntry(raw, kind);
          if (state[kind].byId.has(raw.id)) throw new Error(`${kind} id ${raw.id} appears twice`);
          put(state, raw);
        }
      }
      return state;
    },
    capture(state) {
      return {
        header: { format: FORMAT, keyCase },
        sections: { [SECTIONS.user]: [...state.user.byId.values()], [SECTIONS.group]: [...state.group.byId.values()] },
      };
    },
  };
}
