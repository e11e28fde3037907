import { type Kysely, sql } from 'kysely';

/**
 * The finance officer's self-assessment becomes a task of the evaluation beside the section
 * tasks: a task row without a section (`kind = 'self_assessment'`, one per evaluation), in the same
 * inbox and with the same reminders. Evidence files (佐证材料) remember the section whose head
 * uploaded them, so a section head sees their own section's files and nobody else's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('section').check(sql`kind in ('section', 'self_assessment')`))
    .execute();
  await db.schema.alterTable('tasks').alterColumn('section_id', (c) => c.dropNotNull()).execute();
  await sql`alter table tasks add constraint tasks_kind_section check ((kind = 'section') = (section_id is not null))`.execute(db);
  // One self-assessment task per evaluation (section tasks stay unique per section).
  await sql`create unique index tasks_evaluation_self_assessment on tasks (evaluation_id) where kind = 'self_assessment'`.execute(db);

  await db.schema.alterTable('evidence_files').addColumn('section_id', 'bigint', (c) => c.references('sections.id').onDelete('set null')).execute();
  // The same bytes are one file per unit-year and uploader's section (a retried upload adds nothing).
  await db.schema.alterTable('evidence_files').dropConstraint('evidence_files_unit_year_sha').execute();
  await sql`create unique index evidence_files_unit_year_section_sha on evidence_files (unit_year_id, (coalesce(section_id, 0)), sha256)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index evidence_files_unit_year_section_sha`.execute(db);
  await db.deleteFrom('evidence_files').where('section_id', 'is not', null).execute();
  await db.schema.alterTable('evidence_files').dropColumn('section_id').execute();
  await db.schema.alterTable('evidence_files').addUniqueConstraint('evidence_files_unit_year_sha', ['unit_year_id', 'sha256']).execute();
  await sql`drop index tasks_evaluation_self_assessment`.execute(db);
  await db.deleteFrom('tasks').where('kind', '=', 'self_assessment').execute();
  await sql`alter table tasks drop constraint tasks_kind_section`.execute(db);
  await db.schema.alterTable('tasks').alterColumn('section_id', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('tasks').dropColumn('kind').execute();
}
