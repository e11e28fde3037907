/**
 * ReportDocument → DOCX with the `docx` package, for finance officers to edit the narrative in
 * WPS or Word: the same blocks as the PDF, with Word's built-in Title and Heading 1–4 styles (so
 * the navigation pane lists the outline), A4 with the GB/T 9704 margins, page numbers "— N —" in
 * the footer (none on the cover) and a real text watermark "草稿" on drafts.
 *
 * Fonts follow what finance offices use: 仿宋_GB2312 for the body, 黑体 for level-1 headings,
 * 楷体_GB2312 for level 2, 方正小标宋简体 for the title; Word and WPS substitute any that are
 * missing. Latin letters and digits use Times New Roman.
 *
 * Reproducible output: docx stamps the core properties with the current time and the zip
 * entries with the current time; we give docProps/core.xml ourselves (dates from
 * `meta.reportDate` at 00:00 +08:00) and set every zip entry's DOS time stamp to that date, so
 * the same document gives the same bytes.
 */
import { createHash } from 'node:crypto';
import {
  AlignmentType,
  Document,
  Footer,
  Header,
  HeadingLevel,
  LineRuleType,
  PageBreak,
  PageNumber,
  Packer,
  Paragraph,
  Tab,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type IRunOptions,
  type ParagraphChild,
} from 'docx';
import { TextWatermark } from 'docx/watermarks';
import type { Align, Block, Cell, Column, Inline, ReportDocument } from '../../domain/report/content';

// Units: twips (1/20 pt) for lengths, half-points for font sizes.
const TWIPS_PER_MM = 1440 / 25.4;
const mm = (v: number) => Math.round(v * TWIPS_PER_MM);
const PAGE = { width: 11906, height: 16838 } as const; // A4
const MARGIN = { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26) } as const;
const TEXT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
/** GB/T 9704: 22 lines in the 225 mm text block. */
const BODY_LINE = Math.round(mm(225) / 22); // ≈ 579 twips = 28.9 pt
const BODY_SIZE = 32; // 三号, 16 pt
const INDENT = 2 * 16 * 20; // two characters of 三号

const FONT = {
  body: '仿宋_GB2312',
  h1: '黑体',
  h2: '楷体_GB2312',
  title: '方正小标宋简体',
  latin: 'Times New Roman',
  pageNumber: '宋体',
} as const;

const eastAsian = (name: string) => ({ eastAsia: name, ascii: FONT.latin, hAnsi: FONT.latin, cs: FONT.latin });

const ALIGN: Record<Align, (typeof AlignmentType)[keyof typeof AlignmentType]> = {
  left: AlignmentType.LEFT,
  center: AlignmentType.CENTER,
  right: AlignmentType.RIGHT,
  justify: AlignmentType.BOTH,
};

function runs(text: string | Inline[], base: IRunOptions = {}): TextRun[] {
  const list = typeof text === 'string' ? [text] : text;
  return list.flatMap((r) => {
    const t = typeof r === 'string' ? r : r.text;
    const bold = typeof r === 'string' ? base.bold : (r.bold ?? base.bold);
    // Line breaks inside a run become Word line breaks.
    return t.split('\n').map((part, i) => new TextRun({ ...base, text: part, bold, break: i > 0 ? 1 : undefined }));
  });
}

/** Splits "附件1 标题" into the label (left, 黑体) and the annex's own title (centred). */
function splitAnnexTitle(title: string): { label?: string; title: string } {
  const m = /^(附件\s*[0-9０-９一二三四五六七八九十]+)[\s\u3000:：]*(.*)$/u.exec(title.trim());
  if (!m?.[1]) return { title: title.trim() };
  return { label: m[1], title: m[2] ?? '' };
}

