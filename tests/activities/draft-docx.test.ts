/**
 * A draft's DOCX on request: the draft stores its PDF and the document it was rendered from; the
 * first download of its DOCX has the worker render it (the `draftDocx` workflow on the dev server)
 * from that document and store it once. The DOCX it gives equals the one rendered together with
 * the PDF from the same content (a worker that renders drafts' DOCX eagerly, on a copy of the same
 * data), byte for byte; the database fills it once and never changes it; the issued version keeps
 * both formats as before.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createReportActivities } from '../../activities/reports.activities';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { listReports, reportFile, sha256 } from '../../db/reports.repository';
import { createWorker } from '../../worker/create-worker';
import { testActivityDeps } from '../helpers/activities';
import { addUser, as, PASSWORD, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';

const root = path.resolve(__dirname, '../..');
const unit = 'yiyang-smart-city';
const year = 2020;
const request = { unitCode: unit, year, kind: 'draft' as const, actor: 'test', now: '2021-04-30T10:00:00+08:00' };

describe("a draft's DOCX, rendered when first asked for", () => {
  let database: TestDatabase;
  /** The same unit-year in a second database, rendered by a worker that renders drafts' DOCX with their PDF. */
  let eager: TestDatabase;
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let finance: Persona;
  let sectionHead: Persona;
  let unitYearId: number;
  const taskQueue = uniqueTaskQueue('draft-docx');

  beforeAll(async () => {
    [database, eager] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    ({ client, native } = await devServerConnections('draft-docx'));
    worker = await createWorker({ connection: native, namespace: client.options.namespace, taskQueue, activities: createActivities(testActivityDeps(database.db, { temporal: client })) });
    running = worker.run();
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', taskQueue });
    unitYearId = (await importUnitYear(database.db, seedUnitYear(), { actor: 'test' })).unitYearId;
    await importUnitYear(eager.db, seedUnitYear(), { actor: 'test' });
    await addUser(database.db, 'finance@docx.test', unit, 'finance_officer');
    await addUser(database.db, 'general@docx.test', unit, 'section_head', 'general');
    await app.listen({ host: '127.0.0.1', port: 0 });
    finance = await signIn(app, 'finance@docx.test');
    sectionHead = await signIn(app, 'general@docx.test');
  });
  afterAll(async () => {
    await app?.close();
    worker?.shutdown();
    await running;
    await native?.close();
    await client?.connection.close();
    await database?.drop();
    await eager?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-docx-cli-'));
  /** `selfeval …` as the finance officer, against the server above. */
  const cli = (args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(path.join(root, 'bin/selfeval'), args, { cwd: home, env: { PATH: process.env['PATH'], HOME: home, XDG_CONFIG_HOME: home, DATABASE_URL: database.url, NO_COLOR: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdin.end(stdin);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('stores the draft without its DOCX, renders it on the first download and serves the same bytes after', async () => {
    const reports = createReportActivities(testActivityDeps(database.db));
    const draft = await reports.renderReport(request);
    expect(draft).toMatchObject({ version: 1, created: true, docxSha256: null });
    await expect(reportFile(database.db, unitYearId, 1, 'docx')).rejects.toMatchObject({ code: 'not_found' });
    expect((await listReports(database.db, unitYearId))[0]).toMatchObject({ kind: 'draft', docxSha256: null });

    // Section heads see only the issued report: a draft's DOCX is not rendered for them.
    expect((await app.inject({ method: 'GET', url: `/api/units/${unit}/years/${year}/reports/1/docx`, ...as(sectionHead) })).statusCode).toBe(403);
    expect((await listReports(database.db, unitYearId))[0]!.docxSha256).toBeNull();

    // Two downloads at once share one render.
    const [first, second] = await Promise.all([1, 2].map(() => app.inject({ method: 'GET', url: `/api/units/${unit}/years/${year}/reports/1/docx`, ...as(finance) })));
    for (const r of [first!, second!]) {
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      expect(r.rawPayload.subarray(0, 2).toString()).toBe('PK');
      expect(r.headers['x-content-sha256']).toBe(sha256(r.rawPayload));
    }
    expect(second!.rawPayload.equals(first!.rawPayload)).toBe(true);
    const stored = (await listReports(database.db, unitYearId))[0]!;
    expect(stored.docxSha256).toBe(sha256(first!.rawPayload));

    // The same content rendered the eager way, PDF and DOCX together: the same PDF, and the same DOCX byte for byte.
    const eagerReports = createReportActivities({ ...testActivityDeps(eager.db), draftDocx: 'eager' });
    const reference = await eagerReports.renderReport(request);
    expect(reference).toMatchObject({ version: 1, pdfSha256: draft.pdfSha256 });
    expect(reference.docxSha256).toBe(stored.docxSha256);
    const eagerUnitYearId = (await eager.db.selectFrom('unit_years').select('id').executeTakeFirstOrThrow()).id;
    expect((await reportFile(eager.db, eagerUnitYearId, 1, 'docx')).bytes.equals(first!.rawPayload)).toBe(true);

    // Asked again (a retry, a second request after the first): nothing is rendered, the stored bytes stand.
    expect(await reports.renderDraftDocx({ unitCode: unit, year, version: 1, actor: 'test' })).toEqual({ version: 1, docxSha256: stored.docxSha256, rendered: false });
    // Exactly one draftDocx workflow ran for the two downloads.
    const runs = [];
    for await (const w of client.workflow.list({ query: `WorkflowType = 'draftDocx'` })) runs.push(w.workflowId);
    expect(runs).toEqual([`report-docx/${unit}/${year}/v1`]);
  });

  it('fills a DOCX once: the database refuses to change a stored one, and the issued version keeps both', async () => {
    await expect(database.db.updateTable('reports').set({ docx: Buffer.from('PK other'), docx_sha256: sha256(Buffer.from('PK other')) }).where('unit_year_id', '=', unitYearId).where('version', '=', 1).execute()).rejects.toThrow(/already has its DOCX/);
    const reports = createReportActivities(testActivityDeps(database.db));
    // A later draft (new content) waits for its DOCX again; the issued version has both at once.
    await database.db.updateTable('unit_years').set({ report_date: '2021-05-06' }).where('id', '=', unitYearId).execute();
    const v2 = await reports.renderReport(request);
    expect(v2).toMatchObject({ version: 2, docxSha256: null });
    // A hash without its bytes (or bytes without their hash) is refused.
    await expect(database.db.updateTable('reports').set({ docx_sha256: sha256('x') }).where('unit_year_id', '=', unitYearId).where('version', '=', 2).execute()).rejects.toThrow(/reports_docx_with_hash/);
    const issued = await reports.renderReport({ ...request, kind: 'issued' });
    expect(issued.docxSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await reportFile(database.db, unitYearId, issued.version, 'docx')).sha256).toBe(issued.docxSha256);
    // The issued version is served at once, without a render.
    const r = await app.inject({ method: 'GET', url: `/api/units/${unit}/years/${year}/reports/${issued.version}/docx`, ...as(sectionHead) });
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-content-sha256']).toBe(issued.docxSha256);
  });

  it('is what `selfeval report download --format docx` gets for a draft (sha256 checked by the CLI)', async () => {
    const drafts = (await listReports(database.db, unitYearId)).filter((r) => r.kind === 'draft' && r.docxSha256 === null);
    expect(drafts.map((r) => r.version)).toEqual([2]); // from the test above
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const login = await cli(['login', '--url', url, '--email', 'finance@docx.test'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const out = path.join(home, 'draft-v2.docx');
    const downloaded = await cli(['report', 'download', unit, String(year), '--version', '2', '--format', 'docx', '-o', out]);
    expect(downloaded.code, downloaded.stderr).toBe(0);
    const stored = (await listReports(database.db, unitYearId)).find((r) => r.version === 2)!;
    expect(stored.docxSha256).toBe(sha256(fs.readFileSync(out)));
    expect(downloaded.stdout).toContain(`sha256 ${stored.docxSha256}`);
  });
});
