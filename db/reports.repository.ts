/**
 * Report versions: stored with their sha256; the issued one is frozen (the database refuses to
 * change it); every read of the bytes checks them against the stored hash.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../domain/errors';
import type { Db } from './connection';
import { returnedByReview } from './reviews.repository';

export type ReportKind = 'draft' | 'issued';
export type ReportFormat = 'pdf' | 'docx';

export interface ReportVersion {
  id: number;
  unitYearId: number;
  version: number;
  kind: ReportKind;
  contentSha256: string;
  pdfSha256: string;
  /** Null for a draft whose DOCX nobody asked for yet (it is rendered on the first download). */
  docxSha256: string | null;
  template: string;
  createdBy: string;
  createdAt: Date;
}

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** The stored file's sha256, checked against the one stored with it: a mismatch is an integrity failure (500), never served. */
export function verifiedSha256(bytes: Buffer, expected: string, what: { zh: string; en: string }): string {
  const actual = sha256(bytes);
  if (actual !== expected) throw new AppError('internal', `${what.zh}文件校验失败（sha256 不符）`, `${what.en} failed its integrity check (sha256 ${actual} ≠ ${expected})`);
  return actual;
}

const columns = ['id', 'unit_year_id', 'version', 'kind', 'content_sha256', 'pdf_sha256', 'docx_sha256', 'template', 'created_by', 'created_at'] as const;

function toVersion(r: { id: number; unit_year_id: number; version: number; kind: ReportKind; content_sha256: string; pdf_sha256: string; docx_sha256: string | null; template: string; created_by: string; created_at: Date }): ReportVersion {
  return {
    id: r.id, unitYearId: r.unit_year_id, version: r.version, kind: r.kind, contentSha256: r.content_sha256,
    pdfSha256: r.pdf_sha256, docxSha256: r.docx_sha256, template: r.template, createdBy: r.created_by, createdAt: r.created_at,
  };
}

export interface NewReport {
  unitYearId: number;
  kind: ReportKind;
  contentSha256: string;
  pdf: Buffer;
  /** Absent for a draft whose DOCX is rendered when first asked for (then `document` is required); the issued version always has it. */
  docx?: Buffer;
  /** The composed document the version was rendered from, kept so its DOCX can be rendered later from exactly it. */
  document?: unknown;
  template: string;
  createdBy: string;
  /**
   * The version this render replaces (a draft made again after a send-back): stored as a new
   * version even when its content equals it; only a version newer than this one is "the same".
   */
  supersedes?: number;
}

/**
 * Stores a render as the next version. Idempotent: if the latest version has the same kind and
 * content (and is newer than the version the render supersedes, if any), that version is returned
 * and nothing is written (a retried render stores once). Refuses anything after the unit-year's
 * report was issued — unless a reviewer above the unit returned that issued version (then the
 * revision's drafts and its issue are new versions; every issued version stays frozen).
 */
