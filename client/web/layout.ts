/** The page shell: top bar (navigation, who is signed in, language switch, sign-out), main, footer. */
import type { Account } from '../../db/accounts.repository';
import { html, type Html, jsonScript } from './html';
import { type Lang, type MessageKey, scriptMessages, t } from './i18n';

export interface Viewer {
  lang: Lang;
  account?: Account;
  csrfToken?: string;
  /** The current URL (path and query), for the language switch. */
  url: string;
  unread: number;
}

export type NavKey = 'tasks' | 'messages' | 'units' | 'orgs' | 'rules' | 'admin' | 'account' | 'none';

export interface PageSpec {
  title: string;
  nav: NavKey;
  body: Html;
  /** Reload the page after this many ms (the workflow is between steps). */
  autoRefreshMs?: number;
}

/** The same URL with `lang` set to the other language. */
export function switchLangUrl(url: string, to: Lang): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set('lang', to);
  return `${u.pathname}${u.search}${u.hash}`;
}

export function isUnitStaff(account: Account | undefined): boolean {
  return !!account?.roles.some((r) => r.role !== 'section_head');
}

function roleText(v: Viewer): string {
  const roles = [...new Set([...(v.account?.roles.map((r) => r.role) ?? []), ...(v.account?.orgRoles?.map((r) => r.role) ?? [])])];
  return roles.map((r) => t(v.lang, `role.${r}` as MessageKey)).join('、');
}

function unitsHref(account: Account): string {
  const units = [...new Set(account.roles.map((r) => r.unitCode))];
  return units.length === 1 ? `/units/${encodeURIComponent(units[0]!)}` : '/units';
}

export function layout(v: Viewer, page: PageSpec): Html {
  const L = v.lang;
  const other: Lang = L === 'zh' ? 'en' : 'zh';
  const current = (key: NavKey) => (page.nav === key ? html` aria-current="page"` : '');
  const nav = v.account
    ? html`<nav class="nav" aria-label="${t(L, 'nav.main')}">
        <a href="/tasks"${current('tasks')}>${t(L, 'nav.tasks')}</a>
        <a href="/tasks#messages"${current('messages')}>${t(L, 'nav.messages')}${v.unread > 0 ? html`<span class="count" aria-label="${t(L, 'messages.unread')}">${v.unread}</span>` : ''}</a>
        ${v.account.orgRoles?.length ? html`<a href="/orgs"${current('orgs')}>${t(L, 'nav.orgs')}</a>` : ''}
        ${isUnitStaff(v.account) ? html`<a href="${unitsHref(v.account)}"${current('units')}>${t(L, 'nav.units')}</a>` : ''}
        ${v.account.roles.some((r) => r.role === 'admin' || r.role === 'finance_officer') ? html`<a href="/rule-sets"${current('rules')}>${t(L, 'nav.ruleSets')}</a>` : ''}
        ${v.account.roles.some((r) => r.role === 'admin') ? html`<a href="/admin"${current('admin')}>${t(L, 'nav.admin')}</a>` : ''}
      </nav>`
    : html`<span class="nav"></span>`;
  const user = html`<div class="user">
      ${v.account ? html`<a href="/account"${current('account')} title="${t(L, 'nav.account')}">${t(L, 'common.nameRole', { name: v.account.name, role: roleText(v) })}</a>` : ''}
      <a href="${switchLangUrl(v.url, other)}" lang="${other === 'zh' ? 'zh-CN' : 'en'}" title="${t(L, 'lang.switchLabel')}">${t(L, 'lang.switch')}</a>
      ${v.account
        ? html`<form data-api="POST /api/logout" data-then="go" data-next="/login"><button type="submit" class="linkish">${t(L, 'nav.signOut')}</button></form>`
        : ''}
    </div>`;
  return html`<!doctype html>
<html lang="${L === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${v.csrfToken ? html`<meta name="csrf-token" content="${v.csrfToken}">` : ''}
<title>${page.title} · ${t(L, 'app.short')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body${page.autoRefreshMs ? html` data-autorefresh="${page.autoRefreshMs}"` : ''}>
<a class="skip" href="#main">${t(L, 'nav.skip')}</a>
<header class="topbar"><div class="topbar-inner">
  <a class="brand" href="/">${t(L, 'app.brand')}</a>
  ${nav}
  ${user}
</div></header>
<main id="main" class="container">
${page.body}
</main>
<footer class="foot">selfeval · ${t(L, 'app.name')}</footer>
${jsonScript('i18n', scriptMessages(L))}
</body>
</html>`;
}

/** A page header: title, a subtitle line, and actions on the right. */
export function pageHead(title: string, subtitle?: Html | string, actions?: Html): Html {
  return html`<div class="page-head"><div><h1>${title}</h1>${subtitle ? html`<p class="subtitle">${subtitle}</p>` : ''}</div>${actions ? html`<div class="buttons">${actions}</div>` : ''}</div>`;
}

/** The empty error box every API form shows its problems in. */
export const formErrors = html`<div class="form-errors" role="alert" hidden></div>`;
