/**
 * Withheld payments in Postgres: the facts a holdback workflow starts from (read from the ledger),
 * what it writes back — its progress (upsert keyed by workflow id, only forward by version), the
 * facts recorded about it (unique per request id), the reminders it fired (unique per dedupe key)
 * — and the lists read from them: "what falls due when" for a unit, release payments by year.
 *
 * The ledger's own `holdbacks.status` is kept equal to the workflow's status (imports set it on
 * insert only). A retention opened by an acceptance also gets a `holdbacks` row of its own in the
 * parent's unit-year (deterministic code, explicit due date); a re-import of the unit-year file
 * keeps that row (unless the file drops the allocation it belongs to: then the row is re-created
 * on the workflow's next write), and the process record (progress, events, reminders) never
 * depends on it.
 */
import { type QueryCreator, sql } from 'kysely';
import { nationalCalendar, type WorkingDayCalendar } from '../domain/calendar/working-days';
import { holdbackDue } from '../domain/holdbacks/due';
import type {
  HoldbackAwaiting, HoldbackEventRow, HoldbackFacts, HoldbackKind, HoldbackPhase, HoldbackProgress, HoldbackRef, HoldbackStatus, ReminderRequest,
} from '../domain/holdbacks/model';
import { parsePeriod } from '../domain/holdbacks/periods';
import { DEFAULT_PAYMENT_TERM_DAYS } from '../domain/holdbacks/schedule';
import type { Contract, Holdback } from '../domain/ledger/unit-year.schema';
import type { Db } from './connection';
import { auditStop } from './evaluations.repository';
import { unitIdOf, unitYearKeys } from './ids';
import type { Database, StoppedState } from './schema';
import { NO_STOP, notRecordedFor, type StopInput, stopColumns, type StopRecord, stopRecordOf } from './stops';

async function unitYearId(db: Db, unitCode: string, year: number): Promise<number | undefined> {
  return (await unitYearKeys(db, unitCode, year))?.unitYearId;
}

// ── Facts ───────────────────────────────────────────────────────────────────────────────────

/**
 * What a holdback workflow needs to start: from its progress row when it is a derived holdback
 * (opened by an acceptance), else from the ledger (holdback, project, contract, payments on the
 * contract, O&M assessments). Undefined when neither knows it.
 */
