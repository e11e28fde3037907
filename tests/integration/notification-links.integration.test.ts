/**
 * Every notification links to a page that exists for the person it is sent to. Each activity that
 * sends a notification runs here once, with the seed unit-year (one call per message variety),
 * through the real notifier; then every in-app message in the outbox is opened as its recipient
 * — signed in through the API — following redirects, and must end on a 200 page.
 *
 * The list of activities is checked against the activities' source: an activity that starts
 * sending notifications without a case here fails the test, so a new link kind cannot slip by.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { holdbackWorkflowId } from '../../workflows/holdback/contract';
import { campaignId, campaignStarterId } from '../../workflows/campaign/contract';
import { reviewId } from '../../workflows/review/contract';
import { hashPassword } from '../../client/auth/passwords';
import { ensureOrganisation, grantOrganisationRole, importUnitList } from '../../db/organisations.repository';
import { evaluationId, sectionTaskId, selfAssessmentTaskId } from '../../workflows/evaluation/contract';
import { seedUnitYear } from '../fixtures/seed';
import { testActivityDeps } from '../helpers/activities';
import { addUser, as, PASSWORD, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections } from '../helpers/temporal';

const UNIT = 'yiyang-smart-city';
const YEAR = 2020;
const BUREAU = 'links-czj';
const DEPARTMENT = 'links-dept';
const CAMPAIGN = campaignId(BUREAU, YEAR);
const seed = seedUnitYear();

/** The activities (by name) whose body calls the notifier, read from the source. */
function notifyingActivities(): string[] {
  const names: string[] = [];
  for (const file of ['evaluation.activities.ts', 'holdbacks.activities.ts', 'campaign.activities.ts', 'review.activities.ts']) {
    const source = fs.readFileSync(path.resolve(__dirname, '../../activities', file), 'utf8');
    const heads = [...source.matchAll(/^ {4}async (\w+)\(/gm)];
    heads.forEach((h, i) => {
      const body = source.slice(h.index, heads[i + 1]?.index ?? source.length);
      if (body.includes('notifier.notify(')) names.push(h[1]!);
    });
  }
  return names.sort();
}

describe('notification links lead to a page for their recipient', () => {
  let database: TestDatabase;
  let client: Client;
  let app: FastifyInstance;
  const sessions = new Map<string, Persona>();
  const exercised = new Set<string>();

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    for (const p of seed.people) for (const role of p.roles) await addUser(database.db, p.email, UNIT, role, p.section);
    await addUser(database.db, 'admin@links.test', UNIT, 'admin');
    // The unit under a department under a bureau, each with its officer.
    await ensureOrganisation(database.db, { code: BUREAU, name: '链接测试市财政局', kind: 'bureau', actor: 'test' });
    await importUnitList(database.db, { bureauCode: BUREAU, actor: 'test', rows: [{ unitCode: UNIT, unitName: seed.unit.name, departmentCode: DEPARTMENT, departmentName: '链接测试主管部门' }] });
    const passwordHash = await hashPassword(PASSWORD);
    await grantOrganisationRole(database.db, { email: 'bureau@links.test', name: '财政局', organisationCode: BUREAU, role: 'bureau_officer', passwordHash, actor: 'test' });
    await grantOrganisationRole(database.db, { email: 'dept@links.test', name: '主管部门', organisationCode: DEPARTMENT, role: 'department_officer', passwordHash, actor: 'test' });
    ({ client } = await devServerConnections('links'));
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });

    // An evaluation row, as the workflow's open would have written it (tasks hang off it).
    const uy = await database.db.selectFrom('unit_years').innerJoin('units', 'units.id', 'unit_years.unit_id').select(['unit_years.id']).where('units.code', '=', UNIT).executeTakeFirstOrThrow();
    await database.db.insertInto('evaluations').values({ unit_year_id: uy.id, workflow_id: evaluationId(UNIT, YEAR), stage: 'collecting', started_by: 'test', due_at: new Date(), snapshot_sha256: 'x' }).execute();

    const a = createActivities(testActivityDeps(database.db, { temporal: client })) as unknown as Record<string, (input: unknown) => Promise<unknown>>;
    const run = async (name: string, input: unknown) => {
      exercised.add(name);
      await a[name]!(input);
    };
    const ev = evaluationId(UNIT, YEAR);
    const due = '2021-03-31T10:00:00.000Z';
    const section = seed.unit.sections[0]!;
    const task = sectionTaskId(UNIT, YEAR, section.code);
    const sa = selfAssessmentTaskId(UNIT, YEAR);
    await run('openTask', { taskWorkflowId: task, evaluationWorkflowId: ev, unitCode: UNIT, year: YEAR, section: section.code, run: 1, dueAt: due });
    await run('openTask', { taskWorkflowId: task, evaluationWorkflowId: ev, unitCode: UNIT, year: YEAR, section: section.code, run: 2, dueAt: due, returnedReason: '缺少产出指标' });
    await run('sendTaskReminder', { taskWorkflowId: task, unitCode: UNIT, section: section.code, sectionName: section.name, run: 2, dueAt: due, key: 'after-1', kind: 'after' });
    await run('escalateTask', { taskWorkflowId: task, unitCode: UNIT, section: section.code, sectionName: section.name, run: 2, dueAt: due, key: 'escalate' });
    await run('updateTaskDue', { taskWorkflowId: task, unitCode: UNIT, section: section.code, sectionName: section.name, run: 2, dueAt: '2021-04-15T10:00:00.000Z', actor: 'test' });
    await run('openAssessmentTask', { taskWorkflowId: sa, evaluationWorkflowId: ev, unitCode: UNIT, year: YEAR, run: 1, dueAt: due });
    await run('sendAssessmentReminder', { taskWorkflowId: sa, unitCode: UNIT, year: YEAR, run: 1, dueAt: due, key: 'before-1', kind: 'before' });
    await run('escalateAssessmentTask', { taskWorkflowId: sa, unitCode: UNIT, year: YEAR, run: 1, dueAt: due, key: 'escalate' });
    await run('updateAssessmentTaskDue', { taskWorkflowId: sa, unitCode: UNIT, year: YEAR, run: 1, dueAt: '2021-04-15T10:00:00.000Z', actor: 'test' });
    for (const event of ['findings', 'approval', 'issued'] as const) await run('notifyEvaluation', { workflowId: ev, unitCode: UNIT, year: YEAR, event, key: event === 'issued' ? 'a'.repeat(64) : '1', blocking: 2 });
    for (const topic of ['approval', 'acknowledgement', 'correction'] as const) await run('remindEvaluation', { workflowId: ev, unitCode: UNIT, year: YEAR, topic, key: 'after-1', since: due, reportVersion: 1, blocking: 2 });
    for (const kind of ['sent_back', 'changed_after_approval'] as const) await run('notifyReturned', { workflowId: ev, unitCode: UNIT, year: YEAR, returned: { kind, by: 'head@example.org', reason: '请核对', at: due, reportVersion: 1 } });
    await run('remindLedgerImport', { unitCode: UNIT, year: 2021, key: 'started', since: due });
    // That scheduled start stopped while it waited for the 2021 ledger (the sweeper's record).
    await run('recordStarterStopped', { workflowId: `evaluation-schedule/${UNIT}-2021`, runId: 'run-1', state: 'terminated', reason: '由 admin 终止：误操作', unitCode: UNIT, year: 2021, startedAt: due });
    await run('recordEvaluationStopped', { workflowId: ev, unitCode: UNIT, year: YEAR, runId: 'run-1', state: 'failed', reason: '账套无法读取' });
    const code = 'one-thing-once-retention';
    await run('sendHoldbackReminder', {
      workflowId: holdbackWorkflowId(UNIT, YEAR, code), ref: { unitCode: UNIT, year: YEAR, holdbackCode: code }, kind: 'retention', projectName: '新型智慧城市项目', condition: '质保期届满',
      plan: 'retention', basis: '2021-08-31', reminder: { key: 'due', kind: 'due', date: '2021-08-31', at: '2021-08-31T01:00:00.000Z' }, dueOn: '2021-08-31', outstandingFen: 10_920_000, payableFen: 10_920_000, firedAt: due,
    });
    // A holdback whose tracking stopped while money is withheld (its progress row first, as its opening writes it).
    await a['openHoldback']!({ ref: { unitCode: UNIT, year: YEAR, holdbackCode: code }, workflowId: holdbackWorkflowId(UNIT, YEAR, code), clockOffsetMs: 0, now: due });
    await run('recordHoldbackStopped', { workflowId: holdbackWorkflowId(UNIT, YEAR, code), runId: 'run-1', state: 'terminated', reason: '由 admin 终止：误操作' });

    // Above the unit: its bureau's campaign (opened as the campaign's workflow opens it), late, escalated, stopped; its review at each level.
    await a['openCampaign']!({ workflowId: CAMPAIGN, organisationCode: BUREAU, year: YEAR, issuedBy: 'test', dueDate: '2021-04-30', ruleSet: { id: 'hunan-department-2020', version: 1 }, outline: 'yiyang-2020', notice: '请开展2020年度部门整体支出绩效自评。', units: [UNIT], now: due });
    await run('startCampaignUnits', { campaignWorkflowId: CAMPAIGN, units: [UNIT], startedBy: 'test' });
    for (const kind of ['before', 'after', 'escalate_department', 'escalate_bureau'] as const) await run('remindCampaign', { campaignWorkflowId: CAMPAIGN, kind, key: kind });
    await run('recordCampaignStopped', { workflowId: CAMPAIGN, runId: 'run-1', state: 'terminated', reason: '由 admin 终止：误操作' });
    const review = reviewId(UNIT, YEAR);
    await run('notifyReview', { workflowId: review, unitCode: UNIT, year: YEAR, event: 'arrived', level: 'department', reportVersion: 2, key: 'v2|department' });
    await run('notifyReview', { workflowId: review, unitCode: UNIT, year: YEAR, event: 'reminder', level: 'bureau', reportVersion: 2, key: 'v2|bureau|r1', since: due });
    await run('notifyReview', { workflowId: review, unitCode: UNIT, year: YEAR, event: 'returned', level: 'department', reportVersion: 2, key: 'v2|returned', by: 'dept@links.test', lines: ['请补充'], dueAt: due });
    await run('notifyReview', { workflowId: review, unitCode: UNIT, year: YEAR, event: 'accepted', level: 'bureau', reportVersion: 4, key: 'v4|accepted', by: 'bureau@links.test' });
  });

  afterAll(async () => {
    // The campaign's starter, started by startCampaignUnits on a queue no worker polls here.
    await client?.workflow.getHandle(campaignStarterId(CAMPAIGN, UNIT)).terminate('test done').catch(() => undefined);
    await app?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('has a case for every activity that sends a notification', () => {
    expect([...exercised].sort()).toEqual(notifyingActivities());
  });

  it('opens every link as its recipient and gets a page', async () => {
    const messages = await database.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.recipient_user_id')
      .select(['notifications.kind', 'notifications.link', 'users.email'])
      .where('notifications.channel', '=', 'in_app')
      .orderBy('notifications.id')
      .execute();
    const kinds = new Set(messages.map((m) => m.kind));
    // Every variety produced a message for someone.
    expect([...kinds].sort()).toEqual(
      [
      'evaluation_approval', 'evaluation_findings', 'evaluation_issue_stopped', 'evaluation_issued', 'evaluation_ledger_missing', 'evaluation_reminder', 'evaluation_sent_back', 'evaluation_start_stopped', 'evaluation_stopped',
      'campaign_escalated', 'campaign_notice', 'campaign_overdue', 'campaign_reminder', 'campaign_stopped',
      'holdback.retention.due', 'holdback_stopped', 'review_accepted', 'review_arrived', 'review_reminder', 'review_returned', 'task_assigned', 'task_due_changed', 'task_escalated', 'task_reminder', 'task_returned',
    ].sort(),
    );
    const failures: string[] = [];
    const linkShapes = new Set<string>();
    for (const m of messages) {
      expect(m.link, `${m.kind} has a link`).toMatch(/^\//);
      linkShapes.add(decodeURIComponent(m.link!).replace(`/${UNIT}`, '/U').replace(new RegExp(`/(${BUREAU}|${DEPARTMENT})`), '/O').replace(/\/\d{4}(?=\/|$)/, '/Y').replace(/\/[a-z-]+$/, (last) => (/^\/(report|self-assessment)$/.test(last) ? last : '/*')));
      let persona = sessions.get(m.email);
      if (!persona) sessions.set(m.email, (persona = await signIn(app, m.email)));
      let url = m.link!;
      let response = await app.inject({ method: 'GET', url, ...as(persona) });
      for (let hops = 0; hops < 3 && response.statusCode >= 300 && response.statusCode < 400; hops++) {
        url = String(response.headers.location);
        response = await app.inject({ method: 'GET', url, ...as(persona) });
      }
      if (response.statusCode !== 200 || !String(response.headers['content-type']).startsWith('text/html')) failures.push(`${m.kind} → ${m.link} → ${url} as ${m.email}: ${response.statusCode}`);
    }
    expect(failures).toEqual([]);
    // The kinds of page reached: a task, the self-assessment, the dashboard, the report, the review, a holdback, the unit, the campaign.
    expect([...linkShapes].sort()).toEqual(['/holdbacks/U/Y/*', '/orgs/O/years/Y/*', '/tasks/evaluation/U/Y/task/*', '/units/U', '/units/U/years/Y', '/units/U/years/Y/*', '/units/U/years/Y/report', '/units/U/years/Y/self-assessment'].sort());
  });

  it('leads an old message that names no unit-year (/evaluations, /reports) to the one unit-year meant', async () => {
    const finance = await signIn(app, seed.people.find((p) => p.roles.includes('finance_officer'))!.email);
    const evaluations = await app.inject({ method: 'GET', url: '/evaluations', ...as(finance) });
    expect(evaluations.statusCode).toBe(302);
    expect(evaluations.headers.location).toBe(`/units/${UNIT}/years/${YEAR}`);
    const reports = await app.inject({ method: 'GET', url: '/reports', ...as(finance) });
    expect(reports.headers.location).toBe(`/units/${UNIT}/years/${YEAR}/report`);
    // A section head has no dashboard: their tasks.
    const head = await signIn(app, seed.people.find((p) => p.roles.includes('section_head'))!.email);
    expect((await app.inject({ method: 'GET', url: '/evaluations', ...as(head) })).headers.location).toBe('/tasks');
    // Named explicitly, and a unit-year that is not theirs.
    expect((await app.inject({ method: 'GET', url: `/reports?unit=${UNIT}&year=${YEAR}`, ...as(head) })).headers.location).toBe(`/units/${UNIT}/years/${YEAR}/report`);
    expect((await app.inject({ method: 'GET', url: `/reports?unit=another-unit&year=${YEAR}`, ...as(head) })).statusCode).toBe(404);
  });
});
