/**
 * ReportDocument → PDF with pdfmake 0.2 (Node API: `pdfmake/src/printer`, over the pdfkit fork
 * `@foliojs-fork/pdfkit` and `@foliojs-fork/fontkit`).
 *
 * Layout follows GB/T 9704 practice for printed official documents: A4, margins 37/26/35/28 mm
 * (top/right/bottom/left, a 156 × 225 mm text block), body in 三号 (16 pt) at 22 lines a page,
 * paragraphs and headings indented two characters, page numbers "— N —" centred 7 mm below the
 * text block, none on the cover.
 *
 * Reproducible output: the same ReportDocument (and the same font files) gives the same bytes.
 * pdfkit's only time- or chance-dependent values are the Info dates (`new Date()` unless given)
 * and the trailer /ID (an MD5 of the Info dictionary); we give both dates from `meta.reportDate`
 * at 00:00 +08:00 and replace the /ID with an MD5 of the document's content and font identity.
 * Font subset tags derive from pdfkit's per-document font counter, so they are stable too.
 *
 * Speed: see "Engine patches" below — fonts are read and parsed once per process, shaping is
 * cached per process, text is drawn a run at a time instead of a character at a time, and font
 * subsets keep only the subroutines they use. Per report pdfmake lays out, subsets and
 * compresses. The output is the same, pixel for pixel, as plain pdfmake's (tests compare them).
 *
 * Exports: `renderPdf` (the API), `warmUpPdfFonts` (optional, at worker start), and for the
 * benchmark and tests `pdfDefinition`, `renderPdfWithoutCaches`, `pdfFontInputs`,
 * `enginePatches`, plus small pure helpers.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Align, Block, Cell, Column, Inline, ReportDocument } from '../../domain/report/content';
import { fontData, resolveReportFonts, type FontFace, type ReportFontSet } from './fonts';

// ---------------------------------------------------------------------------------------------
// Page geometry (points; 1 mm = 72 / 25.4 pt)

const MM = 72 / 25.4;
const PAGE = { width: 595.28, height: 841.89 } as const;
const MARGIN = { top: 37 * MM, bottom: 35 * MM, left: 28 * MM, right: 26 * MM } as const;
/** Width of the text block: 156 mm. */
const TEXT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
/** GB/T 9704: 22 lines in the 225 mm text block, so a line pitch of about 28.9 pt. */
const BODY_LINE = (225 * MM) / 22;
const BODY_SIZE = 16;
/** First-line indent: two full-width characters of body type. */
const INDENT = 2 * BODY_SIZE;

const TABLE_SIZE = 10.5;
const TABLE_SIZE_DENSE = 9;
const TABLE_LINE = 1.3; // × the type size
const TABLE_PAD_X = 3;
const TABLE_PAD_Y = 2.5;
const RULE = 0.5;

// ---------------------------------------------------------------------------------------------
// pdfmake / pdfkit / fontkit, loaded through the same resolution pdfmake itself uses so that the
// fontkit we wrap is the instance pdfkit calls.

interface FontkitFont {
  unitsPerEm: number;
  ascent: number;
  descent: number;
  capHeight: number;
  layout(text: string): { glyphs: Array<{ path: { commands: Array<{ command: string; args: number[] }> } }>; positions: Array<{ xAdvance: number }> };
}
interface Fontkit {
  create(buffer: Buffer, postscriptName?: string): FontkitFont;
}
interface PdfKitDocument {
  _id: Buffer;
  on(event: 'pageAdded', listener: () => void): this;
  save(): this;
  restore(): this;
  fillColor(color: string): this;
  fillOpacity(opacity: number): this;
  addContent(ops: string): this;
  fill(): this;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  end(): void;
}
type FontDescriptors = Record<string, { normal: string | Buffer; bold: string | Buffer; italics: string | Buffer; bolditalics: string | Buffer }>;
interface PdfPrinter {
  createPdfKitDocument(definition: DocDefinition, options?: Record<string, unknown>): PdfKitDocument;
}
type PdfPrinterClass = new (fonts: FontDescriptors) => PdfPrinter;

const requireHere = createRequire(__filename);
const pdfmakeEntry = requireHere.resolve('pdfmake/src/printer');
const PdfPrinterCtor = requireHere(pdfmakeEntry) as PdfPrinterClass;
const pdfkitEntry = createRequire(pdfmakeEntry).resolve('@foliojs-fork/pdfkit');
const fontkit = createRequire(pdfkitEntry)('@foliojs-fork/fontkit') as Fontkit;

// ---------------------------------------------------------------------------------------------
// Engine patches. A plain pdfmake render of a CJK report spends its time on per-report work that
// does not depend on the report: reading and parsing two 8 MB OpenType fonts (≈ 85 % of a naive
// render of a short report), shaping every character again, and drawing every character as its
// own text object. Small patches, each applied once and each limited to our fonts or our
// renders, take that work out of the per-report path:
//
//  1. `fontkit.create` returns the font parsed the first time for the Buffers we registered
//     (our font files, read once by `fontData`); anything else goes to the original function.
//     Sharing is safe: pdfkit makes a fresh `createSubset()` per document and fontkit's
//     subsetter copies the dictionaries it changes, so the shared font object only accumulates
//     caches (decoded glyphs, layout tables). Up to pdfkit's end() a render is synchronous, and
//     the subset encoding after it reads the font synchronously, so concurrent renders never
//     interleave inside fontkit.
//  2. pdfkit's `EmbeddedFont#layout` shapes text in pieces and caches each piece per document.
//     For our fonts the cache is per process instead (bounded), and CJK characters are their own
//     pieces, so a line of Chinese costs a few cache look-ups, not a shaping pass. Measuring
//     (pdfmake's widthOfString) and drawing go through the same function, so they agree.
//  3. pdfmake lays out CJK text as one inline per character and draws each inline as its own
//     text object (BT … ET with its own transform and colour): ~8 000 text objects for the seed
//     report. After layout, during our renders only, adjacent inlines on a line with the same
//     font, size and colour are merged into one inline — with the justification gap as character
//     spacing (Tc) when every merged inline is a single character, which places the glyphs
//     exactly where the per-character inlines would have been. pdfmake's own renderer carries
//     "TODO: line.optimizeInlines()" at that spot.
//  4. Keeping a heading with what follows makes pdfmake lay the whole document out again
//     (`pageBreakBefore`), measuring every word again. During our renders, each text node's
//     measured words are kept from the first pass and handed back (restored, since layout
//     consumes the list and may cut an over-long word) when the same node is measured again.
//  5. (not a speed-up) Drafts get the 草稿 watermark drawn as outlines at the start of each page,
//     under the text: pdfmake's own watermark is text drawn over the page, which pdftotext and
//     copy-and-paste mix into the body text, and its SVG backgrounds cost ~1 ms a page. During our
//     renders pdfmake's pdfkit factory attaches a `pageAdded` listener (a documented pdfkit event).
//  6. fontkit's CFF subsets keep an index entry for every subroutine of the full font (~25 000
//     for Noto Sans CJK), which made each embedded face ~200 KB and cost ~15 ms to encode per
//     face per report; for our CID-keyed fonts only the subroutines used are kept, renumbered
//     (details at `compactSubset`).
//
// If a future pdfmake/pdfkit no longer has the shapes patched here, the affected patch is not
// applied and rendering stays correct, only slower (`enginePatches()` reports which applied);
// without patch 5, drafts fall back to pdfmake's text watermark.

