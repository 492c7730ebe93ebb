/**
 * An in-memory connector for HTTP tests of failure handling. It implements connectors/types.ts like a
 * real connector (users, groups, members, uniqueness, filters and sort through connectors/support), and
 * its FakeControls let a test make calls throw a given error or hang until released. startFakeGateway
 * wires it the way the server does: startConnector with a registry `{ fake: fakeDefinition }`, then
 * createApp on 127.0.0.1:0.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { z } from 'zod';
import { jsonFileDefaultMapping } from '../../connectors/json-file/config.js';
import { compareRecords, evaluateFilter } from '../../connectors/support/evaluate-filter.js';
import {
  ConnectorError,
  defineConnector,
  type Capabilities,
  type Connector,
  type MappedFields,
  type MappingConfig,
  type NativeRecord,
  type NativeScalar,
  type ResourceOps,
} from '../../connectors/types.js';
import { DEFAULT_QUEUE, startConnector } from '../../src/core/connectors.js';
import type { QueueConfig } from '../../src/core/queue.js';
import { DEFAULT_LIMITS, type ConnectorRuntime, type RequestLimits } from '../../src/core/runtime.js';
import { createApp } from '../../src/http/app.js';
import { hashToken } from '../../src/http/auth.js';
import { silentLogger } from '../../src/log.js';
import { BASE, TOKEN } from './build-app.js';

export type FakeOp = 'get' | 'list' | 'create' | 'modify' | 'delete';
type Kind = 'user' | 'group';

/** What the fake's operations do, set by the test. */
export class FakeControls {
  #failure: { readonly error: () => unknown; readonly ops: readonly FakeOp[] | undefined } | undefined;
  #hanging = false;
  #waiters: (() => void)[] = [];
  /** Every operation started, in order. */
  readonly calls: { readonly op: FakeOp; readonly kind: Kind }[] = [];
  /** Operations started and not yet settled. */
  inFlight = 0;

  /** From now on, operations (all, or only `ops`) throw `error()`. */
  failWith(error: () => unknown, ops?: readonly FakeOp[]): void {
    this.#failure = { error, ops };
  }

  /** From now on, operations never answer (they ignore their AbortSignal, like a hung downstream) until release(). */
  hang(): void {
    this.#hanging = true;
  }

