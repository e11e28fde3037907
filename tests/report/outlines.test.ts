/**
 * The seed unit-year under each shipped report outline (domain/report/outlines.ts), read back
 * through pdftotext: the headings come in the outline's order, the annex references in the text
 * follow the outline's annex numbering, the 自评表 names the outline, and the text the unit did
 * not write (七、八 of the Hunan outline) says so. One page of each new outline is pinned by a
 * committed image (tests/report/golden/outline-*.png; `UPDATE_GOLDEN=1` rewrites them), and the
 * DOCX of the Hunan outline has the same level-1 and level-2 headings in the same order.
 *
 * The expected headings are written out from the sources, not read from the outline data:
 * DOMAIN.md §4.1 (the seed; the eight-section Hunan outline; 郴州 2017/2018 for the subsections of
 * 一 and 二) and the 南县财政局 2020 report (一、自评得分情况 二、单位基本概况 （一）机构设置情况 …).
 */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDocx } from '../../activities/report/render-docx';
import { renderPdf } from '../../activities/report/render-pdf';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import { composeReport } from '../../domain/report/compose';
import { reportOutlines } from '../../domain/report/outlines';
import { gatherReport } from '../../domain/report/view-model';
import { SEED_REPORT_DATE, seedViewModel } from '../fixtures/report';
import { seedUnitYear } from '../fixtures/seed';
import { comparePng, pdfPagesText, pdfPageToPng, pdfToText, requirePoppler } from '../helpers/pdf';

const normalise = (text: string) => text.replace(/—\s*\d+\s*—/g, '').replace(/第\d+版/g, '').replace(/\s+/g, '');

const SEED_HEADINGS = [
  '一、单位基本情况', '二、一般公共预算支出情况', '（一）基本支出情况', '（二）项目支出情况', '三、部门整体支出绩效情况', '（一）经济性评价', '（二）效率性评价', '（三）社会效益评价',
  '四、存在的问题及原因分析', '五、下一步改进措施',
  // The seed has evidence-free scoring, a 基础数据表 and one project 自评表: no 佐证材料清单.
  '附件1部门整体支出绩效自评表', '附件2部门整体支出绩效评价基础数据表', '附件3项目支出绩效自评表', '附件4项目支出明细表', '附件5对账说明', '附件6暂缓支付资金到期安排表',
];

const HUNAN_HEADINGS = [
  '一、部门概况', '（一）部门基本情况', '（二）部门整体支出情况',
  '二、部门整体支出管理及使用情况', '（一）基本支出情况', '（二）项目支出情况',
  '三、部门专项组织实施情况', '（一）专项资金安排及使用情况', '（二）暂缓支付资金管理情况', '（三）项目支出绩效自评情况',
  '四、部门整体支出绩效情况', '（一）经济性评价', '（二）效率性评价', '（三）社会效益评价',
  '五、存在的问题及原因分析', '六、下一步改进措施', '七、部门整体支出绩效自评结果拟应用和公开情况', '八、其他需要说明的情况',
  // The 基础数据表 comes first, as the published Hunan reports put it before the report.
  '附件1部门整体支出绩效评价基础数据表', '附件2部门整体支出绩效自评表', '附件3项目支出绩效自评表', '附件4项目支出明细表', '附件5对账说明', '附件6暂缓支付资金到期安排表',
];

const NANXIAN_HEADINGS = [
  '一、自评得分情况', '二、单位基本概况', '（一）机构设置情况', '（二）人员编制情况', '（三）单位职责',
  '三、部门整体支出情况', '（一）基本支出情况', '（二）项目支出情况',
  '四、部门整体支出绩效情况', '（一）经济性评价', '（二）效率性评价', '（三）社会效益评价',
  '五、存在的问题及原因分析', '六、下一步改进措施',
  '附件1部门整体支出绩效自评表', '附件2部门整体支出绩效评价基础数据表', '附件3项目支出绩效自评表', '附件4项目支出明细表', '附件5对账说明', '附件6暂缓支付资金到期安排表',
];

const EXPECTED: Record<string, string[]> = { 'yiyang-2020': SEED_HEADINGS, 'hunan-department-8': HUNAN_HEADINGS, 'nanxian-score-first': NANXIAN_HEADINGS };

