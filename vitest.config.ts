import { defineConfig } from 'vitest/config';
import { slapdAvailable } from './test/support/slapd.js';

/**
 * Two projects, run together by `npm test` / `npx vitest run` (one of them with `--project <name>`):
 * - `default`: every test, the HTTP suites on the json-file backend.
 * - `http-on-ldap`: the HTTP suites (test/http/**, the Entra replays included) again, on the LDAP connector
 *   and a throwaway slapd per test file (SCIMBRIDGE_TEST_BACKEND=ldap; test/support/build-app.ts and
 *   backend.ts). Without slapd it shrinks to its gate file, a describeLdap suite: skipped with the one
 *   "LDAP suites skipped" line, or failing under SCIMBRIDGE_REQUIRE_LDAP=1, like every other LDAP suite.
 */
const shared = { testTimeout: 20_000, hookTimeout: 30_000, pool: 'forks' } as const;
const HTTP_TESTS = 'test/http/**/*.test.ts';
const LDAP_GATE = 'test/support/http-on-ldap.gate.ts';

export default defineConfig({
  test: {
    // Root only, and the projects do not extend the root config: it runs once per run, not once per project,
    // and its marker directory reaches both projects (a project inherits the root's provided context). It
    // prints the "LDAP suites skipped" line once (test/support/ldap-suite.ts).
    globalSetup: ['test/support/ldap-global-setup.ts'],
    projects: [
      { test: { ...shared, name: 'default', include: ['test/**/*.test.ts'], env: { SCIMBRIDGE_TEST_BACKEND: 'json-file' } } },
      {
        test: {
          ...shared,
          name: 'http-on-ldap',
          include: [LDAP_GATE, ...(slapdAvailable() ? [HTTP_TESTS] : [])],
          env: { SCIMBRIDGE_TEST_BACKEND: 'ldap' },
        },
      },
    ],
  },
});
