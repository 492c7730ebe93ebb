/**
 * A small key/value state machine for the durable store tests (and the crash child, which runs it as plain
 * JS after transpiling — so it imports nothing but the store's types).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DurableLog, StateMachine } from '../../src/durable/index.js';

export interface KvRecord {
  readonly id: string;
  readonly v: number;
  readonly data?: string;
}

export type KvEntry = { readonly op: 'put'; readonly rec: KvRecord } | { readonly op: 'del'; readonly id: string };

export interface KvState {
  readonly records: Map<string, KvRecord>;
}

export const kvMachine: StateMachine<KvState, KvEntry> = {
  empty: () => ({ records: new Map() }),
  load(doc) {
    const d = doc as { format?: unknown; records?: unknown };
    if (d.format !== 'kv-test-1' || !Array.isArray(d.records)) throw new Error('not a kv-test-1 document');
    const records = new Map<string, KvRecord>();
    for (const r of d.records as KvRecord[]) records.set(r.id, r);
    return { records };
  },
  apply(state, entry) {
    if (entry.op === 'put') state.records.set(entry.rec.id, entry.rec);
    else state.records.delete(entry.id);
  },
  capture: (state) => ({ header: { format: 'kv-test-1' }, sections: { records: [...state.records.values()] } }),
};

export const put = (id: string, v = 1, data?: string): KvEntry => ({
  op: 'put',
  rec: data === undefined ? { id, v } : { id, v, data },
});

/** A log that records what it is told, for asserting on warnings. */
export function memoryLog(): DurableLog & { lines: Array<{ level: string; msg: string; obj: object }> } {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', msg, obj }),
    warn: (obj, msg) => lines.push({ level: 'warn', msg, obj }),
    error: (obj, msg) => lines.push({ level: 'error', msg, obj }),
  };
}

/** A fresh temp directory per test; `cleanup` removes it. */
export async function tempDir(prefix = 'durable-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
