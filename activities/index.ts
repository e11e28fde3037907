/**
 * All side effects live here, built from their dependencies so tests and the worker pass their
 * own (a real database, a real mail server). Every activity is idempotent.
 */
import type { Db } from '../db/connection';
import { createSmokeActivities } from './smoke.activities';

export interface ActivityDeps {
  db: Db;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSmokeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
