import { type Kysely, sql } from 'kysely';

/**
 * The ledger: units, sections, people and roles, unit-years with their stated figures kept apart
 * from itemised rows (projects, allocations, contracts, payments, holdbacks, O&M assessments),
 * section submissions, and the log of imports. Money is bigint 分 with CHECKs; codes are unique
 * within a unit-year so files, spreadsheets and workflow ids can name rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = (t: any) => t.generatedAlwaysAsIdentity().primaryKey();
  const now = sql`now()`;

  await db.schema
    .createTable('units')
    .addColumn('id', 'bigint', id)
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text')
    .addColumn('level', 'text')
    .addColumn('category', 'text')
    .addColumn('funding_type', 'text')
    .addColumn('staff_quota', 'integer', (c) => c.notNull().check(sql`staff_quota >= 0`))
    .addColumn('leadership_posts', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('section_leadership_posts', 'integer')
    .addColumn('functions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('sections')
    .addColumn('id', 'bigint', id)
    .addColumn('unit_id', 'bigint', (c) => c.notNull().references('units.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'text')
    .addColumn('report_order', 'integer')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addUniqueConstraint('sections_unit_code', ['unit_id', 'code'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'bigint', id)
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await sql`create unique index users_email_lower on users (lower(email))`.execute(db);

  await db.schema
    .createTable('user_roles')
    .addColumn('id', 'bigint', id)
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('unit_id', 'bigint', (c) => c.notNull().references('units.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('finance_officer', 'section_head', 'unit_head', 'admin')`))
    .addColumn('section_id', 'bigint', (c) => c.references('sections.id').onDelete('cascade'))
    .addCheckConstraint('user_roles_section_head_has_section', sql`(role = 'section_head') = (section_id is not null)`)
    .execute();
  await sql`create unique index user_roles_unique on user_roles (user_id, unit_id, role, coalesce(section_id, 0))`.execute(db);

  await db.schema
    .createTable('unit_years')
    .addColumn('id', 'bigint', id)
    .addColumn('unit_id', 'bigint', (c) => c.notNull().references('units.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('staff_actual', 'integer', (c) => c.notNull().check(sql`staff_actual >= 0`))
    .addColumn('staff_previous_year', 'integer')
    .addColumn('staff_source', 'text')
    .addColumn('narrative', 'jsonb', (c) => c.notNull())
    .addColumn('report_date', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('unit_years_unit_year', ['unit_id', 'year'])
    .execute();

  // What the unit declares, one row per figure: `key` like 'expenditure.personnel'.
  await db.schema
    .createTable('stated_figures')
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint')
    .addColumn('share_bp', 'integer')
    .addColumn('source', 'text')
    .addPrimaryKeyConstraint('stated_figures_pk', ['unit_year_id', 'key'])
    .addCheckConstraint('stated_figures_one_value', sql`(amount_fen is null) <> (share_bp is null)`)
    .addCheckConstraint('stated_figures_non_negative', sql`coalesce(amount_fen, 0) >= 0 and coalesce(share_bp, 0) >= 0`)
    .execute();

  await db.schema
    .createTable('income_sources')
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull().check(sql`amount_fen >= 0`))
    .addPrimaryKeyConstraint('income_sources_pk', ['unit_year_id', 'position'])
    .execute();

  const itemTable = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', 'bigint', id)
      .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addUniqueConstraint(`${name}_unit_year_code`, ['unit_year_id', 'code']);

  await itemTable('projects')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_key', 'boolean')
    .addColumn('description', 'text')
    .addColumn('source', 'text')
    .execute();

  await itemTable('allocations')
    .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('budget_year', 'integer', (c) => c.notNull())
    .addColumn('original_budget_year', 'integer')
    .addColumn('amount_fen', 'bigint', (c) => c.notNull().check(sql`amount_fen >= 0`))
    .addColumn('source', 'text')
    .execute();

  await itemTable('contracts')
    .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text')
    .addColumn('vendor', 'text')
    .addColumn('amount_fen', 'bigint', (c) => c.check(sql`amount_fen >= 0`))
    .addColumn('signed_on', 'date')
    .addColumn('accepted_on', 'date')
    .addColumn('warranty_months', 'integer', (c) => c.check(sql`warranty_months between 0 and 120`))
    .addColumn('retention_rate_bp', 'integer', (c) => c.check(sql`retention_rate_bp between 0 and 10000`))
    .addColumn('payment_term_days', 'integer', (c) => c.notNull().check(sql`payment_term_days between 1 and 60`))
    .addColumn('om_coefficient_applies', 'boolean', (c) => c.notNull())
    .addColumn('note', 'text')
    .execute();

  await itemTable('payments')
    .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('allocation_id', 'bigint', (c) => c.notNull().references('allocations.id').onDelete('cascade'))
    .addColumn('contract_id', 'bigint', (c) => c.references('contracts.id').onDelete('set null'))
    .addColumn('amount_fen', 'bigint', (c) => c.notNull().check(sql`amount_fen >= 0`))
    .addColumn('paid_on', 'date')
    .addColumn('note', 'text')
    .addColumn('source', 'text')
    .execute();

  await itemTable('holdbacks')
    .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('retention', 'om_assessment', 'acceptance', 'milestone')`))
    .addColumn('allocation_id', 'bigint', (c) => c.notNull().references('allocations.id').onDelete('cascade'))
    .addColumn('contract_id', 'bigint', (c) => c.references('contracts.id').onDelete('set null'))
    .addColumn('amount_fen', 'bigint', (c) => c.notNull().check(sql`amount_fen >= 0`))
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('period', 'text')
    .addColumn('milestone', 'text')
    .addColumn('due_on', 'date')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting', 'payable', 'partially_released', 'released', 'forfeited')`))
    .addColumn('source', 'text')
    .execute();

  await db.schema
    .createTable('om_assessments')
    .addColumn('id', 'bigint', id)
    .addColumn('holdback_id', 'bigint', (c) => c.notNull().references('holdbacks.id').onDelete('cascade'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('assessed_on', 'date')
    .addColumn('score', sql`numeric(5,2)`, (c) => c.check(sql`score between 0 and 100`))
    .addColumn('passed', 'boolean', (c) => c.notNull())
    .addColumn('coefficient_bp', 'integer', (c) => c.check(sql`coefficient_bp between 0 and 10000`))
    .addColumn('note', 'text')
    .addUniqueConstraint('om_assessments_holdback_period', ['holdback_id', 'period'])
    .execute();

  await db.schema
    .createTable('section_submissions')
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
    .addColumn('section_id', 'bigint', (c) => c.notNull().references('sections.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    // 'import': known at import time (the seed); 'task': submitted through the evaluation, which wins.
    .addColumn('origin', 'text', (c) => c.notNull().check(sql`origin in ('import', 'task')`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('section_submissions_pk', ['unit_year_id', 'section_id', 'origin'])
    .execute();

  await db.schema
    .createTable('ledger_imports')
    .addColumn('id', 'bigint', id)
    .addColumn('unit_year_id', 'bigint', (c) => c.notNull().references('unit_years.id').onDelete('cascade'))
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('ledger_imports_unit_year').on('ledger_imports').columns(['unit_year_id', 'imported_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'ledger_imports', 'section_submissions', 'om_assessments', 'holdbacks', 'payments', 'contracts', 'allocations', 'projects',
    'income_sources', 'stated_figures', 'unit_years', 'user_roles', 'users', 'sections', 'units',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
