/** Running selfeval's own programs (`npm start`, the smoke check) as a person would, for the stack tests. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');

export interface Launched {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Set once the process exited. */
  exitCode?: number | null;
}

/** `node --import tsx <script>` with its output collected; `cwd` is the checkout the script belongs to. */
export function launch(script: string, env: NodeJS.ProcessEnv, cwd = repoRoot): Launched {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(cwd, script)], {
    cwd,
    env: { ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const launched: Launched = { child, output: () => out, exited: Promise.resolve(null) };
  launched.exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      launched.exitCode = code;
      resolve(code);
    }),
  );
  return launched;
}

export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number, launched?: Launched): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${launched ? `; output so far:\n${launched.output()}` : ''}`);
}

/** Like `until`, but gives up as soon as the launched process has exited. */
export async function untilOutput(what: string, pattern: RegExp, launched: Launched, timeoutMs: number): Promise<void> {
  await until(what, () => {
    if (pattern.test(launched.output())) return true;
    if (launched.exitCode !== undefined) throw new Error(`the process exited (code ${launched.exitCode}) before ${what}; its output:\n${launched.output()}`);
    return false;
  }, timeoutMs, launched);
}

/** Processes whose command line mentions the text (postgres -D <dir>, temporal --db-filename <dir>/…). */
export function processesUsing(text: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

/** The launcher's direct children: pid and command line. */
export function childrenOf(pid: number): Array<{ pid: number; args: string }> {
  const ps = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [p, ...rest] = l.trim().split(/\s+/);
      return { pid: Number(p), args: rest.join(' ') };
    });
}

export function killAll(lines: string[]): void {
  for (const line of lines) {
    const pid = Number(line.trim().split(/\s+/)[0]);
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}
