import { type Kysely, sql } from 'kysely';

/**
 * A draft's DOCX is rendered when someone first asks for it: `docx` and `docx_sha256` may be null
 * (both or neither) for drafts, never for the issued version; `document` keeps the composed
 * document the draft's PDF was rendered from (`json`, stored verbatim), so its DOCX is rendered
 * later from exactly that. The freeze trigger still refuses any change to the issued version, and
 * now also any change to a DOCX once stored and to a stored document: a draft's DOCX is filled once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table reports alter column docx drop not null, alter column docx_sha256 drop not null, add column document json`.execute(db);
  await sql`alter table reports add constraint reports_docx_with_hash check ((docx is null) = (docx_sha256 is null))`.execute(db);
  await sql`alter table reports add constraint reports_issued_has_docx check (kind = 'draft' or docx is not null)`.execute(db);
  await sql`
    create or replace function reports_issued_is_frozen() returns trigger language plpgsql as $$
    begin
      if old.kind = 'issued' then
        raise exception 'report % version % is issued and cannot change', old.unit_year_id, old.version using errcode = 'P0001';
      end if;
      if tg_op = 'UPDATE' and old.docx is not null and (new.docx is distinct from old.docx or new.docx_sha256 is distinct from old.docx_sha256) then
        raise exception 'report % version % already has its DOCX', old.unit_year_id, old.version using errcode = 'P0001';
      end if;
      if tg_op = 'UPDATE' and old.document is not null and new.document::text is distinct from old.document::text then
        raise exception 'report % version % keeps the document it was rendered from', old.unit_year_id, old.version using errcode = 'P0001';
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function reports_issued_is_frozen() returns trigger language plpgsql as $$
    begin
      if old.kind = 'issued' then
        raise exception 'report % version % is issued and cannot change', old.unit_year_id, old.version using errcode = 'P0001';
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end $$`.execute(db);
  await sql`alter table reports drop constraint reports_issued_has_docx, drop constraint reports_docx_with_hash, drop column document`.execute(db);
  // Drafts whose DOCX was never asked for cannot go back under NOT NULL: they are dropped from the older schema's view.
  await sql`delete from reports where docx is null`.execute(db);
  await sql`alter table reports alter column docx set not null, alter column docx_sha256 set not null`.execute(db);
}
