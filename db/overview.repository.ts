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
import type { CampaignUnitState, EvaluationStage, OrganisationKind, OrganisationRole, StoppedState } from './schema';

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
  /** Not issued (nor further in the review) and past its due date. */
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
  /** ISO instant. */
  issuedAt: string | null;
  /** Where the unit stands in the year's campaign and the review above it; `null`: not in a campaign. */
  review: CampaignUnitState | null;
  /** The published report version (not withdrawn). */
  publishedVersion: number | null;
  /** Withheld amounts still owed (every year of the unit): in all, falling due by the horizon, the next due date. */
  withheld: { count: number; outstandingFen: number; dueByHorizonFen: number; nextDueOn: string | null };
}

/** Where a unit-year stands, in process order: no ledger, not started, the evaluation's stages. */
export const OVERVIEW_STAGES = ['no_ledger', 'not_started', 'opening', 'collecting', 'reviewing', 'returned', 'scoring', 'drafting', 'approving', 'issuing', 'issued'] as const;
export type OverviewStage = (typeof OVERVIEW_STAGES)[number];
export const REVIEW_STATES = ['none', 'joined', 'waiting_ledger', 'started', 'issued', 'in_review', 'returned', 'accepted'] as const satisfies ReadonlyArray<CampaignUnitState | 'none'>;
export type ReviewFilter = (typeof REVIEW_STATES)[number];
export const SORT_KEYS = ['unit', 'department', 'stage', 'due', 'total', 'blocking', 'withheld', 'review', 'late'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface OverviewFilter {
  /** A department's code, or `-` for the units that report to the bureau directly. */
  department?: string;
  stage?: OverviewStage;
  review?: ReviewFilter;
  /** A grade code, or `none` for units without a final grade. */
  grade?: string;
  /** Late: past due and not issued, or with tasks open past their due date. */
  late?: boolean;
}

export interface OverviewInput {
  organisationId: number;
  year: number;
  now: Date;
  /** Withheld amounts due on or before this civil date count as falling due. */
  horizon: string;
  filter?: OverviewFilter;
  sort?: SortKey;
  order?: 'asc' | 'desc';
  /** Rows to return (`null`: every matching row) and rows to skip. */
  limit?: number | null;
  offset?: number;
}

export interface GradeCount {
  code: string;
  zh: string;
  count: number;
}

export interface OverviewCounts {
  units: number;
  started: number;
  issued: number;
  late: number;
  withBlocking: number;
  accepted: number;
  published: number;
}

export interface Overview {
  /** The matching rows of the page asked for, sorted. */
  rows: OverviewRow[];
  /** How many rows match the filter (all pages). */
  matching: number;
  /** Over every unit in scope, and over the matching ones: counts and final grades (`ungraded`: no final grade yet). */
  counts: OverviewCounts;
  distribution: { grades: GradeCount[]; ungraded: number };
  matchingDistribution: { grades: GradeCount[]; ungraded: number };
  /** The departments in scope (for the filter). */
  departments: Array<{ code: string; name: string }>;
}

const OPEN_TASK_STATES = ['open', 'draft', 'overdue', 'returned'] as const;
/** The four standard grades, best first (a rule set's own codes follow, by name). */
const GRADE_ORDER = ['excellent', 'good', 'fair', 'poor'];
const STANDARD_GRADE_ZH: Record<string, string> = { excellent: '优', good: '良', fair: '中', poor: '差' };

/** Sort expressions over the rows CTE, by key: only these strings ever reach the SQL text. */
const SORT_SQL: Record<SortKey, string> = {
  unit: 'r.unit_code',
  department: "case when r.org_kind = 'department' then r.org_code end",
  stage: `case when not r.has_ledger then 0 when r.stage is null then 1 else array_position(array[${OVERVIEW_STAGES.map((x) => `'${x}'`).join(',')}], r.stage) - 1 end`,
  due: 'r.due_on',
  total: 'r.total_cp',
  blocking: 'case when r.acknowledged then 0 else r.blocking end',
  withheld: 'r.hb_due',
  review: "array_position(array['joined','waiting_ledger','started','issued','in_review','returned','accepted'], r.review)",
  late: 'case when r.late then 1000 else 0 end + r.overdue_tasks',
};

function filterSql(f: OverviewFilter = {}) {
  const parts = [sql`true`];
  if (f.department !== undefined) parts.push(f.department === '-' ? sql`r.org_kind = 'bureau'` : sql`(r.org_kind = 'department' and r.org_code = ${f.department})`);
  if (f.stage === 'no_ledger') parts.push(sql`not r.has_ledger`);
  else if (f.stage === 'not_started') parts.push(sql`(r.has_ledger and r.stage is null)`);
  else if (f.stage !== undefined) parts.push(sql`r.stage = ${f.stage}`);
  if (f.review === 'none') parts.push(sql`r.review is null`);
  else if (f.review !== undefined) parts.push(sql`r.review = ${f.review}`);
  if (f.grade === 'none') parts.push(sql`r.grade_code is null`);
  else if (f.grade !== undefined) parts.push(sql`r.grade_code = ${f.grade}`);
  if (f.late !== undefined) parts.push(f.late ? sql`(r.late or r.overdue_tasks > 0)` : sql`not (r.late or r.overdue_tasks > 0)`);
  return sql.join(parts, sql` and `);
}

/** A row as the statement returns it (flat). */
interface FlatRow {
  unitCode: string;
  unitName: string;
  orgKind: OrganisationKind;
  orgCode: string;
  orgName: string;
  hasLedger: boolean;
  stage: EvaluationStage | null;
  dueOn: string | null;
  late: boolean;
  overdueTasks: number;
  escalatedTasks: number;
  totalCp: number | null;
  final: boolean;
  gradeCode: string | null;
  gradeZh: string | null;
  blockingFindings: number;
  findingsAcknowledged: boolean;
  reportVersion: number | null;
  issuedAt: string | null;
  review: CampaignUnitState | null;
  publishedVersion: number | null;
  hbCount: number;
  hbOutstanding: number;
  hbDue: number;
  hbNext: string | null;
}

const rowOf = (r: FlatRow): OverviewRow => ({
  unitCode: r.unitCode, unitName: r.unitName,
  department: r.orgKind === 'department' ? { code: r.orgCode, name: r.orgName } : null,
  hasLedger: r.hasLedger, stage: r.stage, dueOn: r.dueOn, late: r.late, overdueTasks: r.overdueTasks, escalatedTasks: r.escalatedTasks,
  totalCp: r.totalCp, final: r.final, grade: r.gradeCode !== null && r.gradeZh !== null ? { code: r.gradeCode, zh: r.gradeZh } : null,
  blockingFindings: r.blockingFindings, findingsAcknowledged: r.findingsAcknowledged, reportVersion: r.reportVersion, issuedAt: r.issuedAt, review: r.review, publishedVersion: r.publishedVersion,
  withheld: { count: r.hbCount, outstandingFen: r.hbOutstanding, dueByHorizonFen: r.hbDue, nextDueOn: r.hbNext },
});

interface RawOverview {
  rows: FlatRow[] | null;
  matching: number;
  counts: OverviewCounts;
  grades: Array<{ code: string; zh: string; count: number }> | null;
  ungraded: number;
  matching_grades: Array<{ code: string; zh: string; count: number }> | null;
  matching_ungraded: number;
  departments: Array<{ code: string; name: string }> | null;
}

function distributionOf(grades: RawOverview['grades'], ungraded: number): { grades: GradeCount[]; ungraded: number } {
  const by = new Map((grades ?? []).map((g) => [g.code, { code: g.code, zh: g.zh, count: Number(g.count) }]));
  for (const code of GRADE_ORDER) if (!by.has(code)) by.set(code, { code, zh: STANDARD_GRADE_ZH[code]!, count: 0 });
  const rank = (c: string) => (GRADE_ORDER.includes(c) ? GRADE_ORDER.indexOf(c) : GRADE_ORDER.length);
  return { grades: [...by.values()].sort((a, b) => rank(a.code) - rank(b.code) || (a.zh < b.zh ? -1 : a.zh > b.zh ? 1 : 0)), ungraded: Number(ungraded) };
}

/**
 * The year's overview of an organisation in one statement: every unit under it (a bureau: its own
 * and its departments'; a department: its own) with its unit-year, its evaluation (stage, due date,
 * score and blocking findings — plain columns generated from the score sheet and the findings, so
 * no JSON document is read), its open tasks past due, its place in the year's campaign, its
 * publication and the withheld amounts it still owes; filtered, sorted and paged in SQL, with the
 * counts and the distribution of grades over every unit and over the matching ones. `now` decides
 * lateness; `horizon` which withheld amounts count as falling due. Withheld amounts a workflow
 * tracks are read from its progress row (due dates moved by defects, partial releases); the others
 * from the ledger (their stated due date).
 */
export async function overview(db: Db, input: OverviewInput): Promise<Overview> {
  const r = (await overviewStatement(input).execute(db)).rows[0]!;
  return {
    rows: (r.rows ?? []).map(rowOf),
    matching: Number(r.matching),
    counts: r.counts,
    distribution: distributionOf(r.grades, r.ungraded),
    matchingDistribution: distributionOf(r.matching_grades, r.matching_ungraded),
    departments: r.departments ?? [],
  };
}

/** The overview's one statement (exported for EXPLAIN in the benchmark). */
export function overviewStatement(input: OverviewInput) {
  const open = sql.join(OPEN_TASK_STATES.map((s) => sql.lit(s)));
  const where = filterSql(input.filter);
  const direction = input.order === 'desc' ? 'desc' : 'asc';
  const orderBy = sql.raw(`${SORT_SQL[input.sort ?? 'unit']} ${direction} nulls last, r.unit_code`);
  const limit = input.limit === null || input.limit === undefined ? sql`all` : sql`${input.limit}`;
  return sql<RawOverview>`
    with scope as materialized (select id, code, name, kind from organisations where id = ${input.organisationId} or parent_id = ${input.organisationId}),
    su as materialized (select u.id, u.code, u.name, u.organisation_id from units u where u.organisation_id in (select id from scope)),
    -- Withheld amounts still owed by the units in scope: tracked ones from their progress rows,
    -- the others from the ledger.
    hb as (
      select x.unit_id, count(*) as n, sum(x.amount) as outstanding, sum(x.amount) filter (where x.due_on <= ${input.horizon}::date) as due, min(x.due_on) as next_due
      from (
        select su.id as unit_id, hp.held_fen + hp.payable_fen as amount, hp.next_due_on as due_on
        from su join holdback_progress hp on hp.unit_code = su.code
        where hp.phase <> 'closed'
        union all
        select su.id, h.amount_fen, h.due_on
        from su join unit_years hy on hy.unit_id = su.id join holdbacks h on h.unit_year_id = hy.id
        where h.status not in ('released', 'forfeited')
          and not exists (select 1 from holdback_progress q where q.unit_code = su.code and q.year = hy.year and q.holdback_code = h.code)
      ) x
      group by x.unit_id
    ),
    -- Where each unit stands in a campaign of the year (the first campaign, should there be two).
    cc as (
      select distinct on (cu.unit_id) cu.unit_id, cu.state, c.due_date
      from campaigns c join campaign_units cu on cu.campaign_id = c.id
      where c.year = ${input.year} and cu.unit_id in (select id from su)
      order by cu.unit_id, c.id
    ),
    r as materialized (
      select u.code as unit_code, u.name as unit_name, o.code as org_code, o.name as org_name, o.kind as org_kind,
        uy.id is not null as has_ledger,
        e.stage,
        coalesce(to_char(e.due_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), to_char(cc.due_date, 'YYYY-MM-DD')) as due_on,
        coalesce(coalesce(e.stage, '') <> 'issued' and coalesce(cc.state, '') not in ('issued', 'in_review', 'accepted')
          and coalesce(e.due_at, (cc.due_date + time '18:00') at time zone 'Asia/Shanghai') < ${input.now}, false) as late,
        coalesce(t.overdue, 0)::int as overdue_tasks,
        coalesce(t.escalated, 0)::int as escalated_tasks,
        e.score_total_cp as total_cp,
        coalesce(e.score_final, false) as final,
        e.score_grade_code as grade_code,
        e.score_grade_zh as grade_zh,
        coalesce(e.blocking_findings, 0) as blocking,
        coalesce(e.acknowledged_at is not null, false) as acknowledged,
        e.report_version,
        e.issued_at,
        cc.state as review,
        p.report_version as published_version,
        coalesce(hb.n, 0)::int as hb_count,
        coalesce(hb.outstanding, 0)::bigint as hb_outstanding,
        coalesce(hb.due, 0)::bigint as hb_due,
        hb.next_due as hb_next
      from su u
      join scope o on o.id = u.organisation_id
      left join unit_years uy on uy.unit_id = u.id and uy.year = ${input.year}
      left join evaluations e on e.unit_year_id = uy.id
      left join lateral (
        -- Only tasks still open (a partial index holds just those).
        select count(*) filter (where t.due_at < ${input.now}) as overdue, count(*) filter (where t.escalated_at is not null) as escalated
        from tasks t where t.evaluation_id = e.id and t.state in (${open})
      ) t on e.id is not null
      left join cc on cc.unit_id = u.id
      left join publications p on p.unit_year_id = uy.id and p.withdrawn_at is null
      left join hb on hb.unit_id = u.id
    ),
    m as materialized (select * from r where ${where})
    select
      -- The page's rows as one JSON array of flat records (nested in TypeScript: cheaper than building objects here).
      (select json_agg(x order by x.n) from (
        select row_number() over (order by ${orderBy}) as n,
          r.unit_code as "unitCode", r.unit_name as "unitName", r.org_kind as "orgKind", r.org_code as "orgCode", r.org_name as "orgName",
          r.has_ledger as "hasLedger", r.stage, r.due_on as "dueOn", r.late, r.overdue_tasks as "overdueTasks", r.escalated_tasks as "escalatedTasks",
          r.total_cp as "totalCp", r.final, r.grade_code as "gradeCode", r.grade_zh as "gradeZh", r.blocking as "blockingFindings", r.acknowledged as "findingsAcknowledged",
          r.report_version as "reportVersion", to_char(r.issued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "issuedAt", r.review, r.published_version as "publishedVersion",
          r.hb_count as "hbCount", r.hb_outstanding as "hbOutstanding", r.hb_due as "hbDue", to_char(r.hb_next, 'YYYY-MM-DD') as "hbNext"
        from m r order by ${orderBy} limit ${limit} offset ${input.offset ?? 0}) x) as rows,
      (select count(*) from m)::int as matching,
      (select json_build_object(
          'units', count(*), 'started', count(*) filter (where r.stage is not null), 'issued', count(*) filter (where r.stage = 'issued'),
          'late', count(*) filter (where r.late or r.overdue_tasks > 0), 'withBlocking', count(*) filter (where r.blocking > 0 and not r.acknowledged),
          'accepted', count(*) filter (where r.review = 'accepted'), 'published', count(*) filter (where r.published_version is not null))
        from r) as counts,
      (select json_agg(json_build_object('code', g.code, 'zh', g.zh, 'count', g.n)) from (select r.grade_code as code, min(r.grade_zh) as zh, count(*) as n from r where r.final and r.grade_code is not null group by r.grade_code) g) as grades,
      (select count(*) from r where not (r.final and r.grade_code is not null))::int as ungraded,
      (select json_agg(json_build_object('code', g.code, 'zh', g.zh, 'count', g.n)) from (select r.grade_code as code, min(r.grade_zh) as zh, count(*) as n from m r where r.final and r.grade_code is not null group by r.grade_code) g) as matching_grades,
      (select count(*) from m r where not (r.final and r.grade_code is not null))::int as matching_ungraded,
      (select json_agg(json_build_object('code', s.code, 'name', s.name) order by s.code) from scope s where s.kind = 'department') as departments`;
}

/** The campaign a year's overview belongs to: the organisation's own, else its bureau's. */
export async function campaignOfYear(
  db: Db,
  organisationIds: readonly number[],
  year: number,
): Promise<{ organisationId: number; dueDate: string; ruleSetId: string; ruleSetVersion: number | null; outline: string | null; createdAt: Date; stoppedState: StoppedState | null } | undefined> {
  if (organisationIds.length === 0) return undefined;
  const rows = await db
    .selectFrom('campaigns')
    .select(['organisation_id', 'due_date', 'rule_set_id', 'rule_set_version', 'outline', 'created_at', 'stopped_state'])
    .where('organisation_id', 'in', [...organisationIds])
    .where('year', '=', year)
    .execute();
  // The first organisation named wins (the viewer's own campaign before its bureau's).
  const row = organisationIds.map((id) => rows.find((r) => Number(r.organisation_id) === id)).find((r) => r !== undefined);
  return row && { organisationId: Number(row.organisation_id), dueDate: row.due_date, ruleSetId: row.rule_set_id, ruleSetVersion: row.rule_set_version, outline: row.outline, createdAt: row.created_at, stoppedState: row.stopped_state };
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
  /** People with a role in a unit under the organisation who have never set a password (e.g. named in the unit list): the bureau hands each a one-time link. */
  awaitingPassword: Array<{ userId: number; email: string; name: string; unitCode: string; unitName: string; roles: string[] }>;
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
  const awaiting = await db
    .selectFrom('user_roles as r')
    .innerJoin('users as x', 'x.id', 'r.user_id')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .select(['x.id as userId', 'x.email', 'x.name', 'u.code as unitCode', 'u.name as unitName', sql<string[]>`array_agg(distinct r.role order by r.role)`.as('roles')])
    .where('u.organisation_id', 'in', ids)
    .where('x.password_hash', 'is', null)
    .groupBy(['x.id', 'x.email', 'x.name', 'u.code', 'u.name'])
    .orderBy('u.code')
    .orderBy('x.email')
    .limit(1000)
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
    awaitingPassword: awaiting.map((x) => ({ userId: Number(x.userId), email: x.email, name: x.name, unitCode: x.unitCode, unitName: x.unitName, roles: x.roles })),
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

/** Whether the person holds a role in a unit the organisation sees (its own units and its departments'). */
export async function personInUnitsUnder(db: Db, organisationId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('user_roles as r')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select('r.user_id')
    .where('r.user_id', '=', userId)
    .where((eb) => eb.or([eb('u.organisation_id', '=', organisationId), eb('o.parent_id', '=', organisationId)]))
    .executeTakeFirst();
  return !!row;
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

/** The evaluation's score sheet (the self-score) of a unit-year, for the reviewer's forms; `null` before it is scored. */
export async function scoreSheetOf(db: Db, unitCode: string, year: number): Promise<unknown> {
  const row = await db
    .selectFrom('evaluations as e')
    .innerJoin('unit_years as uy', 'uy.id', 'e.unit_year_id')
    .innerJoin('units as u', 'u.id', 'uy.unit_id')
    .select('e.score')
    .where('u.code', '=', unitCode)
    .where('uy.year', '=', year)
    .executeTakeFirst();
  return row?.score ?? null;
}

/** The bureau a unit belongs to (directly, or through its department); `undefined` when it has none. */
export async function bureauOfUnit(db: Db, unitCode: string): Promise<{ code: string; name: string } | undefined> {
  const row = await db
    .selectFrom('units as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .leftJoin('organisations as p', 'p.id', 'o.parent_id')
    .select(['o.code', 'o.name', 'o.kind', 'p.code as parentCode', 'p.name as parentName'])
    .where('u.code', '=', unitCode)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.kind === 'bureau') return { code: row.code, name: row.name };
  return row.parentCode && row.parentName ? { code: row.parentCode, name: row.parentName } : undefined;
}

/** The years with a published (not withdrawn) report of a unit under the organisation, newest first. */
export async function publishedYears(db: Db, organisationId: number): Promise<number[]> {
  const r = await sql<{ year: number }>`
    select distinct uy.year from publications p
    join unit_years uy on uy.id = p.unit_year_id join units u on u.id = uy.unit_id
    where p.withdrawn_at is null and u.organisation_id in (select id from organisations where id = ${organisationId} or parent_id = ${organisationId})
    order by uy.year desc`.execute(db);
  return r.rows.map((x) => x.year);
}
