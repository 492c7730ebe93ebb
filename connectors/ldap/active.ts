/**
 * Where SCIM `active` lives in the directory: one strategy per config (research notes A3), read back from
 * the same place so the value round-trips. Disabled users stay readable in every strategy.
 */
import { Attribute, Change, EqualityFilter, ExtensibleFilter, NotFilter, PresenceFilter, type Entry, type Filter } from 'ldapts';
import { ConnectorError, type CompareOp, type NativeScalar } from '../types.js';
import type { ActiveStrategy } from './config.js';
import { uacDisabled, withDisabled } from './values.js';

/** ppolicy's administrative lock: a lock time in the year 0, which slapo-ppolicy(5) reserves for it. */
export const ADMIN_LOCK = '000001010000Z';
const UAC = 'userAccountControl';
/** LDAP_MATCHING_RULE_BIT_AND: AD's rule for testing bits of userAccountControl in a filter. */
const BIT_AND = '1.2.840.113556.1.4.803';
/** NORMAL_ACCOUNT. */
const UAC_NORMAL = 0x200;

export interface ActiveStore {
  /** Attributes to request when reading entries (operational ones are not returned unless asked for). */
  readonly attributes: readonly string[];
  /** `undefined` when the strategy stores nothing. */
  read(entry: Entry, dnParentIsDisabled: boolean): boolean | undefined;
  /** Attributes of a new entry. */
  create(active: boolean | undefined): Record<string, string[]>;
  /** Changes to an existing entry; `current` is the entry as read. */
  changes(active: boolean | undefined, current: Entry): Change[];
  filter(op: CompareOp | 'pr', value: NativeScalar | undefined): Filter | undefined;
  /** move-to-ou: the container an entry with this `active` belongs in. */
  readonly disabledBaseDN?: string;
}

function first(entry: Entry, attr: string): string | undefined {
  const v = entry[attr];
  const one = Array.isArray(v) ? v[0] : v;
  return typeof one === 'string' ? one : one instanceof Buffer ? one.toString('utf8') : undefined;
}

const replace = (attr: string, values: string[]): Change =>
  new Change({ operation: 'replace', modification: new Attribute({ type: attr, values }) });

/** `active eq true` → isDisabled negated, and so on; only eq/ne/pr make sense for a boolean. */
function booleanFilter(op: CompareOp | 'pr', value: NativeScalar | undefined, disabled: Filter): Filter | undefined {
  if (op === 'pr') return new PresenceFilter({ attribute: 'objectClass' }); // every user is either active or not
  if (op !== 'eq' && op !== 'ne') throw new ConnectorError('invalid', `"${op}" cannot compare the boolean active`, { attribute: 'active' });
  const wantsDisabled = (value === false) === (op === 'eq');
  return wantsDisabled ? disabled : new NotFilter({ filter: disabled });
}

export function activeStore(strategy: ActiveStrategy): ActiveStore | undefined {
  switch (strategy.strategy) {
    case 'none':
      return undefined;
    case 'ppolicy-lock': {
      const A = 'pwdAccountLockedTime';
      const locked = new EqualityFilter({ attribute: A, value: ADMIN_LOCK });
      return {
        attributes: [A],
        // Only the administrative lock means "disabled"; a temporary lockout after failed binds does not.
        read: (e) => first(e, A) !== ADMIN_LOCK,
        create: (active): Record<string, string[]> => (active === false ? { [A]: [ADMIN_LOCK] } : {}),
        changes: (active) => [replace(A, active === false ? [ADMIN_LOCK] : [])],
        filter: (op, v) => booleanFilter(op, v, locked),
      };
    }
    case 'attribute': {
      const { attribute: A, disabledValue, enabledValue } = strategy;
      const enabled = enabledValue === undefined ? [] : [enabledValue];
      return {
        attributes: [A],
        read: (e) => first(e, A) !== disabledValue,
        create: (active): Record<string, string[]> => (active === false ? { [A]: [disabledValue] } : enabled.length > 0 ? { [A]: enabled } : {}),
        changes: (active) => [replace(A, active === false ? [disabledValue] : enabled)],
        filter: (op, v) => booleanFilter(op, v, new EqualityFilter({ attribute: A, value: disabledValue })),
      };
    }
    case 'ad-user-account-control':
      return {
        attributes: [UAC],
        read: (e) => !uacDisabled(Number(first(e, UAC) ?? UAC_NORMAL)),
        // A new AD account without a password can only be created disabled unless the domain policy allows
        // empty passwords; Entra sends active=true, and the admin's policy decides (53 → 400 naming it).
        create: (active) => ({ [UAC]: [String(withDisabled(UAC_NORMAL, active === false))] }),
        changes: (active, current) => [replace(UAC, [String(withDisabled(Number(first(current, UAC) ?? UAC_NORMAL), active === false))])],
        filter: (op, v) => booleanFilter(op, v, new ExtensibleFilter({ matchType: UAC, rule: BIT_AND, value: '2' })),
      };
    case 'move-to-ou':
      return {
        attributes: [],
        read: (_e, inDisabled) => !inDisabled,
        create: () => ({}),
        changes: () => [],
        filter: () => {
          throw new ConnectorError('invalid', 'filtering on active is not supported when disabled users are moved to another OU', { attribute: 'active' });
        },
        disabledBaseDN: strategy.disabledBaseDN,
      };
  }
}
