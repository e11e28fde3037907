import { type Kysely, sql } from 'kysely';

/**
 * The annual evaluation as Postgres sees it: one evaluation per unit-year (its stage, decisions
 * and results, kept current by the workflow's activities), ledger snapshots, the tasks projection
 * the inboxes read, and the append-only audit log of every state change with its actor.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('evaluations')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().unique().references('unit_years.id').onDelete('restrict'))
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('collecting', 'reviewing', 'scoring', 'drafting', 'approving', 'issuing', 'issued')`))
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('snapshot_sha256', 'text', (c) => c.notNull())
    .addColumn('findings', 'jsonb')
    .addColumn('findings_sha256', 'text')
    .addColumn('score', 'jsonb')
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('report_version', 'integer')
    .addColumn('issued_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('ledger_snapshots')
    .addColumn('evaluation_id', 'bigint', (c) => c.notNull().references('evaluations.id').onDelete('cascade'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('taken_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('ledger_snapshots_pk', ['evaluation_id', 'sha256'])
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('evaluation_id', 'bigint', (c) => c.notNull().references('evaluations.id').onDelete('cascade'))
    .addColumn('unit_id', 'bigint', (c) => c.notNull().references('units.id').onDelete('cascade'))
    .addColumn('section_id', 'bigint', (c) => c.notNull().references('sections.id').onDelete('cascade'))
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('open', 'draft', 'submitted', 'overdue', 'returned', 'cancelled')`))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('draft', 'jsonb')
    .addColumn('draft_saved_at', 'timestamptz')
    .addColumn('draft_saved_by', 'text')
    .addColumn('returned_reason', 'text')
    .addColumn('cancelled_reason', 'text')
    .addColumn('submitted_by', 'text')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('tasks_evaluation_section', ['evaluation_id', 'section_id'])
    .execute();
  // Inbox pages: a unit's tasks, or a section's, in due-date order (the page is read off the index).
  await db.schema.createIndex('tasks_unit_due').on('tasks').columns(['unit_id', 'due_at', 'id']).execute();
  await db.schema.createIndex('tasks_section_due').on('tasks').columns(['unit_id', 'section_id', 'due_at', 'id']).execute();
  await db.schema.createIndex('tasks_due').on('tasks').columns(['state', 'due_at']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'bigint', (c) => c.references('units.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    /** Unique per logical event, so a retried activity logs once. */
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('audit_log_unit_at').on('audit_log').columns(['unit_id', 'at']).execute();
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log is append-only' using errcode = 'P0001';
    end $$`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger audit_log_append_only on audit_log`.execute(db);
  await sql`drop function audit_log_append_only()`.execute(db);
  for (const t of ['audit_log', 'tasks', 'ledger_snapshots', 'evaluations']) await db.schema.dropTable(t).execute();
}
