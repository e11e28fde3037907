/**
 * All side effects live here, built from their dependencies so tests and the worker pass their
 * own (a real database, a real mail server). Every activity is idempotent.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import type { WorkingDayCalendar } from '../domain/calendar/working-days';
import { createBenchActivities } from './bench.activities';
import { createCampaignActivities } from './campaign.activities';
import { createEvaluationActivities } from './evaluation.activities';
import { createHoldbackActivities } from './holdbacks.activities';
import type { Notifier } from './notifications/notifier';
import type { ReportFontPaths } from './report/fonts';
import type { RenderPool } from './report/render-pool';
import { createReportActivities } from './reports.activities';
import { createReviewActivities } from './review.activities';
import { createSmokeActivities } from './smoke.activities';

export interface ActivityDeps {
  db: Db;
  notifier: Notifier;
  /** The working-day calendar (national holidays plus configured overrides). */
  calendar: WorkingDayCalendar;
  /** For activities that start other workflows (the evaluation starting holdbacks). */
  temporal?: Client;
  /** Base URL of the web pages, for links. */
  publicUrl: string;
  /** Reports rendered at once by this process (default 2): more only adds memory, not speed. */
  renderConcurrency?: number;
  /** Configured report fonts (a serif / 仿宋 face), when any. */
  reportFonts?: ReportFontPaths;
  /**
   * The worker threads reports are rendered in (the worker passes one sized by
   * SELFEVAL_RENDER_THREADS); without one, a shared pool of this process with the default size.
   */
  renderPool?: RenderPool;
  /** A draft's DOCX: rendered when someone first asks for it (default), or with its PDF. */
  draftDocx?: 'on_request' | 'eager';
  /**
   * Business time minus workflow time, in ms. Always 0 in production; tests on the time-skipping
   * server use it to place the working-day calendar at fixed, hand-checked dates.
   */
  clockShiftMs?: number;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSmokeActivities(deps),
    ...createBenchActivities(),
    ...createEvaluationActivities(deps),
    ...createHoldbackActivities(deps),
    ...createReportActivities(deps),
    ...createCampaignActivities(deps),
    ...createReviewActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
