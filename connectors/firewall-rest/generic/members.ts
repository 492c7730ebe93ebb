/**
 * Group membership in the two styles an API may have:
 *  - full-list: read the group, change its list, write the list back whole. The caller holds a per-group lock
 *    around this, so two concurrent changes cannot both read the old list and drop each other's member.
 *  - per-member: one request per member added or removed; "already a member" (conflict) and "not a member"
 *    (not-found) count as done, as SCIM wants.
 */
import { ConnectorError } from '../../types.js';
import type { GenericClient } from './client.js';
import type { MembershipConfig } from './config.js';
import { optionEntries, readMembers } from './extract.js';
import type { Found, KindOps } from './kind.js';

export interface MemberChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** The list after the change, in the firewall's order, new members last; undefined when nothing changes. */
export function nextMembers(current: readonly string[], change: MemberChange, fold: (s: string) => string): string[] | undefined {
  const drop = new Set(change.remove.map(fold));
  const next = current.filter((m) => !drop.has(fold(m)));
  const present = new Set(next.map(fold));
  for (const name of change.add) {
    if (present.has(fold(name))) continue;
    present.add(fold(name));
    next.push(name);
  }
  const same = next.length === current.length && next.every((m, i) => m === current[i]);
  return same ? undefined : next;
}

/** `{members}` as the firewall takes it. */
export function formatMembers(names: readonly string[], format: 'list' | 'csv' | 'option-keys', raw: unknown, fold: (s: string) => string, label: string): string[] | string {
  if (format === 'list') return [...names];
  if (format === 'csv') return names.join(',');
  // OPNsense lists every user as an option of the group's member field, keyed by uid: write the keys.
  const options = optionEntries(raw);
  return names
    .map((name) => {
      const option = options.find((o) => fold(o.name) === fold(name));
      if (!option) throw new ConnectorError('invalid', `${label}: ${JSON.stringify(name)} is not among the users the firewall offers as group members`, { attribute: 'members' });
      return option.key;
    })
    .join(',');
}

export async function changeMembers(client: GenericClient, groups: KindOps, membership: MembershipConfig, group: string, change: MemberChange, signal: AbortSignal): Promise<void> {
  const found: Found = await groups.mustFind(group, signal);
  const codec = groups.codec;
  const subject = groups.subject(found.key);
  if (membership.style === 'full-list') {
    const raw = codec.rawMembers(found.raw);
    const next = nextMembers(readMembers(raw), change, (s) => codec.fold(s));
    if (next === undefined) return;
    const members = formatMembers(next, membership.format, raw, (s) => codec.fold(s), client.label);
    await client.send(membership.update, { key: found.key, members, ...groups.idFor(found) }, 'change the members of group', subject, signal);
    return;
  }
  const id = groups.idFor(found);
  for (const member of change.add) {
    await client.send(membership.add, { key: found.key, member, ...id }, 'add a member to group', subject, signal).catch(unless('conflict'));
  }
  for (const member of change.remove) {
    await client.send(membership.remove, { key: found.key, member, ...id }, 'remove a member from group', subject, signal).catch(unless('not-found'));
  }
}

/** A catch handler that swallows ConnectorErrors of one kind. */
const unless =
  (kind: ConnectorError['kind']) =>
  (err: unknown): void => {
    if (!(err instanceof ConnectorError && err.kind === kind)) throw err;
  };
