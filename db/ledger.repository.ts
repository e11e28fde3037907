/**
 * The ledger in Postgres: importing a unit-year (idempotent, in one transaction, only the rows
 * that changed are written) and loading it back into the same `UnitYear` shape the file had.
 *
 * Rows are matched by their codes, so a re-import updates what changed, inserts what is new and
 * deletes what the file no longer has, and ids stay stable. Process state written by workflows
 * (a holdback's status) is set on insert only and never overwritten by an import, and the rows of
 * retentions opened by an acceptance (derived holdbacks) are kept although the file lacks them. Roles are only
 * added by imports, never removed (an administrator may have granted more).
 */
import { createHash } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { canonicalJson } from '../domain/canonical-json';
import type { UnitYear } from '../domain/ledger/unit-year.schema';
import { storedSubmission } from '../domain/submission';
import type { Db } from './connection';
import type {
  AllocationsTable, ContractsTable, Database, HoldbacksTable, IncomeSourcesTable, OmAssessmentsTable, PaymentsTable, ProjectsTable, SectionsTable, StatedFiguresTable,
  UnitsTable, UnitYearsTable, UserRolesTable,
} from './schema';

export interface TableChanges {
  inserted: number;
  updated: number;
  deleted: number;
}

export interface ImportResult {
  status: 'created' | 'updated' | 'unchanged';
  unitCode: string;
  year: number;
  unitYearId: number;
  contentSha256: string;
  changes: Record<string, TableChanges>;
}

export function unitYearContentHash(doc: UnitYear): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

type Row = Record<string, unknown>;
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'object' || typeof b === 'object') return canonicalJson(a) === canonicalJson(b);
  // Scalars arrive in the same representation they are written in (see db/connection.ts).
  return false;
}

/**
 * Makes the rows of `table` keyed by `key` equal to `desired`: inserts, updates the columns that
 * differ (except `insertOnly` ones), deletes the rest. Returns the id of every desired key.
 */
async function sync(
  trx: Transaction<Database>,
  table: keyof Database,
  scope: Row,
  key: (row: Row) => string,
  desired: Row[],
  options: { insertOnly?: string[]; hasId?: boolean; deleteMissing?: boolean; keep?: (row: Row) => boolean } = {},
): Promise<{ ids: Map<string, number>; changes: TableChanges }> {
  const t = trx as unknown as Kysely<any>;
  const hasId = options.hasId ?? true;
  let select = t.selectFrom(table).selectAll();
  for (const [column, value] of Object.entries(scope)) select = select.where(column, '=', value);
  const existing = new Map((await select.execute()).map((r: Row) => [key(r), r]));
  const ids = new Map<string, number>();
  const changes: TableChanges = { inserted: 0, updated: 0, deleted: 0 };
  const wanted = new Set<string>();

  for (const row of desired) {
    const k = key({ ...scope, ...row });
    wanted.add(k);
    const current = existing.get(k);
    const full = { ...scope, ...row };
    if (!current) {
      const values = Object.fromEntries(Object.entries(full).map(([c, v]) => [c, v !== null && typeof v === 'object' ? JSON.stringify(v) : v]));
      if (hasId) {
        const inserted = await t.insertInto(table).values(values).returning('id').executeTakeFirstOrThrow();
        ids.set(k, Number(inserted['id']));
      } else {
        await t.insertInto(table).values(values).execute();
      }
      changes.inserted++;
      continue;
    }
    if (hasId) ids.set(k, Number(current['id']));
    const changed = Object.entries(full).filter(([c, v]) => !(options.insertOnly ?? []).includes(c) && !same(current[c], v));
    if (changed.length) {
      let update = t.updateTable(table).set(Object.fromEntries(changed.map(([c, v]) => [c, v !== null && typeof v === 'object' ? JSON.stringify(v) : v])));
      if (hasId) update = update.where('id', '=', current['id']);
      else for (const [column, value] of Object.entries({ ...scope, ...keyColumns(row, current) })) update = update.where(column, '=', value);
      await update.execute();
      changes.updated++;
    }
  }
  for (const [k, row] of existing) {
    if (wanted.has(k) || options.deleteMissing === false || options.keep?.(row)) continue;
    let del = t.deleteFrom(table);
    if (hasId) del = del.where('id', '=', row['id']);
    else for (const [column, value] of Object.entries({ ...scope, ...keyColumns(row, row) })) del = del.where(column, '=', value);
    await del.execute();
    changes.deleted++;
  }
  return { ids, changes };
}

