/**
 * The notification outbox. Rows are created once per dedupe key (ON CONFLICT DO NOTHING); a
 * delivery claims a pending row (pending → sending) before it sends, so two deliveries — a
 * retried activity, a second worker — never send the same row; what happens to a claimed row
 * whose sender died is decided by `expireClaims`, never by sending again.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { Role } from '../domain/ledger/unit-year.schema';
import type { Db } from './connection';
import type { Database, NotificationChannel, NotificationsTable, NotificationStatus } from './schema';

export interface Recipient {
  userId: number;
  email: string;
  name: string;
}

export interface Audience {
  roles?: Role[];
  /** Section heads of this section only. */
  section?: string;
  /** These people, whatever their roles (a department's or the bureau's officers, who have none in the unit). */
  userIds?: number[];
}

export { unitIdOf } from './ids';

/**
 * Users of a unit with any of the roles (section heads only of `section` when given), plus the
 * people named by id (with or without a role in the unit). Without a unit: the named people only.
 */
export async function recipientsFor(db: Db, unitId: number | null, audience: Audience): Promise<Recipient[]> {
  const rows =
    unitId === null || !(audience.roles ?? []).length
      ? []
      : await db
          .selectFrom('user_roles')
          .innerJoin('users', 'users.id', 'user_roles.user_id')
          .leftJoin('sections', 'sections.id', 'user_roles.section_id')
          .select(['users.id as userId', 'users.email', 'users.name', 'user_roles.role', 'sections.code as section'])
          .where('user_roles.unit_id', '=', unitId)
          .orderBy('users.id')
          .execute();
  const wanted = rows.filter((r) => (audience.roles ?? []).includes(r.role) && (r.role !== 'section_head' || audience.section === undefined || r.section === audience.section));
  const named = (audience.userIds ?? []).length ? await db.selectFrom('users').select(['id as userId', 'email', 'name']).where('id', 'in', audience.userIds!).orderBy('id').execute() : [];
  const seen = new Map<number, Recipient>();
  for (const r of [...wanted, ...named].sort((a, b) => a.userId - b.userId)) seen.set(r.userId, { userId: r.userId, email: r.email, name: r.name });
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
  /** `null`: a message to named people about several units (an organisation's officers). */
  unitId: number | null;
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
        give_up_at: m.channel === 'in_app' ? null : windowEnd(),
      })),
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning(rowColumns)
    .execute();
  // All new (the usual case): what was inserted is every row. Otherwise (a retry, a message sent
  // before) the rows that were there already are read as they are now.
  const rows = inserted.length === messages.length ? inserted : await db.selectFrom('notifications').select(rowColumns).where('dedupe_key', 'in', messages.map((m) => m.dedupeKey)).execute();
  return { rows: rows.map(toRow).sort((a, b) => a.id - b.id), created: inserted.length };
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
    .set({
      status: outcome === 'not_sent' ? 'pending' : 'uncertain',
      error: error.slice(0, 2000),
      // The next attempt backs off with the attempts made: 30 s, 1, 2, 4 … minutes, at most an hour apart.
      next_attempt_at: outcome === 'not_sent' ? sql<Date>`now() + make_interval(secs => least(${RETRY_MAX_S}, ${RETRY_FIRST_S} * power(2, greatest(attempts - 1, 0))))` : null,
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/** How long an undelivered message keeps being tried before it is `failed` (and shown to an administrator). */
export const DELIVERY_WINDOW_MS = 72 * 60 * 60 * 1000;
/** When a window opened now closes. */
const windowEnd = () => sql<Date>`now() + make_interval(secs => ${DELIVERY_WINDOW_MS / 1000})`;
/** When a pending message of `table` (its name or alias) is next due: at once when written, or at its retry (the index notifications_due). */
const dueAt = (table: string) => sql<Date>`coalesce(${sql.ref(`${table}.next_attempt_at`)}, ${sql.ref(`${table}.created_at`)})`;
const RETRY_FIRST_S = 30;
const RETRY_MAX_S = 3600;

/**
 * Pending messages whose next attempt is due (oldest first), with what sending them needs: the
 * recipient's address and the robot channel (null when it was turned off since).
 */
export async function duePending(db: Db, limit: number): Promise<Array<NotificationRow & { email: string | null; robot: (ChannelRow & { enabled: boolean }) | null }>> {
  const rows = await db
    .selectFrom('notifications as n')
    .leftJoin('users as u', 'u.id', 'n.recipient_user_id')
    .leftJoin('notification_channels as c', 'c.id', 'n.channel_id')
    .select(['n.id', 'n.dedupe_key', 'n.channel', 'n.status', 'n.recipient_user_id', 'n.channel_id', 'n.subject', 'n.body', 'n.link', 'u.email', 'c.kind as channel_kind', 'c.url as channel_url', 'c.secret as channel_secret', 'c.enabled as channel_enabled'])
    .where('n.status', '=', 'pending')
    .where(sql<boolean>`${dueAt('n')} <= now()`)
    .orderBy(dueAt('n'))
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...toRow(r),
    email: r.email ?? null,
    robot: r.channel_id !== null && r.channel_kind && r.channel_url ? { id: r.channel_id, kind: r.channel_kind, url: r.channel_url, secret: r.channel_secret ?? null, enabled: r.channel_enabled ?? false } : null,
  }));
}