function columnWidths(columns: Column[]): number[] {
  const weights = columns.map((c) => (c.width !== undefined && c.width > 0 ? c.width : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => Math.floor((TEXT_WIDTH * w) / total));
  // Give the rounding remainder to the last column so the table is exactly the text width.
  const rest = TEXT_WIDTH - widths.reduce((a, b) => a + b, 0);
  if (widths.length > 0) widths[widths.length - 1] = (widths[widths.length - 1] ?? 0) + rest;
  return widths;
}

function cellParagraph(text: string | Inline[], size: number, align: Align, bold: boolean, keepNext = false): Paragraph {
  return new Paragraph({
    alignment: ALIGN[align],
    ...(keepNext ? { keepNext: true } : {}),
    spacing: { line: 240, lineRule: LineRuleType.AUTO, before: 0, after: 0 },
    children: runs(text, { size, bold, font: eastAsian(FONT.body) }),
  });
}

function tableBlock(block: Extract<Block, { kind: 'table' }>): Array<Paragraph | Table> {
  const size = block.dense ? 18 : 21; // 小五 9 pt, 五号 10.5 pt
  const widths = columnWidths(block.columns);
  const out: Array<Paragraph | Table> = [];
  if (block.caption) {
    out.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        keepNext: true,
        spacing: { before: 120, after: 60, line: 360, lineRule: LineRuleType.AUTO },
        children: runs(block.caption, { size: 24, font: eastAsian(FONT.h1) }),
      }),
    );
  }
  const cellOptions = { verticalAlign: VerticalAlignTable.CENTER, margins: { left: 57, right: 57, top: 28, bottom: 28 } };
  const header = new TableRow({
    tableHeader: true,
    children: block.columns.map(
      (c, i) =>
        new TableCell({ ...cellOptions, width: { size: widths[i] ?? 0, type: WidthType.DXA }, children: [cellParagraph(c.header, size, 'center', true)] }),
    ),
  });
  // Word keeps a table on one page when no row may split and every row keeps with the next.
  const together = block.keepTogether === true;
  const rows = block.rows.map(
    (row, r) =>
      new TableRow({
        ...(together ? { cantSplit: true } : {}),
        children: block.columns.flatMap((c, i) => {
          const given = row[i];
          const cell: Cell = given === undefined ? '' : given; // `null` is a covered cell, not an empty one
          const keepNext = together && r < block.rows.length - 1;
          if (cell === null) return []; // covered by a span; docx writes the continuation cells
          if (typeof cell === 'string') {
            return [new TableCell({ ...cellOptions, width: { size: widths[i] ?? 0, type: WidthType.DXA }, children: [cellParagraph(cell, size, c.align ?? 'left', false, keepNext)] })];
          }
          const span = cell.colSpan && cell.colSpan > 1 ? cell.colSpan : 1;
          const width = widths.slice(i, i + span).reduce((a, b) => a + b, 0);
          return [
            new TableCell({
              ...cellOptions,
              width: { size: width, type: WidthType.DXA },
              ...(span > 1 ? { columnSpan: span } : {}),
              ...(cell.rowSpan && cell.rowSpan > 1 ? { rowSpan: cell.rowSpan } : {}),
              children: [cellParagraph(cell.text, size, cell.align ?? c.align ?? 'left', cell.bold === true, keepNext)],
            }),
          ];
        }),
      }),
  );
  out.push(
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: widths,
      layout: TableLayoutType.FIXED,
      rows: block.headerRow === false ? rows : [header, ...rows],
    }),
  );
  out.push(
    new Paragraph({
      spacing: { before: 40, after: 120, line: 240, lineRule: LineRuleType.AUTO },
      children: block.note ? runs(block.note, { size, font: eastAsian(FONT.body) }) : [],
    }),
  );
  return out;
}

function coverBlock(block: Extract<Block, { kind: 'cover' }>): Paragraph[] {
  const out: Paragraph[] = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 2600, after: 240, line: 840, lineRule: LineRuleType.EXACT },
      children: runs(block.title, { size: 52, font: eastAsian(FONT.title) }),
    }),
  ];
  if (block.subtitle) {
    out.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        spacing: { after: 240, line: 700, lineRule: LineRuleType.EXACT },
        children: runs(block.subtitle, { size: 44, font: eastAsian(FONT.title) }),
      }),
    );
  }
  block.lines.forEach((l, i) => {
    out.push(
      new Paragraph({
        indent: { left: 960 },
        spacing: { before: i === 0 ? 2200 : 0, line: 560, lineRule: LineRuleType.EXACT },
        children: [...runs(`${l.label}：`, { size: BODY_SIZE, font: eastAsian(FONT.h1) }), ...runs(l.value, { size: BODY_SIZE })],
      }),
    );
  });
  out.push(
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 2400, line: BODY_LINE, lineRule: LineRuleType.EXACT },
      children: [...runs(block.dateText, { size: BODY_SIZE }), new PageBreak()],
    }),
  );
  return out;
}

const HEADING = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3, 4: HeadingLevel.HEADING_4 } as const;

