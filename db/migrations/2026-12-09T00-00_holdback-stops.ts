import type { Kysely } from 'kysely';

/**
 * A holdback workflow that stopped while money is still withheld (failed, terminated, cancelled
 * or timed out) sends no more reminders: the worker's stop sweeper records it on the progress row,
 * where the holdback's page and the dashboard show it with the restart. A newer progress write
 * (the restarted run's) clears it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('holdback_progress')
    .addColumn('stopped_state', 'text')
    .addColumn('stopped_at', 'timestamptz')
    .addColumn('stopped_reason', 'text')
    .addColumn('stopped_run_id', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('holdback_progress').dropColumn('stopped_state').dropColumn('stopped_at').dropColumn('stopped_reason').dropColumn('stopped_run_id').execute();
}
