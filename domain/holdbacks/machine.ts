/**
 * The holdback state machine, pure: the initial state from the ledger facts, the checks each
 * recorded fact must pass (bilingual problems; an empty list means it may be applied), and the
 * transitions. No clock (today and now are parameters), no calendar (dates come from the
 * planning activity), no I/O — the workflow calls these and runs the side effects.
 *
 * Per kind:
 *   retention      warranty ──due──► payable ──release(s)──► closed(released)
 *                     ▲   defect report (extends, reschedules) │
 *                     └──────────────────────────────────────┘ (a defect while payable puts it back)
 *   om_assessment  awaiting_assessment(P) ──fail──► awaiting_assessment(next P)
 *                     └──pass──► payable (amount × coefficient when the contract says so; the
 *                                rest forfeited, reason kept) ──release(s)──► closed
 *   acceptance     awaiting_acceptance ──accepted──► payable (minus the retention part, which is
 *                     transferred to a new retention holdback) ──release(s)──► closed
 *   milestone      awaiting_milestone ──milestone reached──► payable ──release(s)──► closed
 */
import { civilDateOf } from '../calendar/civil-date';
import { canonicalJson } from '../canonical-json';
import { applyRateBp, formatYuan } from '../money';
import type { Problem } from '../validation';
import type { RecordAcceptance, RecordAssessment, RecordMilestone, RecordRelease, ReportDefect } from './events';
import type {
  HoldbackAmounts, HoldbackAwaiting, HoldbackEventRecord, HoldbackEventResult, HoldbackEventType, HoldbackFacts, HoldbackPhase, HoldbackProgress,
  HoldbackSchedule, HoldbackState, HoldbackStatus, HoldbackStatusView, PlannedSchedule, PlanRequest, RetentionOpened,
} from './model';
import { nextPeriod, parsePeriod, periodEnd } from './periods';

/** Warranty (缺陷责任期) may be extended up to 24 months in total (建质〔2017〕138号). */
export const MAX_WARRANTY_MONTHS = 24;
/** Assessment result expected this many days after the period ends (see schedule.ts). */
export const ASSESSMENT_GRACE_DAYS = 30;
const KEEP_REMINDERS = 100;

const yuan = (fen: number) => `${formatYuan(fen)}元`;

function problem(path: string, code: string, zh: string, en: string): Problem {
  return { path, code, zh, en };
}

/** Deterministic code of the retention an acceptance opens (≤ 64 characters, like every ledger code). */
export function retentionCodeFor(parentCode: string): string {
  const suffix = '-retention';
  if (parentCode.length + suffix.length <= 64) return `${parentCode}${suffix}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < parentCode.length; i++) {
    h ^= parentCode.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${parentCode.slice(0, 64 - suffix.length - 9)}-${h.toString(16).padStart(8, '0')}${suffix}`;
}

/** Deterministic ledger code of the n-th release payment of a holdback. */
export function releasePaymentCode(holdbackCode: string, n: number): string {
  const suffix = `-release-${n}`;
  return `${holdbackCode.slice(0, 64 - suffix.length)}${suffix}`;
}

export function fingerprint(arg: unknown): string {
  return canonicalJson(arg);
}

export function outstanding(a: HoldbackAmounts): number {
  return a.heldFen + a.payableFen;
}

export function statusOf(phase: HoldbackPhase, a: HoldbackAmounts): HoldbackStatus {
  if (phase === 'closed') return a.releasedFen === 0 && a.forfeitedFen > 0 && a.transferredFen === 0 ? 'forfeited' : 'released';
  if (a.releasedFen > 0) return 'partially_released';
  if (phase === 'payable') return 'payable';
  return 'waiting';
}

export function awaitingOf(s: HoldbackState): HoldbackAwaiting {
  switch (s.phase) {
    case 'awaiting_assessment':
      return 'assessment';
    case 'awaiting_acceptance':
      return 'acceptance';
    case 'awaiting_milestone':
      return 'milestone';
    case 'warranty':
      return 'warranty_end';
    case 'payable':
      return 'payment';
    case 'closed':
      return 'nothing';
  }
}

function withStatus(s: HoldbackState): HoldbackState {
  const closed = s.phase === 'closed' || outstanding(s.amounts) === 0;
  const phase: HoldbackPhase = closed ? 'closed' : s.phase;
  return { ...s, phase, status: statusOf(phase, s.amounts), ...(closed ? { schedule: undefined } : {}) };
}

