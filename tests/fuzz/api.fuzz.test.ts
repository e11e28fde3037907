/**
 * Every route of the API table under generated bad input (fast-check): wrong types, huge and
 * deeply nested bodies, odd Unicode, money beyond the safe range, impossible dates, injection
 * strings, malformed JSON, wrong content types, bodies over the size limit, bad path segments and
 * query strings, forged sessions and tokens, a missing CSRF token — and valid documents of the
 * unit-year with a value made impossible inside. Each answer must be under 500, a 4xx must carry
 * `{ code, message, messageZh, details[{ path, code, zh, en }] }`, and no row of any table may
 * change (a checksum of every table before and after each route). Routes that talk to Temporal
 * talk to a namespace that does not exist.
 *
 * At least 10,000 requests in all; the count per route is printed. FUZZ_SEED=<n> replays a run.
 */
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiRoutes, type RouteDef } from '../../client/http/routes';
import { buildServer, DEFAULT_BODY_LIMIT, LARGE_BODY_LIMIT } from '../../client/http/server';
import type { Db } from '../../db/connection';
import { freePort } from '../../client/stack/proc';
import { temporalConnectionOptions } from '../../client/temporal';
import { importUnitYear } from '../../db/ledger.repository';
import { storeReport } from '../../db/reports.repository';
import { addUser, as, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedDocument, seedUnitYear } from '../fixtures/seed';
import { badObject, badQuery, badSegment, badToken, badValue, DATES, objectShape, oversizedJson, rawBody, type RawBody } from './arbitraries';

const TOTAL_INPUTS = 10_000;
const UNIT = 'yiyang-smart-city';
const seed = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : Date.now() % 2 ** 31;

const personaNames = ['finance', 'unitHead', 'admin', 'headGeneral', 'otherUnit'] as const;
type PersonaName = (typeof personaNames)[number];

const keyOf = (r: RouteDef) => `${r.method} ${r.url}`;

/** A persona the route's access rule lets through, so the input reaches validation and the handler. */
function personaFor(route: RouteDef): PersonaName | 'anonymous' {
  const a = route.access as { kind: string; roles?: readonly string[]; unitRoles?: readonly string[]; sectionHead?: boolean };
  if (a.kind === 'public') return 'anonymous';
  if (a.kind === 'task') return a.sectionHead ? 'headGeneral' : 'finance';
  const roles = a.roles ?? [];
  if (roles.length === 0) return 'finance';
  if (roles.includes('finance_officer')) return 'finance';
  if (roles.includes('unit_head')) return 'unitHead';
  if (roles.includes('admin')) return 'admin';
  return 'headGeneral';
}

/** One request and what kind of bad it is. */
interface Case {
  family: string;
  method: RouteDef['method'];
  url: string;
  persona: PersonaName | 'anonymous';
  /** Send the persona's session without its CSRF token. */
  noCsrf?: boolean;
  headers?: Record<string, string>;
  /** An object body (sent as JSON) or a raw one. */
  body?: unknown;
  raw?: RawBody;
  /** A 2xx would mean bad input was accepted. */
  mustRefuse: boolean;
  /** A preview answers 200 with the input's problems listed: there must be some. */
  expectProblems?: boolean;
  /** What was made impossible, for the failure message. */
  note?: string;
  /** The answer's exact status, where the case is about one refusal. */
  expectStatus?: number;
  /** The refusal must (or must not) name this problem code. */
  expectDetail?: string;
  forbidDetail?: string;
}

interface Tally {
  sent: number;
  byStatus: Record<number, number>;
}

