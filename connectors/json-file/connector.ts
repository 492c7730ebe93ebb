/**
 * The JSON-file connector: users and groups in one JSON document (see state.ts for its shape), made
 * durable by src/durable (write-ahead journal with group commit, atomic snapshot replacement, one process
 * per file). Checks that need the whole store (uniqueness, member existence) run synchronously against the
 * in-memory state and commit in the same tick, so they cannot race.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DurableStoreError, open, type DurableStore } from '../../src/durable/index.js';
import type { Logger } from '../../src/log.js';
import {
  ConnectorError,
  type Capabilities,
  type Connector,
  type MappedFields,
  type NativeMember,
  type NativePage,
  type NativeQuery,
  type NativeRecord,
  type NewResource,
  type ResourceChange,
  type ResourceOps,
} from '../types.js';
import type { JsonFileConfig } from './config.js';
import { usesMembers } from '../support/evaluate-filter.js';
import { indexView, runQuery } from './query.js';
import { createMachine, type Entry, type IndexFields, type Kind, type State, type StoredRecord } from './state.js';

function fieldFor(specs: MappedFields['user'], scimPath: string): string | undefined {
  return specs.find((s) => s.scimPath === scimPath)?.field;
}

function unavailable(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const msg = err instanceof DurableStoreError ? err.message : 'the data file could not be written';
  return new ConnectorError('unavailable', msg, { cause: err, retryAfterSec: 5 });
}

export class JsonFileConnector implements Connector {
  readonly capabilities: Capabilities;
  readonly users: ResourceOps;
  readonly groups: ResourceOps;
  readonly #config: JsonFileConfig;
  readonly #ix: IndexFields;
  #store: DurableStore<State, Entry> | undefined;
  /** Record id → seq of its last write that may not be on disk yet. */
  readonly #pending = new Map<string, number>();

  constructor(config: JsonFileConfig, fields: MappedFields) {
    this.#config = config;
    const userName = fieldFor(fields.user, 'userName');
    const groupName = fieldFor(fields.group, 'displayName');
    if (!userName || !groupName) throw new ConnectorError('invalid', 'the mapping must map userName (users) and displayName (groups)');
    this.#ix = { userName, groupName, userExternalId: fieldFor(fields.user, 'externalId'), groupExternalId: fieldFor(fields.group, 'externalId') };
    this.capabilities = { groups: true, sort: true, filterOperators: 'all', maxPageSize: config.maxPageSize };
    this.users = this.#ops('user');
    this.groups = this.#ops('group');
  }

  get #s(): DurableStore<State, Entry> {
    if (!this.#store) throw new ConnectorError('unavailable', 'the json-file connector is not started');
    return this.#store;
  }

  async start(ctx: { readonly log: Logger }): Promise<void> {
    const { dir, file, fsync, compaction } = this.#config;
    try {
      // trustedEntries: entries are built here from plain values and never changed after commit, so the
      // store applies them as they are and a PATCH shares every unchanged value with the old record.
      this.#store = await open({ dir, name: file, machine: createMachine(this.#ix), fsync, compaction, log: ctx.log, trustedEntries: true });
    } catch (err) {
      // The message names the file and, for a second process, the one holding it.
      throw new ConnectorError('unavailable', err instanceof Error ? err.message : String(err), { cause: err });
    }
    ctx.log.info({ file: join(dir, file), users: this.#store.state.users.size, groups: this.#store.state.groups.size }, 'json-file store opened');
  }

  async stop(): Promise<void> {
    await this.#store?.close();
  }

  async check(): Promise<void> {
    const mode = this.#s.stats().mode;
    if (mode !== 'open') throw new ConnectorError('unavailable', `the data file store is ${mode}`);
  }

  /** Stats for /status. */
  stats() {
    return this.#store?.stats();
  }

  #view(kind: Kind, r: StoredRecord, withMembers: boolean): NativeRecord {
    const meta = { created: r.meta.created, lastModified: r.meta.lastModified, version: String(r.meta.version) };
    if (kind === 'user' || !withMembers) return { id: r.id, fields: r.fields, meta };
    const s = this.#s.state;
    const members: NativeMember[] = [...(s.members.get(r.id) ?? [])].map((m) => ({ value: m, type: s.groups.has(m) ? 'Group' : 'User' }));
    return { id: r.id, fields: r.fields, meta, members };
  }

  /**
   * Commit, then answer; a failed write is a 503 (nothing was acknowledged). `touched` are the records the
   * entries change: until the write is on disk, reads of them wait for it (see #durableRecord).
   */
  async #commit(entries: Entry[], touched: readonly string[]): Promise<void> {
    const store = this.#s;
    const done = store.commit(entries);
    const seq = store.seq;
    for (const id of touched) this.#pending.set(id, seq);
    try {
      await done;
    } catch (err) {
      throw unavailable(err);
    } finally {
      for (const id of touched) if (this.#pending.get(id) === seq) this.#pending.delete(id);
    }
  }

  /** A list may show any record: it returns once everything applied so far is durable. */
  async #durable<T>(value: T): Promise<T> {
    try {
      await this.#s.barrier();
    } catch (err) {
      throw unavailable(err);
    }
    return value;
  }

  /**
   * A read of one record waits only when that record has a write still on its way to disk, so a PATCH's
   * read-modify-write does not queue behind the fsync of unrelated writes.
   */
  #durableRecord<T>(id: string, value: T): T | Promise<T> {
    const seq = this.#pending.get(id);
    return seq !== undefined && seq > this.#s.durableSeq ? this.#durable(value) : value;
  }

  #checkUnique(kind: Kind, fields: Readonly<Record<string, unknown>>, selfId: string | undefined): void {
    const s = this.#s.state;
    const field = kind === 'user' ? this.#ix.userName : this.#ix.groupName;
    if (kind === 'group' && !this.#config.uniqueGroupNames) return;
    const v = fields[field];
    if (typeof v !== 'string') return;
    const owner = (kind === 'user' ? s.userNames : s.groupNames).get(v.toLowerCase());
    if (owner !== undefined && owner !== selfId) {
      const what = kind === 'user' ? 'userName' : 'displayName';
      throw new ConnectorError('conflict', `a ${kind} with ${what} ${JSON.stringify(v)} already exists`, { attribute: what });
    }
  }

  #checkMembers(groupId: string, ids: readonly string[]): void {
    const s = this.#s.state;
    for (const m of ids) {
      if (m === groupId) throw new ConnectorError('invalid', 'a group cannot be a member of itself', { attribute: 'members' });
      if (!s.users.has(m) && !s.groups.has(m)) throw new ConnectorError('invalid', `member ${JSON.stringify(m)} does not exist`, { attribute: 'members' });
    }
  }

  #ops(kind: Kind): ResourceOps {
    const map = (): Map<string, StoredRecord> => (kind === 'user' ? this.#s.state.users : this.#s.state.groups);
    // The name index holds one id per name, so it answers group lookups only while names are unique.
    const name = kind === 'user' ? this.#ix.userName : this.#config.uniqueGroupNames ? this.#ix.groupName : undefined;
    const names = { name, externalId: kind === 'user' ? this.#ix.userExternalId : this.#ix.groupExternalId };
    return {
      get: async (id, opts) => {
        const r = map().get(id);
        return this.#durableRecord(id, r ? this.#view(kind, r, opts.withMembers) : undefined);
      },
      list: async (query: NativeQuery): Promise<NativePage> => {
        const ix = indexView(this.#s.state, kind, names);
        const page = runQuery(query, ix, (r, m) => this.#view(kind, r, m), kind === 'group' && usesMembers(query.filter));
        return this.#durable(page);
      },
      create: async (input: NewResource) => {
        this.#checkUnique(kind, input.fields, undefined);
        const id = randomUUID();
        const members = kind === 'group' ? [...new Set(input.members ?? [])] : [];
        this.#checkMembers(id, members);
        const now = new Date().toISOString();
        const rec: StoredRecord = { id, fields: { ...input.fields }, meta: { created: now, lastModified: now, version: 1 } };
        await this.#commit([{ t: 'put', kind, rec, ...(members.length > 0 ? { members } : {}) }], [id]);
        const stored = map().get(id) ?? rec;
        return this.#view(kind, stored, kind === 'group');
      },
      modify: async (id, change: ResourceChange) => {
        const old = map().get(id);
        if (!old) throw new ConnectorError('not-found', `${kind} ${JSON.stringify(id)} not found`);
        const fields: Record<string, string | number | boolean> = { ...old.fields };
        for (const c of change.fields) {
          if (c.op === 'set') fields[c.field] = c.value;
          else delete fields[c.field];
        }
        this.#checkUnique(kind, fields, id);
        // Only real changes reach the journal: re-adding a member or removing an absent one is a no-op.
        const current = this.#s.state.members.get(id);
        const add = (change.addMembers ?? []).filter((m) => !current?.has(m));
        const remove = (change.removeMembers ?? []).filter((m) => current?.has(m));
        if (kind === 'group') this.#checkMembers(id, add);
        const now = new Date().toISOString();
        const entries: Entry[] = [];
        if (change.fields.length > 0) entries.push({ t: 'put', kind, rec: { id, fields, meta: { ...old.meta, lastModified: now, version: old.meta.version + 1 } } });
        if (kind === 'group' && (add.length > 0 || remove.length > 0)) entries.push({ t: 'members', id, add, remove, at: now });
        if (entries.length > 0) await this.#commit(entries, [id]);
        return this.#view(kind, map().get(id) ?? old, false);
      },
      delete: async (id) => {
        if (!map().has(id)) throw new ConnectorError('not-found', `${kind} ${JSON.stringify(id)} not found`);
        // The groups it leaves change too.
        const groups = [...(this.#s.state.memberOf.get(id) ?? [])];
        await this.#commit([{ t: 'del', kind, id, at: new Date().toISOString() }], [id, ...groups]);
      },
    };
  }
}