export async function storeReport(db: Db, report: NewReport): Promise<{ version: ReportVersion; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`reports:${report.unitYearId}`}))`.execute(trx);
    const latest = await trx.selectFrom('reports').select(columns).where('unit_year_id', '=', report.unitYearId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (latest?.kind === 'issued') {
      if (report.kind === 'issued' && latest.content_sha256 === report.contentSha256) return { version: toVersion(latest), created: false };
      // A reviewer above the unit returned the issued version: its revision is stored as new versions (the issued one stays, frozen).
      if (!(await returnedByReview(trx, report.unitYearId, latest.version))) {
        throw new AppError('conflict', `报告已于第${latest.version}版签发，不能再生成新版本`, `the report was issued as version ${latest.version}; no further versions`);
      }
    }
    if (latest && latest.kind === report.kind && latest.content_sha256 === report.contentSha256 && (report.supersedes === undefined || latest.version > report.supersedes)) {
      return { version: toVersion(latest), created: false };
    }
    if (!report.docx && (report.kind === 'issued' || report.document === undefined)) {
      throw new Error('storeReport: only a draft with its document may be stored without its DOCX');
    }
    const inserted = await trx
      .insertInto('reports')
      .values({
        unit_year_id: report.unitYearId,
        version: (latest?.version ?? 0) + 1,
        kind: report.kind,
        content_sha256: report.contentSha256,
        pdf: report.pdf,
        pdf_sha256: sha256(report.pdf),
        docx: report.docx ?? null,
        docx_sha256: report.docx ? sha256(report.docx) : null,
        document: report.document === undefined ? null : JSON.stringify(report.document),
        template: report.template,
        created_by: report.createdBy,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return { version: toVersion(inserted), created: true };
  });
}

export async function listReports(db: Db, unitYearId: number): Promise<ReportVersion[]> {
  const rows = await db.selectFrom('reports').select(columns).where('unit_year_id', '=', unitYearId).orderBy('version').execute();
  return rows.map(toVersion);
}

/** The issued version — the latest one, when a reviewer's return had the report revised and issued again. */
export async function issuedReport(db: Db, unitYearId: number): Promise<ReportVersion | undefined> {
  const row = await db.selectFrom('reports').select(columns).where('unit_year_id', '=', unitYearId).where('kind', '=', 'issued').orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row && toVersion(row);
}

/** One version (without its bytes), if it exists. */
export async function reportVersion(db: Db, unitYearId: number, version: number): Promise<ReportVersion | undefined> {
  const row = await db.selectFrom('reports').select(columns).where('unit_year_id', '=', unitYearId).where('version', '=', version).executeTakeFirst();
  return row && toVersion(row);
}

/**
 * The bytes of a version, verified against the stored sha256 (an integrity failure is an error,
 * never a download). A draft's DOCX that was not rendered yet is `not_found` here: the caller has
 * it rendered first (`renderDraftDocx`, through the `draftDocx` workflow).
 */
export async function reportFile(db: Db, unitYearId: number, version: number, format: ReportFormat): Promise<{ bytes: Buffer; sha256: string; version: ReportVersion }> {
  const row = await db.selectFrom('reports').select([...columns, 'pdf', 'docx']).where('unit_year_id', '=', unitYearId).where('version', '=', version).executeTakeFirst();
  if (!row) throw new AppError('not_found', `没有第${version}版报告`, `no report version ${version}`);
  const bytes = format === 'pdf' ? row.pdf : row.docx;
  const expected = format === 'pdf' ? row.pdf_sha256 : row.docx_sha256;
  if (!bytes || !expected) throw new AppError('not_found', `第${version}版报告的 DOCX 尚未生成`, `the DOCX of report version ${version} has not been rendered yet`);
  return { bytes, sha256: verifiedSha256(bytes, expected, { zh: `第${version}版报告`, en: `report version ${version}` }), version: toVersion(row) };
}

/** What a draft's DOCX is rendered from: the stored document, and the DOCX's hash if it was rendered already. */
export async function draftDocxSource(db: Db, unitYearId: number, version: number): Promise<{ id: number; kind: ReportKind; contentSha256: string; docxSha256: string | null; document: unknown } | undefined> {
  const row = await db.selectFrom('reports').select(['id', 'kind', 'content_sha256', 'docx_sha256', 'document']).where('unit_year_id', '=', unitYearId).where('version', '=', version).executeTakeFirst();
  return row && { id: row.id, kind: row.kind, contentSha256: row.content_sha256, docxSha256: row.docx_sha256, document: row.document };
}

/**
 * Stores a draft's DOCX, once: a second render (a retry, or two requests at once) finds the first
 * one's bytes and keeps them (the database refuses to change a stored DOCX). Returns the stored hash.
 */
export async function fillDraftDocx(db: Db, id: number, docx: Buffer): Promise<{ docxSha256: string; filled: boolean }> {
  const filled = await db.updateTable('reports').set({ docx, docx_sha256: sha256(docx) }).where('id', '=', id).where('docx', 'is', null).executeTakeFirst();
  const row = await db.selectFrom('reports').select('docx_sha256').where('id', '=', id).executeTakeFirstOrThrow();
  if (!row.docx_sha256) throw new Error(`report ${id}: the DOCX was not stored`);
  return { docxSha256: row.docx_sha256, filled: filled.numUpdatedRows > 0n };
}

// ── Previews ───────────────────────────────────────────────────────────────────────────────

/** Previews are kept this long for the person who asked. */
export const PREVIEW_TTL_MS = 24 * 60 * 60 * 1000;

/** Stores a preview once (a retried render finds it) and drops previews older than a day. */
export async function storePreview(db: Db, p: { id: string; unitYearId: number; ruleSet: { id: string; version: number }; outline: string; pdf: Buffer; pdfSha256: string; createdBy: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('report_previews').where('created_at', '<', new Date(Date.now() - PREVIEW_TTL_MS)).execute();
    await trx
      .insertInto('report_previews')
      .values({ id: p.id, unit_year_id: p.unitYearId, rule_set_id: p.ruleSet.id, rule_set_version: p.ruleSet.version, outline: p.outline, pdf: p.pdf, pdf_sha256: p.pdfSha256, created_by: p.createdBy })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  });
}

/** A stored preview younger than a day. */
export async function previewFile(db: Db, id: string): Promise<{ unitYearId: number; pdf: Buffer; pdfSha256: string; outline: string; ruleSet: { id: string; version: number } } | undefined> {
  const r = await db
    .selectFrom('report_previews')
    .select(['unit_year_id', 'pdf', 'pdf_sha256', 'outline', 'rule_set_id', 'rule_set_version'])
    .where('id', '=', id)
    .where('created_at', '>=', new Date(Date.now() - PREVIEW_TTL_MS))
    .executeTakeFirst();
  return r && { unitYearId: Number(r.unit_year_id), pdf: r.pdf, pdfSha256: r.pdf_sha256, outline: r.outline, ruleSet: { id: r.rule_set_id, version: r.rule_set_version } };
}
