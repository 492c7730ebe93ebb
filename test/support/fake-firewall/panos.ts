/**
 * An in-process fake PAN-OS 10/11 XML API (`/api/`) for the firewall connector's tests, following research B2:
 * `type=config` get/show/set/edit/delete/rename on the local user database (users with `phash`/`disabled`, user
 * groups with `user/member`) in the candidate config; `type=op` password-hash, `show jobs`, `show system info`
 * and `check pending-changes`; `type=commit` jobs that copy candidate → running after `commitDurationMs`;
 * `type=keygen`; `X-PAN-KEY` (or `key=`) auth. Latency, the in-flight limit, faults and per-request records
 * come from HttpFake (http-fake.ts).
 *
 * ```ts
 * const pan = await startFakePanos({ commitDurationMs: 50 });
 * const body = new URLSearchParams({ type: 'config', action: 'set', xpath: userXpath('jdoe'), element: '<disabled>no</disabled>' });
 * await fetch(`${pan.baseUrl}/api/`, { method: 'POST', headers: { 'x-pan-key': pan.apiKey }, body });
 * expect(pan.candidate.user('jdoe')?.disabled).toBe('no');
 * await pan.close();
 * ```
 *
 * Not modelled: other config (address objects, policies, admins, `mgt-config`), Panorama templates, the `move`,
 * `clone`, `override` and `multi-move` actions, config and commit locks, partial commits of another admin's
 * changes only, validate jobs, `type=user-id`, `type=export|import|log|report`, multipart bodies, XPath functions
 * (`concat()`, `contains()`), `//` and `*`, and real SHA-256-crypt hashes.
 */
import { CommitQueue, type CommitCounts, type CommitJob } from './panos-commit.js';
import { PanosConfig } from './panos-config.js';
import { PanosError } from './panos-schema.js';
import { PanosConfigView, groupXpath, hashPassword, phashMatches, userXpath, type PanosLocation } from './panos-view.js';
import { errorResponse, headerValue, parseCommand, pathNames, paramsOf, required, xml } from './panos-wire.js';
import { childElements, escapeText, firstChild, serializeXml, textOf, type XmlElement } from './panos-xml.js';
import { HttpFake, type FakeRequest, type FakeResponse, type HttpFakeOptions } from './http-fake.js';

export { PanosError } from './panos-schema.js';
export { groupXpath, hashPassword, locationXpath, phashMatches, userXpath } from './panos-view.js';
export type { PanosGroup, PanosLocation, PanosUser, PanosConfigView } from './panos-view.js';
export type { CommitCounts, CommitJob, CommitRequest } from './panos-commit.js';
export { quoteXpathLiteral } from './panos-xpath.js';
export type { Fault, RecordedRequest } from './http-fake.js';

export interface FakePanosOptions extends HttpFakeOptions {
  /** The API key, sent as `X-PAN-KEY` or `key=`. @default 'LUFRPT-fake-panos-key' */
  readonly apiKey?: string;
  /** The admin the key belongs to; it marks changes and owns commit jobs. @default 'scim-gw' */
  readonly admin?: string;
  /** The admin's password, for `type=keygen`. @default 'fake-panos-password' */
  readonly password?: string;
  /** The vsys that exist besides `shared`. @default ['vsys1'] */
  readonly vsys?: readonly string[];
  /** How long a commit job runs once it starts. @default 20 */
  readonly commitDurationMs?: number;
  /** What a commit asked for while another runs does. @default 'queue' */
  readonly commitWhileRunning?: 'queue' | 'reject';
  /** @default 1 */
  readonly firstJobId?: number;
  /** Reported by `show system info`. @default '11.1.4' */
  readonly swVersion?: string;
}

const OK_20 = '<response status="success" code="20"><msg>command succeeded</msg></response>';

export class FakePanos extends HttpFake {
  readonly apiKey: string;
  readonly admin: string;
  /** The candidate config (what `action=get` reads and writes change). */
  readonly candidate: PanosConfigView;
  /** The running config (what `action=show` reads and commits replace). */
  readonly running: PanosConfigView;
  readonly #password: string;
  readonly #swVersion: string;
  readonly #config: PanosConfig;
  readonly #commits: CommitQueue;
  readonly #operations = new Map<string, number>();

