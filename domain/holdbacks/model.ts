/**
 * The shapes a withheld amount (holdback) has while it waits: the facts read from the ledger, the
 * schedule computed with the working-day calendar, the process state the holdback workflow keeps,
 * and what it writes back (progress projection, events, reminders). Plain JSON only — ISO strings
 * for instants, `YYYY-MM-DD` for civil dates, integer 分 for money — so every value can cross the
 * workflow/activity boundary and be carried through continue-as-new.
 */
import type { CalendarWarning } from '../calendar/working-days';
import type { HoldbackKind, HoldbackStatus } from '../ledger/unit-year.schema';
import type { Fen } from '../money';

export type { HoldbackKind, HoldbackStatus };

export interface HoldbackRef {
  unitCode: string;
  year: number;
  holdbackCode: string;
}

/** Where a holdback comes from: the imported ledger, or opened by another holdback (the retention part of an acceptance). */
export type HoldbackOrigin = 'ledger' | 'derived';

/**
 * The step a holdback is at.
 * - `awaiting_assessment` / `awaiting_acceptance` / `awaiting_milestone`: the condition is not met yet;
 * - `warranty`: a retention waiting for the end of its warranty (a date);
 * - `payable`: fallen due, reminded until the release payment is recorded;
 * - `closed`: nothing left outstanding (released, forfeited or transferred).
 */
export type HoldbackPhase = 'awaiting_assessment' | 'awaiting_acceptance' | 'awaiting_milestone' | 'warranty' | 'payable' | 'closed';

/** What the holdback waits for, for lists ("what falls due when"). */
export type HoldbackAwaiting = 'warranty_end' | 'assessment' | 'acceptance' | 'milestone' | 'payment' | 'nothing';

export interface LedgerAssessment {
  period: string;
  passed: boolean;
  assessedOn?: string;
  coefficientBp?: number;
  score?: number;
}

/** Everything the workflow needs from the ledger, read once at its first start. */
export interface HoldbackFacts {
  workflowId: string;
  ref: HoldbackRef;
  kind: HoldbackKind;
  origin: HoldbackOrigin;
  /** For a derived holdback: the holdback that opened it. */
  parentCode?: string;
  projectCode: string;
  projectName: string;
  allocationCode: string;
  contractCode?: string;
  contractName?: string;
  condition: string;
  amountFen: Fen;
  /** The status the ledger had when the workflow first started. */
  ledgerStatus: HoldbackStatus;
  /** A contractual due date, when the ledger fixes one. */
  explicitDueOn?: string;
  /** Retention: when the warranty started (contract acceptance). */
  warrantyStartOn?: string;
  warrantyMonths?: number;
  /** om_assessment: the period awaited first. */
  period?: string;
  /** milestone: what must happen. */
  milestone?: string;
  /** Days to pay once payable (contract's, else 30 — the SME rule). */
  paymentTermDays: number;
  omCoefficientApplies: boolean;
  /** acceptance: the contract's retention rate, in basis points. */
  retentionRateBp?: number;
  /** acceptance: what the retention rate applies to (the contract amount, else paid on the contract + this holdback). */
  retentionBaseFen?: Fen;
  /** acceptance: the contract's warranty, for the retention it opens. */
  contractWarrantyMonths?: number;
  /** om_assessment: assessments already in the ledger, applied at start. */
  ledgerAssessments: LedgerAssessment[];
  /** acceptance: the contract's acceptance date when the ledger already has it. */
  ledgerAcceptedOn?: string;
}

export interface HoldbackAmounts {
  /** The amount withheld originally. Always = held + payable + released + forfeited + transferred. */
  amountFen: Fen;
  /** Still withheld: its condition is not met (or its date not reached). */
  heldFen: Fen;
  /** Fallen due and not yet paid. */
  payableFen: Fen;
  releasedFen: Fen;
  /** Will not be paid (e.g. the part an O&M score coefficient takes off). */
  forfeitedFen: Fen;
  /** Moved to another holdback (the retention part of an acceptance). */
  transferredFen: Fen;
}

