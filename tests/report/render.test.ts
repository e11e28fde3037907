/**
 * The report renderers: PDF read back with poppler (pdftotext, pdftoppm, pdfinfo), DOCX read
 * back by unzipping it. Needs poppler-utils (`apt-get install -y poppler-utils`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Block, ReportDocument } from '../../domain/report/content';
import { resolveReportFonts, type FontProbe } from '../../activities/report/fonts';
import { renderDocx } from '../../activities/report/render-docx';
import { enginePatches, pdfFontInputs, renderPdf, renderPdfWithoutCaches, shapingPieces } from '../../activities/report/render-pdf';
import { composeSeedReport } from '../fixtures/report';
import { comparePng, pdfInfo, pdfPageCount, pdfPagesText, pdfPageToPng, pdfToText, requirePoppler } from '../helpers/pdf';

const LONG = '本年度单位严格执行预算管理制度，资金使用规范，项目实施进度总体符合预期，各项绩效目标基本完成。';

function sampleReport(overrides: Partial<ReportDocument['meta']> = {}, extra: Block[] = []): ReportDocument {
  return {
    meta: { title: '2024年度测试单位整体支出绩效自评报告', author: '测试单位', subject: '部门整体支出绩效自评报告', reportDate: '2025-04-30', draft: false, versionLabel: '第2版', ...overrides },
    blocks: [
      { kind: 'cover', title: '2024年度测试单位整体支出绩效自评报告', lines: [{ label: '单位名称', value: '测试单位' }, { label: '评价年度', value: '2024年度' }], dateText: '2025年4月30日' },
      { kind: 'title', text: '2024年度测试单位整体支出绩效自评报告' },
      { kind: 'heading', level: 1, text: '一、单位基本情况' },
      { kind: 'paragraph', text: `开篇段落。${LONG.repeat(3)}` },
      { kind: 'heading', level: 2, text: '（一）预算执行情况' },
      { kind: 'paragraph', text: [{ text: '执行率：', bold: true }, '全年预算执行率为97.93%，较上年提高3.2个百分点。'] },
      { kind: 'heading', level: 3, text: '1.基本支出' },
      { kind: 'heading', level: 4, text: '（1）人员经费' },
      {
        kind: 'table',
        caption: '表1 收支情况（金额单位：万元）',
        columns: [{ header: '类别', width: 2 }, { header: '项目', width: 3 }, { header: '预算数', align: 'right' }, { header: '执行数', align: 'right' }],
        rows: [
          [{ text: '基本支出', rowSpan: 2 }, '人员经费', '139.41', '139.41'],
          [null, '公用经费', '46.88', '46.88'],
          ['项目支出', '智慧城市项目', '2,510.63', '1,234.56'],
          [{ text: '合计', colSpan: 2, bold: true }, null, '2,696.92', '1,420.85'],
        ],
        note: '注：数据来源于部门决算。',
      },
      { kind: 'heading', level: 1, text: '二、存在的问题' },
      { kind: 'paragraph', text: `结尾段落。${LONG}` },
      ...extra,
      { kind: 'annex', title: '附件1 绩效自评表' },
      {
        kind: 'table',
        dense: true,
        columns: [{ header: '一级指标' }, { header: '二级指标' }, { header: '得分', align: 'right' }],
        rows: [
          [{ text: '投入', rowSpan: 3 }, '目标设定', '4.00'],
          [null, '预算配置', '5.00'],
          [null, '资金到位', '3.00'],
          [{ text: '合计', colSpan: 2 }, null, '12.00'],
        ],
      },
    ],
  };
}

/** Indices of each needle in the text, in the order given; -1 where missing. */
function positions(text: string, needles: string[]): number[] {
  let from = 0;
  return needles.map((n) => {
    const i = text.indexOf(n, from);
    if (i >= 0) from = i + n.length;
    return i;
  });
}

/** pdftotext keeps line breaks inside paragraphs; compare without them. */
const flat = (s: string) => s.replace(/\s+/g, '');