export async function loadHoldbackFacts(db: Db, ref: HoldbackRef, workflowId: string): Promise<HoldbackFacts | undefined> {
  const progress = await db.selectFrom('holdback_progress').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
  if (progress?.origin === 'derived') {
    return {
      workflowId,
      ref,
      kind: progress.kind,
      origin: 'derived',
      ...(progress.parent_code ? { parentCode: progress.parent_code } : {}),
      projectCode: progress.project_code,
      projectName: progress.project_name,
      allocationCode: progress.allocation_code,
      ...(progress.contract_code ? { contractCode: progress.contract_code } : {}),
      condition: progress.condition,
      amountFen: progress.amount_fen,
      ledgerStatus: 'waiting',
      ...(progress.warranty_start_on ? { warrantyStartOn: progress.warranty_start_on } : {}),
      ...(progress.warranty_months !== null ? { warrantyMonths: progress.warranty_months } : {}),
      paymentTermDays: DEFAULT_PAYMENT_TERM_DAYS,
      omCoefficientApplies: false,
      ledgerAssessments: [],
    };
  }
  const uy = await unitYearId(db, ref.unitCode, ref.year);
  if (uy === undefined) return undefined;
  // The holdback with its project and contract, what was paid on the contract and its O&M assessments: one statement.
  const h = await db
    .selectFrom('holdbacks')
    .innerJoin('projects', 'projects.id', 'holdbacks.project_id')
    .innerJoin('allocations', 'allocations.id', 'holdbacks.allocation_id')
    .leftJoin('contracts', 'contracts.id', 'holdbacks.contract_id')
    .select([
      'holdbacks.id', 'holdbacks.kind', 'holdbacks.amount_fen', 'holdbacks.condition', 'holdbacks.period', 'holdbacks.milestone', 'holdbacks.due_on', 'holdbacks.status',
      'projects.code as project_code', 'projects.name as project_name', 'allocations.code as allocation_code',
      'contracts.id as contract_id', 'contracts.code as contract_code', 'contracts.name as contract_name', 'contracts.amount_fen as contract_amount_fen',
      'contracts.accepted_on', 'contracts.warranty_months', 'contracts.retention_rate_bp', 'contracts.payment_term_days', 'contracts.om_coefficient_applies',
    ])
    .select((eb) => [
      eb.selectFrom('payments').select(sql<number>`coalesce(sum(payments.amount_fen), 0)::bigint`.as('total')).whereRef('payments.contract_id', '=', 'contracts.id').as('paid_on_contract'),
      sql<Array<{ period: string; passed: boolean; assessed_on: string | null; coefficient_bp: number | null; score: number | null }>>`(
        select coalesce(json_agg(json_build_object('period', om.period, 'passed', om.passed, 'assessed_on', om.assessed_on, 'coefficient_bp', om.coefficient_bp, 'score', om.score) order by om.id), '[]')
        from om_assessments om where om.holdback_id = holdbacks.id)`.as('assessments'),
    ])
    .where('holdbacks.unit_year_id', '=', uy)
    .where('holdbacks.code', '=', ref.holdbackCode)
    .executeTakeFirst();
  if (!h) return undefined;
  const paidOnContract = h.contract_id !== null ? Number(h.paid_on_contract ?? 0) : 0;
  const assessments = h.assessments;
  const facts: HoldbackFacts = {
    workflowId,
    ref,
    kind: h.kind,
    origin: 'ledger',
    projectCode: h.project_code,
    projectName: h.project_name,
    allocationCode: h.allocation_code,
    ...(h.contract_code ? { contractCode: h.contract_code } : {}),
    ...(h.contract_name ? { contractName: h.contract_name } : {}),
    condition: h.condition,
    amountFen: h.amount_fen,
    ledgerStatus: h.status,
    ...(h.due_on ? { explicitDueOn: h.due_on } : {}),
    ...(h.period ? { period: h.period } : {}),
    ...(h.milestone ? { milestone: h.milestone } : {}),
    paymentTermDays: h.payment_term_days ?? DEFAULT_PAYMENT_TERM_DAYS,
    omCoefficientApplies: h.om_coefficient_applies ?? false,
    ledgerAssessments: assessments.map((a) => ({
      period: a.period,
      passed: a.passed,
      ...(a.assessed_on ? { assessedOn: a.assessed_on } : {}),
      ...(a.coefficient_bp !== null ? { coefficientBp: a.coefficient_bp } : {}),
      ...(a.score !== null ? { score: Number(a.score) } : {}),
    })),
  };
  if (h.kind === 'retention') {
    if (h.accepted_on) facts.warrantyStartOn = h.accepted_on;
    if (h.warranty_months !== null) facts.warrantyMonths = h.warranty_months;
  }
  if (h.kind === 'acceptance') {
    if (h.accepted_on) facts.ledgerAcceptedOn = h.accepted_on;
    if (h.retention_rate_bp !== null && h.retention_rate_bp > 0) {
      facts.retentionRateBp = h.retention_rate_bp;
      facts.retentionBaseFen = h.contract_amount_fen ?? paidOnContract + h.amount_fen;
    }
    if (h.warranty_months !== null) facts.contractWarrantyMonths = h.warranty_months;
  }
  return facts;
}

// ── Writes from the workflow (idempotent) ──────────────────────────────────────────────────────

function progressValues(p: HoldbackProgress) {
  return {
    workflow_id: p.workflowId,
    unit_code: p.ref.unitCode,
    year: p.ref.year,
    holdback_code: p.ref.holdbackCode,
    kind: p.kind,
    origin: p.origin,
    parent_code: p.parentCode ?? null,
    project_code: p.projectCode,
    project_name: p.projectName,
    allocation_code: p.allocationCode,
    contract_code: p.contractCode ?? null,
    condition: p.condition,
    warranty_start_on: p.warrantyStartOn ?? null,
    warranty_months: p.warrantyMonths ?? null,
    status: p.status,
    phase: p.phase,
    awaiting: p.awaiting,
    period: p.period ?? null,
    milestone: p.milestone ?? null,
    amount_fen: p.amounts.amountFen,
    held_fen: p.amounts.heldFen,
    payable_fen: p.amounts.payableFen,
    released_fen: p.amounts.releasedFen,
    forfeited_fen: p.amounts.forfeitedFen,
    transferred_fen: p.amounts.transferredFen,
    next_due_on: p.nextDueOn ?? null,
    next_reminder_at: p.nextReminderAt ?? null,
    reminders_sent: p.remindersSent,
    version: p.version,
    business_at: p.at,
    // Written by a running run: whatever stop was recorded before is over.
    ...NO_STOP,
  };
}

