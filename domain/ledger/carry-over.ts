/**
 * Carry-over ageing. Budget money not spent within two consecutive years is treated as 结余 and
 * may be recovered (预算法 第四十二条; 财预〔2015〕15号; 财预〔2018〕35号), and money that was
 * re-purposed keeps its original start year (the clock is not reset). At the end of year Y, an
 * unspent balance first allocated in year B has been unspent for Y − B + 1 consecutive years.
 */
import { type Fen, formatWanYuan } from '../money';
import type { Reconciliation } from './reconcile';
import type { UnitYear } from './unit-year.schema';

export type AgeingStatus = 'recoverable' | 'recoverable_next_year';

export interface AgeingFlag {
  project: string;
  allocation: string;
  label: string;
  /** The year the money was first allocated (original year when re-purposed). */
  originalYear: number;
  /** Consecutive budget years the balance has stayed unspent, counting the evaluated year. */
  yearsUnspent: number;
  unspent: Fen;
  status: AgeingStatus;
  /** Holdbacks that explain the balance (contractual reasons do not stop the clock). */
  holdbacks: string[];
  zh: string;
  en: string;
}

export function carryOverAgeing(doc: UnitYear, balances: Reconciliation['computed']['balances']): AgeingFlag[] {
  const flags: AgeingFlag[] = [];
  for (const b of balances) {
    if (b.balance <= 0) continue;
    const project = doc.projects.find((p) => p.code === b.project);
    const allocation = project?.allocations.find((a) => a.code === b.allocation);
    if (!project || !allocation) continue;
    const originalYear = allocation.originalBudgetYear ?? allocation.budgetYear;
    const yearsUnspent = doc.year - originalYear + 1;
    const label = `${project.name}·${allocation.name}`;
    const holdbacks = project.holdbacks.filter((h) => h.allocation === allocation.code).map((h) => h.code);
    const repurposed = allocation.originalBudgetYear !== undefined && allocation.originalBudgetYear !== allocation.budgetYear;
    const origin = repurposed ? `（原 ${originalYear} 年预算资金，调整用途后仍按原年度计算）` : '';
    if (yearsUnspent >= 2) {
      flags.push({
        project: project.code, allocation: allocation.code, label, originalYear, yearsUnspent, unspent: b.balance, status: 'recoverable', holdbacks,
        zh: `${label}${origin}截至 ${doc.year} 年末已连续 ${yearsUnspent} 年未用完，结余 ${formatWanYuan(b.balance)} 万元按结余资金管理，可能被财政收回。`,
        en: `${label}: ${formatWanYuan(b.balance)} 万元 of ${originalYear} money unspent for ${yearsUnspent} consecutive years; treated as surplus and subject to recovery.`,
      });
    } else if (yearsUnspent === 1) {
      flags.push({
        project: project.code, allocation: allocation.code, label, originalYear, yearsUnspent, unspent: b.balance, status: 'recoverable_next_year', holdbacks,
        zh: `${label}结余 ${formatWanYuan(b.balance)} 万元结转下年使用；若 ${doc.year + 1} 年末仍未用完，将按结余资金管理并可能被收回。`,
        en: `${label}: ${formatWanYuan(b.balance)} 万元 carried over; if still unspent at the end of ${doc.year + 1} it becomes surplus subject to recovery.`,
      });
    }
  }
  return flags;
}