interface GlyphRun {
  glyphs: unknown[];
  positions: unknown[];
  advanceWidth: number;
}
interface EmbeddedFontLike {
  font: FontkitFont;
  layoutRun: (this: EmbeddedFontLike, text: string, features?: unknown) => GlyphRun;
  layout: (this: EmbeddedFontLike, text: string, features?: unknown, onlyWidth?: boolean) => { glyphs: unknown[] | null; positions: unknown[] | null; advanceWidth: number };
}
interface PdfInline {
  text: string;
  x: number;
  width: number;
  font: unknown;
  fontSize: number;
  color?: unknown;
  opacity?: number;
  characterSpacing?: number;
  fontFeatures?: unknown;
  decoration?: unknown;
  background?: unknown;
  link?: unknown;
  linkToPage?: unknown;
  linkToDestination?: unknown;
  sup?: boolean;
  sub?: boolean;
  _pageNodeRef?: unknown;
}
interface PdfLine {
  inlines: PdfInline[];
  _pageNodeRef?: unknown;
}
interface PdfPage {
  items: Array<{ type: string; item: unknown }>;
}

const patches = { parsedFonts: false, sharedLayout: false, mergedRuns: false, measureMemo: false, pageDecorator: false, compactSubrs: false };
/** Which engine patches are in force (for the benchmark and diagnostics). */
export function enginePatches(): Readonly<typeof patches> {
  return patches;
}

const parsedFontCache = new WeakMap<Buffer, FontkitFont>();
const originalCreate = fontkit.create.bind(fontkit);

function patchFontkitCreate(): void {
  if (patches.parsedFonts) return;
  patches.parsedFonts = true;
  fontkit.create = (buffer: Buffer, postscriptName?: string) => {
    const cached = postscriptName === undefined ? parsedFontCache.get(buffer) : undefined;
    return cached ?? originalCreate(buffer, postscriptName);
  };
}

function parsedFont(face: FontFace): { data: Buffer; font: FontkitFont } {
  const data = fontData(face);
  let font = parsedFontCache.get(data);
  if (!font) {
    font = originalCreate(data);
    parsedFontCache.set(data, font);
  }
  return { data, font };
}

/** Shaped pieces per parsed font; cleared when it grows past this many entries. */
const LAYOUT_CACHE_LIMIT = 50_000;
const layoutCaches = new WeakMap<FontkitFont, Map<string, GlyphRun>>();

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x2e80 && cp <= 0x9fff) || // radicals, CJK punctuation, kana, bopomofo, ext. A, unified
    (cp >= 0xf900 && cp <= 0xfaff) || // compatibility ideographs
    (cp >= 0xfe30 && cp <= 0xfe4f) || // compatibility forms
    (cp >= 0xff00 && cp <= 0xffef) || // full-width forms
    (cp >= 0x20000 && cp <= 0x3ffff) // supplementary ideographs
  );
}

/** Splits text where shaping cannot cross: after spaces/tabs (as pdfkit does) and around each CJK character. */
export function shapingPieces(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) ?? 0;
    const len = cp > 0xffff ? 2 : 1;
    if (isCjk(cp)) {
      if (start < i) pieces.push(text.slice(start, i));
      pieces.push(text.slice(i, i + len));
      start = i + len;
    } else if (cp === 0x20 || cp === 0x09) {
      pieces.push(text.slice(start, i + len));
      start = i + len;
    }
    i += len;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

function patchSharedLayout(embeddedFontPrototype: EmbeddedFontLike): void {
  if (patches.sharedLayout) return;
  if (typeof embeddedFontPrototype.layout !== 'function' || typeof embeddedFontPrototype.layoutRun !== 'function') return;
  patches.sharedLayout = true;
  const original = embeddedFontPrototype.layout;
  embeddedFontPrototype.layout = function (this: EmbeddedFontLike, text: string, features?: unknown, onlyWidth?: boolean) {
    const cache = features ? undefined : layoutCaches.get(this.font);
    if (!cache) return original.call(this, text, features, onlyWidth);
    const glyphs: unknown[] | null = onlyWidth ? null : [];
    const positions: unknown[] | null = onlyWidth ? null : [];
    let advanceWidth = 0;
    for (const piece of shapingPieces(text)) {
      let run = cache.get(piece);
      if (!run) {
        if (cache.size >= LAYOUT_CACHE_LIMIT) cache.clear();
        run = this.layoutRun(piece);
        cache.set(piece, run);
      }
      if (glyphs && positions) {
        for (const g of run.glyphs) glyphs.push(g);
        for (const p of run.positions) positions.push(p);
      }
      advanceWidth += run.advanceWidth;
    }
    return { glyphs, positions, advanceWidth };
  };
}

const EPSILON = 1e-6;

function plainInline(i: PdfInline): boolean {
  return !i.decoration && !i.background && !i.link && !i.linkToPage && !i.linkToDestination && !i.sup && !i.sub && !i._pageNodeRef && !i.fontFeatures && !i.characterSpacing;
}

function sameLook(a: PdfInline, b: PdfInline): boolean {
  return a.font === b.font && a.fontSize === b.fontSize && a.color === b.color && (a.opacity ?? 1) === (b.opacity ?? 1);
}

function singleCodePoint(s: string): boolean {
  return s.length === 1 || (s.length === 2 && (s.codePointAt(0) ?? 0) > 0xffff);
}

/** Merges runs of adjacent inlines that draw identically as one string (patch 3). */
export function mergeLineInlines(line: PdfLine): void {
  const src = line.inlines;
  if (src.length < 2 || line._pageNodeRef) return;
  const out: PdfInline[] = [];
  let head: PdfInline | undefined;
  let last: PdfInline | undefined;
  let gap: number | undefined;
  const close = () => {
    if (head && last && head !== last) {
      head.width = last.x + last.width - head.x;
      if (gap) head.characterSpacing = gap;
    }
  };
  for (const inline of src) {
    if (head && last && plainInline(inline) && sameLook(head, inline)) {
      let g = inline.x - (last.x + last.width);
      if (Math.abs(g) < EPSILON) g = 0;
      const gapFits = gap === undefined || Math.abs(g - gap) < EPSILON;
      // Character spacing (Tc) applies after every glyph, so a spaced run may hold single characters only.
      if (gapFits && (g === 0 || (singleCodePoint(last.text) && singleCodePoint(inline.text)))) {
        if (head === last) head = out[out.length - 1] = { ...head };
        head.text += inline.text;
        gap = g;
        last = inline;
        continue;
      }
    }
    close();
    out.push(inline);
    head = plainInline(inline) ? inline : undefined;
    last = inline;
    gap = undefined;
  }
  close();
  line.inlines = out;
}

