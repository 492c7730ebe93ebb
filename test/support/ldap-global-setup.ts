/**
 * vitest globalSetup (main process, once per run): gives LDAP test workers a directory for "skipped" markers
 * and prints the skip line once at the end of the run if any LDAP suite was skipped (test/support/ldap-suite.ts).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ldapSkipMessage } from './slapd.js';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'scimbridge-ldap-skip-'));
  project.provide('ldapSkipMarkerDir', dir);
  return () => {
    let skipped = false;
    try {
      skipped = readdirSync(dir).length > 0;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (skipped) console.log(ldapSkipMessage());
  };
}
