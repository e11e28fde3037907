/**
 * What administration reads and writes beside accounts and channels: units and their sections,
 * the audit log as the viewer filters it, and each unit-year with its evaluation's stage (where a
 * notification that names no unit-year leads). Every change is audited in its transaction.
 */
import { sql } from 'kysely';
import type { Db } from './connection';
import type { EvaluationStage } from './schema';

// ── Units and sections ────────────────────────────────────────────────────────────────────────

export interface AdminUnit {
  id: number;
  code: string;
  name: string;
  level: string | null;
  staffQuota: number;
  sections: Array<{ id: number; code: string; name: string; position: number; holders: number }>;
  years: number[];
}

export async function unitsByCode(db: Db, codes: string[]): Promise<AdminUnit[]> {
  if (codes.length === 0) return [];
  const units = await db.selectFrom('units').select(['id', 'code', 'name', 'level', 'staff_quota']).where('code', 'in', codes).orderBy('code').execute();
  if (units.length === 0) return [];
  const ids = units.map((u) => u.id);
  const [sections, years, holders] = await Promise.all([
    db.selectFrom('sections').select(['id', 'unit_id', 'code', 'name', 'position']).where('unit_id', 'in', ids).orderBy('position').orderBy('id').execute(),
    db.selectFrom('unit_years').select(['unit_id', 'year']).where('unit_id', 'in', ids).orderBy('year', 'desc').execute(),
    db.selectFrom('user_roles').select(['section_id', ({ fn }) => fn.countAll<number>().as('n')]).where('unit_id', 'in', ids).where('section_id', 'is not', null).groupBy('section_id').execute(),
  ]);
  const held = new Map(holders.map((h) => [h.section_id, Number(h.n)]));
  return units.map((u) => ({
    id: u.id, code: u.code, name: u.name, level: u.level, staffQuota: u.staff_quota,
    sections: sections.filter((s) => s.unit_id === u.id).map((s) => ({ id: s.id, code: s.code, name: s.name, position: s.position, holders: held.get(s.id) ?? 0 })),
    years: years.filter((y) => y.unit_id === u.id).map((y) => y.year),
  }));
}

/** A new unit; its creator becomes its administrator. Undefined when the code is taken. */
export async function createUnit(db: Db, input: { code: string; name: string; level: string | null; staffQuota: number; creatorUserId: number; actor: string }): Promise<{ id: number } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('units')
      .values({ code: input.code, name: input.name, level: input.level, staff_quota: input.staffQuota, functions: '[]', leadership_posts: '[]' })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    await trx.insertInto('user_roles').values({ user_id: input.creatorUserId, unit_id: row.id, role: 'admin', section_id: null }).execute();
    await trx.insertInto('audit_log').values({ actor: input.actor, unit_id: row.id, action: 'unit.create', subject: `unit/${input.code}`, details: JSON.stringify({ name: input.name }) }).execute();
    await trx.insertInto('audit_log').values({ actor: input.actor, unit_id: row.id, action: 'role.grant', subject: `user/${input.actor}`, details: JSON.stringify({ role: 'admin', section: null }) }).execute();
    return { id: row.id };
  });
}

export async function updateUnit(db: Db, input: { unitId: number; name: string; level: string | null; staffQuota: number; actor: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('units').select(['code', 'name', 'level', 'staff_quota']).where('id', '=', input.unitId).executeTakeFirstOrThrow();
    await trx.updateTable('units').set({ name: input.name, level: input.level, staff_quota: input.staffQuota, updated_at: sql<Date>`now()` }).where('id', '=', input.unitId).execute();
    await trx
      .insertInto('audit_log')
      .values({ actor: input.actor, unit_id: input.unitId, action: 'unit.update', subject: `unit/${before.code}`, details: JSON.stringify({ before: { name: before.name, level: before.level, staffQuota: before.staff_quota }, after: { name: input.name, level: input.level, staffQuota: input.staffQuota } }) })
      .execute();
  });
}

/** Adds a section at the end (undefined when the unit has that code already). */
export async function addSection(db: Db, input: { unitId: number; code: string; name: string; actor: string }): Promise<{ id: number } | undefined> {
  return db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('sections').select(({ fn }) => fn.max('position').as('p')).where('unit_id', '=', input.unitId).executeTakeFirst();
    const row = await trx
      .insertInto('sections')
      .values({ unit_id: input.unitId, code: input.code, name: input.name, position: Number(last?.p ?? -1) + 1 })
      .onConflict((oc) => oc.columns(['unit_id', 'code']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    await trx.insertInto('audit_log').values({ actor: input.actor, unit_id: input.unitId, action: 'section.add', subject: `section/${input.code}`, details: JSON.stringify({ name: input.name }) }).execute();
    return { id: row.id };
  });
}

export async function renameSection(db: Db, input: { unitId: number; code: string; name: string; actor: string }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('sections').select(['id', 'name']).where('unit_id', '=', input.unitId).where('code', '=', input.code).executeTakeFirst();
    if (!before) return false;
    await trx.updateTable('sections').set({ name: input.name }).where('id', '=', before.id).execute();
    await trx.insertInto('audit_log').values({ actor: input.actor, unit_id: input.unitId, action: 'section.rename', subject: `section/${input.code}`, details: JSON.stringify({ before: before.name, after: input.name }) }).execute();
    return true;
  });
}

export async function sectionIdOf(db: Db, unitId: number, code: string): Promise<number | undefined> {
  return (await db.selectFrom('sections').select('id').where('unit_id', '=', unitId).where('code', '=', code).executeTakeFirst())?.id;
}

