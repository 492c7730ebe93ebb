/**
 * The identity map under SIGKILL, the way test/unit/durable/crash.test.ts tests the engine: a real child
 * process (crash-child.ts) writes as fast as it can and is killed at a random moment, over and over on the
 * same directory. After every kill the map is reopened and must hold every acknowledged write (an entry may
 * also show the one operation its writer had in flight), nothing else, and consistent indexes: no key bound
 * to two ids. While a child holds the map, opening it here is refused.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableStoreError } from '../../../src/durable/index.js';
import { IdentityMapError, openIdentityMap, type IdentityKind, type IdentityMap } from '../../../src/identity-map/index.js';
import { transpileTree, tsFilesIn } from '../../support/durable-transpile.js';
import { memoryLog, tempDir } from '../../support/durable-test-machine.js';

const CYCLES = 6;

let childJs: string;
let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await tempDir('identity-map-crash-');
  const sources = [...(await tsFilesIn('src/durable')), ...(await tsFilesIn('src/identity-map')), 'test/unit/identity-map/crash-child.ts'];
  const out = await transpileTree(sources, join(work.dir, 'build'));
  childJs = out.at(-1)!;
});
afterAll(async () => work.cleanup());

/** What the parent knows of one entry: its acknowledged state (null once removed). */
interface Known {
  kind: IdentityKind;
  state: { key: string; ext: string | undefined } | null;
}

interface Op {
  tag: 'B' | 'A';
  writer: string;
  op: 'create' | 'rename' | 'ext' | 'remove';
  kind: IdentityKind;
  id: string | undefined;
  key: string | undefined;
  ext: string | undefined;
}

function parse(text: string): Op {
  const [tag, writer, op, kind, id, key, ext] = text.split(' ');
  const opt = (v: string | undefined) => (v === '-' ? undefined : v);
  return { tag: tag as Op['tag'], writer: writer!, op: op as Op['op'], kind: kind as IdentityKind, id: opt(id), key: opt(key), ext: opt(ext) };
}