beforeAll(async () => {
  await requirePoppler();
});

describe('renderPdf', () => {
  it('writes headings, paragraphs and table cells as Chinese text in reading order', async () => {
    const pdf = await renderPdf(sampleReport());
    const text = flat(await pdfToText(pdf));
    const order = ['2024年度测试单位整体支出绩效自评报告', '一、单位基本情况', '开篇段落', '（一）预算执行情况', '执行率：全年预算执行率为97.93%', '1.基本支出', '（1）人员经费', '表1收支情况', '类别', '基本支出', '人员经费', '139.41', '公用经费', '1,234.56', '合计', '注：数据来源于部门决算', '二、存在的问题', '结尾段落', '附件1', '绩效自评表'];
    expect(positions(text, order)).not.toContain(-1);
    expect(text).not.toContain('\uFFFD');
  });

  it('finds every cell of tables with row and column spans', async () => {
    const text = flat(await pdfToText(await renderPdf(sampleReport())));
    for (const cell of ['基本支出', '人员经费', '公用经费', '项目支出', '智慧城市项目', '2,510.63', '合计', '2,696.92', '1,420.85', '投入', '目标设定', '预算配置', '资金到位', '12.00']) {
      expect(text, cell).toContain(cell);
    }
  });

  it('numbers pages "— N —" from page 2 and leaves the cover unnumbered; the version label is in the footer', async () => {
    const pdf = await renderPdf(sampleReport());
    const pages = await pdfPagesText(pdf);
    expect(pages.length).toBe(await pdfPageCount(pdf));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages[0]).not.toMatch(/—\s*\d+\s*—/);
    expect(pages[0]).toContain('2025年4月30日');
    expect(pages[1]).toMatch(/—\s*2\s*—/);
    expect(pages[pages.length - 1]).toMatch(new RegExp(`—\\s*${pages.length}\\s*—`));
    expect(pages[1]).toContain('第2版');
  });

  it('starts each annex on a new page with its label', async () => {
    const pages = await pdfPagesText(await renderPdf(sampleReport()));
    const annexPage = pages.findIndex((p) => p.includes('附件1'));
    expect(annexPage).toBeGreaterThan(1);
    expect(flat(pages[annexPage] ?? '').startsWith('附件1绩效自评表')).toBe(true);
    expect(pages[annexPage - 1]).toContain('结尾段落');
  });

  it('draws the 草稿 watermark on every page of a draft, as outlines that leave the text layer alone', async () => {
    const final = await renderPdf(sampleReport());
    const draft = await renderPdf(sampleReport({ draft: true }));
    expect(await pdfToText(draft)).toBe(await pdfToText(final));
    const pages = await pdfPageCount(draft);
    for (let page = 1; page <= pages; page++) {
      const d = comparePng(await pdfPageToPng(draft, page, 40), await pdfPageToPng(final, page, 40));
      expect(d.ratio, `page ${page}`).toBeGreaterThan(0.02);
    }
    const same = comparePng(await pdfPageToPng(final, 2, 40), await pdfPageToPng(await renderPdf(sampleReport()), 2, 40));
    expect(same.differentPixels).toBe(0);
  });

  it('gives byte-identical PDFs for the same document, dated by meta.reportDate', async () => {
    const a = await renderPdf(sampleReport({ draft: true }));
    const b = await renderPdf(sampleReport({ draft: true }));
    expect(a.equals(b)).toBe(true);
    const info = await pdfInfo(a);
    expect(info['CreationDate']).toBe('2025-04-29T16:00:00Z');
    expect(info['ModDate']).toBe('2025-04-29T16:00:00Z');
    expect(info['Title']).toBe('2024年度测试单位整体支出绩效自评报告');
    const other = await renderPdf(sampleReport({ draft: true, versionLabel: '第3版' }));
    const id = (pdf: Buffer) => /\/ID \[<([0-9a-f]+)>/.exec(pdf.toString('latin1'))?.[1];
    expect(id(a)).toBeDefined();
    expect(id(other)).not.toBe(id(a));
  });

  it('looks exactly like plain pdfmake without the caches and merged text runs', async () => {
    const doc = sampleReport({ draft: true }, [{ kind: 'paragraph', text: `Latin words, numbers 12,345.67 and GB/T 9704—2012 mixed with 中文。${LONG}` }]);
    const fonts = resolveReportFonts({});
    const cached = await renderPdf(doc, { fonts });
    const plain = await renderPdfWithoutCaches(doc, fonts, pdfFontInputs(fonts));
    expect(enginePatches()).toEqual({ parsedFonts: true, sharedLayout: true, mergedRuns: true, measureMemo: true, pageDecorator: true, compactSubrs: true });
    expect(cached.length).toBeLessThan(plain.length); // fewer text objects
    const pages = await pdfPageCount(cached);
    expect(await pdfPageCount(plain)).toBe(pages);
    for (let page = 1; page <= pages; page++) {
      const d = comparePng(await pdfPageToPng(cached, page, 72), await pdfPageToPng(plain, page, 72));
      if (d.differentPixels > 0) fs.writeFileSync(path.join(os.tmpdir(), `selfeval-render-diff-${page}.png`), d.diff);
      expect(d.ratio, `page ${page}`).toBeLessThan(1e-4);
    }
  });

  it('never leaves a heading as the last line of a page', async () => {
    // Fill page 2 a line at a time so that the heading lands on every position near its foot.
    for (let lines = 10; lines <= 20; lines++) {
      const filler: Block[] = Array.from({ length: lines }, (_, i) => ({ kind: 'paragraph', text: `第${i + 1}行填充文字，恰好一行。` }));
      const doc: ReportDocument = {
        meta: { title: '标题', author: '单位', subject: '主题', reportDate: '2025-04-30', draft: false },
        blocks: [{ kind: 'title', text: '测试标题' }, ...filler, { kind: 'heading', level: 1, text: '三、待保持的标题' }, { kind: 'paragraph', text: `紧随标题的段落。${LONG}` }],
      };
      const pages = await pdfPagesText(await renderPdf(doc));
      const page = pages.find((p) => p.includes('三、待保持的标题')) ?? '';
      expect(flat(page), `${lines} lines of filler`).toContain('紧随标题的段落');
    }
  });

  it('prints a form table (headerRow: false) without the column headers, its rows carrying their own labels', async () => {
    const form: Block = {
      kind: 'table',
      caption: '表单测试',
      headerRow: false,
      columns: [{ header: '列头甲' }, { header: '列头乙' }, { header: '列头丙', align: 'right' }],
      rows: [
        [{ text: '项目名称', bold: true }, { text: '测试项目', colSpan: 2 }, null],
        [{ text: '资金', rowSpan: 2 }, '年度资金总额', '92.46'],
        [null, '其他资金', '0.00'],
      ],
    };
    const text = flat(await pdfToText(await renderPdf(sampleReport({}, [form]))));
    expect(positions(text, ['表单测试', '项目名称', '测试项目', '资金', '年度资金总额', '92.46', '其他资金', '0.00'])).not.toContain(-1);
    expect(text).not.toContain('列头');
  });

  it('keeps a keepTogether table on one page by moving it whole to the next, where a plain table splits; a taller one still prints every row', async () => {
    const filler: Block[] = Array.from({ length: 14 }, (_, i) => ({ kind: 'paragraph', text: `第${i + 1}行填充文字，恰好一行。` }));
    const pagesOf = async (keepTogether: boolean, rows: number, content: string) => {
      const table: Block = {
        kind: 'table',
        caption: '整表测试',
        dense: true,
        ...(keepTogether ? { keepTogether: true } : {}),
        columns: [{ header: '序号' }, { header: '内容', width: 6 }],
        rows: Array.from({ length: rows }, (_, i) => [`第${i + 1}项`, content]),
      };
      const doc: ReportDocument = {
        meta: { title: '标题', author: '单位', subject: '主题', reportDate: '2025-04-30', draft: false },
        blocks: [{ kind: 'title', text: '测试标题' }, ...filler, table],
      };
      const pages = (await pdfPagesText(await renderPdf(doc))).map(flat);
      const at = (needle: string) => pages.findIndex((t) => t.includes(needle));
      return { first: at('第1项'), last: at(`第${rows}项`), caption: at('整表测试'), rowsFound: Array.from({ length: rows }, (_, i) => at(`第${i + 1}项内容`)).filter((x) => x >= 0).length };
    };
    // 16 one-line rows (~17 pt each): more than the space left under 14 lines of body text, less than a page.
    const plain = await pagesOf(false, 16, '内容');
    expect(plain.last).toBeGreaterThan(plain.first); // a plain table splits here
    const kept = await pagesOf(true, 16, '内容');
    expect([kept.caption, kept.first, kept.last]).toEqual([1, 1, 1]);
    // 40 two-line rows do not fit on any page: the table starts on a new page and splits, every row printed.
    const tall = await pagesOf(true, 40, `内容${LONG}`);
    expect(tall.first).toBe(1);
    expect(tall.last).toBeGreaterThan(1);
    expect(tall.rowsFound).toBe(40);
  });

  it('renders the seed report composed from the ledger', async () => {
    const doc = composeSeedReport({ draft: true });
    const pdf = await renderPdf(doc);
    expect(await pdfPageCount(pdf)).toBeGreaterThanOrEqual(8);
    const text = flat(await pdfToText(pdf));
    const headings = doc.blocks.flatMap((b) => (b.kind === 'heading' && b.level === 1 ? [flat(b.text)] : []));
    expect(headings.length).toBeGreaterThan(2);
    expect(positions(text, headings)).not.toContain(-1);
    expect(text).toContain('附件1');
  });
});

