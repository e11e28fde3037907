/**
 * PDF test helpers over Debian's poppler-utils (`pdftotext`, `pdftoppm`, `pdfinfo`) and
 * pngjs + pixelmatch for golden-image comparisons. poppler-utils must be installed
 * (`apt-get install -y poppler-utils`); `requirePoppler()` says so plainly when it is not.
 */
import { execFile, spawn } from 'node:child_process';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

const TOOLS = ['pdftotext', 'pdftoppm', 'pdfinfo'] as const;

/** Throws a one-line instruction when a poppler tool is missing. */
export async function requirePoppler(): Promise<void> {
  for (const tool of TOOLS) {
    await new Promise<void>((resolve, reject) => {
      execFile(tool, ['-v'], (error) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error(`${tool} not found: install poppler-utils (apt-get install -y poppler-utils)`));
        } else resolve();
      });
    });
  }
}

/** Runs a tool with `input` on stdin and returns its stdout. */
function run(tool: string, args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${tool} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => undefined); // the tool may exit before reading everything
    child.stdin.end(input);
  });
}

/**
 * The PDF's text in reading order, pages separated by form feeds (\f). Without `-layout`
 * pdftotext follows the text flow, which keeps headings, paragraphs and table cells in order.
 */
export async function pdfToText(pdf: Buffer, options: { layout?: boolean; first?: number; last?: number } = {}): Promise<string> {
  const args = ['-enc', 'UTF-8'];
  if (options.layout) args.push('-layout');
  if (options.first !== undefined) args.push('-f', String(options.first));
  if (options.last !== undefined) args.push('-l', String(options.last));
  return (await run('pdftotext', [...args, '-', '-'], pdf)).toString('utf8');
}

/** Text of each page, 1-based index = page number − 1. */
export async function pdfPagesText(pdf: Buffer): Promise<string[]> {
  const pages = (await pdfToText(pdf)).split('\f');
  if (pages.length > 1 && pages[pages.length - 1]?.trim() === '') pages.pop();
  return pages;
}

export async function pdfPageCount(pdf: Buffer): Promise<number> {
  const info = (await run('pdfinfo', ['-'], pdf)).toString('utf8');
  const m = /^Pages:\s+(\d+)/m.exec(info);
  if (!m?.[1]) throw new Error(`pdfinfo printed no page count:\n${info}`);
  return Number(m[1]);
}

/** The Info dictionary as pdfinfo prints it (Title, Author, CreationDate, …). */
export async function pdfInfo(pdf: Buffer): Promise<Record<string, string>> {
  const info = (await run('pdfinfo', ['-isodates', '-'], pdf)).toString('utf8');
  const out: Record<string, string> = {};
  for (const line of info.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** One page rasterised as PNG (page is 1-based). */
export async function pdfPageToPng(pdf: Buffer, page: number, dpi = 72): Promise<Buffer> {
  return run('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', '-'], pdf);
}

export interface PngDifference {
  differentPixels: number;
  /** differentPixels / all pixels. */
  ratio: number;
  width: number;
  height: number;
  /** A PNG with the differing pixels marked, for saving when a comparison fails. */
  diff: Buffer;
}

/**
 * Pixel comparison (pixelmatch, anti-aliasing ignored). Images of different sizes differ in
 * every pixel.
 */
export function comparePng(actual: Buffer, expected: Buffer, threshold = 0.1): PngDifference {
  const a = PNG.sync.read(actual);
  const b = PNG.sync.read(expected);
  if (a.width !== b.width || a.height !== b.height) {
    const pixels = Math.max(a.width * a.height, b.width * b.height);
    return { differentPixels: pixels, ratio: 1, width: a.width, height: a.height, diff: actual };
  }
  const out = new PNG({ width: a.width, height: a.height });
  const differentPixels = pixelmatch(a.data, b.data, out.data, a.width, a.height, { threshold });
  return { differentPixels, ratio: differentPixels / (a.width * a.height), width: a.width, height: a.height, diff: PNG.sync.write(out) };
}

/** Counts pixels darker than `below` (0–255 luminance) inside a rectangle given in fractions of the page. */
export function darkPixels(png: Buffer, box: { x0: number; y0: number; x1: number; y1: number }, below = 128): number {
  const img = PNG.sync.read(png);
  const [x0, x1] = [Math.floor(box.x0 * img.width), Math.ceil(box.x1 * img.width)];
  const [y0, y1] = [Math.floor(box.y0 * img.height), Math.ceil(box.y1 * img.height)];
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      const lum = 0.299 * (img.data[i] ?? 255) + 0.587 * (img.data[i + 1] ?? 255) + 0.114 * (img.data[i + 2] ?? 255);
      if (lum < below) n++;
    }
  }
  return n;
}
