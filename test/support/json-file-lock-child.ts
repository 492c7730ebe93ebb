/**
 * Child process of the json-file lock test (run as plain JS after transpiling, see
 * test/contract/json-file-store.test.ts). It starts a JsonFileConnector on <dir> with the mapped fields
 * given as JSON, and:
 *   hold  prints `ready` once it holds the data file, then keeps it until stdin closes, stops and exits;
 *   try   prints `started` (and stops) or `refused <message as JSON>`, then exits.
 * Usage: node json-file-lock-child.js <hold|try> <dir> <fieldsJson>
 */
import { JsonFileConnector } from '../../connectors/json-file/connector.js';
import type { MappedFields } from '../../connectors/types.js';
import { silentLogger } from '../../src/log.js';

const [mode, dir, fieldsJson] = process.argv.slice(2);
if ((mode !== 'hold' && mode !== 'try') || !dir || !fieldsJson) throw new Error('usage: json-file-lock-child <hold|try> <dir> <fieldsJson>');

const connector = new JsonFileConnector(
  {
    dir,
    file: 'scimbridge.json',
    fsync: true,
    compaction: { maxJournalBytes: 64 * 1024 * 1024, intervalMs: 0, journalRatio: 0.5 },
    uniqueGroupNames: true,
    maxPageSize: 1000,
  },
  JSON.parse(fieldsJson) as MappedFields,
);

const say = (line: string): void => void process.stdout.write(`${line}\n`);

try {
  await connector.start({ log: silentLogger });
} catch (err) {
  say(`refused ${JSON.stringify(err instanceof Error ? err.message : String(err))}`);
  process.exit(0);
}

if (mode === 'try') {
  await connector.stop();
  say('started');
} else {
  say('ready');
  process.stdin.resume();
  process.stdin.on('end', () => {
    void connector.stop().then(() => process.exit(0));
  });
}
