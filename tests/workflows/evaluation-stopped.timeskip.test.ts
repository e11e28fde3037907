/**
 * An evaluation that stops (an activity fails for good) says so where people look, in Postgres —
 * where it stays after Temporal forgets the run (its retention): the evaluation row records the
 * state, the reason and the run; the stop is audited; the finance officer and the unit head are
 * told, with the link to the dashboard where they restart it. A restart clears the record.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';

import { infosecSubmission, scenario, timeSkippingHarness } from '../helpers/evaluation-scenario';
import { recordFixture } from '../replay/fixtures';
import { restartEvaluation } from '../../client/evaluations';
import { stoppedRuns } from '../../db/evaluations.repository';
import { evaluationStatusQuery } from '../../workflows/evaluation/contract';

describe('an evaluation that stops (time-skipping)', () => {
  const h = timeSkippingHarness();

  it('records the stop on the evaluation, audits it and tells the finance officer and the unit head; the restart clears it', async () => {
    let failures = 1;
    const s = await scenario(h, 'stops', '2026-04-20T10:00:00', {
      // The first reconciliation cannot read the ledger: a failure no retry mends.
      activities: (a) => ({
        ...a,
        runReconciliation: async (input) => {
          if (failures-- > 0) throw ApplicationFailure.nonRetryable('账套无法读取 / the ledger cannot be read', 'ledger_unreadable');
          return a.runReconciliation(input);
        },
      }),
    });
    try {
      await s.submitSeedSections();
      await s.submit('infosec', infosecSubmission);
      const client = new Client({ connection: h.env.connection, namespace: 'default' });
      const failure = await client.workflow.getHandle(s.handle.workflowId).result().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const firstRun = (await client.workflow.getHandle(s.handle.workflowId).describe()).runId;
      await recordFixture('annual-evaluation-failed-stop-recorded', client.workflow.getHandle(s.handle.workflowId, firstRun));

      // On the row, where it stays after Temporal forgets the run.
      const row = await h.database.db.selectFrom('evaluations').select(['stage', 'stopped_state', 'stopped_reason', 'stopped_run_id', 'stopped_at']).where('workflow_id', '=', s.handle.workflowId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ stage: 'reviewing', stopped_state: 'failed', stopped_reason: '账套无法读取 / the ledger cannot be read', stopped_run_id: firstRun });
      expect(row.stopped_at).toBeInstanceOf(Date);
      expect((await stoppedRuns(h.database.db, 2020, [s.unitCode, 'another-unit'])).get(s.unitCode)).toMatchObject({ state: 'failed', reason: '账套无法读取 / the ledger cannot be read' });
      const audited = await h.database.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'evaluation.stopped').where('subject', '=', s.handle.workflowId).execute();
      expect(audited).toEqual([{ actor: 'selfeval', details: { state: 'failed', reason: '账套无法读取 / the ledger cannot be read', runId: firstRun } }]);
      const told = await h.database.db
        .selectFrom('notifications')
        .innerJoin('users', 'users.id', 'notifications.recipient_user_id')
        .select(['users.email', 'notifications.subject', 'notifications.body', 'notifications.link'])
        .where('notifications.kind', '=', 'evaluation_stopped')
        .where('notifications.channel', '=', 'in_app')
        .orderBy('users.email')
        .execute();
      expect(told.map((t) => t.email.split('+')[0])).toEqual(['finance', 'head']);
      expect(told[0]).toMatchObject({ subject: '2020年度绩效自评因故中止，需要重新启动', link: `/units/${s.unitCode}/years/2020` });
      expect(told[0]!.body).toContain('账套无法读取');

      // The finance officer restarts it: the new run clears the record and goes on.
      await restartEvaluation(client, h.database.db, { unitCode: s.unitCode, year: 2020, actor: 'finance', reason: '账套已修复', taskQueue: s.taskQueue });
      await s.eventually(
        () => h.database.db.selectFrom('evaluations').select(['stopped_state', 'stage']).where('workflow_id', '=', s.handle.workflowId).executeTakeFirstOrThrow(),
        (r) => r.stopped_state === null,
        'the record cleared by the new run',
      );
      const restarted = client.workflow.getHandle(s.handle.workflowId);
      await s.eventually(() => restarted.describe().then((d) => d.runId), (id) => id !== firstRun, 'the new run');
      // It opens the tasks as their next run, as a restart does (client/evaluations.ts).
      const st = await s.eventually(() => restarted.query(evaluationStatusQuery).catch(() => null), (x) => x !== null && x.stage === 'collecting' && x.sections.length === 6, 'the new run open');
      expect(st!.sections.map((sec) => sec.run)).toEqual([2, 2, 2, 2, 2, 2]);
    } finally {
      await s.stop();
    }
  });
});
