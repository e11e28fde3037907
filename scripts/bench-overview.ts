/**
 * The bureau's overview under load: `node --import tsx scripts/bench-overview.ts [N]` (default
 * 1,000 units), or `benchOverview` from another benchmark (bench-campaign) with its own database.
 *
 * Seeds N units of one year under a bureau (20 departments, a few directly under the bureau)
 * straight into the tables — no workflows: each unit-year's ledger row, its evaluation in a stage
 * spread over the process with the seed's real score sheet and reconciliation findings (so the
 * statement reads JSON documents of the real size), seven tasks (some overdue), the campaign and
 * its units, publications, and withheld amounts both tracked (progress rows) and untracked
 * (ledger rows) — then signs a bureau officer in and drives GET /api/organisations/:org/years/:year/overview
 * open-loop at a fixed rate (requests leave on schedule whatever the answers do; each latency is
 * measured from its scheduled start, so slow answers cannot hide the requests they delay), and
 * prints p50/p90/p99 for: the default page (200 rows) at 50/s — the target is p99 ≤ 50 ms —, every
 * unit in one answer (limit 1000) at 50/s, a filtered and sorted page at 50/s, and a department
 * officer's overview at 50/s. The HTTP server runs in a child process (scripts/bench-api-server.ts).
 * BENCH_SECONDS sets each run's length (default 20).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { hashPassword } from '../client/auth/passwords';
import { freePort } from '../client/stack/proc';
import type { Db } from '../db/connection';
import { createDb } from '../db/connection';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { importUnitYear } from '../db/ledger.repository';
import { migrateToLatest } from '../db/migrate';
import { ensureOrganisation, grantOrganisationRole } from '../db/organisations.repository';
import { analyseStored } from '../db/scoring.repository';
import { seedUnitYear } from '../tests/fixtures/seed';

const root = path.resolve(__dirname, '..');
export const BENCH_BUREAU = 'overview-bureau';
const YEAR = 2020;
const DEPARTMENTS = 20;
const PASSWORD = 'bench-password-1';

/**
 * Writes N units of `YEAR` under a bureau with everything the overview reads. Idempotent only on
 * a fresh database (it inserts). Returns the officers' emails.
 */
