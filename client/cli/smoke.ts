/**
 * `npm run smoke`: proves a running stack end to end. Starts the smoke-check workflow (a short
 * durable timer, then an activity that writes a row), waits for it, reads the row back from
 * Postgres, and prints the workflow's link in the Temporal web UI.
 */
import os from 'node:os';
import { createDb } from '../../db/connection';
import { findSmokeCheck } from '../../db/smoke.repository';
import { databaseUrlOf, parseConfig } from '../../domain/config';
import { smokeCheckId, smokeCheckWorkflowType } from '../../workflows/smoke/contract';
import type { smokeCheck } from '../../workflows/smoke/smoke-check.workflow';
import { connectTemporal, workflowUiUrl } from '../temporal';

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const client = await connectTemporal(config);
  const db = createDb(databaseUrlOf(config), { max: 1 });
  try {
    const workflowId = smokeCheckId(new Date().toISOString().replace(/[:.]/g, '-'));
    const started = Date.now();
    const result = await client.workflow.execute<typeof smokeCheck>(smokeCheckWorkflowType, {
      workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [{ waitMs: 1_000, note: `smoke check from ${os.hostname()}` }],
      workflowExecutionTimeout: '2 minutes',
    });
    const row = await findSmokeCheck(db, workflowId);
    if (!row) throw new Error(`workflow ${workflowId} finished but wrote no row`);
    console.log(`ok: ${workflowId} waited on a timer, wrote its row at ${row.writtenAt.toISOString()} (${Date.now() - started} ms)`);
    console.log(`    inserted=${result.inserted}; see it in the Temporal UI: ${workflowUiUrl(config, workflowId)}`);
  } finally {
    await db.destroy();
    await client.connection.close();
  }
}

main().catch((e: unknown) => {
  console.error(`smoke check failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
