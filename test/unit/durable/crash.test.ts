/**
 * THE crash test: a real child process commits as fast as it can and is SIGKILLed at a random moment,
 * over and over on the same directory, so kills land during flushes, segment switches and compactions.
 * After every kill: the document is valid JSON, the killed child's lock is taken over, and everything
 * the child acknowledged is in the recovered state (atomic pairs whole, overwrites not rolled back).
 */
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, DurableStoreError } from '../../../src/durable/index.js';
import { transpileTree, tsFilesIn } from '../../support/durable-transpile.js';
import { kvMachine, memoryLog, tempDir, type KvEntry, type KvState } from '../../support/durable-test-machine.js';

const CYCLES = 8;
const NAME = 'crash.json';

let childJs: string;
let work: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  work = await tempDir('durable-crash-');
  const sources = [
    ...(await tsFilesIn('src/durable')),
    'test/support/durable-test-machine.ts',
    'test/support/durable-crash-child.ts',
  ];
  const out = await transpileTree(sources, join(work.dir, 'build'));
  childJs = out.at(-1)!;
});
afterAll(async () => work.cleanup());

interface ChildRun {
  pid: number;
  acked: string[];
  /** Set once the child printed `ready` (it holds the lock then). */
  ready: Promise<void>;
  exited: Promise<void>;
  kill: () => void;
  stderr: () => string;
}

/**
 * Two cycles in three compact all the time (64 KiB journal: the kill usually lands mid-snapshot); the third
 * rarely compacts, so kills land in plain flushes and segment switches too.
 */
function compactionArgs(cycle: number): [string, string] {
  return cycle % 3 === 2 ? [String(8 * 1024 * 1024), '60000'] : [String(64 * 1024), '100'];
}

function startChild(dataDir: string, cycle: number): ChildRun {
  const args = [childJs, dataDir, String(cycle), ...compactionArgs(cycle)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: string[] = [];
  let partial = '';
  let err = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') onReady();
      else acked.push(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  void exited.then(() => onReady()); // never hang on a child that died early; the assertions will tell
  return { pid: child.pid!, acked, ready, exited, kill: () => child.kill('SIGKILL'), stderr: () => err };
}

describe('durable store: SIGKILL at random moments', () => {
  it(`never loses an acknowledged write over ${CYCLES} kill/recover cycles`, async () => {
    const dataDir = join(work.dir, 'data');
    const acked = new Map<string, number>(); // key -> highest acknowledged version, over all cycles
    let totalAcked = 0;
    const timings: number[] = [];
    const segmentsSeen: number[] = [];
    let midCompaction = 0;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const run = startChild(dataDir, cycle);
      await run.ready;
      expect(run.stderr()).toBe('');

      if (cycle === 0) {
        // A second process on the same file is refused with a message naming the holder.
        const err = await open<KvState, KvEntry>({ dir: dataDir, name: NAME, machine: kvMachine }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(DurableStoreError);
        expect((err as DurableStoreError).code).toBe('locked');
        expect((err as DurableStoreError).message).toContain(
          `in use by another scimbridge process (pid ${run.pid} on host ${hostname()}`,
        );
      }

      const delay = 150 + Math.floor(Math.random() * 1350);
      timings.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      run.kill();
      await run.exited;

      // The document as the dead child left it must be valid JSON (it may not exist yet in early cycles).
      const docText = await readFile(join(dataDir, NAME), 'utf8').catch(() => null);
      if (docText !== null) expect(() => JSON.parse(docText)).not.toThrow();
      const leftovers = await readdir(dataDir);
      if (leftovers.some((f) => f.startsWith(`${NAME}.tmp-`))) midCompaction++;
      segmentsSeen.push(leftovers.filter((f) => f.includes('.journal.')).length);
      // Its lock is still there, naming it...
      const lock = JSON.parse(await readFile(join(dataDir, `${NAME}.lock`), 'utf8')) as { pid: number };
      expect(lock.pid).toBe(run.pid);

      // ...and is taken over, because that pid is gone.
      const log = memoryLog();
      const store = await open<KvState, KvEntry>({ dir: dataDir, name: NAME, machine: kvMachine, log });
      expect(log.lines.some((l) => l.level === 'warn' && /stale lock/.test(l.msg))).toBe(true);

      const records = store.state.records;
      for (const line of run.acked) {
        const [kind, id, v] = line.split(' ');
        const keys = kind === 'P' ? [`${id}.a`, `${id}.b`] : [id!];
        for (const key of keys) acked.set(key, Math.max(acked.get(key) ?? 0, Number(v)));
      }
      const missing: string[] = [];
      for (const [key, v] of acked) {
        const rec = records.get(key);
        if (!rec || rec.v < v) missing.push(`${key}: acknowledged v${v}, recovered ${rec ? `v${rec.v}` : 'nothing'}`);
      }
      // Pairs are one commit: both halves always carry the same version, acknowledged or not.
      for (const [key, rec] of records) {
        if (key.endsWith('.a')) expect(records.get(`${key.slice(0, -2)}.b`)?.v, key).toBe(rec.v);
      }
      expect(missing, `cycle ${cycle}: lost acknowledged writes`).toEqual([]);
      totalAcked += run.acked.length;

      // Alternate how the recovering process leaves: with and without a final compaction.
      await store.close({ compact: cycle % 2 === 0 });
    }
    expect(totalAcked).toBeGreaterThan(CYCLES * 100);
    console.info(
      `durable crash test: ${totalAcked} acknowledged commits over ${CYCLES} kills at ${timings.join(', ')} ms; ` +
        `${midCompaction} kills during a snapshot write; journal segments left: ${segmentsSeen.join(', ')}`,
    );
  }, 60_000);
});
