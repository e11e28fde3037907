/**
 * Organisations above units — a 财政局 (bureau) and its 主管部门 (departments) — the people who work
 * there, and which units each sees: a bureau every unit under it (directly or through its
 * departments), a department the units it supervises. Units are assigned to an organisation by
 * the bureau's list (an Excel sheet of 主管部门 and 单位) or one by one.
 */
import { sql } from 'kysely';
import type { Db } from './connection';
import { audit } from './evaluations.repository';
import type { OrganisationKind, OrganisationRole } from './schema';

export interface OrgRoleGrant {
  organisationId: number;
  organisationCode: string;
  kind: OrganisationKind;
  role: OrganisationRole;
}

export interface Organisation {
  id: number;
  code: string;
  name: string;
  kind: OrganisationKind;
  parentId: number | null;
}

const toOrg = (r: { id: number; code: string; name: string; kind: OrganisationKind; parent_id: number | null }): Organisation => ({ id: Number(r.id), code: r.code, name: r.name, kind: r.kind, parentId: r.parent_id === null ? null : Number(r.parent_id) });

export async function organisationByCode(db: Db, code: string): Promise<Organisation | undefined> {
  const r = await db.selectFrom('organisations').selectAll().where('code', '=', code).executeTakeFirst();
  return r && toOrg(r);
}

/** Creates or renames an organisation (a department names its bureau); idempotent by code. */
export async function ensureOrganisation(db: Db, input: { code: string; name: string; kind: OrganisationKind; parentCode?: string; actor: string }): Promise<{ organisation: Organisation; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const parent = input.parentCode ? await trx.selectFrom('organisations').select(['id', 'kind']).where('code', '=', input.parentCode).executeTakeFirst() : undefined;
    if (input.kind === 'department' && parent?.kind !== 'bureau') throw new Error(`a department belongs to a bureau: no bureau ${input.parentCode ?? '(none)'}`);
    const existing = await trx.selectFrom('organisations').selectAll().where('code', '=', input.code).executeTakeFirst();
    if (existing) {
      if (existing.name !== input.name) await trx.updateTable('organisations').set({ name: input.name }).where('id', '=', existing.id).execute();
      return { organisation: toOrg({ ...existing, name: input.name }), created: false };
    }
    const row = await trx.insertInto('organisations').values({ code: input.code, name: input.name, kind: input.kind, parent_id: parent?.id ?? null }).returningAll().executeTakeFirstOrThrow();
    await audit(trx, { actor: input.actor, unitId: null, action: 'organisation.create', subject: `organisation/${input.code}`, details: { name: input.name, kind: input.kind, parent: input.parentCode ?? null } });
    return { organisation: toOrg(row), created: true };
  });
}

/** The organisations a person works in, with their role there. */
export async function organisationRolesOf(db: Db, userId: number): Promise<OrgRoleGrant[]> {
  const rows = await db
    .selectFrom('organisation_roles')
    .innerJoin('organisations', 'organisations.id', 'organisation_roles.organisation_id')
    .select(['organisations.id', 'organisations.code', 'organisations.kind', 'organisation_roles.role'])
    .where('organisation_roles.user_id', '=', userId)
    .orderBy('organisations.id')
    .execute();
  return rows.map((r) => ({ organisationId: Number(r.id), organisationCode: r.code, kind: r.kind, role: r.role }));
}

