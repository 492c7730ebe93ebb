import { it } from 'vitest';
import { buildCli } from '../support/cli-build.js';
it('builds', async () => { const t = Date.now(); const b = await buildCli(); console.log('ROOT', b.root, Date.now() - t); });
