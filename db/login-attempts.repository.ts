/**
 * The sign-in rate limit's reading of `login_attempts` (rows are written by
 * accounts.repository#recordLoginAttempt, which also audits successful sign-ins).
 */
import { sql } from 'kysely';
import type { Db } from './connection';

/**
 * When `limit` failures under the key fall within the window — counted since the key's last
 * success when `sinceSuccess` — the moment the oldest of those leaves it (the lock lifts then);
 * otherwise undefined. A lock is never longer than the window after the last counted failure.
 */
export async function lockedUntil(db: Db, key: string, options: { limit: number; windowMs: number; sinceSuccess: boolean }): Promise<Date | undefined> {
  let query = db
    .selectFrom('login_attempts')
    .select('at')
    .where('key', '=', key)
    .where('succeeded', '=', false)
    .where('at', '>', sql<Date>`now() - make_interval(secs => ${options.windowMs / 1000})`);
  if (options.sinceSuccess) {
    query = query.where('at', '>', sql<Date>`coalesce((select max(s.at) from login_attempts s where s.key = ${key} and s.succeeded), '-infinity'::timestamptz)`);
  }
  const row = await query.orderBy('at', 'desc').offset(options.limit - 1).limit(1).executeTakeFirst();
  return row ? new Date(new Date(row.at).getTime() + options.windowMs) : undefined;
}

/** True when the key has a successful attempt within the period. */
export async function succeededWithin(db: Db, key: string, withinMs: number): Promise<boolean> {
  const row = await db
    .selectFrom('login_attempts')
    .select('id')
    .where('key', '=', key)
    .where('succeeded', '=', true)
    .where('at', '>', sql<Date>`now() - make_interval(secs => ${withinMs / 1000})`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Forgets attempts older than the period (nothing reads them). */
export async function pruneLoginAttempts(db: Db, olderThanMs: number): Promise<number> {
  const r = await db.deleteFrom('login_attempts').where('at', '<', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`).executeTakeFirst();
  return Number(r.numDeletedRows);
}
