/**
 * `open`: lock the data file, recover the state from disk and start a fresh journal segment. New writes
 * never go after a possibly torn tail: the segment recovery stopped in is left as it is, and the new one
 * (starting right after the last good record) also tells a later recovery where that torn tail ends.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveConfig } from './config.js';
import { assertPlainName, lockPath, removeStaleTemps, tempPath } from './files.js';
import { openSegment } from './journal-writer.js';
import { acquireLock } from './lock.js';
import { recover } from './recovery.js';
import { writeSnapshot } from './snapshot-writer.js';
import { Store } from './store.js';
import type { DurableStore, DurableStoreOptions } from './types.js';

export async function open<State, Entry>(opts: DurableStoreOptions<State, Entry>): Promise<DurableStore<State, Entry>> {
  assertPlainName(opts.name);
  const cfg = resolveConfig(opts);
  const started = performance.now();
  await mkdir(cfg.dir, { recursive: true, mode: 0o700 });
  const docLabel = join(cfg.dir, cfg.name);
  const lock = await acquireLock(lockPath(cfg.dir, cfg.name), docLabel, cfg.log, cfg.mode);
  try {
    await removeStaleTemps(cfg.dir, cfg.name);
    const recovered = await recover(cfg.dir, cfg.name, cfg.machine, cfg.log);
    if (recovered.seq === 0) {
      // A brand-new store: write the empty document now, so other programs reading it find a valid file
      // from the start rather than nothing until the first compaction.
      const noop = async (): Promise<void> => undefined;
      const capture = cfg.machine.capture(recovered.state);
      const options = { fsync: cfg.fsync, mode: cfg.mode, checkpoint: noop, beforeRename: noop };
      await writeSnapshot(docLabel, tempPath(cfg.dir, cfg.name), 0, capture, options);
    }
    const active = await openSegment(cfg, recovered.seq + 1);
    const store = new Store(cfg, lock, recovered, active);
    cfg.log.info(
      {
        file: docLabel,
        seq: recovered.seq,
        replayed: recovered.seq - recovered.docSeq,
        ms: Math.round(performance.now() - started),
      },
      'durable store opened',
    );
    return store;
  } catch (err) {
    await lock.release();
    throw err;
  }
}
