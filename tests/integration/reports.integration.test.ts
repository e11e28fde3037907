/** Report versions in Postgres: numbered, idempotent, hash-verified, and frozen once issued. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUnitYear } from '../../db/ledger.repository';
import { issuedReport, listReports, reportFile, sha256, storeReport } from '../../db/reports.repository';
import { AppError } from '../../domain/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedUnitYear } from '../fixtures/seed';

describe('report versions', () => {
  let database: TestDatabase;
  let unitYearId: number;
  const render = (label: string) => ({ pdf: Buffer.from(`%PDF ${label}`), docx: Buffer.from(`PK ${label}`) });

  beforeAll(async () => {
    database = await createTestDatabase();
    unitYearId = (await importUnitYear(database.db, seedUnitYear(), { actor: 'test' })).unitYearId;
  });
  afterAll(async () => database?.drop());

  it('numbers versions, stores a repeated render once, and verifies hashes on every read', async () => {
    const base = { unitYearId, template: 't', createdBy: 'finance' };
    const v1 = await storeReport(database.db, { ...base, kind: 'draft', contentSha256: 'c1', ...render('one') });
    expect(v1).toMatchObject({ created: true, version: { version: 1, kind: 'draft', pdfSha256: sha256(Buffer.from('%PDF one')) } });
    expect((await storeReport(database.db, { ...base, kind: 'draft', contentSha256: 'c1', ...render('one again') })).created).toBe(false);
    const v2 = await storeReport(database.db, { ...base, kind: 'draft', contentSha256: 'c2', ...render('two') });
    expect(v2.version.version).toBe(2);

    const file = await reportFile(database.db, unitYearId, 2, 'pdf');
    expect(file.bytes.toString()).toBe('%PDF two');
    expect(file.sha256).toBe(sha256(Buffer.from('%PDF two')));

    // Bytes changed behind our back: the read refuses them.
    await database.db.updateTable('reports').set({ pdf: Buffer.from('%PDF tampered') }).where('unit_year_id', '=', unitYearId).where('version', '=', 1).execute();
    await expect(reportFile(database.db, unitYearId, 1, 'pdf')).rejects.toThrow(/integrity check/);
    await expect(reportFile(database.db, unitYearId, 9, 'pdf')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('freezes the issued version: no update, no delete, no later version', async () => {
    const base = { unitYearId, template: 't', createdBy: 'head' };
    const issued = await storeReport(database.db, { ...base, kind: 'issued', contentSha256: 'final', ...render('final') });
    expect(issued.version).toMatchObject({ version: 3, kind: 'issued' });
    expect((await issuedReport(database.db, unitYearId))?.version).toBe(3);
    // Issuing again with the same content is the same issue (a retried activity).
    expect(await storeReport(database.db, { ...base, kind: 'issued', contentSha256: 'final', ...render('final') })).toMatchObject({ created: false, version: { version: 3 } });

    await expect(database.db.updateTable('reports').set({ pdf: Buffer.from('x') }).where('id', '=', issued.version.id).execute()).rejects.toThrow(/issued and cannot change/);
    await expect(database.db.deleteFrom('reports').where('id', '=', issued.version.id).execute()).rejects.toThrow(/issued and cannot change/);
    await expect(storeReport(database.db, { ...base, kind: 'draft', contentSha256: 'later', ...render('later') })).rejects.toBeInstanceOf(AppError);
    await expect(
      sql`insert into reports (unit_year_id, version, kind, content_sha256, pdf, pdf_sha256, docx, docx_sha256, template, created_by)
          values (${unitYearId}, 9, 'issued', 'x', '\\x00', 'x', '\\x00', 'x', 't', 'x')`.execute(database.db),
    ).rejects.toThrow(/reports_one_issued/);
    expect((await reportFile(database.db, unitYearId, 3, 'docx')).bytes.toString()).toBe('PK final');
    expect((await listReports(database.db, unitYearId)).map((r) => [r.version, r.kind])).toEqual([[1, 'draft'], [2, 'draft'], [3, 'issued']]);
  });
});
