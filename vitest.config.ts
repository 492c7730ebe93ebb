import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Prints the "LDAP suites skipped" line once per run (test/support/ldap-suite.ts).
    globalSetup: ['test/support/ldap-global-setup.ts'],
  },
});
