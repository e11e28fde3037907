/**
 * All side effects live here, built from their dependencies so tests and the worker pass their
 * own (a real database, a real mail server). Every activity is idempotent.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import type { Notifier } from './notifications/notifier';
import { createSmokeActivities } from './smoke.activities';

export interface ActivityDeps {
  db: Db;
  notifier: Notifier;
  /** The working-day calendar (national holidays plus configured overrides). */
  calendar: WorkingDayCalendar;
  /** For activities that start other workflows (the evaluation starting holdbacks). */
  temporal?: Client;
  /** Base URL of the web pages, for links. */
  publicUrl: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSmokeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
