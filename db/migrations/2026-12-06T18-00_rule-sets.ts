import { type Kysely, sql } from 'kysely';

/**
 * Scoring rule sets an administrator adds (selfeval.rule-set/v1 files): each a new version of its
 * id, stored with the file's text and sha256 and the checked definition, never edited in place.
 * (The built-in rule sets come with the code; a stored version of the same id comes after them.)
 * The evaluation records the rule set and version it was started under.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rule_sets')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('rule_sets_pk', ['id', 'version'])
    // The same file added twice is one version.
    .addUniqueConstraint('rule_sets_id_sha', ['id', 'sha256'])
    .execute();
  // Never edited in place: a version, once stored, stays as it was.
  await sql`create function rule_sets_frozen() returns trigger language plpgsql as $$ begin raise exception 'a stored rule-set version cannot be changed or removed'; end $$`.execute(db);
  await sql`create trigger rule_sets_frozen before update or delete on rule_sets for each row execute function rule_sets_frozen()`.execute(db);

  await db.schema.alterTable('evaluations').addColumn('rule_set_id', 'text').addColumn('rule_set_version', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('evaluations').dropColumn('rule_set_id').dropColumn('rule_set_version').execute();
  await sql`drop trigger rule_sets_frozen on rule_sets`.execute(db);
  await db.schema.dropTable('rule_sets').execute();
  await sql`drop function rule_sets_frozen()`.execute(db);
}
