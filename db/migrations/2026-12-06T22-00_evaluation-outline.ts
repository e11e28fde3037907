import type { Kysely } from 'kysely';

/**
 * The report outline an evaluation was started under, beside its rule set and version: a unit-year
 * that changes its outline later does not change what a running or issued evaluation renders.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('evaluations').addColumn('outline', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('evaluations').dropColumn('outline').execute();
}