/**
 * Writes a holdback's progress when it is newer than what is stored (a retried or late write of
 * an older version changes nothing), and keeps the ledger's holdback row in step: its status, and
 * for a derived holdback the whole row (re-created if an import removed it).
 */
export async function writeHoldbackProgress(db: Db, p: HoldbackProgress): Promise<{ written: boolean }> {
  const values = progressValues(p);
  const { workflow_id: _id, ...updates } = values;
  const upsert = (qb: QueryCreator<Database>) =>
    qb
      .insertInto('holdback_progress')
      .values(values)
      .onConflict((oc) =>
        oc
          .column('workflow_id')
          .doUpdateSet({ ...updates, written_at: sql`now()` })
          .where('holdback_progress.version', '<', p.version),
      )
      .returning('workflow_id');
  const uy = await unitYearId(db, p.ref.unitCode, p.ref.year);
  if (p.origin === 'ledger' || uy === undefined) {
    // One statement: the progress, and the ledger row's status when the progress was written
    // (a holdback's status is the one column of its row the workflow keeps).
    const written =
      uy === undefined
        ? await upsert(db).executeTakeFirst()
        : await db
            .with('written', (qb) => upsert(qb))
            .with('synced', (qb) =>
              qb
                .updateTable('holdbacks')
                .set({ status: p.status })
                .where('unit_year_id', '=', uy)
                .where('code', '=', p.ref.holdbackCode)
                .where('status', '<>', p.status)
                .where((eb) => eb.exists(eb.selectFrom('written').select('written.workflow_id')))
                .returning('holdbacks.id'),
            )
            .selectFrom('written')
            .select('written.workflow_id')
            .executeTakeFirst();
    return { written: written !== undefined };
  }
  return db.transaction().execute(async (trx) => {
    const written = await upsert(trx).executeTakeFirst();
    if (!written) return { written: false };
    await upsertDerivedHoldbackRow(trx, uy, p);
    return { written: true };
  });
}

async function upsertDerivedHoldbackRow(db: Db, uy: number, p: HoldbackProgress): Promise<void> {
  const allocation = await db.selectFrom('allocations').select(['id', 'project_id']).where('unit_year_id', '=', uy).where('code', '=', p.allocationCode).executeTakeFirst();
  if (!allocation) return; // the file no longer has the allocation: the progress row alone records it
  const contract = p.contractCode
    ? await db.selectFrom('contracts').select('id').where('unit_year_id', '=', uy).where('code', '=', p.contractCode).executeTakeFirst()
    : undefined;
  const position = await db
    .selectFrom('holdbacks')
    .select(sql<number>`coalesce(max(position), -1) + 1`.as('next'))
    .where('unit_year_id', '=', uy)
    .where('project_id', '=', allocation.project_id)
    .executeTakeFirstOrThrow();
  await db
    .insertInto('holdbacks')
    .values({
      unit_year_id: uy,
      code: p.ref.holdbackCode,
      position: Number(position.next),
      project_id: allocation.project_id,
      kind: p.kind,
      allocation_id: allocation.id,
      contract_id: contract?.id ?? null,
      amount_fen: p.amounts.amountFen,
      condition: p.condition,
      period: null,
      milestone: null,
      due_on: p.nextDueOn ?? null,
      status: p.status,
      source: null,
    })
    .onConflict((oc) =>
      oc.columns(['unit_year_id', 'code']).doUpdateSet({
        status: p.status,
        amount_fen: p.amounts.amountFen,
        due_on: sql`coalesce(${p.nextDueOn ?? null}::date, holdbacks.due_on)`,
      }),
    )
    .execute();
}

/**
 * A retention opened by an acceptance: its first progress row (version 0, carrying the definition
 * the workflow starts from) and its ledger row. Idempotent: a second call changes nothing.
 */
