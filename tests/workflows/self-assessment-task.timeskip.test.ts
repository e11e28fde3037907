/**
 * The finance officer's self-assessment task of the annual evaluation on the time-skipping server
 * (a server of its own: time is global to one). Dates as in annual-evaluation.timeskip.test.ts:
 * due 2026-04-30 (Thu); before-3 04-27, before-1 04-29, due 04-30, after-1 05-07 (劳动节 skipped),
 * escalation 05-08 (3 working days after due).
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { selfAssessmentTaskId, taskViewQuery } from '../../workflows/evaluation/contract';
import { infosecSubmission, scenario, timeSkippingHarness } from '../helpers/evaluation-scenario';


describe('the self-assessment task (time-skipping)', () => {
  const h = timeSkippingHarness();

  it('gives the finance officer a self-assessment task beside the sections: reminded like one, escalated to the unit head, checked against the rule set, and waited for', async () => {
    const s = await scenario(h, 'assessing', '2026-04-20T10:00:00');
    try {
      await s.submitSeedSections({ selfAssessment: false });
      await s.submit('infosec', infosecSubmission);
      // Every section is in, but the evaluation waits for the self-assessment.
      const st = await s.eventually(s.status, (x) => x.selfAssessment?.state === 'open' && x.sections.every((sec) => sec.state === 'submitted'), 'sections in, self-assessment open');
      expect(st.stage).toBe('collecting');
      expect(st.ruleSetId).toBe('hunan-department-2020');
      const k = (x: string) => `2026-04-30:${x}`;
      const reminders = async (local: string, n: number) => {
        await s.until(local);
        return (await s.eventually(() => s.assessment().query(taskViewQuery), (v) => v.remindersSent.length >= n, `reminders at ${local}`)).remindersSent;
      };
      // The same working-day schedule as a section (see the dates at the top of this file).
      expect(await reminders('2026-04-27T09:01:00', 1)).toEqual([k('before-3')]);
      expect(await reminders('2026-05-07T09:01:00', 4)).toEqual([k('before-3'), k('before-1'), k('due'), k('after-1')]);
      await s.until('2026-05-08T09:01:00');
      expect(await s.eventually(() => s.assessment().query(taskViewQuery), (v) => v.escalated, 'escalation')).toMatchObject({ escalated: true, state: 'overdue' });

      const rows = await h.database.db
        .selectFrom('notifications')
        .innerJoin('users', 'users.id', 'notifications.recipient_user_id')
        .select(['notifications.kind', 'notifications.link', 'users.email'])
        .where('notifications.workflow_id', '=', selfAssessmentTaskId(s.unitCode, 2020))
        .orderBy('notifications.id')
        .execute();
      expect(rows.map((r) => [r.kind, r.email.split('+')[0]])).toEqual([
        ['task_assigned', 'finance'],
        ...['before-3', 'before-1', 'due', 'after-1'].map(() => ['task_reminder', 'finance']),
        ['task_escalated', 'head'],
      ]);
      expect(new Set(rows.map((r) => r.link))).toEqual(new Set([`/units/${s.unitCode}/years/2020/self-assessment`]));
      const task = await h.database.db.selectFrom('tasks').select(['kind', 'section_id', 'state']).where('workflow_id', '=', selfAssessmentTaskId(s.unitCode, 2020)).executeTakeFirstOrThrow();
      expect(task).toEqual({ kind: 'self_assessment', section_id: null, state: 'overdue' });

      // Points outside the chosen tier, and an indicator left out: refused with both problems, nothing in history.
      const entries = s.unitYear.selfAssessment!.entries.map((e) => ({ ...e, evidence: [] as number[] }));
      const wrong = entries.filter((e) => e.indicator !== 'social_benefit').map((e) => (e.indicator === 'indicator_clarity' ? { ...e, points: '2.5' } : e));
      const error = await s.submitSelfAssessment(wrong).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (error as WorkflowUpdateFailedError).cause as { type?: string; details?: Array<{ path: string; code: string; zh: string }> };
      expect(cause.type).toBe('invalid_message');
      // indicator_clarity weighs 3: 部分达成 is 60%–80% of it, 1.80 (incl.) to 2.40 (excl.).
      expect(cause.details?.map((d) => [d.path, d.code])).toEqual([
        ['entries[1].points', 'points_outside_tier'],
        ['entries', 'assessment_missing'],
      ]);
      expect(cause.details?.[0]?.zh).toBe('2.50 分不在“部分达成并具有一定效果”档的范围内：1.80 分（含）至 2.40 分（不含）');
      const history = await s.assessment().fetchHistory();
      expect((history.events ?? []).some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
      expect(await h.database.db.selectFrom('self_assessments').select('indicator').execute()).toEqual([]);

      await s.submitSelfAssessment(entries);
      await s.eventually(s.status, (x) => x.stage === 'reviewing' && x.selfAssessment?.state === 'submitted', 'reviewing');
      const stored = await h.database.db.selectFrom('self_assessments').select(['indicator', 'entry']).orderBy('indicator').execute();
      expect(stored.map((r) => r.indicator)).toEqual(entries.map((e) => e.indicator).sort());
      expect(stored.find((r) => r.indicator === 'indicator_clarity')!.entry).toMatchObject({ tier: 'partial', points: '2.1' });
    } finally {
      await s.stop();
    }
  });
});
