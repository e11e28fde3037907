import { type Kysely, sql } from 'kysely';

/**
 * The database itself keeps what `reports_one_issued` (dropped by 2026-12-07T12-00_campaign-review)
 * kept, as far as it still holds: after an issued version, a unit-year gets no further version —
 * unless a reviewer above the unit returned that issued version (a `return` in `review_decisions`),
 * when the revision's drafts and its issue are new versions. Every issued version stays frozen
 * (`reports_freeze`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function reports_one_issued_unless_returned() returns trigger language plpgsql as $$
    declare
      last_issued integer;
    begin
      select max(version) into last_issued from reports where unit_year_id = new.unit_year_id and kind = 'issued';
      if last_issued is not null and not exists (
        select 1 from review_decisions where unit_year_id = new.unit_year_id and report_version = last_issued and decision = 'return'
      ) then
        raise exception 'reports_one_issued: unit-year % was issued as version %; a later version needs a reviewer''s return', new.unit_year_id, last_issued using errcode = 'P0001';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger reports_one_issued before insert on reports for each row execute function reports_one_issued_unless_returned()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger reports_one_issued on reports`.execute(db);
  await sql`drop function reports_one_issued_unless_returned()`.execute(db);
}
