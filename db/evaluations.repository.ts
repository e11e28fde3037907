/**
 * The evaluation's Postgres side: the evaluation row, ledger snapshots, the tasks projection read
 * by the inboxes, section submissions from tasks, and the append-only audit log. Every write is
 * idempotent: upserts keyed by workflow ids, audit rows keyed by a dedupe key.
 */
import { sql } from 'kysely';
import { type SectionSubmission, storedSubmission } from '../domain/submission';
import type { Db } from './connection';
import type { EvaluationStage, StoppedState, TaskKind, TaskState } from './schema';
import { NO_STOP, notRecordedFor, type StopInput, stopColumns, stopKey } from './stops';

export { evaluationIdOf, type UnitYearKeys, unitYearKeys } from './ids';

export async function audit(db: Db, entry: { actor: string; unitId: number | null; action: string; subject: string; details?: unknown; dedupeKey?: string | null }): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ actor: entry.actor, unit_id: entry.unitId, action: entry.action, subject: entry.subject, details: JSON.stringify(entry.details ?? {}), dedupe_key: entry.dedupeKey ?? null })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

/** Creates the evaluation row once (a retried or replayed open finds it). */
export async function ensureEvaluation(
  db: Db,
  e: { unitYearId: number; workflowId: string; startedBy: string; dueAt: string; snapshotSha256: string; snapshot: unknown },
): Promise<{ id: number; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('evaluations')
      .values({ unit_year_id: e.unitYearId, workflow_id: e.workflowId, stage: 'collecting', started_by: e.startedBy, due_at: e.dueAt, snapshot_sha256: e.snapshotSha256 })
      .onConflict((oc) => oc.column('workflow_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    const id = inserted?.id ?? (await trx.selectFrom('evaluations').select('id').where('workflow_id', '=', e.workflowId).executeTakeFirstOrThrow()).id;
    // A new run opening the evaluation: whatever stopped the last one is over.
    if (!inserted) {
      await trx.updateTable('evaluations').set(NO_STOP).where('id', '=', id).where('stopped_state', 'is not', null).execute();
    }
    await trx
      .insertInto('ledger_snapshots')
      .values({ evaluation_id: id, sha256: e.snapshotSha256, content: JSON.stringify(e.snapshot) })
      .onConflict((oc) => oc.columns(['evaluation_id', 'sha256']).doNothing())
      .execute();
    return { id, created: inserted !== undefined };
  });
}

/** What a report reads of its evaluation's row: its id and the outline it started with (not its findings and score). */
export async function evaluationReportChoices(db: Db, workflowId: string): Promise<{ id: number; outline: string | null } | undefined> {
  return db.selectFrom('evaluations').select(['id', 'outline']).where('workflow_id', '=', workflowId).executeTakeFirst();
}

export async function evaluationByWorkflow(db: Db, workflowId: string) {
  return db.selectFrom('evaluations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
}

/**
 * Records that a run of the evaluation stopped without issuing (once per run; audited). Returns
 * whether its row was marked (false: the run stopped before the row existed, or it was marked already).
 */
export async function recordStopped(db: Db, input: StopInput & { unitId: number }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('evaluations')
      .set({ ...stopColumns(input), updated_at: new Date() })
      .where('workflow_id', '=', input.workflowId)
      .where(notRecordedFor(input.runId))
      .returning('id')
      .executeTakeFirst();
    await auditStop(trx, 'evaluation', input, input.unitId);
    return row !== undefined;
  });
}

/** The audit entry of a stopped run (`evaluation.stopped`, `holdback.stopped`, `campaign.stopped`), once per run. */
export async function auditStop(db: Db, what: 'evaluation' | 'evaluation_start' | 'holdback' | 'campaign', input: StopInput, unitId: number | null): Promise<void> {
  await audit(db, { actor: 'selfeval', unitId, action: `${what}.stopped`, subject: input.workflowId, details: { state: input.state, reason: input.reason, runId: input.runId }, dedupeKey: stopKey(input.workflowId, input.runId) });
}

/** How the last run of each listed unit's evaluation of the year stopped, from the rows (unit code → record). */
export async function stoppedRuns(db: Db, year: number, unitCodes: readonly string[]): Promise<Map<string, { state: StoppedState; closedAt: string; reason: string | null; runId: string | null }>> {
  if (unitCodes.length === 0) return new Map();
  const rows = await db
    .selectFrom('evaluations')
    .innerJoin('unit_years', 'unit_years.id', 'evaluations.unit_year_id')
    .innerJoin('units', 'units.id', 'unit_years.unit_id')
    .select(['units.code', 'evaluations.stopped_state', 'evaluations.stopped_at', 'evaluations.stopped_reason', 'evaluations.stopped_run_id'])
    .where('unit_years.year', '=', year)
    .where('units.code', 'in', unitCodes)
    .where('evaluations.stopped_state', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.code, { state: r.stopped_state!, closedAt: r.stopped_at!.toISOString(), reason: r.stopped_reason, runId: r.stopped_run_id }]));
}

