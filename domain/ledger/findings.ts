/**
 * What a reconciliation finding is, and the comparison most of them come from: a stated total
 * against what its items add up to, with the rounding tolerance of figures published in 万元 to
 * two decimals. Shared by the ledger's checks (./reconcile) and the 基础数据表's (./basic-data-checks).
 */
import { divRoundHalfUp, type Fen, formatWanYuan } from '../money';
import type { Allocation, Project, StatedAmount } from './unit-year.schema';

export type Severity = 'error' | 'warning' | 'info';

export type FindingCode =
  | 'funds_balance_gap'
  | 'funds_balance_rounding'
  | 'closing_balance_not_stated'
  | 'basic_composition_gap'
  | 'basic_composition_rounding'
  | 'share_gap'
  | 'share_rounding'
  | 'total_composition_gap'
  | 'total_composition_rounding'
  | 'project_expenditure_gap'
  | 'project_expenditure_rounding'
  | 'allocation_overspent'
  | 'balance_without_holdback'
  | 'holdback_mismatch'
  | 'carry_over_not_itemised'
  | 'carry_over_over_itemised'
  | 'staff_over_quota'
  // Stated totals against their parts, beyond the ledger's own (and the 基础数据表's):
  | 'income_sources_gap'
  | 'income_sources_rounding'
  | 'budget_adjustment_gap'
  | 'budget_adjustment_rounding'
  | 'fund_sources_gap'
  | 'fund_sources_rounding'
  | 'figures_disagree'
  | 'three_public_composition_gap'
  | 'three_public_composition_rounding'
  | 'public_funds_parts_exceed'
  | 'public_funds_parts_rounding'
  | 'staff_rate_gap'
  | 'basic_data_project_gap'
  | 'basic_data_project_rounding'
  | 'basic_data_projects_total_gap'
  | 'basic_data_projects_total_rounding'
  | 'closing_balance_not_itemised'
  | 'closing_balance_over_itemised';

export interface FindingItem {
  /** Which side of the comparison the item is on. */
  side: 'stated' | 'computed';
  kind: 'stated' | 'allocation' | 'payment' | 'holdback' | 'staff' | 'basic_data';
  code?: string;
  label: string;
  amount?: Fen;
  source?: string;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Must be acknowledged (or the ledger corrected) before the evaluation is scored. */
  blocking: boolean;
  /** Money comparisons in 分; shares in basis points (1 bp = 0.01%). */
  unit: 'fen' | 'bp' | 'persons';
  stated: number | null;
  computed: number | null;
  /** stated − computed, in `unit`. */
  difference: number | null;
  project?: string;
  allocation?: string;
  items: FindingItem[];
  /** One sentence in Chinese, amounts in 万元 with two decimals. */
  zh: string;
  en: string;
}

export interface ReconcileOptions {
  /**
   * The unit in which stated amounts were published, in 分 (default 0.01万元 = 10,000 分): a stated
   * figure may be off its exact value by half of it.
   */
  statedRoundingUnitFen?: number;
}

export interface Reconciliation {
  findings: Finding[];
  /** Computed figures the report and the indicators use. */
  computed: {
    paymentsTotal: Fen;
    allocationsThisYear: Fen;
    carryOverItemised: Fen;
    balances: Array<{ project: string; allocation: string; allocated: Fen; paid: Fen; balance: Fen; heldBack: Fen }>;
    impliedClosingBalance: Fen;
  };
}

export const w = (fen: Fen) => `${formatWanYuan(fen)} 万元`;

export function pct(bp: number, decimals = 2): string {
  const scaled = divRoundHalfUp(bp, 10 ** (2 - decimals));
  const s = (scaled < 0n ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals);
  return `${scaled < 0n ? '-' : ''}${int}${decimals ? `.${s.slice(s.length - decimals)}` : ''}%`;
}

/** Decimals a stated share was written with, judged from its value (7500 → 0, 7480 → 1, 7484 → 2). */
export function shareDecimals(bp: number): number {
  if (bp % 100 === 0) return 0;
  if (bp % 10 === 0) return 1;
  return 2;
}

export function stated(label: string, s: StatedAmount): FindingItem {
  return { side: 'stated', kind: 'stated', label, amount: s.amount, ...(s.source ? { source: s.source } : {}) };
}

/**
 * How far a stated total may be off the sum of `terms` independently rounded stated figures by
 * rounding alone: half the publication unit per figure. Figures stated to the 分 (unit ≤ 1 分) are
 * exact — ledger money is whole 分 — so there the tolerance is none.
 */
export function roundingTolerance(options: Required<ReconcileOptions>, terms: number): number {
  return options.statedRoundingUnitFen <= 1 ? 0 : (options.statedRoundingUnitFen / 2) * terms;
}

/**
 * Compares a stated total with a sum. Inside the rounding tolerance → `rounding` finding (info);
 * beyond → `gap` finding. Equal → nothing.
 */
export function compareTotal(
  args: {
    gap: FindingCode;
    rounding: FindingCode;
    statedTotal: Fen;
    computed: Fen;
    /** Number of independently rounded stated figures on both sides (for the tolerance). */
    roundedTerms: number;
    items: FindingItem[];
    gapSeverity?: Severity;
    zh: (diff: Fen, withinRounding: boolean) => string;
    en: (diff: Fen, withinRounding: boolean) => string;
    project?: string;
  },
  options: Required<ReconcileOptions>,
): Finding | undefined {
  const diff = args.statedTotal - args.computed;
  if (diff === 0) return undefined;
  const tolerance = roundingTolerance(options, args.roundedTerms);
  const within = Math.abs(diff) <= tolerance;
  return {
    code: within ? args.rounding : args.gap,
    severity: within ? 'info' : (args.gapSeverity ?? 'error'),
    blocking: !within,
    unit: 'fen',
    stated: args.statedTotal,
    computed: args.computed,
    difference: diff,
    ...(args.project ? { project: args.project } : {}),
    items: args.items,
    zh: args.zh(diff, within),
    en: args.en(diff, within),
  };
}

export function allocationLabel(project: Project, a: Allocation): string {
  return `${project.name}·${a.name}`;
}

