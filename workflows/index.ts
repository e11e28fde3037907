// Entry point of the workflow bundle: every workflow type the worker runs is exported here.
export { smokeCheck } from './smoke/smoke-check.workflow';
export { annualEvaluation } from './evaluation/annual-evaluation.workflow';
export { sectionTask } from './evaluation/section-task.workflow';
export { selfAssessmentTask } from './evaluation/self-assessment-task.workflow';
export { yearlyEvaluationStarter } from './evaluation/yearly-starter.workflow';
export { campaign } from './campaign/campaign.workflow';
export { unitReview } from './review/review.workflow';
export { benchFloorCampaign, benchFloorStarter } from './campaign/bench-floor.workflow';
export { holdback } from './holdback/holdback.workflow';
export { reportPreview } from './preview/report-preview.workflow';
export { draftDocx } from './report-docx/report-docx.workflow';
export { benchFloorEvaluation, benchFloorSide, benchFloorTask } from './bench/floor.workflow';
export { reviewResultPdf } from './review-result/review-result.workflow';
