/**
 * One PAN-OS commit (research B2, B7): `type=commit` enqueues a job (PAN-OS ≥ 8.0 queues it behind any commit
 * already running), then `<show><jobs><id>N</id></jobs></show>` is polled until the job is FIN. A commit with
 * nothing to commit answers success with "There are no changes to commit." and no job; that counts as done.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../src/log.js';
import { ConnectorError } from '../../types.js';
import type { PanosClient } from './client.js';
import { messageOf } from './errors.js';
import { child, children, deepText, escapeXml, textOf } from './xml.js';

export interface CommitJobOptions {
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly partialAdmin?: string | undefined;
}

export type CommitOutcome = { readonly kind: 'committed'; readonly jobId: number } | { readonly kind: 'nothing-to-commit' };

/** The `cmd` of a commit: ours is described, and partial when the options name our admin. */
export function commitCommand(partialAdmin: string | undefined): string {
  const partial = partialAdmin === undefined ? '' : `<partial><admin><member>${escapeXml(partialAdmin)}</member></admin></partial>`;
  return `<commit><description>scimbridge</description>${partial}</commit>`;
}

/**
 * Commits and waits for the job. Resolves when it finished OK or there was nothing to commit; throws
 * ConnectorError when it could not be enqueued, ended FAIL, or did not finish within `timeoutMs`.
 */
export async function runCommitJob(client: PanosClient, options: CommitJobOptions, log: Logger, signal: AbortSignal): Promise<CommitOutcome> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]);
  const reply = await client.commit(commitCommand(options.partialAdmin), { what: 'commit', idempotent: false }, deadline);
  const jobText = textOf(child(reply.result, 'job')).trim() || /jobid (\d+)/.exec(messageOf(reply.response))?.[1];
  if (!jobText) {
    log.debug({ msg: messageOf(reply.response) }, 'panos: nothing to commit');
    return { kind: 'nothing-to-commit' };
  }
  const jobId = Number(jobText);
  const started = Date.now();
  for (;;) {
    try {
      await sleep(options.pollMs, undefined, { signal: deadline });
    } catch (err) {
      throw stopped(err, signal, jobId, options.timeoutMs);
    }
    let job;
    try {
      const status = await client.op(`<show><jobs><id>${jobId}</id></jobs></show>`, { what: `poll commit job ${jobId}`, idempotent: true }, deadline);
      job = child(status.result, 'job');
    } catch (err) {
      // A failed poll says nothing about the job: keep polling until the deadline (the transport has retried already).
      if (err instanceof ConnectorError && (err.kind === 'unavailable' || err.kind === 'rate-limited')) {
        log.warn({ jobId, err }, 'panos: polling the commit job failed; polling on');
        continue;
      }
      if (deadline.aborted) throw stopped(err, signal, jobId, options.timeoutMs);
      throw err;
    }
    if (!job) throw new ConnectorError('unavailable', `PAN-OS commit job ${jobId}: the job status holds no <job>`);
    if (textOf(child(job, 'status')).trim() !== 'FIN') continue;
    const result = textOf(child(job, 'result')).trim();
    const details = children(child(job, 'details'), 'line').map((l) => deepText(l).trim()).filter((l) => l !== '');
    if (result !== 'OK') {
      throw new ConnectorError('unavailable', `PAN-OS commit job ${jobId} ended ${result || 'without a result'}: ${details.join('; ') || 'no details'}`);
    }
    log.info({ jobId, ms: Date.now() - started }, 'panos: commit finished');
    return { kind: 'committed', jobId };
  }
}

function stopped(err: unknown, signal: AbortSignal, jobId: number, timeoutMs: number): unknown {
  if (signal.aborted) return new ConnectorError('unavailable', `PAN-OS commit job ${jobId}: the gateway is shutting down`, { cause: err });
  return new ConnectorError('unavailable', `PAN-OS commit job ${jobId} did not finish within ${timeoutMs} ms (it may still finish on the firewall)`, { cause: err });
}
