/**
 * The HTTP server as `npm run bench:api` runs it: the real `buildServer` on DATABASE_URL, with a
 * lazy Temporal connection (the inbox never talks to Temporal), in a process of its own.
 */
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { buildServer } from '../client/http/server';
import { createDb } from '../db/connection';
import { databaseUrlOf, parseConfig } from '../domain/config';

async function main(): Promise<void> {
  const config = parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
  const db = createDb(databaseUrlOf(config), { max: 10 });
  const temporal = new Client({ connection: Connection.lazy({ address: config.temporal.address }), namespace: config.temporal.namespace });
  const app = await buildServer({ db, temporal, logger: pino({ level: config.log.level }), temporalUiUrl: config.temporal.uiUrl });
  await app.listen({ host: '127.0.0.1', port: config.http.port });
  process.once('SIGTERM', () => void app.close().then(() => db.destroy()).then(() => process.exit(0)));
}

void main();
