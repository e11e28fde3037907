/**
 * What a bureau (财政局) or a department (主管部门) sees of the units under it:
 *
 * - the year's overview: every unit under the organisation with its evaluation's stage, due date,
 *   late marks, total and grade, blocking findings, where it stands in the review above the unit,
 *   whether it is published, and the withheld amounts falling due — one SQL statement over
 *   indexed columns (`overviewRows`), filtered, sorted and counted by the caller;
 * - the organisation's administration: its departments, units and officers; revoking an officer;
 *   a one-time link for a new officer to set a password; its audit entries.
 */
import { sql } from 'kysely';
import type { Db } from './connection';
import { audit } from './evaluations.repository';
import type { CampaignUnitState, EvaluationStage, OrganisationKind, OrganisationRole } from './schema';

export interface OrganisationRef {
  id: number;
  code: string;
  name: string;
  kind: OrganisationKind;
  parentId: number | null;
}

/** An organisation by its code, with the bureau above it (for a department). */
export async function organisationWithParent(db: Db, code: string): Promise<(OrganisationRef & { parent: OrganisationRef | null }) | undefined> {
  const rows = await db
    .selectFrom('organisations as o')
    .leftJoin('organisations as p', 'p.id', 'o.parent_id')
    .select(['o.id', 'o.code', 'o.name', 'o.kind', 'o.parent_id', 'p.id as pid', 'p.code as pcode', 'p.name as pname', 'p.kind as pkind'])
    .where('o.code', '=', code)
    .executeTakeFirst();
  if (!rows) return undefined;
  return {
    id: Number(rows.id), code: rows.code, name: rows.name, kind: rows.kind, parentId: rows.parent_id === null ? null : Number(rows.parent_id),
    parent: rows.pid === null || rows.pcode === null || rows.pname === null || rows.pkind === null ? null : { id: Number(rows.pid), code: rows.pcode, name: rows.pname, kind: rows.pkind, parentId: null },
  };
}

// ── The year's overview ───────────────────────────────────────────────────────────────────────

export interface OverviewRow {
  unitCode: string;
  unitName: string;
  /** The 主管部门 the unit belongs to; `null` when it reports to the bureau directly. */
  department: { code: string; name: string } | null;
  /** The unit-year's ledger is imported. */
  hasLedger: boolean;
  /** The evaluation's stage; `null` before it starts. */
  stage: EvaluationStage | null;
  /** The evaluation's due date, else the campaign's (civil date, Asia/Shanghai). */
  dueOn: string | null;
  /** Not issued (or not accepted) and past its due date. */
  late: boolean;
  /** Section or self-assessment tasks still open past their due date, and those escalated. */
  overdueTasks: number;
  escalatedTasks: number;
  /** The current score: total in centipoints, whether every indicator is scored, the grade once it is. */
  totalCp: number | null;
  final: boolean;
  grade: { code: string; zh: string } | null;
  /** Blocking reconciliation findings, and whether the finance officer acknowledged them. */
  blockingFindings: number;
  findingsAcknowledged: boolean;
  reportVersion: number | null;
  issuedAt: Date | null;
  /** Where the unit stands in the year's campaign and the review above it; `null`: not in a campaign. */
  review: CampaignUnitState | null;
  /** The published report version (not withdrawn). */
  publishedVersion: number | null;
  /** Withheld amounts still owed (every year of the unit): in all, falling due by the horizon, the next due date. */
  withheld: { count: number; outstandingFen: number; dueByHorizonFen: number; nextDueOn: string | null };
}

interface RawOverviewRow {
  unit_code: string;
  unit_name: string;
  org_code: string;
  org_name: string;
  org_kind: OrganisationKind;
  has_ledger: boolean;
  stage: EvaluationStage | null;
  due_on: string | null;
  late: boolean;
  overdue_tasks: number;
  escalated_tasks: number;
  total_cp: number | null;
  final: boolean | null;
  grade_code: string | null;
  grade_zh: string | null;
  blocking: number;
  acknowledged: boolean;
  report_version: number | null;
  issued_at: Date | null;
  review: CampaignUnitState | null;
  published_version: number | null;
  hb_count: number;
  hb_outstanding: number;
  hb_due: number;
  hb_next: string | null;
}

const OPEN_TASK_STATES = ['open', 'draft', 'overdue', 'returned'] as const;

