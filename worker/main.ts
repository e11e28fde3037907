/**
 * The worker process: connects to Temporal and Postgres, runs every workflow and activity of
 * selfeval on its task queue, and drains on SIGINT/SIGTERM (the SDK's Runtime handles the
 * signals; `run()` resolves once in-flight tasks finish).
 */
import os from 'node:os';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import nodemailer from 'nodemailer';
import { createActivities } from '../activities';
import { createNotifier } from '../activities/notifications/notifier';
import fs from 'node:fs';
import { createWorkingDayCalendar, nationalCalendar, type WorkingDayCalendar } from '../domain/calendar/working-days';
import { databaseUrlOf, parseConfig, redactUrl } from '../domain/config';
import { createDb, pingDb } from '../db/connection';
import { isAppError } from '../domain/errors';
import { formatProblems } from '../domain/validation';
import { createWorker, loadWorkflowBundle } from './create-worker';
import { createWorkerLogger, installRuntimeLogger } from './logger';

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const logger = createWorkerLogger(config);
  installRuntimeLogger(logger, config.log.level);
  const url = databaseUrlOf(config);
  const db = createDb(url, {
    applicationName: 'selfeval-worker',
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
  const mailer = config.mail.smtpUrl ? nodemailer.createTransport(config.mail.smtpUrl) : undefined;
  if (!mailer) logger.info('SMTP_URL is not set: notifications are delivered in-app (and to configured robots) only');
  const activities = createActivities({
    db,
    notifier: createNotifier({ db, mailFrom: config.mail.from, publicUrl: config.publicUrl, ...(mailer ? { mailer } : {}) }),
    calendar,
    temporal,
    publicUrl: config.publicUrl,
    reportFonts: config.reportFonts,
    renderConcurrency: config.renderConcurrency,
  });
  try {
    const workflowBundle = await loadWorkflowBundle(process.env['SELFEVAL_WORKFLOW_BUNDLE'] || undefined);
    const worker = await createWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, activities, workflowBundle, maxCachedWorkflows: config.temporal.maxCachedWorkflows });
    logger.info({ taskQueue: worker.options.taskQueue, namespace: config.temporal.namespace }, 'worker running');
    traceMemory(process.env['SELFEVAL_MEMORY_TRACE']);
    onSupervisorLost(() => {
      logger.warn('the launcher is gone; shutting down');
      worker.shutdown();
    });
    await worker.run();
    logger.info('worker stopped');
  } finally {
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
