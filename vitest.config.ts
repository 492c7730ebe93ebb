import { configDefaults, defineConfig } from 'vitest/config';
import { slapdAvailable } from './test/support/slapd.js';

/**
 * Five projects, run together by `npm test` / `npx vitest run` (one of them with `--project <name>`):
 * - `default`: every test, the HTTP suites on the json-file backend.
 * - `http-on-ldap`: the HTTP suites (test/http/**, the Entra replays included) again, on the LDAP connector
 *   and a throwaway slapd per test file (SCIMBRIDGE_TEST_BACKEND=ldap; test/support/build-app.ts and
 *   backend.ts). Without slapd it shrinks to its gate file, a describeLdap suite: skipped with the one
 *   "LDAP suites skipped" line, or failing under SCIMBRIDGE_REQUIRE_LDAP=1, like every other LDAP suite.
 * - `http-on-fortios`: the HTTP suites again, on the firewall-rest connector's FortiOS profile and an
 *   in-process fake FortiOS per gateway (SCIMBRIDGE_TEST_BACKEND=fortios), plus the FortiOS behaviour tests
 *   that need a gateway on that backend (test/fortios/**).
 * - `http-on-panos`: the HTTP suites again, on the firewall-rest connector's PAN-OS profile and an in-process
 *   fake PAN-OS XML API per gateway, commit mode `applied` (SCIMBRIDGE_TEST_BACKEND=panos).
 * - `http-on-pfsense`: the HTTP suites again, on the firewall-rest connector's generic profile configured by the
 *   shipped pfSense example and an in-process fake pfSense per gateway (SCIMBRIDGE_TEST_BACKEND=pfsense).
 */
const shared = { testTimeout: 20_000, hookTimeout: 30_000, pool: 'forks' } as const;
const HTTP_TESTS = 'test/http/**/*.test.ts';
const LDAP_GATE = 'test/support/http-on-ldap.gate.ts';
/** Behaviour tests through HTTP that only make sense on the FortiOS backend (they drive the fake firewall). */
const FORTIOS_TESTS = 'test/fortios/**/*.test.ts';

export default defineConfig({
  test: {
    // Root only, and the projects do not extend the root config: it runs once per run, not once per project,
    // and its marker directory reaches both projects (a project inherits the root's provided context). It
    // prints the "LDAP suites skipped" line once (test/support/ldap-suite.ts).
    globalSetup: ['test/support/ldap-global-setup.ts'],
    projects: [
      { test: { ...shared, name: 'default', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, FORTIOS_TESTS], env: { SCIMBRIDGE_TEST_BACKEND: 'json-file' } } },
      { test: { ...shared, name: 'http-on-fortios', include: [HTTP_TESTS, FORTIOS_TESTS], env: { SCIMBRIDGE_TEST_BACKEND: 'fortios' } } },
      { test: { ...shared, name: 'http-on-panos', include: [HTTP_TESTS], env: { SCIMBRIDGE_TEST_BACKEND: 'panos' } } },
      { test: { ...shared, name: 'http-on-pfsense', include: [HTTP_TESTS], env: { SCIMBRIDGE_TEST_BACKEND: 'pfsense' } } },
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
