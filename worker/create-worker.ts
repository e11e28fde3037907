/**
 * Building a Worker: the one place that wires activities, the workflow bundle and the task queue,
 * used by the worker process and by the tests alike.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Activities } from '../activities';
import { taskQueue as defaultTaskQueue } from '../workflows/task-queue';

/** The workflow entry point, as TypeScript source (tsx, vitest) or compiled JavaScript (dist). */
export function workflowsPath(): string {
  const base = path.resolve(__dirname, '../workflows/index');
  for (const ext of ['.ts', '.js']) if (fs.existsSync(base + ext)) return base + ext;
  throw new Error(`workflow entry point not found next to ${base}`);
}

/**
 * Modules evaluated once per worker thread and shared (frozen) by every workflow, instead of once
 * per workflow: the SDK otherwise gives each workflow its own copy of every module it imports,
 * and zod alone is ~2.5 MB of heap and a few ms of CPU per copy. Only stateless modules belong here.
 */
export function sharedWorkflowModules(): string[] {
  return [path.join(path.dirname(workflowsPath()), `shared-modules${path.extname(workflowsPath())}`)];
}

/** Bundle once and reuse across workers (bundling costs about a second). */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietBundlerLogger, preloadModules: sharedWorkflowModules() });
}

/**
 * The bundle for a long-running worker: a prebuilt file when SELFEVAL_WORKFLOW_BUNDLE names one,
 * else built now in a child process (so the bundler's memory is not kept by the worker).
 */
export async function loadWorkflowBundle(prebuilt: string | undefined): Promise<WorkflowBundle> {
  if (prebuilt) return { code: fs.readFileSync(prebuilt, 'utf8') };
  const out = path.join(os.tmpdir(), `selfeval-workflow-bundle-${process.pid}.js`);
  const script = path.resolve(__dirname, 'build-bundle');
  const entry = fs.existsSync(`${script}.ts`) ? `${script}.ts` : `${script}.js`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, entry, out], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the workflow bundle failed (exit ${code})`))));
  });
  try {
    return { code: fs.readFileSync(out, 'utf8') };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: Activities;
  taskQueue?: string;
  workflowBundle?: WorkflowBundle;
  /** Seconds given to running activities on shutdown. */
  shutdownGraceTime?: string;
  /**
   * Workflows kept in the worker's cache (each ~0.6 MB since zod is shared; measured with
   * bench:cycle). Holdbacks wake rarely, so a small cache costs little and keeps the worker's
   * memory flat however many are open (default 100).
   */
  maxCachedWorkflows?: number;
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? defaultTaskQueue,
    activities: options.activities,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
    maxCachedWorkflows: options.maxCachedWorkflows ?? 100,
  });
}
