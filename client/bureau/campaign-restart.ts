/**
 * Restarting a bureau's campaign whose workflow stopped (failed, terminated, cancelled, timed out)
 * before every unit's report was accepted, for the API. The new run takes the stopped run's own
 * notice (its input as it started: deadline, rule set, outline, escalation and fan-out options)
 * without what it carried over: it opens the campaign again — its row and units are found, the
 * units accepted meanwhile are read from the database — starts the units not started (every start
 * is idempotent by its workflow id) and goes on reminding; messages already sent are not sent
 * again (their keys). When Temporal has forgotten the stopped run, the notice is rebuilt from the
 * campaign's row. Either way the notice lists the units the campaign has, so none joins unasked.
 */
import type { Client } from '@temporalio/client';
import { type Campaign, campaignOf, campaignUnitCodes, clearCampaignStop } from '../../db/campaigns.repository';
import type { Db } from '../../db/connection';
import { audit } from '../../db/evaluations.repository';
import { AppError } from '../../domain/errors';
import { latestRun, startInputOf, startOverStoppedRun } from '../temporal';
import { type CampaignInput, campaignWorkflowType, taskQueue } from '../../workflows/campaign/contract';

export async function restartCampaign(
  client: Client,
  db: Db,
  input: { organisationCode: string; year: number; actor: string; reason: string; taskQueue?: string },
): Promise<{ workflowId: string; runId: string; previous: { runId: string; state: string }; notice: 'as_started' | 'from_the_row' }> {
  const campaign = await campaignOf(db, input.organisationCode, input.year);
  if (!campaign) throw new AppError('not_found', `${input.year}年度自评工作尚未部署`, `no campaign for ${input.year}`);
  if (campaign.closedAt) throw new AppError('conflict', '本年度自评工作已结束，无需重新启动', 'the campaign has ended; there is nothing to restart');
  const workflowId = campaign.workflowId;
  const latest = await latestRun(client, workflowId);
  if (latest?.state === 'running') throw new AppError('conflict', '自评工作的督办流程仍在运行，无需重新启动', 'the campaign is running; there is nothing to restart');
  if (latest?.state === 'completed') throw new AppError('conflict', '本年度自评工作已结束，无需重新启动', 'the campaign has ended; there is nothing to restart');
  const previous = { runId: latest?.runId ?? campaign.stopped?.runId ?? '', state: latest?.state ?? campaign.stopped?.state ?? 'other' };
  const started = latest ? await inputOf(client, workflowId, latest.runId) : undefined;
  // Its units as they are (a notice without a list would bring in every unit under the bureau now).
  const units = await campaignUnitCodes(db, campaign.id);
  const args: CampaignInput = { ...(started ? withoutCarried(started) : fromRow(campaign)), units };
  // Only over a run that did not complete: an ended campaign is never run again.
  const runId = await startOverStoppedRun(client, campaignWorkflowType, { workflowId, taskQueue: input.taskQueue ?? taskQueue, args: [args] }, {
    zh: '自评工作已被重新启动', en: 'the campaign was restarted meanwhile',
  });
  await clearCampaignStop(db, workflowId);
  const notice = started ? ('as_started' as const) : ('from_the_row' as const);
  await audit(db, { actor: input.actor, unitId: null, action: 'campaign.restart', subject: workflowId, details: { reason: input.reason, previousRunId: previous.runId, previousState: previous.state, runId, notice }, dedupeKey: `${workflowId}|restart|${previous.runId}` });
  return { workflowId, runId, previous, notice };
}

/** The input the run started with, or undefined when it cannot be read (the notice is then rebuilt from the row). */
function inputOf(client: Client, workflowId: string, runId: string): Promise<CampaignInput | undefined> {
  return startInputOf<CampaignInput>(client, workflowId, runId).catch(() => undefined);
}

function withoutCarried(i: CampaignInput): CampaignInput {
  const { carried: _carried, ...rest } = i;
  return rest;
}

function fromRow(c: Campaign): CampaignInput {
  return {
    organisationCode: c.organisationCode, year: c.year, issuedBy: c.createdBy, dueDate: c.dueDate, ruleSet: c.ruleSet, outline: c.outline, notice: c.notice,
    ...(c.taskDueDate ? { taskDueDate: c.taskDueDate } : {}),
  };
}
