/**
 * The calendar never goes silent: a reminder whose due date (or whose own day) falls in a year
 * without holiday data — 2027, until its State Council notice is entered — says so in its text,
 * with how to add the data; one within covered years says nothing of the kind. The activities run
 * directly on a real database, their business clock pinned to the day the reminder goes out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { importUnitYear } from '../../db/ledger.repository';
import { evaluationId, sectionTaskId, selfAssessmentTaskId } from '../../workflows/evaluation/contract';
import { holdbackWorkflowId } from '../../workflows/holdback/contract';
import { testActivityDeps } from '../helpers/activities';
import { addUser } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { at } from '../helpers/evaluation-scenario';
import { seedUnitYear } from '../fixtures/seed';

const UNIT = 'yiyang-smart-city';
const NOTICE = '注意：2027年的法定节假日和调休安排尚未录入系统';

describe('reminders in a year without holiday data', () => {
  let database: TestDatabase;
  const seed = seedUnitYear();
  /**
   * The activities as on a given Shanghai wall-clock instant (their clock shifted to it), and how
   * they see a Shanghai instant given as input (workflow time: the business time less the shift).
   */
  const on = (local: string) => {
    const shift = at(local) - Date.now();
    const acts = createActivities({ ...testActivityDeps(database.db), clockShiftMs: shift });
    return Object.assign(acts, { server: (instant: string) => new Date(at(instant) - shift).toISOString() });
  };
  const body = async (dedupePrefix: string) =>
    (await database.db.selectFrom('notifications').select('body').where('dedupe_key', 'like', `${dedupePrefix}%`).where('channel', '=', 'in_app').executeTakeFirstOrThrow()).body;

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seed, { actor: 'test' });
    for (const p of seed.people) for (const role of p.roles) await addUser(database.db, p.email, UNIT, role, p.section);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('says so in a section task reminder, the self-assessment reminder and an escalation', async () => {
    const task = sectionTaskId(UNIT, 2026, 'general');
    let a = on('2027-01-05T09:00:00');
    await a.sendTaskReminder({ taskWorkflowId: task, unitCode: UNIT, section: 'general', sectionName: '综合科', run: 1, dueAt: a.server('2027-01-08T18:00:00'), key: '2027-01-08:before-3', kind: 'before' });
    expect(await body(`${task}|run1|2027-01-08:before-3`)).toContain(NOTICE);
    expect(await body(`${task}|run1|2027-01-08:before-3`)).toContain('SELFEVAL_CALENDAR_OVERRIDES');
    const sa = selfAssessmentTaskId(UNIT, 2026);
    a = on('2027-01-08T09:00:00');
    await a.sendAssessmentReminder({ taskWorkflowId: sa, unitCode: UNIT, year: 2026, run: 1, dueAt: a.server('2027-01-08T18:00:00'), key: '2027-01-08:due', kind: 'due' });
    expect(await body(`${sa}|run1|2027-01-08:due`)).toContain(NOTICE);
    a = on('2027-01-13T09:00:00');
    await a.escalateTask({ taskWorkflowId: task, unitCode: UNIT, section: 'general', sectionName: '综合科', run: 1, dueAt: a.server('2027-01-08T18:00:00'), key: '2027-01-08:escalate' });
    expect(await body(`${task}|run1|2027-01-08:escalate`)).toContain(NOTICE);
    // A due date in 2027 named in December 2026 is flagged too.
    a = on('2026-12-28T09:00:00');
    await a.sendTaskReminder({ taskWorkflowId: task, unitCode: UNIT, section: 'general', sectionName: '综合科', run: 1, dueAt: a.server('2027-01-04T18:00:00'), key: '2027-01-04:before-3', kind: 'before' });
    expect(await body(`${task}|run1|2027-01-04:before-3`)).toMatch(/^提醒：综合科自评材料将于2027年1月4日到期。/);
    expect(await body(`${task}|run1|2027-01-04:before-3`)).toContain(NOTICE);
  });

  it('says so in a withheld payment falling due in 2027', async () => {
    const code = 'brain-retention';
    await on('2027-02-01T09:00:00').sendHoldbackReminder({
      workflowId: holdbackWorkflowId(UNIT, 2020, code), ref: { unitCode: UNIT, year: 2020, holdbackCode: code }, kind: 'retention', projectName: '“智慧大脑+政务服务”项目', condition: '质保期届满',
      plan: 'retention', basis: '2027-02-08', reminder: { key: 'before-7', kind: 'before', date: '2027-02-01', at: '2027-02-01T01:00:00.000Z' }, dueOn: '2027-02-08', outstandingFen: 10_000_000, payableFen: 10_000_000, firedAt: '2027-02-01T01:00:00.000Z',
    });
    expect(await body(holdbackWorkflowId(UNIT, 2020, code))).toContain(NOTICE);
  });

  it('says nothing of the kind within the years the calendar covers', async () => {
    const task = sectionTaskId(UNIT, 2020, 'projects');
    let a = on('2026-04-27T09:00:00');
    await a.sendTaskReminder({ taskWorkflowId: task, unitCode: UNIT, section: 'projects', sectionName: '项目建设科', run: 1, dueAt: a.server('2026-04-30T18:00:00'), key: '2026-04-30:before-3', kind: 'before' });
    const text = await body(`${task}|run1|2026-04-30:before-3`);
    expect(text).toBe('提醒：项目建设科自评材料将于2026年4月30日到期。请登录系统填报并提交。');
    a = on('2026-04-22T09:00:00');
    await a.remindEvaluation({ workflowId: evaluationId(UNIT, 2020), unitCode: UNIT, year: 2020, topic: 'approval', key: 'x|after-1', since: a.server('2026-04-20T10:00:00'), reportVersion: 1 });
    expect(await body(`${evaluationId(UNIT, 2020)}|remind|approval|x|after-1`)).not.toContain('注意：');
  });
});
