/**
 * The annual evaluation on the time-skipping server, with exact dates on the working-day
 * calendar. Business time is pinned to April–May 2026 (around the 劳动节 holiday, 2026-05-01 to
 * 05-05, with the make-up working Saturday 05-09) through the activities' clock shift, so the
 * dates below hold whenever the test runs. Dates worked out by hand from cn-holidays.json:
 *
 *   due 2026-04-30 (Thu), reminders 09:00:
 *     before-3  2026-04-27 Mon   (04-29, 04-28, 04-27)
 *     before-1  2026-04-29 Wed
 *     due       2026-04-30 Thu
 *     after-1   2026-05-07 Thu   (2 working days after due: 05-06, 05-07 — the holiday is skipped)
 *     escalate  2026-05-08 Fri   (3 working days after due)
 *     after-2   2026-05-09 Sat   (05-08, 05-09: the make-up working Saturday counts)
 *     after-3   2026-05-12 Tue   (05-11, 05-12)
 *   extended to 2026-05-15 (Fri): before-3 2026-05-12 Tue, before-1 2026-05-14 Thu, due 2026-05-15.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { acknowledgeFindingsUpdate, approveUpdate, type EvaluationStatus, extendSectionDueSignal, proceedWithoutUpdate, returnSubmissionUpdate, sectionTaskId, taskViewQuery } from '../../workflows/evaluation/contract';
import { infosecSubmission, scenario, timeSkippingHarness } from '../helpers/evaluation-scenario';
import { seedUnitYear } from '../fixtures/seed';

describe('annual evaluation on the working-day calendar (time-skipping)', () => {
  const h = timeSkippingHarness();

  it('reminds a section that never submits on the right working days, escalates, and proceeds without it to an issued report', async () => {
    const s = await scenario(h, 'never-submits', '2026-04-20T10:00:00');
    try {
      await s.submitSeedSections();
      const expectReminders = async (local: string, keys: string[]) => {
        await s.until(local);
        expect(await s.eventually(() => s.remindersOf('infosec'), (r) => r.length >= keys.length, `reminders at ${local}`)).toEqual(keys);
      };
      const k = (x: string) => `2026-04-30:${x}`;
      await expectReminders('2026-04-27T08:59:00', []);
      await expectReminders('2026-04-27T09:01:00', [k('before-3')]);
      await expectReminders('2026-04-29T08:59:00', [k('before-3')]);
      await expectReminders('2026-04-29T09:01:00', [k('before-3'), k('before-1')]);
      await expectReminders('2026-04-30T09:01:00', [k('before-3'), k('before-1'), k('due')]);
      // Nothing during the 劳动节 holiday: the next reminder is on the second working day after it.
      await expectReminders('2026-05-07T08:59:00', [k('before-3'), k('before-1'), k('due')]);
      await expectReminders('2026-05-07T09:01:00', [k('before-3'), k('before-1'), k('due'), k('after-1')]);
      expect((await s.task('infosec').query(taskViewQuery)).escalated).toBe(false);
      await s.until('2026-05-08T09:01:00');
      expect(await s.eventually(() => s.task('infosec').query(taskViewQuery), (v) => v.escalated, 'escalation')).toMatchObject({ escalated: true, state: 'overdue' });
      await expectReminders('2026-05-09T09:01:00', [k('before-3'), k('before-1'), k('due'), k('after-1'), k('escalate'), k('after-2')]);
      await expectReminders('2026-05-11T09:01:00', [k('before-3'), k('before-1'), k('due'), k('after-1'), k('escalate'), k('after-2')]);
      await expectReminders('2026-05-12T09:01:00', [k('before-3'), k('before-1'), k('due'), k('after-1'), k('escalate'), k('after-2'), k('after-3')]);

      // The outbox holds each reminder once for the section head, and the escalation for the finance officer.
      const rows = await h.database.db
        .selectFrom('notifications')
        .innerJoin('users', 'users.id', 'notifications.recipient_user_id')
        .select(['notifications.dedupe_key', 'notifications.kind', 'users.email'])
        .where('notifications.workflow_id', '=', sectionTaskId(s.unitCode, 2020, 'infosec'))
        .orderBy('notifications.id')
        .execute();
      expect(rows.map((r) => [r.kind, r.email.split('+')[0]])).toEqual([
        ['task_assigned', 'infosec'],
        ...['before-3', 'before-1', 'due', 'after-1'].map(() => ['task_reminder', 'infosec']),
        ['task_escalated', 'finance'],
        ['task_reminder', 'infosec'],
        ['task_reminder', 'infosec'],
      ]);

      // The finance officer proceeds without the section; the cycle goes on to the end.
      await s.handle.executeUpdate(proceedWithoutUpdate, { args: [{ actor: 'finance', section: 'infosec', reason: '信息安全科人员外派，本年度无单独材料' }] });
      let st: EvaluationStatus = await s.eventually(s.status, (x) => x.stage === 'reviewing' && x.findings.sha256 !== null, 'reviewing');
      expect(st.sections.find((x) => x.section === 'infosec')).toMatchObject({ state: 'skipped', skippedReason: '信息安全科人员外派，本年度无单独材料' });
      expect(st.findings).toMatchObject({ total: 8, blocking: 4, acknowledged: false });
      await s.handle.executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: 'finance', findingsSha256: st.findings.sha256!, note: '差异已核实' }] });
      st = await s.eventually(s.status, (x) => x.stage === 'approving', 'approving');
      expect(st.reportVersion).toBe(1);
      await s.handle.executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: 1 }] });
      // Through a plain client: the time-skipping client's result() would let the server jump
      // ahead to other workflows' timers (the holdbacks) while it waits.
      const result = await new Client({ connection: h.env.connection, namespace: 'default' }).workflow.getHandle(s.handle.workflowId).result();
      expect(result.reportVersion).toBe(2);
      if (process.env['RECORD_HISTORIES'] === '1') {
        // Replay fixture of a task that was reminded, escalated and closed (see tests/replay).
        const dir = path.join(__dirname, '../replay/histories');
        fs.writeFileSync(path.join(dir, 'section-task-reminded-closed.json'), `${historyToJSON(await s.task('infosec').fetchHistory())}\n`);
        // The evaluation that took the self-assessment patch, and its self-assessment task.
        fs.writeFileSync(path.join(dir, 'annual-evaluation-seed-cycle-self-assessment.json'), `${historyToJSON(await s.handle.fetchHistory())}\n`);
        fs.writeFileSync(path.join(dir, 'self-assessment-task-submitted.json'), `${historyToJSON(await s.assessment().fetchHistory())}\n`);
      }
      const task = await h.database.db.selectFrom('tasks').innerJoin('sections', 'sections.id', 'tasks.section_id').select(['tasks.state', 'tasks.cancelled_reason']).where('sections.code', '=', 'infosec').where('tasks.workflow_id', '=', sectionTaskId(s.unitCode, 2020, 'infosec')).executeTakeFirstOrThrow();
      expect(task).toEqual({ state: 'cancelled', cancelled_reason: '信息安全科人员外派，本年度无单独材料' });
    } finally {
      await s.stop();
    }
  });

  it('moves the reminders with an extended due date', async () => {
    const s = await scenario(h, 'extended', '2026-04-20T10:00:00');
    try {
      await s.submitSeedSections();
      const newDue = s.serverIso('2026-05-15T18:00:00');
      await s.handle.signal(extendSectionDueSignal, { actor: 'finance', section: 'infosec', dueAt: newDue, reason: '节后补交' });
      await s.eventually(() => s.task('infosec').query(taskViewQuery), (v) => v.dueAt === newDue, 'the new due date');
      const k = (x: string) => `2026-05-15:${x}`;
      await s.until('2026-05-11T09:01:00');
      expect(await s.remindersOf('infosec')).toEqual([]);
      await s.until('2026-05-12T09:01:00');
      expect(await s.eventually(() => s.remindersOf('infosec'), (r) => r.length >= 1, 'before-3')).toEqual([k('before-3')]);
      await s.until('2026-05-14T09:01:00');
      expect(await s.eventually(() => s.remindersOf('infosec'), (r) => r.length >= 2, 'before-1')).toEqual([k('before-3'), k('before-1')]);
      const row = await h.database.db.selectFrom('tasks').select(['due_at', 'state']).where('workflow_id', '=', sectionTaskId(s.unitCode, 2020, 'infosec')).executeTakeFirstOrThrow();
      expect(row.due_at.toISOString()).toBe(newDue);
      await s.submit('infosec', infosecSubmission);
      await s.eventually(s.status, (x) => x.stage === 'reviewing', 'reviewing');
    } finally {
      await s.stop();
    }
  });

  it('reopens a returned submission as a new task run, and rejects an invalid submission without a trace', async () => {
    const s = await scenario(h, 'returned', '2026-04-20T10:00:00');
    try {
      await s.submitSeedSections();
      // An invalid submission: rejected with its problems, nothing in history or the database.
      const before = await h.database.db.selectFrom('section_submissions').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const error = await s.submit('infosec', { ...infosecSubmission, achievements: [], outputIndicators: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (error as WorkflowUpdateFailedError).cause as { type?: string; details?: unknown[] };
      expect(cause.type).toBe('invalid_message');
      expect(cause.details).toEqual([expect.objectContaining({ path: 'submission.achievements', code: 'empty_submission' })]);
      const history = await s.task('infosec').fetchHistory();
      expect((history.events ?? []).some((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes)).toBe(false);
      expect(await h.database.db.selectFrom('section_submissions').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual(before);

      await s.submit('infosec', infosecSubmission);
      await s.eventually(s.status, (x) => x.stage === 'reviewing', 'reviewing');
      const returned = await s.handle.executeUpdate(returnSubmissionUpdate, { args: [{ actor: 'finance', section: 'general', reason: '请补充公车使用数据' }] });
      expect(returned.run).toBe(2);
      const st = await s.eventually(s.status, (x) => x.stage === 'collecting', 'back to collecting');
      expect(st.sections.find((x) => x.section === 'general')).toMatchObject({ state: 'returned', run: 2 });
      const view = await s.eventually(() => s.task('general').query(taskViewQuery), (v) => v.run === 2, 'the second run');
      expect(view.state).toBe('open');
      // The run's row and notice are written by the task's first activity, after its query answers: wait for them.
      const row = await s.eventually(() => h.database.db.selectFrom('tasks').select(['state', 'run', 'returned_reason']).where('workflow_id', '=', sectionTaskId(s.unitCode, 2020, 'general')).executeTakeFirst(), (r) => r?.run === 2, 'the second run’s row');
      expect(row).toEqual({ state: 'returned', run: 2, returned_reason: '请补充公车使用数据' });
      const notice = await s.eventually(() => h.database.db.selectFrom('notifications').select(['kind', 'body']).where('dedupe_key', 'like', `${sectionTaskId(s.unitCode, 2020, 'general')}|run2|assigned|in_app|%`).executeTakeFirst(), Boolean, 'the second run’s notice');
      expect(notice?.kind).toBe('task_returned');
      expect(notice?.body).toContain('请补充公车使用数据');
      await s.submit('general', seedUnitYear().submissions.find((x) => x.section === 'general')!);
      await s.eventually(s.status, (x) => x.stage === 'reviewing', 'reviewing again');
    } finally {
      await s.stop();
    }
  });

});
