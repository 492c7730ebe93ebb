/**
 * The real CLI as a child process, without a build step: every src/**\/*.ts and connectors/**\/*.ts is
 * transpiled (test/support/durable-transpile.ts) into a temp package laid out like the published one:
 *
 *   <root>/package.json          { "type": "module" }
 *   <root>/bin/scimbridge.js     copied from bin/
 *   <root>/dist/src/cli.js       what `npm start` runs (cli.ts finds config/ two levels up from itself)
 *   <root>/config/…              copied from config/, so the embedded default is the repository's
 *   <root>/node_modules          a symlink to the repository's
 *
 * buildCli() is cached per test file (vitest runs each file in its own worker); call cleanup() in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, transpileTree } from './durable-transpile.js';

export interface CliBuild {
  /** The temp package root (holds bin/, dist/, config/, node_modules). */
  readonly root: string;
  /** <root>/dist/src/cli.js: run it with `node`. */
  readonly cli: string;
  /** <root>/bin/scimbridge.js, the package's `bin` entry. */
  readonly bin: string;
  cleanup(): Promise<void>;
}

/** Every `.ts` file under `dir` (relative to the repository root), recursively, `.d.ts` excluded. */
async function tsTree(dir: string): Promise<string[]> {
  const entries = await readdir(join(repoRoot, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

let cached: Promise<CliBuild> | undefined;

export function buildCli(): Promise<CliBuild> {
  cached ??= (async () => {
    const root = await mkdtemp(join(tmpdir(), 'scimbridge-cli-'));
    const sources = [...(await tsTree('src')), ...(await tsTree('connectors'))];
    await transpileTree(sources, join(root, 'dist'));
    await writeFile(join(root, 'package.json'), '{ "name": "scimbridge", "private": true, "type": "module" }\n');
    await cp(join(repoRoot, 'bin'), join(root, 'bin'), { recursive: true });
    await cp(join(repoRoot, 'config'), join(root, 'config'), { recursive: true });
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    let removed = false;
    return {
      root,
      cli: join(root, 'dist', 'src', 'cli.js'),
      bin: join(root, 'bin', 'scimbridge.js'),
      async cleanup() {
        if (removed) return;
        removed = true;
        await rm(root, { recursive: true, force: true });
      },
    };
  })();
  return cached;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Added to a minimal environment (PATH, HOME); the test runner's own environment is not inherited. */
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** A minimal, explicit environment: no SCIM_TOKEN, DATA_DIR, PORT … leaking in from the developer's shell. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) if (process.env[k] !== undefined) base[k] = process.env[k];
  return { ...base, ...extra };
}

/** Runs `node <script> ...args` to completion. */
export function runNode(script: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: opts.cwd ?? tmpdir(),
      env: childEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A port that was free a moment ago (bind 127.0.0.1:0, read it, close). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r, j) => srv.once('error', j).listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A running `serve`, with its output collected line by line. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  /** Complete stdout lines so far (the JSON log). */
  readonly lines: string[];
  stdout(): string;
  stderr(): string;
  /** Log lines parsed as JSON; non-JSON lines are skipped. */
  logs(): Record<string, unknown>[];
  /** Resolves with the exit code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the process if it is still running and waits for it. */
  kill(): Promise<void>;
}

export interface StartServeOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  /** Default: a free port, passed as PORT. */
  readonly port?: number;
  /** How long to wait for the "listening" log line. */
  readonly timeoutMs?: number;
}

/**
 * Spawns `node <cli> serve …` and waits until it logs that it listens (an info line: keep LOG_LEVEL at info or
 * below), or exits: then `url` is '' and the caller inspects `exited` and stderr. The URL is the one the
 * server logged, so a port grabbed by someone else in between cannot be mistaken for ours.
 */
export async function startServe(cli: string, opts: StartServeOptions): Promise<ServeProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, [cli, 'serve', ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: childEnv({ PORT: String(port), ...opts.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let out = '';
  let err = '';
  let partial = '';
  let onListening: (url: string) => void = () => undefined;
  const listening = new Promise<string>((r) => (onListening = r));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (line.includes('scimbridge listening on')) {
        try {
          onListening(String((JSON.parse(line) as { url: unknown }).url));
        } catch {
          onListening(`http://127.0.0.1:${port}`);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => r({ code, signal })),
  );
  const timeoutMs = opts.timeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    listening,
    exited.then(() => ''),
    new Promise<string>((r) => (timer = setTimeout(() => r(''), timeoutMs))),
  ]);
  clearTimeout(timer);
  return {
    child,
    pid: child.pid!,
    url,
    lines,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits for `p` or fails after `ms` with `what` in the message. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, j) => (timer = setTimeout(() => j(new Error(`${what}: not within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh temp directory. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
