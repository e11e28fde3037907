/**
 * The launcher's supervisor with small node programs standing in for the components: a component
 * that dies once the stack is up is started again after a growing back-off, each step logged; one
 * that dies while the stack starts fails the start instead; stop() ends everything in reverse order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, type Component, DEFAULT_BACKOFF, Supervisor } from '../../client/stack/supervisor';

const backoff = { initialMs: 50, maxMs: 400, stableMs: 60_000 };

async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A program that counts its runs in a file, exits with code 3 on its first `failures` runs, and stays up after. */
function flaky(counter: string, failures: number): string[] {
  const script = `
    const fs = require('fs');
    const n = (fs.existsSync(${JSON.stringify(counter)}) ? Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) : 0) + 1;
    fs.writeFileSync(${JSON.stringify(counter)}, String(n));
    console.log('run ' + n);
    if (n <= ${failures}) process.exit(3);
    console.log('ready');
    process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
    setInterval(() => undefined, 1000);
  `;
  return ['-e', script];
}

describe('the stack supervisor', () => {
  let tmp: string;
  let supervisor: Supervisor | undefined;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = undefined;
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('doubles the back-off up to its cap, and starts again at the first step after a stable run', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(DEFAULT_BACKOFF, n))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('restarts a component that dies once the stack is up, with a growing back-off, each step logged', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-supervisor-'));
    const counter = path.join(tmp, 'runs');
    const said: string[] = [];
    const fatal: string[] = [];
    supervisor = new Supervisor({ say: (label, line) => said.push(`[${label}] ${line}`), onFatal: (c, reason) => fatal.push(`${c.label}: ${reason}`), backoff, stopGraceMs: 5_000 });
    // Up already (the component's first run counts as a death after start).
    supervisor.markUp();
    const worker = supervisor.launch({ label: 'worker', cmd: process.execPath, args: flaky(counter, 3), env: process.env });
    await until('the fourth run to be ready', () => said.includes('[worker] ready'));
    expect(fatal).toEqual([]);
    expect(worker.restarts).toBe(3);
    expect(said.filter((l) => l.includes('restarting'))).toEqual([
      '[worker] exited unexpectedly (code 3); restarting in 50 ms (restart 1)',
      '[worker] exited unexpectedly (code 3); restarting in 100 ms (restart 2)',
      '[worker] exited unexpectedly (code 3); restarting in 200 ms (restart 3)',
    ]);
    expect(said.filter((l) => l.includes('restarted (pid'))).toHaveLength(3);

    // Killed from outside (as the e2e test does to the real worker): back again.
    worker.child.kill('SIGKILL');
    await until('a fifth run', () => fs.readFileSync(counter, 'utf8') === '5' && said.filter((l) => l === '[worker] ready').length === 2);
    expect(said).toContain('[worker] exited unexpectedly (SIGKILL); restarting in 400 ms (restart 4)');

    await supervisor.stop();
    expect(said.slice(-2)).toEqual(['[worker] bye', '[worker] stopped']);
    expect(worker.running).toBe(false);
  });

  it('fails the start when a component dies before the stack is up, restarting nothing', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-supervisor-'));
    const counter = path.join(tmp, 'runs');
    const fatal: Array<{ component: Component; reason: string }> = [];
    supervisor = new Supervisor({ say: () => undefined, onFatal: (component, reason) => fatal.push({ component, reason }), backoff });
    const http = supervisor.launch({ label: 'http', cmd: process.execPath, args: flaky(counter, 1), env: process.env });
    await until('the start failure', () => fatal.length === 1);
    expect(fatal[0]!.reason).toBe('exited unexpectedly (code 3)');
    expect(fatal[0]!.component.lastLines()).toEqual(['run 1']);
    expect(http.restarts).toBe(0);
    // Nothing is started again behind the launcher's back.
    await http.exited;
    expect(fs.readFileSync(counter, 'utf8')).toBe('1');
  });

  it('reports a program that cannot be started at all', async () => {
    const fatal: string[] = [];
    supervisor = new Supervisor({ say: () => undefined, onFatal: (_c, reason) => fatal.push(reason), backoff });
    supervisor.launch({ label: 'temporal', cmd: '/nonexistent/temporal', args: [], env: process.env });
    await until('the start failure', () => fatal.length === 1);
    expect(fatal[0]).toMatch(/^could not start \(spawn \/nonexistent\/temporal ENOENT\)$/);
  });
});
