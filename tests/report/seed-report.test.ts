/**
 * The seed report rebuilt from the ledger: every figure the published 2020 report states is found,
 * through pdftotext, in its own section of our PDF, and the headings come in order. The cover, the
 * 项目支出 page, the 自评表 page, the 基础数据表 page and the example project 自评表 match committed
 * images (tests/report/golden/*.png; `UPDATE_GOLDEN=1` rewrites them).
 *
 * Each entry: the section it belongs to, the figure as the seed prints it, and the text we print for
 * it (amounts in 万元 with two decimals: the seed's "491万" is our "491.00万元").
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderPdf } from '../../activities/report/render-pdf';
import { formatWanYuan } from '../../domain/money';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import { composeSeedReport } from '../fixtures/report';
import { seedUnitYear } from '../fixtures/seed';

const seedScore = () => analyseUnitYear(seedUnitYear()).score;
import { comparePng, pdfPagesText, pdfPageToPng, pdfToText, requirePoppler } from '../helpers/pdf';

const HEADINGS = [
  '一、单位基本情况',
  '二、一般公共预算支出情况',
  '（一）基本支出情况',
  '（二）项目支出情况',
  '三、部门整体支出绩效情况',
  '（一）经济性评价',
  '（二）效率性评价',
  '（三）社会效益评价',
  '1.新型智慧城市项目推进工作',
  '2.政府网站建设管理工作',
  '3.政务网络建设',
  '4.保障大数据机房的正常运转和数据安全',
  '5.做好中心综合工作',
  '四、存在的问题及原因分析',
  '五、下一步改进措施',
] as const;
type Section = (typeof HEADINGS)[number];

const FIGURES: Array<[Section, string, string]> = [
  // 一、单位基本情况
  ['一、单位基本情况', '副处级', '副处级公益一类事业单位'],
  ['一、单位基本情况', '编制16名', '编制16名'],
  ['一、单位基本情况', '主任1名', '主任1名'],
  ['一、单位基本情况', '副主任3名', '副主任3名'],
  ['一、单位基本情况', '内设机构6个', '内设机构6个（均为副科级）'],
  ['一、单位基本情况', '副科级领导职数6名', '领导职数6名'],
  ['一、单位基本情况', '实有人数12人', '实有人数12人'],
  ['一、单位基本情况', '比上年增加1人', '比上年增加1人'],
  // 二、（一）基本支出
  ['（一）基本支出情况', '收入2217.42万元', '收入2217.42万元'],
  ['（一）基本支出情况', '上年结转结余993.56万元', '上年结转结余993.56万元'],
  ['（一）基本支出情况', '支出共计2696.91万元', '支出共计2696.91万元'],
  ['（一）基本支出情况', '基本支出186.29万元', '基本支出186.29万元'],
  ['（一）基本支出情况', '人员经费139.41万元', '人员经费139.41万元'],
  ['（一）基本支出情况', '占基本支出的75%', '占基本支出的75%'],
  ['（一）基本支出情况', '公用经费46.88万元', '公用经费46.88万元'],
  ['（一）基本支出情况', '占基本支出的25%', '占基本支出的25%'],
  // 二、（二）项目支出
  ['（二）项目支出情况', '项目支出2510.63万元', '项目支出2510.63万元'],
  ['（二）项目支出情况', '2019年结余建设资金491万', '雪亮工程2019年结余建设资金491.00万元'],
  ['（二）项目支出情况', '雪亮工程（公安经费承担部分）383万', '雪亮工程（公安经费承担部分）383.00万元'],
  ['（二）项目支出情况', '已代付299.31万', '已支付299.31万元'],
  ['（二）项目支出情况', '结余83.69万', '结余83.69万元'],
  ['（二）项目支出情况', '“一件事一次办”项目资金180.02万', '“一件事一次办”项目资金180.02万元'],
  ['（二）项目支出情况', '已支付169.1万', '已支付169.10万元'],
  ['（二）项目支出情况', '结余10.92万', '结余10.92万元'],
  ['（二）项目支出情况', '“一市一平台”项目资金141.1万', '“一市一平台”项目资金141.10万元'],
  ['（二）项目支出情况', '已支付133.48万', '已支付133.48万元'],
  ['（二）项目支出情况', '结余7.62万', '结余7.62万元'],
  ['（二）项目支出情况', '共计结余18.54万元均为质保金', '以上质保金共计18.54万元'],
  ['（二）项目支出情况', '2020年8月完成竣工验收', '2020年8月完成竣工验收'],
  ['（二）项目支出情况', '安排资金918万元', '安排资金918.00万元'],
  ['（二）项目支出情况', '实际支付917.65万元', '已支付917.65万元'],
  ['（二）项目支出情况', '2019年结余资金119.56万', '2019年结余资金119.56万元'],
  ['（二）项目支出情况', '运行维护费180万', '运行维护费180.00万元'],
  ['（二）项目支出情况', '已支付81.49万', '已支付81.49万元'],
  ['（二）项目支出情况', '结余98.51万', '结余98.51万元'],
  ['（二）项目支出情况', '待系统升级改造项目完成后进行支付', '待系统升级改造项目完成后进行支付'],
  ['（二）项目支出情况', '2019年结余110.5万', '2019年结余110.50万元'],
  ['（二）项目支出情况', '2020年安排电费135万', '2020年安排电费135.00万元'],
  ['（二）项目支出情况', '拨款92.46万', '拨款92.46万元'],
  ['（二）项目支出情况', '已支付首付款46.52万', '已支付46.52万元'],
  ['（二）项目支出情况', '结余45.94万', '结余45.94万元'],
  ['（二）项目支出情况', '应于验收合格后支付剩余款项', '应于验收合格后支付剩余款项'],
  // 三、（三）社会效益评价 (from the sections' submissions)
  ['1.新型智慧城市项目推进工作', '中标金额为867万元', '中标金额为867万元'],
  ['1.新型智慧城市项目推进工作', '中标金额为379万元', '中标金额为379万元'],
  ['1.新型智慧城市项目推进工作', '中标金额为350万元', '中标金额为350万元'],
  ['1.新型智慧城市项目推进工作', '4月22日开标', '4月22日开标'],
  ['1.新型智慧城市项目推进工作', '累计调研35家市直单位', '累计调研35家市直单位'],
  ['1.新型智慧城市项目推进工作', '第1009号重点提案', '第1009号重点提案'],
  ['1.新型智慧城市项目推进工作', '2272个平方', '2272个平方'],
  ['1.新型智慧城市项目推进工作', '5.85个亿', '5.85个亿'],
  ['2.政府网站建设管理工作', '35000余条', '35000余条'],
  ['2.政府网站建设管理工作', '微信微博800余条', '微信微博800余条'],
  ['2.政府网站建设管理工作', '日均点击率30万页次', '日均点击率30万页次'],
  ['2.政府网站建设管理工作', '整合政府网站100家', '整合政府网站100家'],
  ['2.政府网站建设管理工作', '关停21家', '关停21家'],
  ['2.政府网站建设管理工作', '正常运行79家', '正常运行79家'],
  ['2.政府网站建设管理工作', '1634185余条', '1634185余条'],
  ['2.政府网站建设管理工作', '41家网站', '41家网站'],
  ['3.政务网络建设', '处理五起网络安全应急事件', '处理五起网络安全应急事件'],
  ['3.政务网络建设', '12388系统', '12388系统'],
  ['4.保障大数据机房的正常运转和数据安全', '核心网故障500余起', '核心网故障500余起'],
  ['5.做好中心综合工作', '收发文300余件', '收发文300余件'],
  ['5.做好中心综合工作', '发文2篇', '发文2篇'],
  ['5.做好中心综合工作', '出车300余次', '出车300余次'],
  ['5.做好中心综合工作', '行驶2万余公里', '行驶2万余公里'],
  ['5.做好中心综合工作', '清理调拨资产977996.00元', '清理调拨资产977996.00元'],
  // 四、五
  ['四、存在的问题及原因分析', '预算执行效率有待提高', '（一）预算执行效率有待提高'],
  ['四、存在的问题及原因分析', '项目后期维护管理有待加强', '（二）项目后期维护管理有待加强'],
  ['四、存在的问题及原因分析', '专业人才不足', '（三）专业人才不足'],
  ['五、下一步改进措施', '提前规划项目年度资金使用计划', '（一）提前规划项目年度资金使用计划'],
  ['五、下一步改进措施', '加强后期运维考核管理', '（二）加强后期运维考核管理'],
  ['五、下一步改进措施', '加大人才引进和公开招聘力度', '（三）加大人才引进和公开招聘力度'],
];

/** pdftotext joins wrapped lines with newlines and may put page furniture between them. */
function normalise(text: string): string {
  return text
    .replace(/—\s*\d+\s*—/g, '')
    .replace(/第\d+版/g, '')
    .replace(/\s+/g, '');
}

