/** Renders one preview (see ./contract): a single activity, retried if a worker dies mid-render. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ReportPreviewInput, ReportPreviewResult } from './contract';

const render = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export async function reportPreview(input: ReportPreviewInput): Promise<ReportPreviewResult> {
  return render.renderPreview(input);
}