export async function createDerivedHoldback(db: Db, p: HoldbackProgress): Promise<{ created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('holdback_progress')
      .values(progressValues({ ...p, version: 0 }))
      .onConflict((oc) => oc.column('workflow_id').doNothing())
      .returning('workflow_id')
      .executeTakeFirst();
    const uy = await unitYearId(trx, p.ref.unitCode, p.ref.year);
    if (inserted && uy !== undefined) await upsertDerivedHoldbackRow(trx, uy, p);
    return { created: inserted !== undefined };
  });
}

/** Stores a recorded fact once per (workflow, request id). */
export async function insertHoldbackEvent(db: Db, row: HoldbackEventRow): Promise<{ inserted: boolean }> {
  const e = row.event;
  const inserted = await db
    .insertInto('holdback_events')
    .values({
      workflow_id: row.workflowId,
      request_id: e.requestId,
      unit_code: row.ref.unitCode,
      year: row.ref.year,
      holdback_code: row.ref.holdbackCode,
      type: e.type,
      source: e.source,
      occurred_on: e.occurredOn,
      amount_fen: e.amountFen ?? null,
      payment_code: e.paymentCode ?? null,
      actor: e.actor ?? null,
      summary_zh: e.zh,
      summary_en: e.en,
      payload: JSON.stringify(row.payload ?? null),
      result: JSON.stringify(row.result),
      business_at: e.recordedAt,
    })
    .onConflict((oc) => oc.columns(['workflow_id', 'request_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return { inserted: inserted !== undefined };
}

// ── Stops ───────────────────────────────────────────────────────────────────────────────────

export type HoldbackStop = StopRecord;

/**
 * Records that a holdback's workflow stopped (its run `runId`) while money is still withheld: on
 * its progress row and in the audit log, once per run. Undefined when there is nothing to record
 * (no progress row, nothing outstanding, or this run's stop is recorded already).
 */
export async function recordHoldbackStopped(
  db: Db,
  input: StopInput,
): Promise<{ unitCode: string; year: number; holdbackCode: string; projectName: string; kind: HoldbackKind; heldFen: number } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('holdback_progress')
      .set(stopColumns(input))
      .where('workflow_id', '=', input.workflowId)
      .where('status', 'not in', ['released', 'forfeited'])
      .where(notRecordedFor(input.runId))
      .returning(['unit_code', 'year', 'holdback_code', 'project_name', 'kind', 'held_fen'])
      .executeTakeFirst();
    if (!row) return undefined;
    await auditStop(trx, 'holdback', input, (await unitIdOf(trx, row.unit_code)) ?? null);
    return { unitCode: row.unit_code, year: row.year, holdbackCode: row.holdback_code, projectName: row.project_name, kind: row.kind, heldFen: Number(row.held_fen) };
  });
}

/** The recorded stop of a holdback's workflow, if it stopped and was not restarted since. */
export async function holdbackStop(db: Db, workflowId: string): Promise<HoldbackStop | undefined> {
  const r = await db.selectFrom('holdback_progress').select(['stopped_state', 'stopped_at', 'stopped_reason', 'stopped_run_id']).where('workflow_id', '=', workflowId).executeTakeFirst();
  return (r && stopRecordOf(r)) ?? undefined;
}

export function reminderDedupeKey(workflowId: string, basis: string, reminderKey: string): string {
  return `${workflowId}|${basis}|${reminderKey}`;
}

