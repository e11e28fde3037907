/**
 * A year's campaign (the bureau's notice that starts every unit's evaluation) and its units: the
 * campaign row the campaign workflow writes when it opens, the units it covers with where each
 * stands (`campaign_units.state`, kept current by the workflows through idempotent activities),
 * and the reads the API and the reminders need. Every write is idempotent (keyed by the workflow
 * id, the campaign and the unit) and audited once.
 */
import { sql } from 'kysely';
import type { Db } from './connection';
import { audit, auditStop } from './evaluations.repository';
import { NO_STOP, notRecordedFor, type StopInput, stopColumns, type StopRecord, stopRecordOf } from './stops';
import type { CampaignUnitState, ReviewLevel, StoppedState } from './schema';

export interface Campaign {
  id: number;
  workflowId: string;
  organisationId: number;
  organisationCode: string;
  organisationName: string;
  year: number;
  dueDate: string;
  taskDueDate: string | null;
  ruleSet: { id: string; version: number };
  outline: string;
  notice: string;
  createdBy: string;
  createdAt: string;
  closedAt: string | null;
  /** Its workflow stopped before the campaign ended (no reminders, escalations or joining until it is restarted). */
  stopped: StopRecord | null;
}

const campaignColumns = [
  'campaigns.id', 'campaigns.workflow_id', 'campaigns.organisation_id', 'organisations.code as organisation_code', 'organisations.name as organisation_name', 'campaigns.year',
  'campaigns.due_date', 'campaigns.task_due_date', 'campaigns.rule_set_id', 'campaigns.rule_set_version', 'campaigns.outline', 'campaigns.notice', 'campaigns.created_by',
  'campaigns.created_at', 'campaigns.closed_at', 'campaigns.stopped_state', 'campaigns.stopped_at', 'campaigns.stopped_reason', 'campaigns.stopped_run_id',
] as const;

type CampaignRow = {
  id: number; workflow_id: string; organisation_id: number; organisation_code: string; organisation_name: string; year: number; due_date: string; task_due_date: string | null;
  rule_set_id: string; rule_set_version: number | null; outline: string | null; notice: string; created_by: string; created_at: Date; closed_at: Date | null;
  stopped_state: StoppedState | null; stopped_at: Date | null; stopped_reason: string | null; stopped_run_id: string | null;
};

const toCampaign = (r: CampaignRow): Campaign => ({
  id: Number(r.id), workflowId: r.workflow_id, organisationId: Number(r.organisation_id), organisationCode: r.organisation_code, organisationName: r.organisation_name,
  year: r.year, dueDate: r.due_date, taskDueDate: r.task_due_date, ruleSet: { id: r.rule_set_id, version: r.rule_set_version ?? 1 }, outline: r.outline ?? '', notice: r.notice,
  createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString(), closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
  stopped: stopRecordOf(r),
});

const selectCampaign = (db: Db) => db.selectFrom('campaigns').innerJoin('organisations', 'organisations.id', 'campaigns.organisation_id').select(campaignColumns);

export async function campaignByWorkflow(db: Db, workflowId: string): Promise<Campaign | undefined> {
  const r = await selectCampaign(db).where('campaigns.workflow_id', '=', workflowId).executeTakeFirst();
  return r && toCampaign(r);
}

/** The campaign an organisation issued for a year. */
export async function campaignOf(db: Db, organisationCode: string, year: number): Promise<Campaign | undefined> {
  const r = await selectCampaign(db).where('organisations.code', '=', organisationCode).where('campaigns.year', '=', year).executeTakeFirst();
  return r && toCampaign(r);
}

/** The campaign that covers a unit-year (the unit joined it), with the unit's state in it. */
export async function campaignOfUnitYear(db: Db, unitCode: string, year: number): Promise<(Campaign & { unitId: number; unitState: CampaignUnitState }) | undefined> {
  const r = await selectCampaign(db)
    .innerJoin('campaign_units', 'campaign_units.campaign_id', 'campaigns.id')
    .innerJoin('units', 'units.id', 'campaign_units.unit_id')
    .select(['units.id as unit_id', 'campaign_units.state as unit_state'])
    .where('units.code', '=', unitCode)
    .where('campaigns.year', '=', year)
    .orderBy('campaigns.id')
    .executeTakeFirst();
  return r && { ...toCampaign(r), unitId: Number(r.unit_id), unitState: r.unit_state };
}

