/**
 * An evaluation keeps the rule set and report outline it was started under: on the real dev server
 * and Postgres, the seed's evaluation starts under version 1 of the Hunan rule set; version 2 (other
 * weights, which would change the total) is added while the sections work; the evaluation finishes
 * under version 1, and its issued report says so. The unit-year itself now previews under version 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { startEvaluation } from '../../client/evaluations';
import { readRuleSetText } from '../../client/rule-sets/files';
import { importUnitYear } from '../../db/ledger.repository';
import { reportFile } from '../../db/reports.repository';
import { addRuleSet, ruleSetCatalog } from '../../db/rule-sets.repository';
import { analyseStored } from '../../db/scoring.repository';
import { sectionSubmissionSchema } from '../../domain/submission';
import { createWorker } from '../../worker/create-worker';
import {
  acknowledgeFindingsUpdate, approveUpdate, type EvaluationStatus, evaluationStatusQuery, sectionTaskId, selfAssessmentTaskId, submitSelfAssessmentUpdate, submitUpdate,
} from '../../workflows/evaluation/contract';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { pdfToText, requirePoppler } from '../helpers/pdf';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';

const root = path.resolve(__dirname, '../..');
const infosec = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.join(root, 'tests/fixtures/demo/infosec-submission.yaml'), 'utf8')));
/** Version 2: 实际完成率 5 → 10 points and 重点工作办结率 dropped (the weights still add up to 100). */
const v2Text = fs
  .readFileSync(path.join(root, 'rule-sets/hunan-department-2020.yaml'), 'utf8')
  .replace('name: 湖南省部门整体支出绩效评价指标（岳阳、长沙雨花区口径）', 'name: 湖南省部门整体支出绩效评价指标（2021 年修订）')
  .replace('level3: 实际完成率\n    points: 5', 'level3: 实际完成率\n    points: 10')
  .replace(/ {2}- id: key_task_completion\n( {4}.*\n)+?(?= {2}- id: economic_benefit)/, '');

describe('an evaluation keeps the rule set version it started under', () => {
  let database: TestDatabase;
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('pinning');

  beforeAll(async () => {
    await requirePoppler();
    database = await createTestDatabase();
    ({ client, native } = await devServerConnections('pinning'));
    worker = await createWorker({ connection: native, namespace: client.options.namespace, taskQueue, activities: createActivities(testActivityDeps(database.db, { temporal: client })) });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await native?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('finishes under version 1 after version 2 is added mid-cycle, and the issued report says version 1', async () => {
    const unitYear = seedUnitYear();
    await importUnitYear(database.db, unitYear, { actor: 'test' });
    const { handle } = await startEvaluation(client, { unitCode: unitYear.unit.code, year: 2020, startedBy: 'finance', taskQueue });
    const waitFor = async (what: string, ok: (s: EvaluationStatus) => boolean) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const s = await handle.query(evaluationStatusQuery).catch(() => undefined);
        if (s && ok(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const retry = async (fn: () => Promise<unknown>) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn();
        } catch (e) {
          if (attempt > 100) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    await waitFor('collecting', (s) => s.stage === 'collecting' && s.sections.length === 6);
    const pinned = await database.db.selectFrom('evaluations').select(['rule_set_id', 'rule_set_version', 'outline']).executeTakeFirstOrThrow();
    expect(pinned).toEqual({ rule_set_id: 'hunan-department-2020', rule_set_version: 1, outline: 'yiyang-2020' });

    // Version 2 is added while the sections work.
    const read = readRuleSetText(v2Text);
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    expect(await addRuleSet(database.db, { ruleSet: read.ruleSet, source: read.text, sha256: read.sha256, actor: 'admin' })).toMatchObject({ version: 2, created: true });

    for (const submission of [...unitYear.submissions, infosec]) {
      await retry(() => client.workflow.getHandle(sectionTaskId(unitYear.unit.code, 2020, submission.section)).executeUpdate(submitUpdate, { args: [{ actor: `${submission.section}-head`, submission }] }));
    }
    const entries = unitYear.selfAssessment!.entries.map((e) => ({ ...e, evidence: [] }));
    await retry(() => client.workflow.getHandle(selfAssessmentTaskId(unitYear.unit.code, 2020)).executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: 'finance', entries }] }));
    const reviewing = await waitFor('reviewing', (s) => s.stage === 'reviewing' && s.findings.sha256 !== null);
    await handle.executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: 'finance', findingsSha256: reviewing.findings.sha256! }] });
    const approving = await waitFor('approving', (s) => s.stage === 'approving');
    // Scored under version 1, not 2 (which weighs the sections' output differently).
    const catalog = await ruleSetCatalog(database.db);
    const under = async (version: number) => (await analyseStored(database.db, unitYear.unit.code, 2020, { ruleSet: catalog('hunan-department-2020', version)! }))!.analysis.score.totalCp;
    const [v1Total, v2Total] = [await under(1), await under(2)];
    expect(v2Total).not.toBe(v1Total);
    expect(approving.score).toMatchObject({ totalCp: v1Total, final: true });
    await handle.executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: approving.reportVersion! }] });
    const result = await handle.result();

    const stored = await database.db.selectFrom('evaluations').select(['score', 'rule_set_version']).executeTakeFirstOrThrow();
    expect(stored.rule_set_version).toBe(1);
    expect(stored.score).toMatchObject({ ruleSetId: 'hunan-department-2020', ruleSetVersion: 1, totalCp: v1Total });
    const uy = await database.db.selectFrom('unit_years').select('id').executeTakeFirstOrThrow();
    const pdf = await reportFile(database.db, uy.id, result.reportVersion, 'pdf');
    const text = (await pdfToText(pdf.bytes)).replace(/\s+/g, '');
    expect(text).toContain('《湖南省部门整体支出绩效评价指标（岳阳、长沙雨花区口径）》（hunan-department-2020第1版，湖南省）');
    expect(text).not.toContain('2021年修订');

    // The evaluation stays pinned (what the API and the report read), whatever newer versions exist.
    expect((await analyseStored(database.db, unitYear.unit.code, 2020))!.analysis.score).toMatchObject({ ruleSetVersion: 1, totalCp: v1Total });
  });
});
