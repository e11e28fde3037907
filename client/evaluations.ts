/**
 * Starting evaluations and their yearly Schedules, for the API and the CLI. Starting one that
 * already exists returns it; creating a Schedule that exists updates it.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type WorkflowHandle, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  annualEvaluationWorkflowType, type EvaluationOptions, evaluationId, taskQueue, yearlyEvaluationStarterWorkflowType, yearlyScheduleId,
} from '../workflows/evaluation/contract';
import type { annualEvaluation } from '../workflows/evaluation/annual-evaluation.workflow';
import type { yearlyEvaluationStarter } from '../workflows/evaluation/yearly-starter.workflow';

export async function startEvaluation(
  client: Client,
  input: { unitCode: string; year: number; startedBy: string; options?: EvaluationOptions; taskQueue?: string },
): Promise<{ handle: WorkflowHandle<typeof annualEvaluation>; workflowId: string; alreadyStarted: boolean }> {
  const workflowId = evaluationId(input.unitCode, input.year);
  try {
    const handle = await client.workflow.start<typeof annualEvaluation>(annualEvaluationWorkflowType, {
      workflowId,
      taskQueue: input.taskQueue ?? taskQueue,
      args: [{ unitCode: input.unitCode, year: input.year, startedBy: input.startedBy, ...(input.options ? { options: input.options } : {}) }],
      // An evaluation, running or finished, is never started a second time for the same unit-year.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { handle, workflowId, alreadyStarted: false };
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    return { handle: client.workflow.getHandle<typeof annualEvaluation>(workflowId), workflowId, alreadyStarted: true };
  }
}

export interface YearlyScheduleSpec {
  unitCode: string;
  taskQueue?: string;
  /** 1–12 */
  month: number;
  dayOfMonth: number;
  hour?: number;
  startedBy?: string;
  options?: EvaluationOptions;
}

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

/** Creates (or updates) the unit's yearly Schedule: on the configured date, start last year's evaluation. */
export async function ensureYearlySchedule(client: Client, spec: YearlyScheduleSpec): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = yearlyScheduleId(spec.unitCode);
  const options = {
    spec: { calendars: [{ month: MONTHS[spec.month - 1]!, dayOfMonth: spec.dayOfMonth, hour: spec.hour ?? 9, comment: 'yearly self-evaluation' }], timezone: 'Asia/Shanghai' },
    action: {
      type: 'startWorkflow' as const,
      workflowType: yearlyEvaluationStarterWorkflowType,
      taskQueue: spec.taskQueue ?? taskQueue,
      args: [{ unitCode: spec.unitCode, startedBy: spec.startedBy ?? 'schedule', ...(spec.options ? { options: spec.options } : {}) }] as Parameters<typeof yearlyEvaluationStarter>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
  };
  try {
    await client.schedule.create({ scheduleId, ...options });
    return { scheduleId, created: true };
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: { ...previous.policies, ...options.policies } }));
    return { scheduleId, created: false };
  }
}