/**
 * Every unit under the organisation (a bureau: its own and its departments'; a department: its
 * own) for the year, in one statement: the unit-year, its evaluation (stage, due date, score,
 * findings), its open tasks past due, its place in the year's campaign, its publication and the
 * withheld amounts it still owes. `now` decides lateness; `horizon` (a civil date) which withheld
 * amounts count as falling due. Withheld amounts a workflow tracks are read from its progress row
 * (due dates moved by defects, partial releases); the others from the ledger (its stated due date).
 */
export async function overviewRows(db: Db, input: { organisationId: number; year: number; now: Date; horizon: string }): Promise<OverviewRow[]> {
  const open = sql.join(OPEN_TASK_STATES.map((s) => sql.lit(s)));
  const result = await sql<RawOverviewRow>`
    select u.code as unit_code, u.name as unit_name, o.code as org_code, o.name as org_name, o.kind as org_kind,
      uy.id is not null as has_ledger,
      e.stage,
      coalesce(to_char(e.due_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), to_char(cc.due_date, 'YYYY-MM-DD')) as due_on,
      (coalesce(e.stage, '') <> 'issued' and coalesce(cc.state, '') not in ('issued', 'in_review', 'accepted')
        and coalesce(e.due_at, (cc.due_date + time '18:00') at time zone 'Asia/Shanghai') < ${input.now}) as late,
      coalesce(t.overdue, 0)::int as overdue_tasks,
      coalesce(t.escalated, 0)::int as escalated_tasks,
      (e.score ->> 'totalCp')::int as total_cp,
      (e.score ->> 'final')::boolean as final,
      e.score -> 'grade' ->> 'code' as grade_code,
      e.score -> 'grade' ->> 'zh' as grade_zh,
      coalesce(jsonb_array_length(jsonb_path_query_array(e.findings, '$.findings[*] ? (@.blocking == true)')), 0)::int as blocking,
      e.acknowledged_at is not null as acknowledged,
      e.report_version,
      e.issued_at,
      cc.state as review,
      p.report_version as published_version,
      coalesce(hb.n, 0)::int as hb_count,
      coalesce(hb.outstanding, 0)::bigint as hb_outstanding,
      coalesce(hb.due, 0)::bigint as hb_due,
      to_char(hb.next_due, 'YYYY-MM-DD') as hb_next
    from units u
    join organisations o on o.id = u.organisation_id
    left join unit_years uy on uy.unit_id = u.id and uy.year = ${input.year}
    left join evaluations e on e.unit_year_id = uy.id
    left join lateral (
      select count(*) filter (where t.state in (${open}) and t.due_at < ${input.now}) as overdue,
             count(*) filter (where t.state in (${open}) and t.escalated_at is not null) as escalated
      from tasks t where t.evaluation_id = e.id
    ) t on e.id is not null
    left join lateral (
      select cu.state, c.due_date from campaign_units cu join campaigns c on c.id = cu.campaign_id
      where cu.unit_id = u.id and c.year = ${input.year}
      order by c.id limit 1
    ) cc on true
    left join publications p on p.unit_year_id = uy.id and p.withdrawn_at is null
    left join lateral (
      select count(*) as n, sum(x.amount) as outstanding, sum(x.amount) filter (where x.due_on <= ${input.horizon}::date) as due, min(x.due_on) as next_due
      from (
        select hp.held_fen + hp.payable_fen as amount, hp.next_due_on as due_on
        from holdback_progress hp where hp.unit_code = u.code and hp.phase <> 'closed'
        union all
        select h.amount_fen, h.due_on
        from unit_years hy join holdbacks h on h.unit_year_id = hy.id
        where hy.unit_id = u.id and h.status not in ('released', 'forfeited')
          and not exists (select 1 from holdback_progress q where q.unit_code = u.code and q.year = hy.year and q.holdback_code = h.code)
      ) x
    ) hb on true
    where u.organisation_id in (select id from organisations where id = ${input.organisationId} or parent_id = ${input.organisationId})
    order by u.code`.execute(db);
  return result.rows.map((r) => ({
    unitCode: r.unit_code,
    unitName: r.unit_name,
    department: r.org_kind === 'department' ? { code: r.org_code, name: r.org_name } : null,
    hasLedger: r.has_ledger,
    stage: r.stage,
    dueOn: r.due_on,
    late: r.late === true,
    overdueTasks: r.overdue_tasks,
    escalatedTasks: r.escalated_tasks,
    totalCp: r.total_cp,
    final: r.final === true,
    grade: r.grade_code !== null && r.grade_zh !== null ? { code: r.grade_code, zh: r.grade_zh } : null,
    blockingFindings: r.blocking,
    findingsAcknowledged: r.acknowledged,
    reportVersion: r.report_version,
    issuedAt: r.issued_at,
    review: r.review,
    publishedVersion: r.published_version,
    withheld: { count: r.hb_count, outstandingFen: Number(r.hb_outstanding), dueByHorizonFen: Number(r.hb_due), nextDueOn: r.hb_next },
  }));
}

