/**
 * The HTTP API on real Postgres and the real dev server: sign-in and sessions, CSRF, the one error
 * shape with field paths, the sign-in rate limit, ledger import and analysis, API tokens.
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '../../client/http/server';
import { parseWanYuan } from '../../domain/money';
import { ownNamespace } from '../helpers/temporal';
import { addUser, as, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedFile } from '../fixtures/seed';
import { importUnitYear } from '../../db/ledger.repository';
import { seedUnitYear } from '../fixtures/seed';

describe('HTTP API', () => {
  let database: TestDatabase;
  let temporal: Client;
  let app: FastifyInstance;
  let finance: Persona;

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: await ownNamespace('api') });
    app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    await addUser(database.db, 'finance@api.test', 'yiyang-smart-city', 'finance_officer');
    await addUser(database.db, 'general@api.test', 'yiyang-smart-city', 'section_head', 'general');
    finance = await signIn(app, 'finance@api.test');
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.connection.close();
    await database?.drop();
  });

  it('signs in with a password and answers /api/me with the roles', async () => {
    const me = await app.inject({ method: 'GET', url: '/api/me', ...as(finance) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { email: 'finance@api.test', roles: [{ unitCode: 'yiyang-smart-city', role: 'finance_officer', section: null }] }, csrfToken: finance.csrf });
    expect((await app.inject({ method: 'GET', url: '/api/me' })).statusCode).toBe(401);
  });

  it('sets the session cookie HttpOnly and SameSite', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'finance@api.test', password: 'correct-horse-42' } });
    const cookie = response.cookies.find((c) => c.name === 'selfeval_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  });

  it('refuses a change without the CSRF token of the session', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/tokens', headers: { cookie: finance.cookie }, payload: { name: 'cli' } });
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toMatch(/CSRF/);
  });

  it('answers bad input with 400 and every problem, with its field path, in both languages', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'x' } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('invalid_input');
    expect(body.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.email', 'body.password']);
    for (const d of body.details) expect(d.zh && d.en).toBeTruthy();
  });

  it('rate-limits failed sign-ins per email', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'general@api.test', password: `wrong-${i}` } })).statusCode).toBe(401);
    }
    const blocked = await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'general@api.test', password: 'correct-horse-42' } });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('rate_limited');
  });

  it('imports a ledger file and returns its analysis; a malformed file is a 400 listing its problems', async () => {
    const content = fs.readFileSync(seedFile).toString('base64');
    const imported = await app.inject({ method: 'POST', url: '/api/units/yiyang-smart-city/ledger', ...as(finance), payload: { fileName: 'seed.yaml', contentBase64: content } });
    expect(imported.statusCode).toBe(200);
    expect(imported.json().status).toBe('unchanged');
    const bad = await app.inject({ method: 'POST', url: '/api/units/yiyang-smart-city/ledger', ...as(finance), payload: { fileName: 'bad.json', contentBase64: Buffer.from('{"format":1}').toString('base64') } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.length).toBeGreaterThan(3);
    const analysis = await app.inject({ method: 'GET', url: '/api/units/yiyang-smart-city/years/2020/analysis', ...as(finance) });
    expect(analysis.statusCode).toBe(200);
    expect(analysis.json().reconciliation.findings.find((f: { code: string }) => f.code === 'project_expenditure_gap').difference).toBe(parseWanYuan('7.02'));
  });

  it('issues API tokens for the command line, and accepts them without CSRF', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/tokens', ...as(finance), payload: { name: 'cli' } });
    expect(created.statusCode).toBe(200);
    const token = created.json().token as string;
    expect(token).toMatch(/^se_/);
    const units = await app.inject({ method: 'GET', url: '/api/units', headers: { authorization: `Bearer ${token}` } });
    expect(units.json().units).toEqual([expect.objectContaining({ code: 'yiyang-smart-city' })]);
    expect((await app.inject({ method: 'GET', url: '/api/units', headers: { authorization: 'Bearer se_nonsense' } })).statusCode).toBe(401);
  });

  it('publishes the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/login', '/api/tasks', '/api/units/{unit}/years/{year}/evaluation']));
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('/api/units/{unit}/years/{year}/evaluation/approve');
    expect(page.body).toContain('Approve the draft report');
  });
});
