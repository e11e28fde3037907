/**
 * The ledger on a real Postgres: import is idempotent and writes only what changed; loading gives
 * back exactly the document that was imported; a malformed file is rejected with every problem
 * and nothing is written; the Excel workbook round-trips.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedgerFile, writeLedgerFile } from '../../client/ledger/files';
import { createDerivedHoldback } from '../../db/holdbacks.repository';
import { importUnitYear, loadUnitYear } from '../../db/ledger.repository';
import { parseWanYuan } from '../../domain/money';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedDocument, seedFile, seedUnitYear } from '../fixtures/seed';

const root = path.resolve(__dirname, '../..');
const ref = { unitCode: 'yiyang-smart-city', year: 2020 };
const ledgerTables = [
  'units', 'sections', 'users', 'user_roles', 'unit_years', 'stated_figures', 'income_sources', 'projects', 'allocations',
  'contracts', 'payments', 'holdbacks', 'om_assessments', 'section_submissions', 'ledger_imports',
] as const;

async function rowCounts(database: TestDatabase): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of ledgerTables) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(database.db);
    counts[t] = r.rows[0]!.n;
  }
  return counts;
}

function cli(args: string[], databaseUrl: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'client/cli/main.ts'), ...args], {
    cwd: root,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATABASE_URL: databaseUrl, NO_COLOR: '1' },
    encoding: 'utf8',
  });
}

describe('the ledger in Postgres', () => {
  let database: TestDatabase;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-ledger-'));

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('imports the seed, then finds the same file unchanged and writes nothing', async () => {
    const first = await importUnitYear(database.db, seedUnitYear(), { actor: 'test', fileName: 'seed.yaml' });
    expect(first.status).toBe('created');
    expect(first.changes['payments']).toEqual({ inserted: 10, updated: 0, deleted: 0 });
    expect(first.changes['holdbacks']).toEqual({ inserted: 5, updated: 0, deleted: 0 });
    expect(first.changes['user_roles']).toEqual({ inserted: 8, updated: 0, deleted: 0 });
    const before = await rowCounts(database);
    const second = await importUnitYear(database.db, seedUnitYear(), { actor: 'test', fileName: 'seed.yaml' });
    expect(second).toMatchObject({ status: 'unchanged', unitYearId: first.unitYearId, contentSha256: first.contentSha256, changes: {} });
    expect(await rowCounts(database)).toEqual(before);
  });

  it('loads back exactly the document that was imported', async () => {
    expect(await loadUnitYear(database.db, ref)).toEqual(seedUnitYear());
    expect(await loadUnitYear(database.db, { unitCode: 'nobody', year: 2020 })).toBeUndefined();
  });

  it('re-imports a corrected file by changing only what changed, keeping ids and holdback state', async () => {
    const idsBefore = await database.db.selectFrom('payments').select(['code', 'id']).orderBy('code').execute();
    // A workflow has meanwhile made a retention payable: imports must not undo that.
    await database.db.updateTable('holdbacks').set({ status: 'payable' }).where('code', '=', 'one-thing-once-retention').execute();

    const corrected = structuredClone(seedUnitYear());
    const brain = corrected.projects[1]!;
    brain.holdbacks.push({ code: 'brain-gov-service-final', kind: 'milestone', allocation: 'brain-gov-service-2020', amount: parseWanYuan('0.35'), condition: '尾款待系统联调完成后支付', milestone: '系统联调完成', status: 'waiting' });
    corrected.projects[3]!.payments[1]!.paidOn = '2020-12-20';
    corrected.projects[4]!.payments = corrected.projects[4]!.payments.filter(() => false);
    const result = await importUnitYear(database.db, corrected, { actor: 'test' });
    expect(result.status).toBe('updated');
    expect(result.changes).toEqual({
      holdbacks: { inserted: 1, updated: 0, deleted: 0 },
      payments: { inserted: 0, updated: 1, deleted: 1 },
    });
    const idsAfter = await database.db.selectFrom('payments').select(['code', 'id']).orderBy('code').execute();
    expect(idsAfter).toEqual(idsBefore.filter((p) => p.code !== 'pay-fiscal-platform-first'));
    const loaded = await loadUnitYear(database.db, ref);
    expect(loaded?.projects[0]?.holdbacks[1]?.status).toBe('payable');
    expect(loaded?.projects[1]?.holdbacks).toHaveLength(1);
    // Back to the seed for the tests below.
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    await database.db.updateTable('holdbacks').set({ status: 'waiting' }).where('code', '=', 'one-thing-once-retention').execute();
    expect(await loadUnitYear(database.db, ref)).toEqual(seedUnitYear());
  });

  it('keeps the row of a retention opened by an acceptance when a corrected file is re-imported', async () => {
    const code = 'fiscal-platform-acceptance-retention';
    const workflowId = `holdback/${ref.unitCode}/${ref.year}/${code}`;
    const retention = parseWanYuan('4.62');
    await createDerivedHoldback(database.db, {
      workflowId, ref: { ...ref, holdbackCode: code }, kind: 'retention', origin: 'derived', parentCode: 'fiscal-platform-acceptance',
      projectCode: 'fiscal-platform', projectName: '财税平台', allocationCode: 'fiscal-platform-2020', contractCode: 'fiscal-platform-build',
      condition: '质保期满后支付', warrantyStartOn: '2021-03-01', warrantyMonths: 12, status: 'waiting', phase: 'warranty', awaiting: 'warranty_end',
      amounts: { amountFen: retention, heldFen: retention, payableFen: 0, releasedFen: 0, forfeitedFen: 0, transferredFen: 0 },
      nextDueOn: '2022-03-01', remindersSent: 0, version: 0, at: '2021-03-01T10:00:00+08:00',
    });
    const derivedRow = () => database.db.selectFrom('holdbacks').select(['code', 'amount_fen', 'due_on', 'status']).where('code', '=', code).executeTakeFirst();
    const before = await derivedRow();
    expect(before).toEqual({ code, amount_fen: retention, due_on: '2022-03-01', status: 'waiting' });

    const corrected = structuredClone(seedUnitYear());
    corrected.projects[3]!.payments[1]!.note = '已完成支付（更正）';
    const result = await importUnitYear(database.db, corrected, { actor: 'test' });
    expect(result.changes).toEqual({ payments: { inserted: 0, updated: 1, deleted: 0 } });
    expect(await derivedRow()).toEqual(before);
    // The document stays what the file said: the retention's amount is part of the acceptance
    // holdback there, so counting its row as well would double it in the reconciliation.
    expect(await loadUnitYear(database.db, ref)).toEqual(corrected);

    // Back to the seed for the tests below.
    await database.db.deleteFrom('holdback_progress').where('workflow_id', '=', workflowId).execute();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    expect(await derivedRow()).toBeUndefined();
    expect(await loadUnitYear(database.db, ref)).toEqual(seedUnitYear());
  });

  it('round-trips through the Excel workbook: export, import back, ledger identical', async () => {
    const loaded = (await loadUnitYear(database.db, ref))!;
    const bytes = await writeLedgerFile(loaded, 'xlsx');
    const file = path.join(tmp, 'seed.xlsx');
    fs.writeFileSync(file, bytes);
    const read = await readLedgerFile(file, fs.readFileSync(file));
    expect(read.ok ? [] : read.problems).toEqual([]);
    if (!read.ok) return;
    expect(read.value).toEqual(loaded);
    const before = await rowCounts(database);
    expect((await importUnitYear(database.db, read.value, { actor: 'test', fileName: 'seed.xlsx' })).status).toBe('unchanged');
    expect(await rowCounts(database)).toEqual(before);

    // The CLI does the same from a file on disk.
    const exported = path.join(tmp, 'exported.xlsx');
    const out = cli(['export', ref.unitCode, String(ref.year), '--out', exported], database.url);
    expect(out.status, out.stderr).toBe(0);
    const again = cli(['import', exported, '--json'], database.url);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'unchanged' });
  });

  it('round-trips through YAML and JSON as well', async () => {
    const loaded = (await loadUnitYear(database.db, ref))!;
    for (const format of ['yaml', 'json'] as const) {
      const read = await readLedgerFile(`x.${format}`, await writeLedgerFile(loaded, format));
      expect(read.ok && read.value).toEqual(loaded);
    }
  });

  it('rejects a malformed file with every problem listed, and writes nothing', async () => {
    const doc = seedDocument();
    doc['year'] = 'twenty';                                                   // wrong type
    doc['projects'][0]['payments'][0]['amount'] = '-1万元';                  // negative amount
    doc['projects'][0]['contracts'][1]['amount'] = '100万元';                // paid 169.1万元 on it
    doc['projects'][2]['payments'][0]['allocation'] = 'no-such-allocation';  // unknown reference
    doc['projects'][4]['code'] = 'power';                                    // duplicate id
    doc['projects'][3]['allocations'][0]['amount'] = '110.501万元';          // fraction of a 分... 0.001万元 = 10 分 is fine
    doc['projects'][3]['allocations'][1]['amount'] = '135.0000001万元';      // a real fraction of a 分
    doc['projects'][1]['payments'][0]['project'] = 'unknown-project';        // unknown field
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const before = await rowCounts(database);
    const run = cli(['import', file, '--json'], database.url);
    expect(run.status).toBe(2);
    const body = JSON.parse(run.stdout) as { code: string; details: Array<{ path: string; code: string; zh: string; en: string }> };
    expect(body.code).toBe('invalid_input');
    const found = body.details.map((d) => `${d.code}@${d.path}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'invalid_type@year',
        'negative_amount@projects[0].payments[0].amount',
        'invalid_amount@projects[3].allocations[1].amount',
        'unrecognized_keys@projects[1].payments[0]',
        // Reference problems come out in the same run as the field problems.
        'payment_exceeds_contract@projects[0].payments[2].amount',
        'unknown_allocation@projects[2].payments[0].allocation',
        'duplicate_code@projects[4].code',
      ]),
    );
    // The power allocation with a bad amount is still known to its payment: no false "unknown".
    expect(found).not.toContain('unknown_allocation@projects[3].payments[1].allocation');
    for (const d of body.details) expect(d.zh && d.en).toBeTruthy();
    expect(await rowCounts(database)).toEqual(before);
  });

  it('reports problems in a workbook by sheet and row', async () => {
    const loaded = (await loadUnitYear(database.db, ref))!;
    const broken = structuredClone(loaded);
    broken.projects[1]!.payments[0]!.allocation = 'nowhere';
    const read = await readLedgerFile('bad.xlsx', await writeLedgerFile(broken, 'xlsx'));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    // The second project's payment is row 6 of 支付 (header, then 4 payments of the first project).
    expect(read.problems).toEqual([expect.objectContaining({ code: 'unknown_allocation', path: '支付 第6行 (projects[1].payments[0].allocation)' })]);
  });

  it('checks a file offline with `selfeval check --json`', () => {
    const run = cli(['check', seedFile, '--json'], 'postgres://nobody@127.0.0.1:1/none');
    expect(run.status, run.stderr).toBe(0);
    const analysis = JSON.parse(run.stdout) as { reconciliation: { findings: Array<{ code: string; difference: number | null }> } };
    expect(analysis.reconciliation.findings.find((f) => f.code === 'project_expenditure_gap')?.difference).toBe(parseWanYuan('7.02'));
  });
});
