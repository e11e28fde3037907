/**
 * Everything selfeval computes from a unit-year: reconciliation findings, carry-over ageing, every
 * indicator the ledger, the 基础数据表, the sections' output indicators and the surveys can feed,
 * and the score against the unit-year's rule set with the self-assessment's values. One function,
 * so `selfeval check`, the evaluation workflow's activities, the API and the report all see the
 * same figures.
 *
 * Each value the rule set scores names its source (基础数据表, 申报数, 科室产出指标, 满意度调查, 自评
 * by whom), so the 自评表 can say where every point comes from.
 */
import {
  budgetCompletionRate,
  budgetCompletionRateHunan,
  budgetAdjustmentRate,
  budgetControlRate,
  budgetExecutionRate,
  buildingAreaControlRate,
  buildingInvestmentControlRate,
  carryoverChangeRate,
  carryoverRate,
  type ClassifiedOutput,
  type IndicatorResult,
  keyExpenditureRate,
  outputRate,
  outputRateCodes,
  type OutputRateResult,
  paymentProgressRate,
  procurementExecutionRate,
  publicFundsControlRate,
  satisfactionRate,
  staffControlRate,
  threePublicChangeRate,
  threePublicChangeRateFinal,
  threePublicControlRate,
} from '../indicators';
import { sumFen } from '../money';
import { rateFromBp } from '../rate';
import { ruleSetOf } from '../rule-sets';
import { type IndicatorValue, previewScore, type ScoreSheet, type ScoringRuleSet, type ScoringValues, valuesFromResults } from '../scoring';
import { assessorOf, pointsToCp, type SelfAssessmentEntry, valueKindOf } from '../self-assessment';
import { carryOverAgeing, type AgeingFlag } from './carry-over';
import { type Figure, type Figures, resolveFigures } from './figures';
import { reconcile, type ReconcileOptions, type Reconciliation } from './reconcile';
import type { UnitYear } from './unit-year.schema';

export interface Analysis {
  unitCode: string;
  unitName: string;
  year: number;
  reconciliation: Reconciliation;
  ageing: AgeingFlag[];
  /** Every computed indicator (ledger, 基础数据表, output indicators, surveys); those without figures are absent. */
  indicators: IndicatorResult[];
  /** The 产出 rates with the output indicators each was computed from. */
  outputRates: OutputRateResult[];
  score: ScoreSheet;
}

export interface AnalysisOptions extends ReconcileOptions {
  /** Default: the unit-year's own (`ruleSet`), else the Hunan department-wide set. */
  ruleSet?: ScoringRuleSet;
  /** Values that override everything (tests, a reviewer's manual scores). */
  values?: ScoringValues;
  /** The self-assessment to use instead of the file's (the finance officer's task, from the database). */
  selfAssessment?: readonly SelfAssessmentEntry[];
  /** Evidence file names by id, so the 自评表 can list them. */
  evidenceNames?: ReadonlyMap<number, string>;
}

/** "基础数据表", "申报数", "推算" …: the short names of where figures come from. */
function sourceOf(...figures: Array<{ sourceZh: string } | undefined>): string {
  const short = (s: string) => (s.startsWith('基础数据表') ? '基础数据表' : s.startsWith('推算') ? '账套推算' : s.startsWith('单位基本情况') ? '单位基本情况' : s.startsWith('上年结转结余') ? '申报数' : '申报数');
  return [...new Set(figures.filter((f): f is { sourceZh: string } => f !== undefined).map((f) => short(f.sourceZh)))].join('、');
}

const withSource = (r: IndicatorResult, ...figures: Array<{ sourceZh: string } | undefined>): IndicatorResult => ({ ...r, sourceZh: sourceOf(...figures) });

