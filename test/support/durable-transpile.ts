/**
 * Run TypeScript sources in a plain `node` child process without a build step or a TS loader: transpile
 * them one by one (types are only erased; `.js` import specifiers stay valid because the output keeps the
 * source tree's layout) into a temp directory marked as ESM. Crash tests use this to SIGKILL real processes.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (this file is test/support/durable-transpile.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Transpile `srcFiles` (absolute, or relative to the repository root) into `outDir`, keeping their paths
 * relative to the repository root. Returns the output paths, in the same order.
 */
export async function transpileTree(srcFiles: string[], outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return Promise.all(
    srcFiles.map(async (file) => {
      const src = resolve(repoRoot, file);
      const rel = relative(repoRoot, src);
      if (rel.startsWith('..')) throw new Error(`${file} is outside the repository`);
      const { outputText, diagnostics } = ts.transpileModule(await readFile(src, 'utf8'), {
        fileName: src,
        reportDiagnostics: true,
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
          sourceMap: false,
        },
      });
      if (diagnostics && diagnostics.length > 0) {
        const text = ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, '\n');
        throw new Error(`cannot transpile ${rel}: ${text}`);
      }
      const out = join(outDir, rel.replace(/\.ts$/, '.js'));
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, outputText);
      return out;
    }),
  );
}

/** Every `.ts` file directly in `dir` (relative to the repository root), for transpiling a whole module. */
export async function tsFilesIn(dir: string): Promise<string[]> {
  const abs = resolve(repoRoot, dir);
  return (await readdir(abs)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(abs, f));
}
