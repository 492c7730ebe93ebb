/**
 * Gating for every LDAP test file: `describeLdap('…', () => { … })` instead of `describe`.
 *
 * - slapd available (test/support/slapd.ts, slapdAvailable()): a plain describe().
 * - missing, SCIMBRIDGE_REQUIRE_LDAP=1 (set by .ci/run): the suite FAILS with the install hint.
 * - missing otherwise: describe.skip(), and the run prints the hint once.
 *
 * "Once": vitest runs each test file in its own forked worker, so a module-level flag would print once per
 * file. Instead each skipping worker drops a marker file into a directory that the globalSetup
 * (test/support/ldap-global-setup.ts) provides; the globalSetup's teardown, in the main process, prints the
 * line once after the run if any marker exists. A run that selects no LDAP file prints nothing. Without that
 * globalSetup (another config), each skipping worker prints the line itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, inject, it } from 'vitest';
import { ldapRequiredMessage, ldapSkipMessage, slapdMissing } from './slapd.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** Directory for "an LDAP suite was skipped" markers (test/support/ldap-global-setup.ts). */
    ldapSkipMarkerDir: string;
  }
}

export { ldapRequiredMessage, ldapSkipMessage };

let noted = false;
function noteSkipped(): void {
  if (noted) return;
  noted = true;
  let dir: string | undefined;
  try {
    dir = inject('ldapSkipMarkerDir');
  } catch {
    dir = undefined;
  }
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${process.pid}-${Math.random().toString(36).slice(2)}`), '');
  } else {
    console.warn(ldapSkipMessage());
  }
}

export const describeLdap: (name: string, fn: () => void) => void = (name, fn) => {
  const missing = slapdMissing();
  if (missing.length === 0) {
    describe(name, fn);
  } else if (process.env.SCIMBRIDGE_REQUIRE_LDAP === '1') {
    describe(name, () => {
      it('has slapd and ldap-utils installed', () => {
        throw new Error(ldapRequiredMessage(missing));
      });
    });
  } else {
    noteSkipped();
    describe.skip(name, fn);
  }
};