export async function seedOverview(db: Db, units: number): Promise<{ bureauOfficer: string; departmentOfficer: string; departmentCode: string }> {
  // The seed unit-year, imported and analysed once: its score sheet and findings are what every
  // generated evaluation stores (with varied totals), so the JSON read per row is of real size.
  await importUnitYear(db, seedUnitYear(), { actor: 'bench' });
  const analysed = (await analyseStored(db, 'yiyang-smart-city', 2020))!.analysis;
  const score = analysed.score;
  const findings = { findings: analysed.reconciliation.findings, ageing: analysed.ageing ?? [] };
  const hash = await hashPassword(PASSWORD);
  await ensureOrganisation(db, { code: BENCH_BUREAU, name: '基准测试市财政局', kind: 'bureau', actor: 'bench' });
  for (let d = 1; d <= DEPARTMENTS; d++) {
    await ensureOrganisation(db, { code: `overview-dept-${String(d).padStart(2, '0')}`, name: `基准测试主管部门${d}`, kind: 'department', parentCode: BENCH_BUREAU, actor: 'bench' });
  }
  await grantOrganisationRole(db, { email: 'overview-bureau@bench', name: '财政局', organisationCode: BENCH_BUREAU, role: 'bureau_officer', passwordHash: hash, actor: 'bench' });
  await grantOrganisationRole(db, { email: 'overview-dept@bench', name: '主管部门', organisationCode: 'overview-dept-01', role: 'department_officer', passwordHash: hash, actor: 'bench' });

  const t0 = Date.now();
  // Units: every 25th directly under the bureau, the rest spread over the departments.
  await sql`
    insert into units (code, name, staff_quota, leadership_posts, functions, organisation_id)
    select 'ov-unit-' || lpad(g::text, 5, '0'), '基准测试单位' || g, 20, '[]'::jsonb, '[]'::jsonb,
      case when g % 25 = 0 then (select id from organisations where code = ${BENCH_BUREAU})
           else (select id from organisations where code = 'overview-dept-' || lpad((1 + g % ${DEPARTMENTS})::text, 2, '0')) end
    from generate_series(1, ${units}) g`.execute(db);
  // Unit-years: every 50th unit has no ledger yet.
  await sql`
    insert into unit_years (unit_id, year, staff_actual, narrative)
    select u.id, ${YEAR}, 18, '{}'::jsonb from units u where u.code like 'ov-unit-%' and substring(u.code from 9)::int % 50 <> 7`.execute(db);
  // Evaluations in every stage (every 10th not started), with the seed's score and findings.
  const stages = ['collecting', 'reviewing', 'returned', 'scoring', 'drafting', 'approving', 'issuing', 'issued', 'issued'];
  await sql`
    insert into evaluations (unit_year_id, workflow_id, stage, started_by, due_at, snapshot_sha256, score, findings, findings_sha256, acknowledged_at, report_version, issued_at)
    select uy.id, 'evaluation/' || u.code || '/' || ${YEAR}, s.stage, 'bench',
      now() + ((uy.id % 40) - 20) * interval '1 day', 'x',
      case when s.stage in ('scoring', 'drafting', 'approving', 'issuing', 'issued', 'reviewing')
        then jsonb_set(jsonb_set(${JSON.stringify(score)}::jsonb, '{totalCp}', to_jsonb(5500 + (uy.id * 37) % 4400)), '{grade}',
          case when 5500 + (uy.id * 37) % 4400 >= 9000 then '{"code":"excellent","zh":"优"}'::jsonb when 5500 + (uy.id * 37) % 4400 >= 8000 then '{"code":"good","zh":"良"}'::jsonb
               when 5500 + (uy.id * 37) % 4400 >= 6000 then '{"code":"fair","zh":"中"}'::jsonb else '{"code":"poor","zh":"差"}'::jsonb end)
        else null end,
      case when s.stage <> 'collecting' then ${JSON.stringify(findings)}::jsonb else null end,
      case when s.stage <> 'collecting' then 'f' else null end,
      case when s.stage not in ('collecting', 'reviewing') then now() else null end,
      case when s.stage in ('approving', 'issuing', 'issued') then 1 else null end,
      case when s.stage = 'issued' then now() else null end
    from unit_years uy join units u on u.id = uy.unit_id
    cross join lateral (select (${sql.val(stages)}::text[])[1 + uy.id % ${stages.length}] as stage) s
    where u.code like 'ov-unit-%' and uy.id % 10 <> 3`.execute(db);
  // Seven tasks per evaluation (six sections and the self-assessment), some overdue.
  await sql`
    insert into sections (unit_id, code, name, position)
    select u.id, 's' || k, '科室' || k, k from units u cross join generate_series(1, 6) k where u.code like 'ov-unit-%'`.execute(db);
  await sql`
    insert into tasks (evaluation_id, unit_id, section_id, kind, workflow_id, run, state, due_at, escalated_at)
    select e.id, uy.unit_id, s.id, 'section', e.workflow_id || '/task/' || s.code, 1,
      case when e.stage = 'collecting' then (array['open','draft','submitted','overdue','returned'])[1 + (e.id + s.position) % 5] else 'submitted' end,
      e.due_at, case when e.stage = 'collecting' and (e.id + s.position) % 5 = 3 then now() else null end
    from evaluations e join unit_years uy on uy.id = e.unit_year_id join sections s on s.unit_id = uy.unit_id
    where e.workflow_id like 'evaluation/ov-unit-%'`.execute(db);
  await sql`
    insert into tasks (evaluation_id, unit_id, section_id, kind, workflow_id, run, state, due_at)
    select e.id, uy.unit_id, null, 'self_assessment', e.workflow_id || '/self-assessment', 1, case when e.stage = 'collecting' then 'open' else 'submitted' end, e.due_at
    from evaluations e join unit_years uy on uy.id = e.unit_year_id where e.workflow_id like 'evaluation/ov-unit-%'`.execute(db);
  // The bureau's campaign; its units in the review states by stage.
  await sql`
    insert into campaigns (organisation_id, year, due_date, rule_set_id, notice, workflow_id, created_by)
    select id, ${YEAR}, current_date - 3, 'hunan-department-2020', '通知', 'campaign/' || code || '/' || ${YEAR}, 'bench' from organisations where code = ${BENCH_BUREAU}`.execute(db);
  await sql`
    insert into campaign_units (campaign_id, unit_id, state)
    select c.id, u.id,
      case when e.stage = 'issued' then (array['issued','in_review','returned','accepted'])[1 + u.id % 4] when e.id is not null then 'started' when uy.id is not null then 'joined' else 'waiting_ledger' end
    from campaigns c cross join units u left join unit_years uy on uy.unit_id = u.id and uy.year = ${YEAR} left join evaluations e on e.unit_year_id = uy.id
    where c.workflow_id = ${`campaign/${BENCH_BUREAU}/${YEAR}`} and u.code like 'ov-unit-%'`.execute(db);
  // Issued reports of the accepted ones, half of them published.
  await sql`
    insert into reports (unit_year_id, version, kind, content_sha256, pdf, pdf_sha256, docx, docx_sha256, template, created_by)
    select e.unit_year_id, 1, 'issued', 'c', '\\x25504446'::bytea, 'x', '\\x504b'::bytea, 'y', 't', 'bench'
    from evaluations e where e.workflow_id like 'evaluation/ov-unit-%' and e.stage = 'issued'`.execute(db);
  await sql`
    insert into publications (unit_year_id, report_version, published_by)
    select uy.id, 1, 'bench' from campaign_units cu join unit_years uy on uy.unit_id = cu.unit_id and uy.year = ${YEAR}
    where cu.state = 'accepted' and cu.unit_id % 2 = 0`.execute(db);
  // Withheld amounts: two ledger holdbacks per unit-year (a project, an allocation each), the first tracked by a progress row.
  await sql`
    insert into projects (unit_year_id, code, position, name)
    select uy.id, 'p1', 0, '信息化项目' from unit_years uy join units u on u.id = uy.unit_id where u.code like 'ov-unit-%'`.execute(db);
  await sql`
    insert into allocations (unit_year_id, code, position, project_id, name, budget_year, amount_fen)
    select p.unit_year_id, 'a1', 0, p.id, '年初预算', ${YEAR}, 100000000 from projects p join unit_years uy on uy.id = p.unit_year_id join units u on u.id = uy.unit_id where u.code like 'ov-unit-%'`.execute(db);
  await sql`
    insert into holdbacks (unit_year_id, code, position, project_id, kind, allocation_id, amount_fen, condition, due_on, status)
    select a.unit_year_id, 'h' || k, k, a.project_id, 'retention', a.id, 500000 * k + a.unit_year_id, '质保期满', current_date + ((a.unit_year_id % 200 - 30) + k * 30)::int, 'waiting'
    from allocations a join unit_years uy on uy.id = a.unit_year_id join units u on u.id = uy.unit_id cross join generate_series(1, 2) k where u.code like 'ov-unit-%'`.execute(db);
  await sql`
    insert into holdback_progress (workflow_id, unit_code, year, holdback_code, kind, origin, project_code, project_name, allocation_code, condition, status, phase, awaiting,
      amount_fen, held_fen, payable_fen, released_fen, forfeited_fen, transferred_fen, next_due_on, version, business_at)
    select 'holdback/' || u.code || '/' || uy.year || '/h1', u.code, uy.year, 'h1', 'retention', 'ledger', 'p1', '信息化项目', 'a1', '质保期满', 'waiting', 'warranty', 'warranty_end',
      h.amount_fen, h.amount_fen, 0, 0, 0, 0, h.due_on, 1, now()
    from holdbacks h join unit_years uy on uy.id = h.unit_year_id join units u on u.id = uy.unit_id where h.code = 'h1' and u.code like 'ov-unit-%'`.execute(db);
  await sql`analyze`.execute(db);
  const n = await db.selectFrom('units').select(({ fn }) => fn.countAll<number>().as('n')).where('code', 'like', 'ov-unit-%').executeTakeFirstOrThrow();
  const ev = await db.selectFrom('evaluations').select(({ fn }) => fn.countAll<number>().as('n')).where('workflow_id', 'like', 'evaluation/ov-unit-%').executeTakeFirstOrThrow();
  console.log(`seeded ${n.n} units (${ev.n} evaluations with a ${Math.round(JSON.stringify(score).length / 1024)} KB score sheet and ${findings.findings.length} findings each) in ${Date.now() - t0} ms`);
  return { bureauOfficer: 'overview-bureau@bench', departmentOfficer: 'overview-dept@bench', departmentCode: 'overview-dept-01' };
}

