import { type Kysely, sql } from 'kysely';

/**
 * Previews of a unit-year's report under a candidate rule set and outline: kept a day for the
 * person who asked, apart from the report versions (which they never become).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_previews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
    .addColumn('rule_set_id', 'text', (c) => c.notNull())
    .addColumn('rule_set_version', 'integer', (c) => c.notNull())
    .addColumn('outline', 'text', (c) => c.notNull())
    .addColumn('pdf', 'bytea', (c) => c.notNull())
    .addColumn('pdf_sha256', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('report_previews_created').on('report_previews').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_previews').execute();
}
