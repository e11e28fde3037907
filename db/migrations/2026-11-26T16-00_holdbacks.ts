import { type Kysely, sql } from 'kysely';

/**
 * Withheld payments on durable timers. The holdback workflows keep three tables current through
 * idempotent activities; all are keyed by the workflow id (`holdback/<unit>/<year>/<code>`) rather
 * than by a foreign key to `holdbacks`, because a re-import of a unit-year file deletes the
 * holdback rows the file does not have (e.g. a retention opened by an acceptance) and the process
 * record must survive that:
 *
 * - holdback_progress: one row per holdback workflow — status, phase, what it awaits, amounts in 分
 *   (held + payable + released + forfeited + transferred = amount), next due date and next
 *   reminder; written only forward (`version`). "What falls due when" reads it.
 * - holdback_events: every recorded fact (assessment, acceptance, defect, milestone, release),
 *   unique per (workflow, request id) so a retried request is stored once; releases carry a
 *   deterministic payment code.
 * - holdback_reminders: every reminder fired, unique per dedupe key, with the instant it was due
 *   and the instant it fired (the workflow's clock) — lateness is their difference.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  const money = (name: string) => (c: any) => c.notNull().check(sql`${sql.ref(name)} >= 0`);

  await db.schema
    .createTable('holdback_progress')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('unit_code', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('holdback_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('retention', 'om_assessment', 'acceptance', 'milestone')`))
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('ledger', 'derived')`))
    .addColumn('parent_code', 'text')
    .addColumn('project_code', 'text', (c) => c.notNull())
    .addColumn('project_name', 'text', (c) => c.notNull())
    .addColumn('allocation_code', 'text', (c) => c.notNull())
    .addColumn('contract_code', 'text')
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('warranty_start_on', 'date')
    .addColumn('warranty_months', 'integer')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting', 'payable', 'partially_released', 'released', 'forfeited')`))
    .addColumn('phase', 'text', (c) => c.notNull().check(sql`phase in ('awaiting_assessment', 'awaiting_acceptance', 'awaiting_milestone', 'warranty', 'payable', 'closed')`))
    .addColumn('awaiting', 'text', (c) => c.notNull().check(sql`awaiting in ('warranty_end', 'assessment', 'acceptance', 'milestone', 'payment', 'nothing')`))
    .addColumn('period', 'text')
    .addColumn('milestone', 'text')
    .addColumn('amount_fen', 'bigint', money('amount_fen'))
    .addColumn('held_fen', 'bigint', money('held_fen'))
    .addColumn('payable_fen', 'bigint', money('payable_fen'))
    .addColumn('released_fen', 'bigint', money('released_fen'))
    .addColumn('forfeited_fen', 'bigint', money('forfeited_fen'))
    .addColumn('transferred_fen', 'bigint', money('transferred_fen'))
    .addColumn('next_due_on', 'date')
    .addColumn('next_reminder_at', 'timestamptz')
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('business_at', 'timestamptz', (c) => c.notNull())
    .addColumn('written_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('holdback_progress_ref', ['unit_code', 'year', 'holdback_code'])
    .addCheckConstraint('holdback_progress_amounts_add_up', sql`held_fen + payable_fen + released_fen + forfeited_fen + transferred_fen = amount_fen`)
    .execute();
  await db.schema.createIndex('holdback_progress_unit_open').on('holdback_progress').columns(['unit_code', 'next_due_on']).where(sql.ref('phase'), '<>', 'closed').execute();

  await db.schema
    .createTable('holdback_events')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('unit_code', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('holdback_code', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('assessment', 'acceptance', 'defect', 'milestone', 'release')`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('ledger', 'update')`))
    .addColumn('occurred_on', 'date', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.check(sql`amount_fen > 0`))
    .addColumn('payment_code', 'text')
    .addColumn('actor', 'text')
    .addColumn('summary_zh', 'text', (c) => c.notNull())
    .addColumn('summary_en', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addColumn('business_at', 'timestamptz', (c) => c.notNull())
    .addColumn('written_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('holdback_events_request', ['workflow_id', 'request_id'])
    .addCheckConstraint('holdback_events_release_has_payment', sql`(type = 'release') = (payment_code is not null and amount_fen is not null)`)
    .execute();
  await sql`create unique index holdback_events_payment_code on holdback_events (unit_code, payment_code) where payment_code is not null`.execute(db);
  await db.schema.createIndex('holdback_events_unit_paid').on('holdback_events').columns(['unit_code', 'occurred_on']).where(sql.ref('type'), '=', 'release').execute();

  await db.schema
    .createTable('holdback_reminders')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('unit_code', 'text', (c) => c.notNull())
    .addColumn('holdback_code', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull().check(sql`plan in ('retention', 'payment', 'assessment')`))
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('reminder_key', 'text', (c) => c.notNull())
    .addColumn('reminder_date', 'date', (c) => c.notNull())
    .addColumn('catch_up', 'boolean', (c) => c.notNull())
    .addColumn('scheduled_at', 'timestamptz', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
    .addColumn('written_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('holdback_reminders_workflow').on('holdback_reminders').columns(['workflow_id', 'scheduled_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('holdback_reminders').execute();
  await db.schema.dropTable('holdback_events').execute();
  await db.schema.dropTable('holdback_progress').execute();
}
