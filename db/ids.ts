/**
 * Ids that never change once they exist, remembered per database: a unit's id by its code, a
 * unit-year's by (unit code, year), an evaluation row's by its workflow id. Nothing deletes an
 * evaluation row (its workflow id is unique; a restart reuses the row), a unit or a unit-year — an import updates both
 * in place, keyed by code and year (ledger.repository's `sync` never drops the one row it is given),
 * and no other code deletes them — so a remembered id is never stale. What is not found is not
 * remembered: a ledger imported later is found then. What a transaction reads is not remembered
 * either (it could be its own uncommitted insert, gone with a rollback); it uses what was.
 *
 * The worker looked these up about 50 times per evaluation cycle; each is now a query once per
 * unit and process. Remembered per Kysely instance (its transactions share it), never across two
 * databases in one process.
 */
import type { Kysely } from 'kysely';
import type { Db } from './connection';
import type { Database } from './schema';

export interface UnitYearKeys {
  unitId: number;
  unitYearId: number;
}

interface Remembered {
  units: Map<string, number>;
  unitYears: Map<string, UnitYearKeys>;
  evaluations: Map<string, number>;
}

/** Far more units than a deployment has; past it the memory starts over rather than grow. */
const MAX_REMEMBERED = 100_000;

/**
 * Keyed by the instance's adapter: a Kysely instance makes its own, and its transactions keep it
 * (they share the instance's compiler and adapter, with a connection of their own).
 */
const memory = new WeakMap<object, Remembered>();

function rememberedOf(db: Kysely<Database>): Remembered {
  const key = db.getExecutor().adapter;
  let r = memory.get(key);
  if (!r) {
    r = { units: new Map(), unitYears: new Map(), evaluations: new Map() };
    memory.set(key, r);
  }
  return r;
}

function remember<V>(db: Kysely<Database>, map: Map<string, V>, key: string, value: V): void {
  if (db.isTransaction) return;
  if (map.size >= MAX_REMEMBERED) map.clear();
  map.set(key, value);
}

/** What `map` remembers under `key`, else what `find` finds (remembered when found). */
async function recall<V>(db: Kysely<Database>, map: Map<string, V>, key: string, find: () => Promise<V | undefined>): Promise<V | undefined> {
  const known = map.get(key);
  if (known !== undefined) return known;
  const found = await find();
  if (found !== undefined) remember(db, map, key, found);
  return found;
}

/** The unit's id, or undefined when no unit has the code. */
export async function unitIdOf(db: Db, unitCode: string): Promise<number | undefined> {
  return recall(db, rememberedOf(db).units, unitCode, async () => (await db.selectFrom('units').select('id').where('code', '=', unitCode).executeTakeFirst())?.id);
}

/** The unit's and the unit-year's ids, or undefined when the unit-year has not been imported. */
export async function unitYearKeys(db: Db, unitCode: string, year: number): Promise<UnitYearKeys | undefined> {
  const r = rememberedOf(db);
  return recall(db, r.unitYears, `${year}|${unitCode}`, async () => {
    const row = await db
      .selectFrom('unit_years')
      .innerJoin('units', 'units.id', 'unit_years.unit_id')
      .select(['units.id as unitId', 'unit_years.id as unitYearId'])
      .where('units.code', '=', unitCode)
      .where('unit_years.year', '=', year)
      .executeTakeFirst();
    if (row) remember(db, r.units, unitCode, row.unitId);
    return row;
  });
}

/** The evaluation row's id (undefined before the row exists). */
export async function evaluationIdOf(db: Db, workflowId: string): Promise<number | undefined> {
  return recall(db, rememberedOf(db).evaluations, workflowId, async () => (await db.selectFrom('evaluations').select('id').where('workflow_id', '=', workflowId).executeTakeFirst())?.id);
}