describe('the seed report rebuilt from the ledger', () => {
  let pdf: Buffer;
  let body: string;
  let fullText: string;

  beforeAll(async () => {
    await requirePoppler();
    pdf = await renderPdf(composeSeedReport({ draft: false }));
    fullText = await pdfToText(pdf);
    const text = normalise(fullText);
    // The report body: from the first heading to the first annex.
    body = text.slice(text.indexOf(HEADINGS[0]), text.indexOf('附件1部门整体支出绩效自评表'));
  });

  it('has the headings in order, numbered consistently', () => {
    let from = 0;
    for (const heading of HEADINGS) {
      const at = body.indexOf(heading, from);
      expect(at, `${heading} after position ${from}`).toBeGreaterThanOrEqual(0);
      from = at + heading.length;
    }
  });

  it(`finds every figure of the seed report (${FIGURES.length}) in its section`, () => {
    const sectionOf = (pos: number) => {
      let current: Section | undefined;
      for (const h of HEADINGS) if (body.indexOf(h) <= pos && body.indexOf(h) >= 0) current = h;
      return current;
    };
    // The 二、（二） and 三 subsections end where the next heading at any level begins.
    const missing: string[] = [];
    for (const [section, seed, ours] of FIGURES) {
      const needle = normalise(ours);
      const at = body.indexOf(needle);
      if (at < 0) missing.push(`${seed} → ${ours} (not found)`);
      else if (sectionOf(at) !== section) missing.push(`${seed} → ${ours} (found in ${sectionOf(at)}, expected ${section})`);
    }
    expect(missing).toEqual([]);
  });

  it('states the gaps and the unexplained balance instead of hiding them', () => {
    expect(body).toContain(normalise('注：以上逐项列明的项目支出合计2503.61万元，与项目支出申报数相差7.02万元，详见附件5。'));
    expect(body).toContain(normalise('“智慧大脑+政务服务”项目：2020年安排资金918.00万元，已支付917.65万元，结余0.35万元，结余原因未说明。'));
  });

  it('carries the total and the grade on the cover and in 三、, and says which figures are example values', () => {
    const all = normalise(fullText);
    expect(all).toContain(normalise('自评得分：86.00分（良）'));
    expect(body).toContain(normalise('部门整体支出绩效自评得分86.00分，评价等级为“良”（详见附件1）'));
    // 投入 1.80 + 2.10 + 5 + 5 + 4 = 17.90 of 20; 过程 0 + 3 + 3 + 2 + 6 + 3 + 3 + 2.70 + 2.10 + 3 + 2.80 = 30.60 of 40;
    // 产出 4.33 + 4.97 + 5 + 4 = 18.30 of 20; 效果 4 + 7.20 + 8 = 19.20 of 20 (see seed-score.test.ts).
    expect(body).toContain(normalise('其中投入17.90分（满分20.00分）、过程30.60分（满分40.00分）、产出18.30分（满分20.00分）、效果19.20分（满分20.00分）'));
    expect(body).toContain(normalise('失分指标13项：预算完成率扣5.00分，预算控制率扣2.00分'));
    // One 预算完成率 in the working: the 湖南口径 the rule set scores, not the plain one as well.
    expect(body.split(normalise('预算完成率=')).length - 1).toBe(1);
    expect(body).toContain(normalise('经济效益不适用（本单位为公益一类事业单位，职能不以经济效益为目标），按评分规则视同达标'));
    expect(all).toContain(normalise('数据说明：原报告未公布评分与基础数据表'));
  });

  it('lists every indicator in the 自评表 with its source, and the total', () => {
    const all = normalise(fullText);
    const annex = all.slice(all.indexOf(normalise('附件1部门整体支出绩效自评表')), all.indexOf(normalise('附件2部门整体支出绩效评价基础数据表')));
    const sheet = seedScore();
    // One 来源 per indicator, each naming the indicator's own source.
    expect(annex.split('来源：').length - 1).toBe(sheet.indicators.length);
    for (const i of sheet.indicators) expect(annex.includes(normalise(`来源：${i.sourceZh}`)), `${i.id}: 来源：${i.sourceZh}`).toBe(true);
    expect(annex.includes(normalise('评价等级：良')), '评价等级：良').toBe(true);
    expect(annex.includes('86.00'), '86.00').toBe(true);
  });

  it('prints every figure of the 基础数据表 annex as filed', () => {
    const all = normalise(fullText);
    const annex = all.slice(all.indexOf(normalise('附件2部门整体支出绩效评价基础数据表')), all.indexOf(normalise('附件3项目支出绩效自评表')));
    const b = seedUnitYear().basicData!;
    const cells: number[] = [];
    const cols = (c: { previousFinal?: number | undefined; budget?: number | undefined; final?: number | undefined } | undefined) =>
      [c?.previousFinal, c?.budget, c?.final].forEach((x) => x !== undefined && cells.push(x));
    Object.values(b.threePublic).forEach(cols);
    b.projects.forEach(cols);
    Object.values(b.publicFunds).forEach(cols);
    cols(b.procurement);
    cols(b.budgetAdjustment);
    [b.budget.initial, b.budget.adjusted, b.budget.executed].forEach((x) => x !== undefined && cells.push(x));
    expect(cells.length).toBeGreaterThan(40);
    for (const fen of cells) expect(annex.includes(formatWanYuan(fen)), formatWanYuan(fen)).toBe(true);
    for (const r of b.projects) expect(annex.includes(normalise(r.name)), r.name).toBe(true);
    expect(annex).toContain('68.75%');
    expect(annex).toContain(normalise('数据来源：示例数据（报告未载，演示用）'));
    expect(annex).toContain(normalise('本年无完工的楼堂馆所项目'));
    expect(annex).toContain(normalise('既定支付进度：95%'));
  });

  it('prints the example project 自评表 (fiscal-platform) with the points worked out by hand, and names its score in 二、（二）', async () => {
    const all = normalise(fullText);
    const annex = all.slice(all.indexOf(normalise('附件3项目支出绩效自评表')), all.indexOf(normalise('附件4项目支出明细表')));
    expect(annex.length).toBeGreaterThan(0);
    // The form's rows, read line by line (pdftotext -layout) from its page.
    const page = (await pdfPagesText(pdf)).findIndex((t) => normalise(t).includes(normalise('项目支出绩效自评表（2020年度）'))) + 1;
    expect(page).toBeGreaterThan(1);
    const form = await pdfToText(pdf, { layout: true, first: page, last: page });
    // 预算执行率: 全年预算数 92.46 (2020 拨款; no carry-over), 全年执行数 46.52 (首付款);
    // 46.52 ÷ 92.46 = 0.503136… → 50.31%; × 10 = 5.0313… → 5.03 points; below 90%, explained by the
    // acceptance holdback (45.94 = 92.46 − 46.52). 年初预算数 = this year's allocations = 92.46.
    expect(form).toMatch(/年度资金总额\s+92\.46\s+92\.46\s+46\.52\s+10\s+50\.31%\s+5\.03\n/);
    expect(form).toMatch(/其中：本年财政拨款?\s+92\.46\s+92\.46\s+46\.52\s+—\s+50\.31%\s+—\n/);
    expect(form).toMatch(/上年结转资金\s+0\.00\s+0\.00\s+0\.00\s+—\s+—\s+—\n/);
    expect(form).toMatch(/其他资金\s+0\.00\s+0\.00\s+0\.00\s+—\s+—\s+—\n/);
    expect(annex).toContain(normalise('预算执行率50.31%，低于90%：未执行的45.94万元为验收后支付的款项，根据合同要求，应于验收合格后支付剩余款项'));
    // Indicators (target, actual, weight, points): 合同签订 1/1 → 15.00; 功能模块 4/6 × 15 = 10.00;
    // 首付款时限 (≤) 10/12 × 10 = 8.333… → 8.33; 合同金额 (≤) 92.46/92.46 → 10.00; 接入部门 3/5 × 15 = 9.00;
    // 安全事故 ≤0 with 0 → 15.00; 满意度 92/90 = 102.2% capped → 10.00.
    for (const row of [
      /≥1个\s+1个\s+15\s+15\.00\n/,
      /≥6个\s+4个\s+15\s+10\.00 平台尚处于建设阶段/,
      /≤10天\s+12天\s+10\s+8\.33 资金拨付手续较晚/,
      /≤92\.46(万元)?\s+92\.46(万元?)?\s+10\s+10\.00\n/,
      /≥5个\s+3个\s+15\s+9\.00 两个区的接入须待平台/,
      /≤0次\s+0次\s+15\s+15\.00\n/,
      /≥90%\s+92%\s+10\s+10\.00\n/,
    ]) {
      expect(form).toMatch(row);
    }
    for (const reason of ['平台尚处于建设阶段，其余2个模块计划于2021年验收前上线', '资金拨付手续较晚，首付款延迟2天支付；下一步提前办理支付手续', '两个区的接入须待平台验收后进行，推迟至2021年']) {
      expect(annex.includes(normalise(reason)), reason).toBe(true);
    }
    // Total: 5.03 + 15 + 10 + 8.33 + 10 + 9 + 15 + 10 = 82.36 → 良 (80 ≤ 82.36 < 90).
    expect(form).toMatch(/总分\s+100\s+82\.36 评价等级：良\n/);
    expect(annex).toContain(normalise('市本级及四区财税综合信息平台建设经费自评得分82.36分，评价等级为“良”'));
    expect(annex).not.toContain('未说明偏差原因');
    expect(form).toMatch(/年度\s+预期目标\s+实际完成情况\n/);
    for (const label of ['项目名称', '主管部门', '益阳市行政审批服务局', '实施单位', '益阳市智慧城市和大数据中心', '预期目标', '实际完成情况', '偏差原因分析及改进措施', '评价结论', '存在问题', '改进措施']) {
      expect(annex.includes(normalise(label)), label).toBe(true);
    }
    expect(annex).toContain(normalise('数据说明：原报告未公布评分与基础数据表。本报告中的基础数据表、项目支出绩效自评表'));
    const projects = body.slice(body.indexOf('（二）项目支出情况'), body.indexOf('三、部门整体支出绩效情况'));
    expect(projects).toContain(normalise('该项目预算执行率50.31%，项目支出绩效自评得分82.36分，评价等级为“良”（详见附件3）。'));
  });

  it('says which rule set and version scored it, with that rule set’s grade bands', () => {
    // Whitespace only: normalise() would also drop "第1版", the page furniture's version mark.
    expect(fullText.replace(/\s+/g, '')).toContain('评分规则：《湖南省部门整体支出绩效评价指标（岳阳、长沙雨花区口径）》（hunan-department-2020第1版，湖南省）。优≥90分，良80–90分，中60–80分，差<60分。');
    expect(body).toContain(normalise('按照《湖南省部门整体支出绩效评价指标（岳阳、长沙雨花区口径）》（hunan-department-2020 第1版，湖南省），本单位2020年度部门整体支出绩效自评得分'));
  });

  it('matches the committed images of the cover, the 项目支出 page, the 自评表 page, the 基础数据表 page and the project 自评表 page', async () => {
    const pages = (await pdfPagesText(pdf)).map(normalise);
    const find = (needle: string) => pages.findIndex((t) => t.includes(normalise(needle))) + 1;
    const golden = {
      cover: 1,
      projects: find('（二）项目支出情况'),
      score: find('附件1部门整体支出绩效自评表'),
      'basic-data': find('附件2部门整体支出绩效评价基础数据表'),
      'project-evaluation': find('项目支出绩效自评表（2020年度）'),
    };
    expect(golden['project-evaluation']).toBeGreaterThan(golden['basic-data']);
    expect(golden.projects).toBeGreaterThan(1);
    expect(golden.score).toBeGreaterThan(golden.projects);
    const dir = path.join(__dirname, 'golden');
    for (const [name, page] of Object.entries(golden)) {
      const actual = await pdfPageToPng(pdf, page, 60);
      const file = path.join(dir, `seed-${name}.png`);
      if (process.env['UPDATE_GOLDEN'] === '1') {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(file, actual);
      }
      const diff = comparePng(actual, fs.readFileSync(file));
      // Fonts are embedded and the PDF is deterministic: allow only anti-aliasing noise.
      expect(diff.ratio, `${name} page differs from ${file}`).toBeLessThan(0.002);
    }
  });
});