export async function setStage(db: Db, workflowId: string, stage: EvaluationStage): Promise<void> {
  await db.updateTable('evaluations').set({ stage, updated_at: new Date() }).where('workflow_id', '=', workflowId).where('stage', '!=', stage).execute();
}

export async function saveFindings(db: Db, workflowId: string, findings: unknown, sha256: string, snapshot: { sha256: string; content: unknown }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const ev = await trx.updateTable('evaluations').set({ findings: JSON.stringify(findings), findings_sha256: sha256, acknowledged_by: null, acknowledged_at: null, updated_at: new Date() }).where('workflow_id', '=', workflowId).returning('id').executeTakeFirstOrThrow();
    await trx.insertInto('ledger_snapshots').values({ evaluation_id: ev.id, sha256: snapshot.sha256, content: JSON.stringify(snapshot.content) }).onConflict((oc) => oc.columns(['evaluation_id', 'sha256']).doNothing()).execute();
  });
}

export async function saveDecision(db: Db, workflowId: string, decision: { acknowledgedBy?: string; approvedBy?: string; approvalWithdrawn?: boolean }): Promise<void> {
  const set: Record<string, unknown> = { updated_at: new Date() };
  if (decision.acknowledgedBy) Object.assign(set, { acknowledged_by: decision.acknowledgedBy, acknowledged_at: new Date() });
  if (decision.approvedBy) Object.assign(set, { approved_by: decision.approvedBy, approved_at: new Date() });
  if (decision.approvalWithdrawn) Object.assign(set, { approved_by: null, approved_at: null });
  await db.updateTable('evaluations').set(set).where('workflow_id', '=', workflowId).execute();
}

export async function saveScore(db: Db, workflowId: string, score: unknown): Promise<void> {
  await db.updateTable('evaluations').set({ score: JSON.stringify(score), updated_at: new Date() }).where('workflow_id', '=', workflowId).execute();
}

export async function saveReportVersion(db: Db, workflowId: string, version: number, issued: boolean): Promise<void> {
  await db
    .updateTable('evaluations')
    .set({ report_version: version, ...(issued ? { issued_at: new Date() } : {}), updated_at: new Date() })
    .where('workflow_id', '=', workflowId)
    .execute();
}

// ── Tasks projection ───────────────────────────────────────────────────────────────────────

/** The tasks an evaluation has opened (across its runs) and the last run of each. */
export async function taskRunsOfEvaluation(db: Db, evaluationId: number): Promise<Array<{ workflowId: string; run: number }>> {
  const rows = await db.selectFrom('tasks').select(['workflow_id', 'run']).where('evaluation_id', '=', evaluationId).orderBy('workflow_id').execute();
  return rows.map((r) => ({ workflowId: r.workflow_id, run: r.run }));
}

/** The unit's section by code (its id, name and place in the report): one read, as a task opens or records. */
export async function sectionOf(db: Db, unitId: number, code: string): Promise<{ id: number; name: string; position: number }> {
  return db.selectFrom('sections').select(['id', 'name', 'position']).where('unit_id', '=', unitId).where('code', '=', code).executeTakeFirstOrThrow();
}

/**
 * Opens (or reopens for a new run) the task row of a section. Idempotent per (workflow, run). A
 * later run is a returned one, unless it is the first run of a restarted evaluation.
 */
export async function openTaskRow(
  db: Db,
  t: { evaluationId: number; unitId: number; sectionId: number | null; kind: TaskKind; workflowId: string; run: number; dueAt: string; returnedReason?: string; restarted?: boolean },
): Promise<{ changed: boolean }> {
  const state: TaskState = t.run > 1 && !t.restarted ? 'returned' : 'open';
  const r = await db
    .insertInto('tasks')
    .values({ evaluation_id: t.evaluationId, unit_id: t.unitId, section_id: t.sectionId, kind: t.kind, workflow_id: t.workflowId, run: t.run, state, due_at: t.dueAt, returned_reason: t.returnedReason ?? null })
    .onConflict((oc) =>
      oc.column('workflow_id').doUpdateSet({ run: t.run, state, due_at: t.dueAt, returned_reason: t.returnedReason ?? null, submitted_at: null, submitted_by: null, cancelled_reason: null, escalated_at: null, reminders_sent: 0, updated_at: new Date() }).where('tasks.run', '<', t.run),
    )
    .executeTakeFirst();
  return { changed: Number(r.numInsertedOrUpdatedRows ?? 0) > 0 };
}

