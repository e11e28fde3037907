/**
 * The explicit list of migrations, in order. Names are timestamps (`YYYY-MM-DDTHH-MM_name`) so
 * they sort as they were written; add new ones at the end and never edit one that has shipped.
 */
import type { Migration } from 'kysely';
import * as foundation from './2026-11-26T12-00_foundation';
import * as ledger from './2026-11-26T13-00_ledger';
import * as reports from './2026-11-26T14-00_reports';
import * as notifications from './2026-11-26T15-00_notifications';
import * as holdbacks from './2026-11-26T16-00_holdbacks';
import * as evaluations from './2026-11-26T17-00_evaluations';
import * as accounts from './2026-11-26T18-00_accounts';
import * as score from './2026-12-06T10-00_score';
import * as assessmentTask from './2026-12-06T14-00_assessment-task';
import * as evaluationReturned from './2026-12-06T16-00_evaluation-returned';
import * as accountAdmin from './2026-12-06T17-00_account-admin';
import * as ruleSets from './2026-12-06T18-00_rule-sets';
import * as reportOutline from './2026-12-06T20-00_report-outline';
import * as evaluationOutline from './2026-12-06T22-00_evaluation-outline';
import * as reportPreviews from './2026-12-06T23-00_report-previews';
import * as bureau from './2026-12-07T00-00_bureau';
import * as draftDocxOnRequest from './2026-12-07T10-00_draft-docx-on-request';
import * as campaignReview from './2026-12-07T12-00_campaign-review';
import * as overviewColumns from './2026-12-07T14-00_overview-columns';
import * as reportsAfterIssue from './2026-12-07T16-00_reports-after-issue';
import * as publicationSnapshot from './2026-12-07T18-00_publication-snapshot';
import * as reviewResults from './2026-12-07T20-00_review-results';
import * as notificationRelay from './2026-12-08T00-00_notification-relay';
import * as evaluationStops from './2026-12-08T01-00_evaluation-stops';
import * as undeliveredIndex from './2026-12-08T02-00_undelivered-index';
import * as holdbackStops from './2026-12-09T00-00_holdback-stops';
import * as campaignStops from './2026-12-09T01-00_campaign-stops';

export const migrations: Record<string, Migration> = {
  '2026-11-26T12-00_foundation': foundation,
  '2026-11-26T13-00_ledger': ledger,
  '2026-11-26T14-00_reports': reports,
  '2026-11-26T15-00_notifications': notifications,
  '2026-11-26T16-00_holdbacks': holdbacks,
  '2026-11-26T17-00_evaluations': evaluations,
  '2026-11-26T18-00_accounts': accounts,
  '2026-12-06T10-00_score': score,
  '2026-12-06T14-00_assessment-task': assessmentTask,
  '2026-12-06T16-00_evaluation-returned': evaluationReturned,
  '2026-12-06T17-00_account-admin': accountAdmin,
  '2026-12-06T18-00_rule-sets': ruleSets,
  '2026-12-06T20-00_report-outline': reportOutline,
  '2026-12-06T22-00_evaluation-outline': evaluationOutline,
  '2026-12-06T23-00_report-previews': reportPreviews,
  '2026-12-07T00-00_bureau': bureau,
  '2026-12-07T10-00_draft-docx-on-request': draftDocxOnRequest,
  '2026-12-07T12-00_campaign-review': campaignReview,
  '2026-12-07T14-00_overview-columns': overviewColumns,
  '2026-12-07T16-00_reports-after-issue': reportsAfterIssue,
  '2026-12-07T18-00_publication-snapshot': publicationSnapshot,
  '2026-12-07T20-00_review-results': reviewResults,
  '2026-12-08T00-00_notification-relay': notificationRelay,
  '2026-12-08T01-00_evaluation-stops': evaluationStops,
  '2026-12-08T02-00_undelivered-index': undeliveredIndex,
  '2026-12-09T00-00_holdback-stops': holdbackStops,
  '2026-12-09T01-00_campaign-stops': campaignStops,
};
