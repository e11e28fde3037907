/**
 * Review above the unit and publication, in Postgres: the decisions a department's or the
 * bureau's reviewer takes on an issued report (accept, return with comments, adjust a score with
 * a reason — each once, audited with its actor), the reviewed score beside the self-score, and the
 * publication of accepted reports (预决算公开) with its audited withdrawal; plus the two reads the
 * public pages use (a bureau's published reports of a year, one published unit-year).
 */
import { type Transaction, sql } from 'kysely';
import { type ReviewedScore, reviewedScore, type ScoreAdjustment } from '../domain/review';
import type { ScoreSheet } from '../domain/scoring';
import type { BasicData } from '../domain/ledger/basic-data';
import { AppError } from '../domain/errors';
import type { ReviewResultInput } from '../domain/report/review-result';
import { sha256, verifiedSha256 } from './reports.repository';
import type { Db } from './connection';
import type { Database, ReviewLevel } from './schema';
import { audit } from './evaluations.repository';

export type ReviewDecisionKind = 'accept' | 'return' | 'adjust';

/** A reviewer's comment on one section or one indicator of the report (a return). */
export interface ReviewComment {
  section?: string;
  indicator?: string;
  text: string;
}

/** An adjustment as recorded: the reviewed points beside the self-score, with the reason. */
export interface RecordedAdjustment {
  indicator: string;
  pointsCp: number;
  selfCp: number | null;
  reason: string;
}

export interface ReviewDecision {
  id: number;
  reportVersion: number;
  level: ReviewLevel;
  decision: ReviewDecisionKind;
  actor: string;
  comments: ReviewComment[];
  adjustments: RecordedAdjustment[];
  at: string;
}

/**
 * Records a decision once (by its dedupe key: a retried or replayed step writes nothing twice)
 * and audits it with its actor. Returns whether it was recorded now.
 */
export async function recordReviewDecision(
  db: Db,
  input: { unitYearId: number; unitId: number; reportVersion: number; level: ReviewLevel; decision: ReviewDecisionKind; actor: string; comments?: ReviewComment[]; adjustments?: RecordedAdjustment[]; note?: string; dedupeKey: string; subject: string },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const comments = input.note ? [...(input.comments ?? []), { text: input.note }] : (input.comments ?? []);
    const inserted = await trx
      .insertInto('review_decisions')
      .values({
        unit_year_id: input.unitYearId, report_version: input.reportVersion, level: input.level, decision: input.decision, actor: input.actor,
        comments: JSON.stringify(comments), adjustments: JSON.stringify(input.adjustments ?? []), dedupe_key: input.dedupeKey,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      await audit(trx, {
        actor: input.actor, unitId: input.unitId, action: `review.${input.decision}`, subject: input.subject,
        details: { level: input.level, reportVersion: input.reportVersion, comments, adjustments: input.adjustments ?? [] }, dedupeKey: `${input.dedupeKey}|audit`,
      });
    }
    return inserted !== undefined;
  });
}

export async function reviewDecisionsOf(db: Db, unitYearId: number): Promise<ReviewDecision[]> {
  const rows = await db.selectFrom('review_decisions').selectAll().where('unit_year_id', '=', unitYearId).orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id), reportVersion: r.report_version, level: r.level, decision: r.decision, actor: r.actor,
    comments: r.comments as ReviewComment[], adjustments: r.adjustments as RecordedAdjustment[], at: new Date(r.at).toISOString(),
  }));
}

/**
 * Whether a reviewer returned this issued version: then the unit revises it and the next issue is
 * a new version (the report store allows versions after an issued one only then).
 */
export async function returnedByReview(db: Db | Transaction<Database>, unitYearId: number, reportVersion: number): Promise<boolean> {
  const r = await db.selectFrom('review_decisions').select('id').where('unit_year_id', '=', unitYearId).where('report_version', '=', reportVersion).where('decision', '=', 'return').executeTakeFirst();
  return r !== undefined;
}

