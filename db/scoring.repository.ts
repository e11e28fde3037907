/**
 * The score's inputs that people enter after the ledger import: the finance officer's
 * self-assessment (one row per indicator, replacing the file's entry for that indicator), the
 * evidence files (佐证材料) the entries cite, and the 基础数据表 typed in the browser. And the one
 * way every caller (API, activities, reports) reads a stored unit-year for analysis, so the
 * dashboard, the score preview and the issued report always see the same inputs.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { BasicData } from '../domain/ledger/basic-data';
import { type Analysis, type AnalysisOptions, analyseUnitYear } from '../domain/ledger/analysis';
import type { UnitYear } from '../domain/ledger/unit-year.schema';
import { type SelfAssessmentEntry, selfAssessmentEntrySchema } from '../domain/self-assessment';
import type { SectionSubmission } from '../domain/submission';
import type { Db } from './connection';
import { audit, currentSubmissions, unitYearKeys } from './evaluations.repository';
import { loadUnitYear } from './ledger.repository';
import { pinnedRuleSet, ruleSetCatalog } from './rule-sets.repository';
import { ruleSetOf } from '../domain/rule-sets';
import type { ScoringRuleSet } from '../domain/scoring';

// ── Evidence files ─────────────────────────────────────────────────────────────────────────

export interface EvidenceItem {
  id: number;
  /** The section whose head uploaded it; `null` for the finance office. */
  section: string | null;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  uploadedAt: string;
}

const evidenceColumns = ['evidence_files.id', 'evidence_files.file_name', 'evidence_files.media_type', 'evidence_files.size_bytes', 'evidence_files.sha256', 'evidence_files.uploaded_at', 'sections.code as section'] as const;
const toItem = (r: { id: number; section: string | null; file_name: string; media_type: string; size_bytes: number; sha256: string; uploaded_at: Date }): EvidenceItem => ({
  id: Number(r.id), section: r.section, fileName: r.file_name, mediaType: r.media_type, sizeBytes: r.size_bytes, sha256: r.sha256, uploadedAt: new Date(r.uploaded_at).toISOString(),
});
const evidenceQuery = (db: Db) => db.selectFrom('evidence_files').leftJoin('sections', 'sections.id', 'evidence_files.section_id');

/**
 * Stores a file once per unit-year and uploader's section: the same bytes again (a retried upload)
 * return the stored file.
 */
export async function addEvidence(
  db: Db,
  input: { unitYearId: number; unitId: number; sectionId: number | null; fileName: string; mediaType: string; content: Buffer; userId: number | null; actor: string },
): Promise<{ item: EvidenceItem; created: boolean }> {
  const sha256 = createHash('sha256').update(input.content).digest('hex');
  return db.transaction().execute(async (trx) => {
    const inserted = await sql<{ id: number }>`
      insert into evidence_files (unit_year_id, section_id, file_name, media_type, size_bytes, sha256, content, uploaded_by)
      values (${input.unitYearId}, ${input.sectionId}, ${input.fileName}, ${input.mediaType}, ${input.content.length}, ${sha256}, ${input.content}, ${input.userId})
      on conflict (unit_year_id, (coalesce(section_id, 0)), sha256) do nothing
      returning id`.execute(trx);
    const id = inserted.rows[0]?.id;
    const sameSection = (q: ReturnType<typeof evidenceQuery>) => (input.sectionId === null ? q.where('evidence_files.section_id', 'is', null) : q.where('evidence_files.section_id', '=', input.sectionId));
    const row = await (id !== undefined ? evidenceQuery(trx).where('evidence_files.id', '=', id) : sameSection(evidenceQuery(trx)).where('evidence_files.unit_year_id', '=', input.unitYearId).where('evidence_files.sha256', '=', sha256))
      .select(evidenceColumns)
      .executeTakeFirstOrThrow();
    if (id !== undefined) {
      await audit(trx, { actor: input.actor, unitId: input.unitId, action: 'evidence.upload', subject: `evidence/${id}`, details: { fileName: input.fileName, sha256, sizeBytes: input.content.length, section: row.section } });
    }
    return { item: toItem(row), created: id !== undefined };
  });
}

export async function listEvidence(db: Db, unitYearId: number): Promise<EvidenceItem[]> {
  const rows = await evidenceQuery(db).select(evidenceColumns).where('evidence_files.unit_year_id', '=', unitYearId).orderBy('evidence_files.id').execute();
  return rows.map(toItem);
}

export async function evidenceFile(db: Db, unitYearId: number, id: number): Promise<(EvidenceItem & { content: Buffer }) | undefined> {
  const r = await evidenceQuery(db).select([...evidenceColumns, 'evidence_files.content']).where('evidence_files.unit_year_id', '=', unitYearId).where('evidence_files.id', '=', id).executeTakeFirst();
  return r && { ...toItem(r), content: r.content };
}

// ── The finance officer's self-assessment ──────────────────────────────────────────────────

export interface StoredAssessment {
  entry: SelfAssessmentEntry;
  updatedAt: string;
  enteredBy: string | null;
}

