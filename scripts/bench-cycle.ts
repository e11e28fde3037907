/**
 * `npm run bench:cycle [N] [concurrency]`: N units' whole evaluation cycles (the seed unit-year under
 * N codes; scripted submissions, acknowledgement and approval) through a Temporal dev server on one
 * worker process, then the same N through the floor — a bare workflow of the same shape with no-op
 * activities (workflows/bench/floor.workflow.ts; with BENCH_FLOOR_RENDERS=1 it renders the reports
 * too). Prints units per minute, p50/p95 cycle time, the worker's peak RSS, CPU per process, and the
 * ratio to the floor; for the cycle, how long after its start a unit's tasks were open (the first,
 * and all seven: the task-assigned notices' times in Postgres, p50/p95); and for each half the
 * worker's event-loop delay (p50, p99, max: how late a 5 ms timer fired in its main thread, asked
 * over an IPC channel at each half's start and end), and the worker's queries per unit (BENCH_QUERIES=n also
 * lists the n most frequent statements).
 *
 * The two halves are timed fairly: first BENCH_WARMUP units of each (default: the concurrency) go
 * through untimed, then the cycle and the floor run in blocks cycle, floor, floor, cycle over the
 * two halves of the units (BENCH_ORDER=abba, the default), so neither pays for warming the worker
 * and what drifts during a run falls on both. BENCH_ORDER=cycle-first or floor-first runs each
 * half in one block, in that order (without BENCH_WARMUP=0, after the warm-up).
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
import { devServerArgs } from '../client/stack/dev-server';
import { createDb, type Db } from '../db/connection';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { importUnitYear } from '../db/ledger.repository';
import { migrateToLatest } from '../db/migrate';
import { parseConfig } from '../domain/config';
import { sectionSubmissionSchema } from '../domain/submission';
import { acknowledgeFindingsUpdate, approveUpdate, sectionTaskId, selfAssessmentTaskId, submitSelfAssessmentUpdate, submitUpdate } from '../workflows/evaluation/contract';
import { floorAcknowledgeUpdate, floorApproveUpdate, type FloorShape, floorSubmitUpdate } from '../workflows/bench/floor.workflow';
import { seedUnitYear } from '../tests/fixtures/seed';

const N = Number(process.argv[2] ?? 50);
const CONCURRENCY = Number(process.argv[3] ?? 25);
/** BENCH_ONLY=cycle or floor runs one of the two. */
const ONLY = process.env['BENCH_ONLY'];
/**
 * BENCH_FLOOR_RENDERS=1: the floor reads and renders each unit's draft and issued report (PDF and
 * DOCX, nothing stored) where the cycle renders them, so the ratio shows what the cycle costs above
 * Temporal and rendering. The issue's floor is the no-op one (the default).
 */
const FLOOR_RENDERS = process.env['BENCH_FLOOR_RENDERS'] === '1';
/** The worker inherits this process's environment: SELFEVAL_DRAFT_DOCX=eager renders drafts' DOCX with their PDF (the floor then does too). */
const EAGER_DRAFT_DOCX = process.env['SELFEVAL_DRAFT_DOCX'] === 'eager';
const root = path.resolve(__dirname, '..');
const taskQueue = 'bench-cycle';
/**
 * BENCH_SOLO=n (default 3): before the timed cycle, n more units go through the whole cycle one at a
 * time on the otherwise idle worker, and their start → tasks open is printed (the first warms the
 * worker; the rest are the warm-stack figure). Not part of the timed half's figures.
 */
const SOLO = Number(process.env['BENCH_SOLO'] ?? 3);
/**
 * BENCH_WARMUP=n (default: the concurrency): before the timed halves, n more units through the cycle
 * and n through the floor at full concurrency, untimed — whichever half ran first used to pay for
 * warming the worker (the same code measured 1.19× cycle first and 1.03× floor first at 100 × 50).
 */
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? CONCURRENCY);

/**
 * The real cycle's shape, counted from workflows/evaluation on the happy path (L: local activity,
 * R: ordinary activity). Keep it in step with the workflows when they change.
 */