let ourRenders = 0;

function patchMergedRuns(layoutBuilderPrototype: { layoutDocument: (...args: unknown[]) => PdfPage[] }): void {
  if (patches.mergedRuns || typeof layoutBuilderPrototype.layoutDocument !== 'function') return;
  patches.mergedRuns = true;
  const original = layoutBuilderPrototype.layoutDocument;
  layoutBuilderPrototype.layoutDocument = function (this: unknown, ...args: unknown[]) {
    const pages = original.apply(this, args);
    if (ourRenders > 0) {
      for (const page of pages) {
        for (const item of page.items) if (item.type === 'line') mergeLineInlines(item.item as PdfLine);
      }
    }
    return pages;
  };
}

interface MeasuredLeaf {
  text: unknown;
  items: PdfInline[];
  texts: string[];
  widths: number[];
  minWidth: unknown;
  maxWidth: unknown;
}
interface LeafNode {
  text?: unknown;
  _textRef?: unknown;
  _inlines?: PdfInline[];
  _minWidth?: unknown;
  _maxWidth?: unknown;
}
const measuredLeaves = new WeakMap<object, MeasuredLeaf>();

function patchMeasureMemo(docMeasurePrototype: { measureLeaf: (node: LeafNode) => LeafNode }): void {
  if (patches.measureMemo || typeof docMeasurePrototype.measureLeaf !== 'function') return;
  patches.measureMemo = true;
  const original = docMeasurePrototype.measureLeaf;
  docMeasurePrototype.measureLeaf = function (this: unknown, node: LeafNode) {
    if (ourRenders === 0 || node._textRef) return original.call(this, node);
    const memo = measuredLeaves.get(node);
    if (memo && memo.text === node.text) {
      // Layout consumed the array and may have cut an over-long word: restore both.
      memo.items.forEach((item, k) => {
        item.text = memo.texts[k] ?? item.text;
        item.width = memo.widths[k] ?? item.width;
      });
      node._inlines = memo.items.slice();
      node._minWidth = memo.minWidth;
      node._maxWidth = memo.maxWidth;
      return node;
    }
    const measured = original.call(this, node);
    const items = measured._inlines ?? [];
    measuredLeaves.set(node, {
      text: node.text,
      items: items.slice(),
      texts: items.map((i) => i.text),
      widths: items.map((i) => i.width),
      minWidth: measured._minWidth,
      maxWidth: measured._maxWidth,
    });
    return measured;
  };
}

// ---------------------------------------------------------------------------------------------
// Patch 6 (see the list above): compact CFF subroutines in font subsets.
//
// fontkit subsets a CFF font by keeping every subroutine slot and blanking the unused ones, so
// each embedded Noto Sans subset carries index entries for all ~25 000 subroutines of the full
// font: ~200 KB per face and ~15 ms of encoding per face per report. For CID-keyed CFF fonts we
// renumber instead: only the subroutines the subset's glyphs call are kept, in their original
// order, and the subroutine numbers in the charstrings and subroutines are rewritten (the
// number pushed right before each callsubr/callgsubr). What each glyph calls, and where those
// numbers sit, is worked out once per glyph and kept with the parsed font. Anything unusual
// (arithmetic operators, a subroutine number not written just before its call, callsubr inside a
// global subroutine, seac) makes that subset fall back to fontkit's own encoding.

interface CffIndexEntry {
  offset: number;
  length: number;
}
interface CffFontLike {
  isCIDFont: boolean;
  stream: { pos: number; readBuffer(length: number): Buffer };
  globalSubrIndex: CffIndexEntry[];
  topDict: {
    FDArray?: Array<{ Private?: { Subrs?: CffIndexEntry[] } | null; FontName?: unknown }>;
    Private?: { Subrs?: CffIndexEntry[] } | null;
  };
  getCharString(gid: number): Buffer;
  fdForGlyph(gid: number): number | null;
}
interface CffSubsetLike {
  font: { 'CFF ': CffFontLike };
  cff: CffFontLike;
  glyphs: number[];
  charstrings: Buffer[];
  gsubrs: Buffer[];
  compacted?: Map<number, Buffer[]>;
  subsetCharstrings: (this: CffSubsetLike) => void;
  subsetFontdict: (this: CffSubsetLike, topDict: Record<string, unknown>) => void;
}

/** A subroutine number written in a charstring: bytes [start, end) push `index − bias`. */
interface CallSite {
  start: number;
  end: number;
  global: boolean;
  index: number;
}
/** Per charstring or subroutine: its call sites. Per glyph: the subroutines it reaches. */
interface CffAnalysis {
  glyphs: Map<number, { local: number[]; global: number[] } | null>;
  localSites: Map<string, CallSite[]>; // key `${fd}:${index}`
  globalSites: Map<number, CallSite[]>;
  charstringSites: Map<number, CallSite[]>;
}
const cffAnalyses = new WeakMap<CffFontLike, CffAnalysis>();

export function subrBias(count: number): number {
  return count < 1240 ? 107 : count < 33900 ? 1131 : 32768;
}

/** Type 2 charstring integer operand. */
export function encodeCharstringInt(v: number): Buffer {
  if (v >= -107 && v <= 107) return Buffer.from([v + 139]);
  if (v >= 108 && v <= 1131) {
    const w = v - 108;
    return Buffer.from([(w >> 8) + 247, w & 0xff]);
  }
  if (v >= -1131 && v <= -108) {
    const w = -v - 108;
    return Buffer.from([(w >> 8) + 251, w & 0xff]);
  }
  const b = Buffer.alloc(3);
  b[0] = 28;
  b.writeInt16BE(v, 1);
  return b;
}

class Unsupported extends Error {}

function subrBytes(cff: CffFontLike, entry: CffIndexEntry): Buffer {
  cff.stream.pos = entry.offset;
  return cff.stream.readBuffer(entry.length);
}

