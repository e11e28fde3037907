/**
 * Started by each unit's yearly Schedule: works out which year to evaluate (the year just
 * closed, by the Asia/Shanghai calendar — in an activity) and starts that year's evaluation,
 * unless it already runs or ran. The evaluation outlives this short workflow.
 */
import { ParentClosePolicy, WorkflowIdReusePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { annualEvaluationWorkflowType, type EvaluationOptions, evaluationId } from './contract';
import type { annualEvaluation } from './annual-evaluation.workflow';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });

export interface YearlyStarterInput {
  unitCode: string;
  startedBy: string;
  options?: EvaluationOptions;
}

export async function yearlyEvaluationStarter(input: YearlyStarterInput): Promise<{ year: number; workflowId: string; started: boolean }> {
  const { year } = await acts.evaluationYear({ now: new Date().toISOString() });
  const workflowId = evaluationId(input.unitCode, year);
  try {
    await startChild<typeof annualEvaluation>(annualEvaluationWorkflowType, {
      workflowId,
      args: [{ unitCode: input.unitCode, year, startedBy: input.startedBy, ...(input.options ? { options: input.options } : {}) }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { year, workflowId, started: true };
  } catch (e) {
    if (e instanceof Error && e.name === 'WorkflowExecutionAlreadyStartedError') return { year, workflowId, started: false };
    throw e;
  }
}
