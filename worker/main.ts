/**
 * The worker process: connects to Temporal and Postgres, runs every workflow and activity of
 * selfeval on its task queue, and drains on SIGINT/SIGTERM (the SDK's Runtime handles the
 * signals; `run()` resolves once in-flight tasks finish). Reports are rendered in its render pool
 * (SELFEVAL_RENDER_THREADS worker threads), never on the event loop the workflows and activities share.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import nodemailer from 'nodemailer';
import { createActivities } from '../activities';
import { createNotifier } from '../activities/notifications/notifier';
import { resolveReportFonts } from '../activities/report/fonts';
import { benchMarks } from '../activities/bench.activities';
import { createRenderPool, defaultRenderThreads } from '../activities/report/render-pool';
import fs from 'node:fs';
import { createWorkingDayCalendar, nationalCalendar, type WorkingDayCalendar } from '../domain/calendar/working-days';
import { databaseUrlOf, parseConfig, redactUrl } from '../domain/config';
import { createDb, pingDb, QueryStats } from '../db/connection';
import { isAppError } from '../domain/errors';
import { formatProblems } from '../domain/validation';
import { createWorker, loadWorkflowBundle } from './create-worker';
import { type OutboxRelay, startOutboxRelay } from './outbox-relay';
import type { Periodic } from './periodic';
import { startStopSweeper } from './stop-sweeper';
import { createWorkerLogger, installRuntimeLogger } from './logger';

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const logger = createWorkerLogger(config);
  installRuntimeLogger(logger, config.log.level);
  const url = databaseUrlOf(config);
  // Under a parent with an IPC channel (`npm run bench:cycle`), the queries are counted by statement.
  const queryStats = process.send ? new QueryStats() : undefined;
  const db = createDb(url, {
    applicationName: 'selfeval-worker',
    ...(queryStats ? { onQuery: queryStats.record } : {}),
    onIdleError: (e) => logger.warn(`idle database connection lost: ${e.message}`),
  });
  try {
    await pingDb(db, 5_000);
  } catch (e) {
    logger.fatal(`cannot reach the database at ${redactUrl(url)} (${errorText(e)}): check DATABASE_URL, or unset it to use the embedded Postgres of \`npm start\``);
    await db.destroy();
    process.exitCode = 1;
    return;
  }
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.temporal.address });
  } catch (e) {
    logger.fatal(`cannot reach Temporal at ${config.temporal.address} (${errorText(e)}): check TEMPORAL_ADDRESS, or start the stack with \`npm start\``);
    await db.destroy();
    process.exitCode = 1;
    return;
  }
  // The national calendar, with the unit's or province's own days when configured.
  let calendar: WorkingDayCalendar = nationalCalendar;
  if (config.calendarOverridesFile) {
    let overrides: unknown;
    try {
      overrides = JSON.parse(fs.readFileSync(config.calendarOverridesFile, 'utf8'));
    } catch (e) {
      logger.fatal(`cannot read SELFEVAL_CALENDAR_OVERRIDES=${config.calendarOverridesFile}: ${errorText(e)}`);
      await db.destroy();
      process.exitCode = 1;
      return;
    }
    const built = createWorkingDayCalendar(overrides);
    if (!built.ok) {
      logger.fatal(`SELFEVAL_CALENDAR_OVERRIDES=${config.calendarOverridesFile} has problems: ${built.problems.map((p) => `${p.path}: ${p.zh} / ${p.en}`).join('; ')}`);
      await db.destroy();
      process.exitCode = 1;
      return;
    }
    calendar = built.value;
    logger.info({ file: config.calendarOverridesFile }, 'working-day calendar overrides loaded');
  }
  // A client for activities that start workflows (the evaluation ensuring its holdbacks).
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  // Bounded waits (nodemailer's socket default is 10 minutes): a send ends well within the outbox's
  // claim expiry (CLAIM_EXPIRY_MS), so a slow send is never taken for a dead sender's.
  const mailer = config.mail.smtpUrl ? nodemailer.createTransport({ url: config.mail.smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 120_000 }) : undefined;
  if (!mailer) logger.info('SMTP_URL is not set: notifications are delivered in-app (and to configured robots) only');
  // Render threads, each with the fonts loaded once; one that dies fails only its render (retried) and is replaced.
  const reportFonts = resolveReportFonts(config.reportFonts);
  for (const w of reportFonts.warnings) logger.warn(w.en);
  const renderPool = createRenderPool({
    size: config.renderThreads ?? defaultRenderThreads(),
    fonts: reportFonts,
    onThreadDied: (d) => logger.error({ threadId: d.threadId, exitCode: d.code, job: d.job ?? null, err: d.error?.message }, 'a render thread died; its render fails and is retried, and a new thread takes its place'),
  });
  const notifier = createNotifier({ db, mailFrom: config.mail.from, publicUrl: config.publicUrl, ...(mailer ? { mailer } : {}) });
  const activities = createActivities({
    db,
    notifier,
    calendar,
    temporal,
    publicUrl: config.publicUrl,
    reportFonts: config.reportFonts,
    renderConcurrency: config.renderConcurrency,
    renderPool,
    draftDocx: config.draftDocx,
  });
  let relay: OutboxRelay | undefined;
  let sweeper: Periodic | undefined;
  try {
    const workflowBundle = await loadWorkflowBundle(process.env['SELFEVAL_WORKFLOW_BUNDLE'] || undefined);
    const worker = await createWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, activities, workflowBundle, maxCachedWorkflows: config.temporal.maxCachedWorkflows });
    logger.info({ taskQueue: worker.options.taskQueue, namespace: config.temporal.namespace, renderThreads: renderPool.stats().size, draftDocx: config.draftDocx }, 'worker running');
    traceMemory(process.env['SELFEVAL_MEMORY_TRACE']);
    answerBenchRequests(queryStats);
    // What could not be sent at once (mail or a robot away) is sent from the outbox later.
    relay = startOutboxRelay(notifier, logger);
    // Evaluations terminated or timed out (they record nothing themselves) are recorded and told.
    sweeper = startStopSweeper({ client: temporal, db, recorder: activities }, logger);
    onSupervisorLost(() => {
      logger.warn('the launcher is gone; shutting down');
      worker.shutdown();
    });
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await relay?.stop();
    await sweeper?.stop();
    await renderPool.close();
    await connection.close();
    await clientConnection.close();
    mailer?.close();
    await db.destroy();
  }
}

/**
 * SELFEVAL_MEMORY_TRACE=<file>: append the process's memory once a second as JSON lines (MB) —
 * RSS, the main V8 heap, and memory held outside it — to see where a worker's RSS goes.
 */
