import { proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { type SmokeCheckInput, type SmokeCheckResult, type SmokeCheckState, smokeCheckStateQuery } from './contract';

const { recordSmokeCheck } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});

export async function smokeCheck(input: SmokeCheckInput): Promise<SmokeCheckResult> {
  let state: SmokeCheckState = 'waiting';
  setHandler(smokeCheckStateQuery, () => state);
  await sleep(input.waitMs);
  state = 'writing';
  const firedAt = new Date().toISOString();
  const { inserted } = await recordSmokeCheck({ workflowId: workflowInfo().workflowId, note: input.note, firedAt });
  state = 'done';
  return { firedAt, inserted };
}