export async function storedSelfAssessment(db: Db, unitYearId: number): Promise<StoredAssessment[]> {
  const rows = await db
    .selectFrom('self_assessments')
    .leftJoin('users', 'users.id', 'self_assessments.entered_by')
    .select(['self_assessments.entry', 'self_assessments.updated_at', 'users.name'])
    .where('self_assessments.unit_year_id', '=', unitYearId)
    .orderBy('self_assessments.indicator')
    .execute();
  return rows.map((r) => ({ entry: selfAssessmentEntrySchema.parse(r.entry), updatedAt: new Date(r.updated_at).toISOString(), enteredBy: r.name ?? null }));
}

/**
 * Replaces the finance officer's entries with `entries` (already checked), in one transaction:
 * an indicator left out is cleared (the file's entry, if any, shows again).
 */
export async function saveSelfAssessment(
  db: Db,
  input: { unitYearId: number; unitId: number; entries: readonly SelfAssessmentEntry[]; userId: number | null; actor: string; dedupeKey?: string; /** Replace only the indicators given, keep the rest. */ replaceOnly?: boolean },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`self-assessment:${input.unitYearId}`}))`.execute(trx);
    if (!input.replaceOnly) await trx.deleteFrom('self_assessments').where('unit_year_id', '=', input.unitYearId).execute();
    else if (input.entries.length) await trx.deleteFrom('self_assessments').where('unit_year_id', '=', input.unitYearId).where('indicator', 'in', input.entries.map((e) => e.indicator)).execute();
    if (input.entries.length) {
      await trx
        .insertInto('self_assessments')
        .values(input.entries.map((e) => ({ unit_year_id: input.unitYearId, indicator: e.indicator, entry: JSON.stringify(e), entered_by: input.userId })))
        .execute();
    }
    await audit(trx, { actor: input.actor, unitId: input.unitId, action: 'self_assessment.save', subject: `unit-year/${input.unitYearId}`, details: { indicators: input.entries.map((e) => e.indicator) }, dedupeKey: input.dedupeKey ?? null });
  });
}

/** The 基础数据表 typed in the browser (already checked) replaces the stored one. */
export async function saveBasicData(db: Db, input: { unitYearId: number; unitId: number; basicData: BasicData; actor: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('unit_years').set({ basic_data: JSON.stringify(input.basicData), updated_at: new Date() }).where('id', '=', input.unitYearId).execute();
    await audit(trx, { actor: input.actor, unitId: input.unitId, action: 'basic_data.save', subject: `unit-year/${input.unitYearId}`, details: {} });
  });
}

// ── Reading a unit-year for analysis ───────────────────────────────────────────────────────

/** The file's self-assessment entries, each replaced by the browser's entry for the same indicator. */
export function mergedSelfAssessment(doc: UnitYear, stored: readonly StoredAssessment[]): SelfAssessmentEntry[] {
  const byIndicator = new Map<string, SelfAssessmentEntry>();
  for (const e of doc.selfAssessment?.entries ?? []) byIndicator.set(e.indicator, { ...e, evidence: [] });
  for (const s of stored) byIndicator.set(s.entry.indicator, s.entry);
  return [...byIndicator.values()];
}

/**
 * What analysis needs beside the document: the self-assessment entered in the browser, evidence
 * names, and the rule set — the version the evaluation recorded when it started (pinned), else the
 * unit-year's choice at its latest version, else the one given (a preview).
 */
export async function analysisOptions(db: Db, unitYearId: number, doc: UnitYear, override?: { ruleSet?: ScoringRuleSet }): Promise<AnalysisOptions> {
  const [stored, evidence, catalog, pinned] = await Promise.all([storedSelfAssessment(db, unitYearId), listEvidence(db, unitYearId), ruleSetCatalog(db), pinnedRuleSet(db, unitYearId)]);
  const ruleSet = override?.ruleSet ?? (pinned && catalog(pinned.id, pinned.version)) ?? ruleSetOf(doc, catalog);
  return { selfAssessment: mergedSelfAssessment(doc, stored), evidenceNames: new Map(evidence.map((e) => [e.id, e.fileName])), ruleSet };
}

export interface StoredUnitYear {
  unitId: number;
  unitYearId: number;
  /** The ledger with the current submissions (a task's replaces an imported one). */
  unitYear: UnitYear;
  options: AnalysisOptions;
}

/** The stored unit-year as analysis sees it; `undefined` when there is no ledger for it. */
export async function loadForAnalysis(db: Db, unitCode: string, year: number, replace?: { submission?: SectionSubmission; ruleSet?: ScoringRuleSet }): Promise<StoredUnitYear | undefined> {
  const keys = await unitYearKeys(db, unitCode, year);
  if (!keys) return undefined;
  const loaded = await loadUnitYear(db, { unitCode, year });
  if (!loaded) return undefined;
  let submissions = await currentSubmissions(db, keys.unitYearId);
  if (replace?.submission) submissions = [...submissions.filter((s) => s.section !== replace.submission!.section), replace.submission];
  const unitYear = { ...loaded, submissions };
  return { unitId: keys.unitId, unitYearId: keys.unitYearId, unitYear, options: await analysisOptions(db, keys.unitYearId, unitYear, replace?.ruleSet ? { ruleSet: replace.ruleSet } : undefined) };
}

export async function analyseStored(db: Db, unitCode: string, year: number, replace?: { submission?: SectionSubmission; ruleSet?: ScoringRuleSet }): Promise<(StoredUnitYear & { analysis: Analysis }) | undefined> {
  const s = await loadForAnalysis(db, unitCode, year, replace);
  return s && { ...s, analysis: analyseUnitYear(s.unitYear, s.options) };
}
