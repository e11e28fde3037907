/**
 * The bureau's side of the web pages, registered by pages.ts:
 *
 *   /orgs                                   the organisations one works in (one: straight to it)
 *   /orgs/:org                              → the overview of its latest year
 *   /orgs/:org/years/:year                  评价总览 (filters, sorting, grades, export)
 *   /orgs/:org/admin                        机构管理 (departments, units, officers, unit list, audit)
 *
 * Like every page they read through the API in-process with the visitor's session, so they show
 * exactly what the API lets that person see.
 */
import type { Account } from '../../db/accounts.repository';
import { organisationWithParent, yearsUnder } from '../../db/overview.repository';
import type { ServerDeps } from '../http/server';
import { html } from './html';
import { t, todayCivil } from './i18n';
import { must } from './internal-api';
import { pageHead } from './layout';
import type { PageContext, PageResult } from './pages';
import { param, yearParam } from './pages';
import { orgAdminBody, type OrgAdminAnswer } from './pages/org-admin.page';
import { OVERVIEW_QUERY_KEYS, type OverviewAnswer, overviewBody, type OverviewQueryText } from './pages/overview.page';

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
  ];
}