// ── Initial state ───────────────────────────────────────────────────────────────────────────

export function initialState(facts: HoldbackFacts, clockOffsetMs: number): HoldbackState {
  const amounts: HoldbackAmounts = { amountFen: facts.amountFen, heldFen: facts.amountFen, payableFen: 0, releasedFen: 0, forfeitedFen: 0, transferredFen: 0 };
  const phaseOfKind: Record<HoldbackFacts['kind'], HoldbackPhase> = {
    retention: 'warranty',
    om_assessment: 'awaiting_assessment',
    acceptance: 'awaiting_acceptance',
    milestone: 'awaiting_milestone',
  };
  const warnings: string[] = [];
  let period: string | undefined;
  if (facts.kind === 'om_assessment') {
    const p = facts.period === undefined ? undefined : parsePeriod(facts.period);
    if (p) period = p.text;
    else warnings.push(`考核期间无法识别（${facts.period ?? '未填写'}），不提醒缺失的考核结果 / assessment period not recognised (${facts.period ?? 'none'}): missing results are not reminded`);
  }
  let phase = phaseOfKind[facts.kind];
  // The ledger may already say more than "waiting" (a file written after the fact).
  if (facts.ledgerStatus === 'released') {
    amounts.heldFen = 0;
    amounts.releasedFen = facts.amountFen;
    phase = 'closed';
  } else if (facts.ledgerStatus === 'forfeited') {
    amounts.heldFen = 0;
    amounts.forfeitedFen = facts.amountFen;
    phase = 'closed';
  } else if (facts.ledgerStatus === 'payable' || facts.ledgerStatus === 'partially_released') {
    amounts.heldFen = 0;
    amounts.payableFen = facts.amountFen;
    phase = 'payable';
    if (facts.ledgerStatus === 'partially_released') {
      warnings.push('台账状态为“部分支付”但未记载已付金额，按全额待付处理 / the ledger says partially released without the amount paid: the whole amount is treated as payable');
    }
  }
  const s: HoldbackState = {
    facts,
    clockOffsetMs,
    version: 0,
    status: 'waiting',
    phase,
    amounts,
    ...(period ? { period } : {}),
    assessments: [],
    warrantyExtensionMonths: 0,
    remindersSent: [],
    remindersSentCount: 0,
    events: [],
    processed: {},
    releaseCount: 0,
    warnings,
  };
  return withStatus(s);
}

/** Whether the ledger already holds facts the workflow must record as events at start (an assessment, an acceptance date). */
export function hasLedgerEvents(facts: HoldbackFacts): boolean {
  return (facts.kind === 'om_assessment' && facts.ledgerAssessments.length > 0) || (facts.kind === 'acceptance' && facts.ledgerAcceptedOn !== undefined);
}

/**
 * The state right after the first start when the ledger has no such facts: the initial state
 * with its first schedule, version 1. The opening activity writes its progress and the workflow
 * takes the same state (both call this with the same facts, offset and schedule).
 */
export function openedState(facts: HoldbackFacts, clockOffsetMs: number, planned: PlannedSchedule | undefined): HoldbackState {
  const s = withSchedule(initialState(facts, clockOffsetMs), planned);
  return { ...s, version: s.version + 1 };
}

/** The schedule a state needs (undefined: none — waiting on an event without a date, or closed). */
export function planFor(s: HoldbackState, now: string): PlanRequest | undefined {
  const f = s.facts;
  switch (s.phase) {
    case 'warranty':
      if (f.explicitDueOn) return { plan: 'retention', baseOn: f.explicitDueOn, months: s.warrantyExtensionMonths, now };
      if (f.warrantyStartOn && f.warrantyMonths !== undefined) return { plan: 'retention', baseOn: f.warrantyStartOn, months: f.warrantyMonths + s.warrantyExtensionMonths, now };
      return undefined;
    case 'awaiting_assessment':
      return s.period ? { plan: 'assessment', period: s.period, graceDays: ASSESSMENT_GRACE_DAYS, now } : undefined;
    case 'payable': {
      const from = s.acceptedOn ?? s.milestoneReachedOn ?? s.assessments.find((a) => a.passed)?.assessedOn;
      if (from) return { plan: 'payment', fromOn: from, termDays: f.paymentTermDays, now };
      // A retention that fell due keeps its retention schedule (weekly after due).
      if (f.kind === 'retention') return planFor({ ...s, phase: 'warranty' }, now);
      // Payable from the ledger without an event date: due on the explicit date, else at once.
      return { plan: 'payment', fromOn: f.explicitDueOn ?? civilDateOf(now), termDays: 0, now };
    }
    default:
      return undefined;
  }
}

