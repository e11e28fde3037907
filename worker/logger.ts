/**
 * Worker logging: pino JSON lines, and the Temporal Runtime's own logs (SDK core, workflow and
 * activity `log` calls) forwarded into the same stream under the `temporal` child.
 */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import type { Config } from '../domain/config';

export function createWorkerLogger(config: Pick<Config, 'log'>): Logger {
  return pino({ name: 'worker', level: config.log.level, base: undefined });
}

const sdkLevel: Record<string, LogLevel> = {
  trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR',
};

/** Call once per process, before any Worker or NativeConnection is created. */
export function installRuntimeLogger(logger: Logger, level: Config['log']['level']): void {
  const sdk = logger.child({ subsystem: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(sdkLevel[level] ?? 'INFO', (entry) => {
      const meta = entry.meta ?? {};
      switch (entry.level) {
        case 'TRACE': return sdk.trace(meta, entry.message);
        case 'DEBUG': return sdk.debug(meta, entry.message);
        case 'INFO': return sdk.info(meta, entry.message);
        case 'WARN': return sdk.warn(meta, entry.message);
        default: return sdk.error(meta, entry.message);
      }
    }),
  });
}
