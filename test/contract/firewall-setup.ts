/**
 * The setup every firewall-rest contract run shares: a fresh fake firewall and identity-map directory per
 * case, the connector built from options through the connector's own schema, and a teardown that closes
 * all of it (also when the start fails).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firewallRestConfigSchema } from '../../connectors/firewall-rest/config.js';
import { firewallRestConnector } from '../../connectors/firewall-rest/index.js';
import type { Connector, MappedFields } from '../../connectors/types.js';
import { silentLogger } from '../../src/log.js';

export async function firewallContractBackend<F extends { close(): Promise<void> }>(
  label: string,
  fields: MappedFields,
  startFake: () => Promise<F>,
  /** The connector's YAML `options:` for this fake, the identity map in `dir`. */
  optionsFor: (fake: F, dir: string) => Record<string, unknown>,
): Promise<{ connector: Connector; teardown(): Promise<void> }> {
  const fake = await startFake();
  const dir = await mkdtemp(join(tmpdir(), `scimbridge-${label}-contract-`));
  const cleanup = async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  };
  let connector: Connector;
  try {
    connector = firewallRestConnector.create(firewallRestConfigSchema.parse(optionsFor(fake, dir)), { id: 'contract', log: silentLogger, fields });
    await connector.start({ log: silentLogger });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    connector,
    async teardown() {
      try {
        await connector.stop();
      } finally {
        await cleanup();
      }
    },
  };
}
