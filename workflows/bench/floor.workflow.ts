/**
 * The floor for `npm run bench:cycle`: the annual evaluation's shape with no work in it — the same
 * number of activities (no-ops), child workflows, long-lived side workflows (the holdbacks), timers
 * and Updates. What the real cycle costs above this is selfeval's own work (database, rendering).
 */
import { ParentClosePolicy, condition, defineUpdate, proxyActivities, setHandler, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';

const { benchNoop } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export const floorSubmitUpdate = defineUpdate<{ ok: true }>('benchFloor.submit');
export const floorAcknowledgeUpdate = defineUpdate<{ ok: true }>('benchFloor.acknowledge');
export const floorApproveUpdate = defineUpdate<{ ok: true }>('benchFloor.approve');

export interface FloorShape {
  sections: number;
  /** Activities of the evaluation before, between and after its waits. */
  parentActivities: { open: number; review: number; draft: number; issue: number };
  childActivities: number;
  sideWorkflows: number;
}

export async function benchFloorTask(): Promise<void> {
  let submitted = false;
  setHandler(floorSubmitUpdate, async () => {
    await benchNoop();
    submitted = true;
    return { ok: true as const };
  });
  await benchNoop();
  await benchNoop();
  // Like a section task: wait for the submission with the next reminder as the timeout.
  await condition(() => submitted, '30 days');
}

export async function benchFloorSide(): Promise<void> {
  await benchNoop();
  await sleep('365 days');
}

export async function benchFloorEvaluation(shape: FloorShape): Promise<void> {
  const id = workflowInfo().workflowId;
  let acknowledged = false;
  let approved = false;
  setHandler(floorAcknowledgeUpdate, async () => {
    await benchNoop();
    acknowledged = true;
    return { ok: true as const };
  });
  setHandler(floorApproveUpdate, async () => {
    await benchNoop();
    approved = true;
    return { ok: true as const };
  });
  const times = async (n: number) => {
    for (let i = 0; i < n; i++) await benchNoop();
  };
  await times(shape.parentActivities.open);
  for (let k = 0; k < shape.sideWorkflows; k++) {
    await startChild(benchFloorSide, { workflowId: `${id}/side/${k}`, parentClosePolicy: ParentClosePolicy.ABANDON });
  }
  const tasks = [];
  for (let k = 0; k < shape.sections; k++) tasks.push(await startChild(benchFloorTask, { workflowId: `${id}/task/${k}` }));
  await Promise.all(tasks.map((t) => t.result()));
  await times(shape.parentActivities.review);
  await condition(() => acknowledged);
  await times(shape.parentActivities.draft);
  await condition(() => approved);
  await times(shape.parentActivities.issue);
}
