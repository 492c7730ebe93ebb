/**
 * The PAN-OS profile: FirewallApi over the XML API's local user database (research B2), with commits batched
 * by committer.ts. Every write changes the candidate config, then is acknowledged per `commit.mode`:
 * `applied` waits for a commit that includes it to finish OK; `candidate` returns at once and the commit
 * follows. Reads come from the candidate config (store.ts says why).
 */
import type { Logger } from '../../../src/log.js';
import { ConnectorError } from '../../types.js';
import type { FirewallApi, FirewallGroup, FirewallKind, FirewallObject, Transport } from '../api.js';
import { PanosClient } from './client.js';
import { runCommitJob } from './commit-job.js';
import { Committer } from './committer.js';
import type { PanosProfileOptions } from './config.js';
import { PanosGroups } from './groups.js';
import type { PanosStore } from './store.js';
import { PanosUsers, USER_FIELDS } from './users.js';
import { PanosPaths } from './xpath.js';

/** PAN-OS web interface help, Device > Local User Database: names up to 31 characters, not case-sensitive. */
const MAX_NAME = 31;

export function createPanosApi(options: PanosProfileOptions & { readonly pageSize?: number }, transport: Transport, log: Logger): FirewallApi {
  const client = new PanosClient(transport, options.apiKey);
  const { commit } = options;
  const committer = new Committer({
    quietMs: commit.quietMs,
    maxDelayMs: commit.maxDelayMs,
    retryAfterSec: commit.retryAfterSec,
    log,
    commit: (signal) => runCommitJob(client, { pollMs: commit.pollMs, timeoutMs: commit.timeoutMs, partialAdmin: commit.partialAdmin }, log, signal),
  });
  const store: PanosStore = { client, paths: new PanosPaths(options.location), changed: () => committer.changed(), pageSize: options.pageSize ?? 500 };
  const users = new PanosUsers(store);
  const groups = new PanosGroups(store);

  /** Runs a write, then acknowledges it per the commit mode; one that changed nothing has nothing to wait for. */
  const write = async (signal: AbortSignal, body: () => Promise<boolean>): Promise<void> => {
    const changed = await body();
    if (changed && commit.mode === 'applied') await committer.written(signal);
  };

  async function get(kind: FirewallKind, key: string, signal: AbortSignal): Promise<FirewallObject | FirewallGroup | undefined> {
    return kind === 'user' ? users.get(key, signal) : groups.get(key, signal);
  }

  const api: FirewallApi = {
    keyCase: 'insensitive',
    limits: { maxKeyLength: { user: MAX_NAME, group: MAX_NAME } },
    groups: true,
    activeField: USER_FIELDS.active,

    async check(signal) {
      await client.op('<show><system><info></info></system></show>', { what: 'check the XML API', idempotent: true }, signal);
    },

    get: get as FirewallApi['get'],

    list(kind, signal) {
      return kind === 'user' ? users.list(signal) : groups.list(signal);
    },

    create(kind, object, signal) {
      return write(signal, () => (kind === 'user' ? users.create(noMembers(object), signal) : groups.create(object, signal)));
    },

    update(kind, key, change, signal) {
      return write(signal, () => (kind === 'user' ? users.update(key, change, signal) : groups.update(key, change, signal)));
    },

    delete(kind, key, signal) {
      return write(signal, () => (kind === 'user' ? users.delete(key, signal) : groups.delete(key, signal)));
    },

    async changeMembers(group, change, signal) {
      if (change.add.length === 0 && change.remove.length === 0) return;
      await write(signal, () => groups.changeMembers(group, change, signal));
    },

    groupsOf(user, signal) {
      return groups.groupsOf(user, signal);
    },

    flush() {
      return committer.flush();
    },

    // The transport belongs to whoever created it (connector.ts), which closes it after this.
    async close() {
      committer.close();
    },
  };
  return api;
}

function noMembers(object: FirewallObject & { readonly members?: readonly string[] }): FirewallObject {
  if (object.members !== undefined && object.members.length > 0) throw new ConnectorError('invalid', 'PAN-OS users have no members');
  return object;
}