/**
 * The outbox as an operator watches it: messages due for sending now (at most 10,000 counted) and
 * how long the oldest has waited. A backlog that grows means no worker relays, or mail is away.
 */
export async function outboxBacklog(db: Db): Promise<{ due: number; oldestDueSeconds: number | null }> {
  const r = await db
    .selectFrom((qb) =>
      qb
        .selectFrom('notifications')
        .select(dueAt('notifications').as('due_at'))
        .where('status', '=', 'pending')
        .where(sql<boolean>`${dueAt('notifications')} <= now()`)
        .orderBy(dueAt('notifications'))
        .limit(10_000)
        .as('d'),
    )
    .select([sql<number>`count(*)::int`.as('due'), sql<number | null>`floor(extract(epoch from now() - min(d.due_at)))::int`.as('oldest')])
    .executeTakeFirstOrThrow();
  return { due: r.due, oldestDueSeconds: r.oldest };
}

/** Pending messages whose window closed undelivered become `failed` (with why); returns how many. */
export async function giveUpOverdue(db: Db): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ status: 'failed', error: sql<string>`'gave up after ' || attempts || ' attempts: ' || coalesce(error, 'not sent')`, next_attempt_at: null })
    .where('status', '=', 'pending')
    .where('give_up_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** A pending message that cannot be sent at all (its channel was turned off): `failed` at once. */
export async function markUndeliverable(db: Db, id: number, error: string): Promise<void> {
  await db.updateTable('notifications').set({ status: 'failed', error, next_attempt_at: null }).where('id', '=', id).where('status', 'in', ['pending', 'sending']).execute();
}

export interface UndeliveredNotification {
  id: number;
  kind: string;
  channel: NotificationChannel;
  /** The person's email, or the robot channel's label. */
  to: string;
  subject: string;
  link: string | null;
  /** pending: still being tried (after at least one failed attempt); uncertain: the send may have happened; failed: given up. */
  status: 'pending' | 'uncertain' | 'failed';
  attempts: number;
  error: string | null;
  createdAt: Date;
  nextAttemptAt: Date | null;
  giveUpAt: Date | null;
}

/**
 * Whose undelivered messages: a unit's (to its people and robots), or the messages about several
 * units to the officers of the given organisations (a bureau and its departments), which belong to no unit.
 */
export type UndeliveredScope = { unitId: number } | { officersOf: readonly number[] };

const inScope = (scope: UndeliveredScope) => (eb: ExpressionBuilder<Database & { n: NotificationsTable }, 'n'>) =>
  'unitId' in scope
    ? eb('n.unit_id', '=', scope.unitId)
    : eb.and([
        eb('n.unit_id', 'is', null),
        eb('n.recipient_user_id', 'in', (qb) => qb.selectFrom('organisation_roles').select('organisation_roles.user_id').where('organisation_roles.organisation_id', 'in', scope.officersOf.length ? [...scope.officersOf] : [-1])),
      ]);

/** Not delivered: given up, perhaps sent, or retrying after a failed try — literally the predicate of the index notifications_undelivered. */
const UNDELIVERED = sql<boolean>`(n.status in ('uncertain', 'failed') or (n.status = 'pending' and n.attempts > 0))`;

/** The messages of the scope that did not reach their recipient: retrying, uncertain or given up; newest first. */
export async function undelivered(db: Db, scope: UndeliveredScope, limit = 200, only: { workflowPrefixes?: readonly string[]; workflowId?: string } = {}): Promise<UndeliveredNotification[]> {
  let query = db
    .selectFrom('notifications as n')
    .leftJoin('users as u', 'u.id', 'n.recipient_user_id')
    .leftJoin('notification_channels as c', 'c.id', 'n.channel_id')
    .select(['n.id', 'n.kind', 'n.channel', 'n.subject', 'n.link', 'n.status', 'n.attempts', 'n.error', 'n.created_at', 'n.next_attempt_at', 'n.give_up_at', 'u.email', 'c.label', 'c.kind as channel_kind'])
    .where(inScope(scope))
    .where(UNDELIVERED);
  // Only the messages of these workflows (a unit-year's evaluation and its tasks: `evaluation/<unit>/<year>…`).
  if (only.workflowId !== undefined) query = query.where('n.workflow_id', '=', only.workflowId);
  const prefixes = only.workflowPrefixes;
  if (prefixes) {
    const like = (p: string) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or(prefixes.map((p) => eb('n.workflow_id', 'like', like(p)))));
  }
  const rows = await query.orderBy('n.id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id, kind: r.kind, channel: r.channel, to: r.email ?? r.label ?? r.channel_kind ?? '—', subject: r.subject, link: r.link,
    status: r.status as UndeliveredNotification['status'], attempts: r.attempts, error: r.error, createdAt: r.created_at, nextAttemptAt: r.next_attempt_at, giveUpAt: r.give_up_at,
  }));
}

