/**
 * A mail server that is down for the whole cycle stops nothing: every notify activity of the
 * evaluation and its tasks completes at its first attempt (the email waits in the outbox for the
 * relay), reminders and the escalation come on their days, and the sections' work goes on. Before
 * the outbox relay, each of these activities failed ten times over ~20 minutes and then failed
 * its workflow. Dates as in self-assessment-task.timeskip.test.ts.
 */
import { temporal } from '@temporalio/proto';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../client/stack/proc';
import { selfAssessmentTaskId, taskViewQuery } from '../../workflows/evaluation/contract';
import { scenario, timeSkippingHarness } from '../helpers/evaluation-scenario';


const EventType = temporal.api.enums.v1.EventType;

describe('a mail outage (time-skipping)', () => {
  const h = timeSkippingHarness();

  it('leaves the emails in the outbox and the evaluation and its tasks running, reminded and escalated on their days', async () => {
    // Nothing listens on this port: every email is refused.
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: await freePort(), secure: false, ignoreTLS: true, connectionTimeout: 1_000 });
    const s = await scenario(h, 'mail-down', '2026-04-20T10:00:00', { mailer });
    try {
      await s.submitSeedSections({ selfAssessment: false });
      await s.until('2026-05-08T09:01:00');
      const view = await s.eventually(() => s.assessment().query(taskViewQuery), (v) => v.escalated, 'escalation');
      expect(view.remindersSent).toEqual(['before-3', 'before-1', 'due', 'after-1', 'escalate'].map((k) => `2026-04-30:${k}`));
      expect((await s.status()).stage).toBe('collecting');

      // Every activity of the self-assessment task completed at its first attempt, none failed.
      const events = (await s.assessment().fetchHistory()).events ?? [];
      const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
      expect(started.length).toBeGreaterThanOrEqual(5); // four reminders and the escalation at least
      expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual(started.map(() => 1));
      expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED)).toBe(false);

      // Each message of the task: written in-app, its email waiting in the outbox for the relay with why.
      const rows = await h.database.db
        .selectFrom('notifications')
        .select(['kind', 'channel', 'status', 'attempts', 'error'])
        .where('workflow_id', '=', selfAssessmentTaskId(s.unitCode, 2020))
        .orderBy('id')
        .execute();
      const emails = rows.filter((r) => r.channel === 'email');
      expect(emails.map((r) => r.kind)).toEqual(['task_assigned', 'task_reminder', 'task_reminder', 'task_reminder', 'task_reminder', 'task_escalated']);
      expect(new Set(emails.map((r) => `${r.status}|${r.attempts}`))).toEqual(new Set(['pending|1']));
      expect(emails.every((r) => /ECONNREFUSED|connect/i.test(r.error ?? ''))).toBe(true);
      expect(rows.filter((r) => r.channel === 'in_app').map((r) => r.status)).toEqual(emails.map(() => 'sent'));
    } finally {
      await s.stop();
      mailer.close();
    }
  });
});
