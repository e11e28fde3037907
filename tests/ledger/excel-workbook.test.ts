/**
 * The Excel workbook without a database: a unit-year with everything the schema can hold comes
 * back identical through export → import; the 基础数据表 sheet is laid out like the official
 * Hunan table and read by its row labels; a bad cell or an unknown row is refused with its sheet
 * and row; a workbook written before the new sheets and columns existed still imports; a blank
 * 基础数据表 form reads as no 基础数据表.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readLedgerFile, toDocument, writeLedgerFile } from '../../client/ledger/files';
import { parseUnitYear, type UnitYear } from '../../domain/ledger/unit-year.schema';
import { seedUnitYear } from '../fixtures/seed';

async function load(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}
async function save(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}
function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}
const text = (ws: ExcelJS.Worksheet, row: number, col: number) => {
  const value = ws.getCell(row, col).value;
  return value === null || value === undefined ? null : value;
};

/** The seed plus what it lacks: a project 自评表, 楼堂馆所, several fund sources, a section that only self-assesses. */
function enrichedUnitYear(): UnitYear {
  const y = structuredClone(seedUnitYear());
  const extranet = y.projects.find((p) => p.code === 'extranet')!;
  extranet.evaluation = {
    department: '益阳市行政审批服务局',
    goal: { expected: '保障电子政务外网平台机房租赁及运行维护。', actual: '机房全年运行，升级改造尚未完成。' },
    indicators: [
      { level1: 'output', level2: '数量指标', name: '机房租赁面积', unit: '㎡', direction: '>=', target: '500', actual: '520', weight: '30' },
      { level1: 'output', level2: '时效指标', name: '故障响应时间', unit: '小时', direction: '<=', target: '2', actual: '1.5', weight: '19.5', note: '夜间响应略慢' },
      { level1: 'benefit', level2: '社会效益指标', name: '接入单位', unit: '家', direction: '>=', target: '120', actual: '126', weight: '30.50' },
      { level1: 'satisfaction', level2: '服务对象满意度指标', name: '接入单位满意度', unit: '%', direction: '>=', target: '90', actual: '93.25', weight: '10' },
    ],
    conclusion: '基本完成年度目标。',
    measures: '加快升级改造。',
  };
  const b = y.basicData!;
  b.buildings = [
    // 5.85 亿元 = 585,000,000.00 元 = 58,500,000,000 分; 579,987,654.32 元 = 57,998,765,432 分.
    { name: '城市大脑运营指挥中心', approvedArea: '2272', actualArea: '2250.5', budgetInvestment: 58_500_000_000, actualInvestment: 57_998_765_432 },
    { name: '机房改造', approvedArea: '300', actualArea: '300', budgetInvestment: 123_456, actualInvestment: 123_400 },
  ];
  b.budget.bySource.push({ source: '政府性基金', adjusted: 1_234_567, executed: 1_000_000 }, { source: '其他资金', initial: 0, executed: 99 });
  b.budget.plannedPaymentProgress = 9_550; // 95.5%
  b.projects.push({ name: '其他项目（未逐项列示）', previousFinal: 1 });
  // 资产管理安全性 moves to 信息安全科, whose submission has nothing but that self-assessment and comes first.
  const general = y.unit.sections.find((s) => s.code === 'general')!;
  general.assesses = ['asset_rules'];
  y.unit.sections.find((s) => s.code === 'infosec')!.assesses = ['asset_safety'];
  y.unit.sections.find((s) => s.code === 'dev-apps')!.assesses = [];
  const generalSubmission = y.submissions.find((s) => s.section === 'general')!;
  generalSubmission.selfAssessments = generalSubmission.selfAssessments.filter((e) => e.indicator === 'asset_rules');
  y.submissions.unshift({
    section: 'infosec', achievements: [], outputIndicators: [], problems: [], nextSteps: [],
    selfAssessments: [{ indicator: 'asset_safety', tier: 'partial', points: '2.10', reason: '部分资产卡片信息未及时更新', evidence: [] }],
  });
  y.dataNote = `${y.dataNote!}\n第二行说明。`;
  return y;
}