/** Walks one glyph's charstring and the subroutines it calls (as fontkit's interpreter does). */
function analyseGlyph(cff: CffFontLike, a: CffAnalysis, gid: number): { local: number[]; global: number[] } {
  const fd = cff.isCIDFont ? cff.fdForGlyph(gid) : null;
  const localSubrs = (cff.isCIDFont ? (fd === null ? undefined : cff.topDict.FDArray?.[fd]?.Private?.Subrs) : cff.topDict.Private?.Subrs) ?? [];
  const globalSubrs = cff.globalSubrIndex ?? [];
  const localBias = subrBias(localSubrs.length);
  const globalBias = subrBias(globalSubrs.length);
  const usedLocal = new Set<number>();
  const usedGlobal = new Set<number>();
  let stems = 0;
  let stack: Array<{ value: number; start: number; end: number; buffer: Buffer }> = [];
  let ended = false;

  const run = (bytes: Buffer, sites: CallSite[] | undefined, inGlobal: boolean, depth: number): void => {
    if (depth > 10) throw new Unsupported('subroutine nesting');
    let i = 0;
    while (i < bytes.length && !ended) {
      const b = bytes[i] ?? 0;
      if (b >= 32 || b === 28) {
        let value: number;
        const start = i;
        if (b === 28) {
          value = bytes.readInt16BE(i + 1);
          i += 3;
        } else if (b <= 246) {
          value = b - 139;
          i += 1;
        } else if (b <= 250) {
          value = (b - 247) * 256 + (bytes[i + 1] ?? 0) + 108;
          i += 2;
        } else if (b <= 254) {
          value = -(b - 251) * 256 - (bytes[i + 1] ?? 0) - 108;
          i += 2;
        } else {
          value = bytes.readInt32BE(i + 1) / 65536;
          i += 5;
        }
        stack.push({ value, start, end: i, buffer: bytes });
        continue;
      }
      switch (b) {
        case 1:
        case 3:
        case 18:
        case 23:
          stems += stack.length >> 1;
          stack = [];
          i += 1;
          break;
        case 19:
        case 20:
          stems += stack.length >> 1;
          stack = [];
          i += 1 + ((stems + 7) >> 3);
          break;
        case 10:
        case 29: {
          const global = b === 29;
          if (!global && inGlobal) throw new Unsupported('callsubr inside a global subroutine');
          const top = stack.pop();
          if (!top || top.buffer !== bytes || top.end !== i || !Number.isInteger(top.value)) throw new Unsupported('computed subroutine number');
          const index = top.value + (global ? globalBias : localBias);
          const entry = global ? globalSubrs[index] : localSubrs[index];
          if (!entry) throw new Unsupported('subroutine out of range');
          sites?.push({ start: top.start, end: top.end, global, index });
          i += 1;
          const known = global ? a.globalSites.get(index) : a.localSites.get(`${fd}:${index}`);
          let ownSites: CallSite[] | undefined;
          if (!known) {
            ownSites = [];
            if (global) a.globalSites.set(index, ownSites);
            else a.localSites.set(`${fd}:${index}`, ownSites);
          }
          (global ? usedGlobal : usedLocal).add(index);
          run(subrBytes(cff, entry), ownSites, global, depth + 1);
          // A subroutine's own sites are recorded the first time it is walked; walking it again
          // (for its effect on the stack and the stem count) still records what it calls.
          if (known) for (const site of known) (site.global ? usedGlobal : usedLocal).add(site.index);
          break;
        }
        case 11:
          return;
        case 14:
          if (stack.length >= 4) throw new Unsupported('seac');
          ended = true;
          return;
        case 12: {
          const op = bytes[i + 1] ?? 0;
          if (op < 34 || op > 37) throw new Unsupported(`escape operator ${op}`);
          stack = [];
          i += 2;
          break;
        }
        case 15:
        case 16:
          throw new Unsupported('CFF2 operator');
        default:
          stack = [];
          i += 1;
      }
    }
  };

  const sites: CallSite[] = [];
  run(cff.getCharString(gid), sites, false, 0);
  a.charstringSites.set(gid, sites);
  return { local: [...usedLocal], global: [...usedGlobal] };
}

