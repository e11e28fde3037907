/**
 * The notification outbox. Rows are created once per dedupe key (ON CONFLICT DO NOTHING); a
 * delivery claims a pending row (pending → sending) before it sends, so two deliveries — a
 * retried activity, a second worker — never send the same row; what happens to a claimed row
 * whose sender died is decided by `expireClaims`, never by sending again.
 */
import { sql } from 'kysely';
import type { Role } from '../domain/ledger/unit-year.schema';
import type { Db } from './connection';
import type { NotificationChannel, NotificationStatus } from './schema';

export interface Recipient {
  userId: number;
  email: string;
  name: string;
}

export interface Audience {
  roles?: Role[];
  /** Section heads of this section only. */
  section?: string;
  userIds?: number[];
}

export async function unitIdOf(db: Db, unitCode: string): Promise<number | undefined> {
  return (await db.selectFrom('units').select('id').where('code', '=', unitCode).executeTakeFirst())?.id;
}

/** Users of a unit with any of the roles (section heads only of `section` when given), plus explicit ids. */
export async function recipientsFor(db: Db, unitId: number, audience: Audience): Promise<Recipient[]> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .leftJoin('sections', 'sections.id', 'user_roles.section_id')
    .select(['users.id as userId', 'users.email', 'users.name', 'user_roles.role', 'sections.code as section'])
    .where('user_roles.unit_id', '=', unitId)
    .orderBy('users.id')
    .execute();
  const wanted = rows.filter(
    (r) =>
      (audience.userIds ?? []).includes(r.userId) ||
      ((audience.roles ?? []).includes(r.role) && (r.role !== 'section_head' || audience.section === undefined || r.section === audience.section)),
  );
  const seen = new Map<number, Recipient>();
  for (const r of wanted) seen.set(r.userId, { userId: r.userId, email: r.email, name: r.name });
  return [...seen.values()];
}

export interface ChannelRow {
  id: number;
  kind: 'wecom' | 'dingtalk';
  url: string;
  secret: string | null;
}

export async function unitChannels(db: Db, unitId: number): Promise<ChannelRow[]> {
  return db.selectFrom('notification_channels').select(['id', 'kind', 'url', 'secret']).where('unit_id', '=', unitId).where('enabled', '=', true).orderBy('id').execute();
}

export interface NewNotification {
  dedupeKey: string;
  unitId: number;
  kind: string;
  channel: NotificationChannel;
  recipientUserId?: number;
  channelId?: number;
  subject: string;
  body: string;
  link?: string;
  workflowId?: string;
}

export interface NotificationRow {
  id: number;
  dedupeKey: string;
  channel: NotificationChannel;
  status: NotificationStatus;
  recipientUserId: number | null;
  channelId: number | null;
  subject: string;
  body: string;
  link: string | null;
}

const rowColumns = ['id', 'dedupe_key', 'channel', 'status', 'recipient_user_id', 'channel_id', 'subject', 'body', 'link'] as const;
const toRow = (r: { id: number; dedupe_key: string; channel: NotificationChannel; status: NotificationStatus; recipient_user_id: number | null; channel_id: number | null; subject: string; body: string; link: string | null }): NotificationRow => ({
  id: r.id, dedupeKey: r.dedupe_key, channel: r.channel, status: r.status, recipientUserId: r.recipient_user_id, channelId: r.channel_id, subject: r.subject, body: r.body, link: r.link,
});

/** Creates the rows that do not exist yet; returns every row for the given keys (new or old). */
export async function enqueue(db: Db, messages: NewNotification[]): Promise<{ rows: NotificationRow[]; created: number }> {
  if (messages.length === 0) return { rows: [], created: 0 };
  const inserted = await db
    .insertInto('notifications')
    .values(
      messages.map((m) => ({
        dedupe_key: m.dedupeKey,
        unit_id: m.unitId,
        kind: m.kind,
        channel: m.channel,
        recipient_user_id: m.recipientUserId ?? null,
        channel_id: m.channelId ?? null,
        subject: m.subject,
        body: m.body,
        link: m.link ?? null,
        workflow_id: m.workflowId ?? null,
        // In-app messages are delivered by being written.
        status: m.channel === 'in_app' ? 'sent' : 'pending',
        sent_at: m.channel === 'in_app' ? sql<Date>`now()` : null,
      })),
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .execute();
  const rows = await db.selectFrom('notifications').select(rowColumns).where('dedupe_key', 'in', messages.map((m) => m.dedupeKey)).orderBy('id').execute();
  return { rows: rows.map(toRow), created: inserted.length };
}

/** pending → sending, for exactly one caller. */
export async function claim(db: Db, id: number): Promise<NotificationRow | undefined> {
  const row = await db
    .updateTable('notifications')
    .set({ status: 'sending', claimed_at: sql<Date>`now()`, attempts: sql<number>`attempts + 1` })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning(rowColumns)
    .executeTakeFirst();
  return row && toRow(row);
}

export async function markSent(db: Db, id: number): Promise<void> {
  await db.updateTable('notifications').set({ status: 'sent', sent_at: sql<Date>`now()`, error: null }).where('id', '=', id).where('status', '=', 'sending').execute();
}

/**
 * A send that certainly did not happen (refused connection, rejected request) goes back to
 * pending for a later attempt; one whose outcome is unknown becomes `uncertain` and is shown to a
 * person rather than sent again.
 */
export async function markFailed(db: Db, id: number, error: string, outcome: 'not_sent' | 'unknown'): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ status: outcome === 'not_sent' ? 'pending' : 'uncertain', error: error.slice(0, 2000) })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** Claims older than `olderThanMs` belong to senders that died mid-send: their outcome is unknown. */
export async function expireClaims(db: Db, olderThanMs: number): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ status: 'uncertain', error: 'the sender stopped while sending; delivery unknown' })
    .where('status', '=', 'sending')
    .where('claimed_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000})`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface InboxItem {
  id: number;
  kind: string;
  subject: string;
  body: string;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

export async function inbox(db: Db, userId: number, limit = 50): Promise<InboxItem[]> {
  const rows = await db
    .selectFrom('notifications')
    .select(['id', 'kind', 'subject', 'body', 'link', 'created_at', 'read_at'])
    .where('recipient_user_id', '=', userId)
    .where('channel', '=', 'in_app')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, subject: r.subject, body: r.body, link: r.link, createdAt: r.created_at, readAt: r.read_at }));
}

export async function markRead(db: Db, userId: number, id: number): Promise<boolean> {
  const r = await db.updateTable('notifications').set({ read_at: sql<Date>`now()` }).where('id', '=', id).where('recipient_user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