/** Records the campaign once (the workflow's open, retried or replayed, finds it); audited once. */
export async function ensureCampaign(
  db: Db,
  input: { workflowId: string; organisationCode: string; year: number; dueDate: string; taskDueDate: string | null; ruleSet: { id: string; version: number }; outline: string; notice: string; actor: string },
): Promise<{ campaign: Campaign; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const org = await trx.selectFrom('organisations').select(['id']).where('code', '=', input.organisationCode).executeTakeFirstOrThrow();
    const inserted = await trx
      .insertInto('campaigns')
      .values({
        organisation_id: org.id, year: input.year, due_date: input.dueDate, task_due_date: input.taskDueDate, rule_set_id: input.ruleSet.id, rule_set_version: input.ruleSet.version,
        outline: input.outline, notice: input.notice, workflow_id: input.workflowId, created_by: input.actor,
      })
      .onConflict((oc) => oc.column('workflow_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      await audit(trx, {
        actor: input.actor, unitId: null, action: 'campaign.issue', subject: input.workflowId,
        details: { organisation: input.organisationCode, year: input.year, dueDate: input.dueDate, taskDueDate: input.taskDueDate, ruleSet: `${input.ruleSet.id}@${input.ruleSet.version}`, outline: input.outline },
        dedupeKey: `${input.workflowId}|issue`,
      });
    }
    const row = await selectCampaign(trx).where('campaigns.workflow_id', '=', input.workflowId).executeTakeFirstOrThrow();
    return { campaign: toCampaign(row), created: inserted !== undefined };
  });
}

/**
 * Units join the campaign (the notice's list, or units added later): the ones not in it yet are
 * added, in the order given. Returns the codes that joined now (empty when all were in already).
 * Codes of units that do not exist are ignored (the API refuses them before).
 */
export async function joinCampaignUnits(db: Db, input: { campaignId: number; unitCodes: readonly string[]; actor: string; dedupeKey?: string }): Promise<{ joined: string[] }> {
  if (!input.unitCodes.length) return { joined: [] };
  return db.transaction().execute(async (trx) => {
    const units = await trx.selectFrom('units').select(['id', 'code']).where('code', 'in', [...input.unitCodes]).execute();
    const byCode = new Map(units.map((u) => [u.code, Number(u.id)]));
    const rows = input.unitCodes.flatMap((c) => (byCode.has(c) ? [{ campaign_id: input.campaignId, unit_id: byCode.get(c)! }] : []));
    if (!rows.length) return { joined: [] };
    const inserted = await trx.insertInto('campaign_units').values(rows).onConflict((oc) => oc.columns(['campaign_id', 'unit_id']).doNothing()).returning('unit_id').execute();
    const ids = new Set(inserted.map((r) => Number(r.unit_id)));
    const joined = input.unitCodes.filter((c) => ids.has(byCode.get(c) ?? -1));
    if (joined.length) {
      const campaign = await trx.selectFrom('campaigns').select('workflow_id').where('id', '=', input.campaignId).executeTakeFirstOrThrow();
      await audit(trx, { actor: input.actor, unitId: null, action: 'campaign.join_units', subject: campaign.workflow_id, details: { units: joined }, dedupeKey: input.dedupeKey ?? null });
    }
    return { joined };
  });
}

/** The units of a campaign, in the order they joined. */
/** The campaign's units whose report was accepted (a restarted campaign's run starts from these). */
export async function acceptedCampaignUnits(db: Db, campaignId: number): Promise<string[]> {
  const rows = await db.selectFrom('campaign_units').innerJoin('units', 'units.id', 'campaign_units.unit_id').select('units.code').where('campaign_id', '=', campaignId).where('campaign_units.state', '=', 'accepted').orderBy('units.code').execute();
  return rows.map((r) => r.code);
}