function rewrite(bytes: Buffer, sites: CallSite[], renumber: (site: CallSite) => number): Buffer {
  if (sites.length === 0) return bytes;
  const parts: Buffer[] = [];
  let at = 0;
  for (const site of sites) {
    parts.push(bytes.subarray(at, site.start), encodeCharstringInt(renumber(site)));
    at = site.end;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

/** Builds the compacted charstrings and subroutines, or returns false to fall back. */
function compactSubset(subset: CffSubsetLike): boolean {
  const cff = subset.cff;
  if (!cff.isCIDFont || !cff.topDict.FDArray) return false;
  let a = cffAnalyses.get(cff);
  if (!a) {
    a = { glyphs: new Map(), localSites: new Map(), globalSites: new Map(), charstringSites: new Map() };
    cffAnalyses.set(cff, a);
  }
  const usedGlobal = new Set<number>();
  const usedLocal = new Map<number, Set<number>>();
  for (const gid of subset.glyphs) {
    let info = a.glyphs.get(gid);
    if (info === undefined) {
      try {
        info = analyseGlyph(cff, a, gid);
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        info = null;
      }
      a.glyphs.set(gid, info);
    }
    if (info === null) return false;
    const fd = cff.fdForGlyph(gid) ?? -1;
    let set = usedLocal.get(fd);
    if (!set) usedLocal.set(fd, (set = new Set()));
    for (const i of info.local) set.add(i);
    for (const i of info.global) usedGlobal.add(i);
  }
  const order = (xs: Iterable<number>) => [...xs].sort((x, y) => x - y);
  const globalOrder = order(usedGlobal);
  const globalNew = new Map(globalOrder.map((old, k) => [old, k]));
  const globalBias = subrBias(globalOrder.length);
  const localNew = new Map<number, Map<number, number>>();
  for (const [fd, set] of usedLocal) localNew.set(fd, new Map(order(set).map((old, k) => [old, k])));
  const renumberFor = (fd: number) => {
    const local = localNew.get(fd);
    const localBias = subrBias(local?.size ?? 0);
    return (site: CallSite) => (site.global ? (globalNew.get(site.index) ?? 0) - globalBias : (local?.get(site.index) ?? 0) - localBias);
  };
  subset.charstrings = subset.glyphs.map((gid) => rewrite(cff.getCharString(gid), a.charstringSites.get(gid) ?? [], renumberFor(cff.fdForGlyph(gid) ?? -1)));
  subset.gsubrs = globalOrder.map((old) => {
    const entry = cff.globalSubrIndex[old];
    return entry ? rewrite(subrBytes(cff, entry), a.globalSites.get(old) ?? [], renumberFor(-2)) : Buffer.from([11]);
  });
  subset.compacted = new Map();
  for (const [fd, mapping] of localNew) {
    const subrs = cff.topDict.FDArray[fd]?.Private?.Subrs ?? [];
    const renumber = renumberFor(fd);
    subset.compacted.set(
      fd,
      [...mapping.keys()].map((old) => {
        const entry = subrs[old];
        return entry ? rewrite(subrBytes(cff, entry), a.localSites.get(`${fd}:${old}`) ?? [], renumber) : Buffer.from([11]);
      }),
    );
  }
  return true;
}

function patchCffSubset(cffSubsetPrototype: CffSubsetLike): void {
  if (patches.compactSubrs) return;
  if (typeof cffSubsetPrototype.subsetCharstrings !== 'function' || typeof cffSubsetPrototype.subsetFontdict !== 'function') return;
  patches.compactSubrs = true;
  const originalCharstrings = cffSubsetPrototype.subsetCharstrings;
  const originalFontdict = cffSubsetPrototype.subsetFontdict;
  cffSubsetPrototype.subsetCharstrings = function (this: CffSubsetLike) {
    if (!layoutCaches.has(this.font as unknown as FontkitFont) || !compactSubset(this)) {
      this.compacted = undefined;
      originalCharstrings.call(this);
    }
  };
  cffSubsetPrototype.subsetFontdict = function (this: CffSubsetLike, topDict: Record<string, unknown>) {
    const compacted = this.compacted;
    if (!compacted) return originalFontdict.call(this, topDict);
    const fdArray: Array<Record<string, unknown>> = [];
    const fds: number[] = [];
    const slot = new Map<number, number>();
    for (const gid of this.glyphs) {
      const fd = this.cff.fdForGlyph(gid);
      if (fd === null) continue;
      let k = slot.get(fd);
      if (k === undefined) {
        k = fdArray.length;
        slot.set(fd, k);
        const dict: Record<string, unknown> = { ...this.cff.topDict.FDArray?.[fd] };
        delete dict.FontName;
        const priv = dict.Private as Record<string, unknown> | null | undefined;
        if (priv && priv.Subrs) {
          const subrs = compacted.get(fd) ?? [];
          dict.Private = { ...priv, Subrs: subrs.length > 0 ? subrs : [Buffer.from([11])] };
        }
        fdArray.push(dict);
      }
      fds.push(k);
    }
    topDict.FDArray = fdArray;
    topDict.FDSelect = { version: 0, fds };
  };
}

/** Set, synchronously around one createPdfKitDocument call, to draw on each new page first. */
let pageDecorator: ((pdf: PdfKitDocument) => void) | undefined;

function patchPageDecorator(engine: { createPdfDocument: (options: unknown) => PdfKitDocument }): void {
  if (patches.pageDecorator || typeof engine.createPdfDocument !== 'function') return;
  patches.pageDecorator = true;
  const original = engine.createPdfDocument;
  engine.createPdfDocument = (options: unknown) => {
    const pdf = original(options);
    const decorate = pageDecorator;
    if (decorate) pdf.on('pageAdded', () => decorate(pdf));
    return pdf;
  };
}

function drawWatermark(ops: string): (pdf: PdfKitDocument) => void {
  return (pdf) => {
    pdf.save();
    pdf.fillColor('#7a7a7a').fillOpacity(0.35);
    pdf.addContent(ops);
    pdf.fill();
    pdf.restore();
  };
}

function applyEnginePatches(sample: Buffer, parsed: FontkitFont[]): void {
  patchFontkitCreate();
  // CFFSubset is not exported either; a CFF font's createSubset() gives an instance.
  const cffFont = parsed.find((f) => (f as unknown as Record<string, unknown>)['CFF '] !== undefined) as unknown as { createSubset(): object } | undefined;
  if (cffFont) patchCffSubset(Object.getPrototypeOf(cffFont.createSubset()) as CffSubsetLike);
  if (!patches.sharedLayout) {
    // EmbeddedFont is not exported; take its prototype from a throwaway document's font.
    const PDFDocument = requireHere(pdfkitEntry) as new (options: object) => { font(src: Buffer): { _font: EmbeddedFontLike } };
    const probe = new PDFDocument({ autoFirstPage: false, font: null });
    patchSharedLayout(Object.getPrototypeOf(probe.font(sample)._font) as EmbeddedFontLike);
  }
  const LayoutBuilder = requireHere(requireHere.resolve('pdfmake/src/layoutBuilder')) as { prototype: { layoutDocument: (...args: unknown[]) => PdfPage[] } };
  patchMergedRuns(LayoutBuilder.prototype);
  patchPageDecorator(requireHere(requireHere.resolve('pdfmake/src/pdfKitEngine')) as { createPdfDocument: (options: unknown) => PdfKitDocument });
  const DocMeasure = requireHere(requireHere.resolve('pdfmake/src/docMeasure')) as { prototype: { measureLeaf: (node: LeafNode) => LeafNode } };
  patchMeasureMemo(DocMeasure.prototype);
}

// ---------------------------------------------------------------------------------------------
// Document definition (pdfmake's input), built from the blocks.

/** pdfmake content node; loosely typed because pdfmake ships no types. */
type Node = Record<string, unknown>;
type DocDefinition = Record<string, unknown>;

/** Vertical metrics pdfmake needs to turn a wanted line pitch into its `lineHeight` factor. */
export interface FontMetrics {
  /** (ascent − descent) / unitsPerEm of the regular and the bold face. */
  regularEm: number;
  boldEm: number;
}

function metricsOf(font: FontkitFont): number {
  return (font.ascent - font.descent) / font.unitsPerEm;
}

const FONT = 'Report';

/** How a run of text looks; `pitch` is the distance between baselines in points. */
interface Look {
  size: number;
  pitch: number;
  bold?: boolean;
  align?: Align;
  color?: string;
}

function lineHeightFor(look: Look, bold: boolean, m: FontMetrics): number {
  return look.pitch / (look.size * (bold ? m.boldEm : m.regularEm));
}

/**
 * A text node with its look on the node itself (no named styles). pdfmake resolves about twenty
 * properties for every word (for Chinese, every character) through its style stack; a shallow
 * stack is the cheapest way through it (copying all properties onto each run was measured and
 * is slower, because pdfmake then copies them onto every word).
 */
function textNode(text: string | Inline[], look: Look, m: FontMetrics, extra: Node = {}): Node {
  const bold = look.bold ?? false;
  const runs = typeof text === 'string' ? text : text.map((r) => (typeof r === 'string' ? r : r.bold === undefined || r.bold === bold ? r.text : { text: r.text, bold: r.bold, lineHeight: lineHeightFor(look, r.bold, m) }));
  return {
    text: runs,
    fontSize: look.size,
    bold,
    lineHeight: lineHeightFor(look, bold, m),
    alignment: look.align ?? 'left',
    color: look.color ?? '#000000',
    ...extra,
  };
}

const LOOK = {
  body: { size: BODY_SIZE, pitch: BODY_LINE, align: 'justify' },
  heading: { size: BODY_SIZE, pitch: BODY_LINE, bold: true },
  subheading: { size: BODY_SIZE, pitch: BODY_LINE },
  title: { size: 22, pitch: 33, bold: true, align: 'center' },
  caption: { size: 12, pitch: 18, bold: true, align: 'center' },
  annexLabel: { size: BODY_SIZE, pitch: BODY_LINE, bold: true },
  annexTitle: { size: 20, pitch: 32, bold: true, align: 'center' },
} satisfies Record<string, Look>;

/** Splits "附件1 标题" into the label (left, bold) and the annex's own title (centred). */
export function splitAnnexTitle(title: string): { label?: string; title: string } {
  const m = /^(附件\s*[0-9０-９一二三四五六七八九十]+)[\s\u3000:：]*(.*)$/u.exec(title.trim());
  if (!m?.[1]) return { title: title.trim() };
  return { label: m[1], title: m[2] ?? '' };
}

/** Column widths in points from star weights (unweighted columns count one star each). */
function columnWidths(columns: Column[]): number[] {
  const n = columns.length;
  const content = TEXT_WIDTH - n * 2 * TABLE_PAD_X - (n + 1) * RULE;
  const weights = columns.map((c) => (c.width !== undefined && c.width > 0 ? c.width : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.floor(((content * w) / total) * 100) / 100);
}

function cellNode(cell: Cell, column: Column | undefined, size: number, m: FontMetrics): Node {
  if (cell === null) return {};
  const pitch = size * TABLE_LINE;
  if (typeof cell === 'string') return textNode(cell, { size, pitch, align: column?.align ?? 'left' }, m);
  const node = textNode(cell.text, { size, pitch, bold: cell.bold === true, align: cell.align ?? column?.align ?? 'left' }, m);
  if (cell.colSpan && cell.colSpan > 1) node.colSpan = cell.colSpan;
  if (cell.rowSpan && cell.rowSpan > 1) node.rowSpan = cell.rowSpan;
  return node;
}

const thinGrid = {
  hLineWidth: () => RULE,
  vLineWidth: () => RULE,
  hLineColor: () => '#000000',
  vLineColor: () => '#000000',
  paddingLeft: () => TABLE_PAD_X,
  paddingRight: () => TABLE_PAD_X,
  paddingTop: () => TABLE_PAD_Y,
  paddingBottom: () => TABLE_PAD_Y,
};

function tableNodes(block: Extract<Block, { kind: 'table' }>, m: FontMetrics, captionKeep: number): Node[] {
  const size = block.dense ? TABLE_SIZE_DENSE : TABLE_SIZE;
  const out: Node[] = [];
  if (block.caption) out.push(textNode(block.caption, LOOK.caption, m, { headlineLevel: captionKeep, margin: [0, 6, 0, 2] }));
  const withHeader = block.headerRow !== false;
  const header = block.columns.map((c) => textNode(c.header, { size, pitch: size * TABLE_LINE, bold: true, align: 'center' }, m));
  // `null` marks a cell covered by a span (pdfmake wants an empty placeholder there); a missing cell is empty text.
  const body = block.rows.map((row) => block.columns.map((c, i) => cellNode(row[i] === undefined ? '' : row[i], c, size, m)));
  out.push({
    table: withHeader
      ? { headerRows: 1, keepWithHeaderRows: 1, dontBreakRows: true, widths: columnWidths(block.columns), body: [header, ...body] }
      : { headerRows: 0, dontBreakRows: true, widths: columnWidths(block.columns), body },
    layout: thinGrid,
    margin: [0, block.caption ? 0 : 6, 0, block.note ? 2 : 8],
    // Without a caption, a table kept together asks for its space itself.
    ...(block.keepTogether && !block.caption ? { headlineLevel: captionKeep } : {}),
  });
  if (block.note) out.push(textNode(block.note, { size, pitch: size * TABLE_LINE }, m, { margin: [0, 0, 0, 8] }));
  return out;
}

function coverNodes(block: Extract<Block, { kind: 'cover' }>, m: FontMetrics): Node[] {
  const stack: Node[] = [textNode(block.title, { size: 26, pitch: 42, bold: true, align: 'center' }, m, { margin: [0, 130, 0, 0] })];
  if (block.subtitle) stack.push(textNode(block.subtitle, { size: 22, pitch: 35, bold: true, align: 'center' }, m, { margin: [0, 12, 0, 0] }));
  if (block.lines.length > 0) {
    const look = { size: BODY_SIZE, pitch: 24 };
    stack.push({
      margin: [48, 110, 0, 0],
      table: { widths: ['auto', '*'], body: block.lines.map((l) => [textNode(`${l.label}：`, { ...look, bold: true }, m), textNode(l.value, look, m)]) },
      layout: { hLineWidth: () => 0, vLineWidth: () => 0, paddingLeft: () => 0, paddingRight: () => 4, paddingTop: () => 4, paddingBottom: () => 4 },
    });
  }
  stack.push(textNode(block.dateText, { size: BODY_SIZE, pitch: BODY_LINE, align: 'center' }, m, { absolutePosition: { x: MARGIN.left, y: PAGE.height - MARGIN.bottom - 3 * BODY_LINE } }));
  return [{ stack, pageBreak: 'after' }];
}

// Keep-with-next. pdfmake asks `pageBreakBefore(node, followingNodesOnPage, …)` about every node;
// asking for the following nodes makes that O(n²) over all nodes (table cells included), so we
// use the one-argument form and give each heading and caption, in `headlineLevel`, the space it
// needs below its top: its own height plus the first line or first table rows of what follows.
// Estimated from character counts (CJK full width, Latin about half), which is what matters here.

function plain(text: string | Inline[]): string {
  return typeof text === 'string' ? text : text.map((r) => (typeof r === 'string' ? r : r.text)).join('');
}

function approxWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    w += cp < 0x2000 ? (cp === 0x20 ? 0.3 : 0.56) * size : size;
  }
  return w;
}

function approxLines(text: string, size: number, width: number): number {
  return text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil(approxWidth(part, size) / width - 1e-9)), 0);
}