export async function taskRow(db: Db, workflowId: string) {
  return db.selectFrom('tasks').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
}

export async function updateTaskRow(db: Db, workflowId: string, run: number, set: Partial<{ state: TaskState; due_at: string; escalated_at: Date; cancelled_reason: string; submitted_by: string; submitted_at: string }>, options: { countReminder?: boolean } = {}): Promise<void> {
  await db
    .updateTable('tasks')
    .set({ ...set, ...(options.countReminder ? { reminders_sent: sql<number>`reminders_sent + 1` } : {}), updated_at: new Date() })
    .where('workflow_id', '=', workflowId)
    .where('run', '=', run)
    .execute();
}

/** A draft saved without submitting (by the section head, through the API). */
export async function saveDraft(db: Db, workflowId: string, draft: unknown, actor: string): Promise<boolean> {
  const r = await db
    .updateTable('tasks')
    .set({ draft: JSON.stringify(draft), draft_saved_at: new Date(), draft_saved_by: actor, state: sql<TaskState>`case when state in ('open', 'returned') then 'draft' else state end`, updated_at: new Date() })
    .where('workflow_id', '=', workflowId)
    .where('state', 'in', ['open', 'draft', 'overdue', 'returned'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function saveTaskSubmission(db: Db, s: { unitYearId: number; sectionId: number; position: number; content: SectionSubmission }): Promise<void> {
  await db
    .insertInto('section_submissions')
    .values({ unit_year_id: s.unitYearId, section_id: s.sectionId, position: s.position, origin: 'task', content: JSON.stringify(s.content) })
    .onConflict((oc) => oc.columns(['unit_year_id', 'section_id', 'origin']).doUpdateSet({ content: JSON.stringify(s.content), updated_at: new Date() }))
    .execute();
}

/** The submissions the report uses: a section's task submission wins over the imported one. */
export async function currentSubmissions(db: Db, unitYearId: number): Promise<SectionSubmission[]> {
  const rows = await db
    .selectFrom('section_submissions')
    .innerJoin('sections', 'sections.id', 'section_submissions.section_id')
    .select(['section_submissions.content', 'section_submissions.origin', 'sections.code', 'sections.position'])
    .where('section_submissions.unit_year_id', '=', unitYearId)
    .orderBy('sections.position')
    .execute();
  const bySection = new Map<string, { origin: string; content: SectionSubmission }>();
  for (const r of rows) {
    const current = bySection.get(r.code);
    if (!current || r.origin === 'task') bySection.set(r.code, { origin: r.origin, content: storedSubmission(r.content) });
  }
  return [...bySection.values()].map((x) => x.content);
}

/** Sections the evaluation proceeded without (their task cancelled), with the reason. */
export async function skippedSections(db: Db, evaluationId: number): Promise<Array<{ section: string; reason?: string }>> {
  const rows = await db
    .selectFrom('tasks')
    .innerJoin('sections', 'sections.id', 'tasks.section_id')
    .select(['sections.code', 'tasks.cancelled_reason'])
    .where('tasks.evaluation_id', '=', evaluationId)
    .where('tasks.state', '=', 'cancelled')
    .execute();
  return rows.map((r) => ({ section: r.code, ...(r.cancelled_reason ? { reason: r.cancelled_reason } : {}) }));
}

/** The evaluation as the database last recorded it: the fallback when the workflow cannot be asked. */
export async function evaluationSummary(db: Db, unitYearId: number) {
  const evaluation = await db.selectFrom('evaluations').selectAll().where('unit_year_id', '=', unitYearId).executeTakeFirst();
  if (!evaluation) return undefined;
  const tasks = await db
    .selectFrom('tasks')
    .innerJoin('sections', 'sections.id', 'tasks.section_id')
    .select(['sections.code as section', 'sections.name', 'tasks.state', 'tasks.run', 'tasks.due_at as dueAt', 'tasks.workflow_id as workflowId', 'tasks.submitted_by as submittedBy', 'tasks.cancelled_reason as skippedReason'])
    .where('tasks.evaluation_id', '=', evaluation.id)
    .orderBy('sections.position')
    .execute();
  const selfAssessment = await db
    .selectFrom('tasks')
    .select(['tasks.state', 'tasks.due_at as dueAt', 'tasks.workflow_id as workflowId', 'tasks.submitted_by as submittedBy'])
    .where('tasks.evaluation_id', '=', evaluation.id)
    .where('tasks.kind', '=', 'self_assessment')
    .executeTakeFirst();
  return { evaluation, tasks, selfAssessment };
}
