/**
 * The command line as an operator meets it: `node dist/src/cli.js …` in a child process (transpiled on the
 * fly, test/support/cli-build.ts), exit codes, and what check-config prints for good and broken configs.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runNode, tempDir, type CliBuild } from '../support/cli-build.js';

let build: CliBuild;
let work: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  [build, work] = await Promise.all([buildCli(), tempDir('scimbridge-cli-test-')]);
}, 60_000);
afterAll(async () => {
  await work?.cleanup();
  await build?.cleanup();
});

/** A fresh directory under the work dir, used as cwd so displayed paths are short and predictable. */
async function caseDir(name: string): Promise<string> {
  const dir = join(work.dir, name);
  await mkdir(join(dir, 'connectors'), { recursive: true });
  return dir;
}

const cli = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) => runNode(build.cli, args, opts);

describe('scimbridge command line', () => {
  it('lists the serve and check-config commands in --help and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+serve\b/m);
    expect(r.stdout).toMatch(/^\s+check-config\b/m);
  });

  it('runs through the package bin entry too, once dist/ exists', async () => {
    const r = await runNode(build.bin, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits with the usage code 2 on an unknown command or an unknown option, and starts nothing', async () => {
    const cwd = await caseDir('usage');
    const cases = [['no-such-command'], ['check-config', '--no-such-option'], ['serve', '--no-such-option']];
    const results = await Promise.all(cases.map((args) => cli(args, { cwd })));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${cases[i]!.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).toContain('Usage: scimbridge');
    }
    expect(await readdir(cwd)).toEqual(['connectors']);
  });

  it('accepts the embedded default config with "configuration OK" and exit 0', async () => {
    const cwd = await caseDir('default-ok');
    const r = await cli(['check-config'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('configuration OK: 1 connector(s), endpoints /scim/v2 → local');
  });

  it('accepts a valid config given with --config', async () => {
    const cwd = await caseDir('good');
    await writeFile(
      join(cwd, 'gateway.yaml'),
      [
        'server:',
        '  port: 9443',
        'connectors:',
        '  - connectors/store.yaml',
        'endpoints:',
        '  - path: /scim/v2',
        '    connector: store',
        '    tokens:',
        '      - abcdefghijklmnopqrstuvwxyz0123456789',
        '',
      ].join('\n'),
    );
    await writeFile(join(cwd, 'connectors', 'store.yaml'), 'id: store\ntype: json-file\noptions:\n  dir: ./store\n');
    const r = await cli(['check-config', '--config', 'gateway.yaml'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('configuration OK: 1 connector(s), endpoints /scim/v2 → store');
  });

  it('reports every problem of the gateway file and of each connector file at once, each with file, line and YAML path, and exits 1', async () => {
    const cwd = await caseDir('bad');
    // Line numbers matter: the assertions below name them.
    await writeFile(
      join(cwd, 'gateway.yaml'),
      [
        'server:', // 1
        '  host: 127.0.0.1', // 2
        '  prot: 8080', // 3  typo of "port"
        'connectors:', // 4
        '  - connectors/store.yaml', // 5
        '  - connectors/mystery.yaml', // 6
        'endpoints:', // 7
        '  - path: /scim/v2', // 8
        '    connector: store', // 9
        '    tokens:', // 10
        '      - ${env:SCIMBRIDGE_TEST_UNSET_TOKEN}', // 11  not set
        '  - path: /other/scim/v2', // 12
        '    connector: mystery', // 13
        '    tokens:', // 14
        '      - zyxwvutsrqponmlkjihgfedcba9876543210', // 15
        '',
      ].join('\n'),
    );
    await writeFile(
      join(cwd, 'connectors', 'store.yaml'),
      [
        'id: store', // 1
        'type: json-file', // 2
        'options:', // 3
        '  dir: ./store', // 4
        'mapping:', // 5
        '  user:', // 6
        '    userName: userName', // 7
        '    name.givn: x', // 8  no such sub-attribute
        '    id: x', // 9  read-only
        '  group:', // 10
        '    displayName: displayName', // 11
        '',
      ].join('\n'),
    );
    await writeFile(join(cwd, 'connectors', 'mystery.yaml'), ['id: mystery', 'type: json-flie', 'options:', '  dir: ./other', ''].join('\n'));

    const r = await cli(['check-config', '--config', 'gateway.yaml'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('configuration OK');
    const problems = r.stderr.split('\n').filter((l) => /^\S+\.yaml:\d+/.test(l));
    const expected = [
      /^gateway\.yaml:3:\d+: server\.prot: unknown key "prot"; did you mean "port"\?$/,
      /^gateway\.yaml:11:\d+: endpoints\[0\]\.tokens\[0\]: environment variable SCIMBRIDGE_TEST_UNSET_TOKEN is not set$/,
      /^connectors\/store\.yaml:8:\d+: mapping\.user\["name\.givn"\]: name has no sub-attribute "givn" \(it has .*givenName.*\)$/,
      /^connectors\/store\.yaml:9:\d+: mapping\.user\.id: id cannot be mapped: it is read-only$/,
      /^connectors\/mystery\.yaml:2:\d+: type: unknown connector type "json-flie"; did you mean "json-file"\? \(known types: .*json-file.*\)$/,
    ];
    expect(problems, r.stderr).toHaveLength(expected.length);
    for (const [i, re] of expected.entries()) expect(problems[i], r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/^scimbridge: the configuration is not valid:$/m);
  });

  it('never creates the token file that serve would generate, and says it will be generated', async () => {
    const cwd = await caseDir('no-token-file');
    const dataDir = join(cwd, 'elsewhere');
    const runs = await Promise.all(
      ([{}, { DATA_DIR: dataDir }] as Record<string, string>[]).flatMap((env) => [cli(['check-config'], { cwd, env }), cli(['check-config', '--print'], { cwd, env })]),
    );
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/note: \/scim\/v2: the token file \S*scim-token will be generated at the first start/);
    }
    expect(runs[2]!.stdout).toContain('the token file elsewhere/scim-token will be generated');
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    expect(await readdir(cwd)).toEqual(['connectors']);
  });

  it('prints the effective config with --print, the token from ${env:…} shown as [REDACTED] and nowhere in the output', async () => {
    const cwd = await caseDir('print');
    const token = 'Sup3rSecretT0kenValue-5f1c0d9e8b7a6f5e4d3c';
    const r = await cli(['check-config', '--print'], { cwd, env: { SCIM_TOKEN: token } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tokens:\n\s+- "?\[REDACTED\]"?/);
    expect(r.stdout).toContain('configuration OK');
    // With SCIM_TOKEN set, the file is not needed and not announced.
    expect(r.stdout).not.toContain('will be generated');
    expect(r.stdout + r.stderr).not.toContain(token);
    expect(r.stdout + r.stderr).not.toContain(token.slice(0, 12));
  });

  it('never prints a secret from ${env:…} in its problems either (a short token, a token where a port belongs)', async () => {
    const cwd = await caseDir('print-bad');
    const short = 'Shrt-S3cret-x';
    const secretPort = 'P0rtS3cret-abcdefghijklmnop';
    await writeFile(
      join(cwd, 'gateway.yaml'),
      [
        'server:',
        '  port: ${env:SECRET_PORT}',
        'connectors:',
        '  - connectors/store.yaml',
        'endpoints:',
        '  - path: /scim/v2',
        '    connector: store',
        '    tokens:',
        '      - ${env:SHORT_TOKEN}',
        '',
      ].join('\n'),
    );
    await writeFile(join(cwd, 'connectors', 'store.yaml'), 'id: store\ntype: json-file\noptions:\n  dir: ./store\n');
    const r = await cli(['check-config', '--print', '--config', 'gateway.yaml'], {
      cwd,
      env: { SHORT_TOKEN: short, SECRET_PORT: secretPort },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gateway\.yaml:2:\d+: server\.port: /m);
    expect(r.stderr).toMatch(/^gateway\.yaml:9:\d+: endpoints\[0\]\.tokens\[0\]: token is too short/m);
    expect(r.stdout + r.stderr).not.toContain(short);
    expect(r.stdout + r.stderr).not.toContain(secretPort);
  });
});
