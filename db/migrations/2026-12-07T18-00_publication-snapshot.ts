import { type Kysely, sql } from 'kysely';

/**
 * A publication keeps what its public page shows beside the frozen PDF — the 基础数据表 and the score
 * sheet — as they were when it was published, so a later re-import of the unit-year's ledger (or any
 * other change to the live rows) cannot change a published page. Publishing again (a newer accepted
 * version, or after a withdrawal) takes a new snapshot. Existing publications take theirs now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('publications').addColumn('basic_data', 'jsonb').addColumn('score', 'jsonb').execute();
  await sql`
    update publications p
       set basic_data = uy.basic_data, score = e.score
      from unit_years uy left join evaluations e on e.unit_year_id = uy.id
     where uy.id = p.unit_year_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('publications').dropColumn('basic_data').dropColumn('score').execute();
}
