/**
 * Contract of the 复核结果 on request: once the bureau has accepted a unit's issued version, the
 * first download of its review result starts this workflow (one per unit-year and version:
 * requests at once share it), whose activity composes the document (domain/report/review-result.ts),
 * renders it in the worker's render pool and stores it once, frozen. The HTTP process cannot
 * render (it does not load activities), hence the round trip.
 */
export { taskQueue } from '../task-queue';

export const reviewResultWorkflowType = 'reviewResultPdf';
export const reviewResultId = (unitCode: string, year: number, version: number): string => `review-result/${unitCode}/${year}/v${version}`;

export interface ReviewResultRequest {
  unitCode: string;
  year: number;
  /** The accepted version the download asked for (refused if it is not the accepted one). */
  reportVersion: number;
  /** Who asked (the download's account, or `public`). */
  actor: string;
}

export interface ReviewResultAnswer {
  reportVersion: number;
  pdfSha256: string;
  /** False when it was stored already. */
  rendered: boolean;
}
