/** GET /healthz against a real Postgres and the real dev server, and against unreachable ones. */
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { seedUnitYear } from '../fixtures/seed';
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
    expect(response.json()).toMatchObject({ status: 'ok', temporal: { ok: true }, database: { ok: true }, workers: { pollers: expect.any(Number) }, outbox: { due: 0, oldestDueSeconds: null } });
  });

  it('says how many messages wait in the outbox and for how long (informational: still 200)', async () => {
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    const unit = await database.db.selectFrom('units').select('id').executeTakeFirstOrThrow();
    const due = (key: string, status: 'pending' | 'sent', secondsAgo: number, nextInS: number | null) => ({
      dedupe_key: key, unit_id: unit.id, kind: 'k', channel: 'wecom' as const, channel_id: null, subject: 's', body: 'b', status,
      created_at: new Date(Date.now() - secondsAgo * 1000), next_attempt_at: nextInS === null ? null : new Date(Date.now() + nextInS * 1000),
    });
    const channel = await database.db.insertInto('notification_channels').values({ unit_id: unit.id, kind: 'wecom', url: 'http://127.0.0.1:9/x', secret: null }).returning('id').executeTakeFirstOrThrow();
    await database.db
      .insertInto('notifications')
      .values([due('h1', 'pending', 600, null), due('h2', 'pending', 120, -60), due('h3', 'pending', 60, 300), due('h4', 'sent', 900, null)].map((r) => ({ ...r, channel_id: channel.id })))
      .execute();
    const app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    await app.close();
    expect(response.statusCode).toBe(200);
    // h1 (due since it was written, 10 minutes ago) and h2 (its retry fell due a minute ago); h3 waits for its retry; h4 went.
    const outbox = response.json().outbox;
    expect(outbox.due).toBe(2);
    expect(outbox.oldestDueSeconds).toBeGreaterThanOrEqual(599);
    expect(outbox.oldestDueSeconds).toBeLessThan(660);
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
