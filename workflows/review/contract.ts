/**
 * Contract of the review above the unit (抽查复核): the workflow that takes a campaign unit's issued
 * report to its 主管部门 (when it has one) and then the bureau. Each level accepts it, returns it
 * with comments per section or indicator, or adjusts an indicator's points with a reason. The
 * evaluation, the API, the activities and the tests import this; no id or message name is written
 * anywhere else.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { pointsTextSchema } from '../../domain/self-assessment';
import { bi } from '../../domain/validation';
import type { ReviewComment } from '../evaluation/contract';

export { taskQueue } from '../task-queue';
export type { ReviewComment, ReviewReturn } from '../evaluation/contract';

export const unitReviewWorkflowType = 'unitReview';
/**
 * Since this patch an accepted review whose campaign's workflow has stopped (failed, terminated)
 * still completes: the campaign is told when it is restarted (it reads the accepted units from
 * the database), instead of the signal's failure failing the review and with it the evaluation.
 */
export const TOLERANT_CAMPAIGN_SIGNAL_PATCH = 'review-tolerant-campaign-signal';
export const reviewId = (unitCode: string, year: number): string => `review/${unitCode}/${year}`;

export type ReviewLevel = 'department' | 'bureau';
export const REVIEW_LEVEL_ZH: Record<ReviewLevel, string> = { department: '主管部门', bureau: '财政局' };

export interface UnitReviewInput {
  unitCode: string;
  year: number;
  evaluationWorkflowId: string;
  /** The issued version that goes to review. */
  reportVersion: number;
}

export interface UnitReviewResult {
  acceptedVersion: number;
  acceptedBy: string;
  at: string;
}

/** Who values an indicator (where a returned indicator goes back to): the finance officer or a section. */
export type IndicatorAssessor = { kind: 'finance_officer' } | { kind: 'section'; section: string };

/** What a reviewer may comment on and adjust: the unit's sections, and the indicators with their self-score. */
export interface ReviewScope {
  sections: Array<{ code: string; name: string }>;
  indicators: Array<{ id: string; name: string; maxCp: number; selfCp: number | null; assessor: IndicatorAssessor }>;
}

/** The levels that review the unit, in order (its department, if any, then the bureau). */
export interface ReviewLevelRef {
  level: ReviewLevel;
  organisationCode: string;
  organisationName: string;
}

// ── Messages ───────────────────────────────────────────────────────────────────────────────

const actor = z.string().trim().min(1).max(200);
const level = z.enum(['department', 'bureau']);
const reportVersion = z.number().int().positive();
const text = z.string().trim().min(1, { message: bi('请填写意见', 'write the comment') }).max(2000);

export const acceptReviewArgsSchema = z.object({ actor, level, reportVersion, note: z.string().trim().max(2000).optional() }).strict();
export type AcceptReviewArgs = z.infer<typeof acceptReviewArgsSchema>;

export const reviewCommentSchema = z
  .object({ section: z.string().trim().min(1).max(64).optional(), indicator: z.string().trim().min(1).max(100).optional(), text })
  .strict()
  .refine((c) => (c.section === undefined) !== (c.indicator === undefined), { message: bi('每条意见须针对一个科室或一个指标', 'each comment names one section or one indicator'), path: ['section'] });
export const returnReviewArgsSchema = z
  .object({ actor, level, reportVersion, comments: z.array(reviewCommentSchema).min(1, { message: bi('退回须至少有一条意见', 'a return needs at least one comment') }).max(100) })
  .strict();
export type ReturnReviewArgs = { actor: string; level: ReviewLevel; reportVersion: number; comments: ReviewComment[] };

export const adjustmentSchema = z.object({ indicator: z.string().trim().min(1).max(100), points: pointsTextSchema, reason: z.string().trim().min(1, { message: bi('请说明调整原因', 'give the reason for the adjustment') }).max(2000) }).strict();
export const adjustReviewArgsSchema = z.object({ actor, level, reportVersion, adjustments: z.array(adjustmentSchema).min(1).max(100) }).strict();
export type AdjustReviewArgs = { actor: string; level: ReviewLevel; reportVersion: number; adjustments: Array<{ indicator: string; points: string | number; reason: string }> };

export interface ReviewDecisionResult {
  ok: true;
  /** Where the review stands after the decision. */
  state: ReviewState;
  level: ReviewLevel | null;
}

/** The level accepts the report: it goes to the next level, or (the last) the review ends. */
export const acceptReviewUpdate = defineUpdate<ReviewDecisionResult, [AcceptReviewArgs]>('review.accept');
/** The level returns the report with comments: the evaluation reopens exactly what they name. */
export const returnReviewUpdate = defineUpdate<ReviewDecisionResult, [ReturnReviewArgs]>('review.return');
/** The level sets the reviewed points of indicators, each with its reason (the self-score stays beside it). */
export const adjustReviewUpdate = defineUpdate<ReviewDecisionResult, [AdjustReviewArgs]>('review.adjust');
/** The evaluation issued the revision of a returned report (sent by the evaluation). */
export const reportReissuedSignal = defineSignal<[{ reportVersion: number }]>('review.reissued');

export type ReviewState = 'awaiting' | 'returned' | 'accepted';

export interface ReviewDecisionView {
  level: ReviewLevel;
  decision: 'accept' | 'return' | 'adjust';
  by: string;
  at: string;
  reportVersion: number;
  comments?: ReviewComment[];
  adjustments?: Array<{ indicator: string; pointsCp: number; selfCp: number | null; reason: string }>;
  note?: string;
}

export interface ReviewStatus {
  workflowId: string;
  unitCode: string;
  year: number;
  /** awaiting a level's decision; returned to the unit (revising); accepted by the last level. */
  state: ReviewState;
  /** The level whose decision it waits for (state `awaiting`). */
  level: ReviewLevel | null;
  levels: ReviewLevelRef[];
  reportVersion: number;
  /** 1, +1 for each revision after a return. */
  round: number;
  decisions: ReviewDecisionView[];
  /** Whom the review waits for, since when, and the reminders sent. */
  waiting: { since: string; remindersSent: number; nextReminderAt: string | null } | null;
}
export const reviewStatusQuery = defineQuery<ReviewStatus>('review.status');
