/**
 * A render thread of the pool (`render-pool.ts`): loads and parses the report fonts once, then
 * renders one job at a time — a ReportDocument to PDF or DOCX — and posts the bytes back
 * (transferred, not copied). An exception in a render is answered as that job's failure and the
 * thread carries on; anything that ends the thread (a crash, running out of heap) fails only the
 * job it was doing, and the pool starts a new thread in its place.
 *
 * `fail` and `exit` jobs are fault injection for the tests: the only way to prove, with the real
 * thread, that a render that throws or a thread that dies takes nothing else down.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ReportDocument } from '../../domain/report/content';
import type { ReportFontSet } from './fonts';
import { renderDocx } from './render-docx';
import { renderPdf, warmUpPdfFonts } from './render-pdf';

export type RenderFormat = 'pdf' | 'docx';

export type RenderJob =
  | { kind: RenderFormat; doc: ReportDocument }
  /** Tests: the render throws this message. */
  | { kind: 'fail'; message: string }
  /** Tests: the thread exits with this code in the middle of the job. */
  | { kind: 'exit'; code: number };

export interface ThreadData {
  fonts: ReportFontSet;
}

export type ThreadMessage =
  | { type: 'ready'; warmUpMs: number }
  | { type: 'done'; id: number; bytes: Uint8Array; ms: number }
  | { type: 'failed'; id: number; error: { name: string; message: string; stack?: string } };

export interface ThreadRequest {
  id: number;
  job: RenderJob;
}

async function render(job: RenderJob, fonts: ReportFontSet): Promise<Buffer> {
  switch (job.kind) {
    case 'pdf':
      return renderPdf(job.doc, { fonts });
    case 'docx':
      return renderDocx(job.doc);
    case 'fail':
      throw new Error(job.message);
    case 'exit':
      process.exit(job.code); // in a worker thread this ends the thread, not the process
  }
}

/** Its own ArrayBuffer (a Buffer may be a view into a shared pool), so it can be transferred. */
function ownBuffer(bytes: Buffer): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return new Uint8Array(bytes.buffer, 0, bytes.byteLength);
  return new Uint8Array(bytes);
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('render-thread runs as a worker thread of the render pool');
  const { fonts } = workerData as ThreadData;
  const t0 = performance.now();
  warmUpPdfFonts(fonts);
  port.postMessage({ type: 'ready', warmUpMs: performance.now() - t0 } satisfies ThreadMessage);
  // One job at a time: the pool sends the next one only after this one is answered.
  port.on('message', (request: ThreadRequest) => {
    const started = performance.now();
    render(request.job, fonts).then(
      (bytes) => {
        const out = ownBuffer(bytes);
        port.postMessage({ type: 'done', id: request.id, bytes: out, ms: performance.now() - started } satisfies ThreadMessage, [out.buffer as ArrayBuffer]);
      },
      (e: unknown) => {
        const error = e instanceof Error ? { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } : { name: 'Error', message: String(e) };
        port.postMessage({ type: 'failed', id: request.id, error } satisfies ThreadMessage);
      },
    );
  });
}

main();