/** Grants a person a role in an organisation (creating the account when needed); audited, idempotent. */
export async function grantOrganisationRole(
  db: Db,
  input: { email: string; name: string; organisationCode: string; role: OrganisationRole; passwordHash?: string; actor: string },
): Promise<{ userId: number; created: boolean; granted: boolean }> {
  return db.transaction().execute(async (trx) => {
    const org = await trx.selectFrom('organisations').select(['id', 'kind']).where('code', '=', input.organisationCode).executeTakeFirst();
    if (!org) throw new Error(`no organisation ${input.organisationCode}`);
    if ((input.role === 'bureau_officer') !== (org.kind === 'bureau')) throw new Error(`${input.role} belongs to a ${input.role === 'bureau_officer' ? 'bureau' : 'department'}`);
    let user = await trx.selectFrom('users').select('id').where(sql`lower(email)`, '=', input.email.trim().toLowerCase()).executeTakeFirst();
    let created = false;
    if (!user) {
      user = await trx.insertInto('users').values({ email: input.email.trim(), name: input.name, password_hash: input.passwordHash ?? null }).returning('id').executeTakeFirstOrThrow();
      created = true;
    } else if (input.passwordHash) {
      await trx.updateTable('users').set({ password_hash: input.passwordHash }).where('id', '=', user.id).execute();
    }
    const granted = await trx.insertInto('organisation_roles').values({ user_id: user.id, organisation_id: org.id, role: input.role }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    const isNew = Number(granted.numInsertedOrUpdatedRows ?? 0) > 0;
    if (isNew) await audit(trx, { actor: input.actor, unitId: null, action: 'organisation_role.grant', subject: `user/${input.email.trim()}`, details: { organisation: input.organisationCode, role: input.role } });
    return { userId: Number(user.id), created, granted: isNew };
  });
}

/** Units an organisation sees: its own, and (a bureau) those of its departments. */
export async function unitsUnder(db: Db, organisationId: number): Promise<Array<{ id: number; code: string; name: string; organisationId: number }>> {
  const rows = await db
    .selectFrom('units')
    .innerJoin('organisations', 'organisations.id', 'units.organisation_id')
    .select(['units.id', 'units.code', 'units.name', 'units.organisation_id'])
    .where((eb) => eb.or([eb('organisations.id', '=', organisationId), eb('organisations.parent_id', '=', organisationId)]))
    .orderBy('units.code')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), code: r.code, name: r.name, organisationId: Number(r.organisation_id) }));
}

/** Whether one of a person's organisation roles reaches a unit (its department, or the bureau above it). */
export async function organisationReachesUnit(db: Db, grants: readonly OrgRoleGrant[], unitCode: string): Promise<boolean> {
  if (grants.length === 0) return false;
  const ids = grants.map((g) => g.organisationId);
  const r = await db
    .selectFrom('units')
    .innerJoin('organisations', 'organisations.id', 'units.organisation_id')
    .select('units.id')
    .where('units.code', '=', unitCode)
    .where((eb) => eb.or([eb('organisations.id', 'in', ids), eb('organisations.parent_id', 'in', ids)]))
    .executeTakeFirst();
  return r !== undefined;
}

/** Whether one of a person's roles reaches an organisation (it, or the bureau above a department). */
export async function organisationReachesOrganisation(db: Db, grants: readonly OrgRoleGrant[], code: string, roles: readonly OrganisationRole[]): Promise<'allow' | 'forbidden' | 'not_found'> {
  const org = await db.selectFrom('organisations').select(['id', 'parent_id']).where('code', '=', code).executeTakeFirst();
  const reaching = grants.filter((g) => g.organisationId === Number(org?.id) || (org?.parent_id !== null && g.organisationId === Number(org?.parent_id)));
  // An organisation one has nothing to do with does not exist for one.
  if (!org || reaching.length === 0) return 'not_found';
  return reaching.some((g) => roles.includes(g.role)) ? 'allow' : 'forbidden';
}

export interface UnitListRow {
  /** The 主管部门; empty when the unit reports to the bureau directly. */
  departmentCode?: string;
  departmentName?: string;
  unitCode: string;
  unitName: string;
}

/**
 * The bureau's list of units (from its Excel sheet, already checked): creates the departments
 * and the units that do not exist yet (a unit's ledger import fills in the rest) and assigns each
 * unit to its department (or the bureau). Idempotent: the same list again changes nothing.
 */