/**
 * Records that the campaign's workflow stopped (its run `runId`) before the campaign ended: on its
 * row and in the audit log, once per run. Undefined when there is nothing to record (no such
 * campaign, it had ended, or this run's stop is recorded already).
 */
export async function recordCampaignStopped(db: Db, input: StopInput): Promise<Campaign | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('campaigns')
      .set(stopColumns(input))
      .where('workflow_id', '=', input.workflowId)
      .where('closed_at', 'is', null)
      .where(notRecordedFor(input.runId))
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    await auditStop(trx, 'campaign', input, null);
    return campaignByWorkflow(trx, input.workflowId);
  });
}

/** The restart's new run is under way: the stop is history. */
export async function clearCampaignStop(db: Db, workflowId: string): Promise<void> {
  await db.updateTable('campaigns').set(NO_STOP).where('workflow_id', '=', workflowId).execute();
}

export async function campaignUnitCodes(db: Db, campaignId: number): Promise<string[]> {
  const rows = await db.selectFrom('campaign_units').innerJoin('units', 'units.id', 'campaign_units.unit_id').select('units.code').where('campaign_id', '=', campaignId).orderBy('campaign_units.joined_at').orderBy('units.code').execute();
  return rows.map((r) => r.code);
}

/** States a unit may move from into each state (a retried or late write never moves a unit back). */
const FROM: Record<CampaignUnitState, readonly CampaignUnitState[]> = {
  joined: [],
  waiting_ledger: ['joined'],
  started: ['joined', 'waiting_ledger'],
  issued: ['joined', 'waiting_ledger', 'started', 'returned', 'issued'],
  in_review: ['issued', 'in_review'],
  returned: ['issued', 'in_review'],
  accepted: ['issued', 'in_review'],
};

/**
 * Moves a campaign unit (of the campaign covering the unit-year) to a state, when it stands where
 * that state may come from; sets where its review is. Returns whether it moved.
 */
export async function setCampaignUnitState(
  db: Db,
  input: { unitCode: string; year: number; state: CampaignUnitState; reviewLevel?: ReviewLevel | null; reportVersion?: number | null; starterWorkflowId?: string },
): Promise<boolean> {
  const r = await db
    .updateTable('campaign_units')
    .set({
      state: input.state, updated_at: new Date(),
      ...(input.reviewLevel !== undefined ? { review_level: input.reviewLevel } : {}),
      ...(input.reportVersion !== undefined ? { report_version: input.reportVersion } : {}),
      ...(input.starterWorkflowId !== undefined ? { starter_workflow_id: input.starterWorkflowId } : {}),
    })
    .where('unit_id', '=', (eb) => eb.selectFrom('units').select('id').where('code', '=', input.unitCode))
    .where('campaign_id', 'in', (eb) => eb.selectFrom('campaigns').select('id').where('year', '=', input.year))
    .where('state', 'in', [...FROM[input.state]])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Records the workflow that starts a campaign unit's evaluation (the fan-out). */
export async function setCampaignUnitStarter(db: Db, input: { campaignId: number; unitCode: string; starterWorkflowId: string; waitingLedger: boolean }): Promise<void> {
  await db
    .updateTable('campaign_units')
    .set({ starter_workflow_id: input.starterWorkflowId, updated_at: new Date(), ...(input.waitingLedger ? { state: sql<CampaignUnitState>`case when state = 'joined' then 'waiting_ledger' else state end` } : {}) })
    .where('campaign_id', '=', input.campaignId)
    .where('unit_id', '=', (eb) => eb.selectFrom('units').select('id').where('code', '=', input.unitCode))
    .execute();
}

export async function closeCampaign(db: Db, workflowId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('campaigns').set({ closed_at: new Date() }).where('workflow_id', '=', workflowId).where('closed_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) await audit(trx, { actor: 'selfeval', unitId: null, action: 'campaign.close', subject: workflowId, details: {}, dedupeKey: `${workflowId}|close` });
  });
}

