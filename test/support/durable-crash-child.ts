/**
 * Child process of the durable crash test (run as plain JS after transpiling). It opens the store and
 * commits as fast as it can from many concurrent writers, printing one line per ACKNOWLEDGED commit:
 *   `A <id> <v>`   a put of <id> with version <v>
 *   `P <id> <v>`   an atomic pair: <id>.a and <id>.b, both version <v>, in one commit
 * Versions come from one counter incremented at commit time, so for any key a later commit has a higher
 * version: the recovered version must be at least the highest acknowledged one. Keys repeat (a bounded key
 * space per cycle) so overwrites are tested and the state stays small enough to reopen quickly.
 * The parent SIGKILLs it at a random moment and checks that everything printed survived.
 * Usage: node durable-crash-child.js <dir> <cycle> <maxJournalBytes> <intervalMs>
 */
import { open } from '../../src/durable/index.js';
import { kvMachine, put, type KvEntry, type KvState } from './durable-test-machine.js';

const [dir, cycleArg, maxBytesArg, intervalArg] = process.argv.slice(2);
if (!dir || !cycleArg || !maxBytesArg || !intervalArg) {
  throw new Error('usage: durable-crash-child <dir> <cycle> <maxJournalBytes> <intervalMs>');
}
const cycle = Number(cycleArg);
const WRITERS = 50;
const KEYS = 4096;

const store = await open<KvState, KvEntry>({
  dir,
  name: 'crash.json',
  machine: kvMachine,
  compaction: { maxJournalBytes: Number(maxBytesArg), intervalMs: Number(intervalArg) },
});

// Pipes to the parent are synchronous on Linux: once write() returns, the line is the parent's to read.
const say = (line: string): void => void process.stdout.write(`${line}\n`);
say('ready');

let counter = 0;
const payload = 'p'.repeat(40);

async function writer(): Promise<void> {
  for (;;) {
    const n = counter++;
    const v = cycle * 1e9 + n;
    const id = `c${cycle}-${n % KEYS}`;
    if (n % 5 === 0) {
      await store.commit([put(`${id}.a`, v, payload), put(`${id}.b`, v, payload)]);
      say(`P ${id} ${v}`);
    } else {
      await store.commit([put(id, v, payload)]);
      say(`A ${id} ${v}`);
    }
  }
}

await Promise.all(Array.from({ length: WRITERS }, writer));