const SHAPE: FloorShape = {
  // Six section tasks and the finance officer's self-assessment task, each of the same shape.
  sections: 7,
  parent: {
    open: ['L', 'R', 'L'], // openEvaluation, ensureHoldbackWorkflows, stage collecting
    review: ['L', 'L', 'R'], // stage reviewing, runReconciliation, notify findings
    acknowledge: ['L'], // recordDecision
    draft: ['L', 'L', 'L', 'D', 'L', 'R'], // stage scoring, scoreEvaluation, stage drafting, renderReport (draft), stage approving, notify approval
    approve: ['L'], // recordDecision
    issue: ['L', 'I', 'L', 'R'], // stage issuing, renderReport (issued), stage issued, notify issued
  },
  child: { open: ['L', 'L'], submit: ['L'] }, // openTask (openAssessmentTask), planTaskReminders; recordSubmission (recordSelfAssessment)
  sideWorkflows: 5, // the seed's holdbacks
  // 15 activities over the 5 holdbacks of a seed unit (counted from a run): openHoldback ×5,
  // writeHoldbackProgress ×5, sendHoldbackReminder ×3 (reminders already due), recordHoldbackEvent,
  // planHoldbackSchedule — 3 each on average.
  side: ['R', 'R', 'R'],
};

function rssOf(pid: number): number {
  const status = fs.existsSync(`/proc/${pid}/status`) ? fs.readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz on Linux)
}

/** CPU seconds the whole machine has spent busy (not idle or waiting on I/O). */
function machineBusy(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/**
 * CPU seconds of a Postgres server: the postmaster with its exited children, and every live child
 * (backends, checkpointer, WAL writer) with theirs.
 */
function postgresCpu(postmasterPid: number): number {
  const withChildren = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100; // utime, stime, cutime, cstime
  };
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number(entry) === postmasterPid || ppid === postmasterPid) total += withChildren(stat);
  }
  return total;
}

interface CpuMark { worker: number; temporal: number; postgres: number; driver: number; machine: number }
function cpuMark(workerPid: number, temporalPid: number, postmasterPid: number): CpuMark {
  const self = process.cpuUsage();
  return { worker: cpuOf(workerPid), temporal: cpuOf(temporalPid), postgres: postgresCpu(postmasterPid), driver: (self.user + self.system) / 1e6, machine: machineBusy() };
}
function cpuSince(start: CpuMark, end: CpuMark): CpuMark {
  return { worker: end.worker - start.worker, temporal: end.temporal - start.temporal, postgres: end.postgres - start.postgres, driver: end.driver - start.driver, machine: end.machine - start.machine };
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** Failed attempts of `retry`, per half of the run (each one is a refused RPC the server had to answer). */
let failedAttempts = 0;

/**
 * Retries an Update sent before its workflow exists (a section task is started a few workflow
 * tasks after its evaluation), waiting 100 ms, then twice as long each time up to 1 s: retrying
 * every 100 ms sent ~250 refused Updates per unit, a load on the server and the driver that no
 * person submitting from their task list makes. Both halves of the benchmark use it.
 */
async function retry<T>(fn: () => Promise<T>, what: string): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (let wait = 100; ; wait = Math.min(wait * 2, 1_000)) {
    try {
      return await fn();
    } catch (e) {
      failedAttempts++;
      if (Date.now() > deadline) throw new Error(`${what}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/**
 * Waits for evaluations to reach a stage, reading the projection for all waiting units in one
 * query per tick (one poller per unit would load Postgres and this process more than the cycle).
 */
function stageWatcher(db: Db) {
  type Row = { stage: string; findings_sha256: string | null; report_version: number | null };
  type Waiter = { stage: string; field: keyof Row; resolve: (row: Row) => void; reject: (e: Error) => void; deadline: number };
  const waiting = new Map<string, Waiter[]>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let busy = false;
  const tick = async () => {
    timer = undefined;
    busy = true;
    const ids = [...waiting.keys()];
    if (ids.length) {
      let rows;
      try {
        rows = await db.selectFrom('evaluations').select(['workflow_id', 'stage', 'findings_sha256', 'report_version']).where('workflow_id', 'in', ids).execute();
      } catch (e) {
        for (const ws of waiting.values()) for (const w of ws) w.reject(e as Error);
        waiting.clear();
        busy = false;
        return;
      }
      const byId = new Map(rows.map((r) => [r.workflow_id, r]));
      for (const id of ids) {
        const row = byId.get(id);
        const rest = (waiting.get(id) ?? []).filter((w) => {
          // The stage is set before the step that fills the field (findings, the draft's version).
          if (row && row.stage === w.stage && row[w.field] !== null) w.resolve(row);
          else if (Date.now() > w.deadline) w.reject(new Error(`timed out waiting for ${id} to reach ${w.stage}`));
          else return true;
          return false;
        });
        if (rest.length) waiting.set(id, rest);
        else waiting.delete(id);
      }
    }
    busy = false;
    if (waiting.size && !stopped) timer = setTimeout(() => void tick(), 150);
  };
  return {
    until(workflowId: string, stage: string, field: keyof Row): Promise<Row> {
      return new Promise((resolve, reject) => {
        waiting.set(workflowId, [...(waiting.get(workflowId) ?? []), { stage, field, resolve, reject, deadline: Date.now() + 600_000 }]);
        if (!stopped && !busy) timer ??= setTimeout(() => void tick(), 150);
      });
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

interface LoopDelay { samples: number; p50: number; p99: number; max: number }

/** Asks the worker over its IPC channel (worker/main.ts answers each request type with a message of that type). */
function askWorker<T>(worker: ChildProcess, type: string, reset: boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the worker did not answer ${type}`)), 10_000);
    const onMessage = (m: unknown) => {
      if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== type) return;
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve(m as T);
    };
    worker.on('message', onMessage);
    worker.send({ type, reset });
  });
}

