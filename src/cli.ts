/**
 * The command line: `scimbridge serve`, `scimbridge check-config`. Exit codes: 0 ok, 1 invalid config or
 * failed start, 2 usage.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { builtinConnectors } from '../connectors/index.js';
import { ConfigError, formatConfigForDisplay } from './config/index.js';
import { loadGatewayConfig, serve } from './server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The embedded default: config/gateway.yaml of this package (json-file store under ./data). */
const defaultConfig = process.env['SCIMBRIDGE_CONFIG'] || join(root, 'config', 'gateway.yaml');

function fail(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`scimbridge: the configuration is not valid:\n${err.message}\n`);
  } else {
    process.stderr.write(`scimbridge: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exit(1);
}

const program = new Command()
  .name('scimbridge')
  .description('SCIM 2.0 gateway: Microsoft Entra ID and Okta provisioning into LDAP, firewall user APIs and a JSON file')
  .version('0.1.0')
  .showHelpAfterError()
  // Before the subcommands are added: they copy it then, and their usage errors must exit 2 as well.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

program
  .command('serve', { isDefault: true })
  .description('start the gateway')
  .option('-c, --config <file>', 'gateway YAML file (env SCIMBRIDGE_CONFIG)', defaultConfig)
  .action(async (opts: { config: string }) => {
    const gw = await serve({ configFile: opts.config }).catch(fail);
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) process.exit(130); // a second Ctrl-C does not wait
      void gw.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`scimbridge: error while stopping on ${sig}: ${String(err)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

program
  .command('check-config')
  .description('validate the gateway file and every connector file, print all problems, exit non-zero if any')
  .option('-c, --config <file>', 'gateway YAML file (env SCIMBRIDGE_CONFIG)', defaultConfig)
  .option('-p, --print', 'print the effective configuration, secrets redacted')
  .action(async (opts: { config: string; print?: boolean }) => {
    const config = await loadGatewayConfig(opts.config, builtinConnectors, process.env, false).catch(fail);
    for (const w of config.warnings) process.stderr.write(`warning: ${w}\n`);
    if (opts.print) process.stdout.write(`${formatConfigForDisplay(config)}\n`);
    const eps = config.endpoints.map((e) => `${e.path} → ${e.connectorId}`).join(', ');
    process.stdout.write(`configuration OK: ${config.connectors.length} connector(s), endpoints ${eps}\n`);
    for (const e of config.endpoints) {
      for (const f of e.pendingTokenFiles) process.stdout.write(`note: ${e.path}: the token file ${f} will be generated at the first start\n`);
    }
  });

await program.parseAsync(process.argv);
