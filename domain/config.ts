/**
 * Configuration: environment variables → one typed, validated object. Pure: the caller passes
 * the environment and the few facts of the host (working directory, home directory), so tests
 * build configs without touching `process.env`.
 *
 * Every variable is documented in README.md ("Configuration"); keep the two in step.
 */
import { z } from 'zod';
import { AppError } from './errors';
import { bi, parse } from './validation';

const port = z.coerce
  .number()
  .int()
  .min(1, { message: bi('端口号应在 1–65535 之间', 'port must be between 1 and 65535') })
  .max(65535, { message: bi('端口号应在 1–65535 之间', 'port must be between 1 and 65535') });

const postgresUrl = z
  .string()
  .trim()
  .refine((s) => /^postgres(ql)?:\/\//.test(s), {
    message: bi('应为 postgres://用户:密码@主机:端口/库名 形式的地址', 'must be a postgres://user:pass@host:port/db URL'),
  });

const hostPort = z
  .string()
  .trim()
  .refine((s) => /^[^\s:/]+:\d{1,5}$/.test(s), {
    message: bi('应为 主机:端口 形式，如 127.0.0.1:7233', 'must be host:port, e.g. 127.0.0.1:7233'),
  });

const envSchema = z.object({
  SELFEVAL_DATA_DIR: z.string().trim().min(1).optional(),
  SELFEVAL_CACHE_DIR: z.string().trim().min(1).optional(),
  XDG_CACHE_HOME: z.string().trim().min(1).optional(),
  DATABASE_URL: postgresUrl.optional(),
  SELFEVAL_PG_PORT: port.default(5433),
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  SELFEVAL_TASK_QUEUE: z.string().trim().min(1).max(200).default('selfeval'),
  SELFEVAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(100),
  SELFEVAL_RENDER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  SELFEVAL_RENDER_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  SELFEVAL_DRAFT_DOCX: z.enum(['on_request', 'eager'], { message: bi('应为 on_request 或 eager', 'must be on_request or eager') }).default('on_request'),
  SELFEVAL_TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_UI_URL: z.url().optional(),
  TEMPORAL_CLI_PATH: z.string().trim().min(1).optional(),
  TEMPORAL_TEST_SERVER_PATH: z.string().trim().min(1).optional(),
  HTTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  SMTP_URL: z
    .string()
    .trim()
    .refine((s) => /^smtps?:\/\//.test(s), { message: bi('应为 smtp://用户:密码@主机:端口 形式', 'must be smtp://user:pass@host:port (or smtps://)') })
    .optional(),
  MAIL_FROM: z.string().trim().min(3).default('selfeval <selfeval@localhost>'),
  SELFEVAL_PUBLIC_URL: z.url().optional(),
  SELFEVAL_SECURE_COOKIES: z.enum(['auto', 'true', 'false'], { message: bi('应为 auto、true 或 false', 'must be auto, true or false') }).default('auto'),
  SELFEVAL_TRUST_PROXY: z
    .string()
    .trim()
    .refine((s) => s.split(',').every((a) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a.trim())), {
      message: bi('应为以逗号分隔的反向代理地址或网段，如 127.0.0.1,10.0.0.0/8', 'must be reverse-proxy addresses or CIDR ranges separated by commas, e.g. 127.0.0.1,10.0.0.0/8'),
    })
    .optional(),
  SELFEVAL_REPORT_FONT: z.string().trim().min(1).optional(),
  SELFEVAL_CALENDAR_OVERRIDES: z.string().trim().min(1).optional(),
  SELFEVAL_REPORT_FONT_BOLD: z.string().trim().min(1).optional(),
});

export interface Config {
  /** Folder for embedded Postgres data, the Temporal SQLite file and generated files. */
  dataDir: string;
  /** Per-user cache for tools built once (Temporal CLI, test-server classpath). */
  cacheDir: string;
  database:
    | { kind: 'url'; url: string }
    | { kind: 'embedded'; port: number; dir: string };
  temporal: {
    /** `external` when TEMPORAL_ADDRESS is set; `embedded` means `npm start` runs a dev server. */
    kind: 'external' | 'embedded';
    address: string;
    namespace: string;
    /** The task queue workers poll and workflows start on. */
    taskQueue: string;
    /** Workflows a worker keeps in memory between tasks (each ~0.6 MB since zod is shared; measured with bench:cycle). */
    maxCachedWorkflows: number;
    devServerPort: number;
    uiPort: number;
    uiUrl: string;
    sqliteFile: string;
    cliPath?: string;
    testServerPath?: string;
  };
  http: {
    host: string;
    port: number;
    /** Cookies marked Secure and HSTS sent: SELFEVAL_SECURE_COOKIES, or (auto) when SELFEVAL_PUBLIC_URL is https. */
    secureCookies: boolean;
    /** Reverse proxies whose X-Forwarded-For gives the client's address (the sign-in rate limit counts per address). */
    trustProxy: string[];
  };
  /** Base URL people use to reach the web pages (links in notifications). */
  publicUrl: string;
  /** SMTP for email notifications; without it, notifications are in-app only. */
  mail: { smtpUrl?: string; from: string };
  /** A JSON file of working-day calendar overrides (extra holidays and working days, covered years). */
  calendarOverridesFile?: string;
  /** Optional serif / 仿宋 fonts for the PDF (used when the files exist). */
  reportFonts: { regular?: string; bold?: string };
  /** Reports a worker renders at once; the others wait their turn (rendering is CPU-bound). */
  renderConcurrency: number;
  /** Render threads of a worker (SELFEVAL_RENDER_THREADS); unset: the host's cores − 1, at least 1 (decided by the worker). */
  renderThreads?: number;
  /** A draft's DOCX: rendered on first download (`on_request`, default) or with its PDF (`eager`). */
  draftDocx: 'on_request' | 'eager';
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' };
}

