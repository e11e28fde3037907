/**
 * The one structured logger (pino), JSON lines on stdout; named children per subsystem.
 * The local stack launcher turns these lines into readable, labelled output.
 */
import pino, { type Logger } from 'pino';
import type { Config } from '../../domain/config';

export type { Logger };

export function createLogger(name: string, config: Pick<Config, 'log'>): Logger {
  return pino({
    name,
    level: config.log.level,
    base: undefined,
    redact: { paths: ['password', '*.password', 'authorization', '*.authorization', 'cookie', '*.cookie'], censor: '***' },
  });
}
