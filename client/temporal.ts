/** Temporal client helpers for the API, the CLI and the launcher. */
import { Client, Connection, type ConnectionOptions, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { Config } from '../domain/config';
import { AppError } from '../domain/errors';
import { taskQueue } from '../workflows/task-queue';

/**
 * gRPC waits longer and longer between reconnection attempts while a server is down (up to two
 * minutes): after an outage of a minute, the API and /healthz stayed failed for 40 s after the
 * server was back. At most 2 s between attempts, they recover within ~2 s of it.
 */
export const RECONNECT_CHANNEL_ARGS = { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 2_000 } as const;

/**
 * The SDK retries a call Temporal did not answer ten times over ~20 s: a person waiting on a page
 * would wait that long to learn it is down. Six attempts over ~3 s still ride out a blip.
 */
export const CALL_RETRY = { maxAttempts: 6 } as const;

/** How selfeval's clients connect (the API, the command line, the scripts). */
export function temporalConnectionOptions(address: string): ConnectionOptions {
  return {
    address,
    connectTimeout: '5 seconds',
    channelArgs: { ...RECONNECT_CHANNEL_ARGS },
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions(CALL_RETRY))],
  };
}

export async function connectTemporal(config: Pick<Config, 'temporal'>): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal.address));
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** Answers when the server and the namespace are reachable within the deadline. */
export async function pingTemporal(client: Client, timeoutMs = 2_000): Promise<void> {
  await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    client.workflowService.describeNamespace({ namespace: client.options.namespace }),
  );
}

/** Link to a workflow in the Temporal web UI. */
export function workflowUiUrl(config: { temporal: { uiUrl: string; namespace: string } }, workflowId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Number of workers polling selfeval's workflow task queue right now. */
export async function countPollers(client: Client, queue: string = taskQueue, timeoutMs = 2_000): Promise<number> {
  const response = await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: queue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    }),
  );
  return response.pollers?.length ?? 0;
}

/** How a workflow's latest run stands (Temporal's execution status, in our words). */
export type RunState = 'running' | 'completed' | 'failed' | 'terminated' | 'cancelled' | 'timed_out' | 'other';

const runStates: Record<string, RunState> = {
  RUNNING: 'running', COMPLETED: 'completed', FAILED: 'failed', TERMINATED: 'terminated', CANCELLED: 'cancelled', TIMED_OUT: 'timed_out',
};

/** The workflow's latest run, or undefined when Temporal knows no such workflow (never started, or forgotten). */
export async function latestRun(client: Client, workflowId: string): Promise<{ runId: string; state: RunState; closedAt: string | null } | undefined> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return { runId: d.runId, state: runStates[d.status.name] ?? 'other', closedAt: d.closeTime?.toISOString() ?? null };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return undefined;
    throw e;
  }
}

/** The input a run started with (its first event's first argument); undefined when it had none. Errors (Temporal away) are thrown. */
export async function startInputOf<T>(client: Client, workflowId: string, runId: string): Promise<T | undefined> {
  const history = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
  const attributes = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  return decodeFromPayloadsAtIndex<T | undefined>(client.options.loadedDataConverter, 0, attributes?.input?.payloads);
}

/**
 * Starts a new run of a workflow whose last run stopped without completing (failed, terminated,
 * cancelled, timed out) — never over a completed one — and returns its run id. Someone else's
 * restart that got there first is a conflict, said with `meanwhile`.
 */
export async function startOverStoppedRun(
  client: Client,
  workflowType: string,
  options: { workflowId: string; taskQueue: string; args: unknown[] },
  meanwhile: { zh: string; en: string },
): Promise<string> {
  try {
    const handle = await client.workflow.start(workflowType, { ...options, workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' });
    return handle.firstExecutionRunId;
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) throw new AppError('conflict', meanwhile.zh, meanwhile.en);
    throw e;
  }
}
