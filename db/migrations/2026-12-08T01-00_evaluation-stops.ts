import type { Kysely } from 'kysely';

/**
 * An evaluation run that stopped without issuing (an activity failed for good, or it was
 * cancelled) records it on its row, where the dashboard and the overview find it after Temporal
 * has forgotten the run (its retention). The next run clears it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('evaluations')
    .addColumn('stopped_state', 'text')
    .addColumn('stopped_at', 'timestamptz')
    .addColumn('stopped_reason', 'text')
    .addColumn('stopped_run_id', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('evaluations').dropColumn('stopped_state').dropColumn('stopped_at').dropColumn('stopped_reason').dropColumn('stopped_run_id').execute();
}