/** The standard indicators the ledger's and the 基础数据表's figures can feed; each needs all of its inputs. */
export function ledgerIndicators(doc: UnitYear, reconciliation: Reconciliation, figures: Figures = resolveFigures(doc, reconciliation.computed.impliedClosingBalance).figures): IndicatorResult[] {
  const f = figures;
  const out: IndicatorResult[] = [withSource(staffControlRate({ staffInPost: f.staffInPost.count, authorisedPosts: f.authorisedPosts.count }), f.staffInPost, f.authorisedPosts)];
  if (f.threePublicBudget && f.threePublicPreviousBudget) {
    out.push(withSource(threePublicChangeRate({ currentBudgetFen: f.threePublicBudget.amount, previousBudgetFen: f.threePublicPreviousBudget.amount }), f.threePublicBudget, f.threePublicPreviousBudget));
  }
  if (f.threePublicActual && f.threePublicPreviousFinal) {
    out.push(withSource(threePublicChangeRateFinal({ currentFinalFen: f.threePublicActual.amount, previousFinalFen: f.threePublicPreviousFinal.amount }), f.threePublicActual, f.threePublicPreviousFinal));
  }
  // 重点支出安排率 only when the unit has said which projects are key.
  if (doc.projects.length > 0 && doc.projects.every((p) => p.key !== undefined)) {
    const paid = (keyOnly: boolean) => sumFen(doc.projects.filter((p) => !keyOnly || p.key).flatMap((p) => p.payments.map((x) => x.amount)));
    out.push({ ...keyExpenditureRate({ keyProjectFen: paid(true), totalProjectFen: paid(false) }), sourceZh: '账套（项目支付明细）' });
  }
  const carry: Figure = { amount: doc.stated.carryOver.amount, sourceZh: '申报数' };
  if (f.initialBudget) {
    const supp = f.supplementary ?? { amount: 0, sourceZh: '申报数' };
    out.push(
      withSource(
        budgetCompletionRateHunan({ carriedForwardFen: carry.amount, initialBudgetFen: f.initialBudget.amount, supplementaryFen: supp.amount, yearEndBalanceFen: f.closingBalance.amount }),
        carry, f.initialBudget, f.supplementary, f.closingBalance,
      ),
    );
    out.push(withSource(budgetControlRate({ supplementaryFen: supp.amount, initialBudgetFen: f.initialBudget.amount }), f.initialBudget, f.supplementary));
    // 预算调整率 (53号, 岳阳): 预算调整数 ÷ 预算数, the adjustment being the stated 追加 or, without
    // it, 调整后预算 − 年初预算. Policy-driven changes the rate should leave out cannot be told
    // apart here; the unit explains them (the rule asks for a reason when points are lost).
    const adjustment = f.supplementary ?? (f.adjustedBudget ? { amount: f.adjustedBudget.amount - f.initialBudget.amount, sourceZh: f.adjustedBudget.sourceZh } : undefined);
    if (adjustment && adjustment.amount >= 0) out.push(withSource(budgetAdjustmentRate({ adjustmentFen: adjustment.amount, budgetFen: f.initialBudget.amount }), f.initialBudget, adjustment));
  }
  if (f.executed && f.adjustedBudget) {
    out.push(withSource(budgetCompletionRate({ completedFen: f.executed.amount, budgetFen: f.adjustedBudget.amount }), f.executed, f.adjustedBudget));
    out.push(withSource(budgetExecutionRate({ executedFen: f.executed.amount, adjustedBudgetFen: f.adjustedBudget.amount }), f.executed, f.adjustedBudget));
    if (f.plannedPaymentProgress) {
      out.push(
        withSource(
          paymentProgressRate({ paidFen: f.executed.amount, annualBudgetFen: f.adjustedBudget.amount, plannedProgress: rateFromBp(f.plannedPaymentProgress.bp), asOf: `${doc.year}年12月31日` }),
          f.executed, f.adjustedBudget, f.plannedPaymentProgress,
        ),
      );
    }
    out.push(withSource(carryoverRate({ carryoverFen: f.closingBalance.amount, denominator: { basis: 'expenditure_budget', amountFen: f.adjustedBudget.amount } }), f.closingBalance, f.adjustedBudget));
  }
  out.push(withSource(carryoverRate({ carryoverFen: f.closingBalance.amount, denominator: { basis: 'general_public_expenditure', amountFen: doc.stated.expenditure.total.amount } }), f.closingBalance));
  out.push(withSource(carryoverChangeRate({ currentFen: f.closingBalance.amount, previousFen: f.previousClosingBalance.amount }), f.closingBalance, f.previousClosingBalance));
  if (f.publicFundsBudget) out.push(withSource(publicFundsControlRate({ actualFen: f.publicFundsActual.amount, budgetFen: f.publicFundsBudget.amount }), f.publicFundsActual, f.publicFundsBudget));
  if (f.threePublicBudget && f.threePublicActual) out.push(withSource(threePublicControlRate({ actualFen: f.threePublicActual.amount, budgetFen: f.threePublicBudget.amount }), f.threePublicActual, f.threePublicBudget));
  if (f.procurementBudget && f.procurementActual) out.push(withSource(procurementExecutionRate({ actualFen: f.procurementActual.amount, budgetFen: f.procurementBudget.amount }), f.procurementActual, f.procurementBudget));
  if (doc.basicData) {
    // With a 基础数据表, no 楼堂馆所 row means none was built: the rates do not apply (their rule decides).
    const src = { sourceZh: '基础数据表' };
    out.push(withSource(buildingAreaControlRate(f.buildings), src), withSource(buildingInvestmentControlRate(f.buildings), src));
  }
  return out;
}

