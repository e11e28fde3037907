/**
 * Contract of the holdback workflow — one per withheld amount (质保金, O&M fee, final payment,
 * milestone payment), outliving the evaluation that started it. The only place its workflow
 * id, type name and message names are written. Imported by the workflow, the activities that
 * start it, the API and the tests.
 *
 * Messages (all Updates are validated synchronously: a rejected one never reaches history and
 * changes nothing; a repeated `requestId` is answered with the first answer and changes nothing):
 *   holdback.recordAssessment  O&M assessment result of a period (pass → payable, fail → next period)
 *   holdback.recordAcceptance  acceptance date (final payment due; opens the retention part)
 *   holdback.reportDefect      defect during the warranty (extends it, reschedules the reminders)
 *   holdback.recordMilestone   the named milestone was reached (→ payable)
 *   holdback.recordRelease     a (partial) release payment
 *   holdback.status            query: state, amounts in 分, next due date, reminders sent, events
 * Rejections are ApplicationFailures of type `InvalidHoldbackEvent` whose first detail is the
 * list of bilingual problems (`Problem[]`).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RecordAcceptance, RecordAssessment, RecordMilestone, RecordRelease, ReportDefect } from '../../domain/holdbacks/events';
import type { HoldbackEventResult, HoldbackRef, HoldbackResult, HoldbackState, HoldbackStatusView } from '../../domain/holdbacks/model';

export { taskQueue } from '../task-queue';
export {
  recordAcceptanceSchema, recordAssessmentSchema, recordMilestoneSchema, recordReleaseSchema, reportDefectSchema, requestIdSchema,
} from '../../domain/holdbacks/events';
export type { RecordAcceptance, RecordAssessment, RecordMilestone, RecordRelease, ReportDefect } from '../../domain/holdbacks/events';
export type {
  HoldbackAmounts, HoldbackAwaiting, HoldbackEventRecord, HoldbackEventResult, HoldbackPhase, HoldbackRef, HoldbackResult, HoldbackState,
  HoldbackStatusView, SentReminder,
} from '../../domain/holdbacks/model';

/** Workflow type name (the exported function's name in the bundle). */
export const holdbackWorkflowType = 'holdback';

/** `holdback/<unit>/<year>/<holdback code>`: one workflow per withheld amount. */
export const holdbackWorkflowId = (unitCode: string, year: number, holdbackCode: string): string => `holdback/${unitCode}/${year}/${holdbackCode}`;

export const holdbackWorkflowIdOf = (ref: HoldbackRef): string => holdbackWorkflowId(ref.unitCode, ref.year, ref.holdbackCode);

/** Type of the ApplicationFailure that rejects an update; `details[0]` is `Problem[]`. */
export const invalidHoldbackEventType = 'InvalidHoldbackEvent';

/** History length after which a run continues as new (also when the server suggests it). */
export const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

export interface HoldbackInput extends HoldbackRef {
  /**
   * Business clock = workflow clock + this many ms. 0 (absent) in production. Tests and back-fills
   * use it to run a past year's holdbacks on today's server (e.g. the seed's 2021 due dates).
   */
  clockOffsetMs?: number;
  /** Continue as new once the history has this many events (default 2,000). */
  continueAsNewAfterEvents?: number;
  /** State carried over by continue-as-new; absent on the first run. */
  carried?: HoldbackState;
}

export const recordAssessmentUpdate = defineUpdate<HoldbackEventResult, [RecordAssessment]>('holdback.recordAssessment');
export const recordAcceptanceUpdate = defineUpdate<HoldbackEventResult, [RecordAcceptance]>('holdback.recordAcceptance');
export const reportDefectUpdate = defineUpdate<HoldbackEventResult, [ReportDefect]>('holdback.reportDefect');
export const recordMilestoneUpdate = defineUpdate<HoldbackEventResult, [RecordMilestone]>('holdback.recordMilestone');
export const recordReleaseUpdate = defineUpdate<HoldbackEventResult, [RecordRelease]>('holdback.recordRelease');

export const holdbackStatusQuery = defineQuery<HoldbackStatusView>('holdback.status');
/**
 * The whole state, as continue-as-new carries it: a restart after the run stopped (failed,
 * terminated) asks the stopped run for it and starts the new run with it as `carried`, so nothing
 * recorded is lost and the reminders go on from where they were.
 */
export const holdbackStateQuery = defineQuery<HoldbackState>('holdback.state');

export type { HoldbackResult as HoldbackWorkflowResult };