  /** Back to normal; hung operations resume and complete. */
  reset(): void {
    this.#failure = undefined;
    this.#hanging = false;
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves once at least `n` operations are in flight (polls; fails after `timeoutMs`). */
  async waitForInFlight(n: number, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} connector calls in flight, saw ${this.inFlight}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Run one operation under the current controls. */
  async run<T>(op: FakeOp, kind: Kind, fn: () => T): Promise<T> {
    this.calls.push({ op, kind });
    this.inFlight++;
    try {
      const f = this.#failure;
      if (f && (!f.ops || f.ops.includes(op))) throw f.error();
      if (this.#hanging) await new Promise<void>((r) => this.#waiters.push(r));
      return fn();
    } finally {
      this.inFlight--;
    }
  }
}

interface Stored {
  id: string;
  fields: Record<string, NativeScalar>;
  version: number;
  created: string;
  lastModified: string;
}

class FakeConnector implements Connector {
  readonly capabilities: Capabilities = { groups: true, sort: true, filterOperators: 'all', maxPageSize: 1000 };
  readonly users: ResourceOps;
  readonly groups: ResourceOps;
  readonly #members = new Map<string, Set<string>>();
  readonly #data = { user: new Map<string, Stored>(), group: new Map<string, Stored>() };

  constructor(
    private readonly controls: FakeControls,
    fields: MappedFields,
  ) {
    const nameField = (kind: Kind) => (kind === 'user' ? fields.user : fields.group).find((s) => s.scimPath === (kind === 'user' ? 'userName' : 'displayName'))?.field;
    this.users = this.#ops('user', nameField('user'));
    this.groups = this.#ops('group', nameField('group'));
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async check(): Promise<void> {}

  #view(kind: Kind, r: Stored, withMembers: boolean): NativeRecord {
    const meta = { created: r.created, lastModified: r.lastModified, version: String(r.version) };
    if (kind === 'user' || !withMembers) return { id: r.id, fields: { ...r.fields }, meta };
    const members = [...(this.#members.get(r.id) ?? [])].map((m) => ({ value: m, type: this.#data.group.has(m) ? ('Group' as const) : ('User' as const) }));
    return { id: r.id, fields: { ...r.fields }, meta, members };
  }

  #unique(kind: Kind, field: string | undefined, fields: Record<string, NativeScalar>, self: string | undefined): void {
    const v = field === undefined ? undefined : fields[field];
    if (typeof v !== 'string') return;
    for (const r of this.#data[kind].values()) {
      const other = r.fields[field as string];
      if (r.id !== self && typeof other === 'string' && other.toLowerCase() === v.toLowerCase()) {
        throw new ConnectorError('conflict', `${kind} ${JSON.stringify(v)} already exists`);
      }
    }
  }

  #ops(kind: Kind, nameField: string | undefined): ResourceOps {
    const map = this.#data[kind];
    const c = this.controls;
    return {
      get: (id, opts) => c.run('get', kind, () => {
        const r = map.get(id);
        return r ? this.#view(kind, r, opts.withMembers) : undefined;
      }),
      list: (query) => c.run('list', kind, () => {
        let matches = [...map.values()].map((r) => this.#view(kind, r, true)).filter((r) => !query.filter || evaluateFilter(query.filter, r));
        if (query.sort) {
          const sort = query.sort;
          matches = matches.sort((a, b) => compareRecords(a, b, sort));
        }
        const page = matches.slice(query.startIndex - 1, query.startIndex - 1 + query.count);
        return { totalResults: matches.length, records: query.withMembers ? page : page.map(({ id, fields, meta }) => ({ id, fields, ...(meta ? { meta } : {}) })) };
      }),
      create: (input) => c.run('create', kind, () => {
        const fields = { ...input.fields };
        this.#unique(kind, nameField, fields, undefined);
        const now = new Date().toISOString();
        const r: Stored = { id: randomUUID(), fields, version: 1, created: now, lastModified: now };
        map.set(r.id, r);
        if (kind === 'group') this.#members.set(r.id, new Set(input.members ?? []));
        return this.#view(kind, r, kind === 'group');
      }),
      modify: (id, change) => c.run('modify', kind, () => {
        const old = map.get(id);
        if (!old) throw new ConnectorError('not-found', `${kind} ${id} not found`);
        const fields = { ...old.fields };
        for (const ch of change.fields) {
          if (ch.op === 'set') fields[ch.field] = ch.value;
          else delete fields[ch.field];
        }
        this.#unique(kind, nameField, fields, id);
        const set = this.#members.get(id);
        for (const m of change.removeMembers ?? []) set?.delete(m);
        for (const m of change.addMembers ?? []) set?.add(m);
        const r: Stored = { ...old, fields, version: old.version + 1, lastModified: new Date().toISOString() };
        map.set(id, r);
        return this.#view(kind, r, false);
      }),
      delete: (id) => c.run('delete', kind, () => {
        if (!map.delete(id)) throw new ConnectorError('not-found', `${kind} ${id} not found`);
        for (const set of this.#members.values()) set.delete(id);
        this.#members.delete(id);
      }),
    };
  }
}

const fakeOptions = z.object({ controls: z.instanceof(FakeControls) }).strict();

/** The registry entry: `{ fake: fakeDefinition }`. Options carry the FakeControls the test holds. */
export const fakeDefinition = defineConnector({
  type: 'fake',
  configSchema: fakeOptions,
  defaultMapping: jsonFileDefaultMapping,
  create: (options, deps) => new FakeConnector(options.controls, deps.fields),
});

export interface FakeGateway {
  readonly server: Server;
  readonly runtime: ConnectorRuntime;
  readonly controls: FakeControls;
  close(): Promise<void>;
}

export interface FakeGatewayOptions {
  readonly queue?: Partial<QueueConfig>;
  readonly limits?: Partial<RequestLimits>;
  readonly mapping?: MappingConfig;
}

/** One endpoint at BASE with TOKEN, backed by the fake connector. */
export async function startFakeGateway(opts: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const controls = new FakeControls();
  const runtime = await startConnector(
    { id: 'fake', type: 'fake', options: { controls }, mapping: opts.mapping ?? jsonFileDefaultMapping, queue: { ...DEFAULT_QUEUE, ...opts.queue } },
    { fake: fakeDefinition },
    silentLogger,
  );
  const app = createApp({ endpoints: [{ path: BASE, runtime, tokenDigests: [hashToken(TOKEN)] }], log: silentLogger, limits: { ...DEFAULT_LIMITS, ...opts.limits } });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    server,
    runtime,
    controls,
    async close() {
      controls.reset();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await runtime.connector.stop();
    },
  };
}
