/**
 * The launcher's process supervisor: runs each component in its own process group with its output
 * labelled, and
 *
 * - while the stack is starting, a component that exits is a start failure (`onFatal`: the
 *   launcher stops everything and says why);
 * - once the stack is up, a component that exits by itself is started again after a back-off
 *   (1 s, 2 s, 4 s … at most 30 s; back to 1 s once it has run for a minute), every step logged;
 * - `stop()` stops them in reverse start order, each given a grace period before SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { lineSplitter } from './proc';

export interface ComponentSpec {
  label: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** A line the component prints once it is ready (its first start). */
  readyLine?: RegExp;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A run at least this long resets the back-off. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };

export interface SupervisorOptions {
  say: (label: string, line: string) => void;
  /** How a component's output line is shown (`undefined`: not shown). */
  format?: (label: string, line: string, stopping: boolean) => string | undefined;
  /** A component exited while the stack was still starting (or could not be started at all). */
  onFatal: (component: Component, reason: string) => void;
  backoff?: BackoffPolicy;
  /** Grace before SIGKILL when stopping. */
  stopGraceMs?: number;
}

export function backoffDelay(policy: BackoffPolicy, consecutiveFailures: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, consecutiveFailures - 1));
}

const describeExit = (code: number | null, signal: NodeJS.Signals | null) => (signal ? signal : `code ${code}`);
const fmtMs = (ms: number) => (ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

export class Component {
  child!: ChildProcess;
  /** Restarts so far. */
  restarts = 0;
  /** The current run's exit. */
  exited!: Promise<number | null>;
  /** Resolves when the first run printed its ready line. */
  readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private readonly tail: string[] = [];

  constructor(readonly spec: ComponentSpec) {
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
  }

  get label(): string {
    return this.spec.label;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The component's last output lines (for a start failure's message). */
  lastLines(): string[] {
    return [...this.tail];
  }

  /** @internal */
  remember(line: string): void {
    if (this.spec.readyLine?.test(line)) this.markReady();
    this.tail.push(line);
    if (this.tail.length > 20) this.tail.shift();
  }
}

export class Supervisor {
  private readonly components: Component[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private up = false;
  private stopping = false;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** From now on a component that exits is restarted rather than failing the start. */
  markUp(): void {
    this.up = true;
  }

  launch(spec: ComponentSpec): Component {
    const component = new Component(spec);
    this.components.push(component);
    this.run(component, 0);
    return component;
  }

  private run(component: Component, consecutiveFailures: number): void {
    const { spec } = component;
    const startedAt = Date.now();
    // Own process group: a terminal's Ctrl-C reaches only the launcher, which then stops the
    // components in order.
    const child = spawn(spec.cmd, spec.args, { env: { ...spec.env, SELFEVAL_SUPERVISED: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    component.child = child;
    const out = lineSplitter((line) => {
      component.remember(line);
      const shown = this.options.format ? this.options.format(spec.label, line, this.stopping) : line;
      if (shown !== undefined) this.options.say(spec.label, shown);
    });
    child.stdout?.on('data', out);
    child.stderr?.on('data', out);
    component.exited = new Promise<number | null>((resolve) => {
      let spawnError: string | undefined;
      child.once('error', (e) => {
        spawnError = e.message;
        this.options.say(spec.label, `could not start: ${e.message}`);
        // No 'exit' follows a failed spawn.
        if (child.pid === undefined) finish(null, null);
      });
      let finished = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (finished) return;
        finished = true;
        resolve(code);
        if (this.stopping) return;
        const how = spawnError ? `could not start (${spawnError})` : `exited unexpectedly (${describeExit(code, signal)})`;
        if (!this.up) {
          this.options.onFatal(component, how);
          return;
        }
        const failures = Date.now() - startedAt >= this.backoff.stableMs ? 1 : consecutiveFailures + 1;
        const delay = backoffDelay(this.backoff, failures);
        component.restarts += 1;
        this.options.say(spec.label, `${how}; restarting in ${fmtMs(delay)} (restart ${component.restarts})`);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (this.stopping) return;
          this.run(component, failures);
          this.options.say(spec.label, `restarted (pid ${component.child.pid ?? '?'})`);
        }, delay);
        this.timers.add(timer);
      };
      child.once('exit', finish);
    });
  }

  /** Stops components in reverse start order, each given the grace period before SIGKILL. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const grace = this.options.stopGraceMs ?? 20_000;
    for (const c of [...this.components].reverse()) {
      if (!c.running) continue;
      c.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        this.options.say(c.label, `did not stop within ${fmtMs(grace)}; killing`);
        c.child.kill('SIGKILL');
      }, grace);
      await c.exited;
      clearTimeout(timer);
      this.options.say(c.label, 'stopped');
    }
  }
}