/**
 * Estimated height of a table row. A cell spanning rows counts wholly in its first row, unless
 * `spreadRowSpans`, which shares its lines out over the rows it spans (for whole-table estimates).
 */
function approxRowHeight(row: Array<Cell | { header: string }>, widths: number[], size: number, spreadRowSpans = false): number {
  let lines = 1;
  row.forEach((cell, i) => {
    if (cell === null) return;
    const text = typeof cell === 'string' ? cell : 'header' in cell ? cell.header : plain(cell.text);
    const span = typeof cell === 'object' && 'colSpan' in cell && cell.colSpan ? cell.colSpan : 1;
    const rows = spreadRowSpans && typeof cell === 'object' && 'rowSpan' in cell && cell.rowSpan ? cell.rowSpan : 1;
    const width = widths.slice(i, i + span).reduce((a, b) => a + b, 0) + (span - 1) * (2 * TABLE_PAD_X + RULE);
    lines = Math.max(lines, Math.ceil(approxLines(text, size, width) / rows));
  });
  return lines * size * TABLE_LINE + 2 * TABLE_PAD_Y + RULE;
}

function headingHeight(text: string): number {
  return approxLines(text, BODY_SIZE, TEXT_WIDTH - INDENT) * BODY_LINE;
}

function titleHeight(text: string): number {
  return approxLines(text, LOOK.title.size, TEXT_WIDTH) * LOOK.title.pitch + BODY_LINE * 0.6;
}

