import { type Kysely, sql } from 'kysely';

/**
 * Rendered reports: every render is a new version with its bytes and their sha256. An issued
 * version is frozen by the database itself (a trigger refuses any update or delete of it), and a
 * unit-year has at most one issued version.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reports')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('restrict'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('draft', 'issued')`))
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('pdf', 'bytea', (c) => c.notNull())
    .addColumn('pdf_sha256', 'text', (c) => c.notNull())
    .addColumn('docx', 'bytea', (c) => c.notNull())
    .addColumn('docx_sha256', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('reports_unit_year_version', ['unit_year_id', 'version'])
    .execute();
  await sql`create unique index reports_one_issued on reports (unit_year_id) where kind = 'issued'`.execute(db);
  await sql`
    create function reports_issued_is_frozen() returns trigger language plpgsql as $$
    begin
      if old.kind = 'issued' then
        raise exception 'report % version % is issued and cannot change', old.unit_year_id, old.version using errcode = 'P0001';
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end $$`.execute(db);
  await sql`create trigger reports_freeze before update or delete on reports for each row execute function reports_issued_is_frozen()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger reports_freeze on reports`.execute(db);
  await sql`drop function reports_issued_is_frozen()`.execute(db);
  await db.schema.dropTable('reports').execute();
}
