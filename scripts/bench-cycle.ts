/**
 * `npm run bench:cycle [N] [concurrency]`: N units' whole evaluation cycles (the seed unit-year under
 * N codes; scripted submissions, acknowledgement and approval) through a Temporal dev server on one
 * worker process, then the same N through the floor — a bare workflow of the same shape with no-op
 * activities (workflows/bench/floor.workflow.ts). Prints units per minute, p50/p95 cycle time, the
 * worker's peak RSS, and the ratio to the floor.
 *
 * Everything runs here: its own embedded Postgres, its own dev server (in-memory SQLite), the worker
 * as a child process (`worker/main.ts`), the driver in this process. Stage changes are read from
 * Postgres (the projection), so the driver does not load the worker with queries.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parse } from 'yaml';
import { startEvaluation } from '../client/evaluations';
import { freePort, isListening, waitFor } from '../client/stack/proc';
import { ensureTemporalCli } from '../client/stack/tools';
import { createDb, type Db } from '../db/connection';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { importUnitYear } from '../db/ledger.repository';
import { migrateToLatest } from '../db/migrate';
import { parseConfig } from '../domain/config';
import { sectionSubmissionSchema } from '../domain/submission';
import { acknowledgeFindingsUpdate, approveUpdate, sectionTaskId, submitUpdate } from '../workflows/evaluation/contract';
import { floorAcknowledgeUpdate, floorApproveUpdate, type FloorShape, floorSubmitUpdate } from '../workflows/bench/floor.workflow';
import { seedUnitYear } from '../tests/fixtures/seed';

const N = Number(process.argv[2] ?? 50);
const CONCURRENCY = Number(process.argv[3] ?? 25);
const root = path.resolve(__dirname, '..');
const taskQueue = 'bench-cycle';

/** The real cycle's shape, counted from workflows/evaluation (happy path). */
const SHAPE: FloorShape = { sections: 6, parentActivities: { open: 3, review: 4, draft: 5, issue: 4 }, childActivities: 3, sideWorkflows: 5 };

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function retry<T>(fn: () => Promise<T>, what: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt > 600) throw new Error(`${what}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function untilRow<T>(db: Db, probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function summary(name: string, times: number[], wallMs: number, peakRss: number) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { name, unitsPerMinute: (times.length / wallMs) * 60_000, p50: at(0.5), p95: at(0.95), wallMs, peakRss };
}

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const cli = await ensureTemporalCli({ cacheDir: config.cacheDir, log: (l) => console.log(l) });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-bench-cycle-'));
  fs.chmodSync(tmp, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), database: 'bench', ephemeral: true });
  const db = createDb(pg.url('bench'), { max: 8 });
  const port = await freePort();
  const temporalServer = spawn(cli, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--namespace', 'default', '--log-level', 'error'], { stdio: 'ignore' });
  let worker: ChildProcess | undefined;
  const address = `127.0.0.1:${port}`;
  try {
    await waitFor('the dev server', () => isListening(port), { timeoutMs: 60_000 });
    await migrateToLatest(db);
    const seed = seedUnitYear();
    const infosec = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.join(root, 'tests/fixtures/demo/infosec-submission.yaml'), 'utf8')));
    const submissions = [...seed.submissions, infosec];
    const units = Array.from({ length: N }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
    const t0 = Date.now();
    for (const code of units) {
      const y = structuredClone(seed);
      y.unit.code = code;
      y.people = y.people.map((p) => ({ ...p, email: p.email.replace('@', `+${code}@`) }));
      await importUnitYear(db, y, { actor: 'bench' });
    }
    console.log(`imported ${N} unit-years in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // BENCH_WORKER_HEAP_MB caps the worker's V8 old space (as a container limit would); unset: Node's default.
    const heap = process.env['BENCH_WORKER_HEAP_MB'];
    const profile = process.env['BENCH_WORKER_CPU_PROF'] ? [`--cpu-prof`, `--cpu-prof-dir=${process.env['BENCH_WORKER_CPU_PROF']}`] : [];
    worker = spawn(process.execPath, [...(heap ? [`--max-old-space-size=${heap}`] : []), ...profile, '--import', 'tsx', path.join(root, 'worker/main.ts')], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: pg.url('bench'), TEMPORAL_ADDRESS: address, SELFEVAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const client = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
    await waitFor('the worker', async () => (await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 })).pollers.length > 0, { timeoutMs: 60_000, intervalMs: 250 });
    const idleRss = rssOf(worker.pid!);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(worker!.pid!))), 200);

    // ── The real cycle ───────────────────────────────────────────────────────────────────────
    const real: number[] = [];
    peak = 0;
    const realStart = Date.now();
    await pool(units, CONCURRENCY, async (unitCode) => {
      const started = Date.now();
      const { handle } = await startEvaluation(client, { unitCode, year: 2020, startedBy: 'bench', taskQueue });
      await Promise.all(
        submissions.map((submission) =>
          retry(() => client.workflow.getHandle(sectionTaskId(unitCode, 2020, submission.section)).executeUpdate(submitUpdate, { args: [{ actor: 'bench', submission }] }), `${unitCode} ${submission.section}`),
        ),
      );
      const sha = await untilRow(db, async () => (await db.selectFrom('evaluations').select('findings_sha256').where('workflow_id', '=', handle.workflowId).where('stage', '=', 'reviewing').executeTakeFirst())?.findings_sha256 ?? undefined, `${unitCode} findings`);
      await retry(() => handle.executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: 'bench', findingsSha256: sha }] }), `${unitCode} acknowledge`);
      const version = await untilRow(db, async () => (await db.selectFrom('evaluations').select('report_version').where('workflow_id', '=', handle.workflowId).where('stage', '=', 'approving').executeTakeFirst())?.report_version ?? undefined, `${unitCode} draft`);
      await retry(() => handle.executeUpdate(approveUpdate, { args: [{ actor: 'bench', reportVersion: version }] }), `${unitCode} approve`);
      await handle.result();
      real.push(Date.now() - started);
    });
    const realSummary = summary('selfeval cycle', real, Date.now() - realStart, peak);

    // ── The floor ────────────────────────────────────────────────────────────────────────────
    const floor: number[] = [];
    peak = 0;
    const floorStart = Date.now();
    await pool(units, CONCURRENCY, async (unitCode) => {
      const started = Date.now();
      const workflowId = `bench-floor/${unitCode}`;
      const handle = await client.workflow.start('benchFloorEvaluation', { workflowId, taskQueue, args: [SHAPE] });
      await Promise.all(
        Array.from({ length: SHAPE.sections }, (_, k) => retry(() => client.workflow.getHandle(`${workflowId}/task/${k}`).executeUpdate(floorSubmitUpdate), `${workflowId} task ${k}`)),
      );
      await handle.executeUpdate(floorAcknowledgeUpdate);
      await handle.executeUpdate(floorApproveUpdate);
      await handle.result();
      floor.push(Date.now() - started);
    });
    const floorSummary = summary('floor (no-op shape)', floor, Date.now() - floorStart, peak);
    clearInterval(sampler);

    console.log(`\n${N} units, ${CONCURRENCY} at a time, one worker, dev server with in-memory SQLite, ${os.cpus().length} cores`);
    console.log('run                     units/min   p50 s   p95 s   wall s   worker peak RSS');
    for (const s of [realSummary, floorSummary]) {
      console.log(`${s.name.padEnd(22)} ${s.unitsPerMinute.toFixed(1).padStart(9)}  ${(s.p50 / 1000).toFixed(2).padStart(6)}  ${(s.p95 / 1000).toFixed(2).padStart(6)}  ${(s.wallMs / 1000).toFixed(1).padStart(7)}   ${(s.peakRss / 1048576).toFixed(0).padStart(6)} MB`);
    }
    console.log(`ratio to the floor (wall time): ${(realSummary.wallMs / floorSummary.wallMs).toFixed(2)}; worker RSS when idle before the runs: ${(idleRss / 1048576).toFixed(0)} MB${heap ? `; V8 old space capped at ${heap} MB` : ''}`);
    await client.connection.close();
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    temporalServer.kill('SIGTERM');
    await db.destroy();
    await pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
