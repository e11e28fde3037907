/**
 * `npm run bench:campaign [N]` (default 50): a bureau issues the year's campaign for N units, and
 * this prints the time until every unit's evaluation is open (its 7 tasks exist) — then, in the
 * same run, the same N through the floor (workflows/campaign/bench-floor.workflow.ts: a campaign,
 * starters and evaluations of the same shape with no-op activities, fanned out the same way) — and
 * the ratio (target ≤ 1.3). Then the bureau's overview under load with 1,000 units in the database
 * (scripts/bench-overview.ts; BENCH_OVERVIEW=0 skips it, BENCH_OVERVIEW_UNITS sets how many).
 *
 * Everything runs here: its own embedded Postgres, its own dev server (in-memory SQLite), one
 * worker as deployed (compiled, heap capped at 512 MB, two malloc arenas; BENCH_WORKER=tsx runs
 * it from source), the driver in this process. A task is "opened" when it has run its first step:
 * for the campaign its row is in Postgres (what people see; openTask writes it), for the floor its
 * first no-op ran (counted in the worker, asked over its IPC channel) — the ratio compares these.
 * "Started" (task workflows in Temporal's visibility, both halves) is printed beside: a task
 * workflow can be started long before the worker gets to its first step. CPU seconds per process are
 * printed beside each half (worker, Temporal, Postgres). BENCH_ROUNDS (default 3) rounds of both
 * halves, alternating which goes first, each round with a bureau and N units of its own; the
 * figures are the rounds' medians. BENCH_ORDER=floor-first starts with the floor; BENCH_ONLY=
 * campaign|floor runs one half; BENCH_WORKER_CPU_PROF=<dir> writes the worker's CPU profile there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { freePort, isListening, waitFor } from '../client/stack/proc';
import { ensureTemporalCli } from '../client/stack/tools';
import { devServerArgs } from '../client/stack/dev-server';
import { createDb } from '../db/connection';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { importUnitYear } from '../db/ledger.repository';
import { migrateToLatest } from '../db/migrate';
import { ensureOrganisation, importUnitList } from '../db/organisations.repository';
import { parseConfig } from '../domain/config';
import { addDays, civilDateOf } from '../domain/calendar/civil-date';
import { type FloorShape, TASK_OPENED_MARK } from '../workflows/bench/floor.workflow';
import { type CampaignInput, campaignId, campaignWorkflowType } from '../workflows/campaign/contract';
import type { campaign } from '../workflows/campaign/campaign.workflow';
import type { FloorCampaignInput } from '../workflows/campaign/bench-floor.workflow';
import { variedUnitYear } from '../tests/fixtures/campaign-units';
import { benchOverview } from './bench-overview';

const N = Number(process.argv[2] ?? 50);
const root = path.resolve(__dirname, '..');
const taskQueue = 'bench-campaign';
const TASKS_PER_UNIT = 7;

/**
 * The campaign's shape up to every unit's open tasks, counted from workflows/evaluation (L: local
 * activity, R: ordinary activity): the evaluation opens (openEvaluation, ensureHoldbackWorkflows,
 * stage collecting), starts its 5 holdbacks and 7 tasks; each task opens (openTask /
 * openAssessmentTask, planTaskReminders). The rest of the shape is never reached here.
 */
const SHAPE: FloorShape = {
  sections: TASKS_PER_UNIT,
  parent: { open: ['L', 'R', 'L'], review: [], acknowledge: [], draft: [], approve: [], issue: [] },
  child: { open: ['L', 'L'], submit: [] },
  sideWorkflows: 5,
  side: ['R', 'R', 'R'],
};

function cpuOf(pid: number, children = false): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime (and the waited-for children's cutime, cstime) in clock ticks (100 Hz on Linux)
  return (Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0)) / 100;
}

