import { type Kysely, sql } from 'kysely';

/**
 * Notifications: an outbox where each message (per recipient and channel) has a unique dedupe key,
 * so a retried or replayed step never creates it twice; delivery claims a row before sending, so
 * a retried delivery never sends twice. In-app messages are the inbox itself. Per-unit robot
 * webhooks (企业微信, 钉钉) are channels of their own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_channels')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('unit_id', 'bigint', (c) => c.notNull().references('units.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('wecom', 'dingtalk')`))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addUniqueConstraint('notification_channels_unit_kind_url', ['unit_id', 'kind', 'url'])
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('unit_id', 'bigint', (c) => c.notNull().references('units.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('in_app', 'email', 'wecom', 'dingtalk')`))
    .addColumn('recipient_user_id', 'bigint', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('channel_id', 'bigint', (c) => c.references('notification_channels.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('workflow_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'sending', 'sent', 'failed', 'uncertain')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('read_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('notifications_has_target', sql`(channel in ('in_app', 'email')) = (recipient_user_id is not null) and (channel in ('wecom', 'dingtalk')) = (channel_id is not null)`)
    .execute();
  await db.schema.createIndex('notifications_inbox').on('notifications').columns(['recipient_user_id', 'created_at']).where(sql.ref('channel'), '=', 'in_app').execute();
  await db.schema.createIndex('notifications_pending').on('notifications').columns(['status', 'created_at']).where(sql.ref('status'), 'in', ['pending', 'sending']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropTable('notification_channels').execute();
}
