/**
 * The whole seed cycle to an issued report on the real dev server and Postgres, with the worker
 * (a real `worker/main.ts` process) killed with SIGKILL and restarted twice mid-cycle. The outcome
 * must equal an undisturbed run of the same cycle, and nothing may be duplicated: tasks,
 * notifications, audit entries, report versions.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEvaluation } from '../../client/evaluations';
import { importUnitYear } from '../../db/ledger.repository';
import { sectionSubmissionSchema } from '../../domain/submission';
import { acknowledgeFindingsUpdate, approveUpdate, type EvaluationStatus, evaluationStatusQuery, sectionTaskId, selfAssessmentTaskId, submitSelfAssessmentUpdate, submitUpdate } from '../../workflows/evaluation/contract';
import { ownNamespace, uniqueTaskQueue } from '../helpers/temporal';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedUnitYear } from '../fixtures/seed';

const root = path.resolve(__dirname, '../..');
const infosec = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.join(root, 'tests/fixtures/demo/infosec-submission.yaml'), 'utf8')));

describe('the seed cycle survives SIGKILLed workers', () => {
  let database: TestDatabase;
  let client: Client;
  const taskQueue = uniqueTaskQueue('restarts');
  let worker: ChildProcess | undefined;

  async function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'worker/main.ts')], {
      cwd: root,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATABASE_URL: database.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: client.options.namespace, SELFEVAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 60_000);
      const onData = (c: Buffer) => {
        output += c.toString();
        if (output.includes('worker running')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`)));
    });
    return child;
  }

  async function kill(child: ChildProcess | undefined): Promise<void> {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async function importUnit(code: string) {
    const y = structuredClone(seedUnitYear());
    y.unit.code = code;
    y.people = y.people.map((p) => ({ ...p, email: p.email.replace('@', `+${code}@`) }));
    await importUnitYear(database.db, y, { actor: 'test' });
    return y;
  }

  /** Drives one unit's cycle; `between(step)` may disturb the worker at named points. */
  async function cycle(unitCode: string, between: (step: string) => Promise<void>) {
    const y = (await database.db.selectFrom('units').select('code').where('code', '=', unitCode).executeTakeFirst()) ? seedUnitYear() : undefined;
    if (!y) throw new Error('import first');
    const { handle } = await startEvaluation(client, { unitCode, year: 2020, startedBy: 'finance', taskQueue });
    const waitFor = async (what: string, ok: (s: EvaluationStatus) => boolean) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const s = await handle.query(evaluationStatusQuery).catch(() => undefined);
        if (s && ok(s)) return s;
        if (Date.now() > deadline) throw new Error(`${unitCode}: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await waitFor('collecting', (s) => s.stage === 'collecting' && s.sections.length === 6);
    const submissions = [...y.submissions, infosec];
    for (const [i, submission] of submissions.entries()) {
      const task = client.workflow.getHandle(sectionTaskId(unitCode, 2020, submission.section));
      for (let attempt = 0; ; attempt++) {
        try {
          await task.executeUpdate(submitUpdate, { args: [{ actor: `${submission.section}-head`, submission }] });
          break;
        } catch (e) {
          if (attempt > 100) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      if (i === 2) await between('after three submissions');
    }
    // The finance officer's self-assessment (the seed file's entries).
    const entries = y.selfAssessment!.entries.map((e) => ({ ...e, evidence: [] }));
    for (let attempt = 0; ; attempt++) {
      try {
        await client.workflow.getHandle(selfAssessmentTaskId(unitCode, 2020)).executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: 'finance', entries }] });
        break;
      } catch (e) {
        if (attempt > 100) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const reviewing = await waitFor('reviewing', (s) => s.stage === 'reviewing' && s.findings.sha256 !== null);
    await handle.executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: 'finance', findingsSha256: reviewing.findings.sha256! }] });
    await between('after acknowledging');
    const approving = await waitFor('approving', (s) => s.stage === 'approving');
    await handle.executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: approving.reportVersion! }] });
    return handle.result();
  }

  async function outcome(unitCode: string) {
    const unit = await database.db.selectFrom('units').select('id').where('code', '=', unitCode).executeTakeFirstOrThrow();
    const reports = await database.db
      .selectFrom('reports')
      .innerJoin('unit_years', 'unit_years.id', 'reports.unit_year_id')
      .select(['reports.version', 'reports.kind', 'reports.content_sha256', 'reports.pdf_sha256'])
      .where('unit_years.unit_id', '=', unit.id)
      .orderBy('reports.version')
      .execute();
    const tasks = await database.db.selectFrom('tasks').select(['state', 'run']).where('unit_id', '=', unit.id).execute();
    const notifications = await database.db
      .selectFrom('notifications')
      .select(['kind', sql<number>`count(*)::int`.as('n')])
      .where('unit_id', '=', unit.id)
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    const audit = await database.db.selectFrom('audit_log').select(['action', sql<number>`count(*)::int`.as('n')]).where('unit_id', '=', unit.id).groupBy('action').orderBy('action').execute();
    const submissions = await database.db.selectFrom('section_submissions').innerJoin('unit_years', 'unit_years.id', 'section_submissions.unit_year_id').select(sql<number>`count(*)::int`.as('n')).where('unit_years.unit_id', '=', unit.id).where('origin', '=', 'task').executeTakeFirstOrThrow();
    return { reports, tasks: tasks.sort((a, b) => a.state.localeCompare(b.state)), notifications, audit, submissions: submissions.n };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnit('calm-unit');
    await importUnit('kill-unit');
    client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: await ownNamespace('restarts') });
  });
  afterAll(async () => {
    await kill(worker);
    await client?.connection.close();
    await database?.drop();
  });

  it('issues the same report, with nothing duplicated, whether or not the worker is killed twice', async () => {
    worker = await startWorker();
    const calm = await cycle('calm-unit', async () => undefined);

    let kills = 0;
    const killed = await cycle('kill-unit', async (step) => {
      await kill(worker);
      kills++;
      worker = await startWorker();
      expect(step).toBeTruthy();
    });
    expect(kills).toBe(2);

    expect(killed.reportVersion).toBe(calm.reportVersion);
    expect(killed.pdfSha256).toBe(calm.pdfSha256);
    const [a, b] = [await outcome('calm-unit'), await outcome('kill-unit')];
    expect(b).toEqual(a);
    expect(a.reports.map((r) => r.kind)).toEqual(['draft', 'issued']);
    expect(a.tasks).toEqual(Array.from({ length: 7 }, () => ({ state: 'submitted', run: 1 })));
    expect(a.submissions).toBe(6);
  });
});
