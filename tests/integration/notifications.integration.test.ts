/**
 * Notifications against real servers: a local SMTP server (smtp-server) and a local HTTP server
 * standing in for the 企业微信 / 钉钉 robots. Sending twice never happens, whatever is retried.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../activities/notifications/notifier';
import { importUnitYear } from '../../db/ledger.repository';
import { ensureOrganisation, grantOrganisationRole } from '../../db/organisations.repository';
import { sql } from 'kysely';
import { decideUndelivered, expireClaims, inbox, undelivered as undeliveredOf } from '../../db/notifications.repository';
import { freePort } from '../../client/stack/proc';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedUnitYear } from '../fixtures/seed';

/** The text body of a single-part message, decoded (base64 or quoted-printable). */
function bodyText(raw: string): string {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

interface Mail {
  to: string[];
  data: string;
}

async function startSmtp(port: number, mails: Mail[]): Promise<SMTPServer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return server;
}

describe('notifications', () => {
  let database: TestDatabase;
  let smtp: SMTPServer;
  let smtpPort: number;
  let robots: http.Server;
  const mails: Mail[] = [];
  const posts: Array<{ path: string; body: any }> = [];
  const secret = 'SECtest';

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    smtpPort = await freePort();
    smtp = await startSmtp(smtpPort, mails);
    robots = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posts.push({ path: req.url ?? '', body: JSON.parse(body) });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
      });
    });
    await new Promise<void>((resolve) => robots.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(robots.address() as AddressInfo).port}`;
    const unit = await database.db.selectFrom('units').select('id').executeTakeFirstOrThrow();
    await database.db
      .insertInto('notification_channels')
      .values([
        { unit_id: unit.id, kind: 'wecom', url: `${base}/cgi-bin/webhook/send?key=abc`, secret: null },
        { unit_id: unit.id, kind: 'dingtalk', url: `${base}/robot/send?access_token=xyz`, secret },
      ])
      .execute();
  });

  afterAll(async () => {
    await new Promise<void>((r) => smtp?.close(() => r()));
    await new Promise<void>((r) => robots?.close(() => r()));
    await database?.drop();
  });

  const notifier = () =>
    createNotifier({
      db: database.db,
      mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, connectionTimeout: 2_000 }),
      mailFrom: 'selfeval <selfeval@example.invalid>',
      publicUrl: 'http://selfeval.example.invalid',
    });
  const request = {
    dedupeKey: 'evaluation/yiyang-smart-city/2020/task/general|before-3',
    unitCode: 'yiyang-smart-city',
    kind: 'task_reminder',
    audience: { roles: ['section_head' as const], section: 'general' },
    subject: '综合科自评材料将于3个工作日后到期',
    body: '请于2021年3月15日前提交综合科的自评材料。',
    link: '/tasks/general',
  };

  it('delivers in-app, by email and to both robots, once', async () => {
    const result = await notifier().notify(request);
    expect(result).toEqual({ recipients: 1, created: 4, sent: 3, skipped: 0, failed: 0 });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual(['general@yiyang-smart-city.example.invalid']);
    expect(bodyText(mails[0]!.data)).toContain('请于2021年3月15日前提交综合科的自评材料。');
    expect(bodyText(mails[0]!.data)).toContain('http://selfeval.example.invalid/tasks/general');
    expect(posts.map((p) => p.body.msgtype)).toEqual(['markdown', 'markdown']);
    const wecom = posts.find((p) => p.path.startsWith('/cgi-bin'))!;
    expect(wecom.body.markdown.content).toContain(request.subject);
    const ding = posts.find((p) => p.path.startsWith('/robot'))!;
    expect(ding.body.markdown.title).toBe(request.subject);
    // 钉钉 signature: HMAC-SHA256 of "timestamp\nsecret", base64, URL-encoded.
    const url = new URL(ding.path, 'http://x');
    const ts = url.searchParams.get('timestamp')!;
    expect(url.searchParams.get('sign')).toBe(createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64'));

    const user = await database.db.selectFrom('users').select('id').where('email', '=', 'general@yiyang-smart-city.example.invalid').executeTakeFirstOrThrow();
    expect((await inbox(database.db, user.id)).map((i) => i.subject)).toEqual([request.subject]);
  });

  it('creates and sends nothing when the same notification is requested again', async () => {
    const again = await notifier().notify(request);
    expect(again).toEqual({ recipients: 1, created: 0, sent: 0, skipped: 3, failed: 0 });
    expect(mails).toHaveLength(1);
    expect(posts).toHaveLength(2);
  });

  it('never re-sends a message whose sender died mid-send; it becomes "uncertain" for a person to check', async () => {
    const key = { ...request, dedupeKey: 'crash-test', audience: { roles: ['unit_head' as const] } };
    // A first delivery claimed the email row and died before marking it sent.
    await database.db
      .insertInto('notifications')
      .values({
        dedupe_key: 'crash-test|email|' + (await database.db.selectFrom('users').select('id').where('email', 'like', 'head@%').executeTakeFirstOrThrow()).id,
        unit_id: (await database.db.selectFrom('units').select('id').executeTakeFirstOrThrow()).id,
        kind: 'task_reminder', channel: 'email', recipient_user_id: (await database.db.selectFrom('users').select('id').where('email', 'like', 'head@%').executeTakeFirstOrThrow()).id,
        subject: 's', body: 'b', status: 'sending', claimed_at: new Date(Date.now() - 3_600_000),
      })
      .execute();
    const before = mails.length;
    const result = await notifier().notify({ ...key, robots: false });
    expect(result.sent).toBe(0);
    expect(mails).toHaveLength(before);
    expect(await expireClaims(database.db, 600_000)).toBe(1);
    const row = await database.db.selectFrom('notifications').select(['status']).where('dedupe_key', 'like', 'crash-test|email|%').executeTakeFirstOrThrow();
    expect(row.status).toBe('uncertain');
  });

  it('keeps a refused email in the outbox without failing the caller; the relay sends it once after its back-off', async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    const req = { ...request, dedupeKey: 'smtp-down', robots: false, audience: { roles: ['finance_officer' as const] } };
    // The workflow's activity returns: the message waits in the outbox, the evaluation goes on.
    expect(await notifier().notify(req)).toEqual({ recipients: 1, created: 2, sent: 0, skipped: 0, failed: 1 });
    const row = () => database.db.selectFrom('notifications').select(['id', 'status', 'attempts', 'error', sql<number>`extract(epoch from next_attempt_at - now())`.as('waitS'), sql<number>`extract(epoch from give_up_at - created_at)`.as('windowS')]).where('dedupe_key', 'like', 'smtp-down|email|%').executeTakeFirstOrThrow();
    const pending = await row();
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    // First back-off 30 s; the window 72 h.
    expect(Number(pending.waitS)).toBeGreaterThan(25);
    expect(Number(pending.waitS)).toBeLessThanOrEqual(30);
    expect(Number(pending.windowS)).toBe(72 * 3600);
    // Not due yet: the relay leaves it.
    expect(await notifier().deliverDue()).toEqual({ sent: 0, skipped: 0, failed: 0, uncertain: 0, gaveUp: 0 });
    // Due, server still down: tried again, and the next wait doubles.
    await database.db.updateTable('notifications').set({ next_attempt_at: new Date(Date.now() - 1_000) }).where('id', '=', pending.id).execute();
    expect((await notifier().deliverDue()).failed).toBe(1);
    const second = await row();
    expect(second.attempts).toBe(2);
    expect(Number(second.waitS)).toBeGreaterThan(55);
    expect(Number(second.waitS)).toBeLessThanOrEqual(60);
    // The server is back and the attempt is due: sent once, and never again.
    smtp = await startSmtp(smtpPort, mails);
    const before = mails.length;
    await database.db.updateTable('notifications').set({ next_attempt_at: new Date(Date.now() - 1_000) }).where('id', '=', pending.id).execute();
    expect((await notifier().deliverDue()).sent).toBe(1);
    expect(mails).toHaveLength(before + 1);
    expect(await row()).toMatchObject({ status: 'sent', attempts: 3 });
    expect((await notifier().notify(req)).sent).toBe(0);
    expect(await notifier().deliverDue()).toEqual({ sent: 0, skipped: 0, failed: 0, uncertain: 0, gaveUp: 0 });
    expect(mails).toHaveLength(before + 1);
  });

  it('gives up on a message whose window closed and on one whose robot was turned off; an administrator resends or stops them, audited', async () => {
    const unit = await database.db.selectFrom('units').select('id').executeTakeFirstOrThrow();
    await new Promise<void>((r) => smtp.close(() => r()));
    const req = { ...request, dedupeKey: 'window-closes', robots: false, audience: { roles: ['unit_head' as const] } };
    expect((await notifier().notify(req)).failed).toBe(1);
    const email = await database.db.selectFrom('notifications').select('id').where('dedupe_key', 'like', 'window-closes|email|%').executeTakeFirstOrThrow();
    // Three days later, still undelivered.
    await database.db.updateTable('notifications').set({ give_up_at: new Date(Date.now() - 1_000) }).where('id', '=', email.id).execute();
    expect((await notifier().deliverDue()).gaveUp).toBe(1);
    const failed = await database.db.selectFrom('notifications').select(['status', 'error']).where('id', '=', email.id).executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^gave up after 1 attempts: /);

    // A robot message waits while the robot is away; the channel is then turned off: it is not sent to it any more.
    const channel = await database.db.selectFrom('notification_channels').select('id').where('kind', '=', 'wecom').executeTakeFirstOrThrow();
    await database.db
      .insertInto('notifications')
      .values({ dedupe_key: 'robot-off|wecom', unit_id: unit.id, kind: 'task_reminder', channel: 'wecom', channel_id: channel.id, subject: 's', body: 'b', status: 'pending', attempts: 1, error: 'robot answered 502' })
      .execute();
    await database.db.updateTable('notification_channels').set({ enabled: false }).where('id', '=', channel.id).execute();
    const postsBefore = posts.length;
    expect((await notifier().deliverDue()).gaveUp).toBe(1);
    expect(posts).toHaveLength(postsBefore);
    await database.db.updateTable('notification_channels').set({ enabled: true }).where('id', '=', channel.id).execute();

    // The unit's administrator sees both, with why, and resends the email once the server is back.
    const undelivered = await undeliveredOf(database.db, { unitId: unit.id });
    const byId = new Map(undelivered.map((u) => [u.id, u]));
    expect(byId.get(email.id)).toMatchObject({ status: 'failed', channel: 'email', to: expect.stringMatching(/^head@/), attempts: 1 });
    expect(undelivered.some((u) => u.channel === 'wecom' && u.status === 'failed' && u.error === 'the robot channel was turned off')).toBe(true);
    // A message of another unit is not this unit's to decide; a stop does not apply to a given-up one.
    expect(await decideUndelivered(database.db, { scope: { unitId: unit.id + 1000 }, id: email.id, decision: 'resend', actor: 'admin@x' })).toBeUndefined();
    expect(await decideUndelivered(database.db, { scope: { unitId: unit.id }, id: email.id, decision: 'abandon', actor: 'admin@x' })).toBeUndefined();
    smtp = await startSmtp(smtpPort, mails);
    expect(await decideUndelivered(database.db, { scope: { unitId: unit.id }, id: email.id, decision: 'resend', actor: 'admin@x' })).toBe('pending');
    const before = mails.length;
    expect((await notifier().deliverDue()).sent).toBe(1);
    expect(mails).toHaveLength(before + 1);
    const audited = await database.db.selectFrom('audit_log').select(['actor', 'action', 'subject']).where('action', 'like', 'notification.%').execute();
    expect(audited).toEqual([{ actor: 'admin@x', action: 'notification.resend', subject: `notification/${email.id}` }]);
  });

  it('keeps a message to an officer above the units (no unit) in the organisation’s scope, not a unit’s', async () => {
    const unit = await database.db.selectFrom('units').select('id').executeTakeFirstOrThrow();
    const { organisation } = await ensureOrganisation(database.db, { code: 'notify-czj', name: '测试市财政局', kind: 'bureau', actor: 'test' });
    const { organisation: other } = await ensureOrganisation(database.db, { code: 'notify-other', name: '另一财政局', kind: 'bureau', actor: 'test' });
    const granted = await grantOrganisationRole(database.db, { email: 'officer@notify-czj.test', name: '绩效科', organisationCode: 'notify-czj', role: 'bureau_officer', actor: 'test' });
    await new Promise<void>((r) => smtp.close(() => r()));
    expect((await notifier().notify({ dedupeKey: 'officer-escalation', kind: 'campaign_escalated', audience: { userIds: [granted.userId] }, subject: '有单位逾期', body: 'b' })).failed).toBe(1);
    const row = await database.db.selectFrom('notifications').select(['id', 'unit_id']).where('dedupe_key', 'like', 'officer-escalation|email|%').executeTakeFirstOrThrow();
    expect(row.unit_id).toBeNull();
    const ids = (xs: Array<{ id: number }>) => xs.map((x) => x.id);
    expect(ids(await undeliveredOf(database.db, { officersOf: [organisation.id] }))).toEqual([row.id]);
    expect(ids(await undeliveredOf(database.db, { officersOf: [other.id] }))).toEqual([]);
    expect(ids(await undeliveredOf(database.db, { unitId: unit.id }))).not.toContain(row.id);
    // Another organisation, or a unit's administrator, cannot decide on it; its own can.
    expect(await decideUndelivered(database.db, { scope: { officersOf: [other.id] }, id: row.id, decision: 'abandon', actor: 'x' })).toBeUndefined();
    expect(await decideUndelivered(database.db, { scope: { unitId: unit.id }, id: row.id, decision: 'abandon', actor: 'x' })).toBeUndefined();
    expect(await decideUndelivered(database.db, { scope: { officersOf: [organisation.id] }, id: row.id, decision: 'abandon', actor: 'officer@notify-czj.test', organisationCode: 'notify-czj' })).toBe('failed');
    const audited = await database.db.selectFrom('audit_log').select(['unit_id', 'details']).where('action', '=', 'notification.abandon').executeTakeFirstOrThrow();
    expect(audited).toEqual({ unit_id: null, details: expect.objectContaining({ organisation: 'notify-czj', kind: 'campaign_escalated' }) });
    smtp = await startSmtp(smtpPort, mails);
  });
});