/** Position of each needle, each searched after the previous one; -1 where one is missing. */
function inOrder(text: string, needles: readonly string[]): Array<[string, number]> {
  let from = 0;
  return needles.map((needle) => {
    const at = text.indexOf(needle, from);
    if (at >= 0) from = at + needle.length;
    return [needle, at];
  });
}

/** The seed under an outline, chosen the way a unit-year chooses it (its `outline:` field). */
function seedUnder(outline: string) {
  const unitYear = { ...seedUnitYear(), outline };
  return composeReport(gatherReport({ unitYear, analysis: analyseUnitYear(unitYear), reportDate: SEED_REPORT_DATE, draft: false, version: 1 }));
}

describe('report outlines', () => {
  const pdfs = new Map<string, Buffer>();
  const texts = new Map<string, string>();

  beforeAll(async () => {
    await requirePoppler();
    for (const id of Object.keys(EXPECTED)) {
      const pdf = await renderPdf(seedUnder(id));
      pdfs.set(id, pdf);
      texts.set(id, normalise(await pdfToText(pdf)));
    }
  });

  it('ships the three outlines the tests expect, each with the 自评表 annex (it names the outline)', () => {
    expect(reportOutlines.map((o) => o.id).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const o of reportOutlines) expect(o.annexes, o.id).toContain('score');
  });

  it('a unit-year without `outline:` gets the seed’s outline, the same document as choosing yiyang-2020', () => {
    expect(seedViewModel().outline).toBe('yiyang-2020');
    expect(composeReport(seedViewModel())).toEqual(seedUnder('yiyang-2020'));
  });

  for (const [id, headings] of Object.entries(EXPECTED)) {
    it(`${id}: the PDF's headings come in the outline's order`, () => {
      const text = texts.get(id)!;
      // From the first section heading on (the cover and title come before it).
      const body = text.slice(text.indexOf(headings[0]!));
      expect(inOrder(body, headings).filter(([, at]) => at < 0).map(([h]) => h)).toEqual([]);
      // No section heading of another outline slipped in between (e.g. a second 一、).
      const level1 = body.match(/[一二三四五六七八九十]、(?=[^\d])/g) ?? [];
      expect(level1.length).toBeGreaterThanOrEqual(headings.filter((h) => /^[一二三四五六七八九十]、/.test(h)).length);
    });

    it(`${id}: the 自评表 names the outline it follows`, () => {
      const outline = reportOutlines.find((o) => o.id === id)!;
      expect(texts.get(id)).toContain(normalise(`报告提纲：${outline.name}（${id}）。`));
    });
  }

  it('hunan-department-8: text points at the annexes as this outline numbers them, and says what the unit did not write', () => {
    const text = texts.get('hunan-department-8')!;
    const section = (from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to, text.indexOf(from)));
    // The score is 附件2 here (the 基础数据表 is 附件1); the project 自评表 附件3; the withheld-payments schedule 附件6.
    expect(section('四、部门整体支出绩效情况', '（一）经济性评价')).toContain('（详见附件2）');
    expect(section('（二）项目支出情况', '三、部门专项组织实施情况')).toContain(normalise('（详见附件3）'));
    expect(section('（二）暂缓支付资金管理情况', '（三）项目支出绩效自评情况')).toContain('详见附件6');
    // 一（二）: the seed's stated income, carry-over and expenditure (DOMAIN §4.1 seed; fixture stated.*).
    expect(section('（二）部门整体支出情况', '二、部门整体支出管理及使用情况')).toContain(
      normalise('收入合计2217.42万元；上年结转结余993.56万元。支出合计2696.91万元，其中：基本支出186.29万元，项目支出2510.63万元。'),
    );
    // 二（一）: 三公经费 from the 基础数据表 (budget 10万元, final 8.5万元 = 85%).
    expect(section('（一）基本支出情况', '（二）项目支出情况')).toContain(normalise('“三公”经费预算10.00万元，实际支出8.50万元，为预算的85.00%。'));
    // 三（一）: five projects; allocations 491 + 383 + 180.02 + 141.1 + 918 + 119.56 + 180 + 110.5 + 135 + 92.46 = 2750.64 万元
    // of which carried over from 2019: 491 + 119.56 + 110.5 = 721.06 万元 (fixture allocations).
    expect(section('（一）专项资金安排及使用情况', '（二）暂缓支付资金管理情况')).toContain(normalise('实施项目5个，安排资金2750.64万元（其中上年结转721.06万元）'));
    expect(section('（三）项目支出绩效自评情况', '四、部门整体支出绩效情况')).toContain(normalise('市本级及四区财税综合信息平台建设经费自评得分82.36分，评价等级为“良”（详见附件3）'));
    expect(section('七、部门整体支出绩效自评结果拟应用和公开情况', '八、其他需要说明的情况')).toContain('单位未填写自评结果拟应用和公开情况');
    expect(section('八、其他需要说明的情况', '附件1')).toContain('单位未填写其他需要说明的情况');
  });

  it('nanxian-score-first: opens with the score; 四 does not repeat it', () => {
    const text = texts.get('nanxian-score-first')!;
    const one = text.slice(text.indexOf('一、自评得分情况'), text.indexOf('二、单位基本概况'));
    expect(one).toContain(normalise('本单位2020年度部门整体支出绩效自评得分86.00分，评价等级为“良”（详见附件1）'));
    const four = text.slice(text.indexOf('四、部门整体支出绩效情况'), text.indexOf('五、存在的问题及原因分析'));
    expect(four).not.toContain('自评得分');
    // 二: the seed's unit facts, split the 南县 way.
    expect(text.slice(text.indexOf('（一）机构设置情况'), text.indexOf('（二）人员编制情况'))).toContain(normalise('内设机构6个（均为副科级）'));
    expect(text.slice(text.indexOf('（二）人员编制情况'), text.indexOf('（三）单位职责'))).toContain(normalise('编制16名，其中：主任1名、副主任3名。2020年本单位年末实有人数12人，比上年增加1人。'));
    expect(text.slice(text.indexOf('（三）单位职责'), text.indexOf('三、部门整体支出情况'))).toContain(normalise('8.负责归口管理市级网络信息化机房的日常运维管理'));
  });

  it('matches the committed images of one page of each new outline', async () => {
    const pages = async (id: string) => (await pdfPagesText(pdfs.get(id)!)).map(normalise);
    const golden: Array<[string, string, string]> = [
      ['hunan-department-8', 'special-projects', '三、部门专项组织实施情况'],
      ['nanxian-score-first', 'score-first', '一、自评得分情况'],
    ];
    const dir = path.join(__dirname, 'golden');
    for (const [id, name, needle] of golden) {
      const page = (await pages(id)).findIndex((t) => t.includes(needle)) + 1;
      expect(page, `${id}: page with ${needle}`).toBeGreaterThan(1);
      const actual = await pdfPageToPng(pdfs.get(id)!, page, 60);
      const file = path.join(dir, `outline-${id}-${name}.png`);
      if (process.env['UPDATE_GOLDEN'] === '1') {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(file, actual);
      }
      const diff = comparePng(actual, fs.readFileSync(file));
      expect(diff.ratio, `${id} page ${page} differs from ${file}`).toBeLessThan(0.002);
    }
  });

  it('hunan-department-8: the DOCX has the same section headings in the same order', async () => {
    const zip = await JSZip.loadAsync(await renderDocx(seedUnder('hunan-department-8')));
    const doc = (await zip.file('word/document.xml')?.async('string')) ?? '';
    const paragraphs = doc.match(/<w:p>.*?<\/w:p>|<w:p [^>]*>.*?<\/w:p>/gs) ?? [];
    const text = (xml: string) => (xml.match(/<w:t[^>]*>([^<]*)<\/w:t>/g) ?? []).map((t) => t.replace(/<[^>]+>/g, '')).join('');
    const headings = paragraphs.filter((x) => /<w:pStyle w:val="Heading[12]"\/>/.test(x)).map(text);
    expect(headings).toEqual(HUNAN_HEADINGS.filter((h) => !h.startsWith('附件')));
    // Annexes are not heading-styled (label left, title centred): their order in the text.
    const all = paragraphs.map(text).join('');
    const annexes = HUNAN_HEADINGS.filter((h) => h.startsWith('附件'));
    expect(inOrder(all.slice(all.indexOf('八、其他需要说明的情况')), annexes).filter(([, at]) => at < 0).map(([h]) => h)).toEqual([]);
  });
});
