import { describe, expect, it } from 'vitest';
import { startHeapGovernor, type GcFunction } from '../../src/heap-governor.js';

async function growHeapWhile(cond: () => boolean, ms: number): Promise<void> {
  const keep: object[] = [];
  const deadline = Date.now() + ms;
  while (cond() && Date.now() < deadline) {
    for (let i = 0; i < 50_000; i++) keep.push({ i, s: `x${i}` });
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('heap governor', () => {
  it('asks for an asynchronous full collection once the heap outgrows growth × its last size', async () => {
    const calls: Parameters<GcFunction>[0][] = [];
    const stop = startHeapGovernor({ growth: 1.1, slackMB: 1, intervalMs: 10 }, (o) => calls.push(o));
    try {
      await growHeapWhile(() => calls.length === 0, 5000);
    } finally {
      stop();
    }
    expect(calls[0]).toEqual({ type: 'major', execution: 'async' });
  });

  it('leaves the heap alone while it stays within its allowance', async () => {
    const calls: unknown[] = [];
    const stop = startHeapGovernor({ growth: 10, slackMB: 4096, intervalMs: 10 }, (o) => calls.push(o));
    try {
      await growHeapWhile(() => true, 200);
    } finally {
      stop();
    }
    expect(calls).toEqual([]);
  });

  it('does nothing when V8 offers no gc()', () => {
    const stop = startHeapGovernor({ growth: 1.1, slackMB: 0, intervalMs: 10 }, null);
    expect(typeof stop).toBe('function');
    stop();
  });
});
