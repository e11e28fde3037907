/**
 * The report's content, independent of the file format: the section functions build these
 * blocks from the view model, and two renderers turn the same blocks into a PDF (pdfmake) and a
 * DOCX (docx). Headings carry their full numbered text ("二、一般公共预算支出情况"); numbering is
 * decided when composing, never by a renderer.
 */

/** A run of text inside a paragraph or cell. */
export type Inline = string | { text: string; bold?: boolean };

export type Align = 'left' | 'center' | 'right' | 'justify';

export interface CellObject {
  text: string | Inline[];
  bold?: boolean;
  align?: Align;
  /** Spans this many columns; the covered cells in the same row are `null`. */
  colSpan?: number;
  /** Spans this many rows; the covered cells below are `null`. */
  rowSpan?: number;
}
/** `null` marks a cell covered by a span from the left or from above. */
export type Cell = string | CellObject | null;

export interface Column {
  header: string;
  /** Relative width (star units); columns without one share what is left. */
  width?: number;
  align?: Align;
}

export type Block =
  /** The cover page: title lines, unit, year, date; followed by a page break. */
  | { kind: 'cover'; title: string; subtitle?: string; lines: Array<{ label: string; value: string }>; dateText: string }
  /** The report title on the first text page (larger, bold, centred). */
  | { kind: 'title'; text: string }
  /** Level 1: 一、… ; level 2: （一）… ; level 3: 1. … ; level 4: （1）… */
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; text: string }
  /** Body paragraph; first line indented two characters unless `indent` is false. */
  | { kind: 'paragraph'; text: string | Inline[]; indent?: boolean; align?: Align }
  | {
      kind: 'table';
      /** Caption above the table, e.g. "表1 项目支出明细（金额单位：万元）". */
      caption?: string;
      columns: Column[];
      rows: Cell[][];
      /** A note below the table (sources, units, rounding). */
      note?: string;
      /** Smaller type for wide annex tables. */
      dense?: boolean;
      /**
       * `false`: no row of column headers — a form whose rows carry their own labels (the
       * 项目支出绩效自评表); the columns still give the widths and the default alignment.
       */
      headerRow?: boolean;
      /** Keep caption, table and note on one page when they fit on one (a form that must not be split). */
      keepTogether?: boolean;
    }
  /** Annexes start on a new page with their title. */
  | { kind: 'annex'; title: string }
  | { kind: 'pageBreak' };

export interface ReportDocument {
  meta: {
    /** Document title (PDF metadata, DOCX core properties). */
    title: string;
    author: string;
    /** Subject line, e.g. "部门整体支出绩效自评报告". */
    subject: string;
    /** Civil date the report is dated (YYYY-MM-DD); also the PDF creation date, so renders are reproducible. */
    reportDate: string;
    /** Drafts carry a 草稿 watermark on every page. */
    draft: boolean;
    /** Shown in the footer with the page number, e.g. "第 3 版". */
    versionLabel?: string;
  };
  blocks: Block[];
}
