import type { Db } from './connection';

export interface SmokeCheck {
  workflowId: string;
  note: string;
  firedAt: Date;
  writtenAt: Date;
}

/** Writes once per workflow id: a retried activity finds the row and changes nothing. */
export async function recordSmokeCheck(
  db: Db,
  input: { workflowId: string; note: string; firedAt: string },
): Promise<{ inserted: boolean }> {
  const result = await db
    .insertInto('smoke_checks')
    .values({ workflow_id: input.workflowId, note: input.note, fired_at: input.firedAt })
    .onConflict((oc) => oc.column('workflow_id').doNothing())
    .executeTakeFirst();
  return { inserted: Number(result.numInsertedOrUpdatedRows ?? 0) > 0 };
}

export async function findSmokeCheck(db: Db, workflowId: string): Promise<SmokeCheck | undefined> {
  const row = await db.selectFrom('smoke_checks').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
  return row && { workflowId: row.workflow_id, note: row.note, firedAt: row.fired_at, writtenAt: row.written_at };
}
