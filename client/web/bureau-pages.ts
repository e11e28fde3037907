/**
 * The bureau's side of the web pages, registered by pages.ts:
 *
 *   /orgs                                   the organisations one works in (one: straight to it)
 *   /orgs/:org                              → the overview of its latest year
 *   /orgs/:org/years/:year                  评价总览 (filters, sorting, grades, export)
 *   /orgs/:org/admin                        机构管理 (departments, units, officers, unit list, audit)
 *   /orgs/:org/years/:year/campaign         年度通知 (the bureau issues it; everyone follows its progress; a stopped campaign's restart)
 *   /organisations/:org/campaigns/:year     → the campaign page (the link older campaign messages carry)
 *   /orgs/:org/years/:year/reviews          报告复核 (the year's issued reports; those waiting for one's level first)
 *   /units/:unit/years/:year/review         one report's review (accept, return with comments, adjust; publish)
 *   /units/:unit/years/:year/review/:version/report.pdf  an issued version, inline (for the review page)
 *   /public/:org[/:year[/:unit]]            预决算公开: published reports, for anyone (no sign-in)
 *
 * Like every page they read through the API in-process with the visitor's session, so they show
 * exactly what the API lets that person see.
 */
import type { FastifyInstance } from 'fastify';
import type { Account } from '../../db/accounts.repository';
import { bureauOfUnit, organisationWithParent, scoreSheetOf, yearsUnder } from '../../db/overview.repository';
import { DEFAULT_OUTLINE_ID, outlineById, outlineIds } from '../../domain/report/outlines';
import { hasUnitRole } from '../http/access';
import type { ServerDeps } from '../http/server';
import type { RuleSetSummary, ScoreSheet, UnitDetail } from './api-types';
import { html } from './html';
import { t, todayCivil } from './i18n';
import { InternalApi, must } from './internal-api';
import { pageHead } from './layout';
import type { PageContext, PageResult } from './pages';
import { optional, param, yearParam } from './pages';
import { campaignBody } from './pages/campaign.page';
import { orgAdminBody, type OrgAdminAnswer } from './pages/org-admin.page';
import { OVERVIEW_QUERY_KEYS, type OverviewAnswer, overviewBody, type OverviewQueryText } from './pages/overview.page';
import { type PublicIndexAnswer, publicIndexBody, type PublicUnitAnswer, publicUnitBody } from './pages/public.page';
import { type CampaignAnswer, type ReviewAnswer, reviewBody, reviewsBody } from './pages/review.page';

type Handler = (ctx: PageContext) => Promise<PageResult>;
type PageSpec = [url: string, options: { public?: boolean }, handler: Handler];

interface MyOrganisation {
  code: string;
  name: string;
  kind: 'bureau' | 'department';
  roles: string[];
}

/** Whether the account is a bureau officer of this organisation (a bureau) or of the bureau above it (a department). */
export function isBureauOfficerOf(account: Account, org: { code: string; parent: { code: string } | null }): boolean {
  return (account.orgRoles ?? []).some((g) => g.role === 'bureau_officer' && (g.organisationCode === org.code || g.organisationCode === org.parent?.code));
}