/** Height of the part of `blocks[i]` that must share a page with a heading or caption above it. */
function leadHeight(blocks: Block[], i: number): number {
  const block = blocks[i];
  if (!block) return 0;
  switch (block.kind) {
    case 'heading':
      return headingHeight(block.text) + leadHeight(blocks, i + 1);
    case 'title':
      return titleHeight(block.text) + leadHeight(blocks, i + 1);
    case 'paragraph':
      return BODY_LINE;
    case 'table': {
      const size = block.dense ? TABLE_SIZE_DENSE : TABLE_SIZE;
      const widths = columnWidths(block.columns);
      const caption = block.caption ? approxLines(block.caption, LOOK.caption.size, TEXT_WIDTH) * LOOK.caption.pitch + 8 : 0;
      const firstRow = block.rows[0];
      const header = block.headerRow === false ? 0 : approxRowHeight(block.columns, widths, size);
      return caption + header + (firstRow ? approxRowHeight(firstRow, widths, size) : 0);
    }
    default:
      return 0;
  }
}

/**
 * The `headlineLevel` of a table kept together: its whole estimated height (caption, rows, note),
 * at most a page. A break is only ever added before it, so an estimate that is off splits the
 * table at worst; nothing is lost. (pdfmake's own `unbreakable` drops a table taller than a page.)
 */
function wholeTableSpace(block: Extract<Block, { kind: 'table' }>): number {
  const size = block.dense ? TABLE_SIZE_DENSE : TABLE_SIZE;
  const widths = columnWidths(block.columns);
  const caption = block.caption ? approxLines(block.caption, LOOK.caption.size, TEXT_WIDTH) * LOOK.caption.pitch + 8 : 0;
  const header = block.headerRow === false ? 0 : approxRowHeight(block.columns, widths, size);
  const rows = block.rows.reduce((t, row) => t + approxRowHeight(row, widths, size, true), 0);
  const note = block.note ? approxLines(block.note, size, TEXT_WIDTH) * size * TABLE_LINE + 2 : 0;
  return Math.max(1, Math.ceil(Math.min(caption + header + rows + note, PAGE.height - MARGIN.top - MARGIN.bottom)));
}

/** The `headlineLevel` value: space needed in points, at most 80 % of a page, at least 1. */
function keepSpace(blocks: Block[], i: number, own: number): number {
  return Math.max(1, Math.ceil(Math.min(own + leadHeight(blocks, i + 1), 0.8 * (PAGE.height - MARGIN.top - MARGIN.bottom))));
}

function blockNodes(blocks: Block[], i: number, m: FontMetrics): Node[] {
  const block = blocks[i];
  if (!block) return [];
  switch (block.kind) {
    case 'cover':
      return coverNodes(block, m);
    case 'title':
      return [textNode(block.text, LOOK.title, m, { headlineLevel: keepSpace(blocks, i, titleHeight(block.text)), margin: [0, 0, 0, BODY_LINE * 0.6] })];
    case 'heading': {
      const look = block.level <= 2 ? LOOK.heading : LOOK.subheading;
      return [textNode(block.text, look, m, { leadingIndent: INDENT, headlineLevel: keepSpace(blocks, i, headingHeight(block.text)) })];
    }
    case 'paragraph': {
      const look: Look = block.align ? { ...LOOK.body, align: block.align } : LOOK.body;
      return [textNode(block.text, look, m, block.indent === false ? {} : { leadingIndent: INDENT })];
    }
    case 'table':
      return tableNodes(block, m, block.keepTogether ? wholeTableSpace(block) : keepSpace(blocks, i, leadHeight(blocks, i)));
    case 'annex': {
      const { label, title } = splitAnnexTitle(block.title);
      const nodes: Node[] = [];
      if (label) nodes.push(textNode(label, LOOK.annexLabel, m, { pageBreak: 'before' }));
      if (title) nodes.push(textNode(title, LOOK.annexTitle, m, { margin: [0, 6, 0, BODY_LINE * 0.5], ...(label ? {} : { pageBreak: 'before' }) }));
      return nodes;
    }
    case 'pageBreak':
      return [{ text: '', pageBreak: 'after' }];
  }
}

/**
 * The 草稿 watermark as PDF path operators: the glyph outlines of the bold face, 150 pt, rotated
 * 45° about the page centre, in pdfkit's top-left page space. Drawn as outlines under the text
 * (see `patchPageDecorator`), it stays out of the text layer, so copying, searching and
 * pdftotext read the report's own text in order.
 */
export function watermarkOps(font: FontkitFont, text = '草稿'): string {
  const size = 150;
  const scale = size / font.unitsPerEm;
  const run = font.layout(text);
  const width = run.positions.reduce((w, p) => w + p.xAdvance * scale, 0);
  const lift = ((font.capHeight || font.ascent * 0.7) * scale) / 2;
  const [cos, sin] = [Math.SQRT1_2, -Math.SQRT1_2];
  const cx = PAGE.width / 2;
  const cy = PAGE.height / 2;
  const ops: string[] = [];
  let pen = -width / 2;
  const n = (v: number) => (Math.round(v * 100) / 100).toString();
  run.glyphs.forEach((glyph, i) => {
    // font units (y up) → text line (y down, centred) → rotated about the page centre
    const at = (gx: number, gy: number): [number, number] => {
      const x = pen + gx * scale;
      const y = lift - gy * scale;
      return [cx + x * cos - y * sin, cy + x * sin + y * cos];
    };
    let current: [number, number] = [0, 0];
    for (const { command, args } of glyph.path.commands) {
      const pts: Array<[number, number]> = [];
      for (let k = 0; k + 1 < args.length; k += 2) pts.push(at(args[k] ?? 0, args[k + 1] ?? 0));
      if (command === 'moveTo' && pts[0]) ops.push(`${n(pts[0][0])} ${n(pts[0][1])} m`);
      else if (command === 'lineTo' && pts[0]) ops.push(`${n(pts[0][0])} ${n(pts[0][1])} l`);
      else if (command === 'bezierCurveTo' && pts.length === 3) ops.push(`${pts.map(([x, y]) => `${n(x)} ${n(y)}`).join(' ')} c`);
      else if (command === 'quadraticCurveTo' && pts.length === 2) {
        const [q, end] = pts as [[number, number], [number, number]];
        const c1: [number, number] = [current[0] + (2 / 3) * (q[0] - current[0]), current[1] + (2 / 3) * (q[1] - current[1])];
        const c2: [number, number] = [end[0] + (2 / 3) * (q[0] - end[0]), end[1] + (2 / 3) * (q[1] - end[1])];
        ops.push(`${[c1, c2, end].map(([x, y]) => `${n(x)} ${n(y)}`).join(' ')} c`);
      } else if (command === 'closePath') ops.push('h');
      const last = pts[pts.length - 1];
      if (last) current = last;
    }
    pen += (run.positions[i]?.xAdvance ?? 0) * scale;
  });
  return ops.join('\n');
}

