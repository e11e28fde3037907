import { type Kysely, sql } from 'kysely';

/**
 * The finance bureau's side: organisations above units (a 财政局 and its 主管部门) and the people
 * who work there; a year's campaign (the notice that starts every unit's evaluation) and the units
 * it covers; review decisions above the unit (accept, return with comments, adjust a score); and
 * publications of accepted reports (预决算公开), withdrawable.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('bureau', 'department')`))
    .addColumn('parent_id', 'bigint', (c) => c.references('organisations.id').onDelete('restrict'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    // A bureau is the top; a department belongs to a bureau.
    .addCheckConstraint('organisations_tree', sql`(kind = 'bureau') = (parent_id is null)`)
    .execute();

  await db.schema
    .createTable('organisation_roles')
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('organisation_id', 'bigint', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('bureau_officer', 'department_officer')`))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('organisation_roles_pk', ['user_id', 'organisation_id', 'role'])
    .execute();

  // The organisation a unit reports to: its 主管部门, or the bureau directly.
  await db.schema.alterTable('units').addColumn('organisation_id', 'bigint', (c) => c.references('organisations.id').onDelete('set null')).execute();
  await db.schema.createIndex('units_organisation').on('units').column('organisation_id').execute();

  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('organisation_id', 'bigint', (c) => c.notNull().references('organisations.id').onDelete('restrict'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('rule_set_id', 'text', (c) => c.notNull())
    .addColumn('rule_set_version', 'integer')
    .addColumn('outline', 'text')
    .addColumn('notice', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('campaigns_organisation_year', ['organisation_id', 'year'])
    .execute();

  await db.schema
    .createTable('campaign_units')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('unit_id', 'bigint', (c) => c.notNull().references('units.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('joined').check(sql`state in ('joined', 'waiting_ledger', 'started', 'issued', 'in_review', 'returned', 'accepted')`))
    .addColumn('starter_workflow_id', 'text')
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('campaign_units_pk', ['campaign_id', 'unit_id'])
    .execute();

  await db.schema
    .createTable('review_decisions')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
    .addColumn('report_version', 'integer', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('department', 'bureau')`))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('accept', 'return', 'adjust')`))
    .addColumn('actor', 'text', (c) => c.notNull())
    /** Per section or indicator: `[{ section? , indicator?, text }]`. */
    .addColumn('comments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    /** Reviewed scores: `[{ indicator, pointsCp, reason }]`. */
    .addColumn('adjustments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('review_decisions_unit_year').on('review_decisions').columns(['unit_year_id', 'id']).execute();

  await db.schema
    .createTable('publications')
    .addColumn('unit_year_id', 'bigint', (c) => c.primaryKey().references('unit_years.id').onDelete('cascade'))
    .addColumn('report_version', 'integer', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('withdrawn_by', 'text')
    .addColumn('withdrawn_reason', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['publications', 'review_decisions', 'campaign_units', 'campaigns']) await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('units_organisation').execute();
  await db.schema.alterTable('units').dropColumn('organisation_id').execute();
  await db.schema.dropTable('organisation_roles').execute();
  await db.schema.dropTable('organisations').execute();
}
