/** Renders the 复核结果 of an accepted version on request (see ./contract): one activity, retried if a worker or render thread dies mid-render. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ReviewResultAnswer, ReviewResultRequest } from './contract';

const render = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export async function reviewResultPdf(input: ReviewResultRequest): Promise<ReviewResultAnswer> {
  return render.renderReviewResult(input);
}
