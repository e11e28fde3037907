/** What the pages read from the JSON API, as JSON (instants are ISO strings). */
import type { Account } from '../../db/accounts.repository';
import type { TaskListItem } from '../../db/tasks.repository';
import type { RuleSetSummary } from '../../db/rule-sets.repository';
import type { Finding } from '../../domain/ledger/reconcile';
import type { ScoreSheet, ScoringRuleSet } from '../../domain/scoring';
import type { SectionSubmission } from '../../domain/submission';
import type { EvaluationStatus } from '../../workflows/evaluation/contract';
import type { EvaluationRunState } from '../evaluations';

export type { Account, Finding, RuleSetSummary, ScoreSheet, ScoringRuleSet, SectionSubmission };

/** A type as it arrives through JSON: instants become ISO strings. */
type AsJson<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

export type TaskItem = AsJson<TaskListItem>;

export interface TaskDetail extends Omit<TaskItem, 'overdue'> {
  unitYearId: number;
  draft: Partial<SectionSubmission> | null;
  draftSavedAt: string | null;
  submittedBy: string | null;
}

export interface NotificationItem {
  id: number;
  kind: string;
  subject: string;
  body: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface UnitSummary {
  code: string;
  name: string;
  roles: Array<{ role: string; section: string | null }>;
}

export interface UnitDetail {
  unit: { code: string; name: string; level: string | null; staffQuota: number };
  sections: Array<{ code: string; name: string }>;
  years: number[];
}

export type StatusAnswer = EvaluationStatus & {
  source: 'workflow' | 'database';
  temporalUi: string;
  /** The latest run (when Temporal answered): a failed, terminated, cancelled or timed-out one is restartable. */
  /** How the latest run stands; `reason`: why it stopped, as recorded when it did (null: not recorded, e.g. terminated by an operator). */
  run?: { state: EvaluationRunState; closedAt: string | null; restartable: boolean; reason?: string | null };
};

export interface AnalysisAnswer {
  unitCode: string;
  unitName: string;
  year: number;
  reconciliation: { findings: Finding[] };
  score: ScoreSheet;
}

export interface ReportItem {
  id: number;
  version: number;
  kind: 'draft' | 'issued';
  pdfSha256: string;
  docxSha256: string;
  template: string;
  createdBy: string;
  createdAt: string;
}

/** An indicator a person values, as the self-assessment page shows it. */
export interface AssessmentIndicator {
  id: string;
  level1: string;
  level2: string;
  level3: string;
  weightCp: number;
  kind: 'tiers' | 'survey' | 'computed';
  criteriaZh: string;
  tiers: Array<{ key: string; labelZh: string; rangeZh: string }>;
}

/** An entry as the page reads it back: a saved entry, or a half-typed draft. */
export interface AssessmentEntryView {
  indicator: string;
  tier?: string | undefined;
  points?: string | number | undefined;
  reason?: string | undefined;
  notApplicable?: boolean | undefined;
  survey?: { sample?: number | string | undefined; satisfied?: number | string | undefined; method?: string | undefined } | undefined;
  evidence?: number[] | undefined;
}

export interface EvidenceItem {
  id: number;
  section: string | null;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  uploadedAt: string;
}

export interface SelfAssessmentAnswer {
  ruleSet: { id: string; region: string; notApplicable: 'full_marks' | 'rescale' };
  indicators: AssessmentIndicator[];
  entries: AssessmentEntryView[];
  savedBy: Record<string, { by: string; at: string }>;
  evidence: EvidenceItem[];
  task: { id: number; state: string; dueAt: string; draft: { entries?: AssessmentEntryView[] } | null; submittedBy: string | null; submittedAt: string | null; stage: string } | null;
  editable: boolean;
  score: ScoreSheet;
}

/** One row's three columns of the 基础数据表 (amounts in 分, counts, or rates in basis points). */
export interface Columns {
  previousFinal?: number;
  budget?: number;
  final?: number;
}

/** The 基础数据表 as the API reads it back (amounts in 分, rates in basis points, areas as text). */
export interface BasicDataView {
  source?: string;
  staff: { authorisedPosts?: Columns; inPost?: Columns; controlRate?: Columns };
  threePublic: { total?: Columns; vehicles?: Columns; vehiclePurchase?: Columns; vehicleOperation?: Columns; abroad?: Columns; reception?: Columns };
  projects: Array<Columns & { name: string; project?: string }>;
  projectsTotal?: Columns;
  publicFunds: { total?: Columns; office?: Columns; utilitiesTravel?: Columns; meetingsTraining?: Columns };
  procurement?: Columns;
  budgetAdjustment?: Columns;
  buildings: Array<{ name: string; approvedArea: string; actualArea: string; budgetInvestment: number; actualInvestment: number }>;
  savingMeasures?: string;
  budget: { initial?: number; adjusted?: number; executed?: number; bySource: Array<{ source: string; initial?: number; adjusted?: number; executed?: number }>; plannedPaymentProgress?: number };
}

export interface BasicDataAnswer {
  basicData: BasicDataView | null;
  projects: Array<{ code: string; name: string }>;
  findings: Finding[];
}

/** One version of a rule set (`GET /api/rule-sets/:id/:version`): the file it was added as, `null` for a built-in. */
export interface RuleSetAnswer {
  ruleSet: ScoringRuleSet;
  source: string | null;
}

/** A rule set as the preview and re-scoring routes name it. */
export interface RuleSetBrief {
  id: string;
  version: number;
  name: string;
  region: string;
  scope: 'department' | 'project';
  totalCp: number;
}

/** `POST /api/units/:unit/years/:year/rule-set-preview`. */
export interface RuleSetPreviewAnswer {
  ruleSet: RuleSetBrief;
  score: ScoreSheet;
}
