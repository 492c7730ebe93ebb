/** A tiny connector registry for config tests; `create` is never called by the loader. */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineConnector, type ConnectorDefinition } from '../../../connectors/types.js';
import { boolField, intField } from '../../../src/config/fields.js';
import { secret } from '../../../src/config/secret.js';

const notUsed = (): never => {
  throw new Error('create is not called by the config loader');
};

export const fakeJsonFile = defineConnector({
  type: 'json-file',
  configSchema: z.strictObject({
    dir: z.string().min(1),
    note: z.string().optional(),
    pretty: boolField().default(false),
    maxRecords: intField({ min: 1 }).default(100),
  }),
  defaultMapping: { user: { userName: 'userName' }, group: { displayName: 'displayName' } },
  create: notUsed,
});

export const fakeLdap = defineConnector({
  type: 'ldap',
  configSchema: z.strictObject({
    url: z.string().startsWith('ldap'),
    bindPassword: secret(),
    banner: z.string().optional(),
  }),
  defaultMapping: { user: { userName: 'uid' }, group: { displayName: 'cn' } },
  create: notUsed,
});

export const registry: Record<string, ConnectorDefinition> = { 'json-file': fakeJsonFile, ldap: fakeLdap };

export const FIXTURES = fileURLToPath(new URL('../../fixtures/config/', import.meta.url));
export const fixture = (name: string): string => `${FIXTURES}${name}`;
