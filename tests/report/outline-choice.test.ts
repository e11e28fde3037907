/**
 * A unit-year chooses its report outline and writes the text of 七、八 itself: `outline:` is checked
 * against the shipped outlines (an unknown one is a problem naming the known ones), and `outline`,
 * `narrative.resultApplication` and `narrative.otherNotes` survive every file format (YAML, JSON,
 * the Excel workbook: 单位 sheet 报告提纲, 评价说明 sheet 结果应用和公开 / 其他说明) and the database,
 * and reach the report as the unit wrote them, a line per paragraph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../activities/notifications/notifier';
import { createReportActivities } from '../../activities/reports.activities';
import { listReports, reportFile } from '../../db/reports.repository';
import { nationalCalendar } from '../../domain/calendar/working-days';
import { readLedgerFile, toDocument, writeLedgerFile } from '../../client/ledger/files';
import { importUnitYear, loadUnitYear } from '../../db/ledger.repository';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import { parseUnitYear, type UnitYear } from '../../domain/ledger/unit-year.schema';
import type { Block } from '../../domain/report/content';
import { composeReport } from '../../domain/report/compose';
import { gatherReport } from '../../domain/report/view-model';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { pdfToText, requirePoppler } from '../helpers/pdf';
import { SEED_REPORT_DATE } from '../fixtures/report';
import { seedUnitYear } from '../fixtures/seed';

const RESULT_APPLICATION = '自评结果作为2022年度预算安排的参考依据。\n自评报告随部门决算在单位门户网站公开。';
const OTHER_NOTES = '无其他需要说明的情况。';

function chosen(): UnitYear {
  const y = structuredClone(seedUnitYear());
  y.outline = 'hunan-department-8';
  y.narrative.resultApplication = RESULT_APPLICATION;
  y.narrative.otherNotes = OTHER_NOTES;
  return y;
}

const paragraphText = (b: Block) => (b.kind === 'paragraph' ? (typeof b.text === 'string' ? b.text : b.text.map((x) => (typeof x === 'string' ? x : x.text)).join('')) : '');

describe('choosing an outline', () => {
  it('accepts a shipped outline and refuses an unknown one, naming the known ones', () => {
    const doc = toDocument(chosen());
    expect(parseUnitYear(JSON.parse(JSON.stringify(doc))).ok).toBe(true);
    const bad = parseUnitYear(JSON.parse(JSON.stringify({ ...doc, outline: 'hunan-2025' })));
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? [] : bad.problems;
    expect(problems.map((x) => [x.path, x.code])).toEqual([['outline', 'unknown_outline']]);
    for (const id of ['yiyang-2020', 'hunan-department-8', 'nanxian-score-first']) expect(problems[0]?.zh).toContain(id);
    expect(problems[0]?.en).toContain('no report outline "hunan-2025"');
  });

  it('an unknown outline is reported beside other problems of a broken file', () => {
    const doc = { ...toDocument(chosen()), outline: 'nope', year: 'last year' };
    const parsed = parseUnitYear(JSON.parse(JSON.stringify(doc)));
    expect(parsed.ok ? [] : parsed.problems.map((x) => x.path)).toEqual(expect.arrayContaining(['year', 'outline']));
  });

  for (const format of ['yaml', 'json', 'xlsx'] as const) {
    it(`keeps the outline and the unit's 七、八 text through ${format}`, async () => {
      const y = chosen();
      const read = await readLedgerFile(`x.${format}`, await writeLedgerFile(y, format));
      expect(read.ok ? [] : read.problems).toEqual([]);
      expect(read.ok && read.value).toEqual(y);
    });
  }

  it('prints the unit’s text under 七 and 八, a paragraph per line', () => {
    const y = chosen();
    const doc = composeReport(gatherReport({ unitYear: y, analysis: analyseUnitYear(y), reportDate: SEED_REPORT_DATE, draft: false, version: 1 }));
    const at = (heading: string) => doc.blocks.findIndex((b) => b.kind === 'heading' && b.text === heading);
    const seven = at('七、部门整体支出绩效自评结果拟应用和公开情况');
    const eight = at('八、其他需要说明的情况');
    expect(seven).toBeGreaterThan(0);
    expect(doc.blocks.slice(seven + 1, eight).map(paragraphText)).toEqual(RESULT_APPLICATION.split('\n'));
    expect(paragraphText(doc.blocks[eight + 1]!)).toBe(OTHER_NOTES);
  });
});

describe('the chosen outline in the database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('is stored and loaded back with the unit’s text; a re-import without it goes back to the default', async () => {
    const y = chosen();
    await importUnitYear(database.db, y, { actor: 'test' });
    const ref = { unitCode: y.unit.code, year: y.year };
    expect(await loadUnitYear(database.db, ref)).toEqual(y);
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    const plain = await loadUnitYear(database.db, ref);
    expect(plain?.outline).toBeUndefined();
    expect(plain).toEqual(seedUnitYear());
  });

  it('the report activity renders under the stored choice and records the outline with the version', async () => {
    await requirePoppler();
    const y = chosen();
    const { unitYearId } = await importUnitYear(database.db, y, { actor: 'test' });
    const activities = createReportActivities({
      db: database.db, calendar: nationalCalendar, publicUrl: 'http://selfeval.test',
      notifier: createNotifier({ db: database.db, mailFrom: 'test@example.invalid', publicUrl: 'http://selfeval.test' }),
    });
    const rendered = await activities.renderReport({ unitCode: y.unit.code, year: y.year, kind: 'draft', actor: 'test', now: '2021-04-30T10:00:00+08:00' });
    expect((await listReports(database.db, unitYearId)).find((r) => r.version === rendered.version)?.template).toBe('hunan-department-8');
    const text = (await pdfToText((await reportFile(database.db, unitYearId, rendered.version, 'pdf')).bytes)).replace(/\s+/g, '');
    const seven = text.indexOf('七、部门整体支出绩效自评结果拟应用和公开情况');
    expect(seven).toBeGreaterThan(text.indexOf('三、部门专项组织实施情况'));
    expect(text.slice(seven)).toContain('自评报告随部门决算在单位门户网站公开。');
  });
});
