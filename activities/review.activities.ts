/**
 * Activities of the review above the unit: open it (who reviews, what may be commented on and
 * adjusted), record each decision once with its actor and keep the campaign's projection of the
 * unit current, and tell people — the reviewing level's officers when a report arrives and while
 * it waits, the unit's finance officer and head when it is returned or accepted. Idempotent: a
 * retried or replayed call records and sends nothing twice.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { addWorkingDays } from '../domain/calendar/working-days';
import { civilDateOf, instantAt, toEpochMs } from '../domain/calendar/civil-date';
import { assessorOf } from '../domain/self-assessment';
import type { ScoreSheet } from '../domain/scoring';
import { formatPoints } from '../domain/rate';
import { campaignOfUnitYear, setCampaignUnitState } from '../db/campaigns.repository';
import { unitYearKeys } from '../db/evaluations.repository';
import { officersOf, reviewLevelsOfUnit } from '../db/organisations.repository';
import { type RecordedAdjustment, recordReviewDecision, type ReviewComment } from '../db/reviews.repository';
import { ruleSetCatalog } from '../db/rule-sets.repository';
import type { CampaignUnitState } from '../db/schema';
import { REVIEW_LEVEL_ZH, type ReviewLevel, type ReviewLevelRef, type ReviewScope } from '../workflows/review/contract';
import type { ActivityDeps } from '.';

/** Working days the unit has to revise a returned report (the reopened tasks' due date). */
export const REVISION_WORKING_DAYS = 5;

/** The review page of a unit-year (the unit's people and its reviewers read it). */
export const reviewLink = (unitCode: string, year: number) => `/units/${encodeURIComponent(unitCode)}/years/${year}/review`;

