/**
 * The HTTP server: JSON API under /api (OpenAPI at /openapi.json, a docs page at /docs), the web
 * pages, and /healthz. One error shape for every failure: `{ code, message, messageZh, details[] }`
 * with field paths; bad input is always a 4xx. Every route declares its access rule (access.ts);
 * the route table is exported so the authorization test can enumerate it.
 */
import { createHash } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import type { Account } from '../../db/accounts.repository';
import { pingDb, type Db } from '../../db/connection';
import { outboxBacklog } from '../../db/notifications.repository';
import { AppError, isAppError } from '../../domain/errors';
import { problemsFromZod } from '../../domain/validation';
import { countPollers, pingTemporal } from '../temporal';
import { httpStatusFor, inputProblems, knownError } from './error-answers';
import { registerPages } from '../web/pages';
import { type Access, authorize } from './access';
import { authenticate, type AuthState } from './auth';
import { DEFAULT_BODY_LIMIT } from './route-kit';
import { apiRoutes, type RouteDef } from './routes';

export { DEFAULT_BODY_LIMIT, LARGE_BODY_LIMIT } from './route-kit';

/**
 * Headers on every answer. Pages set their own Content-Security-Policy (pages.ts); any other HTML
 * gets the strict one below (no inline script, no framing by other sites). Non-HTML answers (JSON,
 * PDF shown in the report page's frame) only forbid framing by other sites.
 */
export const STRICT_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'";
const FRAME_ONLY_CSP = "frame-ancestors 'self'";

export interface ServerDeps {
  db: Db;
  temporal: Client;
  logger: FastifyBaseLogger;
  /** Links to the Temporal web UI. */
  temporalUiUrl: string;
  /** Cookies marked Secure and Strict-Transport-Security sent (served over HTTPS; config `http.secureCookies`). */
  secureCookies?: boolean;
  /** Addresses of reverse proxies whose X-Forwarded-For is believed (the sign-in rate limit counts the client's address). */
  trustProxy?: string[];
  /** The task queue evaluations start on (default: the contract's). */
  taskQueue?: string;
  /** Business time minus server time (tests only; see ActivityDeps.clockShiftMs). */
  clockShiftMs?: number;
}

export interface Health {
  status: 'ok' | 'degraded';
  temporal: { ok: boolean; error?: string };
  database: { ok: boolean; error?: string };
  /** Workers polling the task queue (informational: the HTTP server may run where no worker does). */
  workers: { pollers: number | null };
  /** Messages due for sending and how long the oldest has waited (informational; null: unknown). */
  outbox: { due: number; oldestDueSeconds: number | null } | null;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await probe();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthState;
  }
}

const decisionError = {
  unauthenticated: () => new AppError('unauthenticated', '请先登录', 'sign in first'),
  forbidden: () => new AppError('forbidden', '无权进行此操作', 'you may not do this'),
  not_found: () => new AppError('not_found', '未找到', 'not found'),
} as const;

export async function requireAccess(deps: ServerDeps, access: Access, request: FastifyRequest): Promise<Account | undefined> {
  const decision = await authorize(deps.db, access, request.auth.account, request.params as Record<string, string | undefined>);
  if (decision !== 'allow') throw decisionError[decision]();
  return request.auth.account;
}

interface OpenApiDoc {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, { summary?: string; tags?: string[]; requestBody?: unknown; parameters?: Array<{ name: string; in: string }> }>>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const DOCS_STYLE = `body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.4rem;vertical-align:top}.m{font-weight:600;width:5rem}.p{color:#666;font-size:.85em}code{font-size:.95em}`;
/** The docs page's one inline style, allowed by its hash (and nothing else inline). */
const DOCS_CSP = STRICT_CSP.replace("style-src 'self'", `style-src 'sha256-${createHash('sha256').update(DOCS_STYLE).digest('base64')}'`);

/** A readable, self-contained list of the API's operations (no CDN, no script), grouped by tag. */
function apiDocsPage(doc: OpenApiDoc): string {
  const byTag = new Map<string, string[]>();
  for (const [route, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const tag = op.tags?.[0] ?? 'other';
      const params = (op.parameters ?? []).map((p) => `${p.name} (${p.in})`).join(', ');
      byTag.set(tag, [
        ...(byTag.get(tag) ?? []),
        `<tr><td class="m">${method.toUpperCase()}</td><td><code>${escapeHtml(route)}</code></td><td>${escapeHtml(op.summary ?? '')}${params ? `<div class="p">${escapeHtml(params)}</div>` : ''}</td></tr>`,
      ]);
    }
  }
  const sections = [...byTag].map(([tag, rows]) => `<h2>${escapeHtml(tag)}</h2><table>${rows.join('')}</table>`).join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)}</title>
