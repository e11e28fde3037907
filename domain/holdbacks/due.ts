/**
 * When a withheld amount falls due, from the ledger: a retention at the end of its warranty
 * (acceptance date + warranty months, on the next working day if that is a rest day), an explicit
 * contractual date when there is one. Amounts waiting on an event (an assessment, acceptance, a
 * milestone) have no date until the event is recorded.
 */
import { addMonths, type CivilDate, isCivilDate } from '../calendar/civil-date';
import { type CalendarWarning, type WorkingDayCalendar, workingDayOnOrAfter } from '../calendar/working-days';
import type { Contract, Holdback } from '../ledger/unit-year.schema';

export interface HoldbackDue {
  /** The due date, when it is known. */
  dueOn?: CivilDate;
  /** The date before moving off a rest day, when it moved. */
  nominalDueOn?: CivilDate;
  warnings: CalendarWarning[];
}

export function holdbackDue(cal: WorkingDayCalendar, holdback: Holdback, contract: Contract | undefined): HoldbackDue {
  let nominal: CivilDate | undefined;
  if (holdback.dueOn && isCivilDate(holdback.dueOn)) nominal = holdback.dueOn;
  else if (holdback.kind === 'retention' && contract?.acceptedOn && contract.warrantyMonths !== undefined && isCivilDate(contract.acceptedOn)) {
    nominal = addMonths(contract.acceptedOn, contract.warrantyMonths);
  }
  if (!nominal) return { warnings: [] };
  const on = workingDayOnOrAfter(cal, nominal);
  return { dueOn: on.date, ...(on.moved ? { nominalDueOn: nominal } : {}), warnings: on.warnings };
}