export function createReviewActivities(deps: ActivityDeps) {
  const { db, calendar } = deps;
  const shift = deps.clockShiftMs ?? 0;
  const business = (iso: string) => toEpochMs(iso) + shift;
  const server = (iso: string) => new Date(toEpochMs(iso) - shift).toISOString();
  const dateText = (iso: string) => {
    const [y, m, d] = civilDateOf(business(iso)).split('-').map(Number) as [number, number, number];
    return `${y}年${m}月${d}日`;
  };

  async function keys(unitCode: string, year: number) {
    const k = await unitYearKeys(db, unitCode, year);
    if (!k) throw ApplicationFailure.nonRetryable(`账套中没有 ${unitCode} ${year} 年度 / no unit-year ${unitCode} ${year}`, 'not_found');
    return k;
  }
  const unitName = async (unitCode: string) => (await db.selectFrom('units').select('name').where('code', '=', unitCode).executeTakeFirst())?.name ?? unitCode;

  return {
    /**
     * Opens (or, after a revision, reopens) the review of an issued version: the levels above the
     * unit, the sections and the indicators (with the self-score of the issued version and who
     * values each) a reviewer may comment on or adjust; the campaign unit is `issued`, waiting for
     * the first level.
     */
    async openReview(input: { workflowId: string; unitCode: string; year: number; reportVersion: number }): Promise<{ levels: ReviewLevelRef[]; scope: ReviewScope; campaignWorkflowId: string | null }> {
      const k = await keys(input.unitCode, input.year);
      const levels = (await reviewLevelsOfUnit(db, input.unitCode)).map((l) => ({ level: l.level, organisationCode: l.organisationCode, organisationName: l.organisationName }));
      const sections = await db.selectFrom('sections').select(['code', 'name', 'assesses']).where('unit_id', '=', k.unitId).orderBy('position').execute();
      const evaluation = await db.selectFrom('evaluations').select(['score', 'rule_set_id', 'rule_set_version']).where('unit_year_id', '=', k.unitYearId).executeTakeFirst();
      const sheet = (evaluation?.score as ScoreSheet | null | undefined) ?? null;
      const catalog = await ruleSetCatalog(db);
      const ruleSet = evaluation?.rule_set_id && evaluation.rule_set_version ? catalog(evaluation.rule_set_id, evaluation.rule_set_version) : undefined;
      const assessors = sections.map((s) => ({ code: s.code, assesses: (s.assesses) ?? [] }));
      const indicators = (ruleSet?.indicators ?? []).map((ind) => {
        const scored = sheet?.indicators.find((i) => i.id === ind.id);
        return { id: ind.id, name: ind.level3, maxCp: ind.weightCp, selfCp: scored?.status === 'scored' ? scored.pointsCp : null, assessor: assessorOf(ind, assessors) };
      });
      const campaign = await campaignOfUnitYear(db, input.unitCode, input.year);
      await setCampaignUnitState(db, { unitCode: input.unitCode, year: input.year, state: 'issued', reviewLevel: levels[0]?.level ?? null, reportVersion: input.reportVersion });
      return { levels, scope: { sections: sections.map((s) => ({ code: s.code, name: s.name })), indicators }, campaignWorkflowId: campaign?.workflowId ?? null };
    },

    /**
     * Records a level's decision once (keyed by the review and the decision's place) with its
     * actor, and moves the campaign unit (`after`). A return also gives the revision's due date:
     * REVISION_WORKING_DAYS working days from now, at the end of the day.
     */
    async recordReviewDecision(input: {
      workflowId: string; unitCode: string; year: number; reportVersion: number; level: ReviewLevel; decision: 'accept' | 'return' | 'adjust'; actor: string;
      comments?: ReviewComment[]; adjustments?: RecordedAdjustment[]; note?: string; key: string;
      after: { state: CampaignUnitState; reviewLevel: ReviewLevel | null } | null;
      /** The workflow's now (the revision's due date counts from it). */
      now: string;
    }): Promise<{ recorded: boolean; revisionDueAt: string }> {
      const k = await keys(input.unitCode, input.year);
      const recorded = await recordReviewDecision(db, {
        unitYearId: k.unitYearId, unitId: k.unitId, reportVersion: input.reportVersion, level: input.level, decision: input.decision, actor: input.actor,
        ...(input.comments ? { comments: input.comments } : {}), ...(input.adjustments ? { adjustments: input.adjustments } : {}), ...(input.note ? { note: input.note } : {}),
        dedupeKey: `${input.workflowId}|${input.key}`, subject: input.workflowId,
      });
      if (input.after) await setCampaignUnitState(db, { unitCode: input.unitCode, year: input.year, state: input.after.state, reviewLevel: input.after.reviewLevel });
      const due = addWorkingDays(calendar, civilDateOf(business(input.now)), REVISION_WORKING_DAYS).date;
      return { recorded, revisionDueAt: server(instantAt(due, '18:00')) };
    },

    /**
     * Tells people about the review: a report arrived at a level, or still waits there (its
     * officers); it was returned with comments, or accepted by the bureau (the unit's finance
     * officer and head). One message per occasion.
     */
    async notifyReview(input: {
      workflowId: string; unitCode: string; year: number; event: 'arrived' | 'reminder' | 'returned' | 'accepted'; level: ReviewLevel; reportVersion: number; key: string;
      since?: string; by?: string; lines?: string[]; dueAt?: string;
    }) {
      const name = await unitName(input.unitCode);
      const link = reviewLink(input.unitCode, input.year);
      const dedupeKey = `${input.workflowId}|${input.event}|${input.key}`;
      const report = `${name}${input.year}年度部门整体支出绩效自评报告（第${input.reportVersion}版）`;
      if (input.event === 'arrived' || input.event === 'reminder') {
        const org = (await reviewLevelsOfUnit(db, input.unitCode)).find((l) => l.level === input.level);
        const userIds = org ? await officersOf(db, org.organisationId, input.level === 'department' ? 'department_officer' : 'bureau_officer') : [];
        if (!userIds.length) return { recipients: 0, created: 0, sent: 0, skipped: 0, failed: 0 };
        const subject = input.event === 'arrived' ? `待复核：${report}` : `提醒：${report}自${dateText(input.since!)}起待${REVIEW_LEVEL_ZH[input.level]}复核`;
        return deps.notifier.notify({
          dedupeKey, unitCode: input.unitCode, kind: input.event === 'arrived' ? 'review_arrived' : 'review_reminder', audience: { userIds }, robots: false, subject, link, workflowId: input.workflowId,
          body: `${report}已签发，请${REVIEW_LEVEL_ZH[input.level]}复核：通过、按科室或指标提出意见退回修改，或说明理由调整指标得分。`,
        });
      }
      if (input.event === 'returned') {
        return deps.notifier.notify({
          dedupeKey, unitCode: input.unitCode, kind: 'review_returned', audience: { roles: ['finance_officer', 'unit_head'] }, link, workflowId: input.workflowId,
          subject: `${input.year}年度绩效自评报告（第${input.reportVersion}版）被${REVIEW_LEVEL_ZH[input.level]}退回修改`,
          body: `${REVIEW_LEVEL_ZH[input.level]}（${input.by ?? ''}）复核后退回了第${input.reportVersion}版报告，意见如下：\n${(input.lines ?? []).map((l, i) => `${i + 1}. ${l}`).join('\n')}\n\n被退回的科室材料和指标已重新打开，请于${input.dueAt ? dateText(input.dueAt) : ''}前修改后提交；其他内容保持不变。修改后的报告经单位负责人批准后签发为新的版本，再报复核。`,
        });
      }
      return deps.notifier.notify({
        dedupeKey, unitCode: input.unitCode, kind: 'review_accepted', audience: { roles: ['finance_officer', 'unit_head'] }, link, workflowId: input.workflowId,
        subject: `${input.year}年度绩效自评报告（第${input.reportVersion}版）通过复核`,
        body: `${report}已通过复核（${input.by ?? ''}）。`,
      });
    },
  };
}

/** "12.50 分" — for messages naming points. */
export const pointsText = (cp: number) => `${formatPoints(cp)} 分`;
