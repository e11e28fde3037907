/**
 * The HTTP server's own defences, against a real Postgres: security headers on pages, the API and
 * the docs; Secure cookies behind HTTPS; the largest upload fitting its route's body limit; and a
 * sign-in rate limit that stops guessing without locking the real person out — per account and
 * address, per address, per account from anywhere, each a cool-down that lifts by itself.
 */
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOGIN_LIMITS } from '../../client/http/auth';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { addUser, as, PASSWORD, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedUnitYear } from '../fixtures/seed';

const UNIT = 'yiyang-smart-city';

describe('HTTP hardening', () => {
  let database: TestDatabase;
  let temporal: Client;
  let app: FastifyInstance;
  let https: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase('hardening');
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'hardening-no-such-namespace' });
    app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    https = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', secureCookies: true });
    await addUser(database.db, 'finance@hardening.test', UNIT, 'finance_officer');
    for (const name of ['victim', 'spread', 'office']) await addUser(database.db, `${name}@hardening.test`, UNIT, 'unit_head');
  });
  afterAll(async () => {
    await app?.close();
    await https?.close();
    await temporal?.connection.close();
    await database?.drop();
  });

  describe('headers', () => {
    it('gives pages a Content-Security-Policy without inline script, and forbids framing by other sites everywhere', async () => {
      const page = await app.inject({ method: 'GET', url: '/login' });
      expect(page.statusCode).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
      expect(directives['script-src']).toEqual(["'self'"]);
      expect(directives['frame-ancestors']).toEqual(["'self'"]);
      expect(directives['object-src']).toEqual(["'none'"]);
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['referrer-policy']).toBe('same-origin');
      // The page loads its one script file, and has no inline script or handler for the policy to block.
      expect(page.body).toContain('<script src="/assets/app.js" defer></script>');
      expect(page.body.match(/<script(?![^>]*(src=|type="application\/json"))[^>]*>/g)).toBeNull();
      expect(page.body).not.toMatch(/\son[a-z]+=/i);

      const api = await app.inject({ method: 'GET', url: '/api/me' });
      expect(api.statusCode).toBe(401);
      expect(api.headers).toMatchObject({ 'content-security-policy': "frame-ancestors 'self'", 'x-frame-options': 'SAMEORIGIN', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'cache-control': 'no-store' });
      expect(api.headers['strict-transport-security']).toBeUndefined();
    });

    it('lets the docs page have its one inline style, by hash, and nothing else inline', async () => {
      const docs = await app.inject({ method: 'GET', url: '/docs' });
      const csp = String(docs.headers['content-security-policy']);
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
    });
  });

  describe('cookies', () => {
    it('marks the session and language cookies Secure, and sends HSTS, when served over HTTPS', async () => {
      const signedIn = await https.inject({ method: 'POST', url: '/api/login', payload: { email: 'finance@hardening.test', password: PASSWORD } });
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.cookies.find((c) => c.name === 'selfeval_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
      expect(signedIn.headers['strict-transport-security']).toBe('max-age=31536000');
      const page = await https.inject({ method: 'GET', url: '/login?lang=en' });
      expect(page.cookies.find((c) => c.name !== 'selfeval_session')).toMatchObject({ secure: true });
      // …and not over plain HTTP, where a Secure cookie would never come back.
      const plain = await app.inject({ method: 'POST', url: '/api/login', payload: { email: 'finance@hardening.test', password: PASSWORD } });
      expect(plain.cookies.find((c) => c.name === 'selfeval_session')?.secure).toBeUndefined();
    });
  });

  describe('body limits', () => {
    it('takes a 10 MB evidence file (the largest allowed) on the upload route, and refuses 1 MB anywhere else', async () => {
      const finance = await signIn(app, 'finance@hardening.test');
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024 - 16, 0x20), Buffer.from('\n%%EOF\n')]);
      const upload = await app.inject({ method: 'POST', url: `/api/units/${UNIT}/years/2020/evidence`, ...as(finance), payload: { fileName: '审计报告.pdf', contentBase64: pdf.toString('base64') } });
      expect(upload.statusCode, upload.body.slice(0, 300)).toBe(201);
      const tooBig = await app.inject({ method: 'POST', url: '/api/tokens', ...as(finance), payload: { name: 'x'.repeat(1024 * 1024) } });
      expect(tooBig.statusCode).toBe(413);
      expect(tooBig.json()).toMatchObject({ code: 'invalid_input', message: 'the request body is too large (at most 1 MB)', messageZh: '请求内容过大（上限 1 MB）', details: [{ path: 'body', code: 'too_large' }] });
    });
  });

  describe('the sign-in rate limit', () => {
    const attempt = (email: string, address: string, password = 'wrong-password') =>
      app.inject({ method: 'POST', url: '/api/login', remoteAddress: address, payload: { email, password } });
    const ageAttempts = (minutes: number) => sql`update login_attempts set at = at - make_interval(mins => ${minutes})`.execute(database.db);

    it('stops an address guessing at an account, while the person signs in from where they usually do; the lock lifts by itself', async () => {
      // The victim has signed in from their office before.
      expect((await attempt('victim@hardening.test', '10.0.0.7', PASSWORD)).statusCode).toBe(200);
      for (let i = 0; i < LOGIN_LIMITS.pair; i++) expect((await attempt('victim@hardening.test', '203.0.113.9')).statusCode).toBe(401);
      const locked = await attempt('victim@hardening.test', '203.0.113.9', PASSWORD);
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toMatchObject({ code: 'rate_limited', message: 'too many failed sign-ins; try again in 15 minutes' });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
      // The person is not locked out.
      expect((await attempt('victim@hardening.test', '10.0.0.7', PASSWORD)).statusCode).toBe(200);
      // A refused attempt does not count: still 10 failures. Sixteen minutes later they have aged out.
      expect(await failures('pair:victim@hardening.test|203.0.113.9')).toBe(LOGIN_LIMITS.pair);
      await ageAttempts(16);
      expect((await attempt('victim@hardening.test', '203.0.113.9', PASSWORD)).statusCode).toBe(200);
    });

    it('counts an address’s own mistakes only since its last success there', async () => {
      await attempt('office@hardening.test', '10.0.0.8', PASSWORD);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < LOGIN_LIMITS.pair - 1; i++) expect((await attempt('office@hardening.test', '10.0.0.8')).statusCode).toBe(401);
        expect((await attempt('office@hardening.test', '10.0.0.8', PASSWORD)).statusCode).toBe(200);
      }
    });

    it('stops a distributed attack on an account for addresses it was never signed in from, not for the person', async () => {
      expect((await attempt('spread@hardening.test', '10.0.0.9', PASSWORD)).statusCode).toBe(200);
      for (let i = 0; i < LOGIN_LIMITS.account; i++) {
        expect((await attempt('spread@hardening.test', `198.51.100.${i + 1}`)).statusCode).toBe(401);
      }
      // A new address is refused even with the right password…
      expect((await attempt('spread@hardening.test', '192.0.2.200', PASSWORD)).statusCode).toBe(429);
      // …the person's usual one is not.
      expect((await attempt('spread@hardening.test', '10.0.0.9', PASSWORD)).statusCode).toBe(200);
      await ageAttempts(16);
      expect((await attempt('spread@hardening.test', '192.0.2.200', PASSWORD)).statusCode).toBe(200);
    });

    it('stops an address guessing at many accounts, except for accounts signed in from it before', async () => {
      const nat = '100.64.0.1';
      expect((await attempt('office@hardening.test', nat, PASSWORD)).statusCode).toBe(200);
      for (let i = 0; i < LOGIN_LIMITS.address; i++) expect((await attempt(`nobody${i}@hardening.test`, nat)).statusCode).toBe(401);
      expect((await attempt('victim@hardening.test', nat, PASSWORD)).statusCode).toBe(429);
      expect((await attempt('office@hardening.test', nat, PASSWORD)).statusCode).toBe(200);
    });

    async function failures(key: string): Promise<number> {
      const r = await database.db.selectFrom('login_attempts').select(({ fn }) => fn.countAll<number>().as('n')).where('key', '=', key).where('succeeded', '=', false).executeTakeFirstOrThrow();
      return Number(r.n);
    }
  });
});
