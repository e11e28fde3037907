/**
 * Connections. One pg pool per process, wrapped by kysely. int8 (bigint: money in 分, counts)
 * is read as a JavaScript number and refused when it would not be exact; `date` stays a
 * `YYYY-MM-DD` string so no time zone ever shifts a civil date.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

const INT8_OID = 20;
const DATE_OID = 1082;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`bigint ${text} is outside the exact integer range of JavaScript numbers`);
  }
  return n;
}

const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8_OID) return parseInt8;
    if (oid === DATE_OID) return (s: string) => s;
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  },
};

export interface DbOptions {
  /** Pool size; defaults to 10. */
  max?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /**
   * Called when an idle pooled connection fails (the server restarted or shut down). The pool
   * drops that connection and opens a new one on the next query; without a handler pg would
   * crash the process.
   */
  onIdleError?: (error: Error) => void;
  /** Told of every query kysely runs (its SQL and how long it took): for `npm run bench:cycle`'s query counts. */
  onQuery?: (sql: string, ms: number) => void;
}

export type Db = Kysely<Database>;

export function createPool(url: string, options: DbOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'selfeval',
    connectionTimeoutMillis: 5_000,
    types: typeParsers,
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  return pool;
}

export function createDb(url: string, options: DbOptions = {}): Db {
  const onQuery = options.onQuery;
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: createPool(url, options) }),
    ...(onQuery ? { log: (e) => onQuery(e.query.sql, e.queryDurationMillis) } : {}),
  });
}

/** Queries counted by SQL text: what `onQuery` feeds when a process is asked for its query statistics. */
export class QueryStats {
  private readonly bySql = new Map<string, { count: number; ms: number }>();
  readonly record = (sql: string, ms: number): void => {
    const s = this.bySql.get(sql);
    if (s) {
      s.count++;
      s.ms += ms;
    } else this.bySql.set(sql, { count: 1, ms });
  };
  /** Every statement since the last reset, most frequent first. */
  snapshot(reset = false): Array<{ sql: string; count: number; ms: number }> {
    const out = [...this.bySql].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.count - a.count);
    if (reset) this.bySql.clear();
    return out;
  }
}

/** `SELECT 1` with a deadline: for health checks and start-up probes. */
export async function pingDb(db: Kysely<any>, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