/** For tables without an id: the primary-key columns other than the scope, taken from the row. */
function keyColumns(row: Row, current: Row): Row {
  for (const k of ['key', 'position', 'section_id']) if (k in row) return { [k]: current[k] };
  return {};
}

function statedRows(doc: UnitYear): Row[] {
  const s = doc.stated;
  const amounts: Array<[string, { amount: number; source?: string | undefined } | undefined]> = [
    ['income.total', s.income.total],
    ['carryOver', s.carryOver],
    ['closingBalance', s.closingBalance],
    ['expenditure.total', s.expenditure.total],
    ['expenditure.basic', s.expenditure.basic],
    ['expenditure.personnel', s.expenditure.personnel],
    ['expenditure.public', s.expenditure.public],
    ['expenditure.project', s.expenditure.project],
    ...Object.entries(s.budget).map(([k, v]) => [`budget.${k}`, v] as [string, { amount: number; source?: string }]),
    ...Object.entries(s.actual).map(([k, v]) => [`actual.${k}`, v] as [string, { amount: number; source?: string }]),
  ];
  const rows: Row[] = amounts
    .filter((x): x is [string, { amount: number; source?: string }] => x[1] !== undefined)
    .map(([key, v]) => ({ key, amount_fen: v.amount, share_bp: null, source: orNull(v.source) }));
  for (const [key, v] of [
    ['expenditure.personnelShare', s.expenditure.personnelShare],
    ['expenditure.publicShare', s.expenditure.publicShare],
  ] as const) {
    if (v) rows.push({ key, amount_fen: null, share_bp: v.shareBp, source: orNull(v.source) });
  }
  return rows;
}

