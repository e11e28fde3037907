/**
 * 年度通知 of a bureau (bureau.routes.ts): before it is issued, the bureau officer's form — the
 * year, the report's deadline and the sections' due date, the rule set (department-wide ones) and
 * report outline, the notice's text, the units it covers (every unit under the bureau, ticked) —
 * with every problem next to its field; once issued, the notice as issued and where it stands:
 * counts per state, the fan-out and reminders from the workflow, every unit with its state, stage,
 * review level and score (a department sees its own units), and units not yet in it to add.
 */
import type { RuleSetSummary } from '../api-types';
import { html, type Html } from '../html';
import { formatDate, formatDateTime, formatPoints, type Lang, type MessageKey, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import { reviewChip } from './overview.page';
import type { CampaignAnswer } from './review.page';

export interface CampaignPageData {
  orgCode: string;
  orgName: string;
  orgKind: 'bureau' | 'department';
  year: number;
  answer: CampaignAnswer | null;
  /** The viewer may issue the notice and add units (a bureau officer of this bureau). */
  canIssue: boolean;
  /** Units under the bureau (to choose from when issuing or adding). */
  units: Array<{ code: string; name: string; departmentName: string | null; hasLedger: boolean }>;
  ruleSets: RuleSetSummary[];
  outlines: Array<{ id: string; name: string }>;
  defaultOutline: string;
  today: string;
  /** Just issued: the campaign's workflow is opening it (the page refreshes until it shows). */
  justIssued?: boolean;
}

function unitChecklist(d: CampaignPageData, units: CampaignPageData['units'], checked: boolean, L: Viewer['lang']): Html {
  return html`<fieldset class="plain-fieldset" data-path="units" id="units-choice"><legend>${t(L, 'cp.units')}</legend>
    <p class="small muted">${t(L, 'cp.unitsHelp')}</p>
    <ul class="plain unit-checklist">${units.map(
      (u) => html`<li><label class="check"><input type="checkbox" name="units" value="${u.code}" data-array${checked ? html` checked` : ''}> ${u.name} <span class="small muted mono">${u.code}</span>${u.departmentName ? html` <span class="small muted">· ${u.departmentName}</span>` : ''}${u.hasLedger ? '' : html` <span class="small alert-text">${t(L, 'cp.noLedger', { year: d.year })}</span>`}</label></li>`,
    )}</ul></fieldset>`;
}

function issueForm(v: Viewer, d: CampaignPageData): Html {
  const L = v.lang;
  const api = `/api/organisations/${encodeURIComponent(d.orgCode)}/campaigns`;
  const ruleSets = d.ruleSets.filter((r) => r.scope === 'department' && (!r.fiscalYears || (d.year >= r.fiscalYears.from && d.year <= r.fiscalYears.to)));
  const ids = [...new Set(ruleSets.map((r) => r.id))];
  const latest = (id: string) => ruleSets.filter((r) => r.id === id).sort((a, b) => b.version - a.version)[0]!;
  return html`<section class="card" aria-labelledby="cp-issue-h" id="campaign-issue">
    <h2 id="cp-issue-h">${t(L, 'cp.issue')}</h2>
    <p class="small muted">${t(L, 'cp.issueHelp')}</p>
    <form data-api="POST ${api}" data-then="go" data-next="/orgs/${encodeURIComponent(d.orgCode)}/years/${d.year}/campaign?issued=1" novalidate id="campaign-form">
      ${formErrors}
      <input type="hidden" name="year" value="${d.year}" data-type="number">
      <div class="inline-form">
        <div class="field"><label for="cp-due">${t(L, 'cp.dueDate')}</label><input type="date" id="cp-due" name="dueDate" min="${d.today}" required></div>
        <div class="field"><label for="cp-task-due">${t(L, 'cp.taskDueDate')} <span class="hint">${t(L, 'cp.optional')}</span></label><input type="date" id="cp-task-due" name="taskDueDate" min="${d.today}"></div>
      </div>
      <div class="inline-form">
        <div class="field"><label for="cp-rule-set">${t(L, 'cp.ruleSet')}</label><select id="cp-rule-set" name="ruleSetId">${ids.map((id) => html`<option value="${id}"${id === 'hunan-department-2020' ? html` selected` : ''}>${latest(id).name}（${id}，${t(L, 'cp.latestVersion', { v: latest(id).version })}）</option>`)}</select></div>
        <div class="field"><label for="cp-rule-set-version">${t(L, 'cp.ruleSetVersion')} <span class="hint">${t(L, 'cp.versionHint')}</span></label><input type="number" id="cp-rule-set-version" name="ruleSetVersion" min="1" data-type="number"></div>
        <div class="field"><label for="cp-outline">${t(L, 'cp.outline')}</label><select id="cp-outline" name="outline">${d.outlines.map((o) => html`<option value="${o.id}"${o.id === d.defaultOutline ? html` selected` : ''}>${o.name}（${o.id}）</option>`)}</select></div>
      </div>
      <div class="field"><label for="cp-notice">${t(L, 'cp.notice')}</label><textarea id="cp-notice" name="notice" rows="6" required placeholder="${t(L, 'cp.noticePlaceholder', { year: d.year })}"></textarea></div>
      ${unitChecklist(d, d.units, true, L)}
      <div class="buttons"><button class="btn" type="submit">${t(L, 'cp.issueSubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
    </form>
  </section>`;
}

export function campaignBody(v: Viewer, d: CampaignPageData): Html {
  const L = v.lang;
  const base = `/orgs/${encodeURIComponent(d.orgCode)}/years/${d.year}`;
  const actions = html`<a class="btn btn-secondary" href="${base}">${t(L, 'ov.title')}</a><a class="btn btn-secondary" href="${base}/reviews">${t(L, 'ov.reviews')}</a>`;
  const head = pageHead(t(L, 'cp.title'), html`${d.orgName} · ${t(L, 'common.year', { year: d.year })}`, actions);
  const a = d.answer;
  if (!a && d.justIssued) return html`${head}<div class="notice" data-testid="campaign-opening">${t(L, 'cp.opening')}</div>`;
  if (!a) {
    return html`${head}${d.canIssue ? issueForm(v, d) : html`<section class="card"><p class="muted" data-testid="no-campaign">${t(L, 'ov.noCampaign')}</p></section>`}`;
  }
  const c = a.campaign;
  const s = a.status;
  const states = ['joined', 'waiting_ledger', 'started', 'issued', 'in_review', 'returned', 'accepted'];
  const inCampaign = new Set(a.units.map((u) => u.unitCode));
  const others = d.units.filter((u) => !inCampaign.has(u.code));
  const noticeCard = html`<section class="card" aria-labelledby="cp-notice-h" id="campaign-notice">
    <h2 id="cp-notice-h">${t(L, 'cp.issued')}<span class="aside">${c.closedAt ? html`<span class="chip chip-issued">${t(L, 'cp.closed')}</span>` : ''}</span></h2>
    <dl class="facts">
      <dt>${t(L, 'cp.dueDate')}</dt><dd data-testid="campaign-due">${formatDate(L, c.dueDate)}</dd>
      ${c.taskDueDate ? html`<dt>${t(L, 'cp.taskDueDate')}</dt><dd>${formatDate(L, c.taskDueDate)}</dd>` : ''}
      <dt>${t(L, 'cp.ruleSet')}</dt><dd class="mono">${c.ruleSet.id}@${c.ruleSet.version}</dd>
      <dt>${t(L, 'cp.outline')}</dt><dd class="mono">${c.outline}</dd>
      <dt>${t(L, 'cp.issuedBy')}</dt><dd>${c.createdBy} · ${formatDateTime(L, c.createdAt)}</dd>
    </dl>
    <div class="notice-text">${c.notice.split(/\r?\n/).map((p) => html`<p>${p}</p>`)}</div>
  </section>`;
  const progressCard = html`<section class="card" aria-labelledby="cp-progress-h" id="campaign-progress">
    <h2 id="cp-progress-h">${t(L, 'cp.progress')}</h2>
    <dl class="counts" id="campaign-counts">${states.map((k) => html`<div data-count="${k}"><dt>${t(L, `review.${k}` as MessageKey)}</dt><dd>${a.counts[k] ?? 0}</dd></div>`)}</dl>
    ${s
      ? html`<p class="small muted" data-testid="campaign-status">${t(L, 'cp.fanOut', { started: s.started, units: s.units, accepted: s.accepted })}${s.nextReminder ? ` ${t(L, 'cp.nextReminder', { date: formatDate(L, s.nextReminder.at) })}` : ''}</p>`
      : ''}
    <table class="data" id="campaign-units"><thead><tr><th scope="col">${t(L, 'ov.unit')}</th><th scope="col">${t(L, 'ov.review')}</th><th scope="col">${t(L, 'ov.stage')}</th><th scope="col" class="num">${t(L, 'ov.total')}</th><th scope="col">${t(L, 'common.actions')}</th></tr></thead>
      <tbody>${a.units.map(
        (u) => html`<tr data-unit="${u.unitCode}" data-state="${u.state}"><td><strong>${u.unitName}</strong><div class="small muted">${u.department?.name ?? t(L, 'ov.direct')}</div></td>
          <td>${reviewChip(L, u.state)}${u.reviewLevel && (u.state === 'issued' || u.state === 'in_review') ? html`<div class="small muted">${t(L, 'rv.awaiting', { level: t(L, `review.level.${u.reviewLevel}`) })}</div>` : ''}</td>
          <td class="small">${u.stage ? t(L, `stage.${u.stage}` as MessageKey) : '—'}${u.tasksDueAt ? html`<div class="muted">${formatDate(L, u.tasksDueAt)}</div>` : ''}</td>
          <td class="num">${u.score ? formatPoints(u.score.totalCp) : '—'}${u.score?.grade && u.score.final ? html`<div>${u.score.grade}</div>` : ''}</td>
          <td class="nowrap small"><a href="/units/${encodeURIComponent(u.unitCode)}/years/${d.year}">${t(L, 'unit.dashboard')}</a>${u.reportVersion ? html` · <a href="/units/${encodeURIComponent(u.unitCode)}/years/${d.year}/review">${t(L, 'rv.title')}</a>` : ''}</td></tr>`,
      )}</tbody></table>
  </section>`;
  const addCard =
    d.canIssue && others.length && !c.closedAt && !c.stopped
      ? html`<section class="card" aria-labelledby="cp-add-h" id="campaign-add">
          <h2 id="cp-add-h">${t(L, 'cp.add')}</h2>
          <form data-api="POST /api/organisations/${encodeURIComponent(d.orgCode)}/campaigns/${d.year}/units" novalidate id="campaign-add-form">
            ${formErrors}${unitChecklist(d, others, false, L)}
            <div class="buttons"><button class="btn" type="submit">${t(L, 'cp.addSubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
          </form>
        </section>`
      : '';
  return html`${head}${c.stopped && !c.closedAt ? stoppedCard(L, d, c.stopped) : ''}${progressCard}<div class="grid"><div>${noticeCard}</div><div>${addCard}</div></div>`;
}

/** The campaign's workflow stopped: why, since when, and for the bureau's officer the restart (with a reason). */
function stoppedCard(L: Lang, d: CampaignPageData, stop: NonNullable<CampaignAnswer['campaign']['stopped']>): Html {
  return html`<section class="card card-alert" aria-labelledby="cp-stopped-h" id="campaign-stopped" data-stopped-state="${stop.state}">
    <h2 id="cp-stopped-h">${t(L, 'cp.stopped')}</h2>
    <p>${t(L, 'cp.stoppedText', { state: t(L, `rst.state.${stop.state}`), at: formatDateTime(L, stop.at) })}</p>
    ${stop.reason ? html`<p class="small"><strong>${t(L, 'hb.stoppedReason')}</strong><span data-testid="campaign-stopped-reason">${stop.reason}</span></p>` : ''}
    ${d.canIssue
      ? html`<form data-api="POST /api/organisations/${encodeURIComponent(d.orgCode)}/campaigns/${d.year}/restart" novalidate id="campaign-restart-form">
          ${formErrors}
          <div class="field"><label for="cp-restart-reason">${t(L, 'hb.restartReason')}</label><textarea id="cp-restart-reason" name="reason" rows="2" required maxlength="2000"></textarea></div>
          <div class="buttons"><button class="btn" type="submit">${t(L, 'cp.restart')}</button><span class="form-status small" aria-live="polite"></span></div>
        </form>`
      : ''}
  </section>`;
}
