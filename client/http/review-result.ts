/**
 * The 复核结果 PDF of a unit-year's accepted version, for the review page (its readers) and the
 * public page (once published): read from Postgres, or — the first time — rendered by the worker
 * through the `reviewResultPdf` workflow (requests at once share one run) and then read.
 */
import { acceptedVersionOf, reviewResultFile } from '../../db/reviews.repository';
import { AppError } from '../../domain/errors';
import { type ReviewResultRequest, reviewResultId, reviewResultWorkflowType } from '../../workflows/review-result/contract';
import { type HandlerContext, renderOnWorker } from './route-kit';

export async function sendReviewResult(ctx: HandlerContext, input: { unitCode: string; year: number; unitYearId: number; actor: string }): Promise<unknown> {
  const version = await acceptedVersionOf(ctx.deps.db, input.unitYearId);
  if (version === null) throw new AppError('conflict', '财政局尚未复核通过本年度报告，还没有复核结果', 'the bureau has not accepted this year’s report; there is no review result yet');
  let file = await reviewResultFile(ctx.deps.db, input.unitYearId, version);
  if (!file) {
    const request: ReviewResultRequest = { unitCode: input.unitCode, year: input.year, reportVersion: version, actor: input.actor };
    await renderOnWorker(ctx, { workflowType: reviewResultWorkflowType, workflowId: reviewResultId(input.unitCode, input.year, version), args: [request], what: { zh: '复核结果', en: 'the review result' } });
    file = await reviewResultFile(ctx.deps.db, input.unitYearId, version);
    if (!file) throw new AppError('unavailable', '暂时无法生成复核结果，请稍后再试', 'the review result could not be rendered now; try again later');
  }
  return ctx.reply
    .header('content-type', 'application/pdf')
    .header('x-content-sha256', file.sha256)
    .header('content-disposition', `inline; filename="${input.unitCode}-${input.year}-v${version}-review.pdf"`)
    .send(file.bytes);
}
