/**
 * ResourceOps for users and groups on a directory. Reads fetch only the attributes a mapping stores;
 * writes are single LDAP operations where the protocol allows (an add; a modify with every attribute
 * change), plus a modifyDN first when the RDN attribute changes (a rename keeps the entry's id).
 */
import { Attribute, Change, PresenceFilter, type Client, type Entry, type Filter } from 'ldapts';
import { ConnectorError, type NativeFilter, type NativeMember, type NativePage, type NativeQuery, type NativeRecord, type NativeScalar, type NewResource, type OpContext, type ResourceChange, type ResourceOps } from '../types.js';
import { buildDn, normalizeDn, parentOf, rdnOf } from './dn.js';
import type { Container, Directory, Resolved } from './directory.js';
import { evaluateFilter, usesMembers } from '../support/evaluate-filter.js';
import { comparesStrings, isSelective, toLdapFilter, referencedIds } from './filter.js';
import type { Membership } from './members.js';
import { RecentReads } from './recent.js';
import { allValues, fallbackValue, firstValue, holdsFallback, metaOf, newEntryAttributes, plainFields, toLdap, type Shape } from './records.js';

export interface KindContext {
  readonly shape: Shape;
  readonly container: Container;
  /** Where new entries go (users: baseDN; the disabled OU for inactive users with move-to-ou). */
  readonly createBase: (active: boolean | undefined) => string;
  readonly objectClasses: readonly string[];
  readonly versionAttribute: string;
  /** Containers member and reference values may point into (users and groups). */
  readonly all: readonly Container[];
  readonly users: Container;
  readonly groups: Container | undefined;
  /** Groups only: how this kind's members are written. */
  readonly membership: Membership | undefined;
  /** The groups' Membership, for removing and renaming members when the gateway keeps integrity. */
  readonly integrity: Membership | undefined;
  /** Referential integrity is the gateway's job (no refint overlay). */
  readonly gatewayIntegrity: boolean;
  /** Users only: the manager-like reference fields other users hold. */
  readonly referenceAttributes: readonly string[];
}

const replace = (type: string, values: string[]): Change => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

export class DirectoryResources implements ResourceOps {
  readonly #recent = new RecentReads();

  constructor(
    private readonly dir: Directory,
    private readonly k: KindContext,
  ) {}