/** The score sheet the evaluation recorded (the self-score of its latest issue) and the latest issued version. */
async function scoreAndIssued(db: Db, unitYearId: number): Promise<{ sheet: ScoreSheet | null; issuedVersion: number | null }> {
  const ev = await db.selectFrom('evaluations').select('score').where('unit_year_id', '=', unitYearId).executeTakeFirst();
  const issued = await db.selectFrom('reports').select('version').where('unit_year_id', '=', unitYearId).where('kind', '=', 'issued').orderBy('version', 'desc').limit(1).executeTakeFirst();
  return { sheet: (ev?.score as ScoreSheet | null | undefined) ?? null, issuedVersion: issued?.version ?? null };
}

/**
 * The self-score of the latest issued version and the reviewed score beside it: the adjustments
 * the reviewers recorded on that version (the last one per indicator). `null` before any issue.
 */
export async function reviewedScoreOf(db: Db, unitYearId: number): Promise<(ReviewedScore & { reportVersion: number; adjustments: Array<RecordedAdjustment & { level: ReviewLevel; actor: string; at: string }> }) | null> {
  const { sheet, issuedVersion } = await scoreAndIssued(db, unitYearId);
  if (!sheet || issuedVersion === null) return null;
  const decisions = (await reviewDecisionsOf(db, unitYearId)).filter((d) => d.decision === 'adjust' && d.reportVersion === issuedVersion);
  const adjustments = decisions.flatMap((d) => d.adjustments.map((a) => ({ ...a, level: d.level, actor: d.actor, at: d.at })));
  const usable: ScoreAdjustment[] = adjustments.filter((a) => sheet.indicators.some((i) => i.id === a.indicator && i.status === 'scored')).map((a) => ({ indicator: a.indicator, pointsCp: a.pointsCp, reason: a.reason }));
  return { ...reviewedScore(sheet, usable), reportVersion: issuedVersion, adjustments };
}

// ── Publication ─────────────────────────────────────────────────────────────────────────────

export interface Publication {
  reportVersion: number;
  publishedBy: string;
  publishedAt: string;
  withdrawn: { at: string; by: string; reason: string } | null;
}

export async function publicationOf(db: Db, unitYearId: number): Promise<Publication | undefined> {
  const r = await db.selectFrom('publications').selectAll().where('unit_year_id', '=', unitYearId).executeTakeFirst();
  return r && {
    reportVersion: r.report_version, publishedBy: r.published_by, publishedAt: new Date(r.published_at).toISOString(),
    withdrawn: r.withdrawn_at ? { at: new Date(r.withdrawn_at).toISOString(), by: r.withdrawn_by ?? '', reason: r.withdrawn_reason ?? '' } : null,
  };
}

/**
 * Publishes the accepted report of a campaign unit-year (its latest issued version, which the
 * bureau accepted). Publishing what is published already changes nothing; a withdrawn one is
 * published again. Audited.
 */
