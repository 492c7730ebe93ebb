/**
 * Endpoint bearer tokens: from plain entries, sha256 entries and token files, down to SHA-256 digests (the
 * plaintext is not kept). Reading happens during validation; creating `generate: true` files happens only
 * after the whole config is valid, and only when the caller allows writes (serve, not check-config).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { PartialEndpoint } from './endpoint-checks.js';
import { formatPath, type ConfigPath } from './issues.js';
import { displayPath } from './paths.js';
import { errorCode } from './references.js';
import type { ConfigSource } from './yaml-source.js';

export const MIN_TOKEN_LENGTH = 24;
const OWN_TOKEN = 'give each endpoint its own token';
const TOO_SHORT = `too short: use at least ${MIN_TOKEN_LENGTH} random characters, e.g. \`openssl rand -hex 32\``;
/** 32 random bytes: 256 bits, 43 characters of base64url. */
const GENERATED_TOKEN_BYTES = 32;

export interface PendingTokenFile {
  readonly abs: string;
  readonly display: string;
  readonly where: ConfigPath;
}

export interface EndpointTokens {
  readonly index: number;
  readonly hashes: Buffer[];
  readonly pending: PendingTokenFile[];
}

interface HashedToken {
  readonly digest: Buffer;
  readonly where: ConfigPath;
}

export const sha256 = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Reads every token of every valid endpoint and reports short, missing, unreadable and shared tokens. */
export async function readEndpointTokens(
  source: ConfigSource,
  endpoints: readonly PartialEndpoint[],
  cwd: string,
  warnings: string[],
): Promise<EndpointTokens[]> {
  const out: EndpointTokens[] = [];
  const hashed: { index: number; tokens: HashedToken[] }[] = [];
  for (const { index, tokens: specs } of endpoints) {
    const tokens: HashedToken[] = [];
    const pending: PendingTokenFile[] = [];
    for (const { index: j, spec } of specs) {
      const where: ConfigPath = ['endpoints', index, 'tokens', j];
      if (spec.kind === 'sha256') {
        tokens.push({ digest: spec.digest, where });
        continue;
      }
      const value = spec.kind === 'plain' ? spec.token : spec.value;
      if (value !== undefined) {
        const plain = value.reveal();
        if (plain.length < MIN_TOKEN_LENGTH) source.issue(where, `token is ${TOO_SHORT}`);
        else tokens.push({ digest: sha256(plain), where });
        continue;
      }
      if (spec.kind !== 'file' || spec.file === undefined) continue;
      const fileWhere: ConfigPath = [...where, 'file'];
      const abs = resolve(cwd, spec.file);
      const read = await readTokenFile(abs);
      const display = displayPath(abs, cwd);
      if (read.kind === 'missing') {
        if (spec.generate) pending.push({ abs, display, where: fileWhere });
        else source.issue(fileWhere, `token file ${display} does not exist; create it or add "generate: true"`);
      } else if (read.kind === 'error') {
        source.issue(fileWhere, `cannot read token file ${display} (${read.code})`);
      } else if (read.token === '') {
        source.issue(fileWhere, `token file ${display} is empty`);
      } else if (read.token.length < MIN_TOKEN_LENGTH) {
        source.issue(fileWhere, `the token in ${display} is ${TOO_SHORT}`);
      } else {
        tokens.push({ digest: sha256(read.token), where });
        if (read.looseMode !== undefined) {
          warnings.push(
            `${source.display}: ${formatPath(fileWhere)}: token file ${display} is accessible to other users ` +
              `(mode ${read.looseMode}); restrict it with \`chmod 600 ${display}\``,
          );
        }
      }
    }
    hashed.push({ index, tokens });
    out.push({ index, hashes: tokens.map((t) => t.digest), pending });
  }
  checkSharedTokens(source, hashed, out);
  return out;
}

type TokenFileRead =
  | { readonly kind: 'ok'; readonly token: string; readonly looseMode: string | undefined }
  | { readonly kind: 'missing' }
  | { readonly kind: 'error'; readonly code: string };

async function readTokenFile(abs: string): Promise<TokenFileRead> {
  try {
    const info = await stat(abs);
    const content = await readFile(abs, 'utf8');
    // Windows has no POSIX modes; stat reports 0o666 for every writable file there.
    const loose = process.platform !== 'win32' && (info.mode & 0o077) !== 0;
    // Tokens never contain whitespace, so any surrounding whitespace (an editor's newline) is not part of it.
    const looseMode = loose ? (info.mode & 0o777).toString(8).padStart(4, '0') : undefined;
    return { kind: 'ok', token: content.trim(), looseMode };
  } catch (err) {
    const code = errorCode(err);
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'error', code };
  }
}

/**
 * A token must open one endpoint only: endpoints usually front different directories, and a token leaked from
 * one must not open another. Generated files are compared by path, since their tokens do not exist yet.
 */
function checkSharedTokens(
  source: ConfigSource,
  hashed: readonly { index: number; tokens: readonly HashedToken[] }[],
  endpoints: readonly EndpointTokens[],
): void {
  const owners = new Map<string, number>();
  for (const { index, tokens } of hashed) {
    for (const { digest, where } of tokens) {
      const key = digest.toString('hex');
      const owner = owners.get(key);
      if (owner === undefined) owners.set(key, index);
      else if (owner !== index) source.issue(where, `the same token is also accepted by endpoints[${owner}]; ${OWN_TOKEN}`);
    }
  }
  const fileOwners = new Map<string, number>();
  for (const { index, pending } of endpoints) {
    for (const file of pending) {
      const owner = fileOwners.get(file.abs);
      if (owner === undefined) fileOwners.set(file.abs, index);
      else if (owner !== index) {
        source.issue(file.where, `token file ${file.display} is also used by endpoints[${owner}]; ${OWN_TOKEN}`);
      }
    }
  }
}

/**
 * Creates a token file: 32 random bytes in base64url, mode 0600, parent directory created. `wx` so an existing
 * file is never overwritten; if another process created it meanwhile, its token is used. Returns the digest.
 */
export async function createTokenFile(abs: string): Promise<Buffer> {
  await mkdir(dirname(abs), { recursive: true, mode: 0o700 });
  const token = randomBytes(GENERATED_TOKEN_BYTES).toString('base64url');
  try {
    await writeFile(abs, `${token}\n`, { flag: 'wx', mode: 0o600 });
    return sha256(token);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
    const existing = (await readFile(abs, 'utf8')).trim();
    if (existing.length < MIN_TOKEN_LENGTH) {
      throw new Error(`token file appeared while generating it and its token is ${TOO_SHORT}`, { cause: err });
    }
    return sha256(existing);
  }
}
