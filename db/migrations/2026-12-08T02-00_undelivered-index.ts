import { type Kysely, sql } from 'kysely';

/**
 * The messages that did not arrive, per unit (`unit_id` null: those to an organisation's officers),
 * newest first: read by 系统管理, 机构管理 and every unit-year dashboard. A partial index of those
 * few rows, so none of these pages scans the whole outbox. Its predicate is the one
 * `db/notifications.repository.ts` (`UNDELIVERED`) writes, literally, so the planner can use it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index notifications_undelivered on notifications (unit_id, id desc) where (status in ('uncertain', 'failed') or (status = 'pending' and attempts > 0))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('notifications_undelivered').execute();
}
