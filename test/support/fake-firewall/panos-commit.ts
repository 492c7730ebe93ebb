/**
 * Commit jobs for the fake PAN-OS (research B2, B7): a commit snapshots the candidate config when it is
 * requested, waits its turn (commits run one at a time; PAN-OS ≥ 8.0 queues a commit asked for while another
 * runs), runs for `durationMs`, then installs the snapshot as the running config. Jobs are polled with
 * `<show><jobs><id>N</id></jobs></show>`: PEND (queued), ACT (running), FIN with result OK or FAIL.
 */
import { panosTime, type ConfigSnapshot, type PanosConfig } from './panos-config.js';
import { PanosError } from './panos-schema.js';
import { escapeText } from './panos-xml.js';

export interface CommitRequest {
  readonly admin: string;
  readonly force: boolean;
  /** Admins named in `<partial><admin>`; the fake commits everything regardless (it has one admin). */
  readonly partialAdmins: readonly string[];
  readonly description: string;
}

export interface CommitJob {
  readonly id: number;
  readonly request: CommitRequest;
  readonly status: 'PEND' | 'ACT' | 'FIN';
  readonly result: 'PEND' | 'OK' | 'FAIL';
  readonly enqueuedAt: Date;
  readonly startedAt: Date | undefined;
  readonly finishedAt: Date | undefined;
  readonly details: readonly string[];
}

export interface CommitCounts {
  /** Every `type=commit` request that reached the queue. */
  requested: number;
  /** Jobs created. */
  enqueued: number;
  succeeded: number;
  failed: number;
  /** Answered "There are no changes to commit." without a job. */
  notNeeded: number;
  /** Refused because another commit was running (`whileRunning: 'reject'`). */
  rejected: number;
}

interface Job {
  readonly id: number;
  readonly request: CommitRequest;
  status: CommitJob['status'];
  result: CommitJob['result'];
  readonly enqueuedAt: Date;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  details: string[];
  plannedMs: number;
  readonly snapshot: ConfigSnapshot;
}

export class CommitQueue {
  durationMs: number;
  /** `queue`: PAN-OS ≥ 8.0's commit queue. `reject`: an older box's "Another commit/validate is in progress". */
  whileRunning: 'queue' | 'reject';
  readonly counts: CommitCounts = { requested: 0, enqueued: 0, succeeded: 0, failed: 0, notNeeded: 0, rejected: 0 };
  readonly #config: PanosConfig;
  readonly #jobs: Job[] = [];
  readonly #pending: Job[] = [];
  readonly #failures: string[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #active: Job | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nextId: number;
  #closed = false;

  constructor(config: PanosConfig, options: { durationMs: number; whileRunning: 'queue' | 'reject'; firstJobId: number }) {
    this.#config = config;
    this.durationMs = options.durationMs;
    this.whileRunning = options.whileRunning;
    this.#nextId = options.firstJobId;
  }

  /** A new job, or undefined when there is nothing to commit. Throws PanosError when refused. */
  request(request: CommitRequest): CommitJob | undefined {
    this.counts.requested++;
    if (this.whileRunning === 'reject' && this.busy) {
      this.counts.rejected++;
      // Message as pan-os-python matches it (PanCommitInProgress); inferred: no code attribute.
      throw new PanosError(undefined, ['Another commit/validate is in progress. Please try again later']);
    }
    // Inferred (research B2): no job when the candidate equals what the last queued commit will install.
    const baseline = this.#pending[this.#pending.length - 1] ?? this.#active;
    if (!request.force && !this.#config.candidateDiffers(baseline?.snapshot.tree)) {
      this.counts.notNeeded++;
      return undefined;
    }
    const job: Job = {
      id: this.#nextId++,
      request,
      status: 'PEND',
      result: 'PEND',
      enqueuedAt: new Date(),
      startedAt: undefined,
      finishedAt: undefined,
      details: [],
      plannedMs: 0,
      snapshot: this.#config.snapshot(),
    };
    this.counts.enqueued++;
    this.#jobs.push(job);
    this.#pending.push(job);
    this.#startNext();
    return view(job);
  }

  /** The next `times` commit jobs to finish end in FAIL with `message`, leaving the running config alone. */
  failNext(times: number, message: string): void {
    for (let i = 0; i < times; i++) this.#failures.push(message);
  }

  get busy(): boolean {
    return this.#active !== undefined || this.#pending.length > 0;
  }

  get jobs(): readonly CommitJob[] {
    return this.#jobs.map(view);
  }

  job(id: number): CommitJob | undefined {
    const job = this.#jobs.find((j) => j.id === id);
    return job && view(job);
  }

  /** The `<job>` element of `show jobs`, or undefined for an unknown id. */
  jobXml(id: number, now = new Date()): string | undefined {
    const job = this.#jobs.find((j) => j.id === id);
    if (!job) return undefined;
    const position = this.#pending.indexOf(job) + 1;
    const elapsed = job.startedAt ? now.getTime() - job.startedAt.getTime() : 0;
    const progress = job.status === 'FIN' ? 100 : job.status === 'PEND' ? 0 : Math.min(99, Math.floor((elapsed / Math.max(1, job.plannedMs)) * 100));
    const time = (d: Date | undefined): string => (d ? panosTime(d) : '');
    const tag = (name: string, value: string): string => (value === '' ? `<${name}/>` : `<${name}>${escapeText(value)}</${name}>`);
    return [
      '<job>',
      tag('tenq', time(job.enqueuedAt)),
      tag('tdeq', job.startedAt ? time(job.startedAt).slice(11) : ''),
      tag('id', String(job.id)),
      tag('user', job.request.admin),
      tag('type', 'Commit'),
      tag('status', job.status),
      tag('queued', job.status === 'PEND' ? 'YES' : 'NO'),
      tag('stoppable', job.status === 'FIN' ? 'no' : 'yes'),
      tag('result', job.result),
      tag('tfin', time(job.finishedAt)),
      tag('description', job.request.description),
      tag('positionInQ', String(position)),
      tag('progress', String(progress)),
      job.details.length === 0 ? '<details/>' : `<details>${job.details.map((l) => tag('line', l)).join('')}</details>`,
      '<warnings/>',
      '</job>',
    ].join('');
  }

  /** Resolves once no commit is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.busy || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  #startNext(): void {
    if (this.#active || this.#closed) return;
    const job = this.#pending.shift();
    if (!job) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
      return;
    }
    job.status = 'ACT';
    job.startedAt = new Date();
    job.plannedMs = this.durationMs;
    this.#active = job;
    this.#timer = setTimeout(() => this.#finish(job), job.plannedMs);
  }

  #finish(job: Job): void {
    const failure = this.#failures.shift();
    if (failure === undefined) {
      this.#config.install(job.snapshot);
      job.result = 'OK';
      job.details = ['Configuration committed successfully'];
      this.counts.succeeded++;
    } else {
      job.result = 'FAIL';
      job.details = [failure, 'Commit failed'];
      this.counts.failed++;
    }
    job.status = 'FIN';
    job.finishedAt = new Date();
    this.#active = undefined;
    this.#startNext();
  }
}

function view(job: Job): CommitJob {
  const { id, request, status, result, enqueuedAt, startedAt, finishedAt } = job;
  return { id, request, status, result, enqueuedAt, startedAt, finishedAt, details: [...job.details] };
}
