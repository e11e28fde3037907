/**
 * Report rendering benchmark (`npm run bench:report`). Prints figures; asserts nothing.
 *
 * The document is the seed report from `composeSeedReport()` (tests/fixtures/report.ts) when
 * that module exists, else a synthetic report of about ten pages with four tables built here.
 *
 * Rows printed:
 * - cold: the first render in a fresh child process, timed from before the renderer module is
 *   loaded (pdfmake, font files read and parsed) to the finished PDF;
 * - warm: median and p95 over repeated renders of the same document in that child, and over
 *   documents whose text differs on every render (so no line is ever seen twice — the shaping
 *   cache then only helps per character);
 * - naive baseline, in this process: the same document definition through plain pdfmake, with
 *   a new printer and the font files read and parsed for every render, as pdfmake's README does;
 * - peak RSS of the child (process.resourceUsage().maxRSS).
 *
 * Options: --warm N (50), --naive N (10), --varied N (20), --synthetic (use the synthetic report
 * even when the seed composer exists).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Block, Cell, ReportDocument } from '../domain/report/content';

type RenderPdfModule = typeof import('../activities/report/render-pdf');
type RenderDocxModule = typeof import('../activities/report/render-docx');
type FontsModule = typeof import('../activities/report/fonts');
/** Modules are loaded on demand so the cold figure includes loading them. */
const load = createRequire(__filename);

// ---------------------------------------------------------------------------------------------
// The document

type Composer = (options?: { draft?: boolean }) => ReportDocument | Promise<ReportDocument>;

async function loadDocument(): Promise<{ doc: ReportDocument; source: string }> {
  const fixture = path.join(__dirname, '..', 'tests', 'fixtures', 'report.ts');
  if (!process.argv.includes('--synthetic') && fs.existsSync(fixture)) {
    const mod = (await import(pathToFileURL(fixture).href)) as { composeSeedReport?: Composer; default?: { composeSeedReport?: Composer } };
    const compose = mod.composeSeedReport ?? mod.default?.composeSeedReport;
    if (typeof compose === 'function') return { doc: await compose({ draft: true }), source: 'composeSeedReport({ draft: true })' };
  }
  return { doc: syntheticReport(), source: process.argv.includes('--synthetic') ? 'synthetic report (--synthetic)' : 'synthetic report (tests/fixtures/report.ts not found)' };
}

const PHRASES = [
  '按照市财政局关于开展部门整体支出绩效自评工作的通知要求',
  '我单位对照年初确定的绩效目标',
  '结合预算执行和项目实施情况',
  '从预算编制、预算执行、资产管理和履职效益等方面进行了全面自评',
  '全年预算执行率达到98.6%，较上年提高3.2个百分点',
  '政府采购严格履行程序，合同签订和验收手续完备',
  '项目资金实行专账核算、专款专用',
  '未发现截留、挤占、挪用资金的情况',
  '电子政务外网覆盖率、系统可用率等指标均达到年度目标',
  '“互联网+政务服务”平台全年受理事项126,450件，按时办结率99.2%',
  '部分项目因招标延期导致支付进度滞后',
  '下一步将进一步加强预算执行监控，提高资金使用效益',
];

function paragraph(seed: number, sentences: number): string {
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const a = PHRASES[(seed * 7 + i * 3) % PHRASES.length] ?? '';
    const b = PHRASES[(seed * 5 + i * 11 + 1) % PHRASES.length] ?? '';
    parts.push(`${a}，${b}。`);
  }
  return parts.join('');
}

