/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded Postgres of `npm start`). */
import os from 'node:os';
import { databaseUrlOf, parseConfig, redactUrl } from '../domain/config';
import { createDb, pingDb } from './connection';
import { migrateToLatest } from './migrate';

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const url = databaseUrlOf(config);
  const db = createDb(url, { max: 1, applicationName: 'selfeval-migrate' });
  try {
    try {
      await pingDb(db, 5_000);
    } catch (e) {
      console.error(
        `db:migrate: cannot reach ${redactUrl(url)} (${(e as Error).message}): set DATABASE_URL, or run \`npm start\` for the embedded Postgres`,
      );
      process.exitCode = 1;
      return;
    }
    const { applied } = await migrateToLatest(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(`db:migrate: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
