/**
 * `npm run bench:api`: the inbox endpoint (GET /api/tasks) against 10,000 tasks in Postgres.
 *
 * Starts its own embedded Postgres and the real HTTP server in a child process (`client/http/main.ts`
 * with a lazy Temporal connection is not needed: the inbox reads only Postgres), loads 10,000 tasks,
 * signs in, and drives the endpoint from this process with an open-loop load generator: requests
 * leave on a fixed schedule (every 1/rate s) whatever the answers do, and each latency is measured
 * from the scheduled start, so a slow answer is not hidden by the requests it delays
 * ("coordinated omission"; autocannon's fixed rate sends each second's requests in a burst).
 *   1. at a fixed 200 requests per second (the target: p99 ≤ 25 ms), as the finance officer, who
 *      sees every task of the unit (the heavier query);
 *   2. as fast as it goes, for the ceiling;
 *   3. at 200/s as a section head (their section only).
 * Prints p50/p90/p99 latency and requests per second for each.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { sql } from 'kysely';
import { hashPassword } from '../client/auth/passwords';
import { freePort } from '../client/stack/proc';
import { ensureUserWithRole } from '../db/accounts.repository';
import { createDb } from '../db/connection';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrateToLatest } from '../db/migrate';

const TASKS = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 20);
const root = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-bench-api-'));
  fs.chmodSync(tmp, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), database: 'bench', ephemeral: true });
  const url = pg.url('bench');
  const db = createDb(url, { max: 4 });
  let server: ReturnType<typeof spawn> | undefined;
  try {
    await migrateToLatest(db);
    // One unit with six sections; enough unit-years × sections for TASKS tasks.
    const unit = await db.insertInto('units').values({ code: 'bench', name: '基准测试单位', staff_quota: 16, leadership_posts: '[]', functions: '[]' }).returning('id').executeTakeFirstOrThrow();
    const sections = ['general', 'dev-apps', 'projects', 'bigdata-ops', 'infosec', 'network'];
    await db.insertInto('sections').values(sections.map((code, i) => ({ unit_id: unit.id, code, name: `科室${i + 1}`, position: i }))).execute();
    const years = Math.ceil(TASKS / sections.length);
    const t0 = Date.now();
    await sql`
      insert into unit_years (unit_id, year, staff_actual, narrative)
      select ${unit.id}, 1000 + g, 12, '{}'::jsonb from generate_series(1, ${years}) g`.execute(db);
    await sql`
      insert into evaluations (unit_year_id, workflow_id, stage, started_by, due_at, snapshot_sha256)
      select id, 'evaluation/bench/' || year, 'collecting', 'bench', now(), 'x' from unit_years where unit_id = ${unit.id}`.execute(db);
    await sql`
      insert into tasks (evaluation_id, unit_id, section_id, workflow_id, run, state, due_at)
      select e.id, ${unit.id}, s.id, e.workflow_id || '/task/' || s.code, 1,
             (array['open','draft','submitted','overdue','returned'])[1 + (e.id + s.id) % 5],
             now() + ((e.id * 7 + s.id) % 400 - 200) * interval '1 day'
      from evaluations e cross join sections s
      where s.unit_id = ${unit.id}
      limit ${TASKS}`.execute(db);
    await sql`analyze`.execute(db);
    const count = await db.selectFrom('tasks').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    console.log(`loaded ${count.n} tasks in ${Date.now() - t0} ms`);
    const password = 'bench-password-1';
    const hash = await hashPassword(password);
    await ensureUserWithRole(db, { email: 'finance@bench', name: 'finance', unitCode: 'bench', role: 'finance_officer', passwordHash: hash });
    await ensureUserWithRole(db, { email: 'head@bench', name: 'head', unitCode: 'bench', role: 'section_head', section: 'projects', passwordHash: hash });

    const port = await freePort();
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server process (e.g. GC settings to compare).
    const serverArgs = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    server = spawn(process.execPath, [...serverArgs, '--import', 'tsx', path.join(root, 'scripts/bench-api-server.ts')], {
      env: { ...process.env, DATABASE_URL: url, HTTP_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/api/me`)).status === 401) break;
      } catch {
        if (i > 200) throw new Error('server did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const cookieOf = async (email: string) => {
      const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      return r.headers.getSetCookie()[0]!.split(';')[0]!;
    };
    const finance = await cookieOf('finance@bench');
    const head = await cookieOf('head@bench');
    const sample = (await (await fetch(`${base}/api/tasks`, { headers: { cookie: finance } })).json()) as { tasks: unknown[] };
    console.log(`GET /api/tasks returns ${sample.tasks.length} tasks per page (of ${count.n})`);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const get = (cookie: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(`${base}/api/tasks`, { agent, headers: { cookie } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
    /** rate > 0: open loop at that rate; rate 0: `concurrency` closed loops, as fast as it goes. */
    const run = async (cookie: string, rate: number, seconds: number, concurrency = 8) => {
      const latencies: number[] = [];
      let failed = 0;
      const start = performance.now();
      const end = start + seconds * 1000;
      const one = async (scheduled: number) => {
        try {
          const status = await get(cookie);
          if (status !== 200) failed++;
        } catch {
          failed++;
        }
        latencies.push(performance.now() - scheduled);
      };
      const inflight: Array<Promise<void>> = [];
      if (rate > 0) {
        const interval = 1000 / rate;
        for (let i = 0; start + i * interval < end; i++) {
          const scheduled = start + i * interval;
          const wait = scheduled - performance.now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          inflight.push(one(scheduled));
        }
      } else {
        await Promise.all(Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) await one(performance.now());
        }));
      }
      await Promise.all(inflight);
      const took = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
      return { rps: latencies.length / took, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies.at(-1)!, failed, n: latencies.length };
    };
    await run(finance, 100, 3);
    const rows: Array<[string, Awaited<ReturnType<typeof run>>]> = [];
    rows.push(['finance officer @ 200/s', await run(finance, 200, SECONDS)]);
    rows.push(['section head @ 200/s', await run(head, 200, SECONDS)]);
    rows.push(['finance officer, max (8 loops)', await run(finance, 0, 10)]);
    console.log(`\nGET /api/tasks, ${count.n} tasks (page of ${sample.tasks.length}), ${os.cpus().length} cores, load generator in the same machine`);
    console.log('run                              req/s   p50 ms  p90 ms  p99 ms  max ms  requests failed');
    const f = (x: number) => x.toFixed(1).padStart(6);
    for (const [name, r] of rows) {
      console.log(`${name.padEnd(32)} ${r.rps.toFixed(0).padStart(6)}  ${f(r.p50)}  ${f(r.p90)}  ${f(r.p99)}  ${f(r.max)}  ${String(r.n).padStart(8)} ${String(r.failed).padStart(6)}`);
    }
    agent.destroy();
  } finally {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await db.destroy();
    await pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