export interface LatencyFigures {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  failed: number;
  n: number;
}

/** Open loop at `rate` requests per second for `seconds` (rate 0: `concurrency` closed loops, as fast as they go). */
export async function drive(url: string, cookie: string, rate: number, seconds: number, concurrency = 8): Promise<LatencyFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.get(url, { agent, headers: { cookie } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const one = async (scheduled: number) => {
    try {
      if ((await get()) !== 200) failed++;
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
  agent.destroy();
  const took = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { rps: latencies.length / took, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies.at(-1)!, failed, n: latencies.length };
}

/**
 * Seeds `units` units into the (migrated, otherwise empty) database at `databaseUrl`, runs the
 * real HTTP server on it in a child process and prints the overview's latency figures.
 */
export async function benchOverview(input: { db: Db; databaseUrl: string; units: number; seconds?: number }): Promise<Array<[string, LatencyFigures]>> {
  const seconds = input.seconds ?? Number(process.env['BENCH_SECONDS'] ?? 20);
  const people = await seedOverview(input.db, input.units);
  // Other work on the machine moves the figures: say how busy it was.
  console.log(`load average before the runs: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/bench-api-server.ts')], {
    env: { ...process.env, DATABASE_URL: input.databaseUrl, HTTP_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/api/me`)).status === 401) break;
      } catch {
        if (i > 300) throw new Error('server did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const cookieOf = async (email: string) => {
      const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
      if (r.status !== 200) throw new Error(`sign-in of ${email}: ${r.status}`);
      return r.headers.getSetCookie()[0]!.split(';')[0]!;
    };
    const bureau = await cookieOf(people.bureauOfficer);
    const dept = await cookieOf(people.departmentOfficer);
    const overview = (org: string, query = '') => `${base}/api/organisations/${org}/years/${YEAR}/overview${query}`;
    const sample = (await (await fetch(overview(BENCH_BUREAU, '?limit=5000'), { headers: { cookie: bureau } })).json()) as { rows: unknown[]; counts: { units: number } };
    const bytes = (await (await fetch(overview(BENCH_BUREAU, '?limit=5000'), { headers: { cookie: bureau } })).arrayBuffer()).byteLength;
    console.log(`the bureau's overview lists ${sample.counts.units} units (${Math.round(bytes / 1024)} KB of JSON with every row)`);
    await drive(overview(BENCH_BUREAU), bureau, 50, 3);
    const rows: Array<[string, LatencyFigures]> = [];
    rows.push(['bureau, default page (200) @ 50/s', await drive(overview(BENCH_BUREAU), bureau, 50, seconds)]);
    rows.push(['bureau, every unit (1000) @ 50/s', await drive(overview(BENCH_BUREAU, '?limit=5000'), bureau, 50, seconds)]);
    rows.push(['bureau, filtered + sorted @ 50/s', await drive(overview(BENCH_BUREAU, '?late=true&sort=total&order=desc'), bureau, 50, seconds)]);
    rows.push(['department (~48 units) @ 50/s', await drive(overview(people.departmentCode), dept, 50, seconds)]);
    rows.push(['bureau, default page, max (8 loops)', await drive(overview(BENCH_BUREAU), bureau, 0, Math.min(10, seconds))]);
    console.log(`\nGET /api/organisations/:org/years/${YEAR}/overview, ${input.units} units, ${os.cpus().length} cores, load generator on the same machine`);
    console.log('run                                    req/s   p50 ms  p90 ms  p99 ms  max ms  requests failed');
    const f = (x: number) => x.toFixed(1).padStart(6);
    for (const [name, r] of rows) console.log(`${name.padEnd(38)} ${r.rps.toFixed(0).padStart(6)}  ${f(r.p50)}  ${f(r.p90)}  ${f(r.p99)}  ${f(r.max)}  ${String(r.n).padStart(8)} ${String(r.failed).padStart(6)}`);
    return rows;
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  }
}

async function main(): Promise<void> {
  const units = Number(process.argv[2] ?? 1000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-bench-overview-'));
  fs.chmodSync(tmp, 0o755);
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: await freePort(), database: 'bench', ephemeral: true });
  const url = pg.url('bench');
  const db = createDb(url, { max: 4 });
  try {
    await migrateToLatest(db);
    await benchOverview({ db, databaseUrl: url, units });
  } finally {
    await db.destroy();
    await pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
