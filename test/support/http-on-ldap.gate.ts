/**
 * The gate of the `http-on-ldap` vitest project (vitest.config.ts). With slapd installed the project runs the
 * HTTP suites on the LDAP backend and this file checks that they really do. Without slapd the project runs only
 * this file: a describeLdap suite, so it is skipped with the one "LDAP suites skipped" line, or fails under
 * SCIMBRIDGE_REQUIRE_LDAP=1 like every LDAP suite.
 */
import request from 'supertest';
import { expect, it } from 'vitest';
import { AUTH, BACKEND, BASE, startTestGateway } from './build-app.js';
import { describeLdap } from './ldap-suite.js';

describeLdap('HTTP suites on the LDAP backend', () => {
  it('startTestGateway gives a gateway on the LDAP connector, in fresh OUs of a throwaway slapd', async () => {
    expect(BACKEND).toBe('ldap');
    const gw = await startTestGateway();
    try {
      expect(gw.runtime.type).toBe('ldap');
      expect(gw.ous?.people).toMatch(/^ou=http-\d+,ou=people,/);
      const created = await request(gw.server).post(`${BASE}/Users`).set(AUTH).send({ userName: 'gate' });
      expect(created.status).toBe(201);
      const list = await request(gw.server).get(`${BASE}/Users`).set(AUTH);
      expect(list.body.totalResults).toBe(1);
    } finally {
      await gw.close();
    }
  });
});
