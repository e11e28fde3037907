/** Temporal environments for tests: the shared dev server, or a time-skipping server per file. */
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { NativeConnection } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';

/**
 * A namespace of the test file's own on the shared dev server. Workflow ids are the product's
 * identity (one evaluation per unit-year, one workflow per withheld payment), so two files that
 * import the seed unit would otherwise meet each other's workflows — running on a queue whose
 * worker is gone. Registration is immediate on the dev server (Temporal ≥ 1.20).
 */
export async function ownNamespace(name: string): Promise<string> {
  const namespace = `${name}-${Math.random().toString(36).slice(2, 10)}`;
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  } finally {
    await connection.close();
  }
  return namespace;
}

/** A client and a worker connection on the shared dev server, in a namespace of the file's own. */
export async function devServerConnections(name: string): Promise<{ namespace: string; client: Client; native: NativeConnection }> {
  const namespace = await ownNamespace(name);
  const address = inject('temporalAddress');
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const native = await NativeConnection.connect({ address });
  return { namespace, client, native };
}

/** The dev server started by the global setup (real server, real visibility, no time skipping), in a namespace of the file's own. */
export async function devServerEnv(name: string): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress'), namespace: await ownNamespace(name) });
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
