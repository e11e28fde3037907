import { type Kysely, sql } from 'kysely';

/**
 * The bureau's campaign and review, in use:
 *
 * - a report returned by a reviewer above the unit is revised and issued again as a NEW frozen
 *   version (the earlier issued one stays, frozen): a unit-year may now have several issued
 *   versions — each one after the first only once a reviewer returned the one before (checked
 *   where reports are stored);
 * - messages to a department's or the bureau's officers that concern several units (a campaign's
 *   escalation: "these units are late") belong to no single unit: `notifications.unit_id` may be
 *   null (such messages go to named people only, never to a unit's robot channels);
 * - a campaign records the sections' due date it gave the units and when it closed (every unit
 *   accepted); a campaign unit records where its review is (the level it waits for) and the report
 *   version under review, so progress lists need no workflow queries.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index reports_one_issued`.execute(db);
  await sql`alter table notifications alter column unit_id drop not null`.execute(db);
  await db.schema.alterTable('campaigns').addColumn('task_due_date', 'date').addColumn('closed_at', 'timestamptz').execute();
  await db.schema
    .alterTable('campaign_units')
    .addColumn('review_level', 'text', (c) => c.check(sql`review_level in ('department', 'bureau')`))
    .addColumn('report_version', 'integer')
    .execute();
  await db.schema.createIndex('campaign_units_unit').on('campaign_units').column('unit_id').execute();
  await db.schema.createIndex('publications_published').on('publications').columns(['published_at']).where(sql.ref('withdrawn_at'), 'is', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('publications_published').execute();
  await db.schema.dropIndex('campaign_units_unit').execute();
  await db.schema.alterTable('campaign_units').dropColumn('review_level').dropColumn('report_version').execute();
  await db.schema.alterTable('campaigns').dropColumn('task_due_date').dropColumn('closed_at').execute();
  await db.deleteFrom('notifications').where('unit_id', 'is', null).execute();
  await sql`alter table notifications alter column unit_id set not null`.execute(db);
  await sql`create unique index reports_one_issued on reports (unit_year_id) where kind = 'issued'`.execute(db);
}
