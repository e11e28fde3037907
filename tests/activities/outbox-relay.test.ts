/**
 * The worker's notification outbox relay (worker/outbox-relay.ts): rounds every `everyMs`, never
 * two at once, a failing round logged and the next one tried; `stop` waits for the round in
 * flight. And with the real notifier on Postgres and a local SMTP server: an email refused while
 * the server was down is sent by the relay, once, when its attempt falls due.
 */
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRound } from '../../activities/notifications/notifier';
import { createNotifier } from '../../activities/notifications/notifier';
import { freePort } from '../../client/stack/proc';
import { importUnitYear } from '../../db/ledger.repository';
import { startOutboxRelay } from '../../worker/outbox-relay';
import { seedUnitYear } from '../fixtures/seed';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const empty: DeliveryRound = { sent: 0, skipped: 0, failed: 0, uncertain: 0, gaveUp: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logs() {
  const lines: Array<{ level: 'info' | 'warn'; text: string; obj?: object }> = [];
  return { lines, logger: { info: (obj: object, text: string) => lines.push({ level: 'info', text, obj }), warn: (text: string) => lines.push({ level: 'warn', text }) } };
}

describe('the outbox relay', () => {
  it('runs one round at a time, logs a failed round and goes on, and stops after the round in flight', async () => {
    let inside = 0;
    let most = 0;
    let rounds = 0;
    let release: (() => void) | undefined;
    const notifier = {
      async deliverDue(): Promise<DeliveryRound> {
        rounds++;
        most = Math.max(most, ++inside);
        try {
          if (rounds === 2) throw new Error('connection terminated');
          // The third round is slow: several intervals pass while it runs.
          if (rounds === 3) await new Promise<void>((r) => (release = r));
          return rounds === 1 ? { ...empty, sent: 2 } : empty;
        } finally {
          inside--;
        }
      },
    };
    const { lines, logger } = logs();
    const relay = startOutboxRelay(notifier, logger, 20);
    for (let i = 0; i < 100 && !release; i++) await sleep(10);
    expect(release).toBeDefined();
    await sleep(100);
    // Still in the third round: no fourth started meanwhile.
    expect(rounds).toBe(3);
    const stopped = relay.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await sleep(30);
    expect(done).toBe(false);
    release!();
    await stopped;
    await sleep(60);
    expect(rounds).toBe(3);
    expect(most).toBe(1);
    expect(lines.map((l) => [l.level, l.text.split(' (')[0]])).toEqual([
      ['info', 'notification outbox relayed'],
      ['warn', 'notification outbox: this round failed and the next will try again'],
    ]);
    expect(lines[0]!.obj).toMatchObject({ sent: 2 });
    expect(lines[1]!.text).toContain('connection terminated');
  });

  describe('with the notifier on Postgres', () => {
    let database: TestDatabase;
    let smtp: SMTPServer | undefined;
    const mails: string[] = [];
    beforeAll(async () => {
      database = await createTestDatabase();
      await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    });
    afterAll(async () => {
      await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
      await database?.drop();
    });

    it('sends an email that was refused, once, when its attempt falls due', async () => {
      const port = await freePort();
      const notifier = createNotifier({
        db: database.db,
        mailer: nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 1_000 }),
        mailFrom: 'selfeval <relay@example.invalid>',
        publicUrl: 'http://selfeval.test',
      });
      const request = { dedupeKey: 'relay-test', unitCode: 'yiyang-smart-city', kind: 'task_reminder', audience: { roles: ['unit_head' as const] }, subject: '待审批', body: '请审批。', robots: false };
      expect((await notifier.notify(request)).failed).toBe(1);
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        onData(stream, _session, callback) {
          let data = '';
          stream.on('data', (c: Buffer) => (data += c.toString()));
          stream.on('end', () => {
            mails.push(data);
            callback();
          });
        },
      });
      await new Promise<void>((r) => smtp!.listen(port, '127.0.0.1', () => r()));
      const relay = startOutboxRelay(notifier, logs().logger, 50);
      try {
        // Its back-off (30 s) has not passed: the relay leaves it.
        await sleep(300);
        expect(mails).toHaveLength(0);
        await database.db.updateTable('notifications').set({ next_attempt_at: new Date(Date.now() - 1_000) }).where('dedupe_key', 'like', 'relay-test|email|%').execute();
        for (let i = 0; i < 100 && mails.length === 0; i++) await sleep(50);
        expect(mails).toHaveLength(1);
        await sleep(300);
        expect(mails).toHaveLength(1);
      } finally {
        await relay.stop();
      }
      const row = await database.db.selectFrom('notifications').select(['status', 'attempts']).where('dedupe_key', 'like', 'relay-test|email|%').executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'sent', attempts: 2 });
    });
  });
});
