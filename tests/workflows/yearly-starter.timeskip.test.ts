/**
 * The yearly Schedule's starter workflow on the time-skipping server (a server of its own: time
 * is global to one). The Java test server has no Schedule RPCs, so the test starts the workflow
 * the Schedule would start (`yearlyEvaluationStarter`) directly; the Schedule itself is tested on
 * the dev server (tests/integration/yearly-schedule.integration.test.ts).
 *
 * Business time is pinned through the activities' clock shift: the starter fires on Thursday
 * 2026-01-15 at 10:00 (Asia/Shanghai) and evaluates 2025, the year just closed.
 */
import { describe, expect, it } from 'vitest';
import { evaluationId } from '../../workflows/evaluation/contract';
import { recordFixture } from '../replay/fixtures';
import { starterScenario } from '../helpers/starter-scenario';
import { timeSkippingHarness } from '../helpers/evaluation-scenario';

describe('the yearly starter (time-skipping)', () => {
  const h = timeSkippingHarness();

  it('starts the evaluation of the year just closed when its ledger is there', async () => {
    const s = await starterScenario(h, 'starter-present', '2026-01-15T10:00:00', [2025]);
    try {
      expect(await s.result()).toEqual({ year: 2025, workflowId: evaluationId('starter-present', 2025), started: true });
      const evaluation = await h.env.client.workflow.getHandle(evaluationId('starter-present', 2025)).describe();
      expect(evaluation.status.name).toBe('RUNNING');
      await recordFixture('yearly-starter-ledger-present', s.starter);
    } finally {
      await s.stop(2025);
    }
  });
});