describe('shapingPieces', () => {
  it('splits around CJK characters and after spaces, and keeps Latin words and numbers whole', () => {
    expect(shapingPieces('预算2,510.63万元 GB/T 9704')).toEqual(['预', '算', '2,510.63', '万', '元', ' ', 'GB/T ', '9704']);
    expect(shapingPieces('𠮷a')).toEqual(['𠮷', 'a']);
  });
});

describe('resolveReportFonts', () => {
  const probe = (answers: Record<string, FontProbe>) => (file: string) => answers[path.basename(file)] ?? 'missing';

  it('uses the bundled Noto Sans Hans when nothing is configured', () => {
    const fonts = resolveReportFonts({});
    expect(fonts.regular.origin).toBe('bundled');
    expect(fonts.regular.path).toMatch(/NotoSansHans-Regular\.otf$/);
    expect(fonts.bold.path).toMatch(/NotoSansHans-Bold\.otf$/);
    expect(fs.existsSync(fonts.regular.path) && fs.existsSync(fonts.bold.path)).toBe(true);
    expect(fonts.warnings).toEqual([]);
  });

  it('uses configured fonts that exist, each slot on its own', () => {
    const fonts = resolveReportFonts({ regular: '/fonts/fangsong.ttf' }, probe({ 'fangsong.ttf': 'ok' }));
    expect(fonts.regular).toEqual({ slot: 'regular', path: '/fonts/fangsong.ttf', origin: 'configured' });
    expect(fonts.bold.origin).toBe('bundled');
    expect(fonts.warnings).toEqual([]);
  });

  it('falls back to Noto with a warning when a configured font is missing or not a TTF/OTF', () => {
    const fonts = resolveReportFonts({ regular: '/nowhere/fs.ttf', bold: '/fonts/hei.ttc' }, probe({ 'hei.ttc': 'unsupported' }));
    expect(fonts.regular.origin).toBe('bundled');
    expect(fonts.bold.origin).toBe('bundled');
    expect(fonts.warnings.map((w) => [w.code, w.variable])).toEqual([
      ['font-missing', 'SELFEVAL_REPORT_FONT'],
      ['font-unsupported', 'SELFEVAL_REPORT_FONT_BOLD'],
    ]);
    expect(fonts.warnings[0]?.zh).toContain('/nowhere/fs.ttf');
  });

  it('probes real files: a text file is not a font, the bundled OTF is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-fonts-'));
    const notFont = path.join(dir, 'readme.ttf');
    fs.writeFileSync(notFont, 'not a font');
    const bundled = resolveReportFonts({}).bold.path;
    const fonts = resolveReportFonts({ regular: notFont, bold: bundled });
    expect(fonts.regular.origin).toBe('bundled');
    expect(fonts.warnings[0]?.code).toBe('font-unsupported');
    expect(fonts.bold.origin).toBe('configured');
  });
});