export interface HostFacts {
  cwd: string;
  homeDir: string;
}

function join(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/');
}

function absolute(p: string, cwd: string): string {
  return p.startsWith('/') ? p : join(cwd, p);
}

/** Throws an AppError('config') listing every bad variable. */
export function parseConfig(env: Record<string, string | undefined>, host: HostFacts): Config {
  // Empty strings count as unset: `FOO= npm start` should not be an error.
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') cleaned[k] = v;
  const parsed = parse(envSchema, cleaned);
  if (!parsed.ok) {
    throw new AppError('config', '配置有误', 'invalid configuration', parsed.problems);
  }
  const e = parsed.value;
  const dataDir = absolute(e.SELFEVAL_DATA_DIR ?? '.data', host.cwd);
  const cacheDir = absolute(
    e.SELFEVAL_CACHE_DIR ?? join(e.XDG_CACHE_HOME ?? join(host.homeDir, '.cache'), 'selfeval'),
    host.cwd,
  );
  const devPort = e.SELFEVAL_TEMPORAL_PORT;
  const external = e.TEMPORAL_ADDRESS !== undefined;
  return {
    dataDir,
    cacheDir,
    database: e.DATABASE_URL
      ? { kind: 'url', url: e.DATABASE_URL }
      : { kind: 'embedded', port: e.SELFEVAL_PG_PORT, dir: join(dataDir, 'postgres') },
    temporal: {
      kind: external ? 'external' : 'embedded',
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${devPort}`,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.SELFEVAL_TASK_QUEUE,
      maxCachedWorkflows: e.SELFEVAL_MAX_CACHED_WORKFLOWS,
      devServerPort: devPort,
      uiPort: e.TEMPORAL_UI_PORT,
      uiUrl: e.TEMPORAL_UI_URL ?? `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`,
      sqliteFile: join(dataDir, 'temporal.sqlite'),
      ...(e.TEMPORAL_CLI_PATH ? { cliPath: absolute(e.TEMPORAL_CLI_PATH, host.cwd) } : {}),
      ...(e.TEMPORAL_TEST_SERVER_PATH ? { testServerPath: absolute(e.TEMPORAL_TEST_SERVER_PATH, host.cwd) } : {}),
    },
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      secureCookies: e.SELFEVAL_SECURE_COOKIES === 'auto' ? (e.SELFEVAL_PUBLIC_URL ?? '').startsWith('https:') : e.SELFEVAL_SECURE_COOKIES === 'true',
      trustProxy: (e.SELFEVAL_TRUST_PROXY ?? '').split(',').map((a) => a.trim()).filter(Boolean),
    },
    publicUrl: (e.SELFEVAL_PUBLIC_URL ?? `http://${e.HTTP_HOST === '0.0.0.0' ? '127.0.0.1' : e.HTTP_HOST}:${e.HTTP_PORT}`).replace(/\/$/, ''),
    mail: { ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}), from: e.MAIL_FROM },
    ...(e.SELFEVAL_CALENDAR_OVERRIDES ? { calendarOverridesFile: absolute(e.SELFEVAL_CALENDAR_OVERRIDES, host.cwd) } : {}),
    renderConcurrency: e.SELFEVAL_RENDER_CONCURRENCY,
    ...(e.SELFEVAL_RENDER_THREADS !== undefined ? { renderThreads: e.SELFEVAL_RENDER_THREADS } : {}),
    draftDocx: e.SELFEVAL_DRAFT_DOCX,
    reportFonts: {
      ...(e.SELFEVAL_REPORT_FONT ? { regular: absolute(e.SELFEVAL_REPORT_FONT, host.cwd) } : {}),
      ...(e.SELFEVAL_REPORT_FONT_BOLD ? { bold: absolute(e.SELFEVAL_REPORT_FONT_BOLD, host.cwd) } : {}),
    },
    log: { level: e.LOG_LEVEL },
  };
}

/** Postgres URL of the embedded server for a database name. */
export function embeddedDatabaseUrl(port: number, database = 'selfeval'): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
}

/** The database URL the processes connect to, whichever Postgres is in use. */
export function databaseUrlOf(config: Config): string {
  return config.database.kind === 'url' ? config.database.url : embeddedDatabaseUrl(config.database.port);
}

/** A URL fit for logs: the password replaced by `***`. */
export function redactUrl(url: string): string {
  // Greedy up to the last '@': a password may itself contain '@'.
  return url.replace(/^([a-z]+:\/\/[^:/@]+):.*@/i, '$1:***@');
}