function blockElements(block: Block): Array<Paragraph | Table> {
  switch (block.kind) {
    case 'cover':
      return coverBlock(block);
    case 'title':
      return [new Paragraph({ heading: HeadingLevel.TITLE, children: runs(block.text) })];
    case 'heading':
      return [new Paragraph({ heading: HEADING[block.level], children: runs(block.text) })];
    case 'paragraph':
      return [
        new Paragraph({
          indent: { firstLine: block.indent === false ? 0 : INDENT },
          ...(block.align ? { alignment: ALIGN[block.align] } : {}),
          children: runs(block.text),
        }),
      ];
    case 'table':
      return tableBlock(block);
    case 'annex': {
      const { label, title } = splitAnnexTitle(block.title);
      const out: Paragraph[] = [];
      if (label) {
        out.push(
          new Paragraph({
            pageBreakBefore: true,
            keepNext: true,
            indent: { firstLine: 0 },
            alignment: AlignmentType.LEFT,
            children: runs(label, { font: eastAsian(FONT.h1) }),
          }),
        );
      }
      if (title) {
        out.push(
          new Paragraph({
            pageBreakBefore: !label,
            keepNext: true,
            indent: { firstLine: 0 },
            alignment: AlignmentType.CENTER,
            spacing: { before: 120, after: 240, line: 640, lineRule: LineRuleType.EXACT },
            children: runs(title, { size: 40, font: eastAsian(FONT.title) }),
          }),
        );
      }
      return out;
    }
    case 'pageBreak':
      return [new Paragraph({ children: [new PageBreak()] })];
  }
}

function footer(versionLabel: string | undefined, withNumber: boolean): Footer {
  const children: ParagraphChild[] = [
    new TextRun({ children: withNumber ? [new Tab(), '— ', PageNumber.CURRENT, ' —'] : [new Tab()], size: 28, font: eastAsian(FONT.pageNumber) }),
  ];
  if (versionLabel) children.push(new TextRun({ children: [new Tab(), versionLabel], size: 18, color: '555555', font: eastAsian(FONT.body) }));
  return new Footer({
    children: [
      new Paragraph({
        indent: { firstLine: 0 },
        spacing: { line: 240, lineRule: LineRuleType.AUTO },
        tabStops: [
          { type: TabStopType.CENTER, position: Math.round(TEXT_WIDTH / 2) },
          { type: TabStopType.RIGHT, position: TEXT_WIDTH },
        ],
        children,
      }),
    ],
  });
}

/**
 * Runs `make` with `Math.random` replaced by a PRNG seeded from `seed`. docx names each
 * watermark shape with a random id (nanoid over Math.random) when it is constructed; seeding it
 * here, synchronously and only for that constructor call, makes the id a function of the
 * document. Nothing else runs in between, since the call is synchronous.
 */
function withSeededRandom<T>(seed: string, make: () => T): T {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  const seeded = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const original = Math.random;
  Math.random = seeded;
  try {
    return make();
  } finally {
    Math.random = original;
  }
}

function watermarkHeader(watermark: TextWatermark | undefined): Header {
  return new Header({ children: [new Paragraph({ indent: { firstLine: 0 }, children: watermark ? [watermark] : [] })] });
}

function draftWatermarks(meta: ReportDocument['meta']): [TextWatermark, TextWatermark] | [] {
  if (!meta.draft) return [];
  const make = () => new TextWatermark({ text: '草稿', font: FONT.h1, color: 'D0D0D0', opacity: 0.5, layout: 'diagonal' });
  return withSeededRandom(`${meta.title}\0${meta.reportDate}\0${meta.versionLabel ?? ''}`, () => [make(), make()]);
}