  constructor(options: FakePanosOptions = {}) {
    super(options);
    this.apiKey = options.apiKey ?? 'LUFRPT-fake-panos-key';
    this.admin = options.admin ?? 'scim-gw';
    this.#password = options.password ?? 'fake-panos-password';
    this.#swVersion = options.swVersion ?? '11.1.4';
    this.#config = new PanosConfig(options.vsys ?? ['vsys1']);
    this.#commits = new CommitQueue(this.#config, {
      durationMs: options.commitDurationMs ?? 20,
      whileRunning: options.commitWhileRunning ?? 'queue',
      firstJobId: options.firstJobId ?? 1,
    });
    this.candidate = new PanosConfigView(() => this.#config.tree('candidate'));
    this.running = new PanosConfigView(() => this.#config.tree('running'));
  }

  /** How long the next commit job to start runs. */
  get commitDurationMs(): number {
    return this.#commits.durationMs;
  }
  set commitDurationMs(ms: number) {
    this.#commits.durationMs = ms;
  }

  get commitWhileRunning(): 'queue' | 'reject' {
    return this.#commits.whileRunning;
  }
  set commitWhileRunning(mode: 'queue' | 'reject') {
    this.#commits.whileRunning = mode;
  }

  get commits(): Readonly<CommitCounts> {
    return { ...this.#commits.counts };
  }

  get jobs(): readonly CommitJob[] {
    return this.#commits.jobs;
  }

  /** Whether the candidate differs from the running config. */
  get hasUncommittedChanges(): boolean {
    return this.#config.candidateDiffers();
  }

  /** The next `times` commit jobs end FIN/FAIL with `message` in their details. */
  failNextCommits(times = 1, message = 'Validation Error: commit failed (injected by the fake)'): void {
    this.#commits.failNext(times, message);
  }

  /** Resolves once no commit job is queued or running. */
  waitForCommits(): Promise<void> {
    return this.#commits.whenIdle();
  }

  /** XML API operations answered after auth, by kind (`config.set`, `op.password-hash`, `commit`, …). */
  operations(): Record<string, number>;
  operations(kind: string): number;
  operations(kind?: string): Record<string, number> | number {
    if (kind !== undefined) return this.#operations.get(kind) ?? 0;
    return Object.fromEntries(this.#operations);
  }

  /** Adds a user to the candidate and running config, as if it had been committed before the test. */
  seedUser(user: { readonly name: string; readonly password?: string; readonly phash?: string; readonly disabled?: boolean }, location?: PanosLocation): void {
    const phash = user.phash ?? hashPassword(user.password ?? 'seeded-password');
    this.#config.seed(userXpath(user.name, location), `<phash>${escapeText(phash)}</phash><disabled>${user.disabled ? 'yes' : 'no'}</disabled>`);
  }

  /** Adds a group (its members must be seeded users) to the candidate and running config. */
  seedGroup(group: { readonly name: string; readonly members?: readonly string[] }, location?: PanosLocation): void {
    const members = (group.members ?? []).map((m) => `<member>${escapeText(m)}</member>`).join('');
    this.#config.seed(groupXpath(group.name, location), members === '' ? '' : `<user>${members}</user>`);
  }

  override async close(): Promise<void> {
    this.#commits.close();
    await super.close();
  }

  /** Makes a phash the way the fake's password-hash op does. */
  readonly hashPassword = hashPassword;
  /** Whether a phash the fake made is the hash of `password`. */
  readonly phashMatches = phashMatches;

  protected override classify(method: string, url: URL): string {
    if (url.pathname !== '/api/' && url.pathname !== '/api') return `${method} other`;
    const type = url.searchParams.get('type');
    const action = url.searchParams.get('action');
    // A POST usually carries type and action in its body, which is not read yet: operations() has the detail.
    return type === null ? `${method} /api/` : `${method} ${type}${action === null ? '' : `.${action}`}`;
  }

  protected override handle(req: FakeRequest): FakeResponse {
    if (req.url.pathname !== '/api/' && req.url.pathname !== '/api') return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>404 Not Found</h1></body></html>' };
    try {
      const params = paramsOf(req);
      const type = params.get('type') ?? '';
      if (type === 'keygen') return this.#keygen(params);
      const key = headerValue(req.headers['x-pan-key']) ?? params.get('key');
      if (key !== this.apiKey) {
        this.#count('auth.rejected');
        return xml(403, '<response status="error" code="403"><result><msg>Invalid Credential</msg></result></response>');
      }
      switch (type) {
        case 'config':
          return this.#configRequest(params);
        case 'op':
          return this.#op(params);
        case 'commit':
          return this.#commit(params);
        case '':
          throw new PanosError(400, ['Missing parameter: type']);
        default:
          throw new PanosError(400, [`type=${type} is not modelled by the fake PAN-OS`]);
      }
    } catch (err) {
      if (err instanceof PanosError) return errorResponse(err);
      throw err;
    }
  }

  #keygen(params: URLSearchParams): FakeResponse {
    this.#count('keygen');
    if (params.get('user') !== this.admin || params.get('password') !== this.#password) {
      return xml(403, '<response status="error" code="403"><result><msg>Invalid Credential</msg></result></response>');
    }
    return xml(200, `<response status="success"><result><key>${escapeText(this.apiKey)}</key></result></response>`);
  }

  #configRequest(params: URLSearchParams): FakeResponse {
    const action = params.get('action') ?? '';
    this.#count(`config.${action}`);
    const xpath = required(params, 'xpath');
    switch (action) {
      case 'get': {
        const nodes = this.#config.select('candidate', xpath);
        // A missing node is success with code 7 and an empty result (pango and pan-os-python read it so).
        const code = nodes.length === 0 ? 7 : 19;
        const inner = serializeXml(nodes);
        const counts = `total-count="${nodes.length}" count="${nodes.length}"`;
        return xml(200, `<response status="success" code="${code}">${inner === '' ? `<result ${counts}/>` : `<result ${counts}>${inner}</result>`}</response>`);
      }
      case 'show': {
        const nodes = this.#config.select('running', xpath);
        if (nodes.length === 0) throw new PanosError(7, ['No such node']);
        return xml(200, `<response status="success"><result>${serializeXml(nodes)}</result></response>`);
      }
      case 'set':
        this.#config.set(xpath, params.get('element') ?? '', this.admin);
        return xml(200, OK_20);
      case 'edit':
        this.#config.edit(xpath, required(params, 'element'), this.admin);
        return xml(200, OK_20);
      case 'delete':
        this.#config.delete(xpath, this.admin);
        return xml(200, OK_20);
      case 'rename':
        this.#config.rename(xpath, required(params, 'newname'), this.admin);
        return xml(200, OK_20);
      default:
        throw new PanosError(400, [`action=${action} is not modelled by the fake PAN-OS`]);
    }
  }

  #op(params: URLSearchParams): FakeResponse {
    const cmd = parseCommand(required(params, 'cmd'));
    const at = (...names: string[]): XmlElement | undefined => names.reduce<XmlElement | undefined>((el, n) => el && firstChild(el, n), cmd);
    if (cmd.name === 'request' && at('password-hash')) {
      this.#count('op.password-hash');
      const password = at('password-hash', 'password');
      return xml(200, `<response status="success"><result><phash>${escapeText(hashPassword(password ? textOf(password) : ''))}</phash></result></response>`);
    }
    if (cmd.name === 'show' && at('jobs')) {
      this.#count('op.show-jobs');
      const id = at('jobs', 'id');
      const ids = id ? [Number(textOf(id))] : this.#commits.jobs.map((j) => j.id);
      const jobs = ids.map((n) => this.#commits.jobXml(n));
      // Inferred: the exact wording for an unknown job id.
      if (id && jobs[0] === undefined) throw new PanosError(undefined, [`job ${textOf(id)} not found`]);
      return xml(200, `<response status="success"><result>${jobs.join('')}</result></response>`);
    }
    if (cmd.name === 'show' && at('system', 'info')) {
      this.#count('op.show-system-info');
      const system = `<hostname>fake-panos</hostname><model>PA-VM</model><serial>007951000000000</serial><sw-version>${escapeText(this.#swVersion)}</sw-version>`;
      return xml(200, `<response status="success"><result><system>${system}</system></result></response>`);
    }
    if (cmd.name === 'check' && at('pending-changes')) {
      this.#count('op.check-pending-changes');
      return xml(200, `<response status="success"><result>${this.hasUncommittedChanges ? 'yes' : 'no'}</result></response>`);
    }
    this.#count('op.other');
    throw new PanosError(17, [` ${pathNames(cmd).join(' -> ')} is unexpected`], true);
  }

  #commit(params: URLSearchParams): FakeResponse {
    this.#count('commit');
    const cmd = parseCommand(required(params, 'cmd'));
    if (cmd.name !== 'commit') throw new PanosError(17, [` ${cmd.name} is unexpected`], true);
    const partial = firstChild(cmd, 'partial');
    const admins = partial && firstChild(partial, 'admin');
    const description = firstChild(cmd, 'description');
    const job = this.#commits.request({
      admin: this.admin,
      force: firstChild(cmd, 'force') !== undefined,
      partialAdmins: admins ? childElements(admins, 'member').map(textOf) : [],
      description: description ? textOf(description) : '',
    });
    if (!job) return xml(200, '<response status="success" code="19"><msg>There are no changes to commit.</msg></response>');
    const line = `Commit job enqueued with jobid ${job.id}`;
    return xml(200, `<response status="success" code="19"><result><msg><line>${line}</line></msg><job>${job.id}</job></result></response>`);
  }

  #count(kind: string): void {
    this.#operations.set(kind, (this.#operations.get(kind) ?? 0) + 1);
  }
}

/** Starts a fake PAN-OS on 127.0.0.1 with a random port; the XML API is `${baseUrl}/api/`. */
export function startFakePanos(options: FakePanosOptions = {}): Promise<FakePanos> {
  return new FakePanos(options).listen();
}
