/** GET /healthz against a real Postgres and the real dev server, and against unreachable ones. */
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '../../client/http/server';
import { freePort } from '../../client/stack/proc';
import { createDb } from '../../db/connection';
import { ownNamespace } from '../helpers/temporal';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

describe('GET /healthz', () => {
  let database: TestDatabase;
  let temporal: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: await ownNamespace('healthz') });
  });
  afterAll(async () => {
    await temporal?.connection.close();
    await database?.drop();
  });

  it('answers 200 when Temporal and the database are reachable', async () => {
    const app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    await app.close();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', temporal: { ok: true }, database: { ok: true }, workers: { pollers: expect.any(Number) } });
  });

  it('answers 503 naming the database when it is unreachable', async () => {
    const deadDb = createDb(`postgres://postgres:postgres@127.0.0.1:${await freePort()}/nothing`, { max: 1 });
    const app = await buildServer({ db: deadDb, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    await app.close();
    await deadDb.destroy();
    expect(response.statusCode).toBe(503);
    const body = response.json();
    expect(body).toMatchObject({ status: 'degraded', temporal: { ok: true }, database: { ok: false } });
    expect(body.database.error).toMatch(/ECONNREFUSED|connect/);
  });

  it('answers unknown routes with the one error shape', async () => {
    const app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    const response = await app.inject({ method: 'GET', url: '/no/such/thing' });
    await app.close();
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 'not_found', message: 'no route GET /no/such/thing', messageZh: '未找到 GET /no/such/thing', details: [] });
  });
});
