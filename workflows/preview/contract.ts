/**
 * Contract of the report preview: a draft PDF of a unit-year under a candidate rule set and report
 * outline, rendered by the worker (rendering lives in activities) and stored for a day under the
 * preview's id — nothing of the unit-year's evaluation or reports changes.
 */
import type { ScoringRuleSet } from '../../domain/scoring';

export { taskQueue } from '../task-queue';

export const reportPreviewWorkflowType = 'reportPreview';
export const reportPreviewId = (previewId: string): string => `report-preview/${previewId}`;

export interface ReportPreviewInput {
  /** A fresh id the caller makes (a UUID); the stored preview is found by it. */
  previewId: string;
  unitCode: string;
  year: number;
  actor: string;
  /** The candidate rule set (an added version, or a file not yet added); default: the unit-year's. */
  ruleSet?: ScoringRuleSet;
  /** The candidate outline id; default: the unit-year's. */
  outline?: string;
}

export interface ReportPreviewResult {
  previewId: string;
  pdfSha256: string;
  ruleSet: { id: string; version: number };
  outline: string;
  totalCp: number;
}