<style>${DOCS_STYLE}</style></head>
<body><h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description ?? '')} — 机器可读文档 / machine-readable: <a href="/openapi.json">/openapi.json</a>.
Errors are <code>{ code, message, messageZh, details[{ path, code, zh, en }] }</code>; sign in with <code>POST /api/login</code> (session cookie, CSRF header <code>x-csrf-token</code>) or send <code>Authorization: Bearer &lt;token&gt;</code>.</p>${sections}</body></html>`;
}

export async function buildServer(deps: ServerDeps, routes: RouteDef[] = apiRoutes): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Health probes arrive every few seconds; logging each would drown the useful lines.
    logController: new LogController({ disableRequestLogging: (request) => request.url === '/healthz' }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // A URL the router cannot decode (e.g. `%` alone) gets the one error shape too.
    frameworkErrors: (error, _request, reply) => {
      const known = knownError(error) ?? new AppError('invalid_input', '请求有误', error.message);
      void (reply as unknown as FastifyReply).status(known.status).send(known.toJSON());
    },
    ...(deps.trustProxy?.length ? { trustProxy: deps.trustProxy } : {}),
  });

  // zod validates every input and reports every problem with its path, in both languages.
  app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
    const result = (schema as unknown as ZodType).safeParse(data);
    if (result.success) return { value: result.data };
    const problems = problemsFromZod(result.error, data).map((p) => ({ ...p, path: p.path === '(root)' ? (httpPart ?? 'body') : `${httpPart ?? 'body'}.${p.path}` }));
    return { error: AppError.invalid(problems) };
  });
  app.setSerializerCompiler(serializerCompiler);
  // Every cookie (the session's, the language's) Secure when served over HTTPS, unless a caller says otherwise.
  await app.register(cookie, { parseOptions: { secure: deps.secureCookies ?? false, sameSite: 'lax', path: '/' } });
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: { title: 'selfeval API', description: '部门整体支出绩效自评 — API', version: '1' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'selfeval_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.decorateRequest('auth', undefined as unknown as AuthState);
  app.addHook('onRequest', async (request) => {
    request.auth = await authenticate(deps.db, request);
  });
  // Before any route's own checks: text a database cannot store, nesting no document of ours has.
  app.addHook('preValidation', async (request) => {
    const problems = [...inputProblems(request.query, 'querystring'), ...inputProblems(request.body, 'body')];
    if (problems.length) throw AppError.invalid(problems);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', html ? STRICT_CSP : FRAME_ONLY_CSP);
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'SAMEORIGIN');
    if (!reply.hasHeader('x-content-type-options')) reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'same-origin');
    if (deps.secureCookies && !reply.hasHeader('strict-transport-security')) reply.header('strict-transport-security', 'max-age=31536000');
    // Answers of the API are about one person: never kept by a shared cache.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((error, request, reply) => {
    const known = isAppError(error) ? error : knownError(error, { bodyLimit: request.routeOptions.bodyLimit });
    if (known) {
      if (known.status >= 500) request.log.warn({ err: error }, known.en);
      if (known.code === 'unavailable') reply.header('retry-after', '5');
      return reply.status(httpStatusFor(error, known)).send(known.toJSON());
    }
    const status = typeof (error as { statusCode?: number }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const appError =
      status < 500 ? new AppError(status === 404 ? 'not_found' : 'invalid_input', '请求有误', (error as Error).message) : new AppError('internal', '服务器内部错误', 'internal server error');
    return reply.status(status).send(appError.toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(new AppError('not_found', `未找到 ${request.method} ${request.url}`, `no route ${request.method} ${request.url}`).toJSON()),
  );

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const [temporal, database, pollers] = await Promise.all([
      check(() => pingTemporal(deps.temporal)),
      check(() => pingDb(deps.db)),
      countPollers(deps.temporal, deps.taskQueue).catch(() => null),
    ]);
    // Asked only of a database that answered, and never waited on for long.
    const outbox = database.ok ? await withTimeout(outboxBacklog(deps.db), 1_000).catch(() => null) : null;
    const health: Health = { status: temporal.ok && database.ok ? 'ok' : 'degraded', temporal, database, workers: { pollers }, outbox };
    return reply.status(health.status === 'ok' ? 200 : 503).send(health);
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const route of routes) {
    typed.route({
      method: route.method,
      url: route.url,
      schema: { ...route.schema, summary: route.summary, tags: [route.tag] },
      bodyLimit: route.bodyLimit ?? DEFAULT_BODY_LIMIT,
      // Authorization runs before validation: nobody learns about a route's input they may not use.
      preValidation: async (request: FastifyRequest) => {
        await requireAccess(deps, route.access, request);
        // Cookie-authenticated changes must carry the session's CSRF token.
        if (route.method !== 'GET' && request.auth.via === 'session' && !route.skipCsrf) {
          const sent = (request.headers['x-csrf-token'] as string | undefined) ?? (request.body as Record<string, unknown> | undefined)?.['_csrf'];
          if (sent !== request.auth.csrfToken) throw new AppError('forbidden', '页面已过期，请刷新后重试（CSRF）', 'missing or wrong CSRF token; reload the page');
        }
      },
      handler: async (request: FastifyRequest, reply: FastifyReply) => route.handler({ deps, request, reply, account: request.auth.account }),
    });
  }

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', DOCS_CSP).send(apiDocsPage(app.swagger() as OpenApiDoc)));
  await registerPages(app, deps);
  return app;
}
