/**
 * Notifying people: a request (who, what, a dedupe key) becomes outbox rows — in-app for every
 * recipient, email when SMTP is configured, and the unit's 企业微信 / 钉钉 robots — and each
 * pending row is then claimed and sent. Calling `notify` again with the same key (a retried
 * activity, a replayed workflow) creates nothing and sends nothing that was already claimed.
 * What cannot be sent at once stays in the outbox for the relay (`deliverDue`), never failing the
 * workflow that asked.
 */
import { createHmac } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Db } from '../../db/connection';
import {
  type Audience, claim, duePending, enqueue, expireClaims, giveUpOverdue, markFailed, markSent, markUndeliverable, type NewNotification, type NotificationRow, recipientsFor,
  unitChannels, unitIdOf,
} from '../../db/notifications.repository';

export interface NotifyRequest {
  /** Stable per (workflow, reminder): e.g. `evaluation/u/2020/task/general|before-3`. */
  dedupeKey: string;
  /**
   * The unit the message is about (its people by role, its robot channels). Absent: a message to
   * the people named in `audience.userIds` about several units (a department's or the bureau's officers).
   */
  unitCode?: string;
  kind: string;
  audience: Audience;
  subject: string;
  body: string;
  /** Path under the public URL, e.g. `/tasks/12`. */
  link?: string;
  workflowId?: string;
  /** Also post to the unit's robot webhooks (default true). */
  robots?: boolean;
}

export interface NotifyResult {
  recipients: number;
  created: number;
  sent: number;
  /** Rows that were already sent or claimed elsewhere. */
  skipped: number;
  failed: number;
}

export interface NotifierDeps {
  db: Db;
  /** nodemailer transport; absent → no email rows (in-app only). */
  mailer?: Transporter;
  mailFrom: string;
  publicUrl: string;
  fetch?: typeof fetch;
}

