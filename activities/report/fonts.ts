/**
 * Fonts for the report renderers.
 *
 * The PDF must render the same on every machine, so its fonts come from npm, not from the host:
 * `@embedpdf/fonts-sc` ships Noto Sans Hans (Simplified Chinese, GB 2312 repertoire) as OTF
 * files, of which we use Regular and Bold. An office that has a licensed serif or 仿宋 face can
 * point `SELFEVAL_REPORT_FONT` (regular) and `SELFEVAL_REPORT_FONT_BOLD` (optional) at TTF/OTF
 * files; the caller reads those variables and passes the paths here. A configured file that is
 * missing or not a single TTF/OTF falls back to Noto, and the caller gets a warning to log —
 * a report is never refused because of a font.
 *
 * Each slot is resolved on its own: a configured regular face with no bold face configured keeps
 * Noto Sans Bold for headings, which is also what 公文 practice does (黑体 headings over a
 * 仿宋 body).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type FontSlot = 'regular' | 'bold';

export interface FontFace {
  slot: FontSlot;
  /** Absolute path of the TTF/OTF file. */
  path: string;
  /** `configured` when it came from SELFEVAL_REPORT_FONT(_BOLD), `bundled` for Noto Sans Hans. */
  origin: 'configured' | 'bundled';
}

export interface FontWarning {
  code: 'font-missing' | 'font-unsupported';
  /** The variable the path came from. */
  variable: 'SELFEVAL_REPORT_FONT' | 'SELFEVAL_REPORT_FONT_BOLD';
  path: string;
  zh: string;
  en: string;
}

export interface ReportFontSet {
  regular: FontFace;
  bold: FontFace;
  /** Configured fonts that could not be used; the caller logs them. */
  warnings: FontWarning[];
}

/** Paths as configured; `undefined` or blank means "not configured". */
export interface ReportFontPaths {
  regular?: string | undefined;
  bold?: string | undefined;
}

/** What a font path points at: a usable single-face TTF/OTF, nothing, or something else. */
export type FontProbe = 'ok' | 'missing' | 'unsupported';

const VARIABLE: Record<FontSlot, FontWarning['variable']> = {
  regular: 'SELFEVAL_REPORT_FONT',
  bold: 'SELFEVAL_REPORT_FONT_BOLD',
};

let bundledCache: Record<FontSlot, string> | undefined;

/** Absolute paths of the bundled Noto Sans Hans Regular and Bold files. */
export function bundledFontPaths(): Record<FontSlot, string> {
  if (!bundledCache) {
    // The package's export map only exposes its (metadata) entry point; the OTF files sit in
    // `fonts/` beside `dist/`.
    const entry = createRequire(__filename).resolve('@embedpdf/fonts-sc');
    const dir = path.join(path.dirname(entry), '..', 'fonts');
    bundledCache = {
      regular: path.join(dir, 'NotoSansHans-Regular.otf'),
      bold: path.join(dir, 'NotoSansHans-Bold.otf'),
    };
  }
  return bundledCache;
}

/**
 * Looks at the first four bytes: TrueType (00 01 00 00, `true`) or CFF-flavoured OpenType
 * (`OTTO`). Collections (`ttcf`), WOFF and anything else are refused, because the PDF engine
 * would need a face name to pick from a collection.
 */
export function probeFontFile(file: string): FontProbe {
  let fd: number;
  try {
    if (!fs.statSync(file).isFile()) return 'missing';
    fd = fs.openSync(file, 'r');
  } catch {
    return 'missing';
  }
  try {
    const head = Buffer.alloc(4);
    const read = fs.readSync(fd, head, 0, 4, 0);
    if (read < 4) return 'unsupported';
    const tag = head.toString('latin1');
    return tag === '\x00\x01\x00\x00' || tag === 'true' || tag === 'OTTO' ? 'ok' : 'unsupported';
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Decides which font file fills each slot. Pure apart from `probe`, which looks at the file
 * system by default (tests pass their own).
 */
export function resolveReportFonts(configured: ReportFontPaths = {}, probe: (file: string) => FontProbe = probeFontFile): ReportFontSet {
  const bundled = bundledFontPaths();
  const warnings: FontWarning[] = [];
  const pick = (slot: FontSlot): FontFace => {
    const wanted = configured[slot]?.trim();
    if (wanted) {
      const file = path.resolve(wanted);
      const found = probe(file);
      if (found === 'ok') return { slot, path: file, origin: 'configured' };
      const variable = VARIABLE[slot];
      warnings.push(
        found === 'missing'
          ? {
              code: 'font-missing',
              variable,
              path: file,
              zh: `${variable} 指定的字体文件不存在：${file}；改用内置的 Noto Sans Hans`,
              en: `${variable} points at a font file that does not exist: ${file}; using the bundled Noto Sans Hans`,
            }
          : {
              code: 'font-unsupported',
              variable,
              path: file,
              zh: `${variable} 指定的文件不是单一字形的 TTF/OTF 字体：${file}；改用内置的 Noto Sans Hans`,
              en: `${variable} is not a single-face TTF/OTF font: ${file}; using the bundled Noto Sans Hans`,
            },
      );
    }
    return { slot, path: bundled[slot], origin: 'bundled' };
  };
  return { regular: pick('regular'), bold: pick('bold'), warnings };
}

const fileCache = new Map<string, Buffer>();

/**
 * The font file's bytes, read once per process and path. The same Buffer object is returned
 * every time, which is what lets the PDF renderer reuse the parsed font (it keys its cache on the
 * Buffer).
 */
export function fontData(face: FontFace): Buffer {
  let data = fileCache.get(face.path);
  if (!data) {
    data = fs.readFileSync(face.path);
    fileCache.set(face.path, data);
  }
  return data;
}