/** The campaign a year's overview belongs to: the organisation's own, else its bureau's. */
export async function campaignOfYear(db: Db, organisationIds: readonly number[], year: number): Promise<{ organisationId: number; dueDate: string; ruleSetId: string; ruleSetVersion: number | null; outline: string | null; createdAt: Date } | undefined> {
  if (organisationIds.length === 0) return undefined;
  const rows = await db
    .selectFrom('campaigns')
    .select(['organisation_id', 'due_date', 'rule_set_id', 'rule_set_version', 'outline', 'created_at'])
    .where('organisation_id', 'in', [...organisationIds])
    .where('year', '=', year)
    .execute();
  // The first organisation named wins (the viewer's own campaign before its bureau's).
  const row = organisationIds.map((id) => rows.find((r) => Number(r.organisation_id) === id)).find((r) => r !== undefined);
  return row && { organisationId: Number(row.organisation_id), dueDate: row.due_date, ruleSetId: row.rule_set_id, ruleSetVersion: row.rule_set_version, outline: row.outline, createdAt: row.created_at };
}

/** The years any unit under the organisation has a ledger or a campaign for, newest first. */
export async function yearsUnder(db: Db, organisationId: number): Promise<number[]> {
  const r = await sql<{ year: number }>`
    select distinct year from (
      select uy.year from unit_years uy join units u on u.id = uy.unit_id
      where u.organisation_id in (select id from organisations where id = ${organisationId} or parent_id = ${organisationId})
      union
      select c.year from campaigns c where c.organisation_id in (select id from organisations where id = ${organisationId} or parent_id = ${organisationId} or id = (select parent_id from organisations where id = ${organisationId}))
    ) y order by year desc`.execute(db);
  return r.rows.map((x) => x.year);
}

// ── The organisation's administration ─────────────────────────────────────────────────────────

export interface OrganisationOfficer {
  userId: number;
  email: string;
  name: string;
  organisationCode: string;
  organisationName: string;
  role: OrganisationRole;
  grantedAt: Date;
  hasPassword: boolean;
}

export interface OrganisationUnit {
  code: string;
  name: string;
  departmentCode: string | null;
  /** Years with an imported ledger. */
  years: number[];
  /** People with a role in the unit (unit head, finance officer, …), and how many have no password yet. */
  people: number;
  withoutPassword: number;
}

export interface OrganisationDetail {
  departments: Array<{ code: string; name: string; units: number; officers: number }>;
  units: OrganisationUnit[];
  officers: OrganisationOfficer[];
}

