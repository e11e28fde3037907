/**
 * Every API route × every role (and a user of another unit, and nobody): the set of personas a
 * route lets through is asserted exactly, from a table written here by hand — not from the
 * routes' own declarations. A route added without a line in this table fails the test.
 *
 * Above the units: the seed unit reports to a department (authz-dept) of a bureau (authz-finance);
 * another-unit to another department (authz-other-dept) of the same bureau. The bureau's officer
 * reaches both departments and every unit; the department's officer its own department and the
 * seed unit; the other department's officer neither (it exists for them as little as another
 * unit does for a unit's staff). `:org` is the seed unit's department.
 */
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiRoutes } from '../../client/http/routes';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { storeReport } from '../../db/reports.repository';
import { hashPassword } from '../../client/auth/passwords';
import { ensureOrganisation, grantOrganisationRole, importUnitList } from '../../db/organisations.repository';
import { addUser, as, PASSWORD, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedUnitYear } from '../fixtures/seed';

const personas = ['anonymous', 'finance', 'unitHead', 'admin', 'headGeneral', 'headProjects', 'otherUnit', 'bureauOfficer', 'deptOfficer', 'otherDeptOfficer'] as const;
type PersonaName = (typeof personas)[number];

const ALL_SIGNED_IN: PersonaName[] = ['finance', 'unitHead', 'admin', 'headGeneral', 'headProjects', 'otherUnit', 'bureauOfficer', 'deptOfficer', 'otherDeptOfficer'];
const UNIT_MEMBERS: PersonaName[] = ['finance', 'unitHead', 'admin', 'headGeneral', 'headProjects'];
/** The officers above the seed unit: its department's and the bureau's (not another department's). */
const ABOVE: PersonaName[] = ['bureauOfficer', 'deptOfficer'];

