import type { Kysely } from 'kysely';

/** The report outline a unit-year chose (`outline:` in the unit-year file; null = the default, yiyang-2020). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('unit_years').addColumn('outline', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('unit_years').dropColumn('outline').execute();
}
