/**
 * The shipped LDAP example configs (config/examples/openldap, config/examples/active-directory). That every
 * file under config/ loads without a problem is test/cli/examples.test.ts's job; here: what the LDAP
 * connector makes of them (the merged mapping, the options), and the OpenLDAP example running as shipped
 * against the throwaway slapd, whose suffix, service account and OUs are the example's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../../connectors/index.js';
import type { LdapConfig } from '../../connectors/ldap/config.js';
import type { LoadedConfig } from '../../src/config/index.js';
import { startConnector } from '../../src/core/connectors.js';
import { createApp } from '../../src/http/app.js';
import { hashToken } from '../../src/http/auth.js';
import { DEFAULT_LIMITS } from '../../src/core/runtime.js';
import { silentLogger } from '../../src/log.js';
import { loadGatewayConfig } from '../../src/server.js';
import { repoRoot } from '../support/durable-transpile.js';
import { adminClient, entryAt, values } from '../support/ldap-gateway.js';
import { describeLdap } from '../support/ldap-suite.js';
import { createUser, scimClient } from '../support/scim-client.js';
import { startSlapd, type Slapd } from '../support/slapd.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TOKEN = 'example-token-0123456789abcdefghijklmnop';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'scimbridge-ldap-config-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Loads config/examples/<name>/gateway.yaml with its variables set (dummies unless given). */
async function loadExample(name: string, env: Record<string, string> = {}): Promise<LoadedConfig> {
  const file = (n: string) => join(scratch, `${name}-${n}`);
  await Promise.all(['cert', 'key', 'ca'].map((n) => writeFile(file(n), `dummy ${n}\n`, { mode: 0o600 })));
  return loadGatewayConfig(
    join(repoRoot, 'config', 'examples', name, 'gateway.yaml'),
    builtinConnectors,
    {
      TLS_CERT_FILE: file('cert'),
      TLS_KEY_FILE: file('key'),
      LDAP_CA_FILE: file('ca'),
      LDAP_BIND_PASSWORD: 'dummy-password',
      SCIM_TOKEN: TOKEN,
      ...env,
    },
    false,
  );
}

// No directory is needed to read a config: these run without slapd too.
describe('LDAP example configs', () => {
  it('openldap: the profile mapping merged with the example\'s overrides (externalId in employeeType, no userType)', async () => {
    const config = await loadExample('openldap');
    expect(config.warnings).toEqual([]);
    const [c] = config.connectors;
    expect(c).toMatchObject({ id: 'corp-ldap', type: 'ldap' });
    expect(c!.mapping.user['externalId']).toBe('employeeType');
    expect(c!.mapping.user).not.toHaveProperty('userType');
    // The rest of the profile is still there.
    expect(c!.mapping.user).toMatchObject({ userName: 'uid', 'name.familyName': 'sn', 'emails[type eq "work"].value': 'mail', [`${ENT}:manager`]: 'manager' });
    expect(c!.mapping.group).toEqual({ displayName: 'cn' });
    const options = c!.options as LdapConfig;
    expect(options).toMatchObject({ profile: 'openldap', referentialIntegrity: 'server', users: { active: { strategy: 'ppolicy-lock' } }, groups: { emptyMember: 'cn=nobody,dc=example,dc=com' } });
    expect(String(options.bindPassword)).toBe('[REDACTED]');
  });

  it('active-directory: the AD profile mapping and options as shipped', async () => {
    const config = await loadExample('active-directory');
    expect(config.warnings).toEqual([]);
    const [c] = config.connectors;
    expect(c!.mapping.user).toMatchObject({ userName: 'userPrincipalName', externalId: 'employeeID', [`${ENT}:department`]: 'department' });
    expect(c!.mapping.user).not.toHaveProperty('name.formatted');
    expect(c!.options as LdapConfig).toMatchObject({ profile: 'active-directory', referentialIntegrity: 'server', users: { scope: 'sub' }, groups: { scope: 'sub' } });
  });
});

describeLdap('the OpenLDAP example against a real slapd', () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd({ tls: true });
  });
  afterAll(async () => {
    await slapd?.destroy();
  });

  it('runs as shipped over ldaps:// with its CA file, storing externalId in employeeType', async () => {
    const config = await loadExample('openldap', { LDAP_URL: slapd.ldapsUrl!, LDAP_CA_FILE: join(slapd.dir, 'cert.pem'), LDAP_BIND_PASSWORD: slapd.servicePassword });
    const [c] = config.connectors;
    const runtime = await startConnector({ id: c!.id, type: c!.type, options: c!.options, mapping: c!.mapping, queue: c!.queue }, builtinConnectors, silentLogger);
    const app = createApp({ endpoints: [{ path: '/scim/v2', runtime, tokenDigests: [hashToken(TOKEN)] }], log: silentLogger, limits: DEFAULT_LIMITS });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    const admin = await adminClient(slapd);
    try {
      const api = scimClient(server, { Authorization: `Bearer ${TOKEN}` });
      const u = await createUser(api, { userName: 'example-user', externalId: 'EXT-1', userType: 'Employee' });
      expect(u).not.toHaveProperty('userType');
      const entry = await entryAt(admin, `uid=example-user,ou=people,dc=example,dc=com`, ['employeeType', 'uniqueIdentifier']);
      expect(values(entry, 'employeeType')).toEqual(['EXT-1']);
      expect(values(entry, 'uniqueIdentifier')).toEqual([]);
      expect((await api.list('/Users', { filter: 'externalId eq "ext-1"' })).body.Resources.map((r: { id: string }) => r.id)).toEqual([u.id]);
      const g = await api.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Example Group' });
      expect(g.status).toBe(201);
      expect(values(await entryAt(admin, 'cn=Example Group,ou=groups,dc=example,dc=com', ['member']), 'member')).toEqual(['cn=nobody,dc=example,dc=com']);
    } finally {
      await admin.unbind().catch(() => undefined);
      await new Promise<void>((r) => server.close(() => r()));
      await runtime.connector.stop();
    }
  });
});