/** A schedule change (or any other administrative act recorded here rather than by a repository of its own). */
export async function auditAdmin(db: Db, e: { actor: string; unitId: number | null; action: string; subject: string; details?: unknown }): Promise<void> {
  await db.insertInto('audit_log').values({ actor: e.actor, unit_id: e.unitId, action: e.action, subject: e.subject, details: JSON.stringify(e.details ?? {}) }).execute();
}

// ── The audit log ─────────────────────────────────────────────────────────────────────────────

export interface AuditFilter {
  /** The units whose rows may be shown; account rows (no unit) of their people — now or once — are shown too. */
  unitIds: number[];
  /** Part of the actor's email or name. */
  who?: string;
  /** An action, or its prefix before the dot (`role` → role.grant, role.revoke). */
  what?: string;
  /** Civil dates in Asia/Shanghai, inclusive. */
  from?: string;
  to?: string;
  /** Rows about this evaluation year: workflow ids with `/<year>` and the unit-year's own rows. */
  year?: number;
  limit?: number;
  /** Rows older than this id (the next page). */
  beforeId?: number;
}

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  unitCode: string | null;
  action: string;
  subject: string;
  details: unknown;
}

export async function auditEntries(db: Db, f: AuditFilter): Promise<AuditEntry[]> {
  if (f.unitIds.length === 0) return [];
  // The units' people: those with a role now, and those who were granted one (a revoked person's sign-ins stay visible).
  const people = db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(sql<string>`lower(users.email)`.as('email'))
    .where('user_roles.unit_id', 'in', f.unitIds)
    .union(db.selectFrom('audit_log').select(sql<string>`lower(substr(subject, 6))`.as('email')).where('unit_id', 'in', f.unitIds).where('action', '=', 'role.grant').where('subject', 'like', 'user/%'));
  let q = db
    .selectFrom('audit_log')
    .leftJoin('units', 'units.id', 'audit_log.unit_id')
    .select(['audit_log.id', 'audit_log.at', 'audit_log.actor', 'units.code as unitCode', 'audit_log.action', 'audit_log.subject', 'audit_log.details'])
    .where((eb) =>
      eb.or([
        eb('audit_log.unit_id', 'in', f.unitIds),
        eb.and([eb('audit_log.unit_id', 'is', null), eb.or([eb(sql`lower(audit_log.actor)`, 'in', people), eb(sql`lower(substr(audit_log.subject, 6))`, 'in', people)])]),
      ]),
    );
  if (f.who) {
    const like = `%${f.who.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(sql`lower(audit_log.actor)`, 'like', like), eb(sql`lower(audit_log.subject)`, 'like', like)]));
  }
  if (f.what) q = q.where((eb) => eb.or([eb('audit_log.action', '=', f.what!), eb('audit_log.action', 'like', `${f.what!.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`)]));
  if (f.from) q = q.where('audit_log.at', '>=', sql<Date>`(${f.from}::date)::timestamp at time zone 'Asia/Shanghai'`);
  if (f.to) q = q.where('audit_log.at', '<', sql<Date>`((${f.to}::date) + 1)::timestamp at time zone 'Asia/Shanghai'`);
  if (f.year !== undefined) {
    const y = String(f.year);
    const unitYears = db.selectFrom('unit_years').select(sql<string>`'unit-year/' || unit_years.id`.as('s')).where('unit_years.unit_id', 'in', f.unitIds).where('unit_years.year', '=', f.year);
    q = q.where((eb) => eb.or([eb('audit_log.subject', 'like', `%/${y}/%`), eb('audit_log.subject', 'like', `%/${y}`), eb('audit_log.subject', 'in', unitYears)]));
  }
  if (f.beforeId !== undefined) q = q.where('audit_log.id', '<', f.beforeId);
  const rows = await q.orderBy('audit_log.id', 'desc').limit(Math.min(f.limit ?? 100, 500)).execute();
  return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, unitCode: r.unitCode ?? null, action: r.action, subject: r.subject, details: r.details }));
}

/** The actions found in the units' rows (the viewer's "what" choices). */
export async function auditActions(db: Db, unitIds: number[]): Promise<string[]> {
  if (unitIds.length === 0) return [];
  const rows = await db
    .selectFrom('audit_log')
    .select('action')
    .distinct()
    .where((eb) => eb.or([eb('unit_id', 'in', unitIds), eb('unit_id', 'is', null)]))
    .orderBy('action')
    .execute();
  return rows.map((r) => r.action);
}

// ── Unit-years and their evaluations ──────────────────────────────────────────────────────────

export interface UnitYearStage {
  unitCode: string;
  unitName: string;
  year: number;
  /** null: not started. */
  stage: EvaluationStage | null;
  updatedAt: Date | null;
}

/** Every unit-year of the units, newest year first, with its evaluation's stage. */
export async function unitYearStages(db: Db, unitCodes: string[]): Promise<UnitYearStage[]> {
  if (unitCodes.length === 0) return [];
  const rows = await db
    .selectFrom('unit_years')
    .innerJoin('units', 'units.id', 'unit_years.unit_id')
    .leftJoin('evaluations', 'evaluations.unit_year_id', 'unit_years.id')
    .select(['units.code', 'units.name', 'unit_years.year', 'evaluations.stage', 'evaluations.updated_at'])
    .where('units.code', 'in', unitCodes)
    .orderBy('unit_years.year', 'desc')
    .orderBy('units.code')
    .execute();
  return rows.map((r) => ({ unitCode: r.code, unitName: r.name, year: r.year, stage: r.stage ?? null, updatedAt: r.updated_at ?? null }));
}