/** Claims a reminder (once per dedupe key); the first claim's fire time is kept. */
export async function claimReminder(db: Db, r: ReminderRequest): Promise<{ claimed: boolean; dedupeKey: string }> {
  const dedupeKey = reminderDedupeKey(r.workflowId, r.basis, r.reminder.key);
  const inserted = await db
    .insertInto('holdback_reminders')
    .values({
      dedupe_key: dedupeKey,
      workflow_id: r.workflowId,
      unit_code: r.ref.unitCode,
      holdback_code: r.ref.holdbackCode,
      plan: r.plan,
      basis: r.basis,
      reminder_key: r.reminder.key,
      reminder_date: r.reminder.date,
      catch_up: r.reminder.catchUp ?? false,
      scheduled_at: r.reminder.at,
      fired_at: r.firedAt,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return { claimed: inserted !== undefined, dedupeKey };
}

// ── Reads ───────────────────────────────────────────────────────────────────────────────────

export interface HoldbackReminderRow {
  dedupeKey: string;
  workflowId: string;
  holdbackCode: string;
  basis: string;
  key: string;
  date: string;
  catchUp: boolean;
  scheduledAt: Date;
  firedAt: Date;
}

export async function holdbackReminders(db: Db, filter: { workflowId?: string; unitCode?: string }): Promise<HoldbackReminderRow[]> {
  let q = db.selectFrom('holdback_reminders').selectAll();
  if (filter.workflowId !== undefined) q = q.where('workflow_id', '=', filter.workflowId);
  if (filter.unitCode !== undefined) q = q.where('unit_code', '=', filter.unitCode);
  const rows = await q.orderBy('scheduled_at').orderBy('id').execute();
  return rows.map((r) => ({
    dedupeKey: r.dedupe_key, workflowId: r.workflow_id, holdbackCode: r.holdback_code, basis: r.basis, key: r.reminder_key, date: r.reminder_date,
    catchUp: r.catch_up, scheduledAt: r.scheduled_at, firedAt: r.fired_at,
  }));
}

export interface HoldbackEventListRow {
  requestId: string;
  type: HoldbackEventRow['event']['type'];
  occurredOn: string;
  amountFen: number | null;
  paymentCode: string | null;
  zh: string;
  en: string;
  result: unknown;
}

export async function holdbackEvents(db: Db, workflowId: string): Promise<HoldbackEventListRow[]> {
  const rows = await db.selectFrom('holdback_events').selectAll().where('workflow_id', '=', workflowId).orderBy('id').execute();
  return rows.map((r) => ({ requestId: r.request_id, type: r.type, occurredOn: r.occurred_on, amountFen: r.amount_fen, paymentCode: r.payment_code, zh: r.summary_zh, en: r.summary_en, result: r.result }));
}

export async function holdbackProgress(db: Db, workflowId: string) {
  return db.selectFrom('holdback_progress').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
}

/** The holdbacks of a unit-year the workflows should run for: the ledger's and the derived ones, with whether each is still open. */
export async function holdbacksOfUnitYear(db: Db, unitCode: string, year: number): Promise<Array<{ holdbackCode: string; open: boolean }>> {
  const uy = await unitYearId(db, unitCode, year);
  const ledger = uy === undefined ? [] : await db.selectFrom('holdbacks').select(['code', 'status']).where('unit_year_id', '=', uy).orderBy('position').orderBy('id').execute();
  const progress = await db.selectFrom('holdback_progress').select(['holdback_code', 'phase', 'origin']).where('unit_code', '=', unitCode).where('year', '=', year).execute();
  const byCode = new Map(progress.map((p) => [p.holdback_code, p]));
  const out = ledger.map((h) => {
    const p = byCode.get(h.code);
    return { holdbackCode: h.code, open: p ? p.phase !== 'closed' : h.status !== 'released' && h.status !== 'forfeited' };
  });
  const seen = new Set(out.map((o) => o.holdbackCode));
  for (const p of progress) if (!seen.has(p.holdback_code) && p.origin === 'derived') out.push({ holdbackCode: p.holdback_code, open: p.phase !== 'closed' });
  return out;
}

export interface OpenHoldback {
  year: number;
  holdbackCode: string;
  /** The workflow keeping it (tracked rows only). */
  workflowId?: string;
  projectCode: string;
  projectName: string;
  /** The contract it is withheld under, when the ledger names one. */
  contractCode?: string;
  kind: HoldbackKind;
  origin: 'ledger' | 'derived';
  status: HoldbackStatus;
  /** Undefined until the holdback's workflow has written its progress. */
  phase?: HoldbackPhase;
  awaiting: HoldbackAwaiting;
  /** What it waits for, in words. */
  awaitingText: { zh: string; en: string };
  condition: string;
  amountFen: number;
  heldFen: number;
  payableFen: number;
  releasedFen: number;
  /** held + payable: what the unit still owes on it. */
  outstandingFen: number;
  /** The next date it falls due (or the assessment result is expected by); undefined while waiting on an event without a date. */
  nextDueOn?: string;
  nextReminderAt?: Date;
  period?: string;
  milestone?: string;
  /** True when the workflow keeps this row (false: ledger only, not started yet). */
  tracked: boolean;
  /** Its workflow stopped while money is still withheld (no reminders until it is restarted). */
  stopped?: StoppedState;
}

function awaitingText(a: HoldbackAwaiting, o: { dueOn?: string; period?: string; milestone?: string; condition: string }): { zh: string; en: string } {
  switch (a) {
    case 'warranty_end':
      return o.dueOn ? { zh: `质保期届满（${o.dueOn}）`, en: `end of warranty (${o.dueOn})` } : { zh: o.condition, en: 'end of warranty' };
    case 'assessment':
      return { zh: `${o.period ?? ''}期间运维考核结果`, en: `O&M assessment result for ${o.period ?? 'its period'}` };
    case 'acceptance':
      return { zh: '验收合格', en: 'acceptance' };
    case 'milestone':
      return { zh: `里程碑：${o.milestone ?? o.condition}`, en: `milestone: ${o.milestone ?? o.condition}` };
    case 'payment':
      return o.dueOn ? { zh: `支付（${o.dueOn} 前）`, en: `payment (by ${o.dueOn})` } : { zh: '支付', en: 'payment' };
    case 'nothing':
      return { zh: '无', en: 'nothing' };
  }
}

/**
 * "What falls due when": every open holdback of a unit (all years, or one), with its project, kind,
 * amounts, next due date (or the condition awaited) and status, soonest first (no date last).
 * Rows the workflows keep are read from their progress; holdbacks whose workflow has not started
 * yet are described from the ledger (a retention's due date from its contract, on the calendar).
 */
export async function openHoldbacksOfUnit(db: Db, unitCode: string, options: { calendar?: WorkingDayCalendar; year?: number } = {}): Promise<OpenHoldback[]> {
  const cal = options.calendar ?? nationalCalendar;
  const ledger = await db
    .selectFrom('holdbacks')
    .innerJoin('unit_years', 'unit_years.id', 'holdbacks.unit_year_id')
    .innerJoin('units', 'units.id', 'unit_years.unit_id')
    .innerJoin('projects', 'projects.id', 'holdbacks.project_id')
    .innerJoin('allocations', 'allocations.id', 'holdbacks.allocation_id')
    .leftJoin('contracts', 'contracts.id', 'holdbacks.contract_id')
    .select([
      'unit_years.year', 'holdbacks.code', 'holdbacks.kind', 'holdbacks.amount_fen', 'holdbacks.condition', 'holdbacks.period', 'holdbacks.milestone', 'holdbacks.due_on',
      'holdbacks.status', 'projects.code as project_code', 'projects.name as project_name', 'allocations.code as allocation_code', 'contracts.code as contract_code',
      'contracts.accepted_on', 'contracts.warranty_months', 'contracts.payment_term_days', 'contracts.om_coefficient_applies',
    ])
    .where('units.code', '=', unitCode)
    .$if(options.year !== undefined, (q) => q.where('unit_years.year', '=', options.year!))
    .execute();
  const progress = await db
    .selectFrom('holdback_progress')
    .selectAll()
    .where('unit_code', '=', unitCode)
    .$if(options.year !== undefined, (q) => q.where('year', '=', options.year!))
    .execute();
  const key = (year: number, code: string) => `${year}/${code}`;
  const tracked = new Map(progress.map((p) => [key(p.year, p.holdback_code), p]));
  const out: OpenHoldback[] = [];
  for (const p of progress) {
    if (p.phase === 'closed') continue;
    const dueOn = p.next_due_on ?? undefined;
    out.push({
      year: p.year,
      holdbackCode: p.holdback_code,
      workflowId: p.workflow_id,
      projectCode: p.project_code,
      projectName: p.project_name,
      ...(p.contract_code ? { contractCode: p.contract_code } : {}),
      kind: p.kind,
      origin: p.origin,
      status: p.status,
      phase: p.phase,
      awaiting: p.awaiting,
      awaitingText: awaitingText(p.awaiting, { ...(dueOn ? { dueOn } : {}), ...(p.period ? { period: p.period } : {}), ...(p.milestone ? { milestone: p.milestone } : {}), condition: p.condition }),
      condition: p.condition,
      amountFen: p.amount_fen,
      heldFen: p.held_fen,
      payableFen: p.payable_fen,
      releasedFen: p.released_fen,
      outstandingFen: p.held_fen + p.payable_fen,
      ...(dueOn ? { nextDueOn: dueOn } : {}),
      ...(p.next_reminder_at ? { nextReminderAt: p.next_reminder_at } : {}),
      ...(p.period ? { period: p.period } : {}),
      ...(p.milestone ? { milestone: p.milestone } : {}),
      tracked: true,
      ...(p.stopped_state ? { stopped: p.stopped_state } : {}),
    });
  }
  for (const h of ledger) {
    if (tracked.has(key(h.year, h.code)) || h.status === 'released' || h.status === 'forfeited') continue;
    const holdback = { code: h.code, kind: h.kind, allocation: h.allocation_code, amount: h.amount_fen, condition: h.condition, status: h.status, ...(h.due_on ? { dueOn: h.due_on } : {}) } as Holdback;
    const contract = h.contract_code
      ? ({ code: h.contract_code, paymentTermDays: h.payment_term_days ?? DEFAULT_PAYMENT_TERM_DAYS, omCoefficientApplies: h.om_coefficient_applies ?? false, ...(h.accepted_on ? { acceptedOn: h.accepted_on } : {}), ...(h.warranty_months !== null ? { warrantyMonths: h.warranty_months } : {}) } as Contract)
      : undefined;
    const due = holdbackDue(cal, holdback, contract).dueOn;
    const awaiting: HoldbackAwaiting =
      h.status === 'payable' || h.status === 'partially_released' ? 'payment' : h.kind === 'retention' ? 'warranty_end' : h.kind === 'om_assessment' ? 'assessment' : h.kind === 'acceptance' ? 'acceptance' : 'milestone';
    const period = h.period ? (parsePeriod(h.period)?.text ?? h.period) : undefined;
    out.push({
      year: h.year,
      holdbackCode: h.code,
      projectCode: h.project_code,
      projectName: h.project_name,
      ...(h.contract_code ? { contractCode: h.contract_code } : {}),
      kind: h.kind,
      origin: 'ledger',
      status: h.status,
      awaiting,
      awaitingText: awaitingText(awaiting, { ...(due ? { dueOn: due } : {}), ...(period ? { period } : {}), ...(h.milestone ? { milestone: h.milestone } : {}), condition: h.condition }),
      condition: h.condition,
      amountFen: h.amount_fen,
      heldFen: awaiting === 'payment' ? 0 : h.amount_fen,
      payableFen: awaiting === 'payment' ? h.amount_fen : 0,
      releasedFen: 0,
      outstandingFen: h.amount_fen,
      ...(due ? { nextDueOn: due } : {}),
      ...(period ? { period } : {}),
      ...(h.milestone ? { milestone: h.milestone } : {}),
      tracked: false,
    });
  }
  return out.sort((a, b) => {
    if (a.nextDueOn !== b.nextDueOn) return a.nextDueOn === undefined ? 1 : b.nextDueOn === undefined ? -1 : a.nextDueOn < b.nextDueOn ? -1 : 1;
    return a.year - b.year || (a.holdbackCode < b.holdbackCode ? -1 : a.holdbackCode > b.holdbackCode ? 1 : 0);
  });
}

export interface HoldbackRelease {
  year: number;
  holdbackCode: string;
  workflowId: string;
  paymentCode: string;
  paidOn: string;
  amountFen: number;
  requestId: string;
}

/**
 * Release payments recorded through holdback workflows, by the year they were paid in: what the
 * next year's report and ledger must show as paid (they are not written into `payments`, which
 * belongs to the imported unit-year file — see the migration and activities/holdbacks.activities.ts).
 */
export async function holdbackReleasesOfUnit(db: Db, unitCode: string, options: { paidIn?: number } = {}): Promise<HoldbackRelease[]> {
  let q = db
    .selectFrom('holdback_events')
    .select(['year', 'holdback_code', 'workflow_id', 'payment_code', 'occurred_on', 'amount_fen', 'request_id'])
    .where('unit_code', '=', unitCode)
    .where('type', '=', 'release');
  if (options.paidIn !== undefined) q = q.where('occurred_on', '>=', `${options.paidIn}-01-01`).where('occurred_on', '<=', `${options.paidIn}-12-31`);
  const rows = await q.orderBy('occurred_on').orderBy('id').execute();
  return rows.map((r) => ({ year: r.year, holdbackCode: r.holdback_code, workflowId: r.workflow_id, paymentCode: r.payment_code!, paidOn: r.occurred_on, amountFen: r.amount_fen!, requestId: r.request_id }));
}