export function withSchedule(s: HoldbackState, planned: PlannedSchedule | undefined): HoldbackState {
  if (!planned) return { ...s, schedule: undefined };
  const keep = s.schedule && s.schedule.basis === planned.basis && s.schedule.plan === planned.plan ? s.schedule.sentKeys : [];
  const schedule: HoldbackSchedule = {
    plan: planned.plan,
    basis: planned.basis,
    nominalDueOn: planned.nominalDueOn,
    dueOn: planned.dueOn,
    dueAt: planned.dueAt,
    pending: planned.reminders.filter((r) => !keep.includes(r.key)),
    ...(planned.replanAt ? { replanAt: planned.replanAt } : {}),
    sentKeys: keep,
  };
  const warnings = [...s.warnings];
  for (const w of planned.warnings) {
    const text = `${w.zh} / ${w.en}`;
    if (!warnings.includes(text)) warnings.push(text);
  }
  return { ...s, schedule, warnings };
}

// ── Checks ──────────────────────────────────────────────────────────────────────────────────

function closedProblem(s: HoldbackState): Problem[] {
  return s.phase === 'closed' ? [problem('(root)', 'holdback_closed', `该暂缓支付款项已结清（${s.status}），不再记录事项`, `this holdback is closed (${s.status}); nothing more can be recorded`)] : [];
}

function kindProblem(s: HoldbackState, kind: HoldbackFacts['kind'], what: [string, string]): Problem[] {
  return s.facts.kind === kind ? [] : [problem('(root)', 'wrong_kind', `${what[0]}只适用于${kindZh[kind]}类暂缓支付，本项为${kindZh[s.facts.kind]}`, `${what[1]} applies to ${kind} holdbacks only; this one is ${s.facts.kind}`)];
}

const kindZh = { retention: '质保金', om_assessment: '运维考核', acceptance: '验收后支付', milestone: '里程碑' } as const;

function notAfterToday(path: string, date: string, today: string): Problem[] {
  return date > today ? [problem(path, 'date_in_future', `日期 ${date} 晚于今天（${today}）`, `date ${date} is after today (${today})`)] : [];
}

export function checkAssessment(s: HoldbackState, a: RecordAssessment, today: string): Problem[] {
  const kind = kindProblem(s, 'om_assessment', ['考核结果', 'an assessment result']);
  if (kind.length) return kind;
  const closed = closedProblem(s);
  if (closed.length) return closed;
  const problems: Problem[] = [...notAfterToday('assessedOn', a.assessedOn, today)];
  const p = parsePeriod(a.period);
  if (!p) {
    problems.push(problem('period', 'unknown_period', `无法识别的考核期间：${a.period}（应为 2021、2021-H1 或 2021-Q3）`, `unknown assessment period: ${a.period} (expected 2021, 2021-H1 or 2021-Q3)`));
  } else if (s.phase !== 'awaiting_assessment') {
    problems.push(problem('period', 'already_passed', '考核已通过，款项已转为可支付', 'the assessment already passed; the amount is payable'));
  } else if (s.assessments.some((x) => x.period === p.text)) {
    problems.push(problem('period', 'period_already_assessed', `${p.text} 期间的考核结果已记录`, `the result for period ${p.text} is already recorded`));
  } else if (p.text !== s.period) {
    problems.push(problem('period', 'period_not_awaited', `正在等待 ${s.period ?? '（未知）'} 期间的考核结果，不是 ${p.text}`, `waiting for the result of period ${s.period ?? '(unknown)'}, not ${p.text}`));
  }
  if (a.passed && s.facts.omCoefficientApplies && a.coefficientBp === undefined) {
    problems.push(problem('coefficientBp', 'coefficient_required', '合同约定按考核系数支付：考核通过时须填写系数', 'the contract scales the fee by the assessment coefficient: give the coefficient with a pass'));
  }
  return problems;
}

