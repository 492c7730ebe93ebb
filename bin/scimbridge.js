#!/usr/bin/env node
// The compiled CLI lives in dist/ (npm run build; npm start builds it first).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('scimbridge: not built yet; run `npm run build` (npm start does it for you)\n');
  process.exit(1);
}
await import(entry.href);
