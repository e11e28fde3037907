/**
 * The floor for `npm run bench:campaign`: a campaign's shape with no work in it — a campaign
 * workflow that opens with a local no-op and starts its units in batches through an activity
 * (which starts workflows by id through the client, as the real fan-out does), a starter per unit
 * (a local no-op where the real one looks for the ledger, then the evaluation as an abandoned
 * child), and the evaluation's shape up to its open tasks (`benchFloorEvaluation`: its local and
 * ordinary activities, side workflows for the holdbacks, a child per task). What the real campaign
 * costs above this is selfeval's own work: the rows, the pins, the notices and the task rows.
 */
import { ParentClosePolicy, condition, proxyActivities, proxyLocalActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { FloorShape } from '../bench/floor.workflow';

const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds' });
const fanOut = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '15 seconds' });

export interface FloorCampaignInput {
  /** Workflow id prefix of the units' starters and evaluations. */
  prefix: string;
  units: string[];
  batchSize: number;
  shape: FloorShape;
}

export async function benchFloorStarter(input: { evaluationId: string; shape: FloorShape }): Promise<void> {
  await local.benchNoop();
  await startChild('benchFloorEvaluation', { workflowId: input.evaluationId, args: [input.shape], parentClosePolicy: ParentClosePolicy.ABANDON });
}

export async function benchFloorCampaign(input: FloorCampaignInput): Promise<void> {
  await local.benchNoop();
  for (let i = 0; i < input.units.length; i += input.batchSize) {
    await fanOut.benchFloorStartUnits({ prefix: input.prefix, units: input.units.slice(i, i + input.batchSize), shape: input.shape });
  }
  await local.benchNoop();
  // Like the campaign: waits (for acceptances and its reminders) long after its units started.
  await condition(() => false, '365 days');
}
