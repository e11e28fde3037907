/**
 * What every route module shares: the route definition, the handler's context, the parameter
 * schemas, and the small helpers that turn requests and refused Temporal Updates into API answers.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Account } from '../../db/accounts.repository';
import { unitYearKeys } from '../../db/evaluations.repository';
import { AppError } from '../../domain/errors';
import type { Problem } from '../../domain/validation';
import { invalidHoldbackEventType } from '../../workflows/holdback/contract';
import { INVALID_MESSAGE } from '../../workflows/evaluation/contract';
import { taskQueue as defaultTaskQueue } from '../../workflows/task-queue';
import type { Access } from './access';
import type { ServerDeps } from './server';

export interface HandlerContext {
  deps: ServerDeps;
  request: FastifyRequest;
  reply: FastifyReply;
  account: Account | undefined;
}

/** Largest request body a route accepts unless it says otherwise (JSON of a form or a submission). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** For the two file uploads (a ledger workbook, a 10 MB evidence file), sent base64 in JSON. */
export const LARGE_BODY_LIMIT = 20 * 1024 * 1024;

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  tag: string;
  summary: string;
  access: Access;
  schema: { params?: z.ZodType; querystring?: z.ZodType; body?: z.ZodType; response?: Record<number, z.ZodType> };
  /** Sign-in itself has no session yet. */
  skipCsrf?: boolean;
  /** Largest body accepted, in bytes (default `DEFAULT_BODY_LIMIT`: 1 MB; file uploads declare `LARGE_BODY_LIMIT`). */
  bodyLimit?: number;
  handler: (ctx: HandlerContext) => Promise<unknown>;
}

export const unitParams = z.object({ unit: z.string().min(1).max(64) });
export const unitYearParams = z.object({ unit: z.string().min(1).max(64), year: z.coerce.number().int().min(2000).max(2100) });
export const taskParams = z.object({ task: z.string().regex(/^\d{1,15}$/) });
export const actorOf = (account: Account | undefined) => account?.email ?? 'anonymous';

export function params<T>(request: FastifyRequest): T {
  return request.params as T;
}
export function body<T>(request: FastifyRequest): T {
  return request.body as T;
}

/** A Temporal Update refused by the workflow becomes the matching API error. */
export async function update<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) throw new AppError('not_found', '流程不存在或已结束', 'no such running workflow');
    if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
      const f = e.cause;
      const [zh, en] = (f.message ?? '').split(' / ');
      if (f.type === INVALID_MESSAGE) throw AppError.invalid((f.details ?? []) as Problem[], zh ?? '输入有误', en ?? 'invalid input');
      // Holdback events carry their problems as the first detail.
      if (f.type === invalidHoldbackEventType) throw AppError.invalid(((f.details ?? [])[0] ?? []) as Problem[], zh ?? '记录有误', en ?? 'invalid event');
      if (f.type === 'not_found') throw new AppError('not_found', zh ?? '未找到', en ?? 'not found');
      throw new AppError('conflict', zh ?? '当前状态不允许此操作', en ?? f.message);
    }
    throw e;
  }
}

export async function unitYearOrThrow(ctx: HandlerContext, unit: string, year: number) {
  const keys = await unitYearKeys(ctx.deps.db, unit, year);
  if (!keys) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
  return keys;
}


/**
 * Has the worker render something on request and waits for it (≤ 60 s): the HTTP process does not
 * load activities, so a draft's DOCX or a 复核结果 is rendered by a one-activity workflow, one run
 * per id (`USE_EXISTING`: requests at once share it), which stores the file; the caller then reads
 * it. Any failure answers 503 with `what` in both languages.
 */
export async function renderOnWorker(ctx: HandlerContext, job: { workflowType: string; workflowId: string; args: unknown[]; what: { zh: string; en: string } }): Promise<void> {
  try {
    await ctx.deps.temporal.connection.withDeadline(Date.now() + 60_000, () =>
      ctx.deps.temporal.workflow.execute(job.workflowType, { workflowId: job.workflowId, taskQueue: ctx.deps.taskQueue ?? defaultTaskQueue, args: job.args, workflowIdConflictPolicy: 'USE_EXISTING' }),
    );
  } catch (e) {
    throw new AppError('unavailable', `暂时无法生成${job.what.zh}，请稍后再试`, `${job.what.en} could not be rendered now; try again later (${e instanceof Error ? e.message : String(e)})`);
  }
}
