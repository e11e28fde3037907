/** Renders a draft's DOCX on request (see ./contract): one activity, retried if a worker or render thread dies mid-render. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { DraftDocxInput, DraftDocxResult } from './contract';

const render = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export async function draftDocx(input: DraftDocxInput): Promise<DraftDocxResult> {
  return render.renderDraftDocx(input);
}
