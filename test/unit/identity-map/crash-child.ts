/**
 * Child process of the identity map crash test (run as plain JS after transpiling). It opens the map and
 * writes from many concurrent writers, each working on its own entries one operation at a time, printing
 *   `B <writer> <op> <kind> <id> <key> <externalId>`   before an operation (the state it asks for)
 *   `A <writer> <op> <kind> <id> <key> <externalId>`   once it is ACKNOWLEDGED (the state it got)
 * with `-` for an id not issued yet or no externalId; ops are create, rename, ext, remove. So after a kill
 * the parent knows, per entry, the acknowledged state and the one operation that may have been in flight.
 * Writers also take over entries left by earlier cycles (rename or remove them), and check that a key held
 * by another id is refused; a wrong answer goes to stderr, which the parent requires to stay empty.
 * Usage: node crash-child.js <dir> <cycle> <maxJournalBytes> <intervalMs>
 */
import { IdentityMapError, openIdentityMap, type IdentityEntry, type IdentityKind } from '../../../src/identity-map/index.js';

const [dir, cycleArg, maxBytesArg, intervalArg] = process.argv.slice(2);
if (!dir || !cycleArg || !maxBytesArg || !intervalArg) throw new Error('usage: crash-child <dir> <cycle> <maxJournalBytes> <intervalMs>');
const cycle = Number(cycleArg);
const WRITERS = 32;

const map = await openIdentityMap({ dir, compaction: { maxJournalBytes: Number(maxBytesArg), intervalMs: Number(intervalArg) } });

// Pipes to the parent are synchronous on Linux: once write() returns, the line is the parent's to read.
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const line = (tag: 'B' | 'A', w: number, op: string, kind: IdentityKind, id: string | undefined, key: string | undefined, ext: string | undefined): string =>
  `${tag} ${w} ${op} ${kind} ${id ?? '-'} ${key ?? '-'} ${ext ?? '-'}`;
const bad = (msg: string): void => void process.stderr.write(`BAD ${msg}\n`);

// Entries from earlier cycles, dealt out to the writers: each entry has exactly one writer.
const inherited: IdentityEntry[][] = Array.from({ length: WRITERS }, () => []);
let dealt = 0;
for (const kind of ['user', 'group'] as const) for (const e of map.entries(kind)) inherited[dealt++ % WRITERS]!.push(e);
say('ready');

async function rename(w: number, e: IdentityEntry, key: string): Promise<IdentityEntry> {
  say(line('B', w, 'rename', e.kind, e.id, key, e.externalId));
  const r = await map.rename(e.kind, e.id, key);
  say(line('A', w, 'rename', r.kind, r.id, r.key, r.externalId));
  return r;
}

async function remove(w: number, e: IdentityEntry): Promise<void> {
  say(line('B', w, 'remove', e.kind, e.id, undefined, undefined));
  if (!(await map.remove(e.kind, e.id))) bad(`remove of ${e.id} found nothing`);
  say(line('A', w, 'remove', e.kind, e.id, undefined, undefined));
}

async function writer(w: number): Promise<void> {
  let live: IdentityEntry | undefined; // this writer's last entry still in the map
  for (let n = 0; ; n++) {
    const old = n % 2 === 0 ? inherited[w]!.pop() : undefined;
    if (old) {
      if (n % 4 === 0) await remove(w, old);
      else await rename(w, old, `${old.key}~${cycle}`);
    }
    const kind: IdentityKind = n % 3 === 0 ? 'group' : 'user';
    const key = `${kind}-c${cycle}-w${w}-${n}`;
    const ext = n % 2 === 0 ? `Ext-${w}-${n % 5}` : undefined;
    say(line('B', w, 'create', kind, undefined, key, ext));
    let e = await map.put({ kind, key, externalId: ext });
    say(line('A', w, 'create', e.kind, e.id, e.key, e.externalId));
    if (n % 3 === 1) e = await rename(w, e, key.toUpperCase()); // same name, other case: not a conflict with itself
    if (n % 5 === 2) {
      const next = n % 10 === 2 ? undefined : `X-${w}-${n}`;
      say(line('B', w, 'ext', e.kind, e.id, e.key, next));
      e = await map.setExternalId(e.kind, e.id, next);
      say(line('A', w, 'ext', e.kind, e.id, e.key, e.externalId));
    }
    if (live && n % 7 === 0) {
      // Another id may not take a key that is bound, in any case.
      const err = await map.put({ kind: live.kind, key: live.key.toLowerCase() }).then(() => null, (x: unknown) => x);
      if (!(err instanceof IdentityMapError && err.code === 'conflict' && err.existingId === live.id)) bad(`key ${live.key} of ${live.id} was not refused: ${String(err)}`);
    }
    if (n % 4 === 3) await remove(w, e);
    else live = e;
  }
}

await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