export function bureauPages(deps: ServerDeps): PageSpec[] {
  const enc = encodeURIComponent;
  return [
    [
      '/orgs', {},
      async ({ lang, api }) => {
        const { organisations } = must(await api.get<{ organisations: MyOrganisation[] }>('/api/me/organisations'));
        if (organisations.length === 1) return { redirect: `/orgs/${enc(organisations[0]!.code)}` };
        const body = html`${pageHead(t(lang, 'nav.orgsTitle'))}<section class="card">${organisations.length === 0
          ? html`<p class="muted">${t(lang, 'home.none')}</p>`
          : html`<table class="data" id="my-organisations"><tbody>${organisations.map(
              (o) => html`<tr><td><a href="/orgs/${enc(o.code)}"><strong>${o.name}</strong></a> <span class="small muted mono">${o.code}</span></td><td class="small muted">${o.roles.map((r) => t(lang, r === 'bureau_officer' ? 'role.bureau_officer' : 'role.department_officer')).join('、')}</td></tr>`,
            )}</tbody></table>`}</section>`;
        return { title: t(lang, 'nav.orgsTitle'), nav: 'orgs', body };
      },
    ],
    [
      '/orgs/:org', {},
      async ({ request, api }) => {
        const code = param(request, 'org');
        // The API decides whether the organisation exists for this person.
        must(await api.get<OrgAdminAnswer>(`/api/organisations/${enc(code)}/admin`));
        const org = await organisationWithParent(deps.db, code);
        const years = org ? await yearsUnder(deps.db, org.id) : [];
        const year = years[0] ?? Number(todayCivil().slice(0, 4)) - 1;
        return { redirect: `/orgs/${enc(code)}/years/${year}` };
      },
    ],
    [
      '/orgs/:org/years/:year', {},
      async ({ request, lang, account, api }) => {
        const code = param(request, 'org');
        const year = yearParam(request);
        const raw = (request.query as Record<string, unknown> | undefined) ?? {};
        const query: OverviewQueryText = {};
        for (const key of OVERVIEW_QUERY_KEYS) {
          const value = raw[key];
          if (typeof value === 'string' && value.trim() !== '') query[key] = value.trim();
        }
        const answer = must(await api.get<OverviewAnswer>(`/api/organisations/${enc(code)}/years/${year}/overview?${new URLSearchParams(query).toString()}`));
        const org = await organisationWithParent(deps.db, code);
        const years = org ? await yearsUnder(deps.db, org.id) : [year];
        const bureauOfficer = isBureauOfficerOf(account!, answer.organisation);
        return {
          title: `${t(lang, 'ov.title')} · ${answer.organisation.name} ${year}`,
          nav: 'orgs',
          body: overviewBody({ lang, url: '', unread: 0 }, { answer, query, years: years.includes(year) ? years : [year, ...years].sort((a, b) => b - a), bureauOfficer }),
        };
      },
    ],
    [
      '/orgs/:org/admin', {},
      async ({ request, lang, account, api }) => {
        const code = param(request, 'org');
        const answer = must(await api.get<OrgAdminAnswer>(`/api/organisations/${enc(code)}/admin`));
        const canManage = isBureauOfficerOf(account!, answer.organisation);
        return { title: `${t(lang, 'org.title')} · ${answer.organisation.name}`, nav: 'orgs', body: orgAdminBody({ lang, url: '', unread: 0 }, { answer, canManage, selfUserId: account!.id }) };
      },
    ],
    [
      // The link campaign messages carried before it was corrected (they stay in the inboxes).
      '/organisations/:org/campaigns/:year', {},
      async ({ request }) => ({ redirect: `/orgs/${enc(param(request, 'org'))}/years/${yearParam(request)}/campaign` }),
    ],
    [
      '/orgs/:org/years/:year/campaign', {},
      async ({ request, lang, account, api }) => {
        const code = param(request, 'org');
        const year = yearParam(request);
        const org = must(await api.get<OrgAdminAnswer>(`/api/organisations/${enc(code)}/admin`));
        const [answer, ruleSets] = await Promise.all([
          optional(api.get<CampaignAnswer>(`/api/organisations/${enc(code)}/campaigns/${year}`)),
          api.get<{ ruleSets: RuleSetSummary[] }>('/api/rule-sets').then((r) => must(r).ruleSets),
        ]);
        const departments = new Map(org.departments.map((x) => [x.code, x.name]));
        const data = {
          orgCode: org.organisation.code, orgName: org.organisation.name, orgKind: org.organisation.kind, year, answer: answer ?? null,
          canIssue: org.organisation.kind === 'bureau' && isBureauOfficerOf(account!, org.organisation),
          units: org.units.map((u) => ({ code: u.code, name: u.name, departmentName: u.departmentCode ? (departments.get(u.departmentCode) ?? u.departmentCode) : null, hasLedger: u.years.includes(year) })),
          ruleSets, outlines: outlineIds().map((id) => ({ id, name: outlineById(id)?.name ?? id })), defaultOutline: DEFAULT_OUTLINE_ID, today: todayCivil(),
        };
        // Just issued: the campaign's workflow records it in a moment; the page refreshes until it does.
        const justIssued = !answer && (request.query as Record<string, unknown> | undefined)?.['issued'] === '1';
        return { title: `${t(lang, 'cp.title')} · ${org.organisation.name} ${year}`, nav: 'orgs', body: campaignBody({ lang, url: '', unread: 0 }, { ...data, justIssued }), ...(justIssued ? { autoRefreshMs: 1_500 } : {}) };
      },
    ],
    [
      '/orgs/:org/years/:year/reviews', {},
      async ({ request, lang, api }) => {
        const code = param(request, 'org');
        const year = yearParam(request);
        const org = must(await api.get<OrgAdminAnswer>(`/api/organisations/${enc(code)}/admin`));
        const answer = await optional(api.get<CampaignAnswer>(`/api/organisations/${enc(code)}/campaigns/${year}`));
        const data = { answer: answer ?? null, orgCode: org.organisation.code, orgName: org.organisation.name, year, myLevel: org.organisation.kind === 'bureau' ? ('bureau' as const) : ('department' as const) };
        return { title: `${t(lang, 'rv.listTitle')} · ${org.organisation.name} ${year}`, nav: 'orgs', body: reviewsBody({ lang, url: '', unread: 0 }, data) };
      },
    ],
    [
      '/units/:unit/years/:year/review', {},
      async ({ request, lang, account, api }) => {
        const unitCode = param(request, 'unit');
        const year = yearParam(request);
        const base = `/api/units/${enc(unitCode)}`;
        const detail = must(await api.get<UnitDetail>(base));
        const answer = must(await api.get<ReviewAnswer>(`${base}/years/${year}/review`));
        // What a comment or an adjustment may name: the unit's sections, the indicators of its score sheet.
        const [sheet, bureau] = await Promise.all([scoreSheetOf(deps.db, unitCode, year) as Promise<ScoreSheet | null>, bureauOfUnit(deps.db, unitCode)]);
        const indicators = (sheet?.indicators ?? []).map((i) => ({ id: i.id, level3: i.level3, maxCp: i.maxCp, pointsCp: i.pointsCp }));
        const canPublish = !!bureau && (account!.orgRoles ?? []).some((g) => g.role === 'bureau_officer' && g.organisationCode === bureau.code);
        const data = {
          unitCode, unitName: detail.unit.name, year, answer, sections: detail.sections, indicators, bureauCode: bureau?.code ?? null,
          unitStaff: hasUnitRole(account!, unitCode, ['finance_officer', 'unit_head', 'admin']),
        };
        return { title: `${t(lang, 'rv.title')} · ${detail.unit.name} ${year}`, nav: account!.orgRoles?.length ? 'orgs' : 'units', body: reviewBody({ lang, url: '', unread: 0 }, data, { canPublish }) };
      },
    ],
    [
      '/public/:org', { public: true },
      async ({ request, api }) => {
        const code = param(request, 'org');
        const year = Number(todayCivil().slice(0, 4)) - 1;
        const answer = must(await api.get<PublicIndexAnswer>(`/api/public/organisations/${enc(code)}/years/${year}`));
        return { redirect: `/public/${enc(code)}/${answer.years[0] ?? year}` };
      },
    ],
    [
      '/public/:org/:year', { public: true },
      async ({ request, lang, api }) => {
        const answer = must(await api.get<PublicIndexAnswer>(`/api/public/organisations/${enc(param(request, 'org'))}/years/${yearParam(request)}`));
        return { title: t(lang, 'pub.indexTitle', { org: answer.organisation.name, year: answer.year }), nav: 'none', body: publicIndexBody({ lang, url: '', unread: 0 }, answer) };
      },
    ],
    [
      '/public/:org/:year/:unit', { public: true },
      async ({ request, lang, api }) => {
        const answer = must(await api.get<PublicUnitAnswer>(`/api/public/organisations/${enc(param(request, 'org'))}/years/${yearParam(request)}/units/${enc(param(request, 'unit'))}`));
        return { title: t(lang, 'pub.unitTitle', { unit: answer.unitName, year: answer.year }), nav: 'none', body: publicUnitBody({ lang, url: '', unread: 0 }, answer) };
      },
    ],
  ];
}

/** Files the bureau's pages show inline: an issued version under review (the API's download, verified, as `inline`). */
export function registerBureauFiles(app: FastifyInstance): void {
  app.get('/units/:unit/years/:year/review/:version/report.pdf', { schema: { hide: true } }, async (request, reply) => {
    if (!request.auth.account) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
    const version = param(request, 'version');
    const year = param(request, 'year');
    if (!/^\d{1,9}$/.test(version) || !/^\d{4}$/.test(year)) return reply.status(404).send();
    const file = await new InternalApi(app, request).file(`/api/units/${encodeURIComponent(param(request, 'unit'))}/years/${year}/reports/${version}/pdf`);
    if (file.status !== 200) return reply.status(file.status).type('application/json').send(file.body);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="report-v${version}.pdf"`)
      .header('x-content-sha256', String(file.headers['x-content-sha256'] ?? ''))
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(file.body);
  });
}