  #attributes(withMembers: boolean): string[] {
    const attrs = [...this.k.shape.readAttributes];
    if (withMembers && this.k.membership) attrs.push(this.k.membership.attribute);
    return attrs;
  }

  #inDisabled(dn: string): boolean {
    const base = this.k.shape.active?.disabledBaseDN;
    return base !== undefined && normalizeDn(parentOf(dn)) === normalizeDn(base);
  }

  /** Entries → records, resolving the DNs they hold (manager, members) to ids in one pass per page. */
  async #records(entries: readonly Entry[], withMembers: boolean): Promise<NativeRecord[]> {
    const { shape } = this.k;
    const dns: string[] = [];
    // Member DNs per entry; Active Directory sends large lists in ranges (member;range=0-1499) to fetch in turn.
    const memberDns = new Map<Entry, string[]>();
    for (const e of entries) {
      for (const spec of shape.references) dns.push(...allValues(e, spec.field));
      if (withMembers && this.k.membership) {
        const values = (await this.dir.allValuesOf(e, this.k.membership.attribute)).filter((d) => !this.k.membership?.isPlaceholder(d));
        memberDns.set(e, values);
        dns.push(...values);
      }
    }
    const ids = dns.length > 0 ? await this.dir.idsForDns(this.k.all, dns) : new Map<string, Resolved>();
    const lookup = (dn: string): Resolved | undefined => ids.get(normalizeDn(dn));
    return entries.flatMap((e) => {
      const id = this.dir.idOf(e);
      if (id === undefined) return [];
      const fields: Record<string, NativeScalar> = plainFields(shape, e);
      for (const spec of shape.references) {
        const dn = firstValue(e, spec.field);
        const ref = dn === undefined ? undefined : lookup(dn);
        if (ref) fields[spec.field] = ref.id;
      }
      if (shape.activeField && shape.active) {
        const active = shape.active.read(e, this.#inDisabled(e.dn));
        if (active !== undefined) fields[shape.activeField.field] = active;
      }
      const record: { id: string; fields: Record<string, NativeScalar>; meta: NativeRecord['meta']; members?: NativeMember[] } = {
        id,
        fields,
        meta: metaOf(e, this.k.versionAttribute),
      };
      if (withMembers && this.k.membership) {
        record.members = (memberDns.get(e) ?? []).flatMap((dn) => {
          const ref = lookup(dn);
          return ref ? [{ value: ref.id, type: ref.kind === 'group' ? 'Group' : 'User' } as const] : [];
        });
      }
      return [record];
    });
  }

  async #entry(id: string, withMembers: boolean): Promise<Entry | undefined> {
    return this.dir.byId(this.k.container, id, this.#attributes(withMembers));
  }

  async get(id: string, opts: { readonly withMembers: boolean }, ctx?: OpContext): Promise<NativeRecord | undefined> {
    const e = await this.#entry(id, opts.withMembers);
    if (e && ctx) this.#recent.remember(id, ctx.requestId, e);
    return e ? (await this.#records([e], opts.withMembers))[0] : undefined;
  }

  async list(query: NativeQuery): Promise<NativePage> {
    const { shape } = this.k;
    let filter: Filter = new PresenceFilter({ attribute: 'objectClass' });
    let exact: ((e: Entry) => boolean) | undefined;
    let withMembers = query.withMembers;
    if (query.filter) {
      const isReference = (f: string): boolean => shape.references.some((s) => s.field === f);
      const refs = referencedIds(query.filter, { isReference });
      const needed = [...refs.members, ...[...refs.references.values()].flat()];
      const dns = needed.length > 0 ? await this.dir.dnsForIds(this.k.all, needed) : new Map<string, Resolved>();
      filter = toLdapFilter(query.filter, {
        attribute: (field) => (shape.plain.some((s) => s.field === field) || isReference(field) ? field : undefined),
        special: (field, op, value) => (field === shape.activeField?.field ? shape.active?.filter(op, value) : undefined),
        idAttribute: this.dir.profile.idAttribute,
        idValue: (v) => this.dir.idValue(v),
        ...(this.k.membership ? { memberAttribute: this.k.membership.attribute } : {}),
        ...(this.k.membership?.placeholder !== undefined ? { memberPlaceholderDn: this.k.membership.placeholder } : {}),
        memberDn: (v) => dns.get(v)?.dn,
        referenceDn: (_f, v) => dns.get(v)?.dn,
        isReference,
        superset: true,
      });
      // LDAP was asked for a superset of the string matches (filter.ts): keep the entries SCIM's own
      // comparison accepts, so "padded" does not find "  padded  " and `title gt "x"` works on any attribute.
      if (comparesStrings(query.filter, (f) => shape.plain.some((s) => s.field === f))) {
        const scim = byDn(query.filter, (id) => dns.get(id)?.dn, isReference);
        const needsMembers = refs.members.length > 0 || usesMembers(query.filter);
        withMembers ||= needsMembers && this.k.membership !== undefined;
        exact = (e) => evaluateFilter(scim, this.#view(e, needsMembers));
      }
    }
    // Stream and skip: one page of entries in memory at a time however large the directory (simple paged
    // results are forward-only, so startIndex is reached by counting). Entries outside the slice are only counted.
    const start = query.startIndex - 1;
    const end = start + query.count;
    let slice: Entry[] = [];
    let total = 0;
    const uniquePath = shape.kind === 'user' ? 'userName' : 'displayName';
    const selective = query.filter !== undefined && isSelective(query.filter, (f) => shape.plain.some((p) => p.field === f && p.scimPath === uniquePath));
    if (exact || selective) {
      // SCIM re-checks each entry, so every entry is read in full; a selective filter matches a handful.
      await this.dir.stream(this.k.container, filter, this.#attributes(withMembers), `search ${shape.kind}s`, (e) => {
        if (exact && !exact(e)) return;
        if (total >= start && total < end) slice.push(e);
        total++;
      }, { selective });
    } else {
      // Count with DNs only (most of the cost of a deep page was reading entries it skips), then read the slice.
      const dns: string[] = [];
      await this.dir.stream(this.k.container, filter, ['1.1'], `search ${shape.kind}s`, (e) => {
        if (total >= start && total < end) dns.push(e.dn);
        total++;
      }, { selective });
      if (dns.length > 0) slice = await this.dir.byDns(this.k.container, dns, this.#attributes(withMembers));
    }
    return { totalResults: total, records: await this.#records(slice, query.withMembers) };
  }

  /**
   * An entry as a filter re-check sees it (no searches): fields as read, except that references and members
   * are normalized DNs, which byDn() compares them with.
   */
  #view(e: Entry, withMembers: boolean): NativeRecord {
    const { shape } = this.k;
    const fields: Record<string, NativeScalar> = plainFields(shape, e);
    for (const spec of shape.references) {
      const dn = firstValue(e, spec.field);
      if (dn !== undefined) fields[spec.field] = safeNormalizeDn(dn);
    }
    if (shape.activeField && shape.active) {
      const active = shape.active.read(e, this.#inDisabled(e.dn));
      if (active !== undefined) fields[shape.activeField.field] = active;
    }
    const members = withMembers && this.k.membership ? allValues(e, this.k.membership.attribute).filter((d) => !this.k.membership?.isPlaceholder(d)) : [];
    return { id: this.dir.idOf(e) ?? '', fields, meta: metaOf(e, this.k.versionAttribute), members: members.map((d) => ({ value: safeNormalizeDn(d) })) };
  }

  async #memberDns(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await this.dir.dnsForIds(this.k.all, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new ConnectorError('invalid', `member ${JSON.stringify(missing[0])} does not exist`, { attribute: 'members' });
    // A value twice in one add is 20 "provided more than once", not "already a member": send each once.
    return [...new Set(ids.map((id) => (found.get(id) as Resolved).dn))];
  }

  async #referenceDn(field: string, id: string): Promise<string> {
    const found = await this.dir.dnsForIds([this.k.users], [id]);
    const dn = found.get(id)?.dn;
    if (!dn) throw new ConnectorError('invalid', `${field} ${JSON.stringify(id)} does not exist`, { attribute: field });
    return dn;
  }

  async create(input: NewResource): Promise<NativeRecord> {
    const { shape } = this.k;
    const attrs = newEntryAttributes(shape, input.fields);
    for (const spec of shape.references) {
      const v = input.fields[spec.field];
      if (typeof v === 'string' && v !== '') attrs[spec.field] = [await this.#referenceDn(spec.field, v)];
    }
    const active = shape.activeField ? (input.fields[shape.activeField.field] as boolean | undefined) : undefined;
    if (shape.active) Object.assign(attrs, shape.active.create(active));
    if (this.k.membership) {
      const dns = await this.#memberDns(input.members ?? []);
      const values = dns.length > 0 ? dns : this.k.membership.placeholder !== undefined ? [this.k.membership.placeholder] : [];
      if (values.length > 0) attrs[this.k.membership.attribute] = values;
    }
    attrs['objectClass'] = [...this.k.objectClasses];
    const rdnValue = (attrs[shape.rdnAttribute] ?? attrs[Object.keys(attrs).find((a) => a.toLowerCase() === shape.rdnAttribute.toLowerCase()) ?? ''])?.[0] ?? '';
    const dn = buildDn(shape.rdnAttribute, rdnValue, this.k.createBase(active));
    try {
      await this.dir.session.run(`add ${dn}`, (c: Client) => c.add(dn, attrs), { idempotent: false });
    } catch (err) {
      // 68 names the DN; the SCIM client needs the attribute it sent (userName, or a group's displayName).
      if (err instanceof ConnectorError && err.kind === 'conflict') {
        const scimName = shape.plain.find((p) => p.field.toLowerCase() === shape.rdnAttribute.toLowerCase())?.scimPath ?? shape.rdnAttribute;
        throw new ConnectorError('conflict', `a ${shape.kind} with ${scimName} ${JSON.stringify(rdnValue)} already exists`, { cause: err, attribute: scimName });
      }
      throw err;
    }
    const created = await this.dir.byDn(dn, this.#attributes(true));
    if (!created) throw new ConnectorError('internal', `${dn} was added but cannot be read back`);
    return (await this.#records([created], this.k.membership !== undefined))[0] as NativeRecord;
  }

  async modify(id: string, change: ResourceChange, ctx?: OpContext): Promise<NativeRecord> {
    const read = ctx ? this.#recent.take(id, ctx.requestId) : undefined;
    if (read) {
      try {
        return await this.#modify(id, change, read);
      } catch (err) {
        // Renamed or moved by someone else since this request read it: look it up again.
        if (!(err instanceof ConnectorError && err.kind === 'not-found')) throw err;
      }
    }
    const current = await this.#entry(id, false);
    if (!current) throw new ConnectorError('not-found', `${this.k.shape.kind} ${JSON.stringify(id)} not found`);
    return this.#modify(id, change, current);
  }

  async #modify(id: string, change: ResourceChange, current: Entry): Promise<NativeRecord> {
    const { shape } = this.k;
    // Members are resolved before anything is written: an unknown member is a 400 that must change nothing.
    const removeDns = this.k.membership ? await this.#memberDnsLenient(change.removeMembers ?? []) : [];
    const addDns = this.k.membership ? await this.#memberDns(change.addMembers ?? []) : [];
    let dn = current.dn;
    const changes: Change[] = [];
    const after = new Map<string, string | undefined>();
    for (const c of change.fields) {
      if (c.field === shape.activeField?.field) {
        const active = c.op === 'set' ? (c.value as boolean) : undefined;
        if (shape.active) changes.push(...shape.active.changes(active, current));
        continue;
      }
      const ref = shape.references.find((s) => s.field === c.field);
      if (ref) {
        changes.push(replace(c.field, c.op === 'set' ? [await this.#referenceDn(c.field, String(c.value))] : []));
        continue;
      }
      const spec = shape.plain.find((s) => s.field === c.field);
      if (!spec) continue;
      const value = c.op === 'set' ? toLdap(spec, c.value) : undefined;
      after.set(c.field.toLowerCase(), value);
      if (c.field.toLowerCase() !== shape.rdnAttribute.toLowerCase()) changes.push(replace(c.field, value === undefined ? [] : [value]));
    }
    // Required attributes the change empties get their fallback (sn from uid, cn from displayName…), and a
    // mapped one that holds its fallback follows its source (a rename moves sn along with uid), so it keeps
    // reading as unset (records.ts) instead of turning into a stale value nobody sent. Unmapped ones (AD's
    // sAMAccountName) are left alone, and the RDN is renamed, never replaced.
    const valueAfter = (a: string): string | undefined => (after.has(a.toLowerCase()) ? after.get(a.toLowerCase()) : firstValue(current, a));
    for (const [attr, fb] of Object.entries(shape.fallbacks)) {
      const key = attr.toLowerCase();
      const emptied = after.has(key) && after.get(key) === undefined;
      const mapped = shape.plain.some((s) => s.field.toLowerCase() === key);
      const follows = mapped && !after.has(key) && key !== shape.rdnAttribute.toLowerCase() && holdsFallback(shape, current, attr);
      if (!emptied && !follows) continue;
      const v = fallbackValue(fb, valueAfter);
      if (v !== undefined && (emptied || v !== firstValue(current, attr))) changes.push(replace(attr, [v]));
    }
    // A new RDN value (userName → uid, displayName → cn) is a rename: modifyDN first, then the rest.
    const rdn = rdnOf(dn);
    const newRdnValue = after.has(shape.rdnAttribute.toLowerCase()) ? after.get(shape.rdnAttribute.toLowerCase()) : undefined;
    const active = shape.activeField ? change.fields.find((c) => c.field === shape.activeField?.field) : undefined;
    const newParent = shape.active?.disabledBaseDN && active ? this.k.createBase(active.op === 'set' ? (active.value as boolean) : undefined) : parentOf(dn);
    const renamed = (newRdnValue !== undefined && normalizeDn(buildDn(rdn.type, newRdnValue, '')) !== normalizeDn(buildDn(rdn.type, rdn.value, ''))) || normalizeDn(newParent) !== normalizeDn(parentOf(dn));
    if (after.has(shape.rdnAttribute.toLowerCase()) && newRdnValue === undefined) {
      throw new ConnectorError('invalid', `${shape.rdnAttribute} names the entry and cannot be removed`, { attribute: shape.rdnAttribute });
    }
    if (renamed) {
      const newDn = buildDn(rdn.type, newRdnValue ?? rdn.value, newParent);
      await this.dir.session.run(`rename ${dn}`, (c: Client) => c.modifyDN(dn, newDn), { idempotent: false });
      if (this.k.gatewayIntegrity) await this.#followRename(dn, newDn);
      dn = newDn;
    }
    if (changes.length > 0) await this.dir.session.run(`modify ${dn}`, (c: Client) => c.modify(dn, changes), { idempotent: true });
    if (this.k.membership) {
      await this.k.membership.remove(dn, removeDns);
      await this.k.membership.add(dn, addDns);
    }
    const updated = await this.#entry(id, false);
    if (!updated) throw new ConnectorError('not-found', `${shape.kind} ${JSON.stringify(id)} not found`);
    return (await this.#records([updated], false))[0] as NativeRecord;
  }

  async changeMembers(id: string, change: { readonly add: readonly string[]; readonly remove: readonly string[] }): Promise<void> {
    const membership = this.k.membership;
    if (!membership) throw new ConnectorError('invalid', `${this.k.shape.kind}s have no members`, { attribute: 'members' });
    // Only the DN is needed: the id attribute is the cheapest thing to ask for.
    const group = await this.dir.byId(this.k.container, id, [this.dir.profile.idAttribute]);
    if (!group) throw new ConnectorError('not-found', `${this.k.shape.kind} ${JSON.stringify(id)} not found`);
    const removeDns = await this.#memberDnsLenient(change.remove);
    const addDns = await this.#memberDns(change.add);
    await membership.remove(group.dn, removeDns);
    await membership.add(group.dn, addDns);
  }

  /** Removing a member that no longer exists is a no-op, not an error. */
  async #memberDnsLenient(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const found = await this.dir.dnsForIds(this.k.all, ids);
    return ids.flatMap((id) => found.get(id)?.dn ?? []);
  }

  async #followRename(oldDn: string, newDn: string): Promise<void> {
    if (this.k.groups && this.k.integrity) await this.k.integrity.renameEverywhere(this.k.groups, oldDn, newDn);
    for (const attr of this.k.referenceAttributes) {
      for (const e of await this.dir.referencing(this.k.users, attr, oldDn)) {
        await this.dir.session.run(`update ${attr} of ${e.dn}`, (c: Client) => c.modify(e.dn, [replace(attr, [newDn])]), { idempotent: true });
      }
    }
  }

  async delete(id: string): Promise<void> {
    const { shape } = this.k;
    this.#recent.forget(id);
    const current = await this.#entry(id, false);
    if (!current) throw new ConnectorError('not-found', `${shape.kind} ${JSON.stringify(id)} not found`);
    if (this.k.gatewayIntegrity) {
      if (this.k.groups && this.k.integrity) await this.k.integrity.removeEverywhere(this.k.groups, current.dn);
      for (const attr of this.k.referenceAttributes) {
        for (const e of await this.dir.referencing(this.k.users, attr, current.dn)) {
          await this.dir.session.run(`clear ${attr} of ${e.dn}`, (c: Client) => c.modify(e.dn, [replace(attr, [])]), { idempotent: true });
        }
      }
    }
    await this.dir.session.run(`delete ${current.dn}`, (c: Client) => c.del(current.dn), { idempotent: false });
    // The server's referential integrity may now put its placeholder into groups this entry emptied.
    if (!this.k.gatewayIntegrity) this.k.integrity?.forget();
  }
}

function safeNormalizeDn(dn: string): string {
  try {
    return normalizeDn(dn);
  } catch {
    return dn.toLowerCase();
  }
}

/** A DN no entry has: what an unresolvable id compares as. */
const NO_DN = '\0no such entry';

/** The filter with member and reference ids replaced by the normalized DNs they resolve to, for #view(). */
function byDn(f: NativeFilter, dnOf: (id: string) => string | undefined, isReference: (field: string) => boolean): NativeFilter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { op: f.op, filters: f.filters.map((g) => byDn(g, dnOf, isReference)) };
    case 'not':
      return { op: 'not', filter: byDn(f.filter, dnOf, isReference) };
    case 'pr':
    case 'true':
    case 'false':
      return f;
    default: {
      if (f.target.kind === 'id' || f.target.kind === 'meta') return f;
      if (f.target.kind === 'field' && !isReference(f.target.field)) return f;
      const dn = dnOf(String(f.value));
      return { ...f, value: dn === undefined ? NO_DN : safeNormalizeDn(dn) };
    }
  }
}
