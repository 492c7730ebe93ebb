/**
 * The connector contract suite: every connector runs the same cases through the Connector interface
 * (hono's `runTest({ skip })`, unstorage's `testDriver()`, dex's `conformance.RunTests`). Usage, in
 * test/contract/<name>.contract.test.ts:
 *
 *   describeConnectorContract({
 *     name: 'ldap',
 *     mapping: contractMappingFor(ldapConnector.defaultMapping),   // optional: the connector's own field names
 *     setup: async (fields) => { …start a connector on a fresh, empty backend…; return { connector, teardown } },
 *     skip: [{ reason: 'the directory cannot store …', tests: ['users: …'] }],
 *   });
 *
 * Every connector is tested on the same SCIM attributes (CONTRACT_MAPPING), compiled by the core exactly
 * as a YAML `mapping:` block is, so the fields handed to `setup` are what the connector gets in production.
 * Cases find fields by SCIM path and never name a native field. Skips always carry a reason: the ones in
 * `skip` are listed with it in the test name; the ones that follow from `capabilities` (groups, sort,
 * filterOperators) are derived at run time and reported through vitest's `ctx.skip(reason)`.
 *
 * A backend with no place for some contract attributes (a firewall has no title) declares them in `unstored`
 * with the reason: its mapping leaves them out, cases write and expect records without them, and a case that
 * depends on one (filters or modifies it, reads it back) is skipped at run time with that reason. Values a
 * backend always reads back (a firewall account is enabled or disabled, never neither) go in `implied`.
 */
import { describe, it } from 'vitest';
import type { Connector, MappedFields, MappingConfig } from '../../connectors/types.js';
import { compileMapping } from '../../src/core/connectors.js';
import { toFieldSpec } from '../../src/core/mapping/compile.js';
import { concurrencyCases, errorCases } from './cases/concurrency.js';
import {
  CaseContext,
  GROUP_ATTRS,
  missingCapability,
  UnstoredAttribute,
  USER_ATTRS,
  type ContractCase,
  type ContractFields,
  type GroupAttr,
  type UserAttr,
  type UserValues,
} from './cases/context.js';
import { filterCases } from './cases/filters.js';
import { groupCases } from './cases/groups.js';
import { hostileCases } from './cases/hostile.js';
import { pagingCases } from './cases/paging.js';
import { userCases } from './cases/users.js';

export { HOSTILE_USERNAMES } from './cases/hostile.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * The SCIM attributes every connector is tested on, as a YAML mapping would write them. The field names
 * are deliberately unlike the SCIM names, so a connector that guesses fields from SCIM paths fails.
 */
export const CONTRACT_MAPPING: MappingConfig = {
  user: {
    userName: 'login',
    externalId: 'extId',
    active: 'enabled',
    displayName: 'fullName',
    'name.givenName': 'firstName',
    'name.familyName': 'lastName',
    'emails[type eq "work"].value': 'mailWork',
    title: 'jobTitle',
    [`${ENTERPRISE}:department`]: 'dept',
    [`${ENTERPRISE}:manager`]: 'managerId',
  },
  group: {
    displayName: 'groupName',
    externalId: 'groupExtId',
  },
};

export interface ContractOptions {
  name: string;
  /** A fresh, empty backend per test (json-file: a temp dir), started. The suite passes the mapped fields it wants (MappedFields) so every connector is tested on the same SCIM attributes. */
  setup(fields: MappedFields): Promise<{ connector: Connector; teardown(): Promise<void> }>;
  /** Every skip states why. `tests` holds case names, or a section (`groups`, `sort`, …) for all its cases. */
  skip?: ReadonlyArray<{ reason: string; tests: readonly string[] }>;
  /**
   * The same SCIM attributes as CONTRACT_MAPPING under this connector's own field names (an LDAP
   * connector maps userName to `uid`). It must map exactly the contract's attributes; see contractMappingFor.
   */
  mapping?: MappingConfig;
  /**
   * Contract attributes the backend has no place for (a firewall has no title or department), with why. The
   * mapping leaves them out; cases write and expect records without them (as asStored does in the HTTP
   * suites), and a case that filters, sorts, modifies or reads one of them is skipped with this reason.
   */
  unstored?: { readonly reason: string; readonly user?: readonly UserAttr[]; readonly group?: readonly GroupAttr[] };
  /**
   * Values the backend always reads back even when never written (a firewall account's status is enabled or
   * disabled, never absent), with why: cases that leave them out write them, so expectations match.
   */
  implied?: { readonly reason: string; readonly user: Partial<UserValues> };
  /**
   * Hostile userNames (HOSTILE_USERNAMES) the backend cannot hold, with why: the hostile cases check that
   * each is refused as 'invalid' and run on the others.
   */
  refusedNames?: { readonly reason: string; readonly userNames: readonly string[] };
}

/** Every case, in the order they run. */
export const CONTRACT_CASES: readonly ContractCase[] = [
  ...userCases,
  ...filterCases,
  ...pagingCases,
  ...hostileCases,
  ...groupCases,
  ...errorCases,
  ...concurrencyCases,
];

const sectionOf = (name: string): string => name.slice(0, name.indexOf(':'));

