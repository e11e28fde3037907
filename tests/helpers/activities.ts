/** Activity dependencies for tests: the real database, in-app notifications, the national calendar. */
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import type { ActivityDeps } from '../../activities';
import { createNotifier } from '../../activities/notifications/notifier';
import type { Db } from '../../db/connection';
import { nationalCalendar } from '../../domain/calendar/working-days';

export function testActivityDeps(db: Db, extra: { temporal?: Client; mailer?: Transporter } = {}): ActivityDeps {
  return {
    db,
    notifier: createNotifier({ db, mailFrom: 'selfeval <test@example.invalid>', publicUrl: 'http://selfeval.test', ...(extra.mailer ? { mailer: extra.mailer } : {}) }),
    calendar: nationalCalendar,
    publicUrl: 'http://selfeval.test',
    ...(extra.temporal ? { temporal: extra.temporal } : {}),
  };
}