/** The sections' output indicators, each with its section, category and key-task mark. */
export function classifiedOutputs(doc: UnitYear): ClassifiedOutput[] {
  const names = new Map(doc.unit.sections.map((s) => [s.code, s.name]));
  return doc.submissions.flatMap((s) => s.outputIndicators.map((o) => ({ ...o, section: names.get(s.section) ?? s.section })));
}

export function analyseUnitYear(doc: UnitYear, options: AnalysisOptions = {}): Analysis {
  const reconciliation = reconcile(doc, options);
  const { figures } = resolveFigures(doc, reconciliation.computed.impliedClosingBalance);
  const ruleSet = options.ruleSet ?? ruleSetOf(doc);
  const outputs = classifiedOutputs(doc);
  const outputRates = outputRateCodes.map((code) => outputRate(code, outputs));
  const indicators = [...ledgerIndicators(doc, reconciliation, figures), ...outputRates.map((r) => r.result)];

  // The self-assessment: the finance officer's entries and each section's, for the indicators it assesses.
  const sectionName = new Map(doc.unit.sections.map((s) => [s.code, s.name]));
  const entries: Array<{ entry: SelfAssessmentEntry; byZh: string; section?: string }> = [
    ...(options.selfAssessment ?? doc.selfAssessment?.entries.map((e) => ({ ...e, evidence: [] })) ?? []).map((entry) => ({ entry, byZh: '自评（财务人员）' })),
    ...doc.submissions.flatMap((s) => s.selfAssessments.map((entry) => ({ entry, byZh: `自评（${sectionName.get(s.section) ?? s.section}）`, section: s.section }))),
  ];
  const values: Record<string, IndicatorValue> = valuesFromResults(ruleSet, indicators);
  const explanations = new Map(outputRates.flatMap((r) => (r.explanationZh ? [[r.result.code, r.explanationZh] as const] : [])));
  for (const ind of ruleSet.indicators) {
    const v = values[ind.id];
    if (v?.kind === 'indicator' && explanations.has(v.result.code)) values[ind.id] = { ...v, explanationZh: explanations.get(v.result.code)! };
  }
  const byId = new Map(ruleSet.indicators.map((i) => [i.id, i]));
  for (const { entry, byZh, section } of entries) {
    const ind = byId.get(entry.indicator);
    if (!ind) continue;
    // A section's entry counts only for the indicators the unit has it assess.
    const assessor = assessorOf(ind, doc.unit.sections);
    if ((assessor.kind === 'section') !== (section !== undefined) || (assessor.kind === 'section' && assessor.section !== section)) continue;
    const evidence = entry.evidence.flatMap((id) => (options.evidenceNames?.has(id) ? [options.evidenceNames.get(id)!] : []));
    const source = { zh: byZh, ...(evidence.length ? { evidence } : {}) };
    const reasonZh = entry.reason?.trim();
    if (entry.notApplicable) {
      values[ind.id] = { kind: 'not_applicable', reasonZh: reasonZh ?? '', source };
      continue;
    }
    const kind = valueKindOf(ind);
    if (kind === 'tiers' && entry.tier !== undefined && entry.points !== undefined) {
      values[ind.id] = { kind: 'tier', tier: entry.tier, pointsCp: pointsToCp(entry.points), ...(reasonZh ? { reasonZh } : {}), source };
    } else if (kind === 'survey' && entry.survey) {
      const result: IndicatorResult = satisfactionRate(entry.survey);
      indicators.push(result);
      values[ind.id] = { kind: 'indicator', result, ...(reasonZh ? { explanationZh: reasonZh } : {}), source: { ...source, zh: `满意度调查（${byZh}）` } };
    } else if (kind === 'computed' && reasonZh) {
      const current = values[ind.id];
      if (current?.kind === 'indicator' || current?.kind === 'output') values[ind.id] = { ...current, explanationZh: reasonZh };
    }
  }
  return {
    unitCode: doc.unit.code,
    unitName: doc.unit.name,
    year: doc.year,
    reconciliation,
    ageing: carryOverAgeing(doc, reconciliation.computed.balances),
    indicators,
    outputRates,
    score: previewScore(ruleSet, { ...values, ...options.values }),
  };
}
