/**
 * Everything selfeval computes from a unit-year without asking anyone: reconciliation findings,
 * carry-over ageing, the standard indicators the ledger can feed, and a score preview against a
 * rule set. One function, so `selfeval check`, the evaluation workflow's activities and the report
 * all see the same figures.
 */
import {
  budgetCompletionRateHunan,
  budgetControlRate,
  carryoverChangeRate,
  type IndicatorResult,
  keyExpenditureRate,
  procurementExecutionRate,
  publicFundsControlRate,
  staffControlRate,
  threePublicChangeRate,
  threePublicControlRate,
} from '../indicators';
import { sumFen } from '../money';
import { HUNAN_DEPARTMENT_RULE_SET, previewScore, type ScoreSheet, type ScoringRuleSet, type ScoringValues, valuesFromResults } from '../scoring';
import { carryOverAgeing, type AgeingFlag } from './carry-over';
import { reconcile, type ReconcileOptions, type Reconciliation } from './reconcile';
import type { UnitYear } from './unit-year.schema';

export interface Analysis {
  unitCode: string;
  unitName: string;
  year: number;
  reconciliation: Reconciliation;
  ageing: AgeingFlag[];
  /** Indicators computable from the ledger; those it lacks the figures for are absent (and unscored). */
  indicators: IndicatorResult[];
  score: ScoreSheet;
}

/** The standard indicators the ledger's figures can feed; each needs all of its inputs. */
export function ledgerIndicators(doc: UnitYear, reconciliation: Reconciliation): IndicatorResult[] {
  const s = doc.stated;
  const out: IndicatorResult[] = [staffControlRate({ staffInPost: doc.staff.actual, authorisedPosts: doc.unit.staffQuota })];
  if (s.budget.threePublic && s.budget.threePublicPreviousYear) {
    out.push(threePublicChangeRate({ currentBudgetFen: s.budget.threePublic.amount, previousBudgetFen: s.budget.threePublicPreviousYear.amount }));
  }
  // 重点支出安排率 only when the unit has said which projects are key.
  if (doc.projects.length > 0 && doc.projects.every((p) => p.key !== undefined)) {
    const paid = (keyOnly: boolean) => sumFen(doc.projects.filter((p) => !keyOnly || p.key).flatMap((p) => p.payments.map((x) => x.amount)));
    out.push(keyExpenditureRate({ keyProjectFen: paid(true), totalProjectFen: paid(false) }));
  }
  if (s.budget.initial) {
    out.push(
      budgetCompletionRateHunan({
        carriedForwardFen: s.carryOver.amount,
        initialBudgetFen: s.budget.initial.amount,
        supplementaryFen: s.budget.supplementary?.amount ?? 0,
        yearEndBalanceFen: s.closingBalance?.amount ?? reconciliation.computed.impliedClosingBalance,
      }),
    );
    out.push(budgetControlRate({ supplementaryFen: s.budget.supplementary?.amount ?? 0, initialBudgetFen: s.budget.initial.amount }));
  }
  if (s.closingBalance && s.actual.previousClosingBalance) {
    out.push(carryoverChangeRate({ currentFen: s.closingBalance.amount, previousFen: s.actual.previousClosingBalance.amount }));
  }
  if (s.budget.publicFunds) out.push(publicFundsControlRate({ actualFen: s.expenditure.public.amount, budgetFen: s.budget.publicFunds.amount }));
  if (s.budget.threePublic && s.actual.threePublic) out.push(threePublicControlRate({ actualFen: s.actual.threePublic.amount, budgetFen: s.budget.threePublic.amount }));
  if (s.budget.procurement && s.actual.procurement) out.push(procurementExecutionRate({ actualFen: s.actual.procurement.amount, budgetFen: s.budget.procurement.amount }));
  return out;
}

export function analyseUnitYear(
  doc: UnitYear,
  options: ReconcileOptions & { ruleSet?: ScoringRuleSet; values?: ScoringValues } = {},
): Analysis {
  const reconciliation = reconcile(doc, options);
  const indicators = ledgerIndicators(doc, reconciliation);
  const ruleSet = options.ruleSet ?? HUNAN_DEPARTMENT_RULE_SET;
  return {
    unitCode: doc.unit.code,
    unitName: doc.unit.name,
    year: doc.year,
    reconciliation,
    ageing: carryOverAgeing(doc, reconciliation.computed.balances),
    indicators,
    score: previewScore(ruleSet, { ...valuesFromResults(ruleSet, indicators), ...options.values }),
  };
}