export interface CampaignUnitProgress {
  unitCode: string;
  unitName: string;
  /** The unit's 主管部门, or null when it reports to the bureau directly. */
  department: { code: string; name: string } | null;
  state: CampaignUnitState;
  reviewLevel: ReviewLevel | null;
  reportVersion: number | null;
  /** The evaluation's stage (null before it opened) and its due date for the sections. */
  stage: string | null;
  tasksDueAt: string | null;
  /** The self-score once scored (final or not). */
  score: { totalCp: number; grade: string | null; final: boolean } | null;
  updatedAt: string;
}

export interface CampaignProgress {
  units: CampaignUnitProgress[];
  counts: Record<CampaignUnitState, number>;
}

/**
 * Where every unit of a campaign stands — or, for a department, every unit of the campaign under
 * it. One query (campaign units, units, departments, evaluations).
 */
export async function campaignProgress(db: Db, campaignId: number, options: { underOrganisationId?: number } = {}): Promise<CampaignProgress> {
  let q = db
    .selectFrom('campaign_units as cu')
    .innerJoin('campaigns as c', 'c.id', 'cu.campaign_id')
    .innerJoin('units as u', 'u.id', 'cu.unit_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .leftJoin('unit_years as uy', (j) => j.onRef('uy.unit_id', '=', 'u.id').onRef('uy.year', '=', 'c.year'))
    .leftJoin('evaluations as e', 'e.unit_year_id', 'uy.id')
    .select(['u.code', 'u.name', 'o.code as orgCode', 'o.name as orgName', 'o.kind as orgKind', 'cu.state', 'cu.review_level', 'cu.report_version', 'cu.updated_at', 'e.stage', 'e.due_at', 'e.score'])
    .where('cu.campaign_id', '=', campaignId);
  if (options.underOrganisationId !== undefined) q = q.where('u.organisation_id', '=', options.underOrganisationId);
  const rows = await q.orderBy('u.code').execute();
  const counts: Record<CampaignUnitState, number> = { joined: 0, waiting_ledger: 0, started: 0, issued: 0, in_review: 0, returned: 0, accepted: 0 };
  const units = rows.map((r): CampaignUnitProgress => {
    counts[r.state] += 1;
    const score = r.score as { totalCp?: number; grade?: { zh?: string } | null; final?: boolean } | null;
    return {
      unitCode: r.code, unitName: r.name, department: r.orgKind === 'department' && r.orgCode ? { code: r.orgCode, name: r.orgName! } : null, state: r.state, reviewLevel: r.review_level,
      reportVersion: r.report_version, stage: r.stage ?? null, tasksDueAt: r.due_at ? new Date(r.due_at).toISOString() : null,
      score: score && typeof score.totalCp === 'number' ? { totalCp: score.totalCp, grade: score.grade?.zh ?? null, final: score.final === true } : null,
      updatedAt: new Date(r.updated_at).toISOString(),
    };
  });
  return { units, counts };
}

export interface CampaignLaggard {
  unitCode: string;
  unitName: string;
  state: CampaignUnitState;
  stage: string | null;
  /** The unit's 主管部门 (id, code), or null under the bureau directly. */
  departmentId: number | null;
}

/** Units of a campaign whose report is not issued yet (not started, waiting for the ledger, evaluating, or revising after a return). */
export async function campaignLaggards(db: Db, campaignId: number): Promise<CampaignLaggard[]> {
  const rows = await db
    .selectFrom('campaign_units as cu')
    .innerJoin('campaigns as c', 'c.id', 'cu.campaign_id')
    .innerJoin('units as u', 'u.id', 'cu.unit_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .leftJoin('unit_years as uy', (j) => j.onRef('uy.unit_id', '=', 'u.id').onRef('uy.year', '=', 'c.year'))
    .leftJoin('evaluations as e', 'e.unit_year_id', 'uy.id')
    .select(['u.code', 'u.name', 'cu.state', 'e.stage', 'o.id as orgId', 'o.kind as orgKind'])
    .where('cu.campaign_id', '=', campaignId)
    .where('cu.state', 'in', ['joined', 'waiting_ledger', 'started', 'returned'])
    .orderBy('u.code')
    .execute();
  return rows.map((r) => ({ unitCode: r.code, unitName: r.name, state: r.state, stage: r.stage ?? null, departmentId: r.orgKind === 'department' ? Number(r.orgId) : null }));
}