/** The worker's event-loop delay since the last reset. */
const loopDelay = (worker: ChildProcess, reset: boolean) => askWorker<LoopDelay>(worker, 'selfeval.loop-delay', reset);

interface Statement { sql: string; count: number; ms: number }

/** The worker's queries since the last reset, by statement. */
const queryStats = async (worker: ChildProcess, reset: boolean) => (await askWorker<{ statements: Statement[] }>(worker, 'selfeval.query-stats', reset)).statements;

/** Queries per unit, and with BENCH_QUERIES=n the n most frequent statements (per unit, and their time). */
function printQueries(name: string, statements: Statement[]): void {
  const total = statements.reduce((a, s) => a + s.count, 0);
  const ms = statements.reduce((a, s) => a + s.ms, 0);
  console.log(`worker queries, ${name}: ${(total / N).toFixed(1)} per unit, ${statements.length} distinct statements, ${(ms / N).toFixed(1)} ms per unit waiting on them`);
  const top = Number(process.env['BENCH_QUERIES'] ?? 0);
  for (const s of statements.slice(0, top)) {
    console.log(`  ${(s.count / N).toFixed(2).padStart(6)}/unit ${(s.ms / s.count).toFixed(2).padStart(6)} ms  ${s.sql.replace(/\s+/g, ' ').slice(0, 220)}`);
  }
}

/**
 * How long after its start each unit's tasks were open: the first and the last of its seven
 * task-assigned notices (sent by the task's first workflow task, right after its row is written),
 * from Postgres's clock — the same machine's as the driver's start times.
 */
async function tasksOpen(db: Db, starts: Map<string, number>): Promise<{ first: number[]; all: number[]; byUnit: Map<string, { first: number; all?: number }> }> {
  const rows = await db
    .selectFrom('notifications')
    .select(['workflow_id', (eb) => eb.fn.min('created_at').as('at')])
    .where('kind', '=', 'task_assigned')
    .where('workflow_id', 'like', 'evaluation/%')
    .groupBy('workflow_id')
    .execute();
  const byUnit = new Map<string, number[]>();
  for (const r of rows) {
    const unit = /^evaluation\/([^/]+)\//.exec(r.workflow_id ?? '')?.[1];
    if (unit && starts.has(unit)) byUnit.set(unit, [...(byUnit.get(unit) ?? []), new Date(r.at).getTime() - starts.get(unit)!]);
  }
  const first: number[] = [];
  const all: number[] = [];
  const perUnit = new Map<string, { first: number; all?: number }>();
  for (const [unit, times] of byUnit) {
    first.push(Math.min(...times));
    if (times.length >= SHAPE.sections) all.push(Math.max(...times));
    perUnit.set(unit, { first: Math.min(...times), ...(times.length >= SHAPE.sections ? { all: Math.max(...times) } : {}) });
  }
  return { first, all, byUnit: perUnit };
}

