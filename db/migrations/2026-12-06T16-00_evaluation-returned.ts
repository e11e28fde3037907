import { type Kysely, sql } from 'kysely';

/**
 * An evaluation the unit head sent back (or whose approved draft no longer matched what the
 * report reads when it was to be issued) is with the finance officer until they resubmit it:
 * stage `returned`, between reviewing and the next draft.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table evaluations drop constraint evaluations_stage_check`.execute(db);
  await sql`alter table evaluations add constraint evaluations_stage_check check (stage in ('collecting', 'reviewing', 'returned', 'scoring', 'drafting', 'approving', 'issuing', 'issued'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('evaluations').set({ stage: 'reviewing' }).where('stage', '=', 'returned').execute();
  await sql`alter table evaluations drop constraint evaluations_stage_check`.execute(db);
  await sql`alter table evaluations add constraint evaluations_stage_check check (stage in ('collecting', 'reviewing', 'scoring', 'drafting', 'approving', 'issuing', 'issued'))`.execute(db);
}
