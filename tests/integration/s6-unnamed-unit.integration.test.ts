/**
 * The S6 unit-year (2018; https://wanglu.net/thread/t4-462766-0.html) through the real storage and
 * the real report activity: imported into Postgres, read back, scored by the same reader the API
 * and the worker use, rendered by `renderReport` and read back from the stored PDF. The figures are
 * those of tests/report/s6-unnamed-unit-score.test.ts, worked out by hand there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../activities/notifications/notifier';
import { createReportActivities } from '../../activities/reports.activities';
import { importUnitYear, loadUnitYear } from '../../db/ledger.repository';
import { reportFile } from '../../db/reports.repository';
import { analyseStored } from '../../db/scoring.repository';
import { nationalCalendar } from '../../domain/calendar/working-days';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import { s6UnitYear } from '../fixtures/s6-unnamed-unit';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { pdfToText, requirePoppler } from '../helpers/pdf';

const unitCode = 's6-unnamed-unit';
const year = 2018;

describe('the S6 unit-year through Postgres and the report activity', () => {
  let database: TestDatabase;
  let unitYearId: number;

  beforeAll(async () => {
    await requirePoppler();
    database = await createTestDatabase();
    unitYearId = (await importUnitYear(database.db, s6UnitYear(), { actor: 'test' })).unitYearId;
  });
  afterAll(async () => database?.drop());

  it('reads back with its rule set, 基础数据表 and 数据说明, and scores as the file does', async () => {
    const loaded = await loadUnitYear(database.db, { unitCode, year });
    expect(loaded?.ruleSet).toBe('hunan-s6-2018');
    expect(loaded?.basicData).toEqual(s6UnitYear().basicData);
    expect(loaded?.dataNote).toBe(s6UnitYear().dataNote);
    const stored = await analyseStored(database.db, unitCode, year);
    const fromFile = analyseUnitYear(s6UnitYear());
    // 8 + 0 + 8 + 0 = 16.00 of the 32 points on the page; 68 unscored.
    expect(stored?.analysis.score).toMatchObject({ ruleSetId: 'hunan-s6-2018', final: false, totalCp: 1600, scoredMaxCp: 3200, unscoredMaxCp: 6800, grade: null });
    expect(stored?.analysis.score.indicators.map((i) => [i.id, i.pointsCp])).toEqual([
      ['staff_control_rate', 800],
      ['three_public_change_rate', 0],
      ['budget_completion_rate', 800],
      ['budget_control_rate', 0],
      ['process_unread', null],
      ['output_effect_unread', null],
    ]);
    expect(stored?.analysis.reconciliation.findings.map((f) => f.code)).toEqual(fromFile.reconciliation.findings.map((f) => f.code));
  });

  it('renders through renderReport and stores a PDF that shows every 基础数据表 figure and the partial score', async () => {
    const activities = createReportActivities({
      db: database.db, calendar: nationalCalendar, publicUrl: 'http://selfeval.test',
      notifier: createNotifier({ db: database.db, mailFrom: 'test@example.invalid', publicUrl: 'http://selfeval.test' }),
    });
    const rendered = await activities.renderReport({ unitCode, year, kind: 'draft', actor: 'test', now: '2019-06-28T10:00:00+08:00' });
    expect(rendered).toMatchObject({ version: 1, created: true });
    const text = (await pdfToText((await reportFile(database.db, unitYearId, rendered.version, 'pdf')).bytes)).replace(/—\s*\d+\s*—/g, ' ').replace(/第\d+版/g, ' ');
    const from = text.indexOf('部门整体支出绩效评价基础数据表');
    const annex = text.slice(from, text.indexOf('楼堂馆所控制情况', from));
    // The cells of the S6 基础数据表 row by row (see the score test for the rows).
    expect(annex.split(/\s+/).filter((t) => /^\d+(\.\d+)?%?$/.test(t))).toEqual([
      '143', '136', '95.10%', '29.08', '63.46', '44.29', '11.86', '41.46', '39.30', '29.46', '29.46', '11.86', '12.00', '9.84',
      '17.22', '22.00', '4.99', '938.80', '320.00', '689.16', '14.44', '10.00', '0.68', '17.92', '7.50', '25.36', '0.00', '0.80', '0.00',
      '16.14', '30.66', '30.66', '1922.76', '2690.62',
    ]);
    const all = text.replace(/\s+/g, '');
    expect(all).toContain('2019年6月28日');
    expect(all).toContain('已评分指标得分16.00分（这些指标满分32.00分），尚有2项指标（合计68.00分）');
    expect(all).toContain('草稿');
  });
});
