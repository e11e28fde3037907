/**
 * The notification outbox relay of a worker process: every `everyMs` it delivers what is due
 * (`Notifier.deliverDue`) — messages a workflow's notify could not send at once, after their
 * back-off. Rounds never overlap; several workers may relay at once (each row is claimed before
 * it is sent). A failing round (the database away) is logged and the next one tries again.
 */
import type { DeliveryRound, Notifier } from '../activities/notifications/notifier';
import { type Periodic, startPeriodic } from './periodic';

export type OutboxRelay = Periodic;

export interface RelayLogger {
  info(obj: object, msg: string): void;
  warn(msg: string): void;
}

export function startOutboxRelay(notifier: Pick<Notifier, 'deliverDue'>, logger: RelayLogger, everyMs = 30_000): OutboxRelay {
  return startPeriodic(async () => {
    try {
      const r: DeliveryRound = await notifier.deliverDue();
      if (r.sent || r.failed || r.uncertain || r.gaveUp) logger.info({ ...r }, 'notification outbox relayed');
    } catch (e) {
      logger.warn(`notification outbox: this round failed and the next will try again (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    }
  }, everyMs);
}
