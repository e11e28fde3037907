/** The HTTP server process. */
import os from 'node:os';
import { createDb, pingDb } from '../../db/connection';
import { databaseUrlOf, parseConfig, redactUrl } from '../../domain/config';
import { isAppError } from '../../domain/errors';
import { formatProblems } from '../../domain/validation';
import { createLogger } from '../logging/logger';
import { connectTemporal } from '../temporal';
import { buildServer } from './server';

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const logger = createLogger('http', config);
  const url = databaseUrlOf(config);
  const db = createDb(url, {
    applicationName: 'selfeval-http',
    onIdleError: (e) => logger.warn(`idle database connection lost: ${e.message}`),
  });
  try {
    await pingDb(db, 5_000);
  } catch (e) {
    logger.fatal(`cannot reach the database at ${redactUrl(url)} (${(e as Error).message}): check DATABASE_URL, or unset it to use the embedded Postgres of \`npm start\``);
    await db.destroy();
    process.exitCode = 1;
    return;
  }
  let temporal;
  try {
    temporal = await connectTemporal(config);
  } catch (e) {
    logger.fatal(`cannot reach Temporal at ${config.temporal.address} (${(e as Error).message}): check TEMPORAL_ADDRESS, or start the stack with \`npm start\``);
    await db.destroy();
    process.exitCode = 1;
    return;
  }
  const app = await buildServer({ db, temporal, logger, temporalUiUrl: config.temporal.uiUrl, taskQueue: config.temporal.taskQueue, secureCookies: config.http.secureCookies, trustProxy: config.http.trustProxy });
  let stopped = false;
  const stop = async (signal: string) => {
    if (stopped) return;
    stopped = true;
    logger.info({ signal }, 'stopping');
    await app.close();
    await temporal.connection.close();
    await db.destroy();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  if (process.env['SELFEVAL_SUPERVISED']) {
    // Under `npm start`, stop by ourselves if the launcher dies without stopping us.
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && void stop('supervisor-lost'), 1_000).unref();
  }
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    logger.fatal(
      code === 'EADDRINUSE'
        ? `port ${config.http.port} is in use: stop the other process or set HTTP_PORT`
        : `cannot listen on ${config.http.host}:${config.http.port}: ${(e as Error).message}`,
    );
    await stop('listen-failed');
    process.exitCode = 1;
    return;
  }
  logger.info({ url: `http://${config.http.host}:${config.http.port}` }, 'http server listening');
}

main().catch((e: unknown) => {
  if (isAppError(e) && e.code === 'config') console.error(`http: ${e.zh} / ${e.en}\n${formatProblems(e.details)}`);
  else console.error(e);
  process.exitCode = 1;
});