/** CPU seconds of the Postgres server: the postmaster, its backends that ended, and those running. */
function postgresCpu(postmaster: number): number {
  let total = cpuOf(postmaster, true);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) total += cpuOf(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

interface Half {
  name: 'campaign' | 'floor';
  round: number;
  /** ms from the start to every unit's tasks opened (campaign: rows in Postgres; floor: first steps run), and to every task workflow started (visibility). */
  rowsMs: number | null;
  visibleMs: number;
  cpu: { worker: number; temporal: number; postgres: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 3));
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const cli = await ensureTemporalCli({ cacheDir: config.cacheDir, log: (l) => console.log(l) });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-bench-campaign-'));
  fs.chmodSync(tmp, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), database: 'bench', ephemeral: true });
  const postmaster = Number(fs.readFileSync(path.join(pg.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const db = createDb(pg.url('bench'), { max: 8 });
  const port = await freePort();
  const temporalServer = spawn(cli, devServerArgs({ port }), { stdio: 'ignore' });
  const address = `127.0.0.1:${port}`;
  let worker: ChildProcess | undefined;
  let stopping = false;
  const workerLog = path.join(tmp, 'worker.log');
  try {
    await waitFor('the dev server', () => isListening(port), { timeoutMs: 60_000 });
    await migrateToLatest(db);
    // Each round has a bureau and units of its own (a year's campaign of a bureau runs once).
    const unitsOf = (round: number) => Array.from({ length: N }, (_, i) => `bc${round}-${String(i).padStart(4, '0')}`);
    const bureauOf = (round: number) => `bench-campaign-${round}`;
    const t0 = Date.now();
    for (let round = 0; round < rounds; round++) {
      await ensureOrganisation(db, { code: bureauOf(round), name: `基准测试财政局${round}`, kind: 'bureau', actor: 'bench' });
      for (const [i, code] of unitsOf(round).entries()) await importUnitYear(db, variedUnitYear(i, code), { actor: 'bench' });
      await importUnitList(db, {
        bureauCode: bureauOf(round), actor: 'bench',
        rows: unitsOf(round).map((code, i) => ({ unitCode: code, unitName: code, ...(i % 5 === 4 ? {} : { departmentCode: `bench-dept-${round}-${Math.floor(i / 25)}`, departmentName: `部门${Math.floor(i / 25)}` }) })),
      });
    }
    console.log(`imported ${N} unit-years × ${rounds} rounds in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const fromSource = process.env['BENCH_WORKER'] === 'tsx';
    if (!fromSource) {
      const t = Date.now();
      await new Promise<void>((resolve, reject) => {
        const build = spawn('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
        build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed (exit ${code})`))));
      });
      console.log(`built dist/ in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    const entry = fromSource ? ['--import', 'tsx', path.join(root, 'worker/main.ts')] : [path.join(root, 'dist/worker/main.js')];
    const profile = process.env['BENCH_WORKER_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_WORKER_CPU_PROF']}`] : [];
    worker = spawn(process.execPath, ['--max-old-space-size=512', ...profile, ...entry], {
      cwd: root,
      env: {
        MALLOC_ARENA_MAX: '2',
        ...process.env, DATABASE_URL: pg.url('bench'), TEMPORAL_ADDRESS: address, SELFEVAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn',
        ...(fromSource ? {} : { SELFEVAL_WORKFLOW_BUNDLE: path.join(root, 'dist/workflow-bundle.js') }),
      },
      // The IPC channel answers how many floor tasks have run their first step (worker/main.ts).
      stdio: ['ignore', fs.openSync(workerLog, 'a'), 'inherit', 'ipc'],
    });
    const floorTasksOpened = () =>
      new Promise<number>((resolve) => {
        const w = worker!;
        const on = (m: unknown) => {
          if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== 'selfeval.bench-marks') return;
          w.off('message', on);
          resolve((m as { marks: Record<string, number> }).marks[TASK_OPENED_MARK] ?? 0);
        };
        w.on('message', on);
        w.send({ type: 'selfeval.bench-marks' });
      });
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`the worker exited (${signal ?? `code ${code}`}); its log:\n${fs.readFileSync(workerLog, 'utf8').split('\n').slice(-30).join('\n')}`);
      temporalServer.kill('SIGTERM');
      void pg.stop().finally(() => process.exit(1));
    });
    const client = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
    await waitFor('the worker', async () => (await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 })).pollers.length > 0, { timeoutMs: 60_000, intervalMs: 250 });

    const count = async (query: string) => Number((await client.workflow.count(query)).count);
    const cpuMark = () => ({ worker: cpuOf(worker!.pid!), temporal: cpuOf(temporalServer.pid!), postgres: postgresCpu(postmaster) });
    const cpuSince = (a: ReturnType<typeof cpuMark>) => {
      const b = cpuMark();
      return { worker: b.worker - a.worker, temporal: b.temporal - a.temporal, postgres: b.postgres - a.postgres };
    };
    /** Polls until `done` (every 100 ms), returning ms since `start`. */
    const until = async (start: number, done: () => Promise<boolean>, what: string) => {
      const deadline = Date.now() + 30 * 60_000;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return Date.now() - start;
    };
    /** Task workflows of either kind started so far (visibility), and task rows of a round's units. */
    let realTasksBefore = 0;
    let floorTasksBefore = 0;

    const realHalf = async (round: number): Promise<Half> => {
      const today = civilDateOf(Date.now());
      const input: CampaignInput = {
        organisationCode: bureauOf(round), year: 2020, issuedBy: 'bench', dueDate: addDays(today, 60), taskDueDate: addDays(today, 45), ruleSet: { id: 'hunan-department-2020', version: 1 },
        outline: 'hunan-department-8', notice: '请各单位开展2020年度部门整体支出绩效自评。',
      };
      const before = cpuMark();
      const start = Date.now();
      await client.workflow.start<typeof campaign>(campaignWorkflowType, { workflowId: campaignId(bureauOf(round), 2020), taskQueue, args: [input] });
      let rowsMs: number | null = null;
      let visibleMs: number | null = null;
      const target = realTasksBefore + N * TASKS_PER_UNIT;
      await until(start, async () => {
        if (rowsMs === null) {
          const n = (await db.selectFrom('tasks').innerJoin('units', 'units.id', 'tasks.unit_id').select(sql<number>`count(*)::int`.as('n')).where('units.code', 'like', `bc${round}-%`).executeTakeFirstOrThrow()).n;
          if (n >= N * TASKS_PER_UNIT) rowsMs = Date.now() - start;
        }
        if (visibleMs === null && (await count(`WorkflowType IN ('sectionTask', 'selfAssessmentTask')`)) >= target) visibleMs = Date.now() - start;
        return rowsMs !== null && visibleMs !== null;
      }, 'the campaign’s tasks');
      realTasksBefore = target;
      return { name: 'campaign', round, rowsMs, visibleMs: visibleMs!, cpu: cpuSince(before) };
    };

    const floorHalf = async (round: number): Promise<Half> => {
      const input: FloorCampaignInput = { prefix: `bench-floor-${round}`, units: unitsOf(round), batchSize: 25, shape: SHAPE };
      const before = cpuMark();
      const start = Date.now();
      await client.workflow.start('benchFloorCampaign', { workflowId: `bench-floor-${round}`, taskQueue, args: [input] });
      const target = floorTasksBefore + N * TASKS_PER_UNIT;
      let openedMs: number | null = null;
      let visibleMs: number | null = null;
      await until(start, async () => {
        // Opened: the task's first step ran — where a real task has written its row.
        if (openedMs === null && (await floorTasksOpened()) >= target) openedMs = Date.now() - start;
        if (visibleMs === null && (await count(`WorkflowType = 'benchFloorTask'`)) >= target) visibleMs = Date.now() - start;
        return openedMs !== null && visibleMs !== null;
      }, 'the floor’s tasks');
      floorTasksBefore = target;
      return { name: 'floor', round, rowsMs: openedMs, visibleMs: visibleMs!, cpu: cpuSince(before) };
    };

    // Let the worker settle (its first workflow tasks warm the bundle up) before timing anything.
    await new Promise((r) => setTimeout(r, 2_000));
    const only = process.env['BENCH_ONLY'];
    const halves: Half[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate which half goes first, so neither always meets the other's leftovers.
      const order = (round % 2 === 0) !== (process.env['BENCH_ORDER'] === 'floor-first') ? [realHalf, floorHalf] : [floorHalf, realHalf];
      for (const half of order) {
        if (only && (only === 'floor') !== (half === floorHalf)) continue;
        const h = await half(round);
        halves.push(h);
        console.log(`round ${round + 1}: ${h.name.padEnd(8)} ${h.rowsMs === null ? '' : `tasks opened ${(h.rowsMs / 1000).toFixed(2)} s, `}task workflows started ${(h.visibleMs / 1000).toFixed(2)} s`);
        // Let the last half's leftovers (its workflows' first timers, the holdbacks' reminders) pass.
        await new Promise((r) => setTimeout(r, 3_000));
      }
    }

    console.log(`\n${N} units a campaign, ${rounds} rounds, one worker (${fromSource ? 'worker/main.ts under tsx' : 'dist/worker/main.js'}), dev server with in-memory SQLite, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('time from the start to every unit’s 7 tasks open (median of the rounds; CPU s per round, median)');
    console.log('opened: a task has run its first step (the campaign: its row is in Postgres; the floor: its first no-op ran); started: its workflow is in visibility');
    console.log('run          opened s      started s   units/s   CPU s: worker  temporal  postgres');
    const rows: Array<['campaign' | 'floor', Half[]]> = [['campaign', halves.filter((h) => h.name === 'campaign')], ['floor', halves.filter((h) => h.name === 'floor')]];
    const medians = new Map<string, { rows: number | null; visible: number }>();
    for (const [name, hs] of rows) {
      if (!hs.length) continue;
      const rowsMs = hs.every((h) => h.rowsMs !== null) ? median(hs.map((h) => h.rowsMs!)) : null;
      const visibleMs = median(hs.map((h) => h.visibleMs));
      medians.set(name, { rows: rowsMs, visible: visibleMs });
      const c = (k: 'worker' | 'temporal' | 'postgres') => median(hs.map((h) => h.cpu[k])).toFixed(1);
      console.log(`${name.padEnd(10)} ${(rowsMs === null ? '—' : (rowsMs / 1000).toFixed(2)).padStart(12)}   ${(visibleMs / 1000).toFixed(2).padStart(16)}   ${(N / ((rowsMs ?? visibleMs) / 1000)).toFixed(1).padStart(7)}   ${c('worker').padStart(13)}  ${c('temporal').padStart(8)}  ${c('postgres').padStart(8)}`);
    }
    const real = medians.get('campaign');
    const floor = medians.get('floor');
    if (real && floor) {
      console.log(`ratio to the floor: ${(real.rows! / floor.rows!).toFixed(2)} (every task opened, both) — target ≤ 1.30; ${(real.visible / floor.visible).toFixed(2)} (every task workflow started); ${(real.rows! / floor.visible).toFixed(2)} (the campaign's tasks opened vs the floor's started, the earlier measure)`);
    }

    if (process.env['BENCH_OVERVIEW'] !== '0') {
      console.log('');
      const overviewUnits = Number(process.env['BENCH_OVERVIEW_UNITS'] ?? 1000);
      // The overview seeds its own units (straight into the tables) under its own bureau; the worker stops first so it does not compete.
      stopping = true;
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
      await benchOverview({ db, databaseUrl: pg.url('bench'), units: overviewUnits });
    }
    await client.connection.close();
  } finally {
    stopping = true;
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