/** Who gets past authorization, route by route. */
const expected: Record<string, PersonaName[]> = {
  'POST /api/login': [...personas],
  'POST /api/logout': ALL_SIGNED_IN,
  'GET /api/me': ALL_SIGNED_IN,
  'POST /api/tokens': ALL_SIGNED_IN,
  'GET /api/units': ALL_SIGNED_IN,
  'GET /api/units/:unit': [...UNIT_MEMBERS, ...ABOVE],
  'POST /api/units/:unit/ledger': ['finance', 'admin'],
  'GET /api/units/:unit/years/:year/ledger': ['finance', 'unitHead', 'admin'],
  'GET /api/units/:unit/years/:year/analysis': ['finance', 'unitHead', 'admin'],
  'POST /api/units/:unit/years/:year/score-preview': UNIT_MEMBERS,
  'GET /api/units/:unit/years/:year/basic-data': ['finance', 'unitHead', 'admin'],
  'PUT /api/units/:unit/years/:year/basic-data': ['finance'],
  'GET /api/units/:unit/years/:year/self-assessment': ['finance', 'unitHead', 'admin'],
  'PUT /api/units/:unit/years/:year/self-assessment': ['finance'],
  'POST /api/units/:unit/years/:year/self-assessment/preview': ['finance', 'unitHead', 'admin'],
  // A section head uploads for their own section; everyone of the unit lists what they may see.
  'POST /api/units/:unit/years/:year/evidence': ['finance', 'headGeneral', 'headProjects'],
  'GET /api/units/:unit/years/:year/evidence': UNIT_MEMBERS,
  'GET /api/units/:unit/years/:year/evidence/:id': UNIT_MEMBERS,
  // Rule sets serve every unit: anyone signed in reads and checks them; an administrator adds them.
  'GET /api/rule-sets': ALL_SIGNED_IN,
  'GET /api/rule-sets/:id/:version': ALL_SIGNED_IN,
  'POST /api/rule-sets/check': ALL_SIGNED_IN,
  'POST /api/rule-sets': ['admin'],
  'PUT /api/units/:unit/years/:year/rule-set': ['finance', 'admin'],
  'POST /api/units/:unit/years/:year/evaluation/rule-set': ['finance'],
  'POST /api/units/:unit/years/:year/rule-set-preview': ['finance', 'unitHead', 'admin'],
  'POST /api/units/:unit/years/:year/report-preview': ['finance', 'unitHead', 'admin'],
  'GET /api/units/:unit/years/:year/report-preview/:preview': ['finance', 'unitHead', 'admin'],
  'POST /api/units/:unit/years/:year/evaluation': ['finance'],
  'PUT /api/units/:unit/schedule': ['finance', 'admin'],
  'GET /api/units/:unit/years/:year/evaluation': [...UNIT_MEMBERS, ...ABOVE],
  'POST /api/units/:unit/years/:year/evaluation/proceed-without': ['finance'],
  'POST /api/units/:unit/years/:year/evaluation/return': ['finance'],
  'POST /api/units/:unit/years/:year/evaluation/acknowledge': ['finance'],
  'POST /api/units/:unit/years/:year/evaluation/recheck': ['finance'],
  'POST /api/units/:unit/years/:year/evaluation/approve': ['unitHead'],
  'POST /api/units/:unit/years/:year/evaluation/send-back': ['unitHead'],
  'POST /api/units/:unit/years/:year/evaluation/resubmit': ['finance'],
  'POST /api/units/:unit/years/:year/evaluation/restart': ['finance'],
  'POST /api/units/:unit/years/:year/evaluation/extend': ['finance'],
  'GET /api/units/:unit/holdbacks': ['finance', 'unitHead', 'admin'],
  'GET /api/units/:unit/years/:year/holdbacks/:code': ['finance', 'unitHead', 'admin'],
  'GET /api/units/:unit/holdbacks/export': ['finance', 'unitHead', 'admin'],
  'POST /api/units/:unit/years/:year/holdbacks/:code/assessment': ['finance'],
  'POST /api/units/:unit/years/:year/holdbacks/:code/acceptance': ['finance'],
  'POST /api/units/:unit/years/:year/holdbacks/:code/defect': ['finance'],
  'POST /api/units/:unit/years/:year/holdbacks/:code/milestone': ['finance'],
  'POST /api/units/:unit/years/:year/holdbacks/:code/release': ['finance'],
  'POST /api/units/:unit/years/:year/holdbacks/:code/restart': ['finance'],
  'GET /api/tasks': ALL_SIGNED_IN,
  // The task below is the 综合科 (general) section's.
  'GET /api/tasks/:task': ['finance', 'unitHead', 'admin', 'headGeneral'],
  'PUT /api/tasks/:task/draft': ['headGeneral'],
  'POST /api/tasks/:task/submit': ['headGeneral'],
  // One's own account: everyone signed in; a reset link's token needs no session.
  'PUT /api/me/password': ALL_SIGNED_IN,
  'GET /api/me/tokens': ALL_SIGNED_IN,
  'POST /api/me/tokens/:token/revoke': ALL_SIGNED_IN,
  'POST /api/password-reset': [...personas],
  // Administration: the units one administers (a list, empty for others); a new unit by any
  // administrator; everything of a unit by its administrator only.
  'GET /api/admin/units': ALL_SIGNED_IN,
  'POST /api/admin/units': ['admin'],
  'GET /api/admin/units/:unit': ['admin'],
  'PUT /api/admin/units/:unit': ['admin'],
  'POST /api/admin/units/:unit/sections': ['admin'],
  'PUT /api/admin/units/:unit/sections/:section': ['admin'],
  'POST /api/admin/units/:unit/people': ['admin'],
  'POST /api/admin/units/:unit/roles/:role/revoke': ['admin'],
  'POST /api/admin/units/:unit/people/:user/reset-link': ['admin'],
  'POST /api/admin/units/:unit/tokens/:token/revoke': ['admin'],
  'POST /api/admin/units/:unit/channels': ['admin'],
  'POST /api/admin/units/:unit/channels/:channel/test': ['admin'],
  'PUT /api/admin/units/:unit/channels/:channel': ['admin'],
  'POST /api/admin/units/:unit/notifications/:notification/resend': ['admin'],
  'POST /api/admin/units/:unit/notifications/:notification/abandon': ['admin'],
  'GET /api/admin/units/:unit/audit': ['admin'],
  'GET /api/units/:unit/years/:year/reports': [...UNIT_MEMBERS, ...ABOVE],
  'GET /api/units/:unit/years/:year/reports/:version/:format': [...UNIT_MEMBERS, ...ABOVE],
  // The bureau's side (overview.routes.ts): the officers of the organisation (or the bureau above
  // it) only — no unit persona reaches an organisation.
  'GET /api/me/organisations': ALL_SIGNED_IN,
  'GET /api/organisations/:org/years/:year/overview': ABOVE,
  'GET /api/organisations/:org/years/:year/overview/export': ABOVE,
  'GET /api/organisations/:org/admin': ABOVE,
  'GET /api/organisations/:org/admin/unit-list': ['bureauOfficer'],
  'POST /api/organisations/:org/admin/unit-list': ['bureauOfficer'],
  'POST /api/organisations/:org/admin/officers': ['bureauOfficer'],
  'POST /api/organisations/:org/admin/notifications/:notification/resend': ['bureauOfficer'],
  'POST /api/organisations/:org/admin/notifications/:notification/abandon': ['bureauOfficer'],
  'POST /api/organisations/:org/admin/officers/:user/revoke': ['bureauOfficer'],
  'POST /api/organisations/:org/admin/people/:user/password-link': ['bureauOfficer'],
  // Campaigns (bureau.routes.ts): the bureau issues and adds units; a department follows its own units.
  'POST /api/organisations/:org/campaigns': ['bureauOfficer'],
  'GET /api/organisations/:org/campaigns/:year': ABOVE,
  'POST /api/organisations/:org/campaigns/:year/units': ['bureauOfficer'],
  'POST /api/organisations/:org/campaigns/:year/restart': ['bureauOfficer'],
  // Review above the unit: the unit reads its review; each level decides (at its own level — the
  // workflow refuses another); only the bureau publishes and withdraws.
  'GET /api/units/:unit/years/:year/review': ['finance', 'unitHead', 'admin', ...ABOVE],
  'GET /api/units/:unit/years/:year/review/result.pdf': ['finance', 'unitHead', 'admin', ...ABOVE],
  'POST /api/units/:unit/years/:year/review/accept': ABOVE,
  'POST /api/units/:unit/years/:year/review/return': ABOVE,
  'POST /api/units/:unit/years/:year/review/adjust': ABOVE,
  'POST /api/units/:unit/years/:year/publication': ['bureauOfficer'],
  'POST /api/units/:unit/years/:year/publication/withdraw': ['bureauOfficer'],
  // The published reports (预决算公开): anyone, signed in or not.
  'GET /api/public/organisations/:org/years/:year': [...personas],
  'GET /api/public/organisations/:org/years/:year/units/:unit': [...personas],
  'GET /api/public/organisations/:org/years/:year/units/:unit/report.pdf': [...personas],
  'GET /api/public/organisations/:org/years/:year/units/:unit/review-result.pdf': [...personas],
  'GET /api/notifications': ALL_SIGNED_IN,
  'POST /api/notifications/:id/read': ALL_SIGNED_IN,
};

