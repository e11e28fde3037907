/**
 * The floor for `npm run bench:cycle`: the annual evaluation's shape with no work in it — the same
 * sequence of local and ordinary activities (no-ops), child workflows, long-lived side workflows
 * (the holdbacks), timers and Updates. What the real cycle costs above this is selfeval's own work
 * (database, rendering). With `renders` in its shape it also renders the unit's draft and issued
 * report where the cycle does, so what the cycle costs above it is everything but rendering.
 */
import { ParentClosePolicy, condition, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';

const remote = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export const floorSubmitUpdate = defineUpdate<{ ok: true }>('benchFloor.submit');
export const floorAcknowledgeUpdate = defineUpdate<{ ok: true }>('benchFloor.acknowledge');
export const floorApproveUpdate = defineUpdate<{ ok: true }>('benchFloor.approve');

/**
 * One activity of the shape: `L` a local activity, `R` an ordinary one, `D` / `I` an ordinary one
 * at the place of the draft / issued render — a no-op, or with `renders` the real reading and
 * rendering of the unit's report (nothing stored).
 */
export type FloorStep = 'L' | 'R' | 'D' | 'I';

export interface FloorShape {
  /**
   * Render the reports at their places (`D`, `I`) for this unit-year instead of a no-op: the
   * issued one in both formats, the draft in `draftFormats` (default PDF only, as the cycle
   * renders a draft; its DOCX waits for a download).
   */
  renders?: { unitCode: string; year: number; draftFormats?: Array<'pdf' | 'docx'> };
  sections: number;
  /** The evaluation's activities before, between and after its waits, in order. */
  parent: { open: FloorStep[]; review: FloorStep[]; acknowledge: FloorStep[]; draft: FloorStep[]; approve: FloorStep[]; issue: FloorStep[] };
  /** A section task's activities before it waits, and in its submit Update. */
  child: { open: FloorStep[]; submit: FloorStep[] };
  sideWorkflows: number;
  /** A side workflow's activities before it sleeps. */
  side: FloorStep[];
}

const rendering = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', heartbeatTimeout: '20 seconds' });

/** Runs the steps; `firstMark` is counted by the worker when the first step (a no-op) has run. */
async function run(steps: FloorStep[], shape: FloorShape, firstMark?: string): Promise<void> {
  for (const [i, step] of steps.entries()) {
    if ((step === 'D' || step === 'I') && shape.renders) {
      const { unitCode, year, draftFormats } = shape.renders;
      await rendering.benchRenderReport({ unitCode, year, kind: step === 'D' ? 'draft' : 'issued', formats: step === 'D' ? (draftFormats ?? ['pdf']) : ['pdf', 'docx'] });
    }
    else await (step === 'L' ? local : remote).benchNoop(...(i === 0 && firstMark ? [firstMark] : []));
  }
}

/** The mark a floor task passes with its first step: where a real section task has written its row (openTask). */
export const TASK_OPENED_MARK = 'task-opened';

export async function benchFloorTask(shape: FloorShape): Promise<void> {
  let submitted = false;
  setHandler(floorSubmitUpdate, async () => {
    await run(shape.child.submit, shape);
    submitted = true;
    return { ok: true as const };
  });
  await run(shape.child.open, shape, TASK_OPENED_MARK);
  // Like a section task: wait for the submission with the next reminder as the timeout.
  await condition(() => submitted, '30 days');
}

export async function benchFloorSide(shape: FloorShape): Promise<void> {
  await run(shape.side, shape);
  await sleep('365 days');
}

export async function benchFloorEvaluation(shape: FloorShape): Promise<void> {
  const id = workflowInfo().workflowId;
  let acknowledged = false;
  let approved = false;
  let reviewed = false;
  let drafted = false;
  // As in the cycle, where the findings are acknowledged once they are there and the draft approved
  // once it is: an Update that comes early waits, rather than run its activities beside the main
  // path's. (Interleaved with the review's local activities, an accepted Update's replay after an
  // eviction once failed with "Update machine does not handle this event: ActivityTaskScheduled",
  // and the run never finished.)
  setHandler(floorAcknowledgeUpdate, async () => {
    await condition(() => reviewed);
    await run(shape.parent.acknowledge, shape);
    acknowledged = true;
    return { ok: true as const };
  });
  setHandler(floorApproveUpdate, async () => {
    await condition(() => drafted);
    await run(shape.parent.approve, shape);
    approved = true;
    return { ok: true as const };
  });
  await run(shape.parent.open, shape);
  for (let k = 0; k < shape.sideWorkflows; k++) {
    await startChild(benchFloorSide, { workflowId: `${id}/side/${k}`, args: [shape], parentClosePolicy: ParentClosePolicy.ABANDON });
  }
  const tasks = [];
  for (let k = 0; k < shape.sections; k++) tasks.push(await startChild(benchFloorTask, { workflowId: `${id}/task/${k}`, args: [shape] }));
  await Promise.all(tasks.map((t) => t.result()));
  await run(shape.parent.review, shape);
  reviewed = true;
  await condition(() => acknowledged);
  await run(shape.parent.draft, shape);
  drafted = true;
  await condition(() => approved);
  await run(shape.parent.issue, shape);
}
