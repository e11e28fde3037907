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
import { expireClaims, inbox } from '../../db/notifications.repository';
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

  it('keeps a refused email pending and sends it once when the server is back', async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    const req = { ...request, dedupeKey: 'smtp-down', robots: false, audience: { roles: ['finance_officer' as const] } };
    await expect(notifier().notify(req)).rejects.toThrow(/will be retried/);
    const pending = await database.db.selectFrom('notifications').select(['status', 'attempts']).where('dedupe_key', 'like', 'smtp-down|email|%').executeTakeFirstOrThrow();
    expect(pending).toEqual({ status: 'pending', attempts: 1 });
    smtp = await startSmtp(smtpPort, mails);
    const before = mails.length;
    expect((await notifier().notify(req)).sent).toBe(1);
    expect(mails).toHaveLength(before + 1);
    expect((await notifier().notify(req)).sent).toBe(0);
    expect(mails).toHaveLength(before + 1);
  });
});
