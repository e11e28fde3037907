import { type Kysely, sql } from 'kysely';

/**
 * The 复核结果 of a unit-year's accepted version (domain/report/review-result.ts), rendered once by
 * the worker on its first download and frozen: a row is never changed or removed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('review_results')
    .addColumn('unit_year_id', 'integer', (c) => c.notNull().references('unit_years.id'))
    .addColumn('report_version', 'integer', (c) => c.notNull())
    .addColumn('pdf', 'bytea', (c) => c.notNull())
    .addColumn('pdf_sha256', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('review_results_pk', ['unit_year_id', 'report_version'])
    .execute();
  await sql`
    create function review_results_frozen() returns trigger language plpgsql as $$
    begin
      raise exception 'review_results: the review result of unit-year % version % is frozen', old.unit_year_id, old.report_version using errcode = 'P0001';
    end $$`.execute(db);
  await sql`create trigger review_results_freeze before update or delete on review_results for each row execute function review_results_frozen()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger review_results_freeze on review_results`.execute(db);
  await sql`drop function review_results_frozen()`.execute(db);
  await db.schema.dropTable('review_results').execute();
}
