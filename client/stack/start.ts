/**
 * `npm start`: the whole stack on one machine, no Docker.
 *
 *   postgres  embedded Postgres in <data>/postgres   (skipped when DATABASE_URL is set)
 *   temporal  Temporal CLI dev server, SQLite file <data>/temporal.sqlite, web UI  (skipped when TEMPORAL_ADDRESS is set)
 *   migrate   kysely migrations
 *   worker    the selfeval worker process
 *   http      the selfeval HTTP server (GET /healthz)
 *
 * Each component's output is labelled. Once the stack is up, a component that dies is started
 * again after a back-off (supervisor.ts), which the log shows. Ctrl-C (or SIGTERM) stops them in
 * reverse order and waits for each; a second `npm start` resumes with the same data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, pingDb } from '../../db/connection';
import { migrateToLatest } from '../../db/migrate';
import { type Config, databaseUrlOf, parseConfig, redactUrl } from '../../domain/config';
import { isAppError } from '../../domain/errors';
import { formatProblems } from '../../domain/validation';
import { formatDuration, isListening, isPortFree, waitFor } from './proc';
import { devServerArgs } from './dev-server';
import { type Component, Supervisor } from './supervisor';
import { ToolError, ensureTemporalCli } from './tools';

const colors: Record<string, string> = {
  stack: '\x1b[1m', postgres: '\x1b[34m', temporal: '\x1b[35m', migrate: '\x1b[36m', worker: '\x1b[32m', http: '\x1b[33m',
};
const tty = process.stdout.isTTY;
const pad = Math.max(...Object.keys(colors).map((k) => k.length));

function say(label: string, line: string): void {
  const tag = `[${label}]`.padEnd(pad + 2);
  process.stdout.write(`${tty ? `${colors[label] ?? ''}${tag}\x1b[0m` : tag} ${line}\n`);
}

const levelName: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Pino JSON lines become `LEVEL msg key=value`; anything else passes through. */
function humanize(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { level, time: _time, msg, name: _name, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extras = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${levelName[Number(level)] ?? String(level)} ${typeof msg === 'string' ? msg : JSON.stringify(msg ?? '')}${extras ? `  ${extras}` : ''}`;
  } catch {
    return line;
  }
}

/** The entry file of a sibling program, as .ts under tsx or .js when compiled. */
function program(relative: string): string {
  const base = path.resolve(__dirname, '../..', relative);
  for (const ext of ['.ts', '.js']) if (fs.existsSync(base + ext)) return base + ext;
  throw new Error(`program ${relative} not found`);
}

class Stack {
  private stopped = false;
  readonly supervisor = new Supervisor({
    say,
    // A stopping dev server reports every poller it cuts off; that is expected, not news.
    format: (label, line, stopping) => (stopping && label === 'temporal' && /level=(WARN|ERROR)/.test(line) ? undefined : humanize(line)),
    onFatal: (component, reason) => {
      // A component that stops while the stack starts: say why (its own `✗` line when it gave one).
      const own = component.lastLines().reverse().find((l) => l.startsWith('✗ '));
      say(component.label, `${reason}; stopping the stack`);
      if (own) say('stack', own);
      void this.stop(1);
    },
  });

  launch(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, readyLine?: RegExp): Component {
    return this.supervisor.launch({ label, cmd, args, env, ...(readyLine ? { readyLine } : {}) });
  }

  node(label: string, relative: string, env: NodeJS.ProcessEnv, readyLine?: RegExp, nodeArgs: string[] = []): Component {
    // process.execArgv carries tsx's loader when we run from source.
    return this.launch(label, process.execPath, [...nodeArgs, ...process.execArgv, program(relative)], env, readyLine);
  }

  /** Stops components in reverse start order, each given 20 s before SIGKILL, then exits. */
  async stop(code: number): Promise<never> {
    if (!this.stopped) {
      this.stopped = true;
      say('stack', 'stopping…');
      await this.supervisor.stop();
      say('stack', 'all stopped');
      process.exit(code);
    }
    return new Promise<never>(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/** Thrown by `fail` once the stack is stopping; `main` ignores it. */
class Halt extends Error {}
let current: Stack | undefined;

/** One line, then stop everything and exit 1: for problems a person fixes by changing something. */
function fail(line: string): never {
  say('stack', `✗ ${line}`);
  if (current) {
    void current.stop(1);
    throw new Halt();
  }
  process.exit(1);
}

async function checkPorts(config: Config): Promise<void> {
  const wanted: Array<[number, string]> = [[config.http.port, 'HTTP_PORT']];
  if (config.temporal.kind === 'embedded') {
    wanted.push([config.temporal.devServerPort, 'SELFEVAL_TEMPORAL_PORT'], [config.temporal.uiPort, 'TEMPORAL_UI_PORT']);
  }
  if (config.database.kind === 'embedded') wanted.push([config.database.port, 'SELFEVAL_PG_PORT']);
  for (const [port, variable] of wanted) {
    const host = variable === 'HTTP_PORT' ? config.http.host : '127.0.0.1';
    if (!(await isPortFree(port, host))) {
      fail(`port ${port} is in use (another selfeval or server?): stop that process or set ${variable} to a free port`);
    }
  }
}

/** Before starting anything: the servers we are told to use must answer. */
async function checkExternalServices(config: Config): Promise<void> {
  if (config.database.kind === 'url') {
    const db = createDb(config.database.url, { max: 1, applicationName: 'selfeval-stack' });
    const error = await pingDb(db, 5_000).then(() => undefined, (e: unknown) => (e instanceof Error ? e.message : String(e)));
    await db.destroy();
    if (error) fail(`cannot reach the database at ${redactUrl(config.database.url)} (${error}): check DATABASE_URL, or unset it to use the embedded Postgres`);
  }
  if (config.temporal.kind === 'external') {
    const [host, port] = config.temporal.address.split(':') as [string, string];
    if (!(await isListening(Number(port), host, 3_000))) {
      fail(`cannot reach Temporal at ${config.temporal.address}: check TEMPORAL_ADDRESS, or unset it to run the embedded dev server`);
    }
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  let config: Config;
  try {
    config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  } catch (e) {
    if (isAppError(e)) fail(`${e.zh} / ${e.en}:\n${formatProblems(e.details)}`);
    throw e;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  await checkPorts(config);
  await checkExternalServices(config);

  const stack = new Stack();
  current = stack;
  process.on('SIGINT', () => void stack.stop(0));
  process.on('SIGTERM', () => void stack.stop(0));

  const dbUrl = databaseUrlOf(config);
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl,
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    SELFEVAL_DATA_DIR: config.dataDir,
  };

  // Temporal CLI first: the one-time build is the long step, and needs nothing else.
  let cli: string | undefined;
  if (config.temporal.kind === 'embedded') {
    try {
      cli = await ensureTemporalCli({ cacheDir: config.cacheDir, log: (l) => say('temporal', l) });
    } catch (e) {
      if (e instanceof ToolError) fail(e.message);
      throw e;
    }
  }

  let postgres: Component | undefined;
  if (config.database.kind === 'embedded') {
    say('postgres', `starting embedded Postgres on 127.0.0.1:${config.database.port}, data in ${config.database.dir}`);
    postgres = stack.node('postgres', 'db/postgres-main', process.env, /^postgres ready on /);
  }
  if (cli) {
    say('temporal', `starting the dev server on ${config.temporal.address}, history in ${config.temporal.sqliteFile}`);
    stack.launch(
      'temporal',
      cli,
      devServerArgs({ port: config.temporal.devServerPort, uiPort: config.temporal.uiPort, dbFilename: config.temporal.sqliteFile, namespace: config.temporal.namespace, logLevel: 'warn' }),
      process.env,
    );
  }

  const db = createDb(dbUrl, { max: 2, applicationName: 'selfeval-stack' });
  try {
    if (postgres) await withTimeout(postgres.ready, 120_000);
    await waitFor('Postgres', async () => pingDb(db, 1_000).then(() => true, () => false), { timeoutMs: 30_000, intervalMs: 250 });
  } catch {
    await db.destroy();
    fail(`the database did not come up: see the [postgres] lines above (data folder ${config.dataDir})`);
  }
  const applied = await migrateToLatest(db);
  say('migrate', applied.applied.length ? `applied ${applied.applied.join(', ')}` : 'schema is up to date');
  await db.destroy();

  const [tHost, tPort] = config.temporal.address.split(':') as [string, string];
  try {
    await waitFor(`Temporal at ${config.temporal.address}`, () => isListening(Number(tPort), tHost), { timeoutMs: 60_000, intervalMs: 250 });
  } catch {
    fail('Temporal did not come up within 60 s: see the [temporal] lines above');
  }

  // As in production (docker-compose.yml): a bounded heap, and two malloc arenas — the native
  // SDK's threads otherwise each get their own arenas, which hold on to freed memory.
  stack.node('worker', 'worker/main', { MALLOC_ARENA_MAX: '2', ...childEnv }, undefined, ['--max-old-space-size=512']);
  stack.node('http', 'client/http/main', childEnv);

  const healthz = `http://${config.http.host}:${config.http.port}/healthz`;
  await waitFor(
    'the HTTP server to report healthy and a worker to poll',
    async () => {
      try {
        const response = await fetch(healthz);
        const body = (await response.json()) as { workers?: { pollers?: number | null } };
        return response.status === 200 && (body.workers?.pollers ?? 0) > 0;
      } catch {
        return false;
      }
    },
    { timeoutMs: 90_000, intervalMs: 300 },
  ).catch(() => fail(`the stack did not become healthy within 90 s: see the lines above, or GET ${healthz}`));

  stack.supervisor.markUp();
  const lines = [
    `selfeval is up (${formatDuration(Date.now() - t0)})`,
    `  HTTP         http://${config.http.host}:${config.http.port}   (health: ${healthz})`,
    `  Temporal     ${config.temporal.address}   namespace ${config.temporal.namespace}`,
    ...(config.temporal.kind === 'embedded' ? [`  Temporal UI  ${config.temporal.uiUrl}`] : []),
    `  Postgres     ${redactUrl(dbUrl)}`,
    `  Data         ${config.dataDir}`,
    'Press Ctrl-C to stop.',
  ];
  for (const l of lines) say('stack', l);
}

main().catch((e: unknown) => {
  if (e instanceof Halt) return;
  if (current) {
    say('stack', `✗ ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    void current.stop(1);
    return;
  }
  say('stack', `✗ ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
