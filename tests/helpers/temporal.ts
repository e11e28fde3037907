/** Temporal environments for tests: the shared dev server, or a time-skipping server per file. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';

/** The dev server started by the global setup (real server, real visibility, no time skipping). */
export function devServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress'), namespace: 'default' });
}

/** A time-skipping test server of this file's own: `env.sleep('400 days')` takes milliseconds. */
export function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
  });
}

/** A task queue of the test's own, so suites sharing the dev server never steal each other's tasks. */
export function uniqueTaskQueue(name: string): string {
  return `${name}-${Math.random().toString(36).slice(2, 10)}`;
}
