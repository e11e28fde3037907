/** Report versions in Postgres: numbered, idempotent, hash-verified, and frozen once issued. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../activities/notifications/notifier';
import { createReportActivities } from '../../activities/reports.activities';
import { createDerivedHoldback, writeHoldbackProgress } from '../../db/holdbacks.repository';
import { importUnitYear, loadUnitYear } from '../../db/ledger.repository';
import { issuedReport, listReports, reportFile, sha256, storeReport } from '../../db/reports.repository';
import { nationalCalendar } from '../../domain/calendar/working-days';
import { AppError } from '../../domain/errors';
import type { HoldbackProgress } from '../../domain/holdbacks/model';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import { parseWanYuan } from '../../domain/money';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { pdfToText } from '../helpers/pdf';
import { seedUnitYear } from '../fixtures/seed';

describe('report versions', () => {
  let database: TestDatabase;
  let unitYearId: number;
  const render = (label: string) => ({ pdf: Buffer.from(`%PDF ${label}`), docx: Buffer.from(`PK ${label}`) });

  beforeAll(async () => {
    database = await createTestDatabase();
    unitYearId = (await importUnitYear(database.db, seedUnitYear(), { actor: 'test' })).unitYearId;
  });
  afterAll(async () => database?.drop());

  it('numbers versions, stores a repeated render once, and verifies hashes on every read', async () => {
    const base = { unitYearId, template: 't', createdBy: 'finance' };
    const v1 = await storeReport(database.db, { ...base, kind: 'draft', contentSha256: 'c1', ...render('one') });
    expect(v1).toMatchObject({ created: true, version: { version: 1, kind: 'draft', pdfSha256: sha256(Buffer.from('%PDF one')) } });
    expect((await storeReport(database.db, { ...base, kind: 'draft', contentSha256: 'c1', ...render('one again') })).created).toBe(false);
    const v2 = await storeReport(database.db, { ...base, kind: 'draft', contentSha256: 'c2', ...render('two') });
    expect(v2.version.version).toBe(2);

    const file = await reportFile(database.db, unitYearId, 2, 'pdf');
    expect(file.bytes.toString()).toBe('%PDF two');
    expect(file.sha256).toBe(sha256(Buffer.from('%PDF two')));

    // Bytes changed behind our back: the read refuses them.
    await database.db.updateTable('reports').set({ pdf: Buffer.from('%PDF tampered') }).where('unit_year_id', '=', unitYearId).where('version', '=', 1).execute();
    await expect(reportFile(database.db, unitYearId, 1, 'pdf')).rejects.toThrow(/integrity check/);
    await expect(reportFile(database.db, unitYearId, 9, 'pdf')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('freezes the issued version: no update, no delete, no later version', async () => {
    const base = { unitYearId, template: 't', createdBy: 'head' };
    const issued = await storeReport(database.db, { ...base, kind: 'issued', contentSha256: 'final', ...render('final') });
    expect(issued.version).toMatchObject({ version: 3, kind: 'issued' });
    expect((await issuedReport(database.db, unitYearId))?.version).toBe(3);
    // Issuing again with the same content is the same issue (a retried activity).
    expect(await storeReport(database.db, { ...base, kind: 'issued', contentSha256: 'final', ...render('final') })).toMatchObject({ created: false, version: { version: 3 } });

    await expect(database.db.updateTable('reports').set({ pdf: Buffer.from('x') }).where('id', '=', issued.version.id).execute()).rejects.toThrow(/issued and cannot change/);
    await expect(database.db.deleteFrom('reports').where('id', '=', issued.version.id).execute()).rejects.toThrow(/issued and cannot change/);
    await expect(storeReport(database.db, { ...base, kind: 'draft', contentSha256: 'later', ...render('later') })).rejects.toBeInstanceOf(AppError);
    await expect(
      sql`insert into reports (unit_year_id, version, kind, content_sha256, pdf, pdf_sha256, docx, docx_sha256, template, created_by)
          values (${unitYearId}, 9, 'issued', 'x', '\\x00', 'x', '\\x00', 'x', 't', 'x')`.execute(database.db),
    ).rejects.toThrow(/reports_one_issued/);
    expect((await reportFile(database.db, unitYearId, 3, 'docx')).bytes.toString()).toBe('PK final');
    expect((await listReports(database.db, unitYearId)).map((r) => [r.version, r.kind])).toEqual([[1, 'draft'], [2, 'draft'], [3, 'issued']]);
  });
});

describe('the withheld-payments schedule of a rendered report', () => {
  let database: TestDatabase;
  const unitCode = 'yiyang-smart-city';
  const year = 2020;
  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
  });
  afterAll(async () => database?.drop());

  const annex4 = async (version: number) => {
    const text = (await pdfToText((await reportFile(database.db, (await database.db.selectFrom('unit_years').select('id').executeTakeFirstOrThrow()).id, version, 'pdf')).bytes)).replace(/\s+/g, '');
    return text.slice(text.lastIndexOf('暂缓支付资金到期安排（金额单位：万元）'));
  };

  it('shows what the holdback workflows say is still owed, not the imported amounts', async () => {
    const activities = createReportActivities({
      db: database.db, calendar: nationalCalendar, publicUrl: 'http://selfeval.test',
      notifier: createNotifier({ db: database.db, mailFrom: 'test@example.invalid', publicUrl: 'http://selfeval.test' }),
    });
    const request = { unitCode, year, kind: 'draft' as const, actor: 'test', now: '2021-04-30T10:00:00+08:00' };
    const before = await activities.renderReport(request);
    expect(await annex4(before.version)).toContain('质保金10.92');

    // The 一件事一次办 retention: 5.92 of its 10.92 万元 released, a defect moved its due date.
    const base = { projectCode: 'smart-city', projectName: '智慧城市项目', allocationCode: 'one-thing-once', contractCode: 'one-thing-once-build', condition: '质保期满后支付', remindersSent: 0 };
    const partly: HoldbackProgress = {
      ...base, workflowId: `holdback/${unitCode}/${year}/one-thing-once-retention`, ref: { unitCode, year, holdbackCode: 'one-thing-once-retention' }, kind: 'retention', origin: 'ledger',
      status: 'partially_released', phase: 'warranty', awaiting: 'warranty_end', nextDueOn: '2021-10-08', version: 3, at: '2021-09-01T10:00:00+08:00',
      amounts: { amountFen: parseWanYuan('10.92'), heldFen: parseWanYuan('5'), payableFen: 0, releasedFen: parseWanYuan('5.92'), forfeitedFen: 0, transferredFen: 0 },
    };
    expect(await writeHoldbackProgress(database.db, partly)).toEqual({ written: true });
    // The 财税平台 acceptance opened a retention of 4.62 万元 out of its 45.94.
    const retention = parseWanYuan('4.62');
    await createDerivedHoldback(database.db, {
      ...base, projectCode: 'fiscal-platform', projectName: '财税平台', allocationCode: 'fiscal-platform-2020', contractCode: 'fiscal-platform-build',
      workflowId: `holdback/${unitCode}/${year}/fiscal-platform-acceptance-retention`, ref: { unitCode, year, holdbackCode: 'fiscal-platform-acceptance-retention' },
      kind: 'retention', origin: 'derived', parentCode: 'fiscal-platform-acceptance', warrantyStartOn: '2021-03-01', warrantyMonths: 12,
      status: 'waiting', phase: 'warranty', awaiting: 'warranty_end', nextDueOn: '2022-03-01', version: 0, at: '2021-03-01T10:00:00+08:00',
      amounts: { amountFen: retention, heldFen: retention, payableFen: 0, releasedFen: 0, forfeitedFen: 0, transferredFen: 0 },
    });

    const after = await activities.renderReport(request);
    expect(after.version).toBe(before.version + 1);
    const text = await annex4(after.version);
    // Soonest due first; pdftotext interleaves the lines of wrapped cells, hence the pieces.
    expect(text).toMatch(/支付条件7\.62.*智慧城市项目质保金5\.00（.*已付5\.92）2021年10月8.*财税平台质保金4\.62/);
    expect(text).toContain('部分支');
    expect(text).toContain('2022年3月1日等待条件');
    expect(text).not.toContain('10.92');
    // The derived retention is not counted twice in the reconciliation (its amount is inside the acceptance holdback).
    const analysis = analyseUnitYear((await loadUnitYear(database.db, { unitCode, year }))!);
    expect(analysis.reconciliation.findings.filter((f) => f.allocation === 'fiscal-platform-2020')).toEqual([]);
  });
});

describe("the benchmark floor's render stand-in", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
  });
  afterAll(async () => database?.drop());

  it('reads and renders the real report in both formats and stores nothing', async () => {
    const activities = createReportActivities({
      db: database.db, calendar: nationalCalendar, publicUrl: 'http://selfeval.test',
      notifier: createNotifier({ db: database.db, mailFrom: 'test@example.invalid', publicUrl: 'http://selfeval.test' }),
    });
    const rendered = await activities.benchRenderReport({ unitCode: 'yiyang-smart-city', year: 2020, kind: 'draft' });
    const unitYearId = (await database.db.selectFrom('unit_years').select('id').executeTakeFirstOrThrow()).id;
    expect(await listReports(database.db, unitYearId)).toEqual([]);
    const stored = await activities.renderReport({ unitCode: 'yiyang-smart-city', year: 2020, kind: 'draft', actor: 'test', now: '2021-03-31T12:00:00+08:00' });
    // The same document as the real render, to within the version label's digits.
    const file = async (format: 'pdf' | 'docx') => (await reportFile(database.db, unitYearId, stored.version, format)).bytes.length;
    expect(stored.version).toBe(1); // the stand-in stored no version before it
    // A draft's DOCX is rendered when first asked for (the download route has the worker do this).
    await activities.renderDraftDocx({ unitCode: 'yiyang-smart-city', year: 2020, version: stored.version, actor: 'test' });
    expect(Math.abs(rendered.pdfBytes - (await file('pdf')))).toBeLessThan(2_000);
    expect(Math.abs(rendered.docxBytes - (await file('docx')))).toBeLessThan(500);
    await expect(activities.benchRenderReport({ unitCode: 'no-such-unit', year: 2020, kind: 'issued' })).rejects.toThrow(/no unit-year/);
  });
});