export type ReminderKind = 'before' | 'due' | 'after';

export interface PlannedReminder {
  /** Stable within a schedule: `before-30`, `due`, `after-3`, `assessment-due`, `assessment-after-1`. */
  key: string;
  kind: ReminderKind;
  date: string;
  /** ISO instant (09:00 Asia/Shanghai on `date`). */
  at: string;
  /** Fires at once because its time passed before the schedule was made (only the latest overdue one). */
  catchUp?: boolean;
}

export type SchedulePlan = 'retention' | 'payment' | 'assessment';

/** Input of the planning activity. `now` is the workflow's (business) clock. */
export type PlanRequest =
  | { plan: 'retention'; baseOn: string; months: number; now: string }
  | { plan: 'payment'; fromOn: string; termDays: number; now: string }
  | { plan: 'assessment'; period: string; graceDays: number; now: string };

export interface PlannedSchedule {
  plan: SchedulePlan;
  /** The due date (retention, payment) or the period (assessment): the middle part of reminder dedupe keys. */
  basis: string;
  nominalDueOn: string;
  /** The effective due date (moved to the next working day). For an assessment: when the result is expected at the latest. */
  dueOn: string;
  /** 09:00 Shanghai on `dueOn`: when a retention falls due. */
  dueAt: string;
  /** Reminders still to fire, in time order (a catch-up one first). */
  reminders: PlannedReminder[];
  /** When to plan again (the schedule is made in windows of a few weeks); absent when complete. */
  replanAt?: string;
  warnings: CalendarWarning[];
}

export interface HoldbackSchedule {
  plan: SchedulePlan;
  basis: string;
  nominalDueOn: string;
  dueOn: string;
  dueAt: string;
  pending: PlannedReminder[];
  replanAt?: string;
  /** Keys already fired under this basis (so a re-plan never fires one twice). */
  sentKeys: string[];
}

export interface SentReminder {
  basis: string;
  key: string;
  date: string;
  /** When it was scheduled for. */
  at: string;
  /** When it fired, on the workflow's clock. */
  firedAt: string;
  catchUp: boolean;
  outcome: 'sent' | 'failed';
}

export type HoldbackEventType = 'assessment' | 'acceptance' | 'defect' | 'milestone' | 'release';

export interface HoldbackEventRecord {
  requestId: string;
  type: HoldbackEventType;
  /** The workflow's clock when it was recorded. */
  recordedAt: string;
  /** The date of the fact (assessed, accepted, reported, reached, paid on). */
  occurredOn: string;
  amountFen?: Fen;
  /** Deterministic ledger code of a release payment: `<holdback>-release-<n>`. */
  paymentCode?: string;
  /** From the ledger (applied at start) or recorded through an update. */
  source: 'ledger' | 'update';
  actor?: string;
  zh: string;
  en: string;
}

export interface RetentionOpened {
  holdbackCode: string;
  workflowId: string;
  amountFen: Fen;
  warrantyStartOn: string;
  warrantyMonths: number;
}

/** What an update answers (and answers again, unchanged, to a retried request). */
export interface HoldbackEventResult {
  requestId: string;
  type: HoldbackEventType;
  /** False when the request repeated a fact already recorded (same acceptance date): nothing changed. */
  changed: boolean;
  status: HoldbackStatus;
  phase: HoldbackPhase;
  amounts: HoldbackAmounts;
  dueOn?: string;
  paymentCode?: string;
  retention?: RetentionOpened;
  zh: string;
  en: string;
}

export interface AssessmentRecord {
  period: string;
  passed: boolean;
  assessedOn?: string;
  coefficientBp?: number;
  source: 'ledger' | 'update';
}

