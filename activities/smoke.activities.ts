import type { Db } from '../db/connection';
import { recordSmokeCheck } from '../db/smoke.repository';

export function createSmokeActivities(deps: { db: Db }) {
  return {
    async recordSmokeCheck(input: { workflowId: string; note: string; firedAt: string }): Promise<{ inserted: boolean }> {
      return recordSmokeCheck(deps.db, input);
    },
  };
}