/** Imports a parsed unit-year. Same content as the last import → `unchanged` and nothing written. */
export async function importUnitYear(db: Db, doc: UnitYear, meta: { actor: string; fileName?: string }): Promise<ImportResult> {
  const contentSha256 = unitYearContentHash(doc);
  return db.transaction().execute(async (trx) => {
    // One import per unit-year at a time.
    await sql`select pg_advisory_xact_lock(hashtext(${`ledger:${doc.unit.code}:${doc.year}`}))`.execute(trx);

    const existingUnit = await trx.selectFrom('units').select('id').where('code', '=', doc.unit.code).executeTakeFirst();
    const existingYear = existingUnit
      ? await trx.selectFrom('unit_years').select('id').where('unit_id', '=', existingUnit.id).where('year', '=', doc.year).executeTakeFirst()
      : undefined;
    if (existingYear) {
      const last = await trx
        .selectFrom('ledger_imports')
        .select('content_sha256')
        .where('unit_year_id', '=', existingYear.id)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (last?.content_sha256 === contentSha256) {
        return { status: 'unchanged', unitCode: doc.unit.code, year: doc.year, unitYearId: existingYear.id, contentSha256, changes: {} };
      }
    }

    const changes: Record<string, TableChanges> = {};
    const record = (name: string, c: TableChanges) => {
      if (c.inserted || c.updated || c.deleted) changes[name] = c;
    };

    // Unit (global, keyed by code).
    const u = doc.unit;
    const units = await sync(trx, 'units', { code: u.code }, (r) => String(r['code']), [
      {
        name: u.name,
        short_name: orNull(u.shortName),
        level: orNull(u.level),
        category: orNull(u.category),
        funding_type: orNull(u.fundingType),
        staff_quota: u.staffQuota,
        leadership_posts: u.leadershipPosts,
        section_leadership_posts: orNull(u.sectionLeadershipPosts),
        functions: u.functions,
      },
    ]);
    record('units', units.changes);
    const unitId = units.ids.get(u.code)!;

    const sections = await sync(
      trx,
      'sections',
      { unit_id: unitId },
      (r) => String(r['code']),
      u.sections.map((s, i) => ({ code: s.code, name: s.name, level: orNull(s.level), report_order: orNull(s.reportOrder), position: i, assesses: orNull(s.assesses) })),
    );
    record('sections', sections.changes);

    // People: users by email (global), roles added for this unit.
    let usersInserted = 0;
    let rolesInserted = 0;
    for (const p of doc.people) {
      let user = await trx.selectFrom('users').select(['id', 'name']).where(sql`lower(email)`, '=', p.email.toLowerCase()).executeTakeFirst();
      if (!user) {
        user = await trx.insertInto('users').values({ email: p.email, name: p.name }).returning(['id', 'name']).executeTakeFirstOrThrow();
        usersInserted++;
      }
      for (const role of p.roles) {
        const sectionId = role === 'section_head' && p.section ? sections.ids.get(p.section)! : null;
        const inserted = await sql`
          insert into user_roles (user_id, unit_id, role, section_id) values (${user.id}, ${unitId}, ${role}, ${sectionId})
          on conflict (user_id, unit_id, role, coalesce(section_id, 0)) do nothing`.execute(trx);
        rolesInserted += Number(inserted.numAffectedRows ?? 0);
      }
    }
    record('users', { inserted: usersInserted, updated: 0, deleted: 0 });
    record('user_roles', { inserted: rolesInserted, updated: 0, deleted: 0 });

    const years = await sync(
      trx,
      'unit_years',
      { unit_id: unitId, year: doc.year },
      (r) => String(r['year']),
      [
        {
          staff_actual: doc.staff.actual,
          staff_previous_year: orNull(doc.staff.previousYear),
          staff_source: orNull(doc.staff.source),
          narrative: doc.narrative,
          report_date: orNull(doc.reportDate),
          rule_set: orNull(doc.ruleSet),
          outline: orNull(doc.outline),
          // A file without a 基础数据表 keeps the one typed in the browser (a re-import never wipes it).
          ...(doc.basicData ? { basic_data: doc.basicData } : {}),
          self_assessment: orNull(doc.selfAssessment),
          data_note: orNull(doc.dataNote),
        },
      ],
    );
    record('unit_years', years.changes);
    const unitYearId = years.ids.get(String(doc.year))!;
    const scope = { unit_year_id: unitYearId };

    record('stated_figures', (await sync(trx, 'stated_figures', scope, (r) => String(r['key']), statedRows(doc), { hasId: false })).changes);
    record(
      'income_sources',
      (await sync(trx, 'income_sources', scope, (r) => String(r['position']), doc.stated.income.bySource.map((b, i) => ({ position: i, source: b.source, amount_fen: b.amount })), { hasId: false })).changes,
    );

    const projects = await sync(
      trx,
      'projects',
      scope,
      (r) => String(r['code']),
      doc.projects.map((p, i) => ({ code: p.code, position: i, name: p.name, is_key: orNull(p.key), description: orNull(p.description), source: orNull(p.source), evaluation: orNull(p.evaluation) })),
    );
    record('projects', projects.changes);
    const projectId = (code: string) => projects.ids.get(code)!;

    const allocations = await sync(
      trx,
      'allocations',
      scope,
      (r) => String(r['code']),
      doc.projects.flatMap((p) =>
        p.allocations.map((a, i) => ({
          code: a.code, position: i, project_id: projectId(p.code), name: a.name, budget_year: a.budgetYear,
          original_budget_year: orNull(a.originalBudgetYear), amount_fen: a.amount, source: orNull(a.source),
        })),
      ),
    );
    record('allocations', allocations.changes);

    const contracts = await sync(
      trx,
      'contracts',
      scope,
      (r) => String(r['code']),
      doc.projects.flatMap((p) =>
        p.contracts.map((c, i) => ({
          code: c.code, position: i, project_id: projectId(p.code), name: orNull(c.name), vendor: orNull(c.vendor), amount_fen: orNull(c.amount),
          signed_on: orNull(c.signedOn), accepted_on: orNull(c.acceptedOn), warranty_months: orNull(c.warrantyMonths),
          retention_rate_bp: orNull(c.retentionRate), payment_term_days: c.paymentTermDays, om_coefficient_applies: c.omCoefficientApplies,
          om_scoring: orNull(c.omScoring), note: orNull(c.note),
        })),
      ),
    );
    record('contracts', contracts.changes);
    const contractId = (code: string | undefined) => (code === undefined ? null : contracts.ids.get(code)!);

    record(
      'payments',
      (
        await sync(
          trx,
          'payments',
          scope,
          (r) => String(r['code']),
          doc.projects.flatMap((p) =>
            p.payments.map((x, i) => ({
              code: x.code, position: i, project_id: projectId(p.code), allocation_id: allocations.ids.get(x.allocation)!, contract_id: contractId(x.contract),
              amount_fen: x.amount, paid_on: orNull(x.paidOn), note: orNull(x.note), source: orNull(x.source),
            })),
          ),
        )
      ).changes,
    );

    // A retention opened by an acceptance (a derived holdback) is process state, not file content:
    // its row stays although the file lacks it, so the dashboard and the report keep showing it.
    const derived = new Set(
      (
        await trx
          .selectFrom('holdback_progress')
          .select('holdback_code')
          .where('unit_code', '=', doc.unit.code)
          .where('year', '=', doc.year)
          .where('origin', '=', 'derived')
          .execute()
      ).map((r) => r.holdback_code),
    );
    const holdbacks = await sync(
      trx,
      'holdbacks',
      scope,
      (r) => String(r['code']),
      doc.projects.flatMap((p) =>
        p.holdbacks.map((h, i) => ({
          code: h.code, position: i, project_id: projectId(p.code), kind: h.kind, allocation_id: allocations.ids.get(h.allocation)!, contract_id: contractId(h.contract),
          amount_fen: h.amount, condition: h.condition, period: orNull(h.period), milestone: orNull(h.milestone), due_on: orNull(h.dueOn), status: h.status, source: orNull(h.source),
        })),
      ),
      { insertOnly: ['status'], keep: (row) => derived.has(String(row['code'])) },
    );
    record('holdbacks', holdbacks.changes);

    // Assessments are keyed by (holdback, period); scoped through the unit-year's holdbacks.
    const assessmentChanges: TableChanges = { inserted: 0, updated: 0, deleted: 0 };
    for (const p of doc.projects) {
      for (const h of p.holdbacks) {
        const holdbackId = holdbacks.ids.get(h.code)!;
        const c = await sync(
          trx,
          'om_assessments',
          { holdback_id: holdbackId },
          (r) => String(r['period']),
          p.assessments
            .filter((a) => a.holdback === h.code)
            .map((a) => ({
              period: a.period, assessed_on: orNull(a.assessedOn), score: a.score === undefined ? null : a.score.toFixed(2),
              passed: a.passed, coefficient_bp: orNull(a.coefficient), note: orNull(a.note),
            })),
        );
        assessmentChanges.inserted += c.changes.inserted;
        assessmentChanges.updated += c.changes.updated;
        assessmentChanges.deleted += c.changes.deleted;
      }
    }
    record('om_assessments', assessmentChanges);

    record(
      'section_submissions',
      (
        await sync(
          trx,
          'section_submissions',
          { ...scope, origin: 'import' },
          (r) => String(r['section_id']),
          doc.submissions.map((s, i) => ({ section_id: sections.ids.get(s.section)!, position: i, content: s })),
          { hasId: false },
        )
      ).changes,
    );

    await trx
      .insertInto('ledger_imports')
      .values({ unit_year_id: unitYearId, content_sha256: contentSha256, file_name: orNull(meta.fileName), actor: meta.actor, summary: JSON.stringify(changes) })
      .execute();
    await trx.updateTable('unit_years').set({ updated_at: new Date() }).where('id', '=', unitYearId).execute();

    return { status: existingYear ? 'updated' : 'created', unitCode: doc.unit.code, year: doc.year, unitYearId, contentSha256, changes };
  });
}

