/**
 * Every committed history replays against today's workflow code. A change that would break a
 * running workflow (a reordered step, a new activity without `patched()`) fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../../worker/create-worker';
import { APPROVAL_PATCH, CAMPAIGN_REVIEW_PATCH, LOCAL_PROJECTIONS_PATCH, SELF_ASSESSMENT_PATCH, STARTER_WAITS_PATCH, STOP_RECORD_PATCH } from '../../workflows/evaluation/contract';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('replay of committed histories', () => {
  let bundle: WorkflowBundle;
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('covers both sides of every patch: runs from before it and runs that took it', () => {
    const patchesOf = (file: string): string[] => {
      const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { events: Array<{ markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Array<{ data?: string }> }> } }> };
      return history.events
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!, 'base64').toString('utf8')).id as string);
    };
    for (const [workflow, patch] of [
      ['annual-evaluation-seed-cycle', LOCAL_PROJECTIONS_PATCH],
      ['section-task-submitted', LOCAL_PROJECTIONS_PATCH],
      ['annual-evaluation-seed-cycle', SELF_ASSESSMENT_PATCH],
      ['annual-evaluation-seed-cycle', APPROVAL_PATCH],
      ['yearly-starter', STARTER_WAITS_PATCH],
      ['annual-evaluation-seed-cycle', CAMPAIGN_REVIEW_PATCH],
      // A run that failed before the patch (ends without recording) and one that recorded its stop.
      ['annual-evaluation-failed', STOP_RECORD_PATCH],
    ] as const) {
      const variants = files.filter((f) => f.startsWith(workflow)).map(patchesOf);
      expect(variants.some((p) => !p.includes(patch)), `${workflow}: a history from before ${patch}`).toBe(true);
      expect(variants.some((p) => p.includes(patch)), `${workflow}: a history that took ${patch}`).toBe(true);
    }
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const workflowId = file.replace(/\.json$/, '');
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).resolves.toBeUndefined();
  });
});
