import { type Kysely, sql } from 'kysely';

/**
 * The score's inputs: the unit-year's rule set, its 基础数据表 and the self-assessment from the
 * file; which rule-set indicators a section assesses; a project's 项目支出绩效自评表; the
 * finance officer's self-assessment entered in the browser (one row per indicator, replacing the
 * file's entry for it); and the evidence files (佐证材料) those entries cite, stored in Postgres
 * with their sha256 so a report can name exactly what it relied on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('unit_years')
    .addColumn('rule_set', 'text')
    .addColumn('basic_data', 'jsonb')
    .addColumn('self_assessment', 'jsonb')
    .addColumn('data_note', 'text')
    .execute();
  await db.schema.alterTable('sections').addColumn('assesses', 'jsonb').execute();
  await db.schema.alterTable('projects').addColumn('evaluation', 'jsonb').execute();

  await db.schema
    .createTable('evidence_files')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull().check(sql`size_bytes > 0`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The same bytes uploaded twice for a unit-year are one file (a retried upload adds nothing).
    .addUniqueConstraint('evidence_files_unit_year_sha', ['unit_year_id', 'sha256'])
    .execute();

  await db.schema
    .createTable('self_assessments')
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('entry', 'jsonb', (c) => c.notNull())
    .addColumn('entered_by', 'bigint', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('self_assessments_pk', ['unit_year_id', 'indicator'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('self_assessments').execute();
  await db.schema.dropTable('evidence_files').execute();
  await db.schema.alterTable('projects').dropColumn('evaluation').execute();
  await db.schema.alterTable('sections').dropColumn('assesses').execute();
  await db.schema.alterTable('unit_years').dropColumn('rule_set').dropColumn('basic_data').dropColumn('self_assessment').dropColumn('data_note').execute();
}