function reportDateUtc(reportDate: string): Date {
  const d = new Date(`${reportDate}T00:00:00+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(reportDate) || Number.isNaN(d.getTime())) throw new Error(`meta.reportDate is not a YYYY-MM-DD date: ${reportDate}`);
  return d;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** docProps/core.xml with fixed dates (docx would stamp the current time). */
function coreProperties(meta: ReportDocument['meta']): string {
  const when = reportDateUtc(meta.reportDate).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${xmlEscape(meta.title)}</dc:title>` +
    `<dc:subject>${xmlEscape(meta.subject)}</dc:subject>` +
    `<dc:creator>${xmlEscape(meta.author)}</dc:creator>` +
    `<cp:lastModifiedBy>${xmlEscape(meta.author)}</cp:lastModifiedBy>` +
    '<cp:revision>1</cp:revision>' +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

/**
 * Sets the DOS modification time of every entry (local headers and central directory) to the
 * given civil date at 00:00. Zip time stamps are local time without a zone, so the civil date
 * is written as it is.
 */
export function stampZipEntries(zip: Buffer, civilDate: string): Buffer {
  const [y, mo, d] = civilDate.split('-').map(Number) as [number, number, number];
  const dosDate = ((Math.max(1980, y) - 1980) << 9) | (mo << 5) | d;
  const dosTime = 0;
  const out = Buffer.from(zip);
  // End of central directory: signature 0x06054b50, at least 22 bytes from the end.
  let eocd = -1;
  for (let i = out.length - 22; i >= Math.max(0, out.length - 22 - 0xffff); i--) {
    if (out.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file: no end of central directory');
  const entries = out.readUInt16LE(eocd + 10);
  let p = out.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (out.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    out.writeUInt16LE(dosTime, p + 12);
    out.writeUInt16LE(dosDate, p + 14);
    const local = out.readUInt32LE(p + 42);
    if (out.readUInt32LE(local) !== 0x04034b50) throw new Error('corrupt zip local header');
    out.writeUInt16LE(dosTime, local + 10);
    out.writeUInt16LE(dosDate, local + 12);
    p += 46 + out.readUInt16LE(p + 28) + out.readUInt16LE(p + 30) + out.readUInt16LE(p + 32);
  }
  return out;
}

/** Builds the docx `Document` (exported for tests that inspect it before packing). */
export function docxDocument(doc: ReportDocument): Document {
  const hasCover = doc.blocks[0]?.kind === 'cover';
  const watermarks = draftWatermarks(doc.meta);
  const body = { font: eastAsian(FONT.body), size: BODY_SIZE };
  const bodyParagraph = { spacing: { line: BODY_LINE, lineRule: LineRuleType.EXACT, before: 0, after: 0 } };
  // Outline levels make WPS (and Word, for styles it does not take as built-in) list the headings
  // in the navigation pane.
  const heading = (font: string, outlineLevel: number) => ({
    run: { font: eastAsian(font), size: BODY_SIZE, bold: false, color: '000000', italics: false },
    paragraph: { ...bodyParagraph, indent: { firstLine: INDENT }, keepNext: true, keepLines: true, alignment: AlignmentType.LEFT, outlineLevel },
  });
  return new Document({
    title: doc.meta.title,
    subject: doc.meta.subject,
    creator: doc.meta.author,
    lastModifiedBy: doc.meta.author,
    styles: {
      default: {
        document: {
          run: { ...body, language: { value: 'zh-CN', eastAsia: 'zh-CN' } },
          // No first-line indent here: table cells, captions and the cover would inherit it.
          paragraph: { ...bodyParagraph, alignment: AlignmentType.BOTH },
        },
        title: {
          run: { font: eastAsian(FONT.title), size: 44, bold: false, color: '000000' },
          paragraph: { alignment: AlignmentType.CENTER, indent: { firstLine: 0 }, spacing: { line: 700, lineRule: LineRuleType.EXACT, before: 0, after: 300 }, keepNext: true },
        },
        heading1: heading(FONT.h1, 0),
        heading2: heading(FONT.h2, 1),
        heading3: heading(FONT.body, 2),
        heading4: heading(FONT.body, 3),
      },
    },
    sections: [
      {
        properties: {
          titlePage: hasCover,
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { top: MARGIN.top, bottom: MARGIN.bottom, left: MARGIN.left, right: MARGIN.right, header: mm(15), footer: mm(22), gutter: 0 },
          },
        },
        headers: { default: watermarkHeader(watermarks[0]), ...(hasCover ? { first: watermarkHeader(watermarks[1]) } : {}) },
        footers: { default: footer(doc.meta.versionLabel, true), ...(hasCover ? { first: footer(doc.meta.versionLabel, false) } : {}) },
        children: doc.blocks.flatMap(blockElements),
      },
    ],
  });
}

/** Renders the report as a DOCX; the same document gives the same bytes. */
export async function renderDocx(doc: ReportDocument): Promise<Buffer> {
  const packed = await Packer.toBuffer(docxDocument(doc), false, [{ path: 'docProps/core.xml', data: coreProperties(doc.meta) }]);
  return stampZipEntries(packed, doc.meta.reportDate);
}