describe('authorization: every route × every role', () => {
  let database: TestDatabase;
  let temporal: Client;
  let app: FastifyInstance;
  let taskId: number;
  const signedIn: Partial<Record<PersonaName, Persona>> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    const other = structuredClone(seedUnitYear());
    other.unit.code = 'another-unit';
    other.people = [];
    await importUnitYear(database.db, other, { actor: 'test' });
    // A namespace that does not exist: every workflow call fails at once, after authorization —
    // which is all this test looks at (and nothing is started on the shared server).
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'authz-test-no-such-namespace' });
    app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    const unit = 'yiyang-smart-city';
    await addUser(database.db, 'finance@authz.test', unit, 'finance_officer');
    await addUser(database.db, 'head@authz.test', unit, 'unit_head');
    await addUser(database.db, 'admin@authz.test', unit, 'admin');
    await addUser(database.db, 'general@authz.test', unit, 'section_head', 'general');
    await addUser(database.db, 'projects@authz.test', unit, 'section_head', 'projects');
    await addUser(database.db, 'finance@other.test', 'another-unit', 'finance_officer');
    await ensureOrganisation(database.db, { code: 'authz-finance', name: '财政局', kind: 'bureau', actor: 'test' });
    await importUnitList(database.db, {
      bureauCode: 'authz-finance', actor: 'test',
      rows: [{ departmentCode: 'authz-dept', departmentName: '主管部门', unitCode: unit, unitName: '本单位' }, { departmentCode: 'authz-other-dept', departmentName: '另一主管部门', unitCode: 'another-unit', unitName: '另一单位' }],
    });
    const passwordHash = await hashPassword(PASSWORD);
    for (const [email, organisationCode, role] of [['bureau@authz.test', 'authz-finance', 'bureau_officer'], ['dept@authz.test', 'authz-dept', 'department_officer'], ['other-dept@authz.test', 'authz-other-dept', 'department_officer']] as const) {
      await grantOrganisationRole(database.db, { email, name: email, organisationCode, role, passwordHash, actor: 'test' });
    }
    const emails: Record<Exclude<PersonaName, 'anonymous'>, string> = {
      finance: 'finance@authz.test', unitHead: 'head@authz.test', admin: 'admin@authz.test', headGeneral: 'general@authz.test', headProjects: 'projects@authz.test', otherUnit: 'finance@other.test',
      bureauOfficer: 'bureau@authz.test', deptOfficer: 'dept@authz.test', otherDeptOfficer: 'other-dept@authz.test',
    };
    for (const [name, email] of Object.entries(emails)) signedIn[name as PersonaName] = await signIn(app, email);

    // A task of the 综合科, as the evaluation would have opened it.
    const uy = await database.db.selectFrom('unit_years').innerJoin('units', 'units.id', 'unit_years.unit_id').select(['unit_years.id', 'units.id as unitId']).where('units.code', '=', unit).executeTakeFirstOrThrow();
    const evaluation = await database.db.insertInto('evaluations').values({ unit_year_id: uy.id, workflow_id: 'evaluation/yiyang-smart-city/2020', stage: 'collecting', started_by: 'test', due_at: new Date(), snapshot_sha256: 'x' }).returning('id').executeTakeFirstOrThrow();
    const section = await database.db.selectFrom('sections').select('id').where('unit_id', '=', uy.unitId).where('code', '=', 'general').executeTakeFirstOrThrow();
    // The issued report every member of the unit may download.
    await storeReport(database.db, { unitYearId: uy.id, kind: 'issued', contentSha256: 'c', pdf: Buffer.from('%PDF'), docx: Buffer.from('PK'), template: 't', createdBy: 'test' });
    taskId = (await database.db.insertInto('tasks').values({ evaluation_id: evaluation.id, unit_id: uy.unitId, section_id: section.id, workflow_id: 'evaluation/yiyang-smart-city/2020/task/general', run: 1, state: 'open', due_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.connection.close();
    await database?.drop();
  });

  it('has an expectation for every route, and no expectation without a route', () => {
    expect(apiRoutes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(apiRoutes.map((r) => [`${r.method} ${r.url}`, r] as const))('%s', async (key, route) => {
    const url = route.url
      .replace(':unit', 'yiyang-smart-city')
      .replace(':org', 'authz-dept')
      .replace(':year', '2020')
      .replace(':task', String(taskId))
      .replace(':version', '1')
      .replace(':format', 'pdf')
      .replace(':code', 'one-thing-once-retention')
      .replace(':id', '1')
      // Ids that exist nowhere: a route that lets the persona through answers "no such …", and changes nothing.
      .replace(':token', '999999')
      .replace(':role', '999999')
      .replace(':user', '999999')
      .replace(':channel', '999999')
      .replace(':notification', '999999')
      .replace(':section', 'general');
    const allowed: PersonaName[] = [];
    for (const persona of personas) {
      // Sign-out would end the session the next routes use: check it with a fresh one.
      const p = persona === 'anonymous' ? undefined : key === 'POST /api/logout' ? await signIn(app, signedIn[persona]!.email) : signedIn[persona];
      const response = await app.inject({
        method: route.method,
        url,
        ...as(p),
        ...(route.method === 'GET' ? {} : { payload: { section: 'general' } }),
      });
      const body = (response.headers['content-type']?.toString().startsWith('application/json') ? response.json() : {});
      const denied =
        response.statusCode === 401 ||
        response.statusCode === 403 && body.message !== 'you may preview only your own section' ||
        (response.statusCode === 404 && body.message === 'not found');
      if (!denied) allowed.push(persona);
    }
    expect(allowed.sort()).toEqual([...expected[key]!].sort());
  });

  it('lets the finance officer, and no section head, work the self-assessment task', async () => {
    const evaluation = await database.db.selectFrom('evaluations').select(['id', 'unit_year_id']).executeTakeFirstOrThrow();
    const unit = await database.db.selectFrom('units').select('id').where('code', '=', 'yiyang-smart-city').executeTakeFirstOrThrow();
    const id = (await database.db.insertInto('tasks').values({ evaluation_id: evaluation.id, unit_id: unit.id, section_id: null, kind: 'self_assessment', workflow_id: 'evaluation/yiyang-smart-city/2020/self-assessment', run: 1, state: 'open', due_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
    const draft = { entries: [{ indicator: 'social_benefit', tier: 'achieved', points: '7.' }] };
    const statusOf = async (p: PersonaName, method: 'GET' | 'PUT', url: string, payload?: object) => (await app.inject({ method, url, ...as(signedIn[p]), ...(payload ? { payload } : {}) })).statusCode;
    expect(await statusOf('headGeneral', 'PUT', `/api/tasks/${id}/draft`, draft)).toBe(403);
    expect(await statusOf('unitHead', 'PUT', `/api/tasks/${id}/draft`, draft)).toBe(403);
    expect(await statusOf('otherUnit', 'GET', `/api/tasks/${id}`)).toBe(404);
    expect(await statusOf('finance', 'PUT', `/api/tasks/${id}/draft`, draft)).toBe(200);
    expect((await database.db.selectFrom('tasks').select(['draft', 'state']).where('id', '=', id).executeTakeFirstOrThrow())).toEqual({ draft, state: 'draft' });
    // A section's draft shape is not a self-assessment draft.
    expect(await statusOf('finance', 'PUT', `/api/tasks/${id}/draft`, { achievements: [] })).toBe(400);
    // The section head's inbox does not list it; the finance officer's does, by its name.
    const listOf = async (p: PersonaName) => (await app.inject({ method: 'GET', url: '/api/tasks', ...as(signedIn[p]) })).json<{ tasks: Array<{ id: number; kind: string; sectionName: string }> }>().tasks;
    expect((await listOf('headGeneral')).map((t) => t.id)).not.toContain(id);
    expect((await listOf('finance')).find((t) => t.id === id)).toMatchObject({ kind: 'self_assessment', sectionName: '单位自评打分' });
  });

  it('keeps a half-typed draft, and refuses one of another shape with every problem, saving nothing', async () => {
    const head = signedIn.headGeneral;
    const draftOf = async () => (await database.db.selectFrom('tasks').select('draft').where('id', '=', taskId).executeTakeFirstOrThrow()).draft;
    const before = await draftOf();
    const bad = await app.inject({ method: 'PUT', url: `/api/tasks/${taskId}/draft`, ...as(head), payload: { achievements: 'all done', outputIndicators: [{ direction: 'sideways' }], notes: 'x' } });
    expect(bad.statusCode).toBe(400);
    const problems = bad.json<{ details: Array<{ path: string; zh: string; en: string }> }>().details;
    expect(problems.map((p) => p.path).sort()).toEqual(['body', 'body.achievements', 'body.outputIndicators[0].direction']);
    for (const p of problems) expect(p.zh && p.en).toBeTruthy();
    expect(await draftOf()).toEqual(before);

    const halfTyped = { achievements: [{ title: '综合保障', paragraphs: [] }], outputIndicators: [{ name: '公文办理', unit: '件', direction: '>=', target: '1', actual: '' }] };
    const saved = await app.inject({ method: 'PUT', url: `/api/tasks/${taskId}/draft`, ...as(head), payload: halfTyped });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await draftOf()).toEqual({ ...halfTyped, section: 'general' });
  });
});