export function checkAcceptance(s: HoldbackState, a: RecordAcceptance, today: string): Problem[] {
  const kind = kindProblem(s, 'acceptance', ['验收', 'an acceptance']);
  if (kind.length) return kind;
  if (s.acceptedOn !== undefined) {
    return s.acceptedOn === a.acceptedOn
      ? []
      : [problem('acceptedOn', 'already_accepted', `已于 ${s.acceptedOn} 验收，不能改为 ${a.acceptedOn}`, `already accepted on ${s.acceptedOn}; cannot be changed to ${a.acceptedOn}`)];
  }
  const closed = closedProblem(s);
  if (closed.length) return closed;
  const problems = notAfterToday('acceptedOn', a.acceptedOn, today);
  if ((s.facts.retentionRateBp ?? 0) > 0 && a.warrantyMonths === undefined && s.facts.contractWarrantyMonths === undefined) {
    problems.push(problem('warrantyMonths', 'warranty_required', '合同约定了质保金比例但没有质保期：请填写质保期（月）', 'the contract has a retention rate but no warranty: give warrantyMonths'));
  }
  return problems;
}

export function checkDefect(s: HoldbackState, d: ReportDefect, today: string): Problem[] {
  const kind = kindProblem(s, 'retention', ['缺陷报告', 'a defect report']);
  if (kind.length) return kind;
  const closed = closedProblem(s);
  if (closed.length) return closed;
  const problems = notAfterToday('reportedOn', d.reportedOn, today);
  const end = s.schedule?.dueOn;
  if (end !== undefined && d.reportedOn > end) {
    problems.push(problem('reportedOn', 'defect_after_warranty', `质保期已于 ${end} 届满，之后发现的缺陷不延长质保期`, `the warranty ended on ${end}; a defect found after it does not extend it`));
  }
  const f = s.facts;
  if (f.warrantyMonths !== undefined && f.warrantyMonths + s.warrantyExtensionMonths + d.extendMonths > MAX_WARRANTY_MONTHS) {
    problems.push(
      problem(
        'extendMonths',
        'warranty_too_long',
        `延长后质保期为 ${f.warrantyMonths + s.warrantyExtensionMonths + d.extendMonths} 个月，超过 ${MAX_WARRANTY_MONTHS} 个月（建质〔2017〕138号）`,
        `the warranty would become ${f.warrantyMonths + s.warrantyExtensionMonths + d.extendMonths} months, more than ${MAX_WARRANTY_MONTHS} (建质〔2017〕138号)`,
      ),
    );
  }
  return problems;
}

export function checkMilestone(s: HoldbackState, m: RecordMilestone, today: string): Problem[] {
  const kind = kindProblem(s, 'milestone', ['里程碑', 'a milestone']);
  if (kind.length) return kind;
  const closed = closedProblem(s);
  if (closed.length) return closed;
  if (s.phase !== 'awaiting_milestone') {
    return [problem('milestone', 'milestone_already_recorded', `里程碑已于 ${s.milestoneReachedOn ?? '（台账）'} 达成`, `the milestone was already reached on ${s.milestoneReachedOn ?? '(ledger)'}`)];
  }
  const problems = notAfterToday('reachedOn', m.reachedOn, today);
  const expected = s.facts.milestone?.trim();
  if (expected !== undefined && m.milestone.trim() !== expected) {
    problems.push(problem('milestone', 'unknown_milestone', `本项等待的里程碑是“${expected}”，不是“${m.milestone}”`, `this holdback waits for the milestone "${expected}", not "${m.milestone}"`));
  }
  return problems;
}

export function checkRelease(s: HoldbackState, r: RecordRelease, today: string): Problem[] {
  const closed = closedProblem(s);
  if (closed.length) return closed;
  const problems = notAfterToday('paidOn', r.paidOn, today);
  const a = s.amounts;
  if (r.amountFen > outstanding(a)) {
    problems.push(problem('amountFen', 'release_exceeds_held', `支付 ${yuan(r.amountFen)} 超过尚未支付的暂缓金额 ${yuan(outstanding(a))}`, `a release of ${yuan(r.amountFen)} exceeds what is still withheld (${yuan(outstanding(a))})`));
  } else if (r.amountFen > a.payableFen) {
    problems.push(
      problem(
        'amountFen',
        'release_not_due',
        a.payableFen === 0 ? `支付条件尚未满足（${s.facts.condition}），现无可支付金额` : `支付 ${yuan(r.amountFen)} 超过已到期可支付的 ${yuan(a.payableFen)}`,
        a.payableFen === 0 ? `the condition is not met yet (${s.facts.condition}): nothing is payable` : `a release of ${yuan(r.amountFen)} exceeds the payable ${yuan(a.payableFen)}`,
      ),
    );
  }
  return problems;
}

