import type { Kysely } from 'kysely';

/**
 * A campaign whose workflow stopped (failed, terminated, cancelled, timed out) before every unit's
 * report was accepted no longer reminds, escalates or lets units join: the worker's stop sweeper
 * records it on the campaign's row, where the campaign page shows it with the restart (which clears it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('campaigns')
    .addColumn('stopped_state', 'text')
    .addColumn('stopped_at', 'timestamptz')
    .addColumn('stopped_reason', 'text')
    .addColumn('stopped_run_id', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('campaigns').dropColumn('stopped_state').dropColumn('stopped_at').dropColumn('stopped_reason').dropColumn('stopped_run_id').execute();
}
