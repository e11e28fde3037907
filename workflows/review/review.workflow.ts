/**
 * The review above the unit (抽查复核) of a campaign unit's issued report, started by the unit's
 * evaluation at its first issue (`review/<unit>/<year>`, a child of the evaluation):
 *
 *   the report goes to the unit's 主管部门 (when it has one), then to the bureau. Each level's
 *   officers are told and reminded every 2 working days until the level decides:
 *   - accept → the next level, or (the bureau) the review ends: the evaluation ends, the campaign is told;
 *   - return with comments per section or indicator → the evaluation reopens exactly what they name
 *     (a signal to the evaluation, worked out here: each section with its comments and those on the
 *     indicators it assesses; the indicators the finance officer values) and the review waits for
 *     the revision's issue — a new frozen version, which goes through every level again;
 *   - adjust indicators' points, each with a reason → recorded beside the self-score (the reviewed
 *     score); the level still accepts or returns.
 *
 * Every decision is a validated Update (a refused one leaves no trace) recorded once with its
 * actor (review_decisions, the audit log); the campaign's projection of the unit follows.
 */
import {
  ApplicationFailure, allHandlersFinished, condition, getExternalWorkflowHandle, log, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { ZodType } from 'zod';
import type { Activities } from '../../activities';
import { pointsToCp } from '../../domain/self-assessment';
import { formatPoints } from '../../domain/rate';
import { problemsFromZod, type Problem } from '../../domain/validation';
import { INVALID_MESSAGE, type ReviewReturn, reviewReturnedSignal } from '../evaluation/contract';
import { unitAcceptedSignal } from '../campaign/contract';
import {
  type AcceptReviewArgs, acceptReviewArgsSchema, acceptReviewUpdate, type AdjustReviewArgs, adjustReviewArgsSchema, adjustReviewUpdate, REVIEW_LEVEL_ZH, reportReissuedSignal,
  type ReturnReviewArgs, returnReviewArgsSchema, returnReviewUpdate, type ReviewDecisionView, type ReviewLevel, type ReviewLevelRef, type ReviewScope, type ReviewState,
  type ReviewStatus, reviewStatusQuery, TOLERANT_CAMPAIGN_SIGNAL_PATCH, type UnitReviewInput, type UnitReviewResult,
} from './contract';

/** The review's rows (decisions, the campaign's projection): short idempotent database work. */
const acts = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
const notify = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 } });

function check<T>(schema: ZodType<T>, args: unknown): T {
  const parsed = schema.safeParse(args);
  if (!parsed.success) fail(problemsFromZod(parsed.error, args));
  return parsed.data;
}

function fail(problems: Problem[]): never {
  throw ApplicationFailure.nonRetryable(`输入有误 / invalid input: ${problems.map((p) => `${p.path}: ${p.en}`).join('; ')}`, INVALID_MESSAGE, ...problems);
}

function refuse(zh: string, en: string, type = 'not_allowed'): never {
  throw ApplicationFailure.nonRetryable(`${zh} / ${en}`, type);
}

