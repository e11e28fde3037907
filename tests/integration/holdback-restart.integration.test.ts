/**
 * A holdback waiting on a durable timer survives a crash of the Temporal server (a dev server of
 * this test's own, persisting to a SQLite file) and of the worker (a child process), and its
 * reminder still fires — exactly once — after both come back.
 *
 * The holdback is the seed's 一件事一次办 retention (due 2021-08-31, 09:00 Shanghai = 01:00Z),
 * started with a business clock 12 s before that instant. Its earlier reminders (07-30, 08-24) are
 * already past and not sent (the due date itself is not), so the only reminder is `due`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, isListening } from '../../client/stack/proc';
import { devServerArgs } from '../../client/stack/dev-server';
import { holdbackReminders } from '../../db/holdbacks.repository';
import { importUnitYear } from '../../db/ledger.repository';
import { parseUnitYear } from '../../domain/ledger/unit-year.schema';
import { holdbackStatusQuery, holdbackWorkflowId, holdbackWorkflowType } from '../../workflows/holdback/contract';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { uniqueTaskQueue } from '../helpers/temporal';
import { seedDocument } from '../fixtures/seed';

const root = path.resolve(__dirname, '../..');
const UNIT = 'yiyang-restart';
const CODE = 'one-thing-once-retention';
const DUE_AT = Date.parse('2021-08-31T01:00:00Z');

/** The worker as a separate process, so it can really be killed. */
const workerScript = `
const { NativeConnection, Runtime, DefaultLogger } = require('@temporalio/worker');
const { Client, Connection } = require('@temporalio/client');
Runtime.install({ logger: new DefaultLogger('ERROR') });
const { createActivities } = require(${JSON.stringify(path.join(root, 'activities/index.ts'))});
const { createNotifier } = require(${JSON.stringify(path.join(root, 'activities/notifications/notifier.ts'))});
const { createDb } = require(${JSON.stringify(path.join(root, 'db/connection.ts'))});
const { nationalCalendar } = require(${JSON.stringify(path.join(root, 'domain/calendar/working-days.ts'))});
const { createWorker } = require(${JSON.stringify(path.join(root, 'worker/create-worker.ts'))});
(async () => {
  const db = createDb(process.env.HB_DATABASE_URL, { max: 3 });
  const address = process.env.HB_TEMPORAL_ADDRESS;
  const temporal = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
  const activities = createActivities({ db, calendar: nationalCalendar, temporal, publicUrl: 'http://selfeval.test',
    notifier: createNotifier({ db, mailFrom: 'test@example.invalid', publicUrl: 'http://selfeval.test' }) });
  const worker = await createWorker({ connection: await NativeConnection.connect({ address }), namespace: 'default', taskQueue: process.env.HB_TASK_QUEUE, activities });
  console.log('worker-ready');
  await worker.run();
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('a holdback timer across a restart of the Temporal server and the worker', () => {
  let database: TestDatabase;
  let dir: string;
  let port: number;
  let server: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  const taskQueue = uniqueTaskQueue('holdback-restart');
  const workflowId = holdbackWorkflowId(UNIT, 2020, CODE);

  async function startServer(): Promise<void> {
    server = spawn(
      inject('temporalCliPath'),
      devServerArgs({ port, dbFilename: path.join(dir, 't.sqlite') }),
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (await isListening(port)) {
        try {
          const c = await Connection.connect({ address: `127.0.0.1:${port}` });
          try {
            await c.workflowService.describeNamespace({ namespace: 'default' });
            return;
          } finally {
            await c.close();
          }
        } catch {
          // not ready yet
        }
      }
      if (Date.now() > deadline) throw new Error('the dev server did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function startWorker(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', workerScript], {
      cwd: root,
      env: { ...process.env, HB_DATABASE_URL: database.url, HB_TEMPORAL_ADDRESS: `127.0.0.1:${port}`, HB_TASK_QUEUE: taskQueue },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker = child;
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker did not start: ${err}`)), 60_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('worker-ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the worker exited (${code}): ${err}`));
      });
    });
  }

  async function kill(p: ChildProcess | undefined): Promise<void> {
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  async function withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      return await fn(new Client({ connection, namespace: 'default' }));
    } finally {
      await connection.close();
    }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdback-restart-'));
    [database, port] = await Promise.all([createTestDatabase('hbrs'), freePort()]);
    const doc = seedDocument();
    doc['unit'].code = UNIT;
    const parsed = parseUnitYear(doc);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    await importUnitYear(database.db, parsed.value, { actor: 'test' });
    await startServer();
  });

  afterAll(async () => {
    await kill(worker);
    await kill(server);
    await database?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function inAppMessages(): Promise<number> {
    const r = await sql<{ n: number }>`select count(*)::int as n from notifications where dedupe_key like ${`${workflowId}|2021-08-31|due|%`} and channel = 'in_app'`.execute(database.db);
    return r.rows[0]!.n;
  }

  it('fires its reminder once after both come back', async () => {
    await startWorker();
    const clockOffsetMs = DUE_AT - 12_000 - Date.now();
    await withClient(async (client) => {
      await client.workflow.start(holdbackWorkflowType, { workflowId, taskQueue, args: [{ unitCode: UNIT, year: 2020, holdbackCode: CODE, clockOffsetMs }] });
      // Waiting on its timer for the `due` reminder.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const s = await client.workflow.getHandle(workflowId).query(holdbackStatusQuery).catch(() => undefined);
        if (s?.nextReminder) {
          expect(s.nextReminder).toEqual({ key: 'due', date: '2021-08-31', at: '2021-08-31T01:00:00.000Z' });
          expect(s.status).toBe('waiting');
          break;
        }
        if (Date.now() > deadline) throw new Error('the holdback did not start');
        await new Promise((r) => setTimeout(r, 200));
      }
    });

    // Crash both, and stay down past the due instant.
    await kill(worker);
    await kill(server);
    while (Date.now() + clockOffsetMs < DUE_AT + 3_000) await new Promise((r) => setTimeout(r, 250));
    expect(await holdbackReminders(database.db, { workflowId })).toEqual([]);

    await startServer();
    await startWorker();
    const deadline = Date.now() + 60_000;
    while ((await holdbackReminders(database.db, { workflowId })).length === 0) {
      if (Date.now() > deadline) throw new Error('the reminder did not fire after the restart');
      await new Promise((r) => setTimeout(r, 200));
    }
    const status = await withClient(async (client) => {
      for (;;) {
        const s = await client.workflow.getHandle(workflowId).query(holdbackStatusQuery);
        if (s.remindersSentCount === 1) return s;
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    expect(status).toMatchObject({ status: 'payable', amounts: { payableFen: 10_920_000 }, nextReminder: { key: 'after-1', date: '2021-09-07' } });
    // Give a duplicate every chance to appear, then count: one reminder, one message.
    await new Promise((r) => setTimeout(r, 3_000));
    const reminders = await holdbackReminders(database.db, { workflowId });
    expect(reminders.map((r) => `${r.basis}|${r.key}`)).toEqual(['2021-08-31|due']);
    expect(reminders[0]!.scheduledAt.toISOString()).toBe('2021-08-31T01:00:00.000Z');
    // It fired late — after the restart — not before the due instant.
    expect(reminders[0]!.firedAt.getTime()).toBeGreaterThanOrEqual(DUE_AT + 3_000);
    expect(await inAppMessages()).toBe(1);
    await withClient((client) => client.workflow.getHandle(workflowId).terminate('test done'));
  });
});