export async function importUnitList(db: Db, input: { bureauCode: string; rows: readonly UnitListRow[]; actor: string }): Promise<{ departmentsCreated: number; unitsCreated: number; unitsAssigned: number }> {
  const bureau = await organisationByCode(db, input.bureauCode);
  if (!bureau || bureau.kind !== 'bureau') throw new Error(`no bureau ${input.bureauCode}`);
  let departmentsCreated = 0;
  let unitsCreated = 0;
  let unitsAssigned = 0;
  const departments = new Map<string, number>();
  for (const row of input.rows) {
    if (!row.departmentCode || departments.has(row.departmentCode)) continue;
    const d = await ensureOrganisation(db, { code: row.departmentCode, name: row.departmentName ?? row.departmentCode, kind: 'department', parentCode: input.bureauCode, actor: input.actor });
    if (d.organisation.parentId !== bureau.id) throw new Error(`department ${row.departmentCode} belongs to another bureau`);
    departments.set(row.departmentCode, d.organisation.id);
    if (d.created) departmentsCreated++;
  }
  await db.transaction().execute(async (trx) => {
    for (const row of input.rows) {
      const organisationId = row.departmentCode ? departments.get(row.departmentCode)! : bureau.id;
      const existing = await trx.selectFrom('units').select(['id', 'organisation_id']).where('code', '=', row.unitCode).executeTakeFirst();
      if (!existing) {
        await trx.insertInto('units').values({ code: row.unitCode, name: row.unitName, staff_quota: 0, leadership_posts: JSON.stringify([]), functions: JSON.stringify([]), organisation_id: organisationId }).execute();
        unitsCreated++;
        unitsAssigned++;
      } else if (existing.organisation_id === null || Number(existing.organisation_id) !== organisationId) {
        await trx.updateTable('units').set({ organisation_id: organisationId, updated_at: new Date() }).where('id', '=', existing.id).execute();
        unitsAssigned++;
      }
    }
    if (unitsCreated || unitsAssigned) {
      await audit(trx, { actor: input.actor, unitId: null, action: 'organisation.import_units', subject: `organisation/${input.bureauCode}`, details: { rows: input.rows.length, unitsCreated, unitsAssigned, departmentsCreated } });
    }
  });
  return { departmentsCreated, unitsCreated, unitsAssigned };
}

// ── Review levels above a unit ─────────────────────────────────────────────────────────────

export type ReviewLevel = 'department' | 'bureau';

export interface ReviewLevelOrg {
  level: ReviewLevel;
  organisationId: number;
  organisationCode: string;
  organisationName: string;
}

/**
 * Who reviews a unit's issued report, in order: its 主管部门 (when it reports to one), then the
 * bureau above it. A unit that reports to the bureau directly has the bureau only; one assigned to
 * no organisation has nobody.
 */
export async function reviewLevelsOfUnit(db: Db, unitCode: string): Promise<ReviewLevelOrg[]> {
  const row = await db
    .selectFrom('units')
    .innerJoin('organisations as o', 'o.id', 'units.organisation_id')
    .leftJoin('organisations as p', 'p.id', 'o.parent_id')
    .select(['o.id', 'o.code', 'o.name', 'o.kind', 'p.id as parentId', 'p.code as parentCode', 'p.name as parentName'])
    .where('units.code', '=', unitCode)
    .executeTakeFirst();
  if (!row) return [];
  if (row.kind === 'bureau') return [{ level: 'bureau', organisationId: Number(row.id), organisationCode: row.code, organisationName: row.name }];
  return [
    { level: 'department', organisationId: Number(row.id), organisationCode: row.code, organisationName: row.name },
    { level: 'bureau', organisationId: Number(row.parentId), organisationCode: row.parentCode!, organisationName: row.parentName! },
  ];
}

/** The levels at which a person may decide on a unit's report: department officer of its department, bureau officer of its bureau. */
export async function reviewLevelsOf(db: Db, grants: readonly OrgRoleGrant[], unitCode: string): Promise<ReviewLevel[]> {
  const levels = await reviewLevelsOfUnit(db, unitCode);
  return levels.filter((l) => grants.some((g) => g.organisationId === l.organisationId && g.role === (l.level === 'department' ? 'department_officer' : 'bureau_officer'))).map((l) => l.level);
}

/** The people holding a role in an organisation (the officers a message to it goes to). */
export async function officersOf(db: Db, organisationId: number, role: OrganisationRole): Promise<number[]> {
  const rows = await db.selectFrom('organisation_roles').select('user_id').where('organisation_id', '=', organisationId).where('role', '=', role).orderBy('user_id').execute();
  return rows.map((r) => Number(r.user_id));
}

/** Units among `codes` that are not under the organisation (or do not exist). */
export async function unitsNotUnder(db: Db, organisationId: number, codes: readonly string[]): Promise<string[]> {
  if (!codes.length) return [];
  const under = new Set((await unitsUnder(db, organisationId)).map((u) => u.code));
  return codes.filter((c) => !under.has(c));
}
