/**
 * Records a workflow's history as a replay fixture:
 *   node --import tsx tests/replay/record-history.ts <workflowId> <fixture-name>
 * against TEMPORAL_ADDRESS (default: the `npm start` dev server). Commit the JSON it writes to
 * tests/replay/histories/; the replay suite replays every file there on every test run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

async function main(): Promise<void> {
  const [workflowId, name] = process.argv.slice(2);
  if (!workflowId || !name) throw new Error('usage: record-history.ts <workflowId> <fixture-name>');
  const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS'] ?? '127.0.0.1:7233' });
  try {
    const client = new Client({ connection, namespace: process.env['TEMPORAL_NAMESPACE'] ?? 'default' });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const file = path.join(__dirname, 'histories', `${name}.json`);
    fs.writeFileSync(file, `${historyToJSON(history)}\n`);
    console.log(`wrote ${file} (${history.events?.length ?? 0} events)`);
  } finally {
    await connection.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