/**
 * A person's decision on an undelivered message of their scope (a unit's administrator, an
 * organisation's officer), audited: `resend` puts an uncertain or given-up message back in the
 * outbox for a new window (an uncertain one may then arrive twice — the person decides that);
 * `abandon` stops trying one that is pending or uncertain. Returns the new status, or undefined
 * when the message is not in the scope or not in a state the decision applies to.
 */
export async function decideUndelivered(
  db: Db,
  input: { scope: UndeliveredScope; id: number; decision: 'resend' | 'abandon'; actor: string; organisationCode?: string },
): Promise<'pending' | 'failed' | undefined> {
  return db.transaction().execute(async (trx) => {
    const from: NotificationStatus[] = input.decision === 'resend' ? ['uncertain', 'failed'] : ['pending', 'uncertain'];
    const status = input.decision === 'resend' ? 'pending' : 'failed';
    const row = await trx
      .updateTable('notifications as n')
      .set(
        input.decision === 'resend'
          ? { status, next_attempt_at: null, give_up_at: windowEnd() }
          : { status, next_attempt_at: null, error: sql<string>`coalesce(n.error, '') || ' (stopped by a person)'` },
      )
      .where('n.id', '=', input.id)
      .where(inScope(input.scope))
      .where('n.status', 'in', from)
      .returning(['n.id', 'n.kind', 'n.channel', 'n.subject', 'n.attempts'])
      .executeTakeFirst();
    if (!row) return undefined;
    await trx
      .insertInto('audit_log')
      .values({
        actor: input.actor, unit_id: 'unitId' in input.scope ? input.scope.unitId : null, action: `notification.${input.decision}`, subject: `notification/${row.id}`,
        details: JSON.stringify({ kind: row.kind, channel: row.channel, subject: row.subject, attempts: row.attempts, ...(input.organisationCode ? { organisation: input.organisationCode } : {}) }),
      })
      .execute();
    return status;
  });
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

// ── Channels, as an administrator manages them ────────────────────────────────────────────────

export interface ChannelInfo {
  id: number;
  kind: 'wecom' | 'dingtalk';
  label: string | null;
  /** The webhook address with its access token masked (the whole URL is a secret). */
  maskedUrl: string;
  hasSecret: boolean;
  enabled: boolean;
  createdBy: string | null;
  createdAt: Date;
  testedAt: Date | null;
  testError: string | null;
}

/** `…?access_token=abcd…wxyz` / `…/send?key=…`: the query's values shortened to their ends. */
export function maskWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const [k, v] of u.searchParams) u.searchParams.set(k, v.length > 8 ? `${v.slice(0, 4)}…${v.slice(-4)}` : '…');
    return decodeURIComponent(u.toString());
  } catch {
    return '…';
  }
}

