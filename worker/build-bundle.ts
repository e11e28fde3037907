/**
 * Writes the workflow bundle to a file: `node --import tsx worker/build-bundle.ts <out.js>` (or the
 * compiled dist/worker/build-bundle.js). The worker process builds its bundle this way in a child
 * process, so webpack and swc never stay resident in the worker (about 150 MB of RSS), and
 * `npm run build` writes dist/workflow-bundle.js for production images.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from './create-worker';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: build-bundle <out.js>');
  const { code } = await bundleWorkflows();
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, code);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
