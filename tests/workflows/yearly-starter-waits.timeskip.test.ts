/**
 * A yearly Schedule that fires before the year's ledger is imported, on the time-skipping server
 * (a server of its own; the starter is started directly — the Java test server has no Schedules).
 *
 * The starter fires on Thursday 2027-01-14 at 10:00 (Asia/Shanghai) for 2026; only 2025 is
 * imported. It waits, durably: the finance officer is asked at once to import the ledger, then
 * reminded every 2 working days at 09:00 — Monday 01-18, then Wednesday 01-20 — and the starter
 * looks for the ledger every hour. The ledger is imported on 01-19 at 11:30; by 13:00 the
 * evaluation runs, and the reminder of 01-20 never goes out.
 *
 * 2027 has no holiday data yet (no State Council notice for it in any source we have), so these
 * working days come from the weekday rule — and every message and the evaluation's status say so.
 */
import { describe, expect, it } from 'vitest';
import { importUnitYear } from '../../db/ledger.repository';
import { evaluationId, evaluationStatusQuery, yearlyStarterStatusQuery } from '../../workflows/evaluation/contract';

import { starterScenario } from '../helpers/starter-scenario';
import { timeSkippingHarness } from '../helpers/evaluation-scenario';
import { recordFixture } from '../replay/fixtures';

describe('a scheduled start before the ledger is imported (time-skipping)', () => {
  const h = timeSkippingHarness();

  it('waits for the ledger, reminds the finance officer on working days, and starts the evaluation once it is imported', async () => {
    const unitCode = 'starter-waits';
    const s = await starterScenario(h, unitCode, '2027-01-14T10:00:00', [2025]);
    const db = h.database.db;
    const asked = async () =>
      (await db.selectFrom('notifications').innerJoin('users', 'users.id', 'notifications.recipient_user_id')
        .select(['notifications.dedupe_key', 'notifications.subject', 'notifications.body', 'notifications.link', 'users.email'])
        .where('notifications.kind', '=', 'evaluation_ledger_missing').where('notifications.channel', '=', 'in_app').orderBy('notifications.id').execute())
        .map((m) => ({ ...m, to: m.email.split('+')[0]!, key: m.dedupe_key.split('|')[2] }));
    try {
      const waiting = await s.eventually(() => s.starter.query(yearlyStarterStatusQuery), (x) => x.waitingForLedger !== null && x.waitingForLedger.remindersSent === 1, 'waiting for the ledger');
      expect(waiting.year).toBe(2026);
      let messages = await asked();
      expect(messages.map((m) => [m.to, m.key, m.subject])).toEqual([['finance', 'started', '请导入2026年度账套：年度绩效自评已按计划启动']]);
      expect(messages[0]!.link).toBe(`/units/${unitCode}`);
      // The calendar never goes silent: the reminders' working days in 2027 are guessed, and the message says so and how to fix it.
      expect(messages[0]!.body).toContain('注意：2027年的法定节假日和调休安排尚未录入系统');
      expect(messages[0]!.body).toContain('SELFEVAL_CALENDAR_OVERRIDES');

      // Nothing more on Friday; the next reminder on Monday 01-18 at 09:00 (two working days on).
      await s.until('2027-01-18T08:59:00');
      expect((await asked()).length).toBe(1);
      await s.until('2027-01-18T09:01:00');
      await s.eventually(() => s.starter.query(yearlyStarterStatusQuery), (x) => x.waitingForLedger?.remindersSent === 2, 'the reminder of 01-18');
      messages = await asked();
      expect(messages.map((m) => [m.to, m.key, m.subject])).toEqual([
        ['finance', 'started', '请导入2026年度账套：年度绩效自评已按计划启动'],
        ['finance', 'after-1', '提醒：2026年度账套尚未导入，年度绩效自评在等待'],
      ]);
      expect(await h.env.client.workflow.getHandle(evaluationId(unitCode, 2026)).describe().catch(() => 'none')).toBe('none');

      // The ledger is imported (as the CLI does: straight into the database); the starter sees it within the hour.
      await s.until('2027-01-19T11:30:00');
      await importUnitYear(db, s.unitYear(2026), { actor: 'test' });
      await s.until('2027-01-19T13:00:00');
      expect(await s.result()).toEqual({ year: 2026, workflowId: evaluationId(unitCode, 2026), started: true });
      const evaluation = h.env.client.workflow.getHandle(evaluationId(unitCode, 2026));
      const status = await s.eventually(() => evaluation.query(evaluationStatusQuery), (x) => x.stage === 'collecting', 'the evaluation collecting');
      // The due date (10 working days from 01-19, by the weekday rule) lies in 2027: the dashboard's status says so.
      expect(status.calendarWarnings?.map((w) => [w.code, w.year])).toEqual([['year_not_covered', 2027]]);
      const assigned = await db.selectFrom('notifications').select('body').where('kind', '=', 'task_assigned').where('workflow_id', 'like', `evaluation/${unitCode}/2026/%`).where('channel', '=', 'in_app').execute();
      expect(assigned.length).toBeGreaterThan(0);
      for (const m of assigned) expect(m.body).toContain('注意：2027年的法定节假日和调休安排尚未录入系统');

      // No reminder once the ledger is there.
      await s.until('2027-01-20T09:01:00');
      expect((await asked()).length).toBe(2);
      await recordFixture('yearly-starter-waited-for-ledger', s.starter);
    } finally {
      await s.stop(2026);
    }
  });
});
