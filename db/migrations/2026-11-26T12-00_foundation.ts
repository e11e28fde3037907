import { type Kysely, sql } from 'kysely';

// Migrations are typed Kysely<any> on purpose: they describe history and must never import app types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('smoke_checks')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
    .addColumn('written_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('smoke_checks').execute();
}
