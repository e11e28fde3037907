/**
 * Embedded Postgres as its own process, for the local stack launcher. SIGINT or SIGTERM stops the
 * server (a fast shutdown) and then the process. A problem a person must fix is printed as one
 * line starting with `✗`.
 */
import os from 'node:os';
import { parseConfig } from '../domain/config';
import { PostgresSetupError, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';

let server: RunningPostgres | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server?.stop();
  process.exit(code);
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  if (config.database.kind !== 'embedded') throw new Error('DATABASE_URL is set: the embedded Postgres is not used');
  server = await startEmbeddedPostgres({
    dir: config.database.dir,
    port: config.database.port,
    database: 'selfeval',
    onLog: (line) => {
      for (const l of line.split('\n')) if (l.trim()) console.log(l);
    },
  });
  console.log(`postgres ready on 127.0.0.1:${config.database.port}`);
  void server.exited.then((code) => {
    if (stopping) return;
    console.error(`the Postgres server exited by itself (code ${code})`);
    void shutdown(1);
  });
  if (process.env['SELFEVAL_SUPERVISED']) {
    // Under `npm start`, stop the server if the launcher dies without stopping us.
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && void shutdown(0), 1_000).unref();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof PostgresSetupError ? `✗ ${e.message}` : e instanceof Error ? e.message : String(e));
  void shutdown(1);
});