export async function publishReport(db: Db, input: { unitYearId: number; unitId: number; actor: string; subject: string }): Promise<{ publication: Publication; published: boolean }> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`publication:${input.unitYearId}`}))`.execute(trx);
    const accepted = await trx
      .selectFrom('campaign_units as cu')
      .innerJoin('campaigns as c', 'c.id', 'cu.campaign_id')
      .innerJoin('unit_years as uy', (j) => j.onRef('uy.unit_id', '=', 'cu.unit_id').onRef('uy.year', '=', 'c.year'))
      .select(['cu.state', 'cu.report_version'])
      .where('uy.id', '=', input.unitYearId)
      .executeTakeFirst();
    if (!accepted || accepted.state !== 'accepted' || accepted.report_version === null) {
      throw new AppError('conflict', '只能公开通过财政局复核的报告', 'only a report the bureau accepted can be published');
    }
    const version = accepted.report_version;
    const existing = await trx.selectFrom('publications').selectAll().where('unit_year_id', '=', input.unitYearId).executeTakeFirst();
    // What the public page shows beside the frozen PDF, as it is now: later changes to the live rows do not reach it.
    const live = await trx
      .selectFrom('unit_years as uy')
      .leftJoin('evaluations as e', 'e.unit_year_id', 'uy.id')
      .select(['uy.basic_data', 'e.score'])
      .where('uy.id', '=', input.unitYearId)
      .executeTakeFirstOrThrow();
    const snapshot = { basic_data: live.basic_data === null ? null : JSON.stringify(live.basic_data), score: live.score === null ? null : JSON.stringify(live.score) };
    let published = false;
    if (!existing) {
      await trx.insertInto('publications').values({ unit_year_id: input.unitYearId, report_version: version, published_by: input.actor, ...snapshot }).execute();
      published = true;
    } else if (existing.withdrawn_at || existing.report_version !== version) {
      // The same version published again after a withdrawal shows what it showed before (its
      // snapshot, taken when it was first published), not the live rows as they are now.
      const keep = existing.report_version === version && (existing.basic_data !== null || existing.score !== null);
      await trx
        .updateTable('publications')
        .set({ report_version: version, published_by: input.actor, published_at: new Date(), withdrawn_at: null, withdrawn_by: null, withdrawn_reason: null, ...(keep ? {} : snapshot) })
        .where('unit_year_id', '=', input.unitYearId)
        .execute();
      published = true;
    }
    if (published) await audit(trx, { actor: input.actor, unitId: input.unitId, action: 'publication.publish', subject: input.subject, details: { reportVersion: version } });
    const row = await trx.selectFrom('publications').selectAll().where('unit_year_id', '=', input.unitYearId).executeTakeFirstOrThrow();
    return {
      publication: { reportVersion: row.report_version, publishedBy: row.published_by, publishedAt: new Date(row.published_at).toISOString(), withdrawn: null },
      published,
    };
  });
}

/** Withdraws a publication, with the reason; audited. Refused when nothing is published. */
export async function withdrawPublication(db: Db, input: { unitYearId: number; unitId: number; actor: string; reason: string; subject: string }): Promise<Publication> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('publications')
      .set({ withdrawn_at: new Date(), withdrawn_by: input.actor, withdrawn_reason: input.reason })
      .where('unit_year_id', '=', input.unitYearId)
      .where('withdrawn_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!r) throw new AppError('conflict', '报告尚未公开（或已撤回）', 'the report is not published (or was withdrawn already)');
    await audit(trx, { actor: input.actor, unitId: input.unitId, action: 'publication.withdraw', subject: input.subject, details: { reportVersion: r.report_version, reason: input.reason } });
    return { reportVersion: r.report_version, publishedBy: r.published_by, publishedAt: new Date(r.published_at).toISOString(), withdrawn: { at: new Date(r.withdrawn_at!).toISOString(), by: input.actor, reason: input.reason } };
  });
}

// ── What the public pages read ─────────────────────────────────────────────────────────────

export interface PublishedScore {
  totalCp: number;
  grade: string | null;
}

export interface PublishedReportSummary {
  unitCode: string;
  unitName: string;
  department: { code: string; name: string } | null;
  year: number;
  reportVersion: number;
  publishedAt: string;
  /** The unit's own score (on its report) and the score after review (the same when nothing was adjusted). */
  score: PublishedScore | null;
  reviewedScore: PublishedScore | null;
}

function scoresOf(sheet: ScoreSheet | null, adjustments: readonly ScoreAdjustment[]): { score: PublishedScore | null; reviewedScore: PublishedScore | null } {
  if (!sheet) return { score: null, reviewedScore: null };
  const r = reviewedScore(sheet, adjustments.filter((a) => sheet.indicators.some((i) => i.id === a.indicator && i.status === 'scored')));
  return { score: { totalCp: r.self.totalCp, grade: r.self.grade?.zh ?? null }, reviewedScore: { totalCp: r.reviewed.totalCp, grade: r.reviewed.grade?.zh ?? null } };
}

async function adjustmentsOf(db: Db, unitYearIds: number[]): Promise<Map<string, ScoreAdjustment[]>> {
  const byKey = new Map<string, ScoreAdjustment[]>();
  if (!unitYearIds.length) return byKey;
  const rows = await db.selectFrom('review_decisions').select(['unit_year_id', 'report_version', 'adjustments']).where('unit_year_id', 'in', unitYearIds).where('decision', '=', 'adjust').orderBy('id').execute();
  for (const r of rows) {
    const key = `${r.unit_year_id}|${r.report_version}`;
    byKey.set(key, [...(byKey.get(key) ?? []), ...(r.adjustments as RecordedAdjustment[]).map((a) => ({ indicator: a.indicator, pointsCp: a.pointsCp, reason: a.reason }))]);
  }
  return byKey;
}

/**
 * The published (not withdrawn) reports of a year of every unit under a bureau (directly or through
 * its departments), by unit code: what the public index of the year lists.
 */
export async function publishedReportsOf(db: Db, bureauCode: string, year: number): Promise<PublishedReportSummary[]> {
  const rows = await db
    .selectFrom('publications as p')
    .innerJoin('unit_years as uy', 'uy.id', 'p.unit_year_id')
    .innerJoin('units as u', 'u.id', 'uy.unit_id')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .leftJoin('organisations as parent', 'parent.id', 'o.parent_id')
    .select(['uy.id as unitYearId', 'u.code', 'u.name', 'o.code as orgCode', 'o.name as orgName', 'o.kind as orgKind', 'uy.year', 'p.report_version', 'p.published_at', 'p.score'])
    .where('uy.year', '=', year)
    .where('p.withdrawn_at', 'is', null)
    .where((eb) => eb.or([eb.and([eb('o.kind', '=', 'bureau'), eb('o.code', '=', bureauCode)]), eb('parent.code', '=', bureauCode)]))
    .orderBy('u.code')
    .execute();
  const adjustments = await adjustmentsOf(db, rows.map((r) => Number(r.unitYearId)));
  return rows.map((r) => ({
    unitCode: r.code, unitName: r.name, department: r.orgKind === 'department' ? { code: r.orgCode, name: r.orgName } : null, year: r.year, reportVersion: r.report_version,
    publishedAt: new Date(r.published_at).toISOString(), ...scoresOf(r.score as ScoreSheet | null, adjustments.get(`${r.unitYearId}|${r.report_version}`) ?? []),
  }));
}

export interface PublishedUnitYear extends PublishedReportSummary {
  /** The published report version's PDF (its bytes are read with `reportFile(db, unitYearId, reportVersion, 'pdf')`, verified). */
  unitYearId: number;
  pdfSha256: string;
  /** The 基础数据表 of the unit-year as it was when published. */
  basicData: BasicData | null;
  /** The reviewers' adjustments behind the reviewed score (indicator, self and reviewed points, reason). */
  adjusted: ReviewedScore['adjusted'];
}

/** One published unit-year (undefined when it is not published, or withdrawn): report, 基础数据表, score and reviewed score. */
export async function publishedUnitYear(db: Db, unitCode: string, year: number): Promise<PublishedUnitYear | undefined> {
  const r = await db
    .selectFrom('publications as p')
    .innerJoin('unit_years as uy', 'uy.id', 'p.unit_year_id')
    .innerJoin('units as u', 'u.id', 'uy.unit_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .innerJoin('reports as rep', (j) => j.onRef('rep.unit_year_id', '=', 'uy.id').onRef('rep.version', '=', 'p.report_version'))
    .select(['uy.id as unitYearId', 'u.code', 'u.name', 'o.code as orgCode', 'o.name as orgName', 'o.kind as orgKind', 'uy.year', 'p.basic_data', 'p.report_version', 'p.published_at', 'p.score', 'rep.pdf_sha256'])
    .where('u.code', '=', unitCode)
    .where('uy.year', '=', year)
    .where('p.withdrawn_at', 'is', null)
    .executeTakeFirst();
  if (!r) return undefined;
  const unitYearId = Number(r.unitYearId);
  const adjustments = (await adjustmentsOf(db, [unitYearId])).get(`${unitYearId}|${r.report_version}`) ?? [];
  const sheet = r.score as ScoreSheet | null;
  const usable = sheet ? adjustments.filter((a) => sheet.indicators.some((i) => i.id === a.indicator && i.status === 'scored')) : [];
  return {
    unitYearId, unitCode: r.code, unitName: r.name, department: r.orgKind === 'department' && r.orgCode ? { code: r.orgCode, name: r.orgName! } : null, year: r.year,
    reportVersion: r.report_version, publishedAt: new Date(r.published_at).toISOString(), pdfSha256: r.pdf_sha256, basicData: (r.basic_data as BasicData | null) ?? null,
    ...scoresOf(sheet, usable), adjusted: sheet ? reviewedScore(sheet, usable).adjusted : [],
  };
}

// ── The review result (复核结果) ──────────────────────────────────────────────────────────────

/** The version the bureau accepted (the campaign unit is `accepted`), or null while the review goes on. */
export async function acceptedVersionOf(db: Db, unitYearId: number): Promise<number | null> {
  const r = await db
    .selectFrom('campaign_units as cu')
    .innerJoin('campaigns as c', 'c.id', 'cu.campaign_id')
    .innerJoin('unit_years as uy', (j) => j.onRef('uy.unit_id', '=', 'cu.unit_id').onRef('uy.year', '=', 'c.year'))
    .select(['cu.state', 'cu.report_version'])
    .where('uy.id', '=', unitYearId)
    .executeTakeFirst();
  return r?.state === 'accepted' && r.report_version !== null ? r.report_version : null;
}

/**
 * What the review result of the accepted version is composed from; undefined when nothing was
 * accepted yet. (`composeReviewResult` refuses a version the bureau did not accept.)
 */
export async function reviewResultSource(db: Db, unitCode: string, year: number): Promise<(ReviewResultInput & { unitYearId: number }) | undefined> {
  const uy = await db
    .selectFrom('unit_years as uy')
    .innerJoin('units as u', 'u.id', 'uy.unit_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .leftJoin('organisations as p', 'p.id', 'o.parent_id')
    .leftJoin('evaluations as e', 'e.unit_year_id', 'uy.id')
    .select(['uy.id', 'u.name', 'o.kind', 'o.name as orgName', 'p.name as parentName', 'e.score'])
    .where('u.code', '=', unitCode)
    .where('uy.year', '=', year)
    .executeTakeFirst();
  if (!uy) return undefined;
  const unitYearId = Number(uy.id);
  const version = await acceptedVersionOf(db, unitYearId);
  if (version === null || !uy.score || !uy.orgName) return undefined;
  const report = await db.selectFrom('reports').select(['pdf_sha256', 'created_at']).where('unit_year_id', '=', unitYearId).where('version', '=', version).where('kind', '=', 'issued').executeTakeFirst();
  if (!report) return undefined;
  const decisions = await reviewDecisionsOf(db, unitYearId);
  return {
    unitYearId, unitCode, unitName: uy.name, year,
    bureauName: uy.kind === 'bureau' ? uy.orgName : (uy.parentName ?? uy.orgName),
    departmentName: uy.kind === 'department' ? uy.orgName : null,
    reportVersion: version, reportSha256: report.pdf_sha256, issuedAt: new Date(report.created_at).toISOString(),
    sheet: uy.score as ScoreSheet,
    decisions: decisions.map((d) => ({ reportVersion: d.reportVersion, level: d.level, decision: d.decision, actor: d.actor, at: d.at, comments: d.comments, adjustments: d.adjustments.map((a) => ({ indicator: a.indicator, pointsCp: a.pointsCp, reason: a.reason })) })),
  };
}

/** Stores the review result of a version once (a second render finds the first); its sha256 either way. */
export async function storeReviewResult(db: Db, input: { unitYearId: number; reportVersion: number; pdf: Buffer; actor: string }): Promise<{ sha256: string; stored: boolean }> {
  const inserted = await db
    .insertInto('review_results')
    .values({ unit_year_id: input.unitYearId, report_version: input.reportVersion, pdf: input.pdf, pdf_sha256: sha256(input.pdf), created_by: input.actor })
    .onConflict((oc) => oc.columns(['unit_year_id', 'report_version']).doNothing())
    .returning('pdf_sha256')
    .executeTakeFirst();
  if (inserted) return { sha256: inserted.pdf_sha256, stored: true };
  const existing = await db.selectFrom('review_results').select('pdf_sha256').where('unit_year_id', '=', input.unitYearId).where('report_version', '=', input.reportVersion).executeTakeFirstOrThrow();
  return { sha256: existing.pdf_sha256, stored: false };
}

/** The stored review result, verified against its sha256; undefined before it was rendered. */
export async function reviewResultFile(db: Db, unitYearId: number, reportVersion: number): Promise<{ bytes: Buffer; sha256: string } | undefined> {
  const row = await db.selectFrom('review_results').select(['pdf', 'pdf_sha256']).where('unit_year_id', '=', unitYearId).where('report_version', '=', reportVersion).executeTakeFirst();
  if (!row) return undefined;
  return { bytes: row.pdf, sha256: verifiedSha256(row.pdf, row.pdf_sha256, { zh: '复核结果', en: 'the review result' }) };
}
