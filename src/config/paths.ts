import { isAbsolute, relative } from 'node:path';

/** A path as shown to the operator: relative to the working directory when inside it, else absolute. */
export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
