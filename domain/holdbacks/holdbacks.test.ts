/**
 * Holdback rules without servers: assessment periods, due dates and reminders on the working-day
 * calendar (dates checked by hand against cn-holidays.json), and the state machine's amounts and
 * checks.
 */
import { describe, expect, it } from 'vitest';
import { nationalCalendar } from '../calendar/working-days';
import {
  applyAcceptance, applyAssessment, applyDefect, applyRelease, becomeDue, checkAcceptance, checkAssessment, checkRelease, commit, initialState, planFor,
  releasePaymentCode, retentionCodeFor,
} from './machine';
import type { HoldbackFacts } from './model';
import { nextPeriod, parsePeriod, periodEnd, periodZh } from './periods';
import { planHoldbackSchedule } from './schedule';

const cal = nationalCalendar;
const dates = (s: ReturnType<typeof planHoldbackSchedule>) => s.reminders.map((r) => `${r.key}@${r.date}${r.catchUp ? '!' : ''}`);

describe('assessment periods', () => {
  it('parses years, halves and quarters, with their ends and successors', () => {
    expect(parsePeriod('2020')).toEqual({ text: '2020', year: 2020, unit: 'year', index: 1 });
    expect(parsePeriod('2020h2')?.text).toBe('2020-H2');
    expect(parsePeriod('2020Q1')?.text).toBe('2020-Q1');
    expect(parsePeriod('2020-Q5')).toBeUndefined();
    expect(parsePeriod('二〇二〇')).toBeUndefined();
    expect(periodEnd(parsePeriod('2020')!)).toBe('2020-12-31');
    expect(periodEnd(parsePeriod('2024-Q1')!)).toBe('2024-03-31');
    expect(periodEnd(parsePeriod('2020-H1')!)).toBe('2020-06-30');
    expect(nextPeriod(parsePeriod('2020')!).text).toBe('2021');
    expect(nextPeriod(parsePeriod('2020-Q4')!).text).toBe('2021-Q1');
    expect(nextPeriod(parsePeriod('2020-H1')!).text).toBe('2020-H2');
    expect(['2020', '2020-H1', '2021h2', '2024-Q3', '第一期'].map(periodZh)).toEqual(['2020年度', '2020年上半年', '2021年下半年', '2024年第三季度', '第一期']);
  });
});