/** Keeps only the members that have a value: the loaded document has no `null`s the file did not have. */
function present<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]: Exclude<T[K], null> };
}

export interface UnitYearRef {
  unitCode: string;
  year: number;
}

/** What `loadUnitYear`'s statement returns: the rows as JSON (see there). */
interface LoadedUnitYear {
  unit: Selectable<UnitsTable> | null;
  uy: Selectable<UnitYearsTable> | null;
  sections: Array<Selectable<SectionsTable>>;
  roles: Array<{ userId: number; name: string; email: string; role: Selectable<UserRolesTable>['role']; section: string | null }>;
  stated: Array<Selectable<StatedFiguresTable>>;
  incomes: Array<Selectable<IncomeSourcesTable>>;
  projects: Array<Selectable<ProjectsTable>>;
  allocations: Array<Selectable<AllocationsTable>>;
  contracts: Array<Selectable<ContractsTable>>;
  payments: Array<Selectable<PaymentsTable>>;
  holdbacks: Array<Selectable<HoldbacksTable>>;
  assessments: Array<Pick<Selectable<OmAssessmentsTable>, 'period' | 'assessed_on' | 'passed' | 'coefficient_bp' | 'note'> & { score: number | string | null; holdback: string; project_id: number }>;
  submissions: unknown[];
}

