/**
 * Replay fixtures recorded by the time-skipping tests (run them with RECORD_HISTORIES=1). A
 * fixture is written once: an existing one proves that runs from before a change still replay,
 * so it is never re-recorded (delete it deliberately to record it again).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export async function recordFixture(name: string, handle: Pick<WorkflowHandle, 'fetchHistory'>): Promise<void> {
  if (process.env['RECORD_HISTORIES'] !== '1') return;
  const file = path.join(__dirname, 'histories', `${name}.json`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${historyToJSON(await handle.fetchHistory())}\n`);
}