export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestampMs}&sign=${encodeURIComponent(sign)}`;
}

/** The robot message formats of 企业微信 and 钉钉 (markdown). */
export function robotPayload(kind: 'wecom' | 'dingtalk', subject: string, body: string, link: string | null): unknown {
  const text = `**${subject}**\n\n${body}${link ? `\n\n[打开](${link})` : ''}`;
  return kind === 'wecom' ? { msgtype: 'markdown', markdown: { content: text } } : { msgtype: 'markdown', markdown: { title: subject, text } };
}

class SendError extends Error {
  constructor(
    message: string,
    readonly outcome: 'not_sent' | 'unknown',
  ) {
    super(message);
  }
}

export function createNotifier(deps: NotifierDeps) {
  const doFetch = deps.fetch ?? fetch;
  const absolute = (link: string | null) => (link ? (/^https?:/.test(link) ? link : `${deps.publicUrl}${link}`) : null);

  async function send(row: NotificationRow, to: { email?: string; channel?: { kind: 'wecom' | 'dingtalk'; url: string; secret: string | null } }): Promise<void> {
    const link = absolute(row.link);
    if (row.channel === 'email') {
      if (!deps.mailer || !to.email) throw new SendError('no mail transport', 'not_sent');
      try {
        await deps.mailer.sendMail({ from: deps.mailFrom, to: to.email, subject: row.subject, text: `${row.body}${link ? `\n\n${link}` : ''}`, messageId: `<${row.dedupeKey.replace(/[^A-Za-z0-9.-]/g, '-')}@selfeval>` });
      } catch (e) {
        // Refused before the message was accepted: certainly not sent. Anything else: unknown.
        const code = (e as { code?: string; responseCode?: number }).code;
        const notSent = code === 'ECONNECTION' || code === 'ECONNREFUSED' || code === 'EAUTH' || code === 'EENVELOPE' || code === 'ESOCKET';
        throw new SendError((e as Error).message, notSent ? 'not_sent' : 'unknown');
      }
      return;
    }
    const channel = to.channel;
    if (!channel) throw new SendError('no robot channel', 'not_sent');
    const url = channel.kind === 'dingtalk' && channel.secret ? dingtalkSignedUrl(channel.url, channel.secret, Date.now()) : channel.url;
    let response: Response;
    try {
      response = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(robotPayload(channel.kind, row.subject, row.body, link)), signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      throw new SendError((e as Error).message, cause === 'ECONNREFUSED' || cause === 'ENOTFOUND' ? 'not_sent' : 'unknown');
    }
    const body = (await response.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
    if (!response.ok || (body.errcode ?? 0) !== 0) throw new SendError(`robot answered ${response.status} ${body.errmsg ?? ''}`.trim(), 'not_sent');
  }

  return {
    async notify(request: NotifyRequest): Promise<NotifyResult> {
      const unitId = request.unitCode === undefined ? null : await unitIdOf(deps.db, request.unitCode);
      if (unitId === undefined) throw new Error(`unknown unit ${request.unitCode}`);
      const recipients = await recipientsFor(deps.db, unitId, request.audience);
      const channels = request.robots === false || unitId === null ? [] : await unitChannels(deps.db, unitId);
      const base = { unitId, kind: request.kind, subject: request.subject, body: request.body, ...(request.link ? { link: request.link } : {}), ...(request.workflowId ? { workflowId: request.workflowId } : {}) };
      const messages: NewNotification[] = [];
      for (const r of recipients) {
        messages.push({ ...base, dedupeKey: `${request.dedupeKey}|in_app|${r.userId}`, channel: 'in_app', recipientUserId: r.userId });
        if (deps.mailer) messages.push({ ...base, dedupeKey: `${request.dedupeKey}|email|${r.userId}`, channel: 'email', recipientUserId: r.userId });
      }
      for (const c of channels) messages.push({ ...base, dedupeKey: `${request.dedupeKey}|${c.kind}|${c.id}`, channel: c.kind, channelId: c.id });

      const { rows, created } = await enqueue(deps.db, messages);
      const result: NotifyResult = { recipients: recipients.length, created, sent: 0, skipped: 0, failed: 0 };
      const byUser = new Map(recipients.map((r) => [r.userId, r]));
      const byChannel = new Map(channels.map((c) => [c.id, c]));
      for (const row of rows) {
        if (row.channel === 'in_app') continue;
        const email = row.recipientUserId !== null ? byUser.get(row.recipientUserId)?.email : undefined;
        const channel = row.channelId !== null ? byChannel.get(row.channelId) : undefined;
        const outcome = await deliver(row, { ...(email ? { email } : {}), ...(channel ? { channel } : {}) });
        result[outcome]++;
      }
      // A row that could not be sent now stays in the outbox: the relay (`deliverDue`) tries it
      // again, backing off, for DELIVERY_WINDOW_MS. The workflow that asked goes on either way —
      // a mail server that is down for an afternoon never stops an evaluation.
      return result;
    },

    /**
     * The outbox relay, run every half minute by the worker (and by any number of workers: each
     * row is claimed before it is sent). Claims of senders that died become `uncertain` (never
     * sent again by themselves); messages whose window closed become `failed`; up to `limit` due
     * messages are sent. Both end states are shown to the unit's administrator, who may resend.
     */
    async deliverDue(limit = 200): Promise<DeliveryRound> {
      const uncertain = await expireClaims(deps.db, CLAIM_EXPIRY_MS);
      const gaveUp = await giveUpOverdue(deps.db);
      const round: DeliveryRound = { sent: 0, skipped: 0, failed: 0, uncertain, gaveUp };
      for (const row of await duePending(deps.db, limit)) {
        if (row.channelId !== null && !row.robot?.enabled) {
          await markUndeliverable(deps.db, row.id, 'the robot channel was turned off');
          round.gaveUp++;
          continue;
        }
        round[await deliver(row, { ...(row.email ? { email: row.email } : {}), ...(row.robot ? { channel: row.robot } : {}) })]++;
      }
      return round;
    },
  };

  /** Claims the row and sends it: sent, skipped (someone else has it or had it) or failed (left as markFailed says). */
  async function deliver(row: NotificationRow, to: { email?: string; channel?: { kind: 'wecom' | 'dingtalk'; url: string; secret: string | null } }): Promise<'sent' | 'skipped' | 'failed'> {
    const claimed = await claim(deps.db, row.id);
    if (!claimed) return 'skipped';
    try {
      await send(claimed, to);
      await markSent(deps.db, row.id);
      return 'sent';
    } catch (e) {
      const error = e instanceof SendError ? e : new SendError(String(e), 'unknown');
      await markFailed(deps.db, row.id, error.message, error.outcome);
      return 'failed';
    }
  }
}

/** A claim older than this belongs to a sender that died mid-send (a send takes seconds; mail and robot calls time out). */
export const CLAIM_EXPIRY_MS = 10 * 60 * 1000;

export interface DeliveryRound {
  sent: number;
  skipped: number;
  /** Not sent this time: tried again later, or uncertain when the send may have happened. */
  failed: number;
  /** Claims of dead senders turned uncertain. */
  uncertain: number;
  /** Messages given up: their window closed, or their channel was turned off. */
  gaveUp: number;
}

export type Notifier = ReturnType<typeof createNotifier>;
