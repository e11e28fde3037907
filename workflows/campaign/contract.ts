/**
 * Contract of a year's campaign (`campaign/<org>/<year>`): the bureau's notice that starts the
 * self-evaluation of every unit under it, follows who is late and escalates up the tree. The
 * workflow, the API, the activities, the benchmark and the tests import this; no id or message
 * name is written anywhere else.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { CalendarWarning } from '../../domain/calendar/working-days';

export { taskQueue } from '../task-queue';

export const campaignWorkflowType = 'campaign';
export const campaignId = (organisationCode: string, year: number): string => `campaign/${organisationCode}/${year}`;
/** The workflow that starts one unit's evaluation for a campaign (a yearly starter with the year given). */
export const campaignStarterId = (campaignWorkflowId: string, unitCode: string): string => `${campaignWorkflowId}/start/${unitCode}`;

/** Units started per fan-out activity (each start is one idempotent RPC by workflow id). */
export const DEFAULT_FAN_OUT_BATCH = 25;

export interface CampaignInput {
  organisationCode: string;
  year: number;
  /** Who issued the notice (the bureau officer). */
  issuedBy: string;
  /** The deadline of the issued report (YYYY-MM-DD). */
  dueDate: string;
  /** The sections' due date given to every evaluation (YYYY-MM-DD); default: 10 working days before the deadline, at the earliest 5 after the notice. */
  taskDueDate?: string;
  /** The rule set (id and version, from the versioned data) and report outline every unit's evaluation pins. */
  ruleSet: { id: string; version: number };
  outline: string;
  /** The notice's text (sent to every unit's finance officer and head). */
  notice: string;
  /** The units; absent: every unit under the organisation when the campaign opens. */
  units?: string[];
  /** Escalation after the deadline, in working days: to the department officers, then to the bureau officers (default 3 and 6). */
  escalation?: { departmentAfterWorkingDays?: number; bureauAfterWorkingDays?: number };
  /** Time of day reminders go out, Asia/Shanghai (default 09:00). */
  reminderTime?: string;
  /** Fan-out: units per batch, and a pause between batches (spares the server when thousands start at once). */
  fanOut?: { batchSize?: number; pauseMs?: number };
  /** Continue as new after this many history events (tests; the server's suggestion otherwise). */
  continueAsNewAfterEvents?: number;
  /** Carried over when the campaign continues as new. */
  carried?: CampaignCarried;
}

/** What a campaign that continued as new had done. */
export interface CampaignCarried {
  opened: OpenedCampaign;
  units: string[];
  /** How many of `units` (in order) have been started. */
  startedCount: number;
  remindersSent: string[];
  accepted: string[];
}

/** What the campaign's open recorded (the activity's answer). */
export interface OpenedCampaign {
  campaignId: number;
  /** The deadline's end (18:00 Asia/Shanghai), as the workflow's instant. */
  dueAt: string;
  taskDueDate: string;
  calendarWarnings: CalendarWarning[];
}

export interface CampaignResult {
  units: number;
  accepted: number;
}

// ── Messages ───────────────────────────────────────────────────────────────────────────────

const unitCode = z.string().trim().min(1).max(64);
export const addUnitsArgsSchema = z.object({ actor: z.string().trim().min(1).max(200), units: z.array(unitCode).min(1).max(5000) }).strict();
export type AddUnitsArgs = z.infer<typeof addUnitsArgsSchema>;
/** Units added to a running campaign (the API checked they are under the organisation): each joins and starts. */
export const addUnitsUpdate = defineUpdate<{ ok: true; joined: string[] }, [AddUnitsArgs]>('campaign.addUnits');
/** A unit's report was accepted by the last review level (sent by its review). */
export const unitAcceptedSignal = defineSignal<[{ unitCode: string }]>('campaign.unitAccepted');

export type CampaignReminderKind = 'before' | 'due' | 'after' | 'escalate_department' | 'escalate_bureau';

export interface CampaignStatus {
  workflowId: string;
  organisationCode: string;
  year: number;
  dueDate: string;
  taskDueDate: string | null;
  /** Units in the campaign, started so far (the fan-out), accepted by the bureau. */
  units: number;
  started: number;
  accepted: number;
  /** Reminder and escalation keys sent, and the next one. */
  remindersSent: string[];
  nextReminder: { key: string; kind: CampaignReminderKind; at: string } | null;
  calendarWarnings: CalendarWarning[];
  closed: boolean;
}
export const campaignStatusQuery = defineQuery<CampaignStatus>('campaign.status');
