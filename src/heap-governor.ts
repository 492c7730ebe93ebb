/**
 * Keeps the process's memory near what it really holds. V8 grows the old generation lazily: under a
 * sustained write load every PATCH replaces a record (the old version becomes garbage in the old
 * generation), and on a machine with plenty of RAM V8 lets that garbage reach several times the live data
 * before a full collection (measured: 600+ MB of RSS for a 100,000-user store whose live heap is ~100 MB).
 * The governor asks V8 for a concurrent major collection when the heap has grown past `growth ×` the size
 * the last full collection left, plus `slackMB`, checking every `intervalMs`. The collection marks on a
 * background thread, so a request sees at most a short pause.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface HeapGovernorOptions {
  readonly growth: number;
  readonly slackMB: number;
  readonly intervalMs: number;
}

export const DEFAULT_HEAP_GOVERNOR: HeapGovernorOptions = { growth: 1.5, slackMB: 48, intervalMs: 500 };

export type GcFunction = (options: { type: 'major' | 'minor'; execution: 'async' | 'sync' }) => void;

/** V8's gc() without starting node with --expose-gc for everyone: exposed to a fresh context only. */
function gcFunction(): GcFunction | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as GcFunction) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the governor; returns a function that stops it. Does nothing when V8 does not offer gc().
 * `gc` is V8's, unless a test passes its own (or null: none available).
 */
export function startHeapGovernor(opts: HeapGovernorOptions = DEFAULT_HEAP_GOVERNOR, gc: GcFunction | null = gcFunction() ?? null): () => void {
  if (!gc) return () => undefined;
  let baseline = getHeapStatistics().used_heap_size;
  /** When we asked for a collection that has not been seen yet (0 = none asked). */
  let pendingSince = 0;
  const observer = new PerformanceObserver((list) => {
    const majors = list.getEntries().filter((e: PerformanceEntry) => ((e as PerformanceEntry & { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (majors.length === 0) return;
    baseline = getHeapStatistics().used_heap_size;
    pendingSince = 0;
  });
  observer.observe({ entryTypes: ['gc'] });
  const timer = setInterval(() => {
    // Wait for the collection we asked for, but not for ever (ask again after ten intervals).
    if (pendingSince !== 0 && Date.now() - pendingSince < opts.intervalMs * 10) return;
    const used = getHeapStatistics().used_heap_size;
    if (used > baseline * opts.growth + opts.slackMB * 1024 * 1024) {
      pendingSince = Date.now();
      gc({ type: 'major', execution: 'async' });
    }
  }, opts.intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    observer.disconnect();
  };
}