/** About ten pages: cover, title, five numbered sections, four tables, two annexes. */
export function syntheticReport(): ReportDocument {
  const unit = '某市智慧城市和大数据中心';
  const blocks: Block[] = [
    {
      kind: 'cover',
      title: `2024年度${unit}整体支出绩效自评报告`,
      lines: [
        { label: '单位名称', value: unit },
        { label: '评价年度', value: '2024年度' },
        { label: '评价方式', value: '部门（单位）整体支出绩效自评' },
      ],
      dateText: '2025年4月30日',
    },
    { kind: 'title', text: `2024年度${unit}整体支出绩效自评报告` },
  ];
  const sections = ['单位基本情况', '一般公共预算支出情况', '部门整体支出绩效情况', '存在的问题及原因分析', '下一步改进措施'];
  const sub = ['（一）', '（二）', '（三）'];
  sections.forEach((title, s) => {
    blocks.push({ kind: 'heading', level: 1, text: `${'一二三四五'[s] ?? ''}、${title}` });
    for (let k = 0; k < 3; k++) {
      blocks.push({ kind: 'heading', level: 2, text: `${sub[k] ?? ''}${title.slice(0, 4)}第${k + 1}项` });
      blocks.push({ kind: 'paragraph', text: paragraph(s * 10 + k, 4) });
      if (k === 1) blocks.push({ kind: 'paragraph', text: [{ text: '主要做法：', bold: true }, paragraph(s * 10 + k + 5, 3)] });
    }
    if (s === 1) {
      blocks.push({
        kind: 'table',
        caption: '表1 2024年度收支总表（金额单位：万元）',
        columns: [{ header: '项目', width: 3 }, { header: '年初预算', align: 'right' }, { header: '调整预算', align: 'right' }, { header: '决算数', align: 'right' }, { header: '执行率', align: 'right' }],
        rows: [
          ['一、财政拨款收入', '2,217.42', '2,350.10', '2,301.55', '97.93%'],
          ['二、上年结转结余', '993.56', '993.56', '993.56', '100.00%'],
          ['三、基本支出', '186.29', '190.00', '186.29', '98.05%'],
          ['四、项目支出', '2,510.63', '2,700.00', '2,503.61', '92.73%'],
          [{ text: '合计', bold: true }, { text: '5,907.90', align: 'right' }, { text: '6,233.66', align: 'right' }, { text: '5,985.01', align: 'right' }, { text: '96.01%', align: 'right' }],
        ],
        note: '注：数据来源于2024年度部门决算报表。',
      });
      const projectRows: Cell[][] = [];
      for (let p = 0; p < 8; p++) {
        projectRows.push([`项目${p + 1}：${PHRASES[p]?.slice(0, 10) ?? ''}`, (100 + p * 37.5).toFixed(2), (90 + p * 33.1).toFixed(2), `${(90 - p).toFixed(1)}%`, p % 3 === 0 ? '招标延期' : '']);
      }
      projectRows.push([{ text: '合计', colSpan: 3, bold: true }, null, null, { text: '—', align: 'center' }, '']);
      blocks.push({
        kind: 'table',
        caption: '表2 项目支出明细（金额单位：万元）',
        columns: [{ header: '项目名称', width: 4 }, { header: '预算数', align: 'right' }, { header: '支出数', align: 'right' }, { header: '执行率', align: 'right' }, { header: '说明', width: 2 }],
        rows: projectRows,
      });
    }
  });
  blocks.push({ kind: 'annex', title: '附件1 部门整体支出绩效自评表' });
  const scoreRows: Cell[][] = [];
  const level1 = ['投入', '过程', '产出', '效益'];
  level1.forEach((l1, i) => {
    for (let r = 0; r < 4; r++) {
      scoreRows.push([
        r === 0 ? { text: l1, rowSpan: 4 } : null,
        r % 2 === 0 ? { text: `${l1}指标${r / 2 + 1}`, rowSpan: 2 } : null,
        `三级指标${i * 4 + r + 1}`,
        { text: '5.00', align: 'right' },
        '达成年度指标得满分；每低于目标1个百分点扣0.5分，扣完为止。',
        `${95 - r}%`,
        { text: (5 - r * 0.5).toFixed(2), align: 'right' },
        r === 0 ? '' : '部分项目进度滞后',
      ]);
    }
  });
  scoreRows.push([{ text: '合计', colSpan: 3, bold: true }, null, null, { text: '80.00', align: 'right' }, { text: '评价等级：良', colSpan: 2 }, null, { text: '72.00', align: 'right' }, '']);
  blocks.push({
    kind: 'table',
    caption: '部门整体支出绩效自评表',
    dense: true,
    columns: [
      { header: '一级指标', width: 1.5 }, { header: '二级指标', width: 2 }, { header: '三级指标', width: 2 }, { header: '分值', width: 1 },
      { header: '评分标准', width: 4 }, { header: '实际完成', width: 1.5 }, { header: '得分', width: 1 }, { header: '扣分原因', width: 2.5 },
    ],
    rows: scoreRows,
  });
  blocks.push({ kind: 'annex', title: '附件2 整改清单' });
  blocks.push({
    kind: 'table',
    columns: [{ header: '序号', width: 0.8, align: 'center' }, { header: '问题', width: 4 }, { header: '整改措施', width: 4 }, { header: '责任科室', width: 1.5 }, { header: '完成时限', width: 1.5 }],
    rows: Array.from({ length: 6 }, (_, i): Cell[] => [String(i + 1), PHRASES[(i + 10) % PHRASES.length] ?? '', PHRASES[(i + 3) % PHRASES.length] ?? '', '综合科', `2025年${i + 6}月`]),
  });
  return {
    meta: { title: `2024年度${unit}整体支出绩效自评报告`, author: unit, subject: '部门整体支出绩效自评报告', reportDate: '2025-04-30', draft: true, versionLabel: '草稿 第1版' },
    blocks,
  };
}