function traceMemory(file: string | undefined): void {
  if (!file) return;
  const mb = (n: number) => Math.round(n / 104857.6) / 10;
  setInterval(() => {
    const m = process.memoryUsage();
    fs.appendFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) })}\n`);
  }, 1_000).unref();
}

/**
 * For a parent that runs the worker with an IPC channel (`npm run bench:cycle`, `bench:campaign`),
 * each request answered with a message of its own type. `{ type: 'selfeval.loop-delay', reset?: true }`:
 * the event loop's delay since the last reset (measured from the first request on) in ms — how late
 * a 5 ms timer fired (p50, p99, max). `{ type: 'selfeval.query-stats', reset?: true }`: the queries
 * run since the last reset, by statement. `{ type: 'selfeval.bench-marks' }`: the floor's marks.
 * Without an IPC channel (npm start, docker) nothing listens.
 */
function answerBenchRequests(queryStats: QueryStats | undefined): void {
  const send = process.send?.bind(process);
  if (!send) return;
  process.channel?.unref(); // the channel alone never keeps the worker alive
  const resolution = 5;
  let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
  process.on('message', (m: unknown) => {
    if (typeof m !== 'object' || m === null) return;
    const { type, reset } = m as { type?: unknown; reset?: unknown };
    if (type === 'selfeval.bench-marks') send({ type, marks: benchMarks() });
    if (type === 'selfeval.query-stats') send({ type, statements: queryStats?.snapshot(reset === true) ?? [] });
    if (type !== 'selfeval.loop-delay') return;
    if (!histogram) {
      histogram = monitorEventLoopDelay({ resolution });
      histogram.enable();
    }
    // The histogram records the time between the timer's runs: its interval plus the delay.
    const late = (ns: number) => (histogram!.count ? Math.max(0, ns / 1e6 - resolution) : 0);
    send({ type, samples: histogram.count, p50: late(histogram.percentile(50)), p99: late(histogram.percentile(99)), max: late(histogram.max) });
    if (reset === true) histogram.reset();
  });
}

/** Under `npm start`, stop by ourselves if the launcher dies without stopping us. */
function onSupervisorLost(stop: () => void): void {
  if (!process.env['SELFEVAL_SUPERVISED']) return;
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop(), 1_000).unref();
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

main().catch((e: unknown) => {
  if (isAppError(e) && e.code === 'config') {
    console.error(`worker: ${e.zh} / ${e.en}\n${formatProblems(e.details)}`);
  } else {
    console.error(e);
  }
  process.exitCode = 1;
});
