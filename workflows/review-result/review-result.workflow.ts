/** Renders the 复核结果 of an accepted version on request (see ./contract): one activity, retried if a worker or render thread dies mid-render. */
import { renderOnRequest } from '../render-on-request';
import type { ReviewResultAnswer, ReviewResultRequest } from './contract';

export async function reviewResultPdf(input: ReviewResultRequest): Promise<ReviewResultAnswer> {
  return renderOnRequest.renderReviewResult(input);
}