const quantile = (times: number[], q: number) => {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

function summary(name: string, times: number[], wallMs: number, peakRss: number, cpu: CpuMark) {
  return { name, unitsPerMinute: (times.length / wallMs) * 60_000, p50: quantile(times, 0.5), p95: quantile(times, 0.95), wallMs, peakRss, cpu };
}

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const cli = await ensureTemporalCli({ cacheDir: config.cacheDir, log: (l) => console.log(l) });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-bench-cycle-'));
  fs.chmodSync(tmp, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), database: 'bench', ephemeral: true });
  const db = createDb(pg.url('bench'), { max: 8 });
  const port = await freePort();
  const temporalServer = spawn(cli, devServerArgs({ port }), { stdio: 'ignore' });
  let worker: ChildProcess | undefined;
  let stopping = false;
  let stages: ReturnType<typeof stageWatcher> | undefined;
  const workerLog = path.join(tmp, 'worker.log');
  const address = `127.0.0.1:${port}`;
  try {
    await waitFor('the dev server', () => isListening(port), { timeoutMs: 60_000 });
    await migrateToLatest(db);
    const seed = seedUnitYear();
    const infosec = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.join(root, 'tests/fixtures/demo/infosec-submission.yaml'), 'utf8')));
    const submissions = [...seed.submissions, infosec];
    const selfAssessment = seed.selfAssessment!.entries.map((e) => ({ ...e, evidence: [] }));
    const units = Array.from({ length: N }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
    const soloUnits = ONLY === 'floor' ? [] : Array.from({ length: SOLO }, (_, i) => `bench-solo-${i}`);
    const warmUnits = ONLY ? [] : Array.from({ length: WARMUP }, (_, i) => `bench-warm-${String(i).padStart(4, '0')}`);
    const t0 = Date.now();
    for (const code of [...units, ...soloUnits, ...warmUnits]) {
      const y = structuredClone(seed);
      y.unit.code = code;
      y.people = y.people.map((p) => ({ ...p, email: p.email.replace('@', `+${code}@`) }));
      await importUnitYear(db, y, { actor: 'bench' });
    }
    console.log(`imported ${N} unit-years in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // The worker as deployed (docker-compose.yml): compiled JavaScript, the prebuilt workflow bundle,
    // V8's old space capped at 512 MB, two malloc arenas. BENCH_WORKER=tsx runs worker/main.ts from source instead;
    // BENCH_WORKER_HEAP_MB sets the cap (0: Node's default).
    const fromSource = process.env['BENCH_WORKER'] === 'tsx';
    if (!fromSource) {
      const t = Date.now();
      await new Promise<void>((resolve, reject) => {
        const build = spawn('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
        build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed (exit ${code})`))));
      });
      console.log(`built dist/ in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    const heap = Number(process.env['BENCH_WORKER_HEAP_MB'] ?? 512);
    const profile = process.env['BENCH_WORKER_CPU_PROF'] ? [`--cpu-prof`, `--cpu-prof-dir=${process.env['BENCH_WORKER_CPU_PROF']}`] : [];
    const entry = fromSource ? ['--import', 'tsx', path.join(root, 'worker/main.ts')] : [path.join(root, 'dist/worker/main.js')];
    const extraFlags = (process.env['BENCH_WORKER_NODE_FLAGS'] ?? '').split(' ').filter(Boolean); // e.g. --max-semi-space-size=32
    worker = spawn(process.execPath, [...(heap > 0 ? [`--max-old-space-size=${heap}`] : []), ...extraFlags, ...profile, ...entry], {
      cwd: root,
      env: {
        MALLOC_ARENA_MAX: '2', // as deployed (docker-compose.yml)
        ...process.env, DATABASE_URL: pg.url('bench'), TEMPORAL_ADDRESS: address, SELFEVAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn',
        ...(fromSource ? {} : { SELFEVAL_WORKFLOW_BUNDLE: path.join(root, 'dist/workflow-bundle.js') }),
      },
      // An IPC channel: the worker answers event-loop delay requests on it (worker/main.ts).
      stdio: ['ignore', fs.openSync(workerLog, 'a'), 'inherit', 'ipc'],
    });
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`the worker exited (${signal ?? `code ${code}`}); its log:\n${fs.readFileSync(workerLog, 'utf8').split('\n').slice(-30).join('\n')}`);
      temporalServer.kill('SIGTERM');
      void pg.stop().finally(() => process.exit(1));
    });
    const client = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
    await waitFor('the worker', async () => (await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 })).pollers.length > 0, { timeoutMs: 60_000, intervalMs: 250 });
    const idleRss = rssOf(worker.pid!);
    // The postmaster's pid, from its data folder (0 when not found there: Postgres CPU then reads 0).
    const postmaster = (() => {
      try {
        return Number(fs.readFileSync(path.join(tmp, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      } catch {
        console.warn('postmaster.pid not found in the benchmark\'s data folder: Postgres CPU is not counted');
        return 0;
      }
    })();
    const loadBefore = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(worker!.pid!))), 200);

    // ── The real cycle ───────────────────────────────────────────────────────────────────────
    const watcher = stageWatcher(db);
    stages = watcher;
    const starts = new Map<string, number>();
    /** One unit's whole cycle, as its people would drive it; returns its duration. */
    const cycle = async (unitCode: string): Promise<number> => {
      const started = Date.now();
      starts.set(unitCode, started);
      const { handle } = await startEvaluation(client, { unitCode, year: 2020, startedBy: 'bench', taskQueue });
      await Promise.all([
        ...submissions.map((submission) =>
          retry(() => client.workflow.getHandle(sectionTaskId(unitCode, 2020, submission.section)).executeUpdate(submitUpdate, { args: [{ actor: 'bench', submission }] }), `${unitCode} ${submission.section}`),
        ),
        retry(() => client.workflow.getHandle(selfAssessmentTaskId(unitCode, 2020)).executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: 'bench', entries: selfAssessment }] }), `${unitCode} self-assessment`),
      ]);
      const sha = (await watcher.until(handle.workflowId, 'reviewing', 'findings_sha256')).findings_sha256!;
      await retry(() => handle.executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: 'bench', findingsSha256: sha }] }), `${unitCode} acknowledge`);
      const version = (await watcher.until(handle.workflowId, 'approving', 'report_version')).report_version!;
      await retry(() => handle.executeUpdate(approveUpdate, { args: [{ actor: 'bench', reportVersion: version }] }), `${unitCode} approve`);
      await handle.result();
      return Date.now() - started;
    };
    // Units alone on the idle worker first: start → tasks open on a warm stack.
    for (const unitCode of soloUnits) await cycle(unitCode);
    const solo = await tasksOpen(db, new Map(soloUnits.map((u) => [u, starts.get(u)!])));
    // ── The timed halves ─────────────────────────────────────────────────────────────────────
    // One floor unit: the bare workflow of the same shape (with the renders under BENCH_FLOOR_RENDERS=1).
    const floorUnit = async (unitCode: string): Promise<number> => {
      const started = Date.now();
      const workflowId = `bench-floor/${unitCode}`;
      const shape: FloorShape = FLOOR_RENDERS ? { ...SHAPE, renders: { unitCode, year: 2020, draftFormats: EAGER_DRAFT_DOCX ? ['pdf', 'docx'] : ['pdf'] } } : SHAPE;
      const handle = await client.workflow.start('benchFloorEvaluation', { workflowId, taskQueue, args: [shape] });
      await Promise.all(
        Array.from({ length: SHAPE.sections }, (_, k) => retry(() => client.workflow.getHandle(`${workflowId}/task/${k}`).executeUpdate(floorSubmitUpdate), `${workflowId} task ${k}`)),
      );
      await handle.executeUpdate(floorAcknowledgeUpdate);
      await handle.executeUpdate(floorApproveUpdate);
      await handle.result();
      return Date.now() - started;
    };
    type Kind = 'cycle' | 'floor';
    const runUnit = (kind: Kind) => (kind === 'cycle' ? cycle : floorUnit);
    // Untimed: both kinds through the worker at full concurrency, so neither timed half pays for warming it up.
    if (warmUnits.length) {
      const t = Date.now();
      await pool(warmUnits, CONCURRENCY, async (u) => void (await cycle(u)));
      await pool(warmUnits, CONCURRENCY, async (u) => void (await floorUnit(u)));
      for (const u of warmUnits) starts.delete(u);
      console.log(`warmed up with ${warmUnits.length} units of each in ${((Date.now() - t) / 1000).toFixed(1)} s (untimed)`);
    }
    for (const u of soloUnits) starts.delete(u);
    interface Block { kind: Kind; times: number[]; wallMs: number; cpu: CpuMark; refused: number; loop: LoopDelay; queries: Statement[]; peak: number }
    const runBlock = async (kind: Kind, codes: string[]): Promise<Block> => {
      peak = 0;
      failedAttempts = 0;
      await loopDelay(worker!, true);
      await queryStats(worker!, true);
      const started = Date.now();
      const cpuStart = cpuMark(worker!.pid!, temporalServer.pid!, postmaster);
      const times: number[] = [];
      await pool(codes, CONCURRENCY, async (unitCode) => {
        times.push(await runUnit(kind)(unitCode));
      });
      const wallMs = Date.now() - started;
      const cpu = cpuSince(cpuStart, cpuMark(worker!.pid!, temporalServer.pid!, postmaster));
      return { kind, times, wallMs, cpu, refused: failedAttempts, loop: await loopDelay(worker!, true), queries: await queryStats(worker!, true), peak };
    };
    // The order of the blocks. abba (the default): the cycle on the first half of the units, the floor
    // on the same half, the floor on the second half, the cycle on the second half — what drifts in
    // the course of a run (the worker warming further, the dev server's store growing) falls on both
    // alike. cycle-first / floor-first: each whole half in one block.
    const order = ONLY ? 'single' : (process.env['BENCH_ORDER'] ?? 'abba');
    const firstHalf = units.slice(0, Math.ceil(units.length / 2));
    const secondHalf = units.slice(firstHalf.length);
    const plan: Array<[Kind, string[]]> =
      order === 'single' ? [[ONLY === 'floor' ? 'floor' : 'cycle', units]]
      : order === 'cycle-first' ? [['cycle', units], ['floor', units]]
      : order === 'floor-first' ? [['floor', units], ['cycle', units]]
      : order === 'abba' ? [['cycle', firstHalf], ['floor', firstHalf], ['floor', secondHalf], ['cycle', secondHalf]]
      : (() => { throw new Error(`BENCH_ORDER must be abba, cycle-first or floor-first, not ${order}`); })();
    const blocks: Block[] = [];
    for (const [kind, codes] of plan) if (codes.length) blocks.push(await runBlock(kind, codes));
    /** A half's blocks together: times and CPU added up; event-loop delay and peak RSS of its worst block. */
    const halfOf = (kind: Kind) => {
      const bs = blocks.filter((x) => x.kind === kind);
      const cpu = bs.reduce((acc, x) => ({ worker: acc.worker + x.cpu.worker, temporal: acc.temporal + x.cpu.temporal, postgres: acc.postgres + x.cpu.postgres, driver: acc.driver + x.cpu.driver, machine: acc.machine + x.cpu.machine }), { worker: 0, temporal: 0, postgres: 0, driver: 0, machine: 0 });
      const bySql = new Map<string, Statement>();
      for (const q of bs.flatMap((x) => x.queries)) {
        const t = bySql.get(q.sql);
        bySql.set(q.sql, t ? { sql: q.sql, count: t.count + q.count, ms: t.ms + q.ms } : { ...q });
      }
      const name = kind === 'cycle' ? 'selfeval cycle' : FLOOR_RENDERS ? 'floor + renders' : 'floor (no-op shape)';
      return {
        ...summary(name, bs.flatMap((x) => x.times), bs.reduce((a, x) => a + x.wallMs, 0), Math.max(0, ...bs.map((x) => x.peak)), cpu),
        refused: bs.reduce((a, x) => a + x.refused, 0),
        loop: { samples: bs.reduce((a, x) => a + x.loop.samples, 0), p50: Math.max(0, ...bs.map((x) => x.loop.p50)), p99: Math.max(0, ...bs.map((x) => x.loop.p99)), max: Math.max(0, ...bs.map((x) => x.loop.max)) },
        queries: [...bySql.values()].sort((x, y) => y.count - x.count),
        blocks: bs.length,
      };
    };
    const realSummary = halfOf('cycle');
    const floorSummary = halfOf('floor');
    const opened = await tasksOpen(db, starts);
    clearInterval(sampler);

    console.log(`\n${N} units, ${CONCURRENCY} at a time, ${{ abba: `blocks cycle, floor, floor, cycle (half the units each)${warmUnits.length ? ` after ${warmUnits.length} untimed units of each` : ''}`, 'cycle-first': 'the cycle first, then the floor', 'floor-first': 'the floor first, then the cycle', single: 'one half only' }[order]}, one worker (${fromSource ? 'worker/main.ts under tsx' : 'dist/worker/main.js'}; render threads ${process.env['SELFEVAL_RENDER_THREADS'] ?? 'default'}, drafts' DOCX ${EAGER_DRAFT_DOCX ? 'eager' : 'on request'}), dev server with in-memory SQLite, ${os.cpus().length} cores, load average before the runs ${loadBefore}`);
    console.log('run                     units/min   p50 s   p95 s   wall s   worker peak RSS   CPU s: worker  temporal  postgres  driver  machine');
    for (const s of [realSummary, floorSummary].filter((x) => x.wallMs > 0 && !Number.isNaN(x.p50))) {
      const c = s.cpu;
      console.log(
        `${s.name.padEnd(22)} ${s.unitsPerMinute.toFixed(1).padStart(9)}  ${(s.p50 / 1000).toFixed(2).padStart(6)}  ${(s.p95 / 1000).toFixed(2).padStart(6)}  ${(s.wallMs / 1000).toFixed(1).padStart(7)}   ${(s.peakRss / 1048576).toFixed(0).padStart(6)} MB` +
          `          ${c.worker.toFixed(0).padStart(6)}  ${c.temporal.toFixed(0).padStart(8)}  ${c.postgres.toFixed(0).padStart(8)}  ${c.driver.toFixed(0).padStart(6)}  ${c.machine.toFixed(0).padStart(7)}`,
      );
    }
    const perUnit = (c: CpuMark) => `worker ${((c.worker / N) * 1000).toFixed(0)} ms, Temporal ${((c.temporal / N) * 1000).toFixed(0)} ms, Postgres ${((c.postgres / N) * 1000).toFixed(0)} ms`;
    console.log(`CPU per unit: cycle ${perUnit(realSummary.cpu)}; floor ${perUnit(floorSummary.cpu)} (machine: ${os.cpus().length} cores = ${os.cpus().length * 60} CPU s per minute)`);
    console.log(`Updates refused and retried (sent before their workflow existed): cycle ${realSummary.refused}, floor ${floorSummary.refused}`);
    const ms = (v: number) => `${(v / 1000).toFixed(2)} s`;
    const soloTimes = soloUnits.map((u) => solo.byUnit.get(u)).filter((x) => x !== undefined);
    if (soloTimes.length > 1) {
      const list = (xs: Array<number | undefined>) => xs.map((x) => (x === undefined ? '—' : (x / 1000).toFixed(2))).join(', ');
      console.log(`one unit at a time on the idle worker (the first warms it up): start → first task open ${list(soloTimes.map((t) => t.first))} s; → all ${SHAPE.sections} tasks open ${list(soloTimes.map((t) => t.all))} s`);
    }
    if (opened.all.length) {
      console.log(`cycle, start → first task open: p50 ${ms(quantile(opened.first, 0.5))}, p95 ${ms(quantile(opened.first, 0.95))}; start → all ${SHAPE.sections} tasks open: p50 ${ms(quantile(opened.all, 0.5))}, p95 ${ms(quantile(opened.all, 0.95))} (${opened.all.length} units)`);
    }
    for (const s of [realSummary, floorSummary].filter((x) => x.wallMs > 0 && x.loop.samples > 0)) {
      console.log(`worker event-loop delay, ${s.name}${s.blocks > 1 ? ' (its worst block)' : ''}: p50 ${s.loop.p50.toFixed(1)} ms, p99 ${s.loop.p99.toFixed(1)} ms, max ${s.loop.max.toFixed(1)} ms (${s.loop.samples} samples)`);
    }
    for (const s of [realSummary, floorSummary].filter((x) => x.wallMs > 0)) printQueries(s.name, s.queries);
    // The machine is shared: the wall-time ratio moves with other processes' load in either half; the CPU ratio of the benchmark's own processes does not.
    const own = (c: CpuMark) => c.worker + c.temporal + c.postgres + c.driver;
    console.log(`CPU of the benchmark's own processes (worker, Temporal, Postgres, driver): cycle ${own(realSummary.cpu).toFixed(0)} s, floor ${own(floorSummary.cpu).toFixed(0)} s, ratio ${(own(realSummary.cpu) / own(floorSummary.cpu)).toFixed(2)}; other processes used ${(realSummary.cpu.machine - own(realSummary.cpu)).toFixed(0)} and ${(floorSummary.cpu.machine - own(floorSummary.cpu)).toFixed(0)} CPU s of the machine during the two halves`);
    console.log(`ratio to the floor (wall time): ${(realSummary.wallMs / floorSummary.wallMs).toFixed(2)}; worker RSS when idle before the runs: ${(idleRss / 1048576).toFixed(0)} MB${heap > 0 ? `; V8 old space capped at ${heap} MB` : ''}`);
    await client.connection.close();
  } finally {
    stopping = true;
    stages?.stop();
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
