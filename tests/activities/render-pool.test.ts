/**
 * The render pool: reports rendered in worker threads are the bytes an in-process render gives; a
 * render that throws, or a thread that dies mid-render, fails that render only and the next one
 * succeeds; and the event loop stays free while renders run.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderPool, defaultRenderThreads, type RenderPool } from '../../activities/report/render-pool';
import { renderDocx } from '../../activities/report/render-docx';
import { renderPdf } from '../../activities/report/render-pdf';
import type { ReportDocument } from '../../domain/report/content';
import { composeSeedReport } from '../fixtures/report';

describe('the render pool', () => {
  let pool: RenderPool;
  let draft: ReportDocument;
  let issued: ReportDocument;

  beforeAll(async () => {
    pool = createRenderPool({ size: 2 });
    draft = composeSeedReport({ draft: true, version: 2 });
    issued = composeSeedReport({ draft: false, version: 3 });
    await pool.ready();
  });
  afterAll(async () => pool?.close());

  it('sizes itself to the cores but one, and at least one thread', () => {
    expect(defaultRenderThreads(8)).toBe(7);
    expect(defaultRenderThreads(2)).toBe(1);
    expect(defaultRenderThreads(1)).toBe(1);
    expect(() => createRenderPool({ size: 0 })).toThrow(RangeError);
  });

  it('renders the same bytes in a thread as in this process (PDF with its watermark, and DOCX)', async () => {
    const [threadPdf, threadIssuedPdf, threadDocx] = await Promise.all([pool.render('pdf', draft), pool.render('pdf', issued), pool.render('docx', draft)]);
    const [ownPdf, ownIssuedPdf, ownDocx] = [await renderPdf(draft), await renderPdf(issued), await renderDocx(draft)];
    expect(threadPdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(threadPdf.equals(ownPdf)).toBe(true);
    expect(threadIssuedPdf.equals(ownIssuedPdf)).toBe(true);
    expect(threadIssuedPdf.equals(threadPdf)).toBe(false); // not one cached answer for everything
    expect(threadDocx.equals(ownDocx)).toBe(true);
  });

  it('fails only the render that throws; the thread goes on', async () => {
    const before = pool.stats();
    const [failed, fine] = await Promise.allSettled([pool.run({ kind: 'fail', message: 'a broken table' }), pool.render('pdf', draft)]);
    expect(failed).toMatchObject({ status: 'rejected', reason: { message: 'render failed in a render thread: a broken table' } });
    expect(fine.status).toBe('fulfilled');
    expect((await pool.render('docx', draft)).length).toBeGreaterThan(0);
    expect(pool.stats()).toMatchObject({ threadsDied: before.threadsDied, threadsStarted: before.threadsStarted });
  });

  it('fails only the render of a thread that dies, replaces the thread, and renders the next one', async () => {
    const before = pool.stats();
    // One thread dies in the middle of its job while the other renders a PDF.
    const [died, other] = await Promise.allSettled([pool.run({ kind: 'exit', code: 7 }), pool.render('pdf', issued)]);
    expect(died).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/render thread died during the render \(exit code 7\)/) } });
    expect(other.status).toBe('fulfilled');
    // The next renders succeed, on both threads (the replacement included), with the same bytes.
    const again = await Promise.all([pool.render('pdf', draft), pool.render('pdf', draft)]);
    const own = await renderPdf(draft);
    for (const b of again) expect(b.equals(own)).toBe(true);
    expect(pool.stats()).toMatchObject({ size: 2, busy: 0, queued: 0, threadsDied: before.threadsDied + 1, threadsStarted: before.threadsStarted + 1 });
  });

  /**
   * A behaviour check, not a timing target. Rendered in this process, a render is synchronous: the
   * event loop stalls for at least one whole render and is busy (utilisation near 1) while renders
   * run. With the pool the loop only posts documents and takes bytes back (a few ms).
   * - Utilisation (`performance.eventLoopUtilization`: time the loop ran code over time it could
   *   have) must stay under half. It counts time waiting for work as idle even when the machine's
   *   other processes take the CPU, so it does not move with the load of a shared machine.
   * - The longest stall (`monitorEventLoopDelay`) must stay under the shortest in-process render of
   *   the same document timed just before, on the same machine at the same load: any render run
   *   on the loop would stall it at least that long. That bound is generous — a shared 2-core
   *   machine can deschedule this process for tens of ms, the render's duration grows with the
   *   same load — and still fails if renders ran on the loop.
   */
  it('keeps the event loop responsive while several renders run', async () => {
    const renders = 4;
    const ownDurations: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      await renderPdf(issued);
      ownDurations.push(performance.now() - t);
    }
    const shortestRender = Math.min(...ownDurations);

    const resolution = 5;
    const histogram = monitorEventLoopDelay({ resolution });
    histogram.enable();
    const utilisation = performance.eventLoopUtilization();
    const started = performance.now();
    await Promise.all(Array.from({ length: renders }, () => Promise.all([pool.render('pdf', issued), pool.render('docx', issued)])));
    const wall = performance.now() - started;
    const elu = performance.eventLoopUtilization(utilisation).utilization;
    histogram.disable();
    const maxStallMs = histogram.max / 1e6 - resolution; // the histogram records interval + delay

    const figures = `event-loop utilisation ${elu.toFixed(3)}, ${histogram.count} ticks, max delay ${maxStallMs.toFixed(1)} ms during ${renders} PDF+DOCX renders in threads (${wall.toFixed(0)} ms); one in-process PDF render: ${shortestRender.toFixed(0)} ms`;
    expect(wall, figures).toBeGreaterThan(shortestRender); // the renders took a while, and the loop was measured meanwhile
    // A loop blocked by the renders would not tick at all (and record no delay); this one ticked throughout.
    expect(histogram.count, figures).toBeGreaterThan(wall / resolution / 4);
    expect(elu, figures).toBeLessThan(0.5);
    expect(maxStallMs, figures).toBeLessThan(shortestRender);
  });
});
