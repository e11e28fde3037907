/**
 * `npm run tools`: find or build the Temporal CLI and the time-skipping test server now, with
 * progress, instead of on the first `npm start` / `npm test`. Prints where they are.
 */
import os from 'node:os';
import { parseConfig } from '../../domain/config';
import { formatDuration } from './proc';
import { ToolError, ensureTemporalCli, ensureTestServer } from './tools';

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const log = (line: string) => console.log(`[tools] ${line}`);
  const want = process.argv.slice(2);
  const all = want.length === 0;
  if (all || want.includes('cli')) {
    const t0 = Date.now();
    const cli = await ensureTemporalCli({ cacheDir: config.cacheDir, log });
    log(`temporal CLI: ${cli} (${formatDuration(Date.now() - t0)})`);
  }
  if (all || want.includes('test-server')) {
    const t0 = Date.now();
    const server = await ensureTestServer({ cacheDir: config.cacheDir, log });
    log(`test server: ${server} (${formatDuration(Date.now() - t0)})`);
  }
}

main().catch((e: unknown) => {
  console.error(`[tools] ${e instanceof ToolError ? e.message : e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