// ── Transitions ─────────────────────────────────────────────────────────────────────────────

export interface Transition {
  next: HoldbackState;
  event: Omit<HoldbackEventRecord, 'requestId' | 'recordedAt' | 'source' | 'actor'>;
  /** Whether the schedule must be made again (and from what). */
  replan: boolean;
  retention?: RetentionOpened;
  changed: boolean;
}

export function applyAssessment(s: HoldbackState, a: RecordAssessment): Transition {
  const p = parsePeriod(a.period);
  const period = p?.text ?? a.period;
  const assessments = [...s.assessments, { period, passed: a.passed, assessedOn: a.assessedOn, ...(a.coefficientBp !== undefined ? { coefficientBp: a.coefficientBp } : {}), source: 'update' as const }];
  if (!a.passed) {
    const next = p ? nextPeriod(p).text : undefined;
    return {
      next: withStatus({ ...s, assessments, ...(next ? { period: next } : {}) }),
      event: {
        type: 'assessment',
        occurredOn: a.assessedOn,
        zh: `${period} 期间运维考核未通过，${yuan(s.amounts.heldFen)} 继续暂缓，等待 ${next ?? '下一期间'} 的考核结果`,
        en: `O&M assessment for ${period} failed: ${yuan(s.amounts.heldFen)} stays withheld until the ${next ?? 'next'} assessment`,
      },
      replan: true,
      changed: true,
    };
  }
  const held = s.amounts.heldFen;
  const scaled = s.facts.omCoefficientApplies && a.coefficientBp !== undefined;
  const payable = scaled ? applyRateBp(held, a.coefficientBp!) : held;
  const forfeited = held - payable;
  const reason = forfeited > 0 ? `${period} 期间考核系数 ${(a.coefficientBp! / 100).toFixed(2)}%，${yuan(forfeited)} 不予支付 / coefficient ${(a.coefficientBp! / 100).toFixed(2)}% for ${period}: ${yuan(forfeited)} not payable` : undefined;
  const amounts = { ...s.amounts, heldFen: 0, payableFen: s.amounts.payableFen + payable, forfeitedFen: s.amounts.forfeitedFen + forfeited };
  const next = withStatus({ ...s, assessments, amounts, phase: 'payable', ...(reason ? { forfeitReason: reason } : {}) });
  return {
    next,
    event: {
      type: 'assessment',
      occurredOn: a.assessedOn,
      zh: `${period} 期间运维考核通过，${yuan(payable)} 转为可支付${forfeited > 0 ? `，${yuan(forfeited)} 按系数扣减` : ''}`,
      en: `O&M assessment for ${period} passed: ${yuan(payable)} payable${forfeited > 0 ? `, ${yuan(forfeited)} forfeited by the coefficient` : ''}`,
    },
    replan: true,
    changed: true,
  };
}

export function applyAcceptance(s: HoldbackState, a: RecordAcceptance): Transition {
  if (s.acceptedOn === a.acceptedOn) {
    return { next: s, event: { type: 'acceptance', occurredOn: a.acceptedOn, zh: `已于 ${a.acceptedOn} 验收（重复记录，未改变）`, en: `already accepted on ${a.acceptedOn} (repeated; nothing changed)` }, replan: false, changed: false };
  }
  const f = s.facts;
  const held = s.amounts.heldFen;
  const rate = f.retentionRateBp ?? 0;
  const part = rate > 0 ? Math.min(held, applyRateBp(f.retentionBaseFen ?? held, rate)) : 0;
  const warrantyMonths = a.warrantyMonths ?? f.contractWarrantyMonths;
  const retention: RetentionOpened | undefined =
    part > 0 && warrantyMonths !== undefined
      ? { holdbackCode: retentionCodeFor(f.ref.holdbackCode), workflowId: '', amountFen: part, warrantyStartOn: a.acceptedOn, warrantyMonths }
      : undefined;
  const amounts = { ...s.amounts, heldFen: 0, payableFen: s.amounts.payableFen + held - part, transferredFen: s.amounts.transferredFen + part };
  const next = withStatus({ ...s, amounts, acceptedOn: a.acceptedOn, phase: 'payable' });
  return {
    next,
    event: {
      type: 'acceptance',
      occurredOn: a.acceptedOn,
      zh: `${a.acceptedOn} 验收合格，${yuan(held - part)} 转为可支付${retention ? `；质保金 ${yuan(part)}（${(rate / 100).toFixed(2)}%）转入 ${retention.holdbackCode}，质保期 ${warrantyMonths} 个月` : ''}`,
      en: `accepted on ${a.acceptedOn}: ${yuan(held - part)} payable${retention ? `; retention ${yuan(part)} (${(rate / 100).toFixed(2)}%) moved to ${retention.holdbackCode}, ${warrantyMonths}-month warranty` : ''}`,
    },
    replan: true,
    ...(retention ? { retention } : {}),
    changed: true,
  };
}