export interface HoldbackState {
  facts: HoldbackFacts;
  /** Business clock = workflow clock + this (0 in production; tests and back-fills run a past year). */
  clockOffsetMs: number;
  /** Incremented by every change; the ledger projection is written only forward. */
  version: number;
  status: HoldbackStatus;
  phase: HoldbackPhase;
  amounts: HoldbackAmounts;
  /** om_assessment: the period awaited (canonical text). */
  period?: string;
  assessments: AssessmentRecord[];
  acceptedOn?: string;
  milestoneReachedOn?: string;
  /** Retention: months added by defect reports. */
  warrantyExtensionMonths: number;
  schedule?: HoldbackSchedule;
  /** The latest reminders (at most 100 kept); the count has them all. */
  remindersSent: SentReminder[];
  remindersSentCount: number;
  events: HoldbackEventRecord[];
  /** requestId → what was answered, to acknowledge retries with the same result. */
  processed: Record<string, { fingerprint: string; result: HoldbackEventResult }>;
  forfeitReason?: string;
  retention?: RetentionOpened;
  releaseCount: number;
  /** Calendar warnings (years without holiday data) and other notes, bilingual. */
  warnings: string[];
}

/** The `status` query. */
export interface HoldbackStatusView {
  workflowId: string;
  ref: HoldbackRef;
  kind: HoldbackKind;
  origin: HoldbackOrigin;
  projectName: string;
  condition: string;
  status: HoldbackStatus;
  phase: HoldbackPhase;
  awaiting: HoldbackAwaiting;
  amounts: HoldbackAmounts;
  /** The next date it falls due (retention end, payment deadline) or the assessment is expected by. */
  dueOn?: string;
  nominalDueOn?: string;
  period?: string;
  milestone?: string;
  acceptedOn?: string;
  nextReminder?: { key: string; date: string; at: string };
  remindersSent: SentReminder[];
  remindersSentCount: number;
  events: HoldbackEventRecord[];
  forfeitReason?: string;
  retention?: RetentionOpened;
  warnings: string[];
  /** The workflow's business clock when answered. */
  asOf: string;
}

export interface HoldbackResult {
  status: HoldbackStatus;
  amounts: HoldbackAmounts;
  remindersSentCount: number;
}

/** What the workflow writes to Postgres after every change (upsert keyed by workflow id, newer versions only). */
export interface HoldbackProgress {
  workflowId: string;
  ref: HoldbackRef;
  kind: HoldbackKind;
  origin: HoldbackOrigin;
  parentCode?: string;
  projectCode: string;
  projectName: string;
  allocationCode: string;
  contractCode?: string;
  condition: string;
  warrantyStartOn?: string;
  warrantyMonths?: number;
  status: HoldbackStatus;
  phase: HoldbackPhase;
  awaiting: HoldbackAwaiting;
  period?: string;
  milestone?: string;
  amounts: HoldbackAmounts;
  nextDueOn?: string;
  nextReminderAt?: string;
  remindersSent: number;
  version: number;
  /** Business clock of the change. */
  at: string;
}

export interface HoldbackEventRow {
  workflowId: string;
  ref: HoldbackRef;
  event: HoldbackEventRecord;
  payload: unknown;
  result: HoldbackEventResult;
}

export interface ReminderRequest {
  workflowId: string;
  ref: HoldbackRef;
  kind: HoldbackKind;
  projectName: string;
  condition: string;
  plan: SchedulePlan;
  basis: string;
  reminder: PlannedReminder;
  dueOn: string;
  /** Outstanding (held + payable) when it fired. */
  outstandingFen: Fen;
  payableFen: Fen;
  period?: string;
  /** Workflow's clock when it fired. */
  firedAt: string;
}

export interface OpenRetentionRequest {
  parent: HoldbackRef;
  parentWorkflowId: string;
  retention: RetentionOpened;
  clockOffsetMs: number;
  continueAsNewAfterEvents?: number;
}
