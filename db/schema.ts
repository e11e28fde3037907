/**
 * kysely table types: the shape of every table as the application sees it. Migrations do not
 * import this file (they are typed `Kysely<any>` so they never drift with app code); repositories do.
 */
import type { ColumnType } from 'kysely';

/** A timestamptz column: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface SmokeChecksTable {
  /** Workflow id that wrote the row (unique: a retried activity writes once). */
  workflow_id: string;
  note: string;
  /** When the workflow's timer fired, as the workflow saw it (ISO instant). */
  fired_at: Timestamp;
  written_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  smoke_checks: SmokeChecksTable;
}
