/**
 * The HTTP server. One error shape for every failure: `{ code, message, messageZh, details[] }`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Client } from '@temporalio/client';
import { pingDb, type Db } from '../../db/connection';
import { AppError, isAppError } from '../../domain/errors';
import { countPollers, pingTemporal } from '../temporal';

export interface ServerDeps {
  db: Db;
  temporal: Client;
  logger: FastifyBaseLogger;
}

export interface Health {
  status: 'ok' | 'degraded';
  temporal: { ok: boolean; error?: string };
  database: { ok: boolean; error?: string };
  /** Workers polling the task queue (informational: the HTTP server may run where no worker does). */
  workers: { pollers: number | null };
}

async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await probe();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Health probes arrive every few seconds; logging each would drown the useful lines.
    logController: new LogController({ disableRequestLogging: (request) => request.url === '/healthz' }),
  });

  app.setErrorHandler((error, request, reply) => {
    if (isAppError(error)) return reply.status(error.status).send(error.toJSON());
    const status = typeof (error as { statusCode?: number }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const appError =
      status < 500
        ? new AppError('invalid_input', '请求有误', (error as Error).message)
        : new AppError('internal', '服务器内部错误', 'internal server error');
    return reply.status(status).send(appError.toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(new AppError('not_found', `未找到 ${request.method} ${request.url}`, `no route ${request.method} ${request.url}`).toJSON()),
  );

  app.get('/healthz', async (_request, reply) => {
    const [temporal, database, pollers] = await Promise.all([
      check(() => pingTemporal(deps.temporal)),
      check(() => pingDb(deps.db)),
      countPollers(deps.temporal).catch(() => null),
    ]);
    const health: Health = { status: temporal.ok && database.ok ? 'ok' : 'degraded', temporal, database, workers: { pollers } };
    return reply.status(health.status === 'ok' ? 200 : 503).send(health);
  });

  return app;
}
