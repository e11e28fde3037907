/**
 * `npm run demo`: the whole seed cycle on the running stack (`npm start` first), step by step:
 * import the 2020 unit-year of 益阳市智慧城市和大数据中心, start its evaluation, submit the six
 * sections, acknowledge the findings, approve as the unit head, and save the issued PDF.
 * Running it again shows the evaluation that already exists.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { startEvaluation } from '../client/evaluations';
import { readLedgerFile } from '../client/ledger/files';
import { connectTemporal, workflowUiUrl } from '../client/temporal';
import { createDb } from '../db/connection';
import { unitYearKeys } from '../db/evaluations.repository';
import { importUnitYear } from '../db/ledger.repository';
import { migrateToLatest } from '../db/migrate';
import { issuedReport, reportFile } from '../db/reports.repository';
import { databaseUrlOf, parseConfig } from '../domain/config';
import { sectionSubmissionSchema } from '../domain/submission';
import { acknowledgeFindingsUpdate, approveUpdate, type EvaluationStatus, evaluationStatusQuery, sectionTaskId, selfAssessmentTaskId, submitSelfAssessmentUpdate, submitUpdate } from '../workflows/evaluation/contract';

const root = path.resolve(__dirname, '..');
const t0 = Date.now();
const step = (text: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${text}`);

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const db = createDb(databaseUrlOf(config), { max: 2 });
  const client = await connectTemporal(config).catch((e: unknown) => {
    throw new Error(`cannot reach Temporal at ${config.temporal.address} (${(e as Error).message}): start the stack with \`npm start\` first`);
  });
  try {
    await migrateToLatest(db);
    const seedFile = path.join(root, 'tests/fixtures/seed-2020.unit-year.yaml');
    const read = await readLedgerFile(seedFile, fs.readFileSync(seedFile));
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    const unitYear = read.value;
    const imported = await importUnitYear(db, unitYear, { actor: 'demo', fileName: path.basename(seedFile) });
    step(`imported ${unitYear.unit.name} ${unitYear.year}: ${imported.status}`);

    const { handle, workflowId, alreadyStarted } = await startEvaluation(client, { unitCode: unitYear.unit.code, year: unitYear.year, startedBy: 'finance@demo' });
    step(`${alreadyStarted ? 'the evaluation already exists' : 'started the evaluation'}: ${workflowUiUrl(config, workflowId)}`);
    const waitFor = async (what: string, ok: (s: EvaluationStatus) => boolean): Promise<EvaluationStatus> => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const s = await handle.query(evaluationStatusQuery).catch(() => undefined);
        if (s && ok(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    let s = await waitFor('the evaluation to open', (x) => x.stage !== 'opening');
    if (s.stage === 'collecting') {
      const infosec = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.join(root, 'tests/fixtures/demo/infosec-submission.yaml'), 'utf8')));
      const submissions = [...unitYear.submissions, infosec];
      for (const section of s.sections) {
        if (section.state === 'submitted' || section.state === 'skipped') continue;
        const submission = submissions.find((x) => x.section === section.section);
        if (!submission) continue;
        const task = client.workflow.getHandle(sectionTaskId(unitYear.unit.code, unitYear.year, section.section));
        for (let attempt = 0; ; attempt++) {
          try {
            await task.executeUpdate(submitUpdate, { args: [{ actor: `${section.section}@demo`, submission }] });
            break;
          } catch (e) {
            if (attempt > 50) throw e; // the task may still be starting
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        step(`${section.name} submitted`);
      }
      if (s.selfAssessment && s.selfAssessment.state !== 'submitted' && unitYear.selfAssessment) {
        // The finance officer's self-assessment: the seed file's example values.
        const entries = unitYear.selfAssessment.entries.map((e) => ({ ...e, evidence: [] }));
        for (let attempt = 0; ; attempt++) {
          try {
            await client.workflow.getHandle(selfAssessmentTaskId(unitYear.unit.code, unitYear.year)).executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: 'finance@demo', entries }] });
            break;
          } catch (e) {
            if (attempt > 50) throw e; // the task may still be starting
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        step('the finance officer submitted the self-assessment');
      }
    }
    s = await waitFor('reconciliation', (x) => (x.stage === 'reviewing' && x.findings.sha256 !== null) || ['scoring', 'drafting', 'approving', 'issuing', 'issued'].includes(x.stage));
    if (s.stage === 'reviewing') {
      step(`reconciled: ${s.findings.total} findings, ${s.findings.blocking} to acknowledge`);
      await handle.executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: 'finance@demo', findingsSha256: s.findings.sha256!, note: 'demo: differences checked' }] });
      step('the finance officer acknowledged the findings');
    }
    s = await waitFor('the draft report', (x) => x.stage === 'approving' || x.stage === 'issuing' || x.stage === 'issued');
    if (s.stage === 'approving') {
      step(`draft report version ${s.reportVersion} rendered; the unit head approves`);
      await handle.executeUpdate(approveUpdate, { args: [{ actor: 'head@demo', reportVersion: s.reportVersion! }] });
    }
    const result = await handle.result();
    const keys = (await unitYearKeys(db, unitYear.unit.code, unitYear.year))!;
    const issued = (await issuedReport(db, keys.unitYearId))!;
    const file = await reportFile(db, keys.unitYearId, issued.version, 'pdf');
    const out = path.join(config.dataDir, 'reports', `${unitYear.unit.code}-${unitYear.year}-v${issued.version}.pdf`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, file.bytes);
    step(`issued version ${result.reportVersion} (sha256 ${file.sha256})`);
    console.log(`\nPDF: ${out}\nTemporal UI: ${workflowUiUrl(config, workflowId)}`);
  } finally {
    await db.destroy();
    await client.connection.close();
  }
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
