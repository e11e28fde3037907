/**
 * The two Temporal servers selfeval runs without Docker, found or built once per user:
 *
 * - the Temporal CLI (`temporal server start-dev`): TEMPORAL_CLI_PATH, else `temporal` on PATH,
 *   else `<cache>/temporal-cli-v1.5.1/temporal`, else built there with `go install` (v1.5.1 is the
 *   newest tag `go install` accepts; later tags carry a `replace` directive);
 * - the time-skipping test server (`io.temporal:temporal-test-server`, a JVM program):
 *   TEMPORAL_TEST_SERVER_PATH, else `<cache>/temporal-test-server-<v>/temporal-test-server`, a
 *   wrapper that `exec`s java, else its runtime classpath is collected from Maven Central and a
 *   class-data-sharing archive is written so it starts well inside the SDK's 5-second window.
 *
 * Builds go to a temporary folder renamed into place, under a lock, so parallel callers (vitest
 * workers, two terminals) never see half a tool and never build twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatDuration, freePort, isExecutable, isListening, run, waitFor, which } from './proc';
import { spawn } from 'node:child_process';

export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEST_SERVER_VERSION = '1.38.0';

export interface ToolOptions {
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** A tool is missing and cannot be built here; `message` is one line saying what to do. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

export function temporalCliCachePath(cacheDir: string): string {
  return path.join(cacheDir, `temporal-cli-v${TEMPORAL_CLI_VERSION}`, 'temporal');
}

export function testServerCachePath(cacheDir: string): string {
  return path.join(cacheDir, `temporal-test-server-${TEST_SERVER_VERSION}`, 'temporal-test-server');
}

/** Finds the CLI without building it. */
export function findTemporalCli(options: { cacheDir: string; env?: NodeJS.ProcessEnv }): string | undefined {
  const env = options.env ?? process.env;
  const configured = env['TEMPORAL_CLI_PATH'];
  if (configured) {
    if (!isExecutable(configured)) {
      throw new ToolError(`TEMPORAL_CLI_PATH=${configured} is not an executable file: fix the path or unset it.`);
    }
    return configured;
  }
  return which('temporal', env) ?? (isExecutable(temporalCliCachePath(options.cacheDir)) ? temporalCliCachePath(options.cacheDir) : undefined);
}

export async function ensureTemporalCli(options: ToolOptions): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const found = findTemporalCli(options);
  if (found) return found;
  const go = which('go', env);
  if (!go) {
    throw new ToolError(
      'The Temporal CLI was not found and Go is not installed to build it: install the Temporal CLI ' +
        '(https://docs.temporal.io/cli) and put `temporal` on PATH or set TEMPORAL_CLI_PATH, or install Go ≥ 1.25, ' +
        'or run the production topology with `docker compose up`.',
    );
  }
  const target = temporalCliCachePath(options.cacheDir);
  await withBuildLock(path.dirname(target), log, async (tmpDir) => {
    log(`building the Temporal CLI v${TEMPORAL_CLI_VERSION} with go install into ${path.dirname(target)} (first run only; several minutes)`);
    const started = Date.now();
    const ticker = setInterval(() => log(`  still building the Temporal CLI… ${formatDuration(Date.now() - started)}`), 20_000);
    let downloads = 0;
    try {
      const result = await run(
        go,
        [
          'install',
          '-ldflags',
          `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
          `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
        ],
        {
          env: { ...env, GOBIN: tmpDir, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
          onLine: (line) => {
            if (line.startsWith('go: downloading')) {
              downloads++;
              if (downloads % 25 === 1) log(`  ${line} (module ${downloads})`);
            } else log(`  ${line}`);
          },
        },
      );
      if (result.code !== 0) {
        throw new ToolError(
          `go install of the Temporal CLI failed (exit ${result.code}); last output:\n${result.output}\n` +
            'Check that the Go module proxy is reachable, or install the CLI yourself and set TEMPORAL_CLI_PATH.',
        );
      }
    } finally {
      clearInterval(ticker);
    }
    log(`built the Temporal CLI in ${formatDuration(Date.now() - started)}`);
  });
  return target;
}

const TEST_SERVER_POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>selfeval.tools</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;

