/**
 * `npm start` as a person runs it: the launcher brings up Postgres, the Temporal dev server, the
 * worker and the HTTP server; /healthz answers 200; a smoke check runs through the stack; Ctrl-C
 * stops everything with no process left behind; a second start resumes with the same data.
 * And bad configuration stops it with one line saying what to do.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../client/stack/proc';
import { killAll, launch, processesUsing, until } from './launch';

function baseEnv(dataDir: string, ports: { http: number; temporal: number; ui: number; pg: number }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    SELFEVAL_DATA_DIR: dataDir,
    TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    HTTP_PORT: String(ports.http),
    SELFEVAL_TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    SELFEVAL_PG_PORT: String(ports.pg),
    LOG_LEVEL: 'info',
  };
  return env;
}

describe('npm start (the embedded default stack)', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { http: number; temporal: number; ui: number; pg: number };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-stack-'));
    fs.chmodSync(dataDir, 0o755);
    ports = { http: await freePort(), temporal: await freePort(), ui: await freePort(), pg: await freePort() };
    env = baseEnv(dataDir, ports);
  });

  afterAll(() => {
    killAll(processesUsing(dataDir));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('comes up healthy, runs a smoke check, stops cleanly on Ctrl-C, and resumes with the same data', async () => {
    // First start: a fresh data folder.
    const first = launch('client/stack/start.ts', env);
    await until('the stack to come up', () => /selfeval is up/.test(first.output()), 120_000, first);
    for (const label of ['[postgres]', '[temporal]', '[migrate]', '[worker]', '[http]']) expect(first.output()).toContain(label);
    expect(first.output()).toContain(`http://127.0.0.1:${ports.ui}`);

    const health = await fetch(`http://127.0.0.1:${ports.http}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', workers: { pollers: 1 } });

    const smoke = launch('client/cli/smoke.ts', env);
    expect(await smoke.exited).toBe(0);
    const workflowId = /ok: (smoke\/\S+)/.exec(smoke.output())?.[1];
    expect(workflowId, smoke.output()).toBeDefined();

    // Ctrl-C reaches the launcher (its children run in their own process groups).
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/all stopped/);
    await until('every component process to exit', () => processesUsing(dataDir).length === 0, 10_000);

    // Second start: same folder, nothing initialised again, the earlier run is still there.
    const second = launch('client/stack/start.ts', env);
    await until('the stack to come up again', () => /selfeval is up/.test(second.output()), 120_000, second);
    expect(second.output()).not.toContain('initialising a new cluster');
    expect(second.output()).toContain('schema is up to date');

    const db = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${ports.pg}/selfeval` });
    await db.connect();
    const rows = await db.query('select workflow_id from smoke_checks');
    await db.end();
    expect(rows.rows).toEqual([{ workflow_id: workflowId }]);

    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const described = await new Client({ connection }).workflow.getHandle(workflowId!).describe();
    await connection.close();
    expect(described.status.name).toBe('COMPLETED');

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await until('every component process to exit', () => processesUsing(dataDir).length === 0, 10_000);
  });

  it('stops with one line naming the variable when a port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(ports.http, '127.0.0.1', () => r()));
    try {
      const run = launch('client/stack/start.ts', env);
      expect(await run.exited).toBe(1);
      const problems = run.output().split('\n').filter((l) => l.includes('✗'));
      expect(problems).toEqual([expect.stringContaining(`port ${ports.http} is in use`)]);
      expect(problems[0]).toContain('HTTP_PORT');
      expect(run.output()).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      blocker.close();
    }
  });

  it('stops with one line when DATABASE_URL is unreachable, before starting anything', async () => {
    const dead = `postgres://finance:secret@127.0.0.1:${await freePort()}/selfeval`;
    const run = launch('client/stack/start.ts', { ...env, DATABASE_URL: dead });
    expect(await run.exited).toBe(1);
    const problems = run.output().split('\n').filter((l) => l.includes('✗'));
    expect(problems).toEqual([expect.stringContaining('cannot reach the database at postgres://finance:***@127.0.0.1')]);
    expect(run.output()).not.toContain('secret');
    expect(run.output()).not.toContain('[temporal]');
  });

  it('stops with one line naming the alternatives when there is neither a Temporal CLI nor Go', async () => {
    const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-nobin-'));
    const { TEMPORAL_CLI_PATH: _cli, ...withoutCli } = env;
    const run = launch('client/stack/start.ts', { ...withoutCli, PATH: emptyBin, SELFEVAL_CACHE_DIR: path.join(emptyBin, 'cache') });
    expect(await run.exited).toBe(1);
    fs.rmSync(emptyBin, { recursive: true, force: true });
    const problems = run.output().split('\n').filter((l) => l.includes('✗'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('Temporal CLI was not found and Go is not installed');
    expect(problems[0]).toContain('TEMPORAL_CLI_PATH');
    expect(problems[0]).toContain('docker compose up');
  });

  it('lists every bad variable', async () => {
    const run = launch('client/stack/start.ts', { ...env, HTTP_PORT: 'abc', SELFEVAL_PG_PORT: '0' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('HTTP_PORT');
    expect(run.output()).toContain('SELFEVAL_PG_PORT: 端口号应在 1–65535 之间 / port must be between 1 and 65535');
  });
});