export function applyDefect(s: HoldbackState, d: ReportDefect): Transition {
  const backToHeld = s.phase === 'payable';
  const amounts = backToHeld ? { ...s.amounts, heldFen: s.amounts.heldFen + s.amounts.payableFen, payableFen: 0 } : s.amounts;
  const next = withStatus({ ...s, amounts, phase: 'warranty', warrantyExtensionMonths: s.warrantyExtensionMonths + d.extendMonths });
  return {
    next,
    event: {
      type: 'defect',
      occurredOn: d.reportedOn,
      zh: `${d.reportedOn} 报告缺陷：${d.description}；质保期延长 ${d.extendMonths} 个月`,
      en: `defect reported on ${d.reportedOn}: ${d.description}; warranty extended by ${d.extendMonths} month(s)`,
    },
    replan: true,
    changed: true,
  };
}

export function applyMilestone(s: HoldbackState, m: RecordMilestone): Transition {
  const held = s.amounts.heldFen;
  const amounts = { ...s.amounts, heldFen: 0, payableFen: s.amounts.payableFen + held };
  return {
    next: withStatus({ ...s, amounts, milestoneReachedOn: m.reachedOn, phase: 'payable' }),
    event: { type: 'milestone', occurredOn: m.reachedOn, zh: `${m.reachedOn} 达成里程碑“${m.milestone}”，${yuan(held)} 转为可支付`, en: `milestone "${m.milestone}" reached on ${m.reachedOn}: ${yuan(held)} payable` },
    replan: true,
    changed: true,
  };
}

export function applyRelease(s: HoldbackState, r: RecordRelease): Transition {
  const amounts = { ...s.amounts, payableFen: s.amounts.payableFen - r.amountFen, releasedFen: s.amounts.releasedFen + r.amountFen };
  const releaseCount = s.releaseCount + 1;
  const paymentCode = releasePaymentCode(s.facts.ref.holdbackCode, releaseCount);
  const next = withStatus({ ...s, amounts, releaseCount });
  const rest = outstanding(amounts);
  return {
    next,
    event: {
      type: 'release',
      occurredOn: r.paidOn,
      amountFen: r.amountFen,
      paymentCode,
      zh: `${r.paidOn} 支付 ${yuan(r.amountFen)}（${paymentCode}）${rest > 0 ? `，尚余 ${yuan(rest)}` : '，已全部支付'}`,
      en: `${yuan(r.amountFen)} paid on ${r.paidOn} (${paymentCode})${rest > 0 ? `; ${yuan(rest)} still outstanding` : '; fully released'}`,
    },
    replan: false,
    changed: true,
  };
}

/** A retention's warranty has ended: what is held becomes payable. */
export function becomeDue(s: HoldbackState): HoldbackState {
  const amounts = { ...s.amounts, payableFen: s.amounts.payableFen + s.amounts.heldFen, heldFen: 0 };
  return withStatus({ ...s, amounts, phase: 'payable' });
}

