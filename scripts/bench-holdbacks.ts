/**
 * Holdback benchmark:
 *   npm run bench:holdbacks -- N [--timeskip 1000] [--soon 50] [--cache K] [--sqlite-pragma synchronous=off ...]
 *
 * `--cache K` runs the worker with its sticky workflow cache capped at K (default: `worker/main.ts`
 * as deployed: SELFEVAL_MAX_CACHED_WORKFLOWS, default 100); `--sqlite-pragma` is passed to the dev
 * server (its default SQLite settings fsync every write, which bounds the start rate).
 *
 * 1. Dev server (Temporal CLI, SQLite file, a port of its own), embedded Postgres, and the real
 *    worker process (`worker/main.ts`) — all started here, all stopped at the end.
 * 2. Imports a unit-year with N retention holdbacks whose due dates are spread over the next three
 *    years, and starts their workflows through `ensureHoldbackWorkflows` (the evaluation's path).
 *    Prints the start rate, the time until every workflow has written its first progress, and the
 *    resident memory (RSS) of the Temporal server and of the worker, sampled throughout.
 * 3. On-time check under that load: `--soon` more holdbacks (default 50) whose due reminder is
 *    ~20 s away (business clock offset); prints how late each fired in real time.
 * 4. A time-skipping run of `--timeskip` holdbacks (default 1,000; 0 skips it) due over three
 *    years: the clock moves a week at a time, each holdback is released once its due reminder has
 *    fired, and the lateness of every reminder (fired − scheduled, workflow clock) is printed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { sql } from 'kysely';
import { createActivities } from '../activities';
import { createHoldbackActivities } from '../activities/holdbacks.activities';
import { createNotifier } from '../activities/notifications/notifier';
import { freePort, isListening } from '../client/stack/proc';
import { ensureTemporalCli, ensureTestServer } from '../client/stack/tools';
import { devServerArgs } from '../client/stack/dev-server';
import { createDb, type Db } from '../db/connection';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { holdbackReminders } from '../db/holdbacks.repository';
import { importUnitYear } from '../db/ledger.repository';
import { migrateToLatest } from '../db/migrate';
import { addDays, civilDateOf, instantAt, type CivilDate } from '../domain/calendar/civil-date';
import { nationalCalendar, workingDayOnOrAfter } from '../domain/calendar/working-days';
import { parseConfig } from '../domain/config';
import { parseUnitYear } from '../domain/ledger/unit-year.schema';
import { bundleWorkflows, createWorker } from '../worker/create-worker';
import { holdbackWorkflowId, recordReleaseUpdate, taskQueue } from '../workflows/holdback/contract';

const root = path.resolve(__dirname, '..');
const log = (line: string) => console.log(`[bench] ${line}`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

function args(): { n: number; timeskip: number; soon: number; pragmas: string[]; cache: number } {
  const argv = process.argv.slice(2);
  const n = Number(argv.find((a) => /^\d+$/.test(a)) ?? '1000');
  const flag = (name: string, dflt: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const pragmas = argv.flatMap((a, i) => (a === '--sqlite-pragma' && argv[i + 1] ? [argv[i + 1]!] : []));
  return { n, timeskip: flag('timeskip', 1000), soon: flag('soon', 50), pragmas, cache: flag('cache', 0) };
}

/** User + system CPU seconds of a process so far. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function rssKb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The worker of worker/main.ts with a capped workflow cache (what `createWorker` would do with `maxCachedWorkflows`). */
function cappedWorkerScript(cache: number): string {
  const req = (p: string) => `require(${JSON.stringify(path.join(root, p))})`;
  return `
const { NativeConnection, Runtime, DefaultLogger, Worker } = require('@temporalio/worker');
const { Client, Connection } = require('@temporalio/client');
Runtime.install({ logger: new DefaultLogger('ERROR') });
const { createActivities } = ${req('activities/index.ts')};
const { createNotifier } = ${req('activities/notifications/notifier.ts')};
const { createDb } = ${req('db/connection.ts')};
const { nationalCalendar } = ${req('domain/calendar/working-days.ts')};
const { bundleWorkflows } = ${req('worker/create-worker.ts')};
const { taskQueue } = ${req('workflows/task-queue.ts')};
(async () => {
  const db = createDb(process.env.DATABASE_URL, { max: 10 });
  const address = process.env.TEMPORAL_ADDRESS;
  const temporal = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
  const activities = createActivities({ db, calendar: nationalCalendar, temporal, publicUrl: 'http://bench.invalid',
    notifier: createNotifier({ db, mailFrom: 'bench@example.invalid', publicUrl: 'http://bench.invalid' }) });
  const worker = await Worker.create({ connection: await NativeConnection.connect({ address }), namespace: 'default', taskQueue, activities,
    workflowBundle: await bundleWorkflows(), maxCachedWorkflows: ${cache} });
  await worker.run();
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

/** A unit-year with `count` retentions of 1万元 each, due on the given dates. */
function unitYearWith(unitCode: string, dueDates: string[]) {
  const doc = {
    format: 'selfeval.unit-year/v1',
    year: 2026,
    unit: { code: unitCode, name: `基准测试单位 ${unitCode}`, staffQuota: 10, sections: [{ code: 'finance', name: '财务科' }] },
    staff: { actual: 10 },
    people: [{ name: '财务人员', email: `finance@${unitCode}.example.invalid`, roles: ['finance_officer'] }],
    stated: {
      income: { total: '1万元' },
      carryOver: '0元',
      expenditure: { total: '1万元', basic: '1万元', personnel: '1万元', public: '0元', project: '0元' },
    },
    projects: [
      {
        code: 'bench',
        name: '基准测试项目',
        allocations: [{ code: 'bench-2026', name: '2026年安排', budgetYear: 2026, amount: `${dueDates.length}万元` }],
        holdbacks: dueDates.map((dueOn, i) => ({ code: `r${i}`, kind: 'retention', allocation: 'bench-2026', amount: '1万元', condition: '质保期届满后支付', dueOn })),
      },
    ],
  };
  const parsed = parseUnitYear(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems.slice(0, 5)));
  return parsed.value;
}

/** `count` dates spread evenly over the three years from `from`. */
function spread(from: CivilDate, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addDays(from, 1 + Math.floor((i * 3 * 365) / count)));
}

async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stats(values: number[]): string {
  if (values.length === 0) return 'none';
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number) => v[Math.min(v.length - 1, Math.floor(q * v.length))]!;
  return `n=${v.length} min=${v[0]} ms p50=${at(0.5)} ms p99=${at(0.99)} ms max=${v[v.length - 1]} ms`;
}

async function main(): Promise<void> {
  const { n, timeskip, soon, pragmas, cache } = args();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = parseConfig(process.env, { cwd: root, homeDir: os.homedir() });
  const [cli, testServer] = await Promise.all([ensureTemporalCli({ cacheDir: config.cacheDir, log }), timeskip > 0 ? ensureTestServer({ cacheDir: config.cacheDir, log }) : Promise.resolve('')]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-holdbacks-'));
  fs.chmodSync(tmp, 0o755);
  const children: ChildProcess[] = [];
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'postgres'), port: await freePort(), database: 'bench', ephemeral: true });
  const dbUrl = pg.url('bench');
  const db = createDb(dbUrl, { max: 10 });
  try {
    await migrateToLatest(db);
    log(`Postgres ready; N = ${n}`);

    // ── Dev server (SQLite file) and the real worker process ────────────────────────────────
    const port = await freePort();
    const server = spawn(cli, [...devServerArgs({ port, dbFilename: path.join(tmp, 'temporal.sqlite') }), ...pragmas.flatMap((p) => ['--sqlite-pragma', p])], { stdio: 'ignore' });
    children.push(server);
    if (pragmas.length) log(`SQLite pragmas: ${pragmas.join(', ')}`);
    await waitUntil('dev server', () => isListening(port), 60_000);
    const address = `127.0.0.1:${port}`;
    const connection = await Connection.connect({ address });
    await waitUntil('namespace', async () => connection.workflowService.describeNamespace({ namespace: 'default' }).then(() => true, () => false), 60_000);
    const client = new Client({ connection, namespace: 'default' });
    // The worker process: `worker/main.ts` as deployed, or (with --cache K) the same worker with its
    // sticky workflow cache capped at K workflows.
    const workerArgs = cache > 0 ? ['--import', 'tsx', '-e', cappedWorkerScript(cache)] : ['--import', 'tsx', path.join(root, 'worker/main.ts')];
    if (cache > 0) log(`worker: maxCachedWorkflows = ${cache}`);
    else log('worker: worker/main.ts as deployed (SELFEVAL_MAX_CACHED_WORKFLOWS, default 100)');
    // BENCH_WORKER_HEAP_MB caps V8's old space in the worker (as docker-compose.yml and `npm start` do).
    const heap = process.env['BENCH_WORKER_HEAP_MB'];
    if (heap) log(`worker: --max-old-space-size=${heap}`);
    const worker = spawn(process.execPath, [...(heap ? [`--max-old-space-size=${heap}`] : []), ...workerArgs], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: dbUrl, TEMPORAL_ADDRESS: address, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(worker);
    const samples = { server: [] as number[], worker: [] as number[] };
    const sampler = setInterval(() => {
      samples.server.push(rssKb(server.pid));
      samples.worker.push(rssKb(worker.pid));
    }, 500);
    await waitUntil('worker polling', async () => {
      const d = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 });
      return (d.pollers ?? []).length > 0;
    }, 120_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const idle = { server: rssKb(server.pid), worker: rssKb(worker.pid) };
    log(`idle RSS: Temporal ${mb(idle.server)}, worker ${mb(idle.worker)}`);

    const today = civilDateOf(Date.now());
    const unit = 'bench-unit';
    let t0 = Date.now();
    await importUnitYear(db, unitYearWith(unit, spread(today, n)), { actor: 'bench' });
    log(`imported ${n} holdbacks in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const deps = { db, calendar: nationalCalendar, temporal: client, publicUrl: 'http://bench.invalid', notifier: createNotifier({ db, mailFrom: 'bench@example.invalid', publicUrl: 'http://bench.invalid' }) };
    const holdbacks = createHoldbackActivities(deps);
    t0 = Date.now();
    const started = await holdbacks.ensureHoldbackWorkflows({ unitCode: unit, year: 2026, taskQueue });
    const startSeconds = (Date.now() - t0) / 1000;
    log(`started ${started.workflowIds.length} workflows in ${startSeconds.toFixed(1)} s → ${(started.workflowIds.length / startSeconds).toFixed(0)} starts/s`);
    const progressCount = async (u: string) => Number((await sql<{ n: number }>`select count(*)::int as n from holdback_progress where unit_code = ${u}`.execute(db)).rows[0]!.n);
    // Memory against the number of open holdbacks, as they come up: a line per tenth of N.
    let nextMark = Math.ceil(n / 10);
    await waitUntil('all progress rows', async () => {
      const count = await progressCount(unit);
      while (count >= nextMark && nextMark <= n) {
        log(`  ${String(nextMark).padStart(7)} open after ${((Date.now() - t0) / 1000).toFixed(0).padStart(5)} s: RSS Temporal ${mb(rssKb(server.pid))}, worker ${mb(rssKb(worker.pid))}`);
        nextMark += Math.ceil(n / 10);
      }
      return count >= n;
    }, Math.max(30 * 60_000, n * 100));
    const settled = (Date.now() - t0) / 1000;
    log(`all ${n} running and planned (first progress written) after ${settled.toFixed(1)} s → ${(n / settled).toFixed(0)} holdbacks/s end to end`);
    log(`CPU so far: Temporal ${cpuSeconds(server.pid).toFixed(0)} s, worker ${cpuSeconds(worker.pid).toFixed(0)} s, Postgres+bench ${(process.cpuUsage().user / 1e6).toFixed(0)} s (bench process)`);
    await new Promise((r) => setTimeout(r, 5_000));
    const after = { server: rssKb(server.pid), worker: rssKb(worker.pid) };
    const sqlite = fs.statSync(path.join(tmp, 'temporal.sqlite')).size;
    log(`RSS with ${n} open holdbacks: Temporal ${mb(after.server)} (peak ${mb(Math.max(...samples.server))}), worker ${mb(after.worker)} (peak ${mb(Math.max(...samples.worker))}); SQLite file ${(sqlite / 1024 / 1024).toFixed(0)} MB`);

    // ── On time under load: holdbacks due ~20 s from now (business clock) ───────────────────
    if (soon > 0) {
      const due = workingDayOnOrAfter(nationalCalendar, addDays(today, 400)).date;
      await importUnitYear(db, unitYearWith('bench-soon', Array.from({ length: soon }, () => due)), { actor: 'bench' });
      const dueAt = Date.parse(instantAt(due, '09:00'));
      const clockOffsetMs = dueAt - 20_000 - Date.now();
      await holdbacks.ensureHoldbackWorkflows({ unitCode: 'bench-soon', year: 2026, taskQueue, clockOffsetMs });
      await waitUntil('soon reminders', async () => (await holdbackReminders(db, { unitCode: 'bench-soon' })).length >= soon, 120_000);
      const late = (await holdbackReminders(db, { unitCode: 'bench-soon' })).map((r) => r.firedAt.getTime() - r.scheduledAt.getTime());
      log(`dev server, ${soon} reminders due 20 s after start with ${n} holdbacks open: lateness ${stats(late)}`);
    }
    clearInterval(sampler);
    log(`RSS at the end: Temporal ${mb(rssKb(server.pid))}, worker ${mb(rssKb(worker.pid))}`);
    await connection.close();

    // ── Time-skipping run ───────────────────────────────────────────────────────────────────
    if (timeskip > 0) await timeSkippingRun(db, testServer, timeskip);
  } finally {
    for (const c of children.reverse()) c.kill('SIGKILL');
    await db.destroy();
    await pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function timeSkippingRun(db: Db, testServer: string, count: number): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
  const queue = 'bench-timeskip';
  const deps = { db, calendar: nationalCalendar, temporal: env.client, publicUrl: 'http://bench.invalid', notifier: createNotifier({ db, mailFrom: 'bench@example.invalid', publicUrl: 'http://bench.invalid' }) };
  const worker = await createWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue: queue, workflowBundle: await bundleWorkflows(), activities: createActivities(deps) });
  const running = worker.run();
  try {
    const unit = 'bench-ts';
    const start = civilDateOf(await env.currentTimeMs());
    const dues = spread(start, count);
    await importUnitYear(db, unitYearWith(unit, dues), { actor: 'bench' });
    const t0 = Date.now();
    await createHoldbackActivities(deps).ensureHoldbackWorkflows({ unitCode: unit, year: 2026, taskQueue: queue });
    await waitUntil('time-skipping progress rows', async () => Number((await sql<{ n: number }>`select count(*)::int as n from holdback_progress where unit_code = ${unit}`.execute(db)).rows[0]!.n) >= count, 10 * 60_000);
    const released = new Set<string>();
    const week = 7 * 24 * 3600 * 1000;
    const end = Date.parse(instantAt(addDays(dues[dues.length - 1]! as CivilDate, 14), '00:00'));
    while ((await env.currentTimeMs()) < end) {
      await env.sleep(week);
      const fired = (await holdbackReminders(db, { unitCode: unit })).filter((r) => r.key === 'due' && !released.has(r.holdbackCode));
      await Promise.all(
        fired.map(async (r) => {
          released.add(r.holdbackCode);
          await env.client.workflow.getHandle(holdbackWorkflowId(unit, 2026, r.holdbackCode)).executeUpdate(recordReleaseUpdate, {
            args: [{ requestId: `bench-${r.holdbackCode}`, paidOn: r.date, amountFen: 1_000_000 }],
          });
        }),
      );
    }
    const reminders = await holdbackReminders(db, { unitCode: unit });
    const late = reminders.map((r) => r.firedAt.getTime() - r.scheduledAt.getTime());
    const byKey = new Map<string, number>();
    for (const r of reminders) byKey.set(r.key, (byKey.get(r.key) ?? 0) + 1);
    log(`time-skipping: ${count} holdbacks over 3 years in ${((Date.now() - t0) / 1000).toFixed(0)} s wall; ${released.size} released after their due reminder`);
    log(`time-skipping reminders: ${[...byKey].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    log(`time-skipping lateness (fired − scheduled, workflow clock): ${stats(late)}`);
  } finally {
    worker.shutdown();
    await running;
    await env.teardown();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