describe('the HTTP boundary under generated bad input', () => {
  let database: TestDatabase;
  let temporal: Client;
  let app: FastifyInstance;
  const personas: Partial<Record<PersonaName, Persona>> = {};
  const params: Record<string, string> = {};
  const bases: Record<string, unknown> = {};
  const tallies = new Map<string, Tally>();

  beforeAll(async () => {
    database = await createTestDatabase('fuzz');
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    const other = structuredClone(seedUnitYear());
    other.unit.code = 'another-unit';
    other.people = [];
    await importUnitYear(database.db, other, { actor: 'test' });
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'fuzz-no-such-namespace' });
    app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    await addUser(database.db, 'finance@fuzz.test', UNIT, 'finance_officer');
    await addUser(database.db, 'head@fuzz.test', UNIT, 'unit_head');
    await addUser(database.db, 'admin@fuzz.test', UNIT, 'admin');
    await addUser(database.db, 'general@fuzz.test', UNIT, 'section_head', 'general');
    await addUser(database.db, 'finance@other.test', 'another-unit', 'finance_officer');
    const emails: Record<PersonaName, string> = { finance: 'finance@fuzz.test', unitHead: 'head@fuzz.test', admin: 'admin@fuzz.test', headGeneral: 'general@fuzz.test', otherUnit: 'finance@other.test' };
    for (const name of personaNames) personas[name] = await signIn(app, emails[name]);

    // What a running evaluation leaves behind: its row, a section task, an issued report, an evidence file.
    const uy = await database.db.selectFrom('unit_years').innerJoin('units', 'units.id', 'unit_years.unit_id').select(['unit_years.id', 'units.id as unitId']).where('units.code', '=', UNIT).executeTakeFirstOrThrow();
    const evaluation = await database.db.insertInto('evaluations').values({ unit_year_id: uy.id, workflow_id: `evaluation/${UNIT}/2020`, stage: 'collecting', started_by: 'test', due_at: new Date(), snapshot_sha256: 'x' }).returning('id').executeTakeFirstOrThrow();
    const section = await database.db.selectFrom('sections').select('id').where('unit_id', '=', uy.unitId).where('code', '=', 'general').executeTakeFirstOrThrow();
    await storeReport(database.db, { unitYearId: uy.id, kind: 'issued', contentSha256: 'c', pdf: Buffer.from('%PDF'), docx: Buffer.from('PK'), template: 't', createdBy: 'test' });
    const task = await database.db.insertInto('tasks').values({ evaluation_id: evaluation.id, unit_id: uy.unitId, section_id: section.id, workflow_id: `evaluation/${UNIT}/2020/task/general`, run: 1, state: 'open', due_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    const upload = await app.inject({ method: 'POST', url: `/api/units/${UNIT}/years/2020/evidence`, ...as(personas.finance), payload: { fileName: '会议纪要.txt', contentBase64: Buffer.from('会议纪要：绩效自评').toString('base64') } });
    expect(upload.statusCode, upload.body).toBe(201);

    // Valid values for each path parameter; unknown ones name nothing that exists.
    Object.assign(params, { unit: UNIT, year: '2020', task: String(task.id), version: '1', format: 'pdf', code: 'one-thing-once-retention', id: String(upload.json<{ evidence: { id: number } }>().evidence.id) });

    // Valid documents of the unit-year, to make one value impossible inside.
    const read = async (url: string) => (await app.inject({ method: 'GET', url, ...as(personas.finance) })).json<Record<string, unknown>>();
    bases['basic-data'] = (await read(`/api/units/${UNIT}/years/2020/basic-data`))['basicData'];
    bases['self-assessment'] = { entries: (await read(`/api/units/${UNIT}/years/2020/self-assessment`))['entries'] };
    const doc = seedDocument();
    bases['submission'] = (doc['submissions'] as Array<Record<string, unknown>>).find((s) => s['section'] === 'general') ?? { section: 'general', achievements: [] };
    bases['ledger'] = doc;
  });

  afterAll(async () => {
    const rows = [...tallies].map(([route, t]) => `${String(t.sent).padStart(5)}  ${route}  ${Object.entries(t.byStatus).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    const total = [...tallies.values()].reduce((n, t) => n + t.sent, 0);
    console.log(`fuzz seed ${seed}: ${total} requests over ${tallies.size} routes\n${rows.join('\n')}`);
    await app?.close();
    await temporal?.connection.close();
    await database?.drop();
  });

  /** Every table's row count and content hash. */
  async function checksum(db: Db): Promise<Record<string, string>> {
    const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db);
    const out: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const r = await sql<{ n: number; h: string | null }>`select count(*)::int as n, md5(string_agg(md5(t::text), ',' order by md5(t::text))) as h from ${sql.table(name)} t`.execute(db);
      out[name] = `${r.rows[0]!.n}:${r.rows[0]!.h ?? ''}`;
    }
    return out;
  }

  function fillUrl(route: RouteDef, override?: { name: string; value: string }): string {
    return route.url.replace(/:(\w+)/g, (_m, name: string) => (override?.name === name ? override.value : encodeURIComponent(params[name] ?? '987654321')));
  }

  function request(c: Case): InjectOptions {
    const p = c.persona === 'anonymous' ? undefined : personas[c.persona];
    const headers: Record<string, string> = { ...(p ? { cookie: p.cookie } : {}), ...(p && !c.noCsrf ? { 'x-csrf-token': p.csrf } : {}), ...c.headers };
    if (c.raw) return { method: c.method, url: c.url, headers: { ...headers, 'content-type': c.raw.contentType }, payload: c.raw.payload };
    if (c.body !== undefined) return { method: c.method, url: c.url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(c.body) };
    return { method: c.method, url: c.url, headers };
  }

  function describeCase(c: Case, response?: LightMyRequestResponse): string {
    const body = c.raw ? `${c.raw.contentType} ${String(c.raw.payload).slice(0, 300)}` : JSON.stringify(c.body)?.slice(0, 300);
    return `${c.family}${c.note ? ` (${c.note})` : ''}: ${c.method} ${c.url.slice(0, 300)} as ${c.persona}${c.noCsrf ? ' (no CSRF)' : ''} ${JSON.stringify(c.headers ?? {}).slice(0, 200)}\nbody: ${body}\n→ ${response?.statusCode} ${response?.body.slice(0, 500)}`;
  }

  /** Sends one case and checks the answer; returns its status. */
  async function send(routeKey: string, c: Case): Promise<number> {
    const response = await app.inject(request(c));
    const tally = tallies.get(routeKey) ?? { sent: 0, byStatus: {} };
    tally.sent += 1;
    tally.byStatus[response.statusCode] = (tally.byStatus[response.statusCode] ?? 0) + 1;
    tallies.set(routeKey, tally);
    const why = describeCase(c, response);
    expect(response.statusCode, why).toBeLessThan(500);
    if (c.mustRefuse) expect(response.statusCode, why).toBeGreaterThanOrEqual(400);
    if (c.expectStatus) expect(response.statusCode, why).toBe(c.expectStatus);
    if (c.expectProblems && response.statusCode === 200) expect(response.json<{ problems: unknown[] }>().problems.length, why).toBeGreaterThan(0);
    if (response.statusCode >= 400) {
      expect(String(response.headers['content-type']), why).toMatch(/^application\/json/);
      const error = response.json<{ code: unknown; message: unknown; messageZh: unknown; details: unknown }>();
      expect(typeof error.code, why).toBe('string');
      expect(typeof error.message, why).toBe('string');
      expect(typeof error.messageZh, why).toBe('string');
      expect(Array.isArray(error.details), why).toBe(true);
      for (const d of error.details as Array<Record<string, unknown>>) {
        for (const k of ['path', 'code', 'zh', 'en']) expect(typeof d[k], `${why}\ndetail ${JSON.stringify(d)}`).toBe('string');
      }
    }
    const codes = response.statusCode >= 400 ? response.json<{ details: Array<{ code: string }> }>().details.map((d) => d.code) : [];
    if (c.expectDetail) expect(codes, why).toContain(c.expectDetail);
    if (c.forbidDetail) expect(codes, why).not.toContain(c.forbidDetail);
    return response.statusCode;
  }

  /** A valid document with one to three values made impossible: numbers beyond the safe range, money beyond it, impossible dates, text with NUL. */
  function impossibleInside(base: unknown): fc.Arbitrary<{ doc: unknown; note: string }> {
    const leaves: Array<{ path: Array<string | number>; value: unknown }> = [];
    const walk = (v: unknown, path: Array<string | number>) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
      else leaves.push({ path, value: v });
    };
    walk(base, []);
    const impossible = (value: unknown): fc.Arbitrary<unknown> => {
      if (typeof value === 'number') return fc.constantFrom(2 ** 53 + 2, -(2 ** 53) - 2, 1e21, 1e300);
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return fc.constantFrom(...DATES.slice(0, 8));
      if (typeof value === 'string' && /\d(\.\d+)?(万元|元)$/.test(value)) return fc.constantFrom('99999999999999999999', '90071992547409.94元', '99999999999999999999万元', '1e400');
      // (Over-long text is the other families' business: a preview may ignore it, the body limit bounds it.)
      return fc.constantFrom('\u0000', `x\u0000y`, `报告\u0000`);
    };
    if (leaves.length === 0) return fc.constant({ doc: base, note: 'nothing to change' });
    return fc.array(fc.integer({ min: 0, max: leaves.length - 1 }), { minLength: 1, maxLength: 3 }).chain((picks) =>
      fc.tuple(...picks.map((i) => impossible(leaves[i]!.value))).map((values) => {
        const copy = structuredClone(base) as Record<string | number, unknown>;
        picks.forEach((i, k) => {
          const path = leaves[i]!.path;
          let at: Record<string | number, unknown> = copy;
          for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
          at[path[path.length - 1]!] = values[k];
        });
        return { doc: copy, note: picks.map((i, k) => `${leaves[i]!.path.join('.')} = ${JSON.stringify(values[k]).slice(0, 40)}`).join('; ') };
      }),
    );
  }

  /** Fixed cases per route: bodies just over its size limit (and, for the two upload routes, a large body that is not over it), and what only its handler can refuse. */
  function fixedCases(route: RouteDef): Case[] {
    const key = keyOf(route);
    const persona = personaFor(route);
    const base = { method: route.method, url: fillUrl(route), persona, mustRefuse: true } as const;
    const cases: Case[] = [];
    if (route.method !== 'GET') {
      const limit = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
      cases.push({ ...base, family: 'over the size limit', raw: { contentType: 'application/json', payload: oversizedJson(limit + 1_024), kind: 'oversized' }, expectStatus: 413, expectDetail: 'too_large' });
      // The uploads take more than the rest: 2 MB is refused for what it says, not for its size.
      if (limit === LARGE_BODY_LIMIT) cases.push({ ...base, family: 'large but allowed', raw: { contentType: 'application/json', payload: oversizedJson(2 * 1024 * 1024), kind: 'large' }, forbidDetail: 'too_large' });
    }
    const yaml = (text: string, fileName = 'unit-year.yaml') => ({ fileName, contentBase64: Buffer.from(text).toString('base64') });
    // [body, the status it must get]: 400 for what the API itself refuses; 404 where only Temporal
    // could answer and the namespace does not exist (no such workflow there).
    const TEMPORAL = 404;
    const semantic: Record<string, Array<[unknown, number]>> = {
      'POST /api/units/:unit/ledger': [
        // An alias bomb: a few lines that expand to billions of nodes.
        [yaml(`a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n`), 400],
        [yaml(`${'- '.repeat(5_000)}x\n`), 400],
        [yaml(`${'['.repeat(5_000)}${']'.repeat(5_000)}\n`), 400],
        [yaml(`unit: !!js/function "function(){ return process.exit(1) }"\n`), 400],
        [yaml(`# ${'x'.repeat(6 * 1024 * 1024)}\nformat: 1\n`), 400],
        [yaml('{}', '../../etc/passwd.yaml'), 400],
        [yaml('MZ\u0090\u0000', 'unit-year.xlsx'), 400],
        [yaml('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "x">]><a>&x;</a>', 'unit-year.exe'), 400],
        [{ fileName: 'unit-year.yaml', contentBase64: '!!!not base64!!!' }, 400],
      ],
      'POST /api/units/:unit/years/:year/evidence': [
        [{ fileName: '"><img src=x onerror=alert(1)>.pdf', contentBase64: Buffer.from('MZ\u0090\u0000 not a pdf').toString('base64') }, 400],
        [{ fileName: 'report.pdf', contentBase64: Buffer.alloc(10 * 1024 * 1024 + 1, 0x25).toString('base64') }, 400],
        [{ fileName: 'a.txt', contentBase64: '@@@@' }, 400],
        [{ fileName: 'a.txt', contentBase64: Buffer.from('ok').toString('base64'), section: 'no-such-section' }, 400],
      ],
      'POST /api/units/:unit/years/:year/evaluation': [[{ dueDate: '2021-02-29' }, 400], [{ dueDate: '2020-13-01' }, 400], [{ dueDate: '2021-03-01' }, TEMPORAL], [{}, TEMPORAL]],
      'POST /api/units/:unit/years/:year/evaluation/extend': [[{ section: 'general', dueDate: '2021-02-30' }, 400], [{ section: 'general', dueDate: '2021-03-01' }, TEMPORAL]],
      'PUT /api/units/:unit/schedule': [[{ month: 2, dayOfMonth: 30 }, 400], [{ month: 2, dayOfMonth: 29 }, 400], [{ month: 4, dayOfMonth: 31 }, 400], [{ month: 3, dayOfMonth: 1 }, TEMPORAL]],
      'POST /api/units/:unit/years/:year/evaluation/proceed-without': [[{ section: 'general', reason: '科室撤销' }, TEMPORAL]],
      'POST /api/units/:unit/years/:year/evaluation/return': [[{ section: 'general', reason: '材料不全' }, TEMPORAL]],
      'POST /api/units/:unit/years/:year/evaluation/acknowledge': [[{ findingsSha256: 'x' }, TEMPORAL]],
      'POST /api/units/:unit/years/:year/evaluation/recheck': [[{}, TEMPORAL]],
      'POST /api/units/:unit/years/:year/evaluation/approve': [[{ reportVersion: 1 }, TEMPORAL]],
      'POST /api/units/:unit/years/:year/evaluation/send-back': [[{ reason: '请补充' }, TEMPORAL]],
    };
    for (const [body, status] of semantic[key] ?? []) cases.push({ ...base, family: status === TEMPORAL ? 'valid, but Temporal has no such workflow' : 'refused by the handler', body, expectStatus: status });
    if (key.includes('/holdbacks/:code/')) cases.push({ ...base, family: 'refused by the handler', body: { at: '2021-02-29', amount: 2 ** 53 + 2, note: 'x' } });
    return cases;
  }

  /** The generated cases of a route, by family. */
  function generated(route: RouteDef): fc.Arbitrary<Case> {
    const persona = personaFor(route);
    const base = { method: route.method, url: fillUrl(route), persona } as const;
    const families: Array<{ weight: number; arbitrary: fc.Arbitrary<Case> }> = [];
    const bodySchema = route.schema.body;
    // A change without a body to validate acts on anything else (junk in the query is ignored, as
    // it should be): such requests go without the CSRF token, so they are refused before acting.
    const actsWithoutBody = route.method !== 'GET' && !bodySchema;
    // Junk elsewhere comes with a body the schema refuses, so nothing valid is ever sent by accident.
    const refusedBody = bodySchema && !bodySchema.safeParse([]).success ? { body: [] } : {};
    const junkElsewhere = actsWithoutBody ? { noCsrf: true } : route.method === 'GET' ? {} : refusedBody;
    if (route.method !== 'GET' && bodySchema) {
      // Shaped like the schema with bad values inside, or any bad value: kept only when the schema refuses it.
      const shaped = fc.oneof({ weight: 3, arbitrary: objectShape(bodySchema) ? badObject(bodySchema) : badValue }, { weight: 1, arbitrary: badValue });
      families.push({ weight: 8, arbitrary: shaped.filter((b) => !bodySchema.safeParse(b).success).map((body): Case => ({ ...base, family: 'schema-shaped bad body', body, mustRefuse: true })) });
    } else if (actsWithoutBody) {
      families.push({ weight: 3, arbitrary: badValue.map((body): Case => ({ ...base, family: 'body without CSRF', body, noCsrf: true, mustRefuse: persona !== 'anonymous' })) });
    }
    const documents: Record<string, string> = {
      'PUT /api/units/:unit/years/:year/basic-data': 'basic-data',
      'PUT /api/units/:unit/years/:year/self-assessment': 'self-assessment',
      'POST /api/units/:unit/years/:year/self-assessment/preview': 'self-assessment',
      'POST /api/units/:unit/years/:year/score-preview': 'submission',
      'PUT /api/tasks/:task/draft': 'submission',
    };
    const doc = documents[keyOf(route)];
    if (doc && bases[doc] !== undefined) {
      // The self-assessment preview takes half-typed entries and lists each one's problems in its answer.
      const preview = keyOf(route).endsWith('/self-assessment/preview');
      families.push({ weight: 4, arbitrary: impossibleInside(bases[doc]).map(({ doc: body, note }): Case => ({ ...base, family: 'valid document, one value impossible', note, body, mustRefuse: !preview, expectProblems: preview })) });
    }
    if (keyOf(route) === 'POST /api/units/:unit/ledger') {
      families.push({
        weight: 4,
        arbitrary: fc.tuple(impossibleInside(bases['ledger']), fc.constantFrom('json', 'yaml')).map(([{ doc: document, note }, format]): Case => ({
          // JSON text is YAML too: the same document through both readers.
          ...base, family: 'valid ledger, one value impossible', note, body: { fileName: `unit-year.${format}`, contentBase64: Buffer.from(JSON.stringify(document)).toString('base64') }, mustRefuse: true,
        })),
      });
    }
    if (route.method !== 'GET') families.push({ weight: 2, arbitrary: rawBody.map((raw): Case => ({ ...base, family: raw.kind, raw, ...(actsWithoutBody ? { noCsrf: true } : {}), mustRefuse: !actsWithoutBody || persona !== 'anonymous' })) });
    const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    if (names.length) {
      // Not a plausible id: a number names something that may exist (and z.coerce reads '0x1' or ' 1' as 1).
      const notAnId = badSegment.filter((v) => {
        let decoded: string;
        try {
          decoded = decodeURIComponent(v);
        } catch {
          return true;
        }
        const n = Number(decoded);
        return !(decoded.trim() !== '' && Number.isFinite(n) && n > 0 && Number.isInteger(n));
      });
      families.push({
        weight: 3,
        arbitrary: fc.tuple(fc.constantFrom(...names), notAnId).map(([name, value]): Case => ({
          ...base, url: fillUrl(route, { name, value }), family: 'bad path parameter', ...(route.method === 'GET' || actsWithoutBody ? {} : refusedBody), mustRefuse: false,
        })),
      });
    }
    families.push({ weight: 1, arbitrary: badQuery.map((q): Case => ({ ...base, url: `${base.url}?${q}`, family: 'bad query string', ...junkElsewhere, mustRefuse: false })) });
    families.push({
      weight: 2,
      arbitrary: fc.oneof(
        badToken.map((t): Case => ({ ...base, persona: 'anonymous', headers: { authorization: `Bearer ${t}` }, family: 'forged API token', mustRefuse: true })),
        badToken.map((t): Case => ({ ...base, persona: 'anonymous', headers: { cookie: `selfeval_session=${t}` }, family: 'forged session', mustRefuse: persona !== 'anonymous' })),
        fc.constant<Case>({ ...base, persona: 'otherUnit', family: 'another unit’s user', ...junkElsewhere, mustRefuse: false }),
      ),
    });
    return fc.oneof(...families);
  }

  it('refuses every bad input on every route with a 4xx in the one error shape, and changes nothing', async () => {
    const perRoute = Math.ceil(TOTAL_INPUTS / apiRoutes.length);
    for (const route of apiRoutes) {
      const key = keyOf(route);
      const before = await checksum(database.db);
      for (const c of fixedCases(route)) await send(key, c);
      await fc.assert(fc.asyncProperty(generated(route), async (c) => void (await send(key, c))), { numRuns: perRoute, seed, endOnFailure: true });
      const after = await checksum(database.db);
      // A failed sign-in is counted, by design: the rate limit reads it.
      if (key === 'POST /api/login') {
        delete before['login_attempts'];
        delete after['login_attempts'];
      }
      const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
      expect(changed, `${key} changed rows of ${changed.join(', ')}`).toEqual([]);
    }
    const total = [...tallies.values()].reduce((n, t) => n + t.sent, 0);
    expect(total).toBeGreaterThanOrEqual(TOTAL_INPUTS);
    expect([...tallies.keys()].sort()).toEqual(apiRoutes.map(keyOf).sort());
  }, 600_000);

  it('answers 503 within seconds in the one error shape, with Retry-After, when Temporal cannot be reached at all', async () => {
    // Connected as the HTTP process connects (client/temporal.ts), to a port where nothing listens.
    const dead = new Client({ connection: Connection.lazy(temporalConnectionOptions(`127.0.0.1:${await freePort()}`)), namespace: 'default' });
    const offline = await buildServer({ db: database.db, temporal: dead, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    try {
      const before = await checksum(database.db);
      for (const [method, url, payload] of [
        // Starting a workflow, and an Update to one.
        ['POST', `/api/units/${UNIT}/years/2020/evaluation`, {}],
        ['POST', `/api/units/${UNIT}/years/2020/evaluation/recheck`, {}],
      ] as const) {
        const t0 = Date.now();
        const response = await offline.inject({ method, url, ...as(personas.finance), payload });
        expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(503);
        // Answered within seconds, not after the SDK's default twenty of retrying.
        expect(Date.now() - t0).toBeLessThan(10_000);
        expect(response.headers['retry-after']).toBe('5');
        expect(response.json()).toMatchObject({ code: 'unavailable', message: expect.stringContaining('Temporal'), messageZh: expect.stringContaining('Temporal'), details: [] });
      }
      expect(await checksum(database.db)).toEqual(before);
    } finally {
      await offline.close();
      await dead.connection.close();
    }
  });
});
