/**
 * The generic profile: FirewallApi for any JSON REST user API, from the declarative YAML in config.ts.
 * Writes can be serialised (`serializeWrites`: one write at a time, each with the read it depends on), and
 * full-list membership changes hold a per-group lock around their read-modify-write.
 */
import type { Logger } from '../../../src/log.js';
import { ConnectorError } from '../../types.js';
import type { FirewallApi, FirewallGroup, FirewallKind, FirewallObject, Transport } from '../api.js';
import { KeyedLock } from '../lock.js';
import { GenericClient } from './client.js';
import type { GenericProfileOptions } from './config.js';
import { KindOps } from './kind.js';
import { changeMembers } from './members.js';
import { ObjectCodec } from './objects.js';
import { placeholdersOf } from './template.js';

/** The native fields the connector's mapping uses per kind (besides the name and externalId), to check against the YAML. */
export interface MappedNativeFields {
  readonly user: readonly string[];
  readonly group: readonly string[];
}

export function createGenericApi(options: GenericProfileOptions & { readonly pageSize?: number }, transport: Transport, log: Logger, mapped?: MappedNativeFields): FirewallApi {
  const client = new GenericClient(transport, options.auth, { label: options.label, rules: options.errors, messagePaths: options.errorMessage });
  const pageSize = options.pageSize ?? 500;
  const users = new KindOps(client, options.users, new ObjectCodec('user', options.users, options.keyCase, mapped?.user, options.label), log, pageSize);
  const groupsCfg = options.groups;
  const groups = groupsCfg && new KindOps(client, groupsCfg, new ObjectCodec('group', groupsCfg, options.keyCase, mapped?.group, options.label), log, pageSize);
  const createTakesMembers = groupsCfg !== undefined && [groupsCfg.create.path, ...(groupsCfg.create.body ? [groupsCfg.create.body] : [])].flatMap(placeholdersOf).some((p) => p.name === 'members');
  /** How `{members}` is written in a group create (config.ts refuses option-keys there: a new group has no options yet). */
  const createFormat = !createTakesMembers ? undefined : groupsCfg?.membership.style === 'full-list' ? groupsCfg.membership.format : 'list';

  const writes = new KeyedLock();
  const write = <T>(fn: () => Promise<T>): Promise<T> => (options.serializeWrites ? writes.run('*', fn) : fn());
  const fold = (k: string): string => (options.keyCase === 'insensitive' ? k.toLowerCase() : k);
  const memberLocks = new KeyedLock(fold);

  const opsFor = (kind: FirewallKind): KindOps => {
    if (kind === 'user') return users;
    if (!groups) throw new ConnectorError('unsupported', `${options.label}: this configuration has no groups`);
    return groups;
  };

  const members = async (group: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }, signal: AbortSignal): Promise<void> => {
    if (!groups || !groupsCfg) throw new ConnectorError('unsupported', `${options.label}: this configuration has no groups`);
    const run = () => write(() => changeMembers(client, groups, groupsCfg.membership, group, change, signal));
    return groupsCfg.membership.style === 'full-list' ? memberLocks.run(group, run) : run();
  };

  async function get(kind: FirewallKind, key: string, signal: AbortSignal): Promise<FirewallObject | FirewallGroup | undefined> {
    return opsFor(kind).get(key, signal);
  }

  const api: FirewallApi = {
    keyCase: options.keyCase,
    limits: {
      maxKeyLength: { user: options.users.name.maxLength, group: groupsCfg?.name.maxLength ?? options.users.name.maxLength },
      maxFieldLength: { ...users.codec.maxFieldLength(), ...groups?.codec.maxFieldLength() },
    },
    groups: groups !== undefined,
    ...(users.codec.activeField !== undefined ? { activeField: users.codec.activeField } : {}),

    async check(signal) {
      if (options.check) {
        await client.send(options.check, {}, 'probe', 'the API', signal);
        return;
      }
      // The first page of users: proves the URL, the credential and the configuration's list request.
      for await (const _page of users.list(signal, 1)) break;
    },

    get: get as FirewallApi['get'],

    async *list(kind, signal) {
      yield* opsFor(kind).list(signal);
    },

    async create(kind, object, signal) {
      const ops = opsFor(kind);
      if (kind === 'user' && (object.members?.length ?? 0) > 0) throw new ConnectorError('invalid', `${options.label}: users have no members`);
      const initial = kind === 'group' ? [...(object.members ?? [])] : [];
      const listed = kind === 'group' && createFormat !== undefined ? (createFormat === 'csv' ? initial.join(',') : initial) : undefined;
      await write(() => ops.create(object.key, object.fields, listed, signal));
      // An API whose create takes no member list gets them added afterwards.
      if (kind === 'group' && !createTakesMembers && initial.length > 0) await members(object.key, { add: initial, remove: [] }, signal);
    },

    async update(kind, key, change, signal) {
      const ops = opsFor(kind);
      await write(() => ops.update(key, change, signal));
    },

    async delete(kind, key, signal) {
      const ops = opsFor(kind);
      await write(() => ops.delete(key, signal));
    },

    async changeMembers(group, change, signal) {
      if (change.add.length === 0 && change.remove.length === 0) return;
      await members(group, change, signal);
    },

    async groupsOf(user, signal) {
      if (!groups) return [];
      const out: string[] = [];
      for await (const page of groups.list(signal)) {
        for (const g of page as FirewallGroup[]) if (g.members.some((m) => fold(m) === fold(user))) out.push(g.key);
      }
      return out;
    },
  };
  return api;
}
