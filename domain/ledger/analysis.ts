/**
 * Everything selfeval computes from a unit-year without asking anyone: reconciliation findings
 * and carry-over ageing (and, as they land, indicators and the score preview). One function, so
 * `selfeval check`, the evaluation workflow's activities and the report all see the same figures.
 */
import { carryOverAgeing, type AgeingFlag } from './carry-over';
import { reconcile, type ReconcileOptions, type Reconciliation } from './reconcile';
import type { UnitYear } from './unit-year.schema';

export interface Analysis {
  unitCode: string;
  unitName: string;
  year: number;
  reconciliation: Reconciliation;
  ageing: AgeingFlag[];
}

export function analyseUnitYear(doc: UnitYear, options: ReconcileOptions = {}): Analysis {
  const reconciliation = reconcile(doc, options);
  return {
    unitCode: doc.unit.code,
    unitName: doc.unit.name,
    year: doc.year,
    reconciliation,
    ageing: carryOverAgeing(doc, reconciliation.computed.balances),
  };
}
