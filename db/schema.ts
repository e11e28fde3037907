/**
 * kysely table types: the shape of every table as the application sees it. Migrations do not
 * import this file (they are typed `Kysely<any>` so they never drift with app code); repositories do.
 * bigint columns read as JS numbers (db/connection.ts refuses unsafe values); `date` columns as
 * 'YYYY-MM-DD' strings; numeric as strings.
 */
import type { ColumnType, Generated } from 'kysely';
import type { OmScoring } from '../domain/holdbacks/om-scoring';

/** A timestamptz column: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A nullable timestamptz column: read as Date or null, written as Date, ISO string or null. */
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A timestamptz column with a default. */
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as parsed JSON, written as a JSON string. */
export type Json<T> = ColumnType<T, string, string>;

export interface SmokeChecksTable {
  /** Workflow id that wrote the row (unique: a retried activity writes once). */
  workflow_id: string;
  note: string;
  /** When the workflow's timer fired, as the workflow saw it (ISO instant). */
  fired_at: Timestamp;
  written_at: DefaultTimestamp;
}

export interface UnitsTable {
  id: Generated<number>;
  code: string;
  name: string;
  short_name: string | null;
  level: string | null;
  category: string | null;
  funding_type: string | null;
  staff_quota: number;
  leadership_posts: Json<Array<{ title: string; count: number }>>;
  section_leadership_posts: number | null;
  functions: Json<string[]>;
  /** The organisation it reports to (its 主管部门, or the bureau); `null` when none is recorded. */
  organisation_id: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SectionsTable {
  id: Generated<number>;
  unit_id: number;
  code: string;
  name: string;
  level: string | null;
  report_order: number | null;
  position: number;
  /** Rule-set indicator ids this section assesses. */
  assesses: Json<string[]> | null;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string | null;
  created_at: DefaultTimestamp;
}

export interface UserRolesTable {
  id: Generated<number>;
  user_id: number;
  unit_id: number;
  role: 'finance_officer' | 'section_head' | 'unit_head' | 'admin';
  section_id: number | null;
}

export interface UnitYearsTable {
  id: Generated<number>;
  unit_id: number;
  year: number;
  staff_actual: number;
  staff_previous_year: number | null;
  staff_source: string | null;
  narrative: Json<unknown>;
  report_date: string | null;
  rule_set: string | null;
  /** The report outline chosen (null: the default). */
  outline: ColumnType<string | null, string | null | undefined, string | null>;
  /** The 基础数据表 as the file carries it (amounts in 分). */
  basic_data: Json<unknown> | null;
  /** The self-assessment entries the file carries ({ entries }). */
  self_assessment: Json<unknown> | null;
  /** 数据说明 printed with the report. */
  data_note: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface StatedFiguresTable {
  unit_year_id: number;
  key: string;
  amount_fen: number | null;
  share_bp: number | null;
  source: string | null;
}

export interface IncomeSourcesTable {
  unit_year_id: number;
  position: number;
  source: string;
  amount_fen: number;
}

interface ItemColumns {
  id: Generated<number>;
  unit_year_id: number;
  code: string;
  position: number;
}

export interface ProjectsTable extends ItemColumns {
  name: string;
  is_key: boolean | null;
  description: string | null;
  source: string | null;
  /** Its 项目支出绩效自评表. */
  evaluation: Json<unknown> | null;
}

export interface AllocationsTable extends ItemColumns {
  project_id: number;
  name: string;
  budget_year: number;
  original_budget_year: number | null;
  amount_fen: number;
  source: string | null;
}

export interface ContractsTable extends ItemColumns {
  project_id: number;
  name: string | null;
  vendor: string | null;
  amount_fen: number | null;
  signed_on: string | null;
  accepted_on: string | null;
  warranty_months: number | null;
  retention_rate_bp: number | null;
  payment_term_days: number;
  om_coefficient_applies: boolean;
  /** The contract's assessment table (domain/holdbacks/om-scoring.ts), stored in its structured form. */
  om_scoring: Json<OmScoring> | null;
  note: string | null;
}

export interface PaymentsTable extends ItemColumns {
  project_id: number;
  allocation_id: number;
  contract_id: number | null;
  amount_fen: number;
  paid_on: string | null;
  note: string | null;
  source: string | null;
}

export interface HoldbacksTable extends ItemColumns {
  project_id: number;
  kind: 'retention' | 'om_assessment' | 'acceptance' | 'milestone';
  allocation_id: number;
  contract_id: number | null;
  amount_fen: number;
  condition: string;
  period: string | null;
  milestone: string | null;
  due_on: string | null;
  status: 'waiting' | 'payable' | 'partially_released' | 'released' | 'forfeited';
  source: string | null;
}

export interface OmAssessmentsTable {
  id: Generated<number>;
  holdback_id: number;
  period: string;
  assessed_on: string | null;
  /** numeric(5,2), read as text. */
  score: ColumnType<string | null, string | number | null, string | number | null>;
  passed: boolean;
  coefficient_bp: number | null;
  note: string | null;
}

export interface SectionSubmissionsTable {
  unit_year_id: number;
  section_id: number;
  position: number;
  content: Json<unknown>;
  origin: 'import' | 'task';
  updated_at: DefaultTimestamp;
}

export interface LedgerImportsTable {
  id: Generated<number>;
  unit_year_id: number;
  content_sha256: string;
  file_name: string | null;
  actor: string;
  summary: Json<unknown>;
  imported_at: DefaultTimestamp;
}

export interface ReportsTable {
  id: Generated<number>;
  unit_year_id: number;
  version: number;
  kind: 'draft' | 'issued';
  /** sha256 of the report's content (the composed document), to skip re-rendering the same content. */
  content_sha256: string;
  pdf: Buffer;
  pdf_sha256: string;
  /** A draft's DOCX is rendered when first asked for: null until then (filled once; issued versions always have it). */
  docx: ColumnType<Buffer | null, Buffer | null | undefined, Buffer>;
  docx_sha256: ColumnType<string | null, string | null | undefined, string>;
  /** The composed document a draft was rendered from (`json`, kept verbatim), its DOCX is rendered from it; null for issued versions and older drafts. */
  document: ColumnType<unknown, string | null | undefined, never>;
  template: string;
  created_by: string;
  created_at: DefaultTimestamp;
}

export interface NotificationChannelsTable {
  id: Generated<number>;
  unit_id: number;
  kind: 'wecom' | 'dingtalk';
  url: string;
  secret: string | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  label: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  /** When the last test message went out, and what went wrong (null: it was delivered). */
  tested_at: NullableTimestamp;
  test_error: string | null;
}

export type NotificationChannel = 'in_app' | 'email' | 'wecom' | 'dingtalk';
export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'uncertain';

export interface NotificationsTable {
  id: Generated<number>;
  dedupe_key: string;
  /** The unit the message is about; `null` for a message to an organisation's officers about several units. */
  unit_id: number | null;
  kind: string;
  channel: NotificationChannel;
  recipient_user_id: number | null;
  channel_id: number | null;
  subject: string;
  body: string;
  link: string | null;
  workflow_id: string | null;
  status: NotificationStatus;
  attempts: ColumnType<number, number | undefined, number>;
  claimed_at: Date | null;
  sent_at: Date | null;
  error: string | null;
  read_at: Date | null;
  created_at: DefaultTimestamp;
  /** A message that could not be delivered: not tried again before this (null: at once). */
  next_attempt_at: Date | null;
  /** Still undelivered at this instant: `failed`, for an administrator to resend or leave. */
  give_up_at: Date | null;
}

/** How a run of an evaluation stopped without issuing (recorded on its row until the next run). */
export type StoppedState = 'failed' | 'cancelled' | 'terminated' | 'timed_out';
export type EvaluationStage = 'collecting' | 'reviewing' | 'returned' | 'scoring' | 'drafting' | 'approving' | 'issuing' | 'issued';
export type TaskState = 'open' | 'draft' | 'submitted' | 'overdue' | 'returned' | 'cancelled';
/** A section's task, or the finance officer's self-assessment (自评) of the evaluation. */
export type TaskKind = 'section' | 'self_assessment';

export interface EvaluationsTable {
  id: Generated<number>;
  unit_year_id: number;
  workflow_id: string;
  stage: EvaluationStage;
  started_by: string;
  started_at: DefaultTimestamp;
  due_at: Timestamp;
  snapshot_sha256: string;
  findings: Json<unknown> | null;
  findings_sha256: string | null;
  score: Json<unknown> | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  approved_by: string | null;
  approved_at: Date | null;
  /** The rule set (and version) the evaluation was started under; `null` for evaluations from before it was recorded. */
  rule_set_id: ColumnType<string | null, string | null | undefined, string | null>;
  rule_set_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** The report outline it was started under; `null` for evaluations from before it was recorded. */
  outline: ColumnType<string | null, string | null | undefined, string | null>;
  report_version: number | null;
  issued_at: Date | null;
  updated_at: DefaultTimestamp;
  /** The last run stopped without issuing ('failed' | 'cancelled'), when, why and which run; null while a run goes on. */
  stopped_state: ColumnType<StoppedState | null, StoppedState | null | undefined, StoppedState | null>;
  stopped_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  stopped_reason: ColumnType<string | null, string | null | undefined, string | null>;
  stopped_run_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface LedgerSnapshotsTable {
  evaluation_id: number;
  sha256: string;
  content: Json<unknown>;
  taken_at: DefaultTimestamp;
}

export interface TasksTable {
  id: Generated<number>;
  evaluation_id: number;
  unit_id: number;
  /** `null` exactly for the finance officer's self-assessment task. */
  section_id: number | null;
  kind: ColumnType<TaskKind, TaskKind | undefined, TaskKind>;
  workflow_id: string;
  run: number;
  state: TaskState;
  due_at: Timestamp;
  draft: Json<unknown> | null;
  draft_saved_at: NullableTimestamp;
  draft_saved_by: string | null;
  returned_reason: string | null;
  cancelled_reason: string | null;
  submitted_by: string | null;
  submitted_at: NullableTimestamp;
  reminders_sent: ColumnType<number, number | undefined, number>;
  escalated_at: NullableTimestamp;
  updated_at: DefaultTimestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: DefaultTimestamp;
  actor: string;
  unit_id: number | null;
  action: string;
  subject: string;
  details: ColumnType<unknown, string | undefined, never>;
  dedupe_key: string | null;
}

export interface SessionsTable {
  token_sha256: string;
  user_id: number;
  csrf_token: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_sha256: string;
  created_at: DefaultTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

/** One-time password reset links: only the token's sha256 is kept; used once, before it expires. */
export interface PasswordResetsTable {
  id: Generated<number>;
  user_id: number;
  token_sha256: string;
  created_by: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  key: string;
  succeeded: boolean;
  at: DefaultTimestamp;
}

/** Holdback workflows' projection: one row per withheld amount (see migration 2026-11-26T16-00_holdbacks). */
export interface HoldbackProgressTable {
  workflow_id: string;
  unit_code: string;
  year: number;
  holdback_code: string;
  kind: 'retention' | 'om_assessment' | 'acceptance' | 'milestone';
  origin: 'ledger' | 'derived';
  parent_code: string | null;
  project_code: string;
  project_name: string;
  allocation_code: string;
  contract_code: string | null;
  condition: string;
  warranty_start_on: string | null;
  warranty_months: number | null;
  status: 'waiting' | 'payable' | 'partially_released' | 'released' | 'forfeited';
  phase: 'awaiting_assessment' | 'awaiting_acceptance' | 'awaiting_milestone' | 'warranty' | 'payable' | 'closed';
  awaiting: 'warranty_end' | 'assessment' | 'acceptance' | 'milestone' | 'payment' | 'nothing';
  period: string | null;
  milestone: string | null;
  amount_fen: number;
  held_fen: number;
  payable_fen: number;
  released_fen: number;
  forfeited_fen: number;
  transferred_fen: number;
  next_due_on: string | null;
  next_reminder_at: Timestamp | null;
  reminders_sent: ColumnType<number, number | undefined, number>;
  version: number;
  business_at: Timestamp;
  written_at: DefaultTimestamp;
  /** Its workflow stopped while money is still withheld (recorded by the stop sweeper; cleared by a newer progress write). */
  stopped_state: ColumnType<StoppedState | null, StoppedState | null | undefined, StoppedState | null>;
  stopped_at: NullableTimestamp;
  stopped_reason: ColumnType<string | null, string | null | undefined, string | null>;
  stopped_run_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Facts recorded about a holdback, once per (workflow, request id). */
export interface HoldbackEventsTable {
  id: Generated<number>;
  workflow_id: string;
  request_id: string;
  unit_code: string;
  year: number;
  holdback_code: string;
  type: 'assessment' | 'acceptance' | 'defect' | 'milestone' | 'release';
  source: 'ledger' | 'update';
  occurred_on: string;
  amount_fen: number | null;
  payment_code: string | null;
  actor: string | null;
  summary_zh: string;
  summary_en: string;
  payload: Json<unknown>;
  result: Json<unknown>;
  business_at: Timestamp;
  written_at: DefaultTimestamp;
}

/** Reminders fired by holdback workflows, once per dedupe key. */
export interface HoldbackRemindersTable {
  id: Generated<number>;
  dedupe_key: string;
  workflow_id: string;
  unit_code: string;
  holdback_code: string;
  plan: 'retention' | 'payment' | 'assessment';
  basis: string;
  reminder_key: string;
  reminder_date: string;
  catch_up: boolean;
  scheduled_at: Timestamp;
  fired_at: Timestamp;
  written_at: DefaultTimestamp;
}

export interface EvidenceFilesTable {
  id: Generated<number>;
  unit_year_id: number;
  file_name: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  /** The section whose head uploaded it (they see only their section's files); `null` for the finance office. */
  section_id: number | null;
  uploaded_by: number | null;
  uploaded_at: DefaultTimestamp;
}

/** The finance officer's self-assessment entered in the browser: one entry per indicator. */
export interface SelfAssessmentsTable {
  unit_year_id: number;
  indicator: string;
  entry: Json<unknown>;
  entered_by: number | null;
  updated_at: DefaultTimestamp;
}

/** A scoring rule set an administrator added: one row per version, never changed (a trigger refuses). */
export interface RuleSetsTable {
  id: string;
  version: number;
  sha256: string;
  name: string;
  /** The file as it was added (YAML or JSON text). */
  source: string;
  /** The checked internal rule set. */
  definition: Json<unknown>;
  created_by: string;
  created_at: DefaultTimestamp;
}

/** A report rendered under a candidate rule set and outline, kept a day; never a report version. */
export interface ReportPreviewsTable {
  id: string;
  unit_year_id: number;
  rule_set_id: string;
  rule_set_version: number;
  outline: string;
  pdf: Buffer;
  pdf_sha256: string;
  created_by: string;
  created_at: DefaultTimestamp;
}

export type OrganisationKind = 'bureau' | 'department';
export type OrganisationRole = 'bureau_officer' | 'department_officer';
export type CampaignUnitState = 'joined' | 'waiting_ledger' | 'started' | 'issued' | 'in_review' | 'returned' | 'accepted';

/** A 财政局 (bureau, the top) or a 主管部门 (department, under a bureau). */
export interface OrganisationsTable {
  id: Generated<number>;
  code: string;
  name: string;
  kind: OrganisationKind;
  parent_id: number | null;
  created_at: DefaultTimestamp;
}

export interface OrganisationRolesTable {
  user_id: number;
  organisation_id: number;
  role: OrganisationRole;
  granted_at: DefaultTimestamp;
}

/** A year's notice of an organisation: the deadline, rule set and outline every unit under it is evaluated by. */
export interface CampaignsTable {
  id: Generated<number>;
  organisation_id: number;
  year: number;
  due_date: ColumnType<string, string, string>;
  rule_set_id: string;
  rule_set_version: number | null;
  outline: string | null;
  notice: string;
  workflow_id: string;
  created_by: string;
  created_at: DefaultTimestamp;
  /** The sections' due date the campaign gave its units' evaluations. */
  task_due_date: ColumnType<string | null, string | null | undefined, string | null>;
  /** When every unit's report was accepted and the campaign ended. */
  closed_at: NullableTimestamp;
  /** Its workflow stopped before the campaign ended (recorded by the stop sweeper; cleared by the restart). */
  stopped_state: ColumnType<StoppedState | null, StoppedState | null | undefined, StoppedState | null>;
  stopped_at: NullableTimestamp;
  stopped_reason: ColumnType<string | null, string | null | undefined, string | null>;
  stopped_run_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type ReviewLevel = 'department' | 'bureau';

export interface CampaignUnitsTable {
  campaign_id: number;
  unit_id: number;
  state: ColumnType<CampaignUnitState, CampaignUnitState | undefined, CampaignUnitState>;
  starter_workflow_id: string | null;
  joined_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  /** The level whose decision the issued report waits for (states issued, in_review). */
  review_level: ColumnType<ReviewLevel | null, ReviewLevel | null | undefined, ReviewLevel | null>;
  /** The issued version under review (or accepted). */
  report_version: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ReviewDecisionsTable {
  id: Generated<number>;
  unit_year_id: number;
  report_version: number;
  level: 'department' | 'bureau';
  decision: 'accept' | 'return' | 'adjust';
  actor: string;
  comments: ColumnType<unknown, string | undefined, string>;
  adjustments: ColumnType<unknown, string | undefined, string>;
  dedupe_key: string | null;
  at: DefaultTimestamp;
}

/** An accepted report made public (预决算公开); withdrawn by setting withdrawn_*. */
export interface PublicationsTable {
  unit_year_id: number;
  report_version: number;
  published_by: string;
  published_at: DefaultTimestamp;
  withdrawn_at: NullableTimestamp;
  withdrawn_by: string | null;
  withdrawn_reason: string | null;
  /** The 基础数据表 as it was when published (what the public page shows). */
  basic_data: Json<unknown> | null;
  /** The score sheet as it was when published. */
  score: Json<unknown> | null;
}

/** The 复核结果 of an accepted version, rendered once and frozen (trigger review_results_freeze). */
export interface ReviewResultsTable {
  unit_year_id: number;
  report_version: number;
  pdf: Buffer;
  pdf_sha256: string;
  created_by: string;
  created_at: DefaultTimestamp;
}

export interface Database {
  smoke_checks: SmokeChecksTable;
  units: UnitsTable;
  sections: SectionsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  unit_years: UnitYearsTable;
  stated_figures: StatedFiguresTable;
  income_sources: IncomeSourcesTable;
  projects: ProjectsTable;
  allocations: AllocationsTable;
  contracts: ContractsTable;
  payments: PaymentsTable;
  holdbacks: HoldbacksTable;
  om_assessments: OmAssessmentsTable;
  section_submissions: SectionSubmissionsTable;
  ledger_imports: LedgerImportsTable;
  reports: ReportsTable;
  notification_channels: NotificationChannelsTable;
  notifications: NotificationsTable;
  evaluations: EvaluationsTable;
  ledger_snapshots: LedgerSnapshotsTable;
  tasks: TasksTable;
  audit_log: AuditLogTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  password_resets: PasswordResetsTable;
  holdback_progress: HoldbackProgressTable;
  holdback_events: HoldbackEventsTable;
  holdback_reminders: HoldbackRemindersTable;
  evidence_files: EvidenceFilesTable;
  self_assessments: SelfAssessmentsTable;
  rule_sets: RuleSetsTable;
  report_previews: ReportPreviewsTable;
  organisations: OrganisationsTable;
  organisation_roles: OrganisationRolesTable;
  campaigns: CampaignsTable;
  campaign_units: CampaignUnitsTable;
  review_decisions: ReviewDecisionsTable;
  publications: PublicationsTable;
  review_results: ReviewResultsTable;
}
