/**
 * The connector contract against the json-file connector: a real store in a fresh temp directory per
 * test, fsync on. It runs with the contract's own field names, with the field names of the json-file
 * default mapping (what other programs reading the document see), and with non-unique group names.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonFileConfigSchema, jsonFileDefaultMapping } from '../../connectors/json-file/config.js';
import { jsonFileConnector } from '../../connectors/json-file/index.js';
import type { MappedFields } from '../../connectors/types.js';
import { silentLogger } from '../../src/log.js';
import { contractMappingFor, describeConnectorContract } from './connector-contract.js';

async function setup(fields: MappedFields, options: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'scimbridge-contract-'));
  const config = jsonFileConfigSchema.parse({ dir, fsync: true, ...options });
  const connector = jsonFileConnector.create(config, { id: 'contract', log: silentLogger, fields });
  try {
    await connector.start({ log: silentLogger });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    connector,
    async teardown() {
      try {
        await connector.stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

describeConnectorContract({ name: 'json-file', setup: (fields) => setup(fields) });

describeConnectorContract({
  name: 'json-file (field names of its default mapping)',
  mapping: contractMappingFor(jsonFileDefaultMapping),
  setup: (fields) => setup(fields),
});

describeConnectorContract({
  name: 'json-file (uniqueGroupNames: false)',
  setup: (fields) => setup(fields, { uniqueGroupNames: false }),
  skip: [
    {
      reason: 'uniqueGroupNames: false lets groups share a displayName, as some directories allow',
      tests: ['groups: a taken displayName is a conflict, on create and on modify'],
    },
  ],
});
