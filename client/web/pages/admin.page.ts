/**
 * 系统管理 for a unit's administrator:
 *   /admin                    the units one administers; a new unit
 *   /admin/units/:unit        the unit and its sections; people and their roles (grant — a section
 *                             head with their section —, revoke, a one-time password link); API
 *                             tokens; 企业微信 / 钉钉 robot channels (added only after a test message
 *                             got through; tested again, turned off and on); messages that did
 *                             not reach their recipient (send again, stop trying); the yearly start date
 *   /admin/units/:unit/audit  the audit log, filtered by who, what, when and year
 * Every form posts to the API (client/http/admin.routes.ts); links the API hands back (a new
 * person's password link, a reset link) are shown in the form to copy, once.
 */
import type { ApiTokenInfo, Person } from '../../../db/accounts.repository';
import type { AdminUnit, AuditEntry } from '../../../db/admin.repository';
import type { ChannelInfo, UndeliveredNotification } from '../../../db/notifications.repository';
import { roles } from '../../../domain/ledger/unit-year.schema';
import { html, type Html } from '../html';
import { formatDateTime, type Lang, type MessageKey, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import { tokensTable } from './account.page';

export interface AdminUnitData {
  unit: AdminUnit;
  people: Person[];
  tokens: ApiTokenInfo[];
  channels: ChannelInfo[];
  /** Messages of the unit still retrying, uncertain or given up (newest first). */
  undelivered: UndeliveredNotification[];
  /** The signed-in administrator (they cannot revoke their own last admin grant from here by mistake). */
  selfUserId: number;
}

const submit = (L: Lang, key: MessageKey, cls = 'btn') => html`<div class="buttons"><button class="${cls}" type="submit">${t(L, key)}</button><span class="form-status small" aria-live="polite"></span></div>`;
/** Where a link the API returns is shown (to copy, once). */
const resultBox = html`<div class="form-result" hidden><label class="label"></label><input type="text" readonly class="mono" data-result-value><p class="small muted" data-result-note></p></div>`;

export function adminUnitsBody(v: Viewer, units: AdminUnit[]): Html {
  const L = v.lang;
  return html`${pageHead(t(L, 'admin.title'), t(L, 'admin.unitsHelp'))}
  <div class="grid">
    <section class="card" aria-labelledby="units-h">
      <h2 id="units-h">${t(L, 'admin.units')}</h2>
      ${units.length === 0
        ? html`<p class="muted">${t(L, 'admin.noUnits')}</p>`
        : html`<table class="data" id="admin-units"><tbody>${units.map(
            (u) => html`<tr data-unit="${u.code}"><td><a href="/admin/units/${encodeURIComponent(u.code)}"><strong>${u.name}</strong></a><div class="small muted mono">${u.code}</div></td>
              <td class="small">${t(L, 'admin.sectionCount', { n: u.sections.length })}</td><td class="small">${u.years.length ? u.years.join('、') : '—'}</td></tr>`,
          )}</tbody></table>`}
    </section>
    <section class="card" aria-labelledby="new-unit-h">
      <h2 id="new-unit-h">${t(L, 'admin.newUnit')}</h2>
      <p class="small muted">${t(L, 'admin.newUnitHelp')}</p>
      <form data-api="POST /api/admin/units" novalidate id="new-unit-form">
        ${formErrors}
        <div class="field"><label for="nu-code">${t(L, 'admin.unitCode')} <span class="hint">${t(L, 'admin.codeHint')}</span></label><input id="nu-code" name="code" type="text" required></div>
        <div class="field"><label for="nu-name">${t(L, 'admin.unitName')}</label><input id="nu-name" name="name" type="text" required></div>
        <div class="inline-form">
          <div class="field"><label for="nu-level">${t(L, 'admin.level')}</label><input id="nu-level" name="level" type="text"></div>
          <div class="field"><label for="nu-quota">${t(L, 'admin.staffQuota')}</label><input id="nu-quota" name="staffQuota" type="number" min="0" data-type="number"></div>
        </div>
        ${submit(L, 'admin.create')}
      </form>
    </section>
  </div>`;
}

function unitCard(L: Lang, d: AdminUnitData, api: string): Html {
  const u = d.unit;
  return html`<section class="card" aria-labelledby="unit-h" id="unit">
    <h2 id="unit-h">${t(L, 'admin.unit')}</h2>
    <form data-api="PUT ${api}" novalidate id="unit-form">
      ${formErrors}
      <div class="field"><label for="u-name">${t(L, 'admin.unitName')}</label><input id="u-name" name="name" type="text" value="${u.name}" required></div>
      <div class="inline-form">
        <div class="field"><label for="u-level">${t(L, 'admin.level')}</label><input id="u-level" name="level" type="text" value="${u.level ?? ''}"></div>
        <div class="field"><label for="u-quota">${t(L, 'admin.staffQuota')}</label><input id="u-quota" name="staffQuota" type="number" min="0" data-type="number" value="${u.staffQuota}"></div>
      </div>
      ${submit(L, 'admin.save', 'btn btn-small')}
    </form>
    <h3>${t(L, 'unit.sections')}</h3>
    <p class="small muted">${t(L, 'admin.sectionsHelp')}</p>
    <table class="data" id="sections"><thead><tr><th scope="col">${t(L, 'admin.sectionCode')}</th><th scope="col">${t(L, 'admin.sectionName')}</th><th scope="col">${t(L, 'admin.holders')}</th></tr></thead>
      <tbody>${u.sections.map(
        (s) => html`<tr data-section="${s.code}"><td class="mono">${s.code}</td><td>
          <form data-api="PUT ${api}/sections/${encodeURIComponent(s.code)}" novalidate class="inline-form">${formErrors}
            <div class="field"><label class="sr-only" for="sec-${s.id}">${t(L, 'admin.sectionName')}</label><input id="sec-${s.id}" name="name" type="text" value="${s.name}" required></div>
            <button class="btn btn-small btn-secondary" type="submit">${t(L, 'admin.rename')}</button>
          </form></td><td class="small">${s.holders}</td></tr>`,
      )}</tbody></table>
    <details class="action"><summary>${t(L, 'admin.addSection')}</summary>
      <form data-api="POST ${api}/sections" novalidate id="add-section-form">${formErrors}
        <div class="field"><label for="ns-code">${t(L, 'admin.sectionCode')} <span class="hint">${t(L, 'admin.codeHint')}</span></label><input id="ns-code" name="code" type="text" required></div>
        <div class="field"><label for="ns-name">${t(L, 'admin.sectionName')}</label><input id="ns-name" name="name" type="text" required></div>
        ${submit(L, 'admin.add', 'btn btn-small')}
      </form>
    </details>
  </section>`;
}

function peopleCard(L: Lang, d: AdminUnitData, api: string): Html {
  const sections = d.unit.sections;
  return html`<section class="card" aria-labelledby="people-h" id="people">
    <h2 id="people-h">${t(L, 'admin.people')}<span class="aside">${d.people.length}</span></h2>
    <table class="data"><thead><tr><th scope="col">${t(L, 'admin.person')}</th><th scope="col">${t(L, 'admin.roles')}</th><th scope="col">${t(L, 'admin.lastSignIn')}</th><th scope="col">${t(L, 'admin.password')}</th></tr></thead>
      <tbody>${d.people.map(
        (p) => html`<tr data-person="${p.email}"><td><strong>${p.name}</strong><div class="small muted">${p.email}</div></td>
          <td>${p.roles.map(
            (r) => html`<div class="role-line" data-role="${r.role}"${r.section ? html` data-role-section="${r.section}"` : ''}>${t(L, `role.${r.role}` as MessageKey)}${r.sectionName ? html` · ${r.sectionName}` : ''}
              <form data-api="POST ${api}/roles/${r.id}/revoke" novalidate class="inline" data-confirm="${t(L, 'admin.revokeConfirm', { role: t(L, `role.${r.role}` as MessageKey), who: p.name })}">${formErrors}<button class="linkish small danger-text" type="submit">${t(L, 'admin.revoke')}</button></form></div>`,
          )}</td>
          <td class="small nowrap">${p.lastSignInAt ? formatDateTime(L, p.lastSignInAt) : '—'}</td>
          <td class="small">${p.hasPassword ? '' : html`<div class="muted">${t(L, 'admin.noPassword')}</div>`}
            <form data-api="POST ${api}/people/${p.userId}/reset-link" data-then="show" data-show="link" novalidate>${formErrors}
              <button class="btn btn-small btn-secondary" type="submit">${t(L, 'admin.resetLink')}</button>
              ${resultBox}
            </form></td></tr>`,
      )}</tbody></table>
    <h3 id="grant-h">${t(L, 'admin.grant')}</h3>
    <p class="small muted">${t(L, 'admin.grantHelp')}</p>
    <form data-api="POST ${api}/people" data-then="show" data-show="setPassword.link" novalidate id="grant-form">
      ${formErrors}
      <div class="inline-form">
        <div class="field"><label for="g-email">${t(L, 'login.email')}</label><input id="g-email" name="email" type="email" required></div>
        <div class="field"><label for="g-name">${t(L, 'admin.name')}</label><input id="g-name" name="name" type="text"></div>
      </div>
      <div class="inline-form">
        <div class="field"><label for="g-role">${t(L, 'admin.role')}</label><select id="g-role" name="role">${roles.map((r) => html`<option value="${r}">${t(L, `role.${r}` as MessageKey)}</option>`)}</select></div>
        <div class="field"><label for="g-section">${t(L, 'admin.section')} <span class="hint">${t(L, 'admin.sectionForHead')}</span></label><select id="g-section" name="section"><option value="">—</option>${sections.map((s) => html`<option value="${s.code}">${s.name}</option>`)}</select></div>
      </div>
      ${resultBox}
      ${submit(L, 'admin.grantSubmit')}
    </form>
  </section>`;
}

function channelsCard(L: Lang, d: AdminUnitData, api: string): Html {
  return html`<section class="card" aria-labelledby="channels-h" id="channels">
    <h2 id="channels-h">${t(L, 'admin.channels')}</h2>
    <p class="small muted">${t(L, 'admin.channelsHelp')}</p>
    ${d.channels.length === 0
      ? html`<p class="muted">${t(L, 'admin.noChannels')}</p>`
      : html`<table class="data"><thead><tr><th scope="col">${t(L, 'admin.channel')}</th><th scope="col">${t(L, 'admin.lastTest')}</th><th scope="col">${t(L, 'common.actions')}</th></tr></thead>
          <tbody>${d.channels.map(
            (c) => html`<tr data-channel="${c.id}" data-kind="${c.kind}"><td><strong>${t(L, `channel.${c.kind}`)}</strong>${c.label ? html` · ${c.label}` : ''}${c.enabled ? '' : html` <span class="chip chip-cancelled">${t(L, 'admin.off')}</span>`}
                <div class="small muted mono">${c.maskedUrl}${c.hasSecret ? html` · ${t(L, 'admin.signed')}` : ''}</div></td>
              <td class="small">${c.testedAt ? html`${formatDateTime(L, c.testedAt)} ${c.testError ? html`<div class="alert-text" data-testid="channel-error">${c.testError}</div>` : html`<span class="chip chip-submitted">${t(L, 'admin.testOk')}</span>`}` : '—'}</td>
              <td><div class="buttons">
                <form data-api="POST ${api}/channels/${c.id}/test" novalidate>${formErrors}<button class="btn btn-small btn-secondary" type="submit">${t(L, 'admin.test')}</button></form>
                <form data-api="PUT ${api}/channels/${c.id}" novalidate>${formErrors}<input type="hidden" name="enabled" value="${c.enabled ? 'false' : 'true'}" data-type="boolean"><button class="btn btn-small ${c.enabled ? 'btn-danger' : ''}" type="submit">${t(L, c.enabled ? 'admin.turnOff' : 'admin.turnOn')}</button></form>
              </div></td></tr>`,
          )}</tbody></table>`}
    <h3>${t(L, 'admin.addChannel')}</h3>
    <form data-api="POST ${api}/channels" novalidate id="channel-form">
      ${formErrors}
      <div class="inline-form">
        <div class="field"><label for="ch-kind">${t(L, 'admin.channelKind')}</label><select id="ch-kind" name="kind"><option value="dingtalk">${t(L, 'channel.dingtalk')}</option><option value="wecom">${t(L, 'channel.wecom')}</option></select></div>
        <div class="field"><label for="ch-label">${t(L, 'admin.channelLabel')}</label><input id="ch-label" name="label" type="text"></div>
      </div>
      <div class="field"><label for="ch-url">${t(L, 'admin.webhook')}</label><input id="ch-url" name="url" type="text" class="mono" placeholder="https://oapi.dingtalk.com/robot/send?access_token=…" required></div>
      <div class="field"><label for="ch-secret">${t(L, 'admin.secret')} <span class="hint">${t(L, 'admin.secretHint')}</span></label><input id="ch-secret" name="secret" type="password" autocomplete="off"></div>
      ${submit(L, 'admin.addAndTest')}
    </form>
    <h3>${t(L, 'admin.email')}</h3>
    <p class="small muted">${t(L, 'admin.emailHelp')}</p>
  </section>`;
}

/** Messages that did not arrive, with the forms to send one again or stop trying (`api`: the routes' base; `canAct`: the viewer may). */
export function undeliveredCard(L: Lang, items: UndeliveredNotification[], api: string, canAct = true): Html {
  const channelName = (c: UndeliveredNotification['channel']) => (c === 'in_app' ? c : t(L, `channel.${c}`));
  return html`<section class="card" aria-labelledby="undelivered-h" id="undelivered">
    <h2 id="undelivered-h">${t(L, 'admin.undelivered')}${items.length ? html`<span class="aside">${items.length}</span>` : ''}</h2>
    <p class="small muted">${t(L, 'admin.undeliveredHelp')}</p>
    ${items.length === 0
      ? html`<p class="muted" data-testid="all-delivered">${t(L, 'admin.allDelivered')}</p>`
      : html`<table class="data"><thead><tr><th scope="col">${t(L, 'admin.message')}</th><th scope="col">${t(L, 'admin.recipient')}</th><th scope="col">${t(L, 'admin.deliveryState')}</th><th scope="col">${t(L, 'common.actions')}</th></tr></thead>
          <tbody>${items.map(
            (n) => html`<tr data-notification="${n.id}" data-status="${n.status}"><td><strong>${n.subject}</strong><div class="small muted">${formatDateTime(L, n.createdAt)}</div></td>
              <td class="small">${channelName(n.channel)} · ${n.to}</td>
              <td class="small"><span class="chip ${n.status === 'pending' ? 'chip-open' : n.status === 'uncertain' ? 'chip-overdue' : 'chip-cancelled'}">${t(L, `delivery.${n.status}`)}</span>
                <div class="muted">${t(L, 'admin.attempts')} ${n.attempts}${n.status === 'pending' && n.nextAttemptAt ? html` · ${t(L, 'delivery.nextAttempt', { at: formatDateTime(L, n.nextAttemptAt) })}` : ''}</div>
                ${n.error ? html`<div class="alert-text" data-testid="delivery-error">${t(L, 'admin.reason')}${n.error}</div>` : ''}</td>
              <td>${canAct && n.status !== 'pending'
                ? html`<form data-api="POST ${api}/notifications/${n.id}/resend" novalidate${n.status === 'uncertain' ? html` data-confirm="${t(L, 'admin.resendUncertainConfirm')}"` : ''}>${formErrors}<button class="btn btn-small btn-secondary" type="submit">${t(L, 'admin.resend')}</button></form>`
                : ''}${canAct && n.status !== 'failed'
                ? html`<form data-api="POST ${api}/notifications/${n.id}/abandon" novalidate data-confirm="${t(L, 'admin.abandonConfirm')}">${formErrors}<button class="btn btn-small btn-danger" type="submit">${t(L, 'admin.abandon')}</button></form>`
                : ''}</td></tr>`,
          )}</tbody></table>`}
  </section>`;
}

function scheduleCard(L: Lang, d: AdminUnitData): Html {
  return html`<section class="card" aria-labelledby="schedule-h" id="schedule">
    <h2 id="schedule-h">${t(L, 'admin.schedule')}</h2>
    <p class="small muted">${t(L, 'admin.scheduleHelp')}</p>
    <form data-api="PUT /api/units/${encodeURIComponent(d.unit.code)}/schedule" novalidate id="schedule-form">
      ${formErrors}
      <div class="inline-form">
        <div class="field"><label for="sc-month">${t(L, 'admin.month')}</label><input id="sc-month" name="month" type="number" min="1" max="12" data-type="number" required></div>
        <div class="field"><label for="sc-day">${t(L, 'admin.day')}</label><input id="sc-day" name="dayOfMonth" type="number" min="1" max="31" data-type="number" required></div>
        <div class="field"><label for="sc-hour">${t(L, 'admin.hour')}</label><input id="sc-hour" name="hour" type="number" min="0" max="23" data-type="number" placeholder="9"></div>
        <div class="field"><label for="sc-due">${t(L, 'admin.dueIn')}</label><input id="sc-due" name="dueInWorkingDays" type="number" min="1" max="60" data-type="number" placeholder="10"></div>
      </div>
      ${submit(L, 'admin.save', 'btn btn-small')}
    </form>
  </section>`;
}

export function adminUnitBody(v: Viewer, d: AdminUnitData): Html {
  const L = v.lang;
  const code = encodeURIComponent(d.unit.code);
  const api = `/api/admin/units/${code}`;
  const actions = html`<a class="btn btn-secondary" href="/admin/units/${code}/audit">${t(L, 'admin.audit')}</a><a class="btn btn-secondary" href="/admin">${t(L, 'admin.allUnits')}</a>`;
  return html`${pageHead(d.unit.name, html`<span class="mono">${d.unit.code}</span> · ${t(L, 'admin.title')}`, actions)}
  ${peopleCard(L, d, api)}
  <div class="grid">
    <div>${channelsCard(L, d, api)}${undeliveredCard(L, d.undelivered, api)}<section class="card" aria-labelledby="unit-tokens-h" id="unit-tokens"><h2 id="unit-tokens-h">${t(L, 'account.tokens')}</h2>${tokensTable(L, d.tokens, (id) => `${api}/tokens/${id}/revoke`, true)}</section></div>
    <div>${unitCard(L, d, api)}${scheduleCard(L, d)}</div>
  </div>`;
}

export interface AuditPageData {
  unitCode: string;
  unitName: string;
  years: number[];
  filter: { who?: string; what?: string; from?: string; to?: string; year?: number };
  entries: AuditEntry[];
  actions: string[];
  next: number | null;
}

function detailsText(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object') return JSON.stringify(details);
  const entries = Object.entries(details as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined && v !== '');
  return entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('；');
}

export function auditBody(v: Viewer, d: AuditPageData): Html {
  const L = v.lang;
  const f = d.filter;
  const code = encodeURIComponent(d.unitCode);
  const query = (extra: Record<string, string | number>) => {
    const q = new URLSearchParams();
    for (const [k, val] of Object.entries({ ...f, ...extra })) if (val !== undefined && val !== '') q.set(k, String(val));
    return `/admin/units/${code}/audit?${q.toString()}`;
  };
  const groups = [...new Set(d.actions.map((a) => a.split('.')[0]!))].filter((g) => !d.actions.includes(g));
  return html`${pageHead(t(L, 'audit.title'), d.unitName, html`<a class="btn btn-secondary" href="/admin/units/${code}">${t(L, 'admin.title')}</a>`)}
  <section class="card" aria-labelledby="audit-filter-h">
    <h2 id="audit-filter-h" class="sr-only">${t(L, 'audit.filter')}</h2>
    <form method="get" action="/admin/units/${code}/audit" class="inline-form" id="audit-filter">
      <div class="field"><label for="af-who">${t(L, 'audit.who')}</label><input id="af-who" name="who" type="text" value="${f.who ?? ''}" placeholder="${t(L, 'audit.whoHint')}"></div>
      <div class="field"><label for="af-what">${t(L, 'audit.what')}</label><select id="af-what" name="what"><option value="">${t(L, 'audit.any')}</option>
        ${groups.map((g) => html`<option value="${g}"${f.what === g ? html` selected` : ''}>${g}.*</option>`)}
        ${d.actions.map((a) => html`<option value="${a}"${f.what === a ? html` selected` : ''}>${a}</option>`)}</select></div>
      <div class="field"><label for="af-from">${t(L, 'audit.from')}</label><input id="af-from" name="from" type="date" value="${f.from ?? ''}"></div>
      <div class="field"><label for="af-to">${t(L, 'audit.to')}</label><input id="af-to" name="to" type="date" value="${f.to ?? ''}"></div>
      <div class="field"><label for="af-year">${t(L, 'audit.year')}</label><select id="af-year" name="year"><option value="">${t(L, 'audit.any')}</option>${d.years.map((y) => html`<option value="${y}"${f.year === y ? html` selected` : ''}>${y}</option>`)}</select></div>
      <button class="btn" type="submit">${t(L, 'audit.apply')}</button>
      <a class="btn btn-secondary" href="/admin/units/${code}/audit">${t(L, 'audit.clear')}</a>
    </form>
  </section>
  <section class="card" aria-labelledby="audit-h">
    <h2 id="audit-h">${t(L, 'audit.entries')}<span class="aside">${d.entries.length}</span></h2>
    ${d.entries.length === 0
      ? html`<p class="muted" data-testid="audit-empty">${t(L, 'audit.none')}</p>`
      : html`<table class="data" id="audit"><thead><tr><th scope="col">${t(L, 'audit.when')}</th><th scope="col">${t(L, 'audit.who')}</th><th scope="col">${t(L, 'audit.what')}</th><th scope="col">${t(L, 'audit.subject')}</th><th scope="col">${t(L, 'audit.details')}</th></tr></thead>
          <tbody>${d.entries.map(
            (e) => html`<tr data-action="${e.action}"><td class="small nowrap">${formatDateTime(L, e.at)}</td><td class="small">${e.actor}</td><td class="small mono nowrap">${e.action}</td><td class="small mono">${e.subject}</td><td class="small">${detailsText(e.details)}</td></tr>`,
          )}</tbody></table>`}
    ${d.next ? html`<p><a href="${query({ before: d.next })}">${t(L, 'audit.older')}</a></p>` : ''}
  </section>`;
}