describe('the Excel workbook', () => {
  it('round-trips a unit-year with a project 自评表, 楼堂馆所, fund sources and section self-assessments', async () => {
    const y = enrichedUnitYear();
    // The document is valid and in its parsed form, so equality below means nothing was lost.
    expect(parseUnitYear(JSON.parse(JSON.stringify(toDocument(y))))).toEqual({ ok: true, value: y });
    const read = await readLedgerFile('x.xlsx', await writeLedgerFile(y, 'xlsx'));
    expect(read.ok ? [] : read.problems).toEqual([]);
    expect(read.ok && read.value).toEqual(y);
  });

  it('round-trips an empty submission and a finance officer self-assessment with no entries', async () => {
    const y = structuredClone(seedUnitYear());
    y.submissions.splice(1, 0, { section: 'infosec', achievements: [], outputIndicators: [], problems: [], nextSteps: [], selfAssessments: [] });
    y.selfAssessment = { entries: [] };
    const read = await readLedgerFile('x.xlsx', await writeLedgerFile(y, 'xlsx'));
    expect(read.ok && read.value).toEqual(y);
  });

  it('lays the 基础数据表 out like the official table, amounts in 元', async () => {
    const wb = await load(await writeLedgerFile(enrichedUnitYear(), 'xlsx'));
    const ws = sheet(wb, '基础数据表');
    expect(text(ws, 2, 1)).toEqual(expect.stringContaining('金额单位：元'));
    expect([1, 2, 3, 4, 5].map((c) => text(ws, 3, c))).toEqual(['项目', '上年决算数', '本年预算数', '本年决算数', '关联项目编码']);
    const labels = Array.from({ length: ws.rowCount - 3 }, (_, i) => text(ws, i + 4, 1));
    expect(labels).toEqual([
      '一、财政供养人员情况', '编制数', '实际在职人数', '控制率（%）',
      '二、“三公”经费', '合计', '1.公务用车购置和维护经费', '其中：公车购置', '其中：公车运行维护', '2.出国经费', '3.公务接待',
      '三、项目支出', '新型智慧城市项目', '“智慧大脑+政务服务”项目', '外网平台建设项目', '智慧益阳管理中心电费项目', '市本级及四区财税综合信息平台建设经费', '其他项目（未逐项列示）', '合计',
      '四、公用经费', '合计', '其中：办公经费', '水费、电费、差旅费', '会议费、培训费',
      '五、政府采购金额', '六、部门整体支出预算调整', '七、楼堂馆所控制情况', '八、厉行节约保障措施', '表来源',
    ]);
    // From the seed: 编制数 16 / 16; 控制率 68.75% / 75%; 三公 合计 本年决算数 8.5万元 = 85000 元; 新型智慧城市 本年预算数 704.12万元 = 7041200 元.
    expect([2, 3, 4].map((c) => text(ws, 5, c))).toEqual([16, null, 16]);
    expect([2, 4].map((c) => text(ws, 7, c))).toEqual([68.75, 75]);
    expect(text(ws, 9, 4)).toBe(85_000);
    expect([text(ws, 16, 3), text(ws, 16, 5)]).toEqual([7_041_200, 'smart-city']);
    expect(text(ws, 32, 2)).toBe('示例数据（报告未载，演示用）');
    const budget = sheet(wb, '预算执行情况');
    // Rows: header, three sources, 合计 (2217.42万元 = 22174200 元), 既定支付进度.
    expect([1, 2, 3, 4].map((c) => text(budget, 1, c))).toEqual(['资金来源', '年初预算数（元）', '全年预算数（元）', '全年执行数（元）']);
    expect([1, 3].map((c) => text(budget, 5, c))).toEqual(['合计', 22_174_200]);
    expect([1, 2].map((c) => text(budget, 6, c))).toEqual(['既定支付进度（%）', 95.5]);
    const buildings = sheet(wb, '楼堂馆所');
    expect([1, 2, 3, 4, 5].map((c) => text(buildings, 2, c))).toEqual(['城市大脑运营指挥中心', '2272', '2250.5', 585_000_000, 579_987_654.32]);
  });

  it('reads the 基础数据表 by label: blank rows and title rows are fine, and the title may say 万元', async () => {
    const y = enrichedUnitYear();
    const wb = await load(await writeLedgerFile(y, 'xlsx'));
    const ws = sheet(wb, '基础数据表');
    ws.insertRow(8, []); // a blank row before 二、“三公”经费
    ws.insertRow(1, ['（单位自填）']); // another title line
    // The 三公 合计 row was row 9; one title and one blank row later it is row 11.
    expect(text(ws, 11, 1)).toBe('合计');
    let read = await readLedgerFile('x.xlsx', await save(wb));
    expect(read.ok ? [] : read.problems).toEqual([]);
    expect(read.ok && read.value).toEqual(y);

    ws.getCell(3, 1).value = '金额单位：万元';
    ws.getCell(11, 4).value = 8.5;
    read = await readLedgerFile('x.xlsx', await save(wb));
    expect(read.ok ? [] : read.problems).toEqual([]);
    // 8.5 万元 = 85,000 元 = 8,500,000 分 — the same amount the seed states as 8.5万元.
    expect(read.ok && read.value.basicData?.threePublic.total?.final).toBe(8_500_000);
    // Every amount of the sheet is now read in 万元: 上年决算数 98000 (元 as written) → 98000 万元 = 980,000,000 元 = 98,000,000,000 分.
    expect(read.ok && read.value.basicData?.threePublic.total?.previousFinal).toBe(98_000_000_000);
  });

  it('refuses a bad 基础数据表 with every problem, by sheet and row', async () => {
    const wb = await load(await writeLedgerFile(enrichedUnitYear(), 'xlsx'));
    const ws = sheet(wb, '基础数据表');
    // Row 9 is 二、“三公”经费 合计 (two title rows, the header, four rows of 一、, the heading of 二、).
    expect(text(ws, 9, 1)).toBe('合计');
    ws.getCell(9, 4).value = '八万五';
    // Row 14 is 3.公务接待: renamed to a row the table does not have.
    expect(text(ws, 14, 1)).toBe('3.公务接待');
    ws.getCell(14, 1).value = '4.其他经费';
    // 编制数 (row 5) is a count.
    ws.getCell(5, 4).value = 15.5;
    // The second 楼堂馆所 (row 3 of its sheet) gets an area that is not one.
    sheet(wb, '楼堂馆所').getCell(3, 2).value = '约三百';
    const read = await readLedgerFile('bad.xlsx', await save(wb));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    const found = read.problems.map((p) => `${p.code}@${p.path}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'unknown_row@基础数据表 第14行',
        'invalid_amount@基础数据表 第9行 本年决算数 (basicData.threePublic.total.final)',
        'invalid_type@基础数据表 第5行 本年决算数 (basicData.staff.authorisedPosts.final)',
        expect.stringMatching(/^.+@楼堂馆所 第3行 \(basicData\.buildings\[1\]\.approvedArea\)$/),
      ]),
    );
    expect(found).toHaveLength(4);
    for (const p of read.problems) expect(p.zh && p.en).toBeTruthy();
  });

  it('refuses a 合计 outside its part, a heading with values and a project code on a non-project row', async () => {
    const wb = await load(await writeLedgerFile(enrichedUnitYear(), 'xlsx'));
    const ws = sheet(wb, '基础数据表');
    ws.getCell(4, 2).value = 3; // 一、财政供养人员情况 is a heading
    ws.getCell(6, 1).value = '合计'; // was 实际在职人数: 一、 has no 合计
    ws.getCell(13, 5).value = 'smart-city'; // 2.出国经费 is not a project row
    const read = await readLedgerFile('bad.xlsx', await save(wb));
    expect(read.ok ? [] : read.problems.map((p) => `${p.code}@${p.path}`)).toEqual(['unexpected_value@基础数据表 第4行', 'misplaced_row@基础数据表 第6行', 'unexpected_project_code@基础数据表 第13行']);
  });

  it('writes a blank 基础数据表 form when the unit-year has none, and reads a blank form as none', async () => {
    const y = structuredClone(seedUnitYear());
    delete y.basicData;
    const wb = await load(await writeLedgerFile(y, 'xlsx'));
    const ws = sheet(wb, '基础数据表');
    // The project rows come from the ledger, with their codes, ready to fill.
    expect([text(ws, 16, 1), text(ws, 16, 5)]).toEqual(['新型智慧城市项目', 'smart-city']);
    let read = await readLedgerFile('x.xlsx', await save(wb));
    expect(read.ok && read.value).toEqual(y);

    ws.getCell(9, 4).value = 85_000; // 三公 合计 本年决算数 85000 元
    read = await readLedgerFile('x.xlsx', await save(wb));
    expect(read.ok ? [] : read.problems).toEqual([]);
    expect(read.ok && read.value.basicData?.threePublic.total).toEqual({ final: 8_500_000 });
    expect(read.ok && read.value.basicData?.projects.map((p) => p.project)).toEqual(y.projects.map((p) => p.code));
  });

  it('imports a workbook from before the new sheets and columns', async () => {
    const seed = seedUnitYear();
    const wb = await load(await writeLedgerFile(seed, 'xlsx'));
    for (const name of ['项目绩效目标', '项目绩效指标', '自评', '基础数据表', '预算执行情况', '楼堂馆所']) wb.removeWorksheet(sheet(wb, name).id);
    sheet(wb, '科室').spliceColumns(5, 1); // 自评指标
    sheet(wb, '科室提交').spliceColumns(9, 2); // 指标类别, 重点工作
    const unit = sheet(wb, '单位');
    expect([text(unit, 16, 1), text(unit, 17, 1)]).toEqual(['评分规则', '数据说明']);
    // exceljs's spliceRows leaves trailing rows in place; blank rows are skipped on reading, so blank them.
    for (const n of [16, 17]) for (const c of [1, 2]) unit.getCell(n, c).value = null;
    const read = await readLedgerFile('old.xlsx', await save(wb));
    expect(read.ok ? [] : read.problems).toEqual([]);
    const expected = structuredClone(seed) as Partial<UnitYear> & UnitYear;
    delete expected.ruleSet;
    delete expected.dataNote;
    delete expected.basicData;
    delete expected.selfAssessment;
    for (const p of expected.projects) delete p.evaluation;
    for (const s of expected.unit.sections) delete s.assesses;
    for (const s of expected.submissions) {
      s.selfAssessments = [];
      for (const i of s.outputIndicators) Object.assign(i, { category: 'quantity', key: false }); // the schema's defaults
    }
    expect(read.ok && read.value).toEqual(expected);
  });

  it('reads tiers and indicators by their Chinese names, and says which tiers exist', async () => {
    const y = enrichedUnitYear();
    const wb = await load(await writeLedgerFile(y, 'xlsx'));
    const ws = sheet(wb, '自评');
    expect([1, 2, 3, 4].map((c) => text(ws, 1, c))).toEqual(['评价人', '指标', '指标名称', '档次']);
    // Row 2 is the finance officer's first entry: target_reasonableness, 达成年度指标.
    expect([1, 2, 3, 4].map((c) => text(ws, 2, c))).toEqual(['财务人员', 'target_reasonableness', '绩效目标合理性', '达成年度指标']);
    ws.getCell(2, 2).value = '绩效目标合理性';
    let read = await readLedgerFile('x.xlsx', await save(wb));
    expect(read.ok && read.value).toEqual(y);
    ws.getCell(2, 4).value = '基本达成';
    read = await readLedgerFile('x.xlsx', await save(wb));
    expect(read.ok ? [] : read.problems.map((p) => [p.code, p.path, p.zh])).toEqual([
      ['unknown_tier', '自评 第2行', '档次“基本达成”不存在，应为 达成年度指标、部分达成并具有一定效果、未达成且效果较差 之一'],
    ]);
  });
});