export async function channelsOfUnit(db: Db, unitId: number): Promise<ChannelInfo[]> {
  const rows = await db.selectFrom('notification_channels').selectAll().where('unit_id', '=', unitId).orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id, kind: r.kind, label: r.label, maskedUrl: maskWebhookUrl(r.url), hasSecret: r.secret !== null, enabled: r.enabled,
    createdBy: r.created_by, createdAt: r.created_at, testedAt: r.tested_at, testError: r.test_error,
  }));
}

/** One channel of the unit with its secret parts (for a test message). */
export async function channelOfUnit(db: Db, unitId: number, channelId: number): Promise<ChannelRow & { label: string | null; enabled: boolean } | undefined> {
  return db.selectFrom('notification_channels').select(['id', 'kind', 'url', 'secret', 'label', 'enabled']).where('unit_id', '=', unitId).where('id', '=', channelId).executeTakeFirst();
}

/** Adds a robot channel that has just answered a test message (audited); an existing one with the same URL is enabled again. */
export async function addChannel(db: Db, input: { unitId: number; kind: 'wecom' | 'dingtalk'; url: string; secret: string | null; label: string | null; actor: string }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('notification_channels')
      .values({ unit_id: input.unitId, kind: input.kind, url: input.url, secret: input.secret, label: input.label, created_by: input.actor, enabled: true, tested_at: sql<Date>`now()`, test_error: null })
      .onConflict((oc) => oc.columns(['unit_id', 'kind', 'url']).doUpdateSet({ secret: input.secret, label: input.label, enabled: true, tested_at: sql<Date>`now()`, test_error: null }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('audit_log')
      .values({ actor: input.actor, unit_id: input.unitId, action: 'channel.add', subject: `channel/${row.id}`, details: JSON.stringify({ kind: input.kind, label: input.label, url: maskWebhookUrl(input.url) }) })
      .execute();
    return row.id;
  });
}

export async function recordChannelTest(db: Db, input: { unitId: number; channelId: number; error: string | null; actor: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('notification_channels').set({ tested_at: sql<Date>`now()`, test_error: input.error?.slice(0, 500) ?? null }).where('id', '=', input.channelId).where('unit_id', '=', input.unitId).execute();
    await trx
      .insertInto('audit_log')
      .values({ actor: input.actor, unit_id: input.unitId, action: 'channel.test', subject: `channel/${input.channelId}`, details: JSON.stringify({ ok: input.error === null, error: input.error }) })
      .execute();
  });
}

/** Turns a channel on or off (its messages stay in the outbox; nothing is deleted). */
export async function setChannelEnabled(db: Db, input: { unitId: number; channelId: number; enabled: boolean; actor: string }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('notification_channels').set({ enabled: input.enabled }).where('id', '=', input.channelId).where('unit_id', '=', input.unitId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await trx
      .insertInto('audit_log')
      .values({ actor: input.actor, unit_id: input.unitId, action: input.enabled ? 'channel.enable' : 'channel.disable', subject: `channel/${input.channelId}`, details: '{}' })
      .execute();
    return true;
  });
}