/** Compile a mapping with the core and find the contract's attributes in it by SCIM path. */
export function contractFields(
  mapping: MappingConfig = CONTRACT_MAPPING,
  unstored?: ContractOptions['unstored'],
  implied?: ContractOptions['implied'],
): ContractFields {
  const compiled = compileMapping(mapping);
  if (compiled.issues.length > 0) {
    throw new Error(`the contract mapping does not compile: ${compiled.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const mapped: MappedFields = { user: compiled.slots.User.map(toFieldSpec), group: compiled.slots.Group.map(toFieldSpec) };
  const pick = <K extends string>(kind: 'user' | 'group', attrs: Readonly<Record<K, string>>, missing: ReadonlySet<K>) => {
    const specs = mapped[kind];
    const wanted = new Set(Object.values<string>(attrs));
    const extra = specs.filter((s) => !wanted.has(s.scimPath)).map((s) => s.scimPath);
    if (extra.length > 0) throw new Error(`the contract mapping (${kind}) maps attributes the suite does not test: ${extra.join(', ')}`);
    const out = {} as Record<K, (typeof specs)[number]>;
    for (const [attr, scimPath] of Object.entries<string>(attrs) as [K, string][]) {
      const spec = specs.find((s) => s.scimPath === scimPath);
      if (missing.has(attr)) {
        if (spec) throw new Error(`the contract mapping (${kind}) maps ${scimPath}, which \`unstored\` says the backend cannot store`);
        Object.defineProperty(out, attr, {
          enumerable: true,
          get: () => {
            throw new UnstoredAttribute(scimPath, unstored?.reason ?? '');
          },
        });
        continue;
      }
      if (!spec) throw new Error(`the contract mapping (${kind}) does not map ${scimPath}`);
      out[attr] = spec;
    }
    return out;
  };
  const none = { user: new Set<UserAttr>(unstored?.user), group: new Set<GroupAttr>(unstored?.group) };
  return {
    mapped,
    user: pick<UserAttr>('user', USER_ATTRS, none.user),
    group: pick<GroupAttr>('group', GROUP_ATTRS, none.group),
    ...(unstored ? { unstored: { reason: unstored.reason, ...none } } : {}),
    ...(implied ? { implied: implied.user } : {}),
  };
}

/**
 * The contract's attributes under the field names a connector's own (default) mapping gives them: for
 * `mapping` options that test the connector with the field names it uses in production.
 */
export function contractMappingFor(own: MappingConfig): MappingConfig {
  const compiled = compileMapping(own);
  const rename = (kind: 'user' | 'group', slots: typeof compiled.slots.User, attrs: Readonly<Record<string, string>>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const scimPath of Object.values(attrs)) {
      const slot = slots.find((s) => s.scimPath === scimPath);
      if (!slot) throw new Error(`the connector's mapping (${kind}) does not map ${scimPath}, which the contract tests`);
      out[scimPath] = slot.field;
    }
    return out;
  };
  return { user: rename('user', compiled.slots.User, USER_ATTRS), group: rename('group', compiled.slots.Group, GROUP_ATTRS) };
}

/** name → reason; throws on a skip entry that names no case or section (a typo would skip nothing). */
function skipReasons(skip: ContractOptions['skip'] = []): Map<string, string> {
  const reasons = new Map<string, string>();
  const names = new Set(CONTRACT_CASES.map((c) => c.name));
  const sections = new Set(CONTRACT_CASES.map((c) => sectionOf(c.name)));
  for (const { reason, tests } of skip) {
    if (reason.trim() === '') throw new Error(`contract skip of ${tests.join(', ')} has no reason`);
    for (const name of tests) {
      if (names.has(name)) {
        reasons.set(name, reason);
      } else if (sections.has(name)) {
        for (const c of CONTRACT_CASES) if (sectionOf(c.name) === name) reasons.set(c.name, reason);
      } else {
        throw new Error(`contract skip names "${name}", which is neither a case nor a section of the contract suite`);
      }
    }
  }
  return reasons;
}

export function describeConnectorContract(opts: ContractOptions): void {
  const fields = { ...contractFields(opts.mapping ?? CONTRACT_MAPPING, opts.unstored, opts.implied), ...(opts.refusedNames ? { refusedNames: opts.refusedNames } : {}) };
  const reasons = skipReasons(opts.skip);
  describe(`connector contract: ${opts.name}`, () => {
    let n = 0;
    for (const c of CONTRACT_CASES) {
      const reason = reasons.get(c.name);
      const title = reason === undefined ? c.name : `${c.name} — skipped: ${reason}`;
      it.skipIf(reason !== undefined)(
        title,
        async (vitest) => {
          const backend = await opts.setup(fields.mapped);
          const abort = new AbortController();
          try {
            const missing = missingCapability(backend.connector, c.needs);
            if (missing !== undefined) vitest.skip(missing);
            try {
              await c.run(new CaseContext(backend.connector, fields, `contract-${opts.name}-${++n}`, abort.signal));
            } catch (err) {
              // The case depends on an attribute this backend cannot store (ContractOptions.unstored).
              if (err instanceof UnstoredAttribute) vitest.skip(`it needs ${err.attribute}: ${err.reason}`);
              throw err;
            }
          } finally {
            abort.abort();
            await backend.teardown();
          }
        },
        c.timeoutMs,
      );
    }
  });
}
