/** What the pages read from the JSON API, as JSON (instants are ISO strings). */
import type { Account } from '../../db/accounts.repository';
import type { TaskListItem } from '../../db/tasks.repository';
import type { Finding } from '../../domain/ledger/reconcile';
import type { ScoreSheet } from '../../domain/scoring';
import type { SectionSubmission } from '../../domain/submission';
import type { EvaluationStatus } from '../../workflows/evaluation/contract';

export type { Account, Finding, ScoreSheet, SectionSubmission };

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

export type StatusAnswer = EvaluationStatus & { source: 'workflow' | 'database'; temporalUi: string };

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
