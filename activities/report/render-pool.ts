/**
 * Report rendering off the event loop: a pool of worker threads (`render-thread.ts`), each with
 * the fonts loaded and parsed once, rendering one document at a time.
 *
 * Why: a PDF is ~100 ms and a DOCX ~60 ms of synchronous CPU. Rendered on the worker's event loop,
 * no workflow task of any other unit advanced meanwhile, and the render's own heartbeats waited
 * too. In threads, the event loop only posts the document and receives the bytes.
 *
 * Failure: an exception in a render fails that render (its promise rejects; the activity is
 * retried by its policy) and the thread goes on. A thread that dies (crash, out of heap, exit)
 * fails only the job it was doing; the pool starts a new thread in its place (after a second if
 * the dead one never got as far as loading its fonts, so a thread that cannot start does not spin).
 * Jobs wait in arrival order for a free thread.
 *
 * Threads are `unref`'d while idle, so an idle pool never keeps a process alive; `close()` ends them.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReportDocument } from '../../domain/report/content';
import { type ReportFontSet, resolveReportFonts } from './fonts';
import type { RenderFormat, RenderJob, ThreadData, ThreadMessage, ThreadRequest } from './render-thread';

export type { RenderFormat, RenderJob } from './render-thread';

export interface RenderPoolStats {
  size: number;
  /** Threads with a job now. */
  busy: number;
  /** Jobs waiting for a thread. */
  queued: number;
  /** Threads started so far, including replacements. */
  threadsStarted: number;
  /** Threads that ended other than by `close()`. */
  threadsDied: number;
  /** Jobs answered with bytes, and jobs failed (by an exception or a dying thread). */
  rendered: number;
  failed: number;
}

export interface RenderPool {
  /** Renders the document in a thread; the same bytes as `renderPdf` / `renderDocx` in this process. */
  render(format: RenderFormat, doc: ReportDocument): Promise<Buffer>;
  /** Any job, including the tests' fault injection (`fail`, `exit`). */
  run(job: RenderJob): Promise<Buffer>;
  /** Resolves once every thread has loaded its fonts (optional: jobs sent earlier wait in the thread). */
  ready(): Promise<void>;
  stats(): RenderPoolStats;
  /** Ends the threads; jobs not yet answered fail. */
  close(): Promise<void>;
}

export interface RenderPoolOptions {
  /** Threads; default `defaultRenderThreads()`. */
  size?: number;
  /** The fonts every thread loads (from `resolveReportFonts`); default the bundled Noto Sans Hans. */
  fonts?: ReportFontSet;
  /** Told when a thread ends unexpectedly (the worker logs it). */
  onThreadDied?: (info: { threadId: number; code: number; error?: Error; job?: RenderJob['kind'] }) => void;
}

/** Cores − 1 (the event loop keeps one), at least 1. */
export function defaultRenderThreads(cores = os.availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/** The thread's entry: compiled JavaScript beside this file, or the TypeScript source through tsx (tests, `npm run worker`). */
function spawnThread(data: ThreadData): Worker {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `render-thread${ext}`);
  if (ext === '.ts') {
    const tsx = createRequire(__filename).resolve('tsx/cjs/api');
    const bootstrap = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`;
    return new Worker(bootstrap, { eval: true, workerData: data, execArgv: [] });
  }
  return new Worker(entry, { workerData: data, execArgv: [] });
}

interface Pending {
  id: number;
  job: RenderJob;
  resolve: (bytes: Buffer) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  readyWaiters: Array<() => void>;
  job?: Pending;
  error?: Error;
}

export function createRenderPool(options: RenderPoolOptions = {}): RenderPool {
  const size = options.size ?? defaultRenderThreads();
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`render pool size must be a positive integer, got ${size}`);
  const data: ThreadData = { fonts: options.fonts ?? resolveReportFonts({}) };
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  const counts = { threadsStarted: 0, threadsDied: 0, rendered: 0, failed: 0 };

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.job || queue.length === 0) continue;
      const pending = queue.shift()!;
      slot.job = pending;
      slot.worker.ref(); // a job in flight keeps the process alive until it is answered
      slot.worker.postMessage({ id: pending.id, job: pending.job } satisfies ThreadRequest);
    }
  };

  const start = (index: number) => {
    const worker = spawnThread(data);
    counts.threadsStarted++;
    const slot: Slot = { worker, ready: false, readyWaiters: [] };
    slots[index] = slot;
    worker.unref();
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'ready') {
        slot.ready = true;
        for (const w of slot.readyWaiters.splice(0)) w();
        return;
      }
      const pending = slot.job;
      if (!pending || pending.id !== m.id) return;
      slot.job = undefined;
      worker.unref();
      if (m.type === 'done') {
        counts.rendered++;
        pending.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
      } else {
        counts.failed++;
        const e = new Error(`render failed in a render thread: ${m.error.message}`);
        e.name = m.error.name;
        if (m.error.stack) e.stack = `${e.name}: ${e.message}\n    in the render thread: ${m.error.stack}`;
        pending.reject(e);
      }
      dispatch();
    });
    // An uncaught exception ends the thread: 'error', then 'exit'.
    worker.on('error', (e) => (slot.error = e));
    worker.on('exit', (code) => {
      for (const w of slot.readyWaiters.splice(0)) w();
      if (closed) return;
      counts.threadsDied++;
      const pending = slot.job;
      slot.job = undefined;
      options.onThreadDied?.({ threadId: worker.threadId, code, ...(slot.error ? { error: slot.error } : {}), ...(pending ? { job: pending.job.kind } : {}) });
      if (pending) {
        counts.failed++;
        pending.reject(new Error(`the render thread died during the render (exit code ${code}${slot.error ? `: ${slot.error.message}` : ''}); the render is retried`));
      }
      // Replace it; a thread that died before loading its fonts waits a second first.
      const replace = () => {
        if (closed) return;
        start(index);
        dispatch();
      };
      if (slot.ready) replace();
      else setTimeout(replace, 1_000).unref();
    });
  };

  for (let i = 0; i < size; i++) start(i);

  const run = (job: RenderJob): Promise<Buffer> => {
    if (closed) return Promise.reject(new Error('the render pool is closed'));
    return new Promise<Buffer>((resolve, reject) => {
      queue.push({ id: nextId++, job, resolve, reject });
      dispatch();
    });
  };

  return {
    run,
    render: (format, doc) => run({ kind: format, doc }),
    async ready() {
      await Promise.all(slots.filter((s) => !s.ready).map((s) => new Promise<void>((r) => s.readyWaiters.push(r))));
    },
    stats: () => ({ size, busy: slots.filter((s) => s.job).length, queued: queue.length, ...counts }),
    async close() {
      if (closed) return;
      closed = true;
      const error = new Error('the render pool closed before the render finished');
      for (const p of queue.splice(0)) p.reject(error);
      for (const s of slots) {
        if (s.job) s.job.reject(error);
        s.job = undefined;
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

const shared = new Map<string, RenderPool>();

/**
 * One pool per process and font set for callers that were not given one (tests and scripts that
 * build the activities themselves): started on first use with the default size. The worker
 * process passes its own, sized by SELFEVAL_RENDER_THREADS.
 */
export function sharedRenderPool(fonts: ReportFontSet = resolveReportFonts({})): RenderPool {
  const key = `${fonts.regular.path}\0${fonts.bold.path}`;
  let pool = shared.get(key);
  if (!pool) {
    pool = createRenderPool({ fonts });
    shared.set(key, pool);
  }
  return pool;
}
