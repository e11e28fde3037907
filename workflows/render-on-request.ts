/**
 * The activities of the one-activity workflows that render a file on request (a draft's DOCX, a
 * 复核结果): a render may take a while and heartbeats; it is retried when a worker or render
 * thread dies mid-render.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export const renderOnRequest = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
});