/** The organisation's departments (a bureau), its units (its own and its departments'), and its officers (and its departments'). */
export async function organisationDetail(db: Db, organisationId: number): Promise<OrganisationDetail> {
  const orgs = await db.selectFrom('organisations').select(['id', 'code', 'name', 'kind']).where((eb) => eb.or([eb('id', '=', organisationId), eb('parent_id', '=', organisationId)])).orderBy('code').execute();
  const ids = orgs.map((o) => Number(o.id));
  const byId = new Map(orgs.map((o) => [Number(o.id), o]));
  const units = await db
    .selectFrom('units')
    .select([
      'units.code', 'units.name', 'units.organisation_id',
      sql<number[]>`coalesce((select array_agg(y.year order by y.year desc) from unit_years y where y.unit_id = units.id), '{}')`.as('years'),
      sql<number>`(select count(distinct r.user_id) from user_roles r where r.unit_id = units.id)::int`.as('people'),
      sql<number>`(select count(distinct r.user_id) from user_roles r join users x on x.id = r.user_id where r.unit_id = units.id and x.password_hash is null)::int`.as('without_password'),
    ])
    .where('units.organisation_id', 'in', ids)
    .orderBy('units.code')
    .execute();
  const officers = await db
    .selectFrom('organisation_roles')
    .innerJoin('users', 'users.id', 'organisation_roles.user_id')
    .innerJoin('organisations', 'organisations.id', 'organisation_roles.organisation_id')
    .select(['users.id as userId', 'users.email', 'users.name', 'users.password_hash', 'organisations.code', 'organisations.name as orgName', 'organisation_roles.role', 'organisation_roles.granted_at'])
    .where('organisation_roles.organisation_id', 'in', ids)
    .orderBy('organisations.kind')
    .orderBy('organisations.code')
    .orderBy('users.name')
    .execute();
  const deptOf = (orgId: number | null) => {
    const o = orgId === null ? undefined : byId.get(orgId);
    return o && o.kind === 'department' ? o.code : null;
  };
  return {
    departments: orgs
      .filter((o) => o.kind === 'department')
      .map((o) => ({
        code: o.code, name: o.name,
        units: units.filter((u) => Number(u.organisation_id) === Number(o.id)).length,
        officers: officers.filter((x) => x.code === o.code).length,
      })),
    units: units.map((u) => ({ code: u.code, name: u.name, departmentCode: deptOf(u.organisation_id === null ? null : Number(u.organisation_id)), years: u.years.map(Number), people: u.people, withoutPassword: u.without_password })),
    officers: officers.map((x) => ({ userId: Number(x.userId), email: x.email, name: x.name, organisationCode: x.code, organisationName: x.orgName, role: x.role, grantedAt: x.granted_at, hasPassword: x.password_hash !== null })),
  };
}

/** Removes a person's role in an organisation (their next request no longer carries it); audited. */
export async function revokeOrganisationRole(db: Db, input: { organisationId: number; userId: number; actor: string }): Promise<{ email: string; role: OrganisationRole; organisationCode: string } | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('organisation_roles')
      .innerJoin('users', 'users.id', 'organisation_roles.user_id')
      .innerJoin('organisations', 'organisations.id', 'organisation_roles.organisation_id')
      .select(['users.email', 'organisation_roles.role', 'organisations.code'])
      .where('organisation_roles.organisation_id', '=', input.organisationId)
      .where('organisation_roles.user_id', '=', input.userId)
      .executeTakeFirst();
    if (!row) return undefined;
    await trx.deleteFrom('organisation_roles').where('organisation_id', '=', input.organisationId).where('user_id', '=', input.userId).execute();
    await audit(trx, { actor: input.actor, unitId: null, action: 'organisation_role.revoke', subject: `user/${row.email}`, details: { organisation: row.code, role: row.role } });
    return { email: row.email, role: row.role, organisationCode: row.code };
  });
}

/** Whether the person has a password (a new officer gets a link to set one). */
export async function hasPassword(db: Db, userId: number): Promise<boolean> {
  const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return !!row && row.password_hash !== null;
}

/** A one-time link's token (its sha256) for an officer to set a password; their earlier unused links stop working. Audited. */
export async function createOfficerPasswordLink(db: Db, input: { userId: number; organisationCode: string; tokenSha256: string; expiresAt: Date; actor: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select('email').where('id', '=', input.userId).executeTakeFirstOrThrow();
    await trx.updateTable('password_resets').set({ used_at: sql<Date>`now()` }).where('user_id', '=', input.userId).where('used_at', 'is', null).execute();
    await trx.insertInto('password_resets').values({ user_id: input.userId, token_sha256: input.tokenSha256, created_by: input.actor, expires_at: input.expiresAt }).execute();
    await audit(trx, { actor: input.actor, unitId: null, action: 'account.reset_link', subject: `user/${user.email}`, details: { organisation: input.organisationCode, expiresAt: input.expiresAt.toISOString() } });
  });
}

/** The organisation's audit entries (organisations, officers, unit lists, campaigns, reviews, publications), newest first. */
export async function organisationAudit(db: Db, input: { codes: readonly string[]; limit: number }): Promise<Array<{ at: Date; actor: string; action: string; subject: string; details: unknown }>> {
  if (input.codes.length === 0) return [];
  const rows = await db
    .selectFrom('audit_log')
    .select(['at', 'actor', 'action', 'subject', 'details'])
    .where('unit_id', 'is', null)
    .where((eb) => eb.or([eb('subject', 'in', input.codes.map((c) => `organisation/${c}`)), sql<boolean>`details ->> 'organisation' in (${sql.join([...input.codes])})`]))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(input.limit)
    .execute();
  return rows;
}
