import { type Kysely, sql } from 'kysely';

/**
 * The outbox relay (activities/notifications/notifier.ts `deliverDue`): a message that could not be
 * delivered waits for its next attempt (`next_attempt_at`, backing off) until it is delivered or
 * its window closes (`give_up_at`, then `failed` for an administrator to resend or leave). The
 * relay finds due messages by the partial index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('next_attempt_at', 'timestamptz').execute();
  await db.schema.alterTable('notifications').addColumn('give_up_at', 'timestamptz').execute();
  await sql`update notifications set give_up_at = created_at + interval '72 hours' where status in ('pending', 'sending')`.execute(db);
  await db.schema
    .createIndex('notifications_due')
    .on('notifications')
    .expression(sql`coalesce(next_attempt_at, created_at)`)
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('notifications_due').execute();
  await db.schema.alterTable('notifications').dropColumn('give_up_at').execute();
  await db.schema.alterTable('notifications').dropColumn('next_attempt_at').execute();
}