function pdfDate(reportDate: string): Date {
  const d = new Date(`${reportDate}T00:00:00+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(reportDate) || Number.isNaN(d.getTime())) throw new Error(`meta.reportDate is not a YYYY-MM-DD date: ${reportDate}`);
  return d;
}

/**
 * The pdfmake document definition for a report. Exported for the benchmark's baseline, which
 * renders the same definition through a plain, uncached pdfmake.
 */
export function pdfDefinition(doc: ReportDocument, m: FontMetrics, textWatermark = false): DocDefinition {
  const hasCover = doc.blocks[0]?.kind === 'cover';
  const date = pdfDate(doc.meta.reportDate);
  const versionLabel = doc.meta.versionLabel ?? '';

  const content = doc.blocks.flatMap((_, i) => blockNodes(doc.blocks, i, m));
  // A trailing page break would leave a blank last page.
  const last = content[content.length - 1];
  if (last && last.pageBreak === 'after' && last.text === '') content.pop();

  return {
    pageSize: 'A4',
    pageOrientation: 'portrait',
    pageMargins: [MARGIN.left, MARGIN.top, MARGIN.right, MARGIN.bottom],
    info: {
      title: doc.meta.title,
      author: doc.meta.author,
      subject: doc.meta.subject,
      creator: 'selfeval',
      producer: 'selfeval (pdfmake)',
      creationDate: date,
      modDate: date,
    },
    language: 'zh-CN',
    compress: true,
    content,
    defaultStyle: { font: FONT, fontSize: BODY_SIZE, color: '#000000' },
    // GB/T 9704: page number in 四号 (14 pt), 7 mm below the text block; none on the cover.
    footer: (currentPage: number) => ({
      margin: [MARGIN.left, 7 * MM, MARGIN.right, 0],
      columns: [
        { width: '*', text: '' },
        { width: 'auto', ...textNode(hasCover && currentPage === 1 ? '' : `— ${currentPage} —`, { size: 14, pitch: 16 }, m) },
        { width: '*', ...textNode(versionLabel, { size: 9, pitch: 12, align: 'right', color: '#555555' }, m, { margin: [0, 3, 0, 0] }) },
      ],
    }),
    watermark: doc.meta.draft && textWatermark ? { text: '草稿', font: FONT, color: '#7a7a7a', opacity: 0.35, bold: true, fontSize: 150, angle: -45 } : undefined,
    // Keep headings and table captions with what follows (see `keepSpace`); never break before
    // something already at the top of a page.
    pageBreakBefore: (node: { headlineLevel?: number; startPosition?: { top: number } }) => {
      const top = node.startPosition?.top;
      if (!node.headlineLevel || top === undefined || top <= MARGIN.top + 1) return false;
      return top + node.headlineLevel > PAGE.height - MARGIN.bottom;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

function descriptors(fonts: ReportFontSet, source: (face: FontFace) => string | Buffer): FontDescriptors {
  const normal = source(fonts.regular);
  const bold = source(fonts.bold);
  return { [FONT]: { normal, bold, italics: normal, bolditalics: bold } };
}

function contentId(doc: ReportDocument, fonts: ReportFontSet, regular: Buffer, bold: Buffer): Buffer {
  return createHash('md5')
    .update(JSON.stringify(doc))
    .update(`\0${fonts.regular.path}:${regular.length}\0${fonts.bold.path}:${bold.length}`)
    .digest();
}

function collect(pdf: PdfKitDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    pdf.end();
  });
}

/** What a render needs from the fonts besides the files: line metrics and the watermark outlines. */
export interface PdfFontInputs {
  metrics: FontMetrics;
  watermark: string;
}

interface Renderer extends PdfFontInputs {
  printer: PdfPrinter;
  regular: Buffer;
  bold: Buffer;
}

const renderers = new Map<string, Renderer>();

function rendererFor(fonts: ReportFontSet): Renderer {
  const key = `${fonts.regular.path}\0${fonts.bold.path}`;
  let r = renderers.get(key);
  if (!r) {
    const regular = parsedFont(fonts.regular);
    const bold = parsedFont(fonts.bold);
    applyEnginePatches(regular.data, [regular.font, bold.font]);
    for (const f of [regular.font, bold.font]) if (!layoutCaches.has(f)) layoutCaches.set(f, new Map());
    r = {
      printer: new PdfPrinterCtor(descriptors(fonts, (f) => (f.slot === 'regular' ? regular.data : bold.data))),
      metrics: { regularEm: metricsOf(regular.font), boldEm: metricsOf(bold.font) },
      watermark: watermarkOps(bold.font),
      regular: regular.data,
      bold: bold.data,
    };
    renderers.set(key, r);
  }
  return r;
}

export interface RenderPdfOptions {
  /** From `resolveReportFonts`; the bundled Noto Sans Hans when absent. */
  fonts?: ReportFontSet;
}

let defaultFonts: ReportFontSet | undefined;

/**
 * Reads and parses the fonts now (a few hundred ms for two 8 MB OpenType files) so the first
 * report does not pay for it; optional.
 */
export function warmUpPdfFonts(fonts?: ReportFontSet): void {
  rendererFor(fonts ?? (defaultFonts ??= resolveReportFonts({})));
}

/** Renders the report as a PDF; the same document and fonts give the same bytes. */
export async function renderPdf(doc: ReportDocument, options: RenderPdfOptions = {}): Promise<Buffer> {
  const fonts = options.fonts ?? (defaultFonts ??= resolveReportFonts({}));
  const r = rendererFor(fonts);
  let pdf: PdfKitDocument;
  ourRenders++;
  pageDecorator = doc.meta.draft ? drawWatermark(r.watermark) : undefined;
  try {
    pdf = r.printer.createPdfKitDocument(pdfDefinition(doc, r.metrics, !patches.pageDecorator));
  } finally {
    ourRenders--;
    pageDecorator = undefined;
  }
  pdf._id = contentId(doc, fonts, r.regular, r.bold);
  return collect(pdf);
}

/**
 * The same PDF the plain pdfmake way — a new printer, font files read and parsed for this one
 * document — for the benchmark's baseline only. Not for production use.
 */
export async function renderPdfWithoutCaches(doc: ReportDocument, fonts: ReportFontSet, inputs: PdfFontInputs): Promise<Buffer> {
  const printer = new PdfPrinterCtor(descriptors(fonts, (f) => f.path));
  let pdf: PdfKitDocument;
  pageDecorator = doc.meta.draft ? drawWatermark(inputs.watermark) : undefined;
  try {
    pdf = printer.createPdfKitDocument(pdfDefinition(doc, inputs.metrics, !patches.pageDecorator));
  } finally {
    pageDecorator = undefined;
  }
  pdf._id = contentId(doc, fonts, fontData(fonts.regular), fontData(fonts.bold));
  return collect(pdf);
}

/** The font-derived inputs of `pdfDefinition` (parses the fonts, through the cache). */
export function pdfFontInputs(fonts: ReportFontSet): PdfFontInputs {
  const { metrics, watermark } = rendererFor(fonts);
  return { metrics, watermark };
}
