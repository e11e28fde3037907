import { type Kysely, sql } from 'kysely';

/**
 * Accounts without an operator, and what administration needs:
 * - one-time password reset links an administrator issues (only the token's sha256 is stored; it
 *   expires and is used once);
 * - robot channels (企业微信 / 钉钉) with a label, who added them, and the outcome of their last
 *   test message;
 * - the audit log read by time and by actor (the viewer's filters);
 * - an O&M contract's assessment table (pass mark, coefficient by score) on the contract.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('password_resets')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('password_resets_user').on('password_resets').column('user_id').execute();

  await db.schema
    .alterTable('notification_channels')
    .addColumn('label', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('tested_at', 'timestamptz')
    .addColumn('test_error', 'text')
    .execute();

  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_log_actor_at').on('audit_log').columns(['actor', 'at']).execute();

  await db.schema.alterTable('contracts').addColumn('om_scoring', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contracts').dropColumn('om_scoring').execute();
  await db.schema.dropIndex('audit_log_actor_at').execute();
  await db.schema.dropIndex('audit_log_at').execute();
  for (const c of ['test_error', 'tested_at', 'created_at', 'created_by', 'label']) await db.schema.alterTable('notification_channels').dropColumn(c).execute();
  await db.schema.dropTable('password_resets').execute();
}