/**
 * Loads a unit-year back into the document shape (what `parseUnitYear` returns for the same file).
 * Holdback rows the workflows derived (a retention opened by an acceptance) are left out.
 */
export async function loadUnitYear(db: Db, ref: UnitYearRef): Promise<UnitYear | undefined> {
  // One statement, one round trip: the unit, its year and every table under them, each as a JSON
  // array in the order the document has (a load is a dozen queries otherwise, and an evaluation
  // cycle loads the unit-year five times). In JSON, bigint columns arrive as numbers (checked to be
  // exact below), dates as `YYYY-MM-DD` and jsonb as it is; the timestamps, which the document
  // does not carry, would arrive as strings.
  const { rows } = await sql<LoadedUnitYear>`
    with u as (select * from units where code = ${ref.unitCode}),
         uy as (select unit_years.* from unit_years join u on unit_years.unit_id = u.id where unit_years.year = ${ref.year})
    select
      (select row_to_json(u) from u) as unit,
      (select row_to_json(uy) from uy) as uy,
      (select coalesce(json_agg(s order by s.position), '[]') from sections s join u on s.unit_id = u.id) as sections,
      (select coalesce(json_agg(r order by r."userId", r.role_id), '[]') from (
         select users.id as "userId", users.name, users.email, user_roles.role, sections.code as section, user_roles.id as role_id
         from user_roles join u on user_roles.unit_id = u.id join users on users.id = user_roles.user_id left join sections on sections.id = user_roles.section_id
       ) r) as roles,
      (select coalesce(json_agg(f), '[]') from stated_figures f join uy on f.unit_year_id = uy.id) as stated,
      (select coalesce(json_agg(i order by i.position), '[]') from income_sources i join uy on i.unit_year_id = uy.id) as incomes,
      (select coalesce(json_agg(p order by p.position), '[]') from projects p join uy on p.unit_year_id = uy.id) as projects,
      (select coalesce(json_agg(a order by a.position), '[]') from allocations a join uy on a.unit_year_id = uy.id) as allocations,
      (select coalesce(json_agg(c order by c.position), '[]') from contracts c join uy on c.unit_year_id = uy.id) as contracts,
      (select coalesce(json_agg(x order by x.position), '[]') from payments x join uy on x.unit_year_id = uy.id) as payments,
      -- Retentions opened by an acceptance are process state, not file content: the workflows and the
      -- "what falls due when" view show them; the document (and so the reconciliation, which already
      -- counts their amount in the acceptance holdback) does not.
      (select coalesce(json_agg(h order by h.position), '[]') from holdbacks h join uy on h.unit_year_id = uy.id
        where not exists (
          select 1 from holdback_progress hp
          where hp.unit_code = ${ref.unitCode} and hp.year = ${ref.year} and hp.origin = 'derived' and hp.holdback_code = h.code
        )) as holdbacks,
      (select coalesce(json_agg(o order by o.holdback_position, o.id), '[]') from (
         select om.id, om.period, om.assessed_on, om.score, om.passed, om.coefficient_bp, om.note, h.code as holdback, h.project_id, h.position as holdback_position
         from om_assessments om join holdbacks h on h.id = om.holdback_id join uy on h.unit_year_id = uy.id
       ) o) as assessments,
      (select coalesce(json_agg(ss.content order by ss.position), '[]') from section_submissions ss join uy on ss.unit_year_id = uy.id where ss.origin = 'import') as submissions
  `.execute(db);
  const loaded = rows[0];
  const unit = loaded?.unit;
  const uy = loaded?.uy;
  if (!loaded || !unit || !uy) return undefined;
  const { sections, roles, stated, incomes, projects, allocations, contracts, payments, holdbacks, assessments } = loaded;
  const submissions = loaded.submissions.map((content) => ({ content }));
  for (const rowsOf of [stated, incomes, allocations, contracts, payments, holdbacks] as Array<Array<{ amount_fen: number | null }>>) {
    for (const r of rowsOf) {
      if (r.amount_fen !== null && !Number.isSafeInteger(r.amount_fen)) throw new RangeError(`unit-year ${ref.unitCode}/${ref.year}: an amount of ${r.amount_fen} 分 is outside the exact integer range of JavaScript numbers`);
    }
  }

  const allocationCode = new Map(allocations.map((a) => [a.id, a.code]));
  const contractCode = new Map(contracts.map((c) => [c.id, c.code]));
  const figure = (key: string) => {
    const f = stated.find((x) => x.key === key);
    return f && f.amount_fen !== null ? present({ amount: f.amount_fen, source: f.source }) : undefined;
  };
  const share = (key: string) => {
    const f = stated.find((x) => x.key === key);
    return f && f.share_bp !== null ? present({ shareBp: f.share_bp, source: f.source }) : undefined;
  };
  const group = (prefix: string) =>
    Object.fromEntries(stated.filter((x) => x.key.startsWith(`${prefix}.`) && x.amount_fen !== null).map((x) => [x.key.slice(prefix.length + 1), present({ amount: x.amount_fen!, source: x.source })]));

  const people: UnitYear['people'] = [];
  for (const r of roles) {
    let person = people.find((p) => p.email === r.email);
    if (!person) {
      person = { name: r.name, email: r.email, roles: [] };
      people.push(person);
    }
    person.roles.push(r.role);
    if (r.section) person.section = r.section;
  }

  const required = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`unit-year ${ref.unitCode}/${ref.year} has no ${what}`);
    return v;
  };

  return {
    format: 'selfeval.unit-year/v1',
    unit: {
      ...present({
        code: unit.code,
        name: unit.name,
        shortName: unit.short_name,
        level: unit.level,
        category: unit.category,
        fundingType: unit.funding_type,
        staffQuota: unit.staff_quota,
        sectionLeadershipPosts: unit.section_leadership_posts,
      }),
      leadershipPosts: unit.leadership_posts,
      functions: unit.functions,
      sections: sections.map((x) => present({ code: x.code, name: x.name, level: x.level, reportOrder: x.report_order, assesses: x.assesses })),
    },
    year: uy.year,
    staff: present({ actual: uy.staff_actual, previousYear: uy.staff_previous_year, source: uy.staff_source }),
    people,
    stated: {
      income: { total: required(figure('income.total'), 'income.total'), bySource: incomes.map((i) => ({ source: i.source, amount: i.amount_fen })) },
      carryOver: required(figure('carryOver'), 'carryOver'),
      ...present({ closingBalance: figure('closingBalance') ?? null }),
      expenditure: {
        total: required(figure('expenditure.total'), 'expenditure.total'),
        basic: required(figure('expenditure.basic'), 'expenditure.basic'),
        personnel: required(figure('expenditure.personnel'), 'expenditure.personnel'),
        public: required(figure('expenditure.public'), 'expenditure.public'),
        ...present({ personnelShare: share('expenditure.personnelShare') ?? null, publicShare: share('expenditure.publicShare') ?? null }),
        project: required(figure('expenditure.project'), 'expenditure.project'),
      },
      budget: group('budget'),
      actual: group('actual'),
    },
    projects: projects.map((p) => ({
      ...present({ code: p.code, name: p.name, key: p.is_key, source: p.source, description: p.description, evaluation: p.evaluation as NonNullable<UnitYear['projects'][number]['evaluation']> | null }),
      allocations: allocations
        .filter((a) => a.project_id === p.id)
        .map((a) => present({ code: a.code, name: a.name, budgetYear: a.budget_year, originalBudgetYear: a.original_budget_year, amount: a.amount_fen, source: a.source })),
      contracts: contracts
        .filter((c) => c.project_id === p.id)
        .map((c) =>
          present({
            code: c.code, name: c.name, vendor: c.vendor, amount: c.amount_fen, signedOn: c.signed_on, acceptedOn: c.accepted_on, warrantyMonths: c.warranty_months,
            retentionRate: c.retention_rate_bp, paymentTermDays: c.payment_term_days, omCoefficientApplies: c.om_coefficient_applies, omScoring: c.om_scoring, note: c.note,
          }),
        ),
      payments: payments
        .filter((x) => x.project_id === p.id)
        .map((x) =>
          present({
            code: x.code, allocation: allocationCode.get(x.allocation_id)!, contract: x.contract_id === null ? null : contractCode.get(x.contract_id)!, amount: x.amount_fen,
            paidOn: x.paid_on, note: x.note, source: x.source,
          }),
        ),
      holdbacks: holdbacks
        .filter((h) => h.project_id === p.id)
        .map((h) =>
          present({
            code: h.code, kind: h.kind, allocation: allocationCode.get(h.allocation_id)!, contract: h.contract_id === null ? null : contractCode.get(h.contract_id)!,
            amount: h.amount_fen, condition: h.condition, period: h.period, milestone: h.milestone, dueOn: h.due_on, status: h.status, source: h.source,
          }),
        ),
      assessments: assessments
        .filter((a) => a.project_id === p.id)
        .map((a) =>
          present({
            holdback: a.holdback, period: a.period, assessedOn: a.assessed_on, score: a.score === null ? null : Number(a.score), passed: a.passed,
            coefficient: a.coefficient_bp, note: a.note,
          }),
        ),
    })),
    narrative: uy.narrative as UnitYear['narrative'],
    submissions: submissions.map((x) => storedSubmission(x.content)),
    ...present({
      reportDate: uy.report_date,
      ruleSet: uy.rule_set,
      outline: uy.outline,
      basicData: uy.basic_data as UnitYear['basicData'] | null,
      selfAssessment: uy.self_assessment as UnitYear['selfAssessment'] | null,
      dataNote: uy.data_note,
    }),
  };
}