function startChild(dataDir: string, cycle: number) {
  // Two cycles in three compact all the time, so kills land mid-snapshot too; the third rarely compacts.
  const compaction = cycle % 3 === 2 ? [String(8 * 1024 * 1024), '60000'] : [String(32 * 1024), '100'];
  const child = spawn(process.execPath, [childJs, dataDir, String(cycle), ...compaction], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const all = (partial + chunk).split('\n');
    partial = all.pop() ?? ''; // a line cut by the kill was never fully reported: not acknowledged
    for (const l of all) {
      if (l === 'ready') onReady();
      else lines.push(l);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  void exited.then(() => onReady()); // never hang on a child that died early; the assertions will tell
  return { pid: child.pid!, lines, ready, exited, kill: () => child.kill('SIGKILL'), stderr: () => err };
}

/** Every recovered entry must be explained by the model or by an in-flight create; returns the problems. */
function check(map: IdentityMap, known: Map<string, Known>, inflight: Map<string, Op>): string[] {
  const problems: string[] = [];
  const pendingFor = new Map<string, Op>();
  const pendingCreates: Op[] = [];
  for (const op of inflight.values()) {
    if (op.op === 'create') pendingCreates.push(op);
    else pendingFor.set(op.id!, op);
  }
  const same = (e: { key: string; externalId?: string } | undefined, s: Known['state']) =>
    s === null ? e === undefined : e !== undefined && e.key === s.key && e.externalId === s.ext;
  for (const [id, k] of known) {
    const e = map.byId(k.kind, id);
    const op = pendingFor.get(id);
    const after: Known['state'] | 'none' = !op ? 'none' : op.op === 'remove' ? null : { key: op.key!, ext: op.ext };
    if (same(e, k.state) || (after !== 'none' && same(e, after))) continue;
    problems.push(`${k.kind} ${id}: acknowledged ${JSON.stringify(k.state)}, in flight ${JSON.stringify(after)}, recovered ${JSON.stringify(e ?? null)}`);
  }
  for (const kind of ['user', 'group'] as const) {
    const keys = new Map<string, string>();
    let count = 0;
    for (const e of map.entries(kind)) {
      count++;
      const folded = e.key.toLowerCase();
      if (keys.has(folded)) problems.push(`${kind} key ${e.key} bound to ${keys.get(folded)} and ${e.id}`);
      keys.set(folded, e.id);
      if (map.byKey(kind, e.key.toUpperCase())?.id !== e.id) problems.push(`${kind} byKey(${e.key}) does not find ${e.id}`);
      if (e.externalId !== undefined && !map.byExternalId(kind, e.externalId).some((x) => x.id === e.id)) {
        problems.push(`${kind} byExternalId(${e.externalId}) does not find ${e.id}`);
      }
      if (known.has(e.id)) continue;
      // Not acknowledged: only a create in flight at the kill may explain it.
      const i = pendingCreates.findIndex((op) => op.kind === kind && op.key === e.key && op.ext === e.externalId);
      if (i < 0) problems.push(`${kind} ${e.id} (${e.key}) was never written`);
      else pendingCreates.splice(i, 1);
    }
    if (count !== map.size(kind)) problems.push(`${kind}: size ${map.size(kind)} but ${count} entries`);
  }
  return problems;
}

describe('identity map: SIGKILL at random moments', () => {
  it(`keeps every acknowledged write and one id per key over ${CYCLES} kill/reopen cycles`, async () => {
    const dataDir = join(work.dir, 'data');
    const known = new Map<string, Known>();
    let acked = 0;
    const timings: number[] = [];

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const run = startChild(dataDir, cycle);
      await run.ready;
      expect(run.stderr()).toBe('');

      if (cycle === 0) {
        // A second process on the same file is refused, naming the process that holds it.
        const err = await openIdentityMap({ dir: dataDir }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(IdentityMapError);
        expect((err as IdentityMapError).code).toBe('unavailable');
        expect(((err as IdentityMapError).cause as DurableStoreError).code).toBe('locked');
        expect((err as Error).message).toContain(`in use by another scimbridge process (pid ${run.pid} on host ${hostname()}`);
      }

      const delay = 200 + Math.floor(Math.random() * 1000);
      timings.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      run.kill();
      await run.exited;
      expect(run.stderr(), `cycle ${cycle}: the child reported`).toBe('');
      const lock = JSON.parse(await readFile(join(dataDir, 'identity-map.json.lock'), 'utf8')) as { pid: number };
      expect(lock.pid).toBe(run.pid);

      const inflight = new Map<string, Op>();
      for (const text of run.lines) {
        const op = parse(text);
        if (op.tag === 'B') {
          inflight.set(op.writer, op);
          continue;
        }
        inflight.delete(op.writer);
        acked++;
        known.set(op.id!, { kind: op.kind, state: op.op === 'remove' ? null : { key: op.key!, ext: op.ext } });
      }

      const log = memoryLog();
      const map = await openIdentityMap({ dir: dataDir, log });
      expect(log.lines.some((l) => l.level === 'warn' && /stale lock/.test(l.msg))).toBe(true);
      expect(check(map, known, inflight), `cycle ${cycle}`).toEqual([]);

      // What was recovered is the truth the next cycle starts from (in-flight operations went one way).
      for (const [id, k] of known) {
        const e = map.byId(k.kind, id);
        k.state = e ? { key: e.key, ext: e.externalId } : null;
      }
      for (const kind of ['user', 'group'] as const) {
        for (const e of map.entries(kind)) if (!known.has(e.id)) known.set(e.id, { kind, state: { key: e.key, ext: e.externalId } });
      }
      await map.close();
    }
    expect(acked).toBeGreaterThan(CYCLES * 100);
    const live = [...known.values()].filter((k) => k.state !== null).length;
    console.info(`identity map crash test: ${acked} acknowledged writes over ${CYCLES} kills at ${timings.join(', ')} ms; ${live} entries at the end`);
  }, 90_000);
});
