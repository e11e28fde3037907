import { type Kysely, sql } from 'kysely';

/**
 * The bureau's overview reads, for every unit of a year, its evaluation's total, grade and blocking
 * findings. Those live inside the score sheet (~15 KB of JSON) and the findings document: reading
 * them per request would decompress and parse ~20 MB for 1,000 units. They are kept as plain
 * columns instead, generated (stored) from the documents on every write, so they can never
 * disagree with them and the overview touches no JSON. Casts are guarded: a document of another
 * shape gives null, never a failed write.
 *
 * Tasks still open are read by evaluation: a partial index holds only those.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table evaluations
      add column score_total_cp bigint generated always as (
        case when jsonb_typeof(score -> 'totalCp') = 'number' then trunc((score ->> 'totalCp')::numeric)::bigint end) stored,
      add column score_final boolean generated always as (
        case when jsonb_typeof(score -> 'final') = 'boolean' then (score ->> 'final')::boolean end) stored,
      add column score_grade_code text generated always as (score -> 'grade' ->> 'code') stored,
      add column score_grade_zh text generated always as (score -> 'grade' ->> 'zh') stored,
      add column blocking_findings integer generated always as (
        coalesce(jsonb_array_length(jsonb_path_query_array(findings, '$.findings[*] ? (@.blocking == true)')), 0)) stored`.execute(db);
  await sql`create index tasks_open_by_evaluation on tasks (evaluation_id) include (due_at, escalated_at) where state in ('open', 'draft', 'overdue', 'returned')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index tasks_open_by_evaluation`.execute(db);
  await sql`
    alter table evaluations
      drop column score_total_cp, drop column score_final, drop column score_grade_code, drop column score_grade_zh, drop column blocking_findings`.execute(db);
}