describe('holdback schedules on the working-day calendar', () => {
  it('retention: due 2021-08-31, reminders moved off rest days and holidays', () => {
    const s = planHoldbackSchedule(cal, { plan: 'retention', baseOn: '2020-08-31', months: 12, now: '2021-07-01T01:00:00Z' });
    expect(s).toMatchObject({ plan: 'retention', basis: '2021-08-31', nominalDueOn: '2021-08-31', dueOn: '2021-08-31', dueAt: '2021-08-31T01:00:00.000Z', warnings: [] });
    // 08-01 is a Sunday → 07-30; 09-21 中秋节 → 09-22; 10-05 国庆节 → 10-08.
    expect(dates(s).slice(0, 9)).toEqual([
      'before-30@2021-07-30', 'before-7@2021-08-24', 'due@2021-08-31', 'after-1@2021-09-07', 'after-2@2021-09-14', 'after-3@2021-09-22', 'after-4@2021-09-28',
      'after-5@2021-10-08', 'after-6@2021-10-12',
    ]);
    expect(s.reminders[0]!.at).toBe('2021-07-30T01:00:00.000Z');
    // Planned in a window up to 63 days past the due date (2021-11-02), then again at 00:00 Shanghai the day after.
    expect(s.reminders.at(-1)!.date <= '2021-11-02').toBe(true);
    expect(s.replanAt).toBe('2021-11-02T16:00:00.000Z');
  });

  it('skips reminders already past, but fires the latest one at once when the due date itself has passed', () => {
    const before = planHoldbackSchedule(cal, { plan: 'retention', baseOn: '2020-08-31', months: 12, now: '2021-08-30T01:00:00Z' });
    expect(dates(before)[0]).toBe('due@2021-08-31');
    const overdue = planHoldbackSchedule(cal, { plan: 'retention', baseOn: '2020-08-31', months: 12, now: '2021-09-23T05:00:00Z' });
    expect(dates(overdue).slice(0, 2)).toEqual(['after-3@2021-09-22!', 'after-4@2021-09-28']);
  });

  it('payment: 30 days after acceptance, on a holiday → next working day; a Saturday 调休 day counts as working', () => {
    const acc = planHoldbackSchedule(cal, { plan: 'payment', fromOn: '2021-09-01', termDays: 30, now: '2021-09-02T00:00:00Z' });
    expect([acc.nominalDueOn, acc.dueOn]).toEqual(['2021-10-01', '2021-10-08']);
    expect(dates(acc).slice(0, 3)).toEqual(['before-7@2021-09-30', 'due@2021-10-08', 'after-1@2021-10-15']);
    const om = planHoldbackSchedule(cal, { plan: 'payment', fromOn: '2022-12-20', termDays: 30, now: '2022-12-20T00:00:00Z' });
    expect(dates(om).slice(0, 3)).toEqual(['before-7@2023-01-12', 'due@2023-01-19', 'after-1@2023-01-28']);
  });

  it('assessment: expected 30 days after the period ends, then weekly', () => {
    const s2020 = planHoldbackSchedule(cal, { plan: 'assessment', period: '2020', graceDays: 30, now: '2021-01-04T01:00:00Z' });
    expect([s2020.basis, s2020.nominalDueOn, s2020.dueOn]).toEqual(['2020', '2021-01-30', '2021-02-01']);
    const s2021 = planHoldbackSchedule(cal, { plan: 'assessment', period: '2021', graceDays: 30, now: '2021-01-04T01:00:00Z' });
    expect(dates(s2021).slice(0, 2)).toEqual(['assessment-due@2022-01-30', 'assessment-after-1@2022-02-07']);
    expect(() => planHoldbackSchedule(cal, { plan: 'assessment', period: 'x', graceDays: 30, now: '2021-01-04T01:00:00Z' })).toThrow(/unknown assessment period/);
  });

  it('warns when a year has no holiday data', () => {
    const s = planHoldbackSchedule(cal, { plan: 'retention', baseOn: '2026-08-31', months: 12, now: '2026-11-26T01:00:00Z' });
    expect(s.warnings.map((w) => w.year)).toEqual([2027]);
  });
});

const facts = (over: Partial<HoldbackFacts> = {}): HoldbackFacts => ({
  workflowId: 'wf',
  ref: { unitCode: 'u', year: 2020, holdbackCode: 'h' },
  kind: 'acceptance',
  origin: 'ledger',
  projectCode: 'p',
  projectName: '项目',
  allocationCode: 'a',
  condition: '验收合格后支付',
  amountFen: 45_940_000,
  ledgerStatus: 'waiting',
  paymentTermDays: 30,
  omCoefficientApplies: false,
  ledgerAssessments: [],
  ...over,
});
const meta = (requestId: string) => ({ requestId, recordedAt: '2021-09-02T00:00:00.000Z', source: 'update' as const, fingerprint: requestId });