export async function unitReview(input: UnitReviewInput): Promise<UnitReviewResult> {
  const workflowId = workflowInfo().workflowId;
  let state: ReviewState = 'awaiting';
  let levels: ReviewLevelRef[] = [];
  let scope: ReviewScope | undefined;
  let campaignWorkflowId: string | null = null;
  let levelIndex = 0;
  let version = input.reportVersion;
  let round = 1;
  const decisions: ReviewDecisionView[] = [];
  let decided = 0;
  let returned: ReviewReturn | undefined;
  let accepted: { by: string; at: string } | undefined;
  let reissued: number | undefined;
  let waiting: ReviewStatus['waiting'] = null;
  const level = (): ReviewLevel | null => (state === 'awaiting' ? (levels[levelIndex]?.level ?? null) : null);

  setHandler(reviewStatusQuery, (): ReviewStatus => ({
    workflowId, unitCode: input.unitCode, year: input.year, state, level: level(), levels: levels.map((l) => ({ ...l })), reportVersion: version, round,
    decisions: decisions.map((d) => ({ ...d })), waiting: waiting && { ...waiting },
  }));

  setHandler(reportReissuedSignal, ({ reportVersion }) => {
    if (state === 'returned' && reportVersion > version) reissued = reportVersion;
  });

  /** What every decision checks first: the review is at this level, for this version. */
  const expect = (args: { level: ReviewLevel; reportVersion: number }) => {
    if (!scope) refuse('复核尚未开始', 'the review has not opened yet', 'stale');
    if (state === 'accepted') refuse('报告已通过复核', 'the report was accepted already');
    if (state === 'returned') refuse(`报告已退回修改，待第${version}版之后的新版本签发后再复核`, 'the report is returned to the unit; the review resumes with its next issued version');
    const at = level()!;
    if (args.level !== at) refuse(`报告当前由${REVIEW_LEVEL_ZH[at]}复核`, `the report is with the ${at} for review`, 'wrong_level');
    if (args.reportVersion !== version) refuse(`待复核的是第${version}版`, `version ${version} is under review`, 'stale');
  };
  const labelOf = (c: { section?: string | undefined; indicator?: string | undefined }) =>
    c.section !== undefined ? `科室“${scope!.sections.find((s) => s.code === c.section)?.name ?? c.section}”` : `指标“${scope!.indicators.find((i) => i.id === c.indicator)?.name ?? c.indicator}”`;

  setHandler(
    acceptReviewUpdate,
    async (args: AcceptReviewArgs) => {
      const at = level()!;
      const last = levelIndex === levels.length - 1;
      await acts.recordReviewDecision({
        workflowId, unitCode: input.unitCode, year: input.year, reportVersion: version, level: at, decision: 'accept', actor: args.actor, ...(args.note ? { note: args.note } : {}),
        key: `v${version}|${at}|accept`, now: new Date().toISOString(), after: last ? { state: 'accepted', reviewLevel: null } : { state: 'in_review', reviewLevel: levels[levelIndex + 1]!.level },
      });
      decisions.push({ level: at, decision: 'accept', by: args.actor, at: new Date().toISOString(), reportVersion: version, ...(args.note ? { note: args.note } : {}) });
      if (last) {
        state = 'accepted';
        accepted = { by: args.actor, at: new Date().toISOString() };
      } else {
        levelIndex += 1;
      }
      decided += 1;
      return { ok: true as const, state, level: level() };
    },
    { validator: (args: AcceptReviewArgs) => expect(check(acceptReviewArgsSchema, args)) },
  );

  setHandler(
    returnReviewUpdate,
    async (args: ReturnReviewArgs) => {
      const at = level()!;
      const comments = args.comments.map((c) => ({ ...(c.section !== undefined ? { section: c.section } : {}), ...(c.indicator !== undefined ? { indicator: c.indicator } : {}), text: c.text.trim() }));
      const recorded = await acts.recordReviewDecision({
        workflowId, unitCode: input.unitCode, year: input.year, reportVersion: version, level: at, decision: 'return', actor: args.actor, comments,
        key: `v${version}|${at}|return`, now: new Date().toISOString(), after: { state: 'returned', reviewLevel: null },
      });
      // What reopens: each section with its comments and those on the indicators it assesses; the finance officer's indicators.
      const bySection = new Map<string, string[]>();
      const financeIndicators: string[] = [];
      const financeLines: string[] = [];
      for (const c of comments) {
        if (c.section !== undefined) {
          bySection.set(c.section, [...(bySection.get(c.section) ?? []), c.text]);
          continue;
        }
        const ind = scope!.indicators.find((i) => i.id === c.indicator)!;
        if (ind.assessor.kind === 'section') {
          bySection.set(ind.assessor.section, [...(bySection.get(ind.assessor.section) ?? []), `${labelOf(c)}：${c.text}`]);
        } else {
          if (!financeIndicators.includes(ind.id)) financeIndicators.push(ind.id);
          financeLines.push(`${labelOf(c)}：${c.text}`);
        }
      }
      const by = `${REVIEW_LEVEL_ZH[at]}（${args.actor}）`;
      returned = {
        level: at, by: args.actor, at: new Date().toISOString(), reportVersion: version, comments, dueAt: recorded.revisionDueAt,
        sections: [...bySection.entries()].map(([section, texts]) => ({ section, reason: `${by}复核退回：${texts.join('；')}` })),
        selfAssessment: financeIndicators.length ? { indicators: financeIndicators, reason: `${by}复核退回：${financeLines.join('；')}`, dueAt: recorded.revisionDueAt } : null,
      };
      decisions.push({ level: at, decision: 'return', by: args.actor, at: returned.at, reportVersion: version, comments });
      state = 'returned';
      decided += 1;
      return { ok: true as const, state, level: null };
    },
    {
      validator: (args: ReturnReviewArgs) => {
        const a = check(returnReviewArgsSchema, args);
        expect(a);
        const problems: Problem[] = [];
        a.comments.forEach((c, i) => {
          if (c.section !== undefined && !scope!.sections.some((s) => s.code === c.section)) {
            problems.push({ path: `comments[${i}].section`, code: 'unknown_section', zh: `本单位没有科室“${c.section}”`, en: `the unit has no section "${c.section}"` });
          }
          if (c.indicator !== undefined && !scope!.indicators.some((ind) => ind.id === c.indicator)) {
            problems.push({ path: `comments[${i}].indicator`, code: 'unknown_indicator', zh: `评分表中没有指标“${c.indicator}”`, en: `the score sheet has no indicator "${c.indicator}"` });
          }
        });
        if (problems.length) fail(problems);
      },
    },
  );

  setHandler(
    adjustReviewUpdate,
    async (args: AdjustReviewArgs) => {
      const at = level()!;
      const adjustments = args.adjustments.map((a) => {
        const ind = scope!.indicators.find((i) => i.id === a.indicator)!;
        return { indicator: a.indicator, pointsCp: pointsToCp(String(a.points).trim()), selfCp: ind.selfCp, reason: a.reason.trim() };
      });
      // Each adjustment is its own decision (a level may adjust again); keyed by its place in the review.
      await acts.recordReviewDecision({
        workflowId, unitCode: input.unitCode, year: input.year, reportVersion: version, level: at, decision: 'adjust', actor: args.actor, adjustments,
        key: `v${version}|${at}|adjust|${decisions.length}`, now: new Date().toISOString(), after: null,
      });
      decisions.push({ level: at, decision: 'adjust', by: args.actor, at: new Date().toISOString(), reportVersion: version, adjustments });
      return { ok: true as const, state, level: level() };
    },
    {
      validator: (args: AdjustReviewArgs) => {
        const a = check(adjustReviewArgsSchema, args);
        expect(a);
        const problems: Problem[] = [];
        a.adjustments.forEach((adj, i) => {
          const ind = scope!.indicators.find((x) => x.id === adj.indicator);
          if (!ind) return problems.push({ path: `adjustments[${i}].indicator`, code: 'unknown_indicator', zh: `评分表中没有指标“${adj.indicator}”`, en: `the score sheet has no indicator "${adj.indicator}"` });
          if (ind.selfCp === null) return problems.push({ path: `adjustments[${i}].indicator`, code: 'not_scored', zh: `指标“${ind.name}”没有自评得分，不能调整`, en: `the indicator "${ind.name}" has no self-score to adjust` });
          const cp = pointsToCp(adj.points);
          if (cp > ind.maxCp) problems.push({ path: `adjustments[${i}].points`, code: 'points_exceed_weight', zh: `${formatPoints(cp)} 分超过指标“${ind.name}”的分值 ${formatPoints(ind.maxCp)} 分`, en: `${formatPoints(cp)} exceeds the weight ${formatPoints(ind.maxCp)} of "${ind.name}"` });
          return undefined;
        });
        if (problems.length) fail(problems);
      },
    },
  );

  /** Until a level decides: its officers are told, then reminded every 2 working days (planned by an activity on the working-day calendar). */
  const awaitDecision = async () => {
    const at = levels[levelIndex]!;
    const since = new Date().toISOString();
    const key = `v${version}|${at.level}`;
    const before = decided;
    const done = () => decided > before;
    await notify.notifyReview({ workflowId, unitCode: input.unitCode, year: input.year, event: 'arrived', level: at.level, reportVersion: version, key });
    const status = { since, remindersSent: 0, nextReminderAt: null as string | null };
    waiting = status;
    const sent = new Set<string>();
    try {
      let plan = await acts.planWaitReminders({ since, now: since, reminderTime: '09:00' });
      for (;;) {
        if (done()) return;
        let next = plan.events.find((e) => !sent.has(e.key));
        if (!next) {
          plan = await acts.planWaitReminders({ since, now: new Date().toISOString(), reminderTime: '09:00' });
          next = plan.events.find((e) => !sent.has(e.key));
          if (!next) {
            status.nextReminderAt = null;
            await condition(done);
            return;
          }
        }
        status.nextReminderAt = next.at;
        if (await condition(done, Math.max(Date.parse(next.at) - Date.now(), 0))) return;
        await notify.notifyReview({ workflowId, unitCode: input.unitCode, year: input.year, event: 'reminder', level: at.level, reportVersion: version, key: `${key}|${next.key}`, since });
        sent.add(next.key);
        status.remindersSent += 1;
      }
    } finally {
      waiting = null;
    }
  };

  const opened = await acts.openReview({ workflowId, unitCode: input.unitCode, year: input.year, reportVersion: version });
  ({ levels, scope, campaignWorkflowId } = opened);
  if (!levels.length) throw ApplicationFailure.nonRetryable(`单位 ${input.unitCode} 不属于任何主管部门或财政局，无人复核 / unit ${input.unitCode} belongs to no organisation that could review it`, 'no_reviewer');

  // The decisions' handlers move `state`; read it through a function (narrowing does not see them).
  const now = (): ReviewState => state;
  for (;;) {
    await awaitDecision();
    if (now() === 'accepted') break;
    if (now() === 'awaiting') continue; // the next level
    // Returned: the evaluation reopens what the comments name; the review resumes with the revision's issue.
    const back = returned!;
    await getExternalWorkflowHandle(input.evaluationWorkflowId).signal(reviewReturnedSignal, back);
    await notify.notifyReview({
      workflowId, unitCode: input.unitCode, year: input.year, event: 'returned', level: back.level, reportVersion: version, key: `v${version}|${back.level}|returned`, by: back.by,
      lines: back.comments.map((c) => `${labelOf(c)}：${c.text}`), dueAt: back.dueAt,
    });
    await condition(() => reissued !== undefined);
    version = reissued!;
    reissued = undefined;
    returned = undefined;
    round += 1;
    levelIndex = 0;
    state = 'awaiting';
    ({ levels, scope, campaignWorkflowId } = await acts.openReview({ workflowId, unitCode: input.unitCode, year: input.year, reportVersion: version }));
  }

  await notify.notifyReview({ workflowId, unitCode: input.unitCode, year: input.year, event: 'accepted', level: 'bureau', reportVersion: version, key: `v${version}|accepted`, by: accepted!.by });
  if (campaignWorkflowId) {
    const tolerant = patched(TOLERANT_CAMPAIGN_SIGNAL_PATCH);
    const signal = getExternalWorkflowHandle(campaignWorkflowId).signal(unitAcceptedSignal, { unitCode: input.unitCode });
    if (tolerant) {
      await signal.catch((e: unknown) => log.warn('the campaign was not told of the acceptance (its workflow has stopped); a restart reads it from the database', { campaignWorkflowId, error: e instanceof Error ? e.message : String(e) }));
    } else {
      await signal;
    }
  }
  await condition(allHandlersFinished);
  return { acceptedVersion: version, acceptedBy: accepted!.by, at: accepted!.at };
}
