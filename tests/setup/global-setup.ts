/**
 * Once per `npm test`: make sure the two Temporal servers exist (building them the first time,
 * with progress), start one real Postgres and one Temporal dev server (with its web UI) for the
 * integration suites, and hand their addresses to the test files. Time-skipping suites start
 * their own test server per file (time is global to a test server).
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { parseConfig } from '../../domain/config';
import { startEmbeddedPostgres, type RunningPostgres } from '../../db/embedded-postgres';
import { freePort } from '../../client/stack/proc';
import { ensureTemporalCli, ensureTestServer } from '../../client/stack/tools';
import { devServerDynamicConfigArgs } from '../../client/stack/dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Postgres URL of a database the suites may create their own databases from. */
    pgAdminUrl: string;
    temporalAddress: string;
    temporalUiPort: number;
    temporalCliPath: string;
    testServerPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const log = (line: string) => console.log(`[setup] ${line}`);
  const t0 = Date.now();
  const [cli, testServer] = await Promise.all([
    ensureTemporalCli({ cacheDir: config.cacheDir, log }),
    ensureTestServer({ cacheDir: config.cacheDir, log }),
  ]);

  let pg: RunningPostgres | undefined;
  let pgAdminUrl = process.env['TEST_DATABASE_URL'];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-test-'));
  // As root, Postgres runs as the `postgres` user: let it enter the folder (else the cluster would
  // be placed under /var/lib/selfeval, and the binaries copied where it can run them, as for `npm start`).
  fs.chmodSync(tmp, 0o755);
  if (!pgAdminUrl) {
    pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'postgres'), port: await freePort(), ephemeral: true, onLog: (line) => /^(initialising|running as root|the postgres user)/.test(line) && log(line) });
    pgAdminUrl = pg.url('postgres');
  }

  const uiPort = await freePort();
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ui: true,
      uiPort,
      namespace: 'default',
      // The settings selfeval deploys with (eager activities, one task-queue partition), so the tests run under them.
      extraArgs: devServerDynamicConfigArgs(),
    },
  });
  log(`servers ready in ${Date.now() - t0} ms`);

  project.provide('pgAdminUrl', pgAdminUrl);
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalUiPort', uiPort);
  project.provide('temporalCliPath', cli);
  project.provide('testServerPath', testServer);

  return async () => {
    await temporal.teardown();
    await pg?.stop();
    if (pg && !pg.clusterDir.startsWith(tmp)) fs.rmSync(pg.clusterDir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  };
}