/** Records an event and what it answered; bumps the version. */
export function commit(
  s: HoldbackState,
  t: Transition,
  meta: { requestId: string; recordedAt: string; source: 'ledger' | 'update'; actor?: string; fingerprint: string },
): { state: HoldbackState; record: HoldbackEventRecord; result: HoldbackEventResult } {
  const record: HoldbackEventRecord = { requestId: meta.requestId, recordedAt: meta.recordedAt, source: meta.source, ...(meta.actor ? { actor: meta.actor } : {}), ...t.event };
  const next = t.next;
  const result: HoldbackEventResult = {
    requestId: meta.requestId,
    type: t.event.type,
    changed: t.changed,
    status: next.status,
    phase: next.phase,
    amounts: next.amounts,
    ...(next.schedule && next.phase !== 'closed' ? { dueOn: next.schedule.dueOn } : {}),
    ...(t.event.paymentCode ? { paymentCode: t.event.paymentCode } : {}),
    ...(t.retention ? { retention: t.retention } : {}),
    zh: t.event.zh,
    en: t.event.en,
  };
  const state: HoldbackState = {
    ...next,
    version: next.version + (t.changed ? 1 : 0),
    events: t.changed ? [...next.events, record] : next.events,
    processed: { ...next.processed, [meta.requestId]: { fingerprint: meta.fingerprint, result } },
    ...(t.retention ? { retention: t.retention } : {}),
  };
  return { state, record, result };
}

/** Marks a reminder as fired. */
export function reminderFired(s: HoldbackState, key: string, sent: HoldbackState['remindersSent'][number]): HoldbackState {
  if (!s.schedule) return s;
  const schedule = { ...s.schedule, pending: s.schedule.pending.filter((r) => r.key !== key), sentKeys: [...s.schedule.sentKeys, key] };
  return { ...s, schedule, remindersSent: [...s.remindersSent, sent].slice(-KEEP_REMINDERS), remindersSentCount: s.remindersSentCount + 1, version: s.version + 1 };
}

// ── Views ───────────────────────────────────────────────────────────────────────────────────

export function statusView(s: HoldbackState, asOf: string): HoldbackStatusView {
  const f = s.facts;
  const next = s.schedule?.pending[0];
  return {
    workflowId: f.workflowId,
    ref: f.ref,
    kind: f.kind,
    origin: f.origin,
    projectName: f.projectName,
    condition: f.condition,
    status: s.status,
    phase: s.phase,
    awaiting: awaitingOf(s),
    amounts: s.amounts,
    ...(s.schedule ? { dueOn: s.schedule.dueOn, nominalDueOn: s.schedule.nominalDueOn } : {}),
    ...(s.period && s.phase === 'awaiting_assessment' ? { period: s.period } : {}),
    ...(f.milestone ? { milestone: f.milestone } : {}),
    ...(s.acceptedOn ? { acceptedOn: s.acceptedOn } : {}),
    ...(next ? { nextReminder: { key: next.key, date: next.date, at: next.at } } : {}),
    remindersSent: s.remindersSent,
    remindersSentCount: s.remindersSentCount,
    events: s.events,
    ...(s.forfeitReason ? { forfeitReason: s.forfeitReason } : {}),
    ...(s.retention ? { retention: s.retention } : {}),
    warnings: s.warnings,
    asOf,
  };
}

export function progressOf(s: HoldbackState, at: string): HoldbackProgress {
  const f = s.facts;
  const next = s.schedule?.pending[0];
  return {
    workflowId: f.workflowId,
    ref: f.ref,
    kind: f.kind,
    origin: f.origin,
    ...(f.parentCode ? { parentCode: f.parentCode } : {}),
    projectCode: f.projectCode,
    projectName: f.projectName,
    allocationCode: f.allocationCode,
    ...(f.contractCode ? { contractCode: f.contractCode } : {}),
    condition: f.condition,
    ...(f.warrantyStartOn ? { warrantyStartOn: f.warrantyStartOn } : {}),
    ...(f.warrantyMonths !== undefined ? { warrantyMonths: f.warrantyMonths + s.warrantyExtensionMonths } : {}),
    status: s.status,
    phase: s.phase,
    awaiting: awaitingOf(s),
    ...(s.period && s.phase === 'awaiting_assessment' ? { period: s.period } : {}),
    ...(f.milestone ? { milestone: f.milestone } : {}),
    amounts: s.amounts,
    ...(s.schedule && s.phase !== 'closed' ? { nextDueOn: s.schedule.dueOn } : {}),
    ...(next ? { nextReminderAt: next.at } : {}),
    remindersSent: s.remindersSentCount,
    version: s.version,
    at,
  };
}

/** The awaited assessment period's end (for views). */
export function periodEndOf(text: string): string | undefined {
  const p = parsePeriod(text);
  return p ? periodEnd(p) : undefined;
}

export type { HoldbackEventType };