describe('the holdback state machine', () => {
  it('acceptance with a retention rate moves the retention part to a new holdback; amounts always add up', () => {
    const s = initialState(facts({ retentionRateBp: 500, retentionBaseFen: 92_460_000, contractWarrantyMonths: 12 }), 0);
    expect(checkAcceptance(s, { requestId: 'r', acceptedOn: '2021-09-01' }, '2021-09-02')).toEqual([]);
    const t = applyAcceptance(s, { requestId: 'r', acceptedOn: '2021-09-01' });
    expect(t.next.amounts).toEqual({ amountFen: 45_940_000, heldFen: 0, payableFen: 41_317_000, releasedFen: 0, forfeitedFen: 0, transferredFen: 4_623_000 });
    expect(t.retention).toMatchObject({ holdbackCode: 'h-retention', amountFen: 4_623_000, warrantyMonths: 12 });
    expect(planFor(t.next, '2021-09-02T00:00:00Z')).toEqual({ plan: 'payment', fromOn: '2021-09-01', termDays: 30, now: '2021-09-02T00:00:00Z' });
    const accepted = commit(t.next, t, meta('r')).state;
    expect(checkAcceptance(accepted, { requestId: 'r2', acceptedOn: '2021-09-01' }, '2021-09-02')).toEqual([]);
    expect(checkAcceptance(accepted, { requestId: 'r3', acceptedOn: '2021-08-31' }, '2021-09-02').map((p) => p.code)).toEqual(['already_accepted']);
    expect(checkRelease(accepted, { requestId: 'x', paidOn: '2021-09-02', amountFen: 41_317_001 }, '2021-09-02').map((p) => p.code)).toEqual(['release_exceeds_held']);
    const paid = applyRelease(accepted, { requestId: 'x', paidOn: '2021-09-02', amountFen: 41_317_000 });
    expect(paid.next).toMatchObject({ status: 'released', phase: 'closed' });
    expect(paid.event.paymentCode).toBe('h-release-1');
  });

  it('a rate without a warranty is refused; a retention rate cannot exceed the withheld balance', () => {
    const s = initialState(facts({ retentionRateBp: 500, retentionBaseFen: 92_460_000 }), 0);
    expect(checkAcceptance(s, { requestId: 'r', acceptedOn: '2021-09-01' }, '2021-09-02').map((p) => p.code)).toEqual(['warranty_required']);
    const all = applyAcceptance(initialState(facts({ retentionRateBp: 10_000, retentionBaseFen: 92_460_000, contractWarrantyMonths: 12 }), 0), { requestId: 'r', acceptedOn: '2021-09-01' });
    expect(all.next.amounts).toMatchObject({ payableFen: 0, transferredFen: 45_940_000 });
    expect(all.next.phase).toBe('closed');
  });

  it('O&M: a fail moves to the next period; a pass with a coefficient forfeits the rest', () => {
    const s = initialState(facts({ kind: 'om_assessment', period: '2020', amountFen: 83_690_000, omCoefficientApplies: true }), 0);
    expect(s.period).toBe('2020');
    expect(checkAssessment(s, { requestId: 'a', period: '2021', assessedOn: '2021-01-10', passed: false }, '2021-01-10').map((p) => p.code)).toEqual(['period_not_awaited']);
    const failed = applyAssessment(s, { requestId: 'a', period: '2020', assessedOn: '2021-01-10', passed: false });
    expect([failed.next.period, failed.next.status, failed.next.amounts.heldFen]).toEqual(['2021', 'waiting', 83_690_000]);
    const f = commit(failed.next, failed, meta('a')).state;
    expect(checkAssessment(f, { requestId: 'b', period: '2020', assessedOn: '2021-01-10', passed: true, coefficientBp: 9000 }, '2021-01-10').map((p) => p.code)).toEqual(['period_already_assessed']);
    const passed = applyAssessment(f, { requestId: 'b', period: '2021', assessedOn: '2022-01-10', passed: true, coefficientBp: 9000 });
    expect(passed.next.amounts).toMatchObject({ heldFen: 0, payableFen: 75_321_000, forfeitedFen: 8_369_000 });
    expect(passed.next.forfeitReason).toContain('90.00%');
  });

  it('retention: falls due, and a defect while payable puts the amount back on hold', () => {
    const s = initialState(facts({ kind: 'retention', amountFen: 10_920_000, warrantyStartOn: '2020-08-31', warrantyMonths: 12 }), 0);
    expect(planFor(s, '2021-07-01T00:00:00Z')).toEqual({ plan: 'retention', baseOn: '2020-08-31', months: 12, now: '2021-07-01T00:00:00Z' });
    const due = becomeDue(s);
    expect(due).toMatchObject({ status: 'payable', phase: 'payable', amounts: { heldFen: 0, payableFen: 10_920_000 } });
    const d = applyDefect(due, { requestId: 'd', reportedOn: '2021-09-01', extendMonths: 3, description: '缺陷' });
    expect(d.next).toMatchObject({ status: 'waiting', phase: 'warranty', warrantyExtensionMonths: 3, amounts: { heldFen: 10_920_000, payableFen: 0 } });
    expect(planFor(d.next, '2021-09-01T00:00:00Z')).toMatchObject({ plan: 'retention', baseOn: '2020-08-31', months: 15 });
  });

  it('codes are deterministic and at most 64 characters', () => {
    const long = 'x'.repeat(64);
    expect(retentionCodeFor('a')).toBe('a-retention');
    expect(retentionCodeFor(long)).toHaveLength(64);
    expect(retentionCodeFor(long)).toBe(retentionCodeFor(long));
    expect(retentionCodeFor(long)).not.toBe(retentionCodeFor(`${'x'.repeat(63)}y`));
    expect(releasePaymentCode(long, 12)).toHaveLength(64);
  });
});
