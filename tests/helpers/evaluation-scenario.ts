/**
 * A scenario of the annual evaluation on the time-skipping server: the seed unit-year under a
 * code of its own, a worker whose business clock starts at a given Asia/Shanghai instant, and
 * the moves people make (submit, query, skip time). Shared by the evaluation's time-skipping tests.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundle } from '@temporalio/worker';
import { type Activities, createActivities } from '../../activities';
import { importUnitYear } from '../../db/ledger.repository';
import type { SelfAssessmentEntry } from '../../domain/self-assessment';
import type { SectionSubmission } from '../../domain/submission';
import { afterAll, beforeAll } from 'vitest';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import {
  annualEvaluationWorkflowType, evaluationId, evaluationStatusQuery, sectionTaskId, selfAssessmentTaskId, submitSelfAssessmentUpdate, submitUpdate, taskViewQuery,
} from '../../workflows/evaluation/contract';
import type { annualEvaluation } from '../../workflows/evaluation/annual-evaluation.workflow';
import { holdbackWorkflowId } from '../../workflows/holdback/contract';
import type { Transporter } from 'nodemailer';
import { testActivityDeps } from './activities';
import { createTestDatabase, type TestDatabase } from './database';
import { timeSkippingEnv, uniqueTaskQueue } from './temporal';
import { seedUnitYear } from '../fixtures/seed';

export const at = (local: string) => Date.parse(`${local}+08:00`);
export const infosecSubmission: SectionSubmission = {
  section: 'infosec',
  achievements: [{ title: '网络安全保障', paragraphs: ['全年处置网络安全应急事件5起，未发生重大网络安全事故。'] }],
  outputIndicators: [{ name: '重大网络安全事故', unit: '起', direction: '<=', target: '0', actual: '0', category: 'quality', key: true }],
  problems: [],
  nextSteps: [],
  selfAssessments: [],
};

export interface Harness {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  bundle: WorkflowBundle;
}

/**
 * A time-skipping server, a database and the workflow bundle for one test file (time is global to
 * a server: each file has its own), set up before its tests and torn down after them.
 */
export function timeSkippingHarness(): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    [h.env, h.database, h.bundle] = await Promise.all([timeSkippingEnv(), createTestDatabase(), bundleWorkflows()]);
  });
  afterAll(async () => {
    await h.env?.teardown();
    await h.database?.drop();
  });
  return h;
}

export interface ScenarioOptions {
  /** Changes the unit-year before it is imported (e.g. to a ledger without blocking findings). */
  prepare?: (unitYear: ReturnType<typeof seedUnitYear>) => void;
  /** Wraps the worker's activities (e.g. to change the ledger just before an activity runs). */
  activities?: (activities: Activities) => Activities;
  /** The notifier's mail transport (default: none, in-app only). */
  mailer?: Transporter;
}

/** A unit of its own (the seed under another code), a worker whose business clock starts at `start`. */
export async function scenario(h: Harness, unitCode: string, start: string, options: ScenarioOptions = {}) {
  const unitYear = structuredClone(seedUnitYear());
  options.prepare?.(unitYear);
  unitYear.unit.code = unitCode;
  unitYear.people = unitYear.people.map((p) => ({ ...p, email: p.email.replace('@', `+${unitCode}@`) }));
  await importUnitYear(h.database.db, unitYear, { actor: 'test' });
  const shift = at(start) - (await h.env.currentTimeMs());
  const taskQueue = uniqueTaskQueue(unitCode);
  const worker: Worker = await createWorker({
    connection: h.env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: (options.activities ?? ((a) => a))(createActivities({ ...testActivityDeps(h.database.db, { temporal: h.env.client, ...(options.mailer ? { mailer: options.mailer } : {}) }), clockShiftMs: shift })),
    workflowBundle: h.bundle,
  });
  const running = worker.run();
  const id = evaluationId(unitCode, 2020);
  const handle = await h.env.client.workflow.start<typeof annualEvaluation>(annualEvaluationWorkflowType, {
    workflowId: id,
    taskQueue,
    args: [{ unitCode, year: 2020, startedBy: 'finance', options: { dueDate: '2026-04-30', escalateAfterWorkingDays: 3 } }],
  });
  const task = (section: string) => h.env.client.workflow.getHandle(sectionTaskId(unitCode, 2020, section));
  /** Advance the server until the business clock shows `local` (Asia/Shanghai). */
  const until = async (local: string) => {
    const ms = at(local) - shift - (await h.env.currentTimeMs());
    if (ms > 0) await h.env.sleep(ms);
  };
  const status = () => handle.query(evaluationStatusQuery);
  const eventually = async <T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => {
    // Wall time, generous: on a loaded CI machine an activity may take seconds to be picked up.
    const deadline = Date.now() + 60_000;
    let last: T = await probe();
    while (!ok(last)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 100));
      last = await probe();
    }
    return last;
  };
  const remindersOf = async (section: string) => (await task(section).query(taskViewQuery)).remindersSent;
  const submit = (section: string, submission: SectionSubmission) =>
    task(section).executeUpdate(submitUpdate, { args: [{ actor: `${section}-head`, submission }] });
  const assessment = () => h.env.client.workflow.getHandle(selfAssessmentTaskId(unitCode, 2020));
  /** The finance officer submits the self-assessment the seed file carries. */
  const submitSelfAssessment = async (entries: SelfAssessmentEntry[] = unitYear.selfAssessment!.entries.map((e) => ({ ...e, evidence: [] }))) => {
    await eventually(() => assessment().query(taskViewQuery).then(() => true, () => false), Boolean, 'the self-assessment task');
    return assessment().executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: 'finance', entries }] });
  };
  const submitSeedSections = async (options: { selfAssessment?: boolean } = {}) => {
    await eventually(status, (s) => s.stage === 'collecting' && s.sections.length === 6, 'collecting');
    for (const s of unitYear.submissions) {
      await eventually(() => task(s.section).query(taskViewQuery).then(() => true, () => false), Boolean, `task ${s.section}`);
      await submit(s.section, s);
    }
    if (options.selfAssessment !== false) await submitSelfAssessment();
  };
  // Nothing of this scenario may be left running: the test server's time is shared by the file.
  const stop = async () => {
    const ids = [id, selfAssessmentTaskId(unitCode, 2020), ...unitYear.projects.flatMap((p) => p.holdbacks.map((hb) => holdbackWorkflowId(unitCode, 2020, hb.code)))];
    for (const workflowId of ids) {
      await h.env.client.workflow.getHandle(workflowId).terminate('scenario finished').catch(() => undefined);
    }
    worker.shutdown();
    await running;
  };
  /** A business instant (Asia/Shanghai wall clock) as the workflow's server-time ISO string. */
  const serverIso = (local: string) => new Date(at(local) - shift).toISOString();
  return { handle, task, assessment, until, status, eventually, remindersOf, submit, submitSelfAssessment, submitSeedSections, stop, unitCode, shift, serverIso, unitYear, taskQueue };
}

