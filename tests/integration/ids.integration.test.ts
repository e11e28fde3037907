/**
 * The remembered ids (db/ids.ts) on a real Postgres: found once per process and database, never a
 * miss (a ledger imported later is found), never what a rolled-back transaction read, never across
 * two databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../db/connection';
import { evaluationIdOf, unitIdOf, unitYearKeys } from '../../db/ids';
import { importUnitYear } from '../../db/ledger.repository';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedUnitYear } from '../fixtures/seed';

describe('remembered unit and unit-year ids', () => {
  let database: TestDatabase;
  let other: TestDatabase;
  let db: Db;
  let queries: string[] = [];
  const seed = seedUnitYear();
  const code = seed.unit.code;

  beforeAll(async () => {
    database = await createTestDatabase('ids');
    other = await createTestDatabase('ids_other');
    db = createDb(database.url, { max: 2, onQuery: (text) => queries.push(text) });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
    await other?.drop();
  });

  it('asks the database until the unit-year exists, then once', async () => {
    queries = [];
    expect(await unitYearKeys(db, code, seed.year)).toBeUndefined();
    expect(await unitIdOf(db, code)).toBeUndefined();
    expect(await unitYearKeys(db, code, seed.year)).toBeUndefined();
    expect(queries).toHaveLength(3);

    await importUnitYear(db, seed, { actor: 'test' });
    const row = await db.selectFrom('unit_years').innerJoin('units', 'units.id', 'unit_years.unit_id').select(['units.id as unitId', 'unit_years.id as unitYearId']).where('units.code', '=', code).executeTakeFirstOrThrow();
    queries = [];
    expect(await unitYearKeys(db, code, seed.year)).toEqual(row);
    expect(await unitYearKeys(db, code, seed.year)).toEqual(row);
    // The unit's id came with the unit-year's.
    expect(await unitIdOf(db, code)).toBe(row.unitId);
    expect(queries).toHaveLength(1);
    // A transaction of the same instance uses what is remembered.
    await db.transaction().execute(async (trx) => {
      expect(await unitYearKeys(trx, code, seed.year)).toEqual(row);
    });
    expect(queries.filter((q) => !/^(begin|commit)$/.test(q))).toHaveLength(1);
  });

  it('does not remember what a transaction read: it may be its own insert, gone with a rollback', async () => {
    const rolledBack = new Error('rolled back');
    let idInside: number | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('units').values({ code: 'gone-unit', name: '回滚的单位', staff_quota: 1, leadership_posts: '[]', functions: '[]' }).execute();
        idInside = await unitIdOf(trx, 'gone-unit');
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(idInside).toEqual(expect.any(Number));
    expect(await unitIdOf(db, 'gone-unit')).toBeUndefined();
    const again = await db.insertInto('units').values({ code: 'gone-unit', name: '重新建立的单位', staff_quota: 1, leadership_posts: '[]', functions: '[]' }).returning('id').executeTakeFirstOrThrow();
    expect(again.id).not.toBe(idInside);
    expect(await unitIdOf(db, 'gone-unit')).toBe(again.id);
  });

  it('asks for an evaluation row until it exists, then once', async () => {
    const workflowId = `evaluation/${code}/${seed.year}`;
    const keys = (await unitYearKeys(db, code, seed.year))!;
    queries = [];
    expect(await evaluationIdOf(db, workflowId)).toBeUndefined();
    const row = await db.insertInto('evaluations').values({ unit_year_id: keys.unitYearId, workflow_id: workflowId, stage: 'collecting', started_by: 'test', due_at: '2021-03-31T10:00:00Z', snapshot_sha256: '0'.repeat(64) }).returning('id').executeTakeFirstOrThrow();
    expect(await evaluationIdOf(db, workflowId)).toBe(row.id);
    expect(await evaluationIdOf(db, workflowId)).toBe(row.id);
    expect(queries.filter((q) => q.startsWith('select'))).toHaveLength(2);
  });

  it('keeps each database’s ids apart', async () => {
    // The other database has no such unit; what this process remembers of the first must not answer for it.
    expect(await unitIdOf(db, code)).toEqual(expect.any(Number));
    expect(await unitIdOf(other.db, code)).toBeUndefined();
    expect(await unitYearKeys(other.db, code, seed.year)).toBeUndefined();
  });
});
