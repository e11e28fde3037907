/**
 * 机构管理 of a bureau (or, read only, a department): its departments and units (with their years
 * and how many of their people still have no password), its officers — a bureau officer grants a
 * bureau or department officer (a new one's one-time link is shown once to hand on) and revokes
 * one —, the people of its units who have no password yet (each gets a one-time link from the
 * bureau, shown once), the bureau's unit list (单位名单: download, fill in, import; every problem with its row),
 * the messages to its officers that did not arrive (a bureau officer sends one again or stops it),
 * and the organisation's recent audit entries. Every form posts to the API (overview.routes.ts).
 */
import { html, type Html } from '../html';
import { formatDateTime, type MessageKey, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import type { UndeliveredNotification } from '../../../db/notifications.repository';
import { undeliveredCard } from './admin.page';

export interface OrgAdminAnswer {
  organisation: { code: string; name: string; kind: 'bureau' | 'department'; parent: { code: string; name: string } | null };
  departments: Array<{ code: string; name: string; units: number; officers: number }>;
  units: Array<{ code: string; name: string; departmentCode: string | null; years: number[]; people: number; withoutPassword: number }>;
  officers: Array<{ userId: number; email: string; name: string; organisationCode: string; organisationName: string; role: 'bureau_officer' | 'department_officer'; grantedAt: string; hasPassword: boolean }>;
  awaitingPassword: Array<{ userId: number; email: string; name: string; unitCode: string; unitName: string; roles: string[] }>;
  years: number[];
  audit: Array<{ at: string; actor: string; action: string; subject: string; details: unknown }>;
  /** Messages to the officers of the organisation (and its departments) that did not arrive. */
  undelivered: UndeliveredNotification[];
}

export interface OrgAdminData {
  answer: OrgAdminAnswer;
  /** A bureau officer of this bureau (or of the bureau above this department): may change things. */
  canManage: boolean;
  selfUserId: number;
}

const resultBox = html`<div class="form-result" hidden><label class="label"></label><input type="text" readonly class="mono" data-result-value><p class="small muted" data-result-note></p></div>`;

function detailsText(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return JSON.stringify(details);
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('；');
}

export function orgAdminBody(v: Viewer, d: OrgAdminData): Html {
  const L = v.lang;
  const a = d.answer;
  const org = encodeURIComponent(a.organisation.code);
  const api = `/api/organisations/${org}/admin`;
  const bureau = a.organisation.kind === 'bureau';
  const deptName = new Map(a.departments.map((x) => [x.code, x.name]));
  const latest = a.years[0];
  const actions = html`${latest ? html`<a class="btn btn-secondary" href="/orgs/${org}/years/${latest}">${t(L, 'ov.title')}</a>` : ''}${bureau && d.canManage ? html`<a class="btn btn-secondary" href="${api}/unit-list" download>${t(L, 'org.downloadList')}</a>` : ''}`;
  const subtitle = html`<span class="mono">${a.organisation.code}</span> · ${t(L, bureau ? 'org.kind.bureau' : 'org.kind.department')}${a.organisation.parent ? html` · ${a.organisation.parent.name}` : ''}`;

  const departments = bureau
    ? html`<section class="card" aria-labelledby="departments-h" id="departments">
        <h2 id="departments-h">${t(L, 'org.departments')}<span class="aside">${a.departments.length}</span></h2>
        ${a.departments.length === 0
          ? html`<p class="muted">${t(L, 'org.noDepartments')}</p>`
          : html`<table class="data"><thead><tr><th scope="col">${t(L, 'org.department')}</th><th scope="col" class="num">${t(L, 'org.unitCount')}</th><th scope="col" class="num">${t(L, 'org.officerCount')}</th></tr></thead>
              <tbody>${a.departments.map((x) => html`<tr data-department="${x.code}"><td><strong>${x.name}</strong><div class="small muted mono">${x.code}</div></td><td class="num">${x.units}</td><td class="num">${x.officers}</td></tr>`)}</tbody></table>`}
      </section>`
    : '';

  const units = html`<section class="card" aria-labelledby="org-units-h" id="org-units">
    <h2 id="org-units-h">${t(L, 'org.units')}<span class="aside">${a.units.length}</span></h2>
    ${a.units.length === 0
      ? html`<p class="muted">${t(L, 'org.noUnits')}</p>`
      : html`<table class="data"><thead><tr><th scope="col">${t(L, 'ov.unit')}</th>${bureau ? html`<th scope="col">${t(L, 'org.department')}</th>` : ''}<th scope="col">${t(L, 'org.years')}</th><th scope="col" class="num">${t(L, 'org.people')}</th></tr></thead>
          <tbody>${a.units.map(
            (u) => html`<tr data-unit="${u.code}"><td><strong>${u.name}</strong><div class="small muted mono">${u.code}</div></td>
              ${bureau ? html`<td class="small">${u.departmentCode ? deptName.get(u.departmentCode) ?? u.departmentCode : t(L, 'ov.direct')}</td>` : ''}
              <td class="small">${u.years.length ? u.years.map((y, i) => html`${i ? '、' : ''}<a href="/units/${encodeURIComponent(u.code)}/years/${y}">${y}</a>`) : html`<span class="muted">${t(L, 'org.noLedger')}</span>`}</td>
              <td class="num small">${u.people}${u.withoutPassword ? html`<div class="muted">${t(L, 'org.withoutPassword', { n: u.withoutPassword })}</div>` : ''}</td></tr>`,
          )}</tbody></table>`}
  </section>`;

  const importCard =
    bureau && d.canManage
      ? html`<section class="card" aria-labelledby="unit-list-h" id="unit-list">
          <h2 id="unit-list-h">${t(L, 'org.importList')}</h2>
          <p class="small muted">${t(L, 'org.importHelp')} <a href="${api}/unit-list" download>${t(L, 'org.downloadList')}</a></p>
          <form data-import="${api}/unit-list" novalidate id="unit-list-form">
            ${formErrors}
            <div class="inline-form">
              <div class="field"><label for="unit-list-file">${t(L, 'org.listFile')}</label><input id="unit-list-file" name="file" type="file" accept=".xlsx" required></div>
              <button class="btn" type="submit">${t(L, 'org.import')}</button>
            </div>
            <p class="form-status small" aria-live="polite"></p>
          </form>
        </section>`
      : '';

  const orgOptions = [{ code: a.organisation.code, name: a.organisation.name, role: 'bureau_officer' as const }, ...a.departments.map((x) => ({ code: x.code, name: x.name, role: 'department_officer' as const }))];
  const officers = html`<section class="card" aria-labelledby="officers-h" id="officers">
    <h2 id="officers-h">${t(L, 'org.officers')}<span class="aside">${a.officers.length}</span></h2>
    ${a.officers.length === 0
      ? html`<p class="muted">${t(L, 'org.noOfficers')}</p>`
      : html`<table class="data"><thead><tr><th scope="col">${t(L, 'admin.person')}</th><th scope="col">${t(L, 'org.where')}</th><th scope="col">${t(L, 'org.grantedAt')}</th>${d.canManage ? html`<th scope="col">${t(L, 'common.actions')}</th>` : ''}</tr></thead>
          <tbody>${a.officers.map(
            (o) => html`<tr data-officer="${o.email}" data-organisation="${o.organisationCode}"><td><strong>${o.name}</strong><div class="small muted">${o.email}</div>${o.hasPassword ? '' : html`<div class="small muted">${t(L, 'admin.noPassword')}</div>`}</td>
              <td>${o.organisationName}<div class="small muted">${t(L, `role.${o.role}` as MessageKey)}</div></td>
              <td class="small nowrap">${formatDateTime(L, o.grantedAt)}</td>
              ${d.canManage
                ? html`<td>${o.userId === d.selfUserId && o.role === 'bureau_officer'
                    ? ''
                    : html`<form data-api="POST ${api}/officers/${o.userId}/revoke" novalidate class="inline" data-confirm="${t(L, 'org.revokeConfirm', { who: o.name, where: o.organisationName })}">${formErrors}<input type="hidden" name="organisation" value="${o.organisationCode}"><button class="linkish small danger-text" type="submit">${t(L, 'admin.revoke')}</button></form>`}</td>`
                : ''}</tr>`,
          )}</tbody></table>`}
    ${d.canManage
      ? html`<h3 id="grant-officer-h">${t(L, 'org.grant')}</h3>
        <p class="small muted">${t(L, 'org.grantHelp')}</p>
        <form data-api="POST ${api}/officers" data-then="show" data-show="setPassword.link" novalidate id="grant-officer-form">
          ${formErrors}
          <div class="inline-form">
            <div class="field"><label for="go-email">${t(L, 'login.email')}</label><input id="go-email" name="email" type="email" required></div>
            <div class="field"><label for="go-name">${t(L, 'admin.name')}</label><input id="go-name" name="name" type="text"></div>
            <div class="field"><label for="go-org">${t(L, 'org.where')}</label><select id="go-org" name="organisation">${orgOptions.map((o) => html`<option value="${o.code}">${o.name}（${t(L, `role.${o.role}` as MessageKey)}）</option>`)}</select></div>
          </div>
          ${resultBox}
          <div class="buttons"><button class="btn" type="submit">${t(L, 'org.grantSubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
        </form>`
      : ''}
  </section>`;

  // The bureau hands each person of its units who has no password a one-time link (once per click; a new link stops the last).
  const awaiting =
    bureau && d.canManage
      ? html`<section class="card" aria-labelledby="awaiting-h" id="awaiting-password">
          <h2 id="awaiting-h">${t(L, 'org.awaiting')}<span class="aside">${a.awaitingPassword.length}</span></h2>
          <p class="small muted">${t(L, 'org.awaitingHelp')}</p>
          ${a.awaitingPassword.length === 0
            ? html`<p class="muted">${t(L, 'org.awaitingNone')}</p>`
            : html`<table class="data"><thead><tr><th scope="col">${t(L, 'admin.person')}</th><th scope="col">${t(L, 'ov.unit')}</th><th scope="col">${t(L, 'common.actions')}</th></tr></thead>
                <tbody>${a.awaitingPassword.map(
                  (p) => html`<tr data-person="${p.email}" data-unit="${p.unitCode}"><td><strong>${p.name}</strong><div class="small muted">${p.email}</div></td>
                    <td>${p.unitName}<div class="small muted">${p.roles.map((r, i) => html`${i ? '、' : ''}${t(L, `role.${r}` as MessageKey)}`)}</div></td>
                    <td><form data-api="POST ${api}/people/${p.userId}/password-link" data-then="show" data-show="setPassword.link" novalidate class="inline">${formErrors}${resultBox}<button class="btn btn-small btn-secondary" type="submit">${t(L, 'org.makeLink')}</button><span class="form-status small" aria-live="polite"></span></form></td></tr>`,
                )}</tbody></table>`}
        </section>`
      : '';

  const audit = html`<section class="card" aria-labelledby="org-audit-h" id="org-audit">
    <h2 id="org-audit-h">${t(L, 'org.audit')}</h2>
    ${a.audit.length === 0
      ? html`<p class="muted">${t(L, 'audit.none')}</p>`
      : html`<table class="data"><thead><tr><th scope="col">${t(L, 'audit.when')}</th><th scope="col">${t(L, 'audit.who')}</th><th scope="col">${t(L, 'audit.what')}</th><th scope="col">${t(L, 'audit.subject')}</th><th scope="col">${t(L, 'audit.details')}</th></tr></thead>
          <tbody>${a.audit.map((e) => html`<tr data-action="${e.action}"><td class="small nowrap">${formatDateTime(L, e.at)}</td><td class="small">${e.actor}</td><td class="small mono nowrap">${e.action}</td><td class="small mono">${e.subject}</td><td class="small">${detailsText(e.details)}</td></tr>`)}</tbody></table>`}
  </section>`;

  return html`${pageHead(`${t(L, 'org.title')} · ${a.organisation.name}`, subtitle, actions)}
  ${officers}
  <div class="grid">
    <div>${units}</div>
    <div>${importCard}${departments}</div>
  </div>
  ${awaiting}
  ${undeliveredCard(L, a.undelivered, api, d.canManage)}
  ${audit}`;
}