describe('renderDocx', () => {
  async function unzip(docx: Buffer): Promise<Record<string, string>> {
    const zip = await JSZip.loadAsync(docx);
    const out: Record<string, string> = {};
    for (const name of Object.keys(zip.files)) {
      const file = zip.file(name);
      if (file) out[name] = await file.async('string');
    }
    return out;
  }

  it('writes headings with Word heading styles, paragraphs with a first-line indent and the fonts offices use', async () => {
    const files = await unzip(await renderDocx(sampleReport()));
    const doc = files['word/document.xml'] ?? '';
    const styles = files['word/styles.xml'] ?? '';
    const order = ['2024年度测试单位整体支出绩效自评报告', '一、单位基本情况', '开篇段落', '（一）预算执行情况', '1.基本支出', '（1）人员经费', '二、存在的问题', '附件1', '绩效自评表'];
    expect(positions(doc, order)).not.toContain(-1);
    for (const style of ['Title', 'Heading1', 'Heading2', 'Heading3', 'Heading4']) expect(doc).toContain(`<w:pStyle w:val="${style}"/>`);
    expect(styles).toMatch(/w:styleId="Heading1">.*?w:eastAsia="黑体"/s);
    expect(styles).toMatch(/w:styleId="Heading2">.*?w:eastAsia="楷体_GB2312"/s);
    expect(styles).toMatch(/w:styleId="Title">.*?w:eastAsia="方正小标宋简体"/s);
    expect(styles).toMatch(/w:styleId="Heading1">.*?<w:outlineLvl w:val="0"\/>/s);
    expect(styles).toContain('w:eastAsia="仿宋_GB2312"');
    expect(doc).toMatch(/<w:ind w:firstLine="640"\/>.*?开篇段落/s);
    expect(doc).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(doc).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
    expect(doc).toContain('<w:titlePg/>');
  });

  it('merges table cells with gridSpan and vMerge, each row spanning the full grid', async () => {
    const doc = (await unzip(await renderDocx(sampleReport())))['word/document.xml'] ?? '';
    expect(doc).toContain('<w:gridSpan w:val="2"/>');
    expect(doc).toContain('<w:vMerge w:val="restart"/>');
    expect(doc).toContain('<w:vMerge w:val="continue"/>');
    const tables = doc.match(/<w:tbl>.*?<\/w:tbl>/gs) ?? [];
    expect(tables.length).toBe(2);
    for (const table of tables) {
      const columns = (table.match(/<w:gridCol /g) ?? []).length;
      for (const row of table.match(/<w:tr>.*?<\/w:tr>/gs) ?? []) {
        const cells = (row.match(/<w:tc>.*?<\/w:tc>/gs) ?? []).map((tc) => Number(/<w:gridSpan w:val="(\d+)"/.exec(tc)?.[1] ?? 1));
        expect(cells.reduce((a, b) => a + b, 0)).toBe(columns);
      }
    }
    expect(doc).toContain('<w:tblHeader/>');
  });

  it('writes the seed’s project 自评表 as one merged form, kept on one page, with the points worked out by hand', async () => {
    const doc = (await unzip(await renderDocx(composeSeedReport({ draft: false }))))['word/document.xml'] ?? '';
    expect(positions(doc, ['附件3', '项目支出绩效自评表', '项目支出绩效自评表（2020年度）', '附件4', '项目支出明细表'])).not.toContain(-1);
    const form = (doc.match(/<w:tbl>.*?<\/w:tbl>/gs) ?? []).find((t) => t.includes('项目名称')) ?? '';
    const rows = form.match(/<w:tr>.*?<\/w:tr>/gs) ?? [];
    const rowText = rows.map((r) => (r.match(/<w:t[^>]*>([^<]*)<\/w:t>/g) ?? []).map((t) => t.replace(/<[^>]+>/g, '')).join(''));
    // 46.52 ÷ 92.46 = 50.31%, × 10 = 5.03; indicators 15 + 10 + 8.33 + 10 + 9 + 15 + 10 = 77.33; total 82.36, 良.
    expect(rowText).toContain('年度资金总额92.4692.4646.521050.31%5.03');
    expect(rowText).toContain('其中：本年财政拨款92.4692.4646.52—50.31%—');
    expect(rowText).toContain('上年结转资金0.000.000.00———');
    expect(rowText.find((r) => r.startsWith('时效指标'))).toBe('时效指标合同签订后首付款支付时限≤10天12天108.33资金拨付手续较晚，首付款延迟2天支付；下一步提前办理支付手续');
    expect(rowText).toContain('总分10082.36评价等级：良');
    // No header row (the form's rows carry their labels), every row across the 9-column grid,
    // 项目资金 / 年度总体目标 / 绩效指标 / 产出 / 效益 merged down, no row split across pages.
    expect(form).not.toContain('<w:tblHeader/>');
    expect((form.match(/<w:gridCol /g) ?? []).length).toBe(9);
    for (const row of rows) {
      const cells = (row.match(/<w:tc>.*?<\/w:tc>/gs) ?? []).map((tc) => Number(/<w:gridSpan w:val="(\d+)"/.exec(tc)?.[1] ?? 1));
      expect(cells.reduce((a, b) => a + b, 0)).toBe(9);
      expect(row).toContain('<w:cantSplit/>');
    }
    expect((form.match(/<w:vMerge w:val="restart"\/>/g) ?? []).length).toBe(5);
    expect(rows.length).toBe(21);
  });

  it('puts page numbers in the footer except on the cover, and a watermark on drafts only', async () => {
    const final = await unzip(await renderDocx(sampleReport()));
    const draft = await unzip(await renderDocx(sampleReport({ draft: true })));
    const footers = Object.entries(final).filter(([name]) => /^word\/footer\d+\.xml$/.test(name)).map(([, xml]) => xml);
    expect(footers.filter((f) => f.includes('PAGE')).length).toBe(1);
    expect(footers.every((f) => f.includes('第2版'))).toBe(true);
    const headers = (files: Record<string, string>) => Object.entries(files).filter(([name]) => /^word\/header\d+\.xml$/.test(name)).map(([, xml]) => xml).join('');
    expect(headers(draft)).toContain('string="草稿"');
    expect(headers(draft)).toContain('PowerPlusWaterMarkObject');
    expect(headers(final)).not.toContain('草稿');
  });

  it('gives byte-identical DOCX files for the same document, dated by meta.reportDate', async () => {
    const a = await renderDocx(sampleReport({ draft: true }));
    await new Promise((resolve) => setTimeout(resolve, 2100)); // zip time stamps have 2 s resolution
    const b = await renderDocx(sampleReport({ draft: true }));
    expect(a.equals(b)).toBe(true);
    const core = (await unzip(a))['docProps/core.xml'] ?? '';
    expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2025-04-29T16:00:00Z</dcterms:created>');
    expect(core).toContain('<dc:title>2024年度测试单位整体支出绩效自评报告</dc:title>');
    const zip = await JSZip.loadAsync(a);
    for (const entry of Object.values(zip.files)) expect(entry.date.getFullYear()).toBe(2025);
  });
});
