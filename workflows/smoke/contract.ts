/**
 * Contract of the smoke-check workflow: proves a deployment end to end (Temporal timer →
 * activity → Postgres row). Also the long-timer canary of the test suite.
 */
import { defineQuery } from '@temporalio/workflow';

export { taskQueue } from '../task-queue';

export const smokeCheckId = (label: string): string => `smoke/${label}`;

export interface SmokeCheckInput {
  /** How long to wait on a durable timer before writing, in milliseconds. */
  waitMs: number;
  note: string;
}

export interface SmokeCheckResult {
  firedAt: string;
  inserted: boolean;
}

export type SmokeCheckState = 'waiting' | 'writing' | 'done';

export const smokeCheckStateQuery = defineQuery<SmokeCheckState>('smokeCheck.state');

/** Workflow type name (the exported function's name in the bundle). */
export const smokeCheckWorkflowType = 'smokeCheck';