// exec: the SDK SIGKILLs its direct child, so the JVM must be that child or it is orphaned.
// Serial GC, C1 only and the class-data-sharing archive bring the start from ~1 s to ~0.3 s.
const WRAPPER = `#!/bin/sh
D=$(cd "$(dirname "$0")" && pwd)
JAVA="\${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xshare:auto -XX:SharedArchiveFile="$D/app.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \\
  -cp "$D/lib/*" io.temporal.testserver.TestServer "$@"
`;

export async function ensureTestServer(options: ToolOptions): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const configured = env['TEMPORAL_TEST_SERVER_PATH'];
  if (configured) {
    if (!isExecutable(configured)) {
      throw new ToolError(`TEMPORAL_TEST_SERVER_PATH=${configured} is not an executable file: fix the path or unset it.`);
    }
    return configured;
  }
  const target = testServerCachePath(options.cacheDir);
  if (isExecutable(target)) return target;
  const java = env['JAVA_HOME'] ? path.join(env['JAVA_HOME'], 'bin', 'java') : which('java', env);
  const mvn = which('mvn', env);
  if (!java || !isExecutable(java) || !mvn) {
    throw new ToolError(
      `The time-skipping test server is not in ${path.dirname(target)} and ${!java ? 'Java' : 'Maven'} is missing to fetch it: ` +
        'install a JDK ≥ 11 and Maven (apt-get install openjdk-17-jdk-headless maven), or set TEMPORAL_TEST_SERVER_PATH to a test-server executable.',
    );
  }
  await withBuildLock(path.dirname(target), log, async (tmpDir) => {
    const started = Date.now();
    log(`fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} and its classpath from Maven Central (first run only)`);
    fs.writeFileSync(path.join(tmpDir, 'pom.xml'), TEST_SERVER_POM);
    let jars = 0;
    const result = await run(
      mvn,
      ['-B', '-f', path.join(tmpDir, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${path.join(tmpDir, 'lib')}`],
      {
        env,
        onLine: (line) => {
          if (/^\[INFO\] Copying /.test(line) || /Downloaded from .*\.jar/.test(line)) {
            jars++;
            if (jars % 10 === 1) log(`  ${line.replace(/^\[INFO\] /, '')}`);
          } else if (/ERROR|BUILD FAILURE/.test(line)) log(`  ${line}`);
        },
      },
    );
    const lib = path.join(tmpDir, 'lib');
    if (result.code !== 0 || !fs.existsSync(lib) || fs.readdirSync(lib).length === 0) {
      throw new ToolError(
        `Maven could not fetch the test server (exit ${result.code}); last output:\n${result.output}\n` +
          'Check that Maven Central is reachable, or set TEMPORAL_TEST_SERVER_PATH.',
      );
    }
    log(`  ${fs.readdirSync(lib).length} jars in ${formatDuration(Date.now() - started)}; writing the class-data-sharing archive`);
    fs.writeFileSync(path.join(tmpDir, 'temporal-test-server'), WRAPPER, { mode: 0o755 });
    await writeClassDataArchive(java, tmpDir);
    log(`test server ready in ${formatDuration(Date.now() - started)}`);
  });
  return target;
}

/** Starts the server once with -XX:ArchiveClassesAtExit and stops it when it listens. */
async function writeClassDataArchive(java: string, dir: string): Promise<void> {
  const port = await freePort();
  const child = spawn(
    java,
    [
      '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k', `-XX:ArchiveClassesAtExit=${path.join(dir, 'app.jsa')}`,
      '-Xlog:cds=off', '-Xlog:cds+dynamic=off', '-cp', `${path.join(dir, 'lib')}/*`, 'io.temporal.testserver.TestServer', String(port),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor('the test server to listen', () => isListening(port), { timeoutMs: 60_000 });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * Runs `build(tmpDir)` under `<dir>.lock`, then renames tmpDir to dir. A second caller waits for
 * the first; a lock left by a dead process is taken over.
 */
async function withBuildLock(
  dir: string,
  log: (line: string) => void,
  build: (tmpDir: string) => Promise<void>,
): Promise<void> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  let announced = false;
  for (;;) {
    if (fs.existsSync(dir)) return;
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readOr(path.join(lock, 'pid'), '0'));
      if (holder && !processAlive(holder)) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`waiting for another process (pid ${holder || '?'}) that is building ${path.basename(dir)}…`);
      announced = true;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  const tmpDir = `${dir}.tmp-${process.pid}`;
  try {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    fs.mkdirSync(tmpDir, { recursive: true });
    await build(tmpDir);
    fs.renameSync(tmpDir, dir);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