/** The same document with every text changed, so cached shaping of whole runs cannot help. */
function varied(doc: ReportDocument, n: number): ReportDocument {
  const tag = `（第${n}稿）`;
  return {
    ...doc,
    blocks: doc.blocks.map((b) => (b.kind === 'paragraph' && typeof b.text === 'string' ? { ...b, text: `${b.text.replace(/\d/g, (d) => String((Number(d) + n) % 10))}${tag}` } : b)),
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface ChildResult {
  coldMs: number;
  loadMs: number;
  firstRenderMs: number;
  warm: number[];
  varied: number[];
  docx: number[];
  pdfBytes: number;
  docxBytes: number;
  pdfSha256: string;
  identical: boolean;
  pages: number;
  maxRssKb: number;
}

const ms = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
};
const median = (xs: number[]) => ms(xs, 0.5);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

async function child(): Promise<void> {
  const input = await new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  const { doc, warm: nWarm, varied: nVaried } = JSON.parse(input) as { doc: ReportDocument; warm: number; varied: number };
  const t0 = performance.now();
  const { renderPdf } = load('../activities/report/render-pdf') as RenderPdfModule;
  const t1 = performance.now();
  const first = await renderPdf(doc);
  const t2 = performance.now();
  const warm: number[] = [];
  let identical = true;
  for (let i = 0; i < nWarm; i++) {
    const a = performance.now();
    const pdf = await renderPdf(doc);
    warm.push(performance.now() - a);
    if (!pdf.equals(first)) identical = false;
  }
  const variedTimes: number[] = [];
  for (let i = 1; i <= nVaried; i++) {
    const d = varied(doc, i);
    const a = performance.now();
    await renderPdf(d);
    variedTimes.push(performance.now() - a);
  }
  const { renderDocx } = load('../activities/report/render-docx') as RenderDocxModule;
  const docxTimes: number[] = [];
  let docx: Buffer = Buffer.alloc(0);
  for (let i = 0; i < 11; i++) {
    const a = performance.now();
    docx = await renderDocx(doc);
    if (i > 0) docxTimes.push(performance.now() - a);
  }
  const pages = (first.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
  const result: ChildResult = {
    coldMs: t2 - t0,
    loadMs: t1 - t0,
    firstRenderMs: t2 - t1,
    warm,
    varied: variedTimes,
    docx: docxTimes,
    pdfBytes: first.length,
    docxBytes: docx.length,
    pdfSha256: createHash('sha256').update(first).digest('hex'),
    identical,
    pages,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(result));
}

function runChild(doc: ReportDocument, nWarm: number, nVaried: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, __filename, '--child'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`benchmark child exited ${code}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as ChildResult);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    p.stdin.end(JSON.stringify({ doc, warm: nWarm, varied: nVaried }));
  });
}

async function naiveBaseline(doc: ReportDocument, n: number): Promise<number[]> {
  const { pdfFontInputs, renderPdfWithoutCaches } = load('../activities/report/render-pdf') as RenderPdfModule;
  const { resolveReportFonts } = load('../activities/report/fonts') as FontsModule;
  const fonts = resolveReportFonts({});
  const inputs = pdfFontInputs(fonts);
  await renderPdfWithoutCaches(doc, fonts, inputs); // JIT warm-up, not counted
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    await renderPdfWithoutCaches(doc, fonts, inputs);
    times.push(performance.now() - a);
  }
  return times;
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) return child();
  const nWarm = arg('--warm', 50);
  const nNaive = arg('--naive', 10);
  const nVaried = arg('--varied', 20);
  const { doc, source } = await loadDocument();

  const fresh = await runChild(doc, nWarm, nVaried);
  const naive = await naiveBaseline(doc, nNaive);

  const f = (x: number) => `${x.toFixed(0)} ms`.padStart(8);
  const row = (label: string, xs: number[]) => `${label.padEnd(48)}${f(median(xs))}${f(ms(xs, 0.95))}${String(xs.length).padStart(6)}`;
  const lines = [
    `document: ${source}`,
    `          ${fresh.pages} pages, PDF ${(fresh.pdfBytes / 1024).toFixed(0)} KB (sha256 ${fresh.pdfSha256.slice(0, 12)}…, ${fresh.identical ? 'byte-identical' : 'NOT identical'} across ${nWarm + 1} renders), DOCX ${(fresh.docxBytes / 1024).toFixed(0)} KB`,
    '',
    `${'PDF render'.padEnd(48)}${'median'.padStart(8)}${'p95'.padStart(8)}${'n'.padStart(6)}`,
    row('naive pdfmake (new printer, fonts read+parsed)', naive),
    row('cached, warm, same document', fresh.warm),
    row('cached, warm, text varied every render', fresh.varied),
    `${'cold: first render in a fresh process'.padEnd(48)}${f(fresh.coldMs)}   (module load ${fresh.loadMs.toFixed(0)} ms + fonts and first render ${fresh.firstRenderMs.toFixed(0)} ms)`,
    `${'speed-up, warm median vs naive median'.padEnd(48)}${`${(median(naive) / median(fresh.warm)).toFixed(1)}×`.padStart(8)}`,
    row('DOCX render, warm', fresh.docx),
    `${'peak RSS of the benchmark child'.padEnd(48)}${`${(fresh.maxRssKb / 1024).toFixed(0)} MB`.padStart(8)}`,
  ];
  console.log(lines.join('\n'));
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
