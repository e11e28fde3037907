/**
 * 报告复核 of one unit-year (the review above the unit, bureau.routes.ts), for the department's and
 * the bureau's reviewers and — read only — the unit's own people:
 *
 * - where the review stands: the level it waits for (主管部门 → 财政局), the round, since when;
 * - the self-score and the reviewed score side by side, and every adjusted indicator with its reason;
 * - the issued version under review, shown in the page (and every earlier issued version);
 * - for a reviewer of the level it waits for: accept (with a note), return with comments — each on
 *   one section or one indicator, rows added as needed, every problem next to its row —, or
 *   adjust indicators' points, each with its reason (the self-score shown beside the field);
 * - for the bureau, once accepted: publish, or withdraw the publication with a reason;
 * - every decision taken, with its actor, level, comments and adjustments.
 *
 * Also the list of a year's reports to review for a department or the bureau (`reviewsBody`).
 */
import type { ReviewDecision } from '../../../db/reviews.repository';
import type { ReviewedScore } from '../../../domain/review';
import type { ReviewLevel, ReviewStatus } from '../../../workflows/review/contract';
import { html, type Html } from '../html';
import { formatDate, formatDateTime, formatPoints, type Lang, type MessageKey, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import { reviewChip } from './overview.page';
import { gradeName } from './parts';

export interface ReviewAnswer {
  workflowId: string;
  status: ReviewStatus | null;
  decisions: ReviewDecision[];
  score: (ReviewedScore & { reportVersion: number; adjustments: Array<{ indicator: string; pointsCp: number; selfCp: number | null; reason: string; level: ReviewLevel; actor: string; at: string }> }) | null;
  publication: { reportVersion: number; publishedBy: string; publishedAt: string; withdrawn: { at: string; by: string; reason: string } | null } | null;
  issuedVersions: Array<{ version: number; pdfSha256: string; createdAt: string }>;
  campaign: { workflowId: string; state: string; reviewLevel: ReviewLevel | null; reportVersion: number | null } | null;
  decidesAt: ReviewLevel[];
}

export interface ReviewPageData {
  unitCode: string;
  unitName: string;
  year: number;
  answer: ReviewAnswer;
  /** The unit's sections and the indicators of its score sheet (what a comment or an adjustment may name). */
  sections: Array<{ code: string; name: string }>;
  indicators: Array<{ id: string; level3: string; maxCp: number; pointsCp: number | null }>;
  /** The organisation code of the bureau above the unit (the public page's address). */
  bureauCode: string | null;
  /** The unit's own finance officer, unit head or admin (reads; links to the dashboard). */
  unitStaff: boolean;
}

const levelName = (L: Lang, level: ReviewLevel) => t(L, `review.level.${level}`);
const decisionKey = (d: string): MessageKey => `rv.decision.${d}` as MessageKey;

function targetName(d: ReviewPageData, c: { section?: string; indicator?: string }): string {
  if (c.section) return d.sections.find((s) => s.code === c.section)?.name ?? c.section;
  if (c.indicator) return d.indicators.find((i) => i.id === c.indicator)?.level3 ?? c.indicator;
  return '';
}

export function commentList(L: Lang, d: ReviewPageData, comments: ReadonlyArray<{ section?: string; indicator?: string; text: string }>): Html {
  return html`<ul class="plain comment-list">${comments.map(
    (c) => html`<li data-comment-target="${c.section ? `section:${c.section}` : c.indicator ? `indicator:${c.indicator}` : ''}">${c.section || c.indicator ? html`<strong>${c.section ? t(L, 'rv.section') : t(L, 'rv.indicator')}：${targetName(d, c)}</strong> ` : ''}${c.text}</li>`,
  )}</ul>`;
}

function scoreCard(L: Lang, d: ReviewPageData): Html {
  const s = d.answer.score;
  if (!s) return html``;
  const grade = (g: { code: string; zh: string } | null) => (g ? gradeName(L, g) : '—');
  return html`<section class="card" aria-labelledby="rv-score-h" id="review-score">
    <h2 id="rv-score-h">${t(L, 'rv.scores')}<span class="aside">${t(L, 'rv.ofVersion', { v: s.reportVersion })}</span></h2>
    ${d.answer.campaign?.state === 'accepted'
      ? html`<p><a class="btn btn-small btn-secondary" id="review-result-link" href="/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/review/result.pdf">${t(L, 'rv.resultPdf')}</a> <span class="small muted">${t(L, 'rv.resultHelp')}</span></p>`
      : ''}
    <div class="side-by-side">
      <div data-testid="self-score"><div class="label">${t(L, 'rv.selfScore')}</div><p class="score-total"><strong>${formatPoints(s.self.totalCp)}</strong></p><p>${grade(s.self.grade)}</p></div>
      <div data-testid="reviewed-score"><div class="label">${t(L, 'rv.reviewedScore')}</div><p class="score-total"><strong>${formatPoints(s.reviewed.totalCp)}</strong></p><p>${grade(s.reviewed.grade)}</p></div>
    </div>
    ${s.adjusted.length
      ? html`<table class="data" id="adjusted"><thead><tr><th scope="col">${t(L, 'rv.indicator')}</th><th scope="col" class="num">${t(L, 'rv.self')}</th><th scope="col" class="num">${t(L, 'rv.reviewed')}</th><th scope="col">${t(L, 'common.reason')}</th></tr></thead>
          <tbody>${s.adjusted.map((a) => html`<tr data-indicator="${a.id}"><td>${a.level3}<div class="small muted">${t(L, 'rv.max', { max: formatPoints(a.maxCp) })}</div></td><td class="num">${formatPoints(a.selfCp)}</td><td class="num"><strong>${formatPoints(a.reviewedCp)}</strong></td><td class="small">${a.reason}</td></tr>`)}</tbody></table>`
      : html`<p class="muted small">${t(L, 'rv.noAdjustments')}</p>`}
  </section>`;
}

function targetOptions(L: Lang, d: ReviewPageData): Html {
  return html`<option value="">${t(L, 'rv.pickTarget')}</option>
    <optgroup label="${t(L, 'rv.sections')}">${d.sections.map((s) => html`<option value="section:${s.code}">${s.name}</option>`)}</optgroup>
    <optgroup label="${t(L, 'rv.indicators')}">${d.indicators.map((i) => html`<option value="indicator:${i.id}">${i.level3}</option>`)}</optgroup>`;
}

function decisionForms(L: Lang, d: ReviewPageData, level: ReviewLevel, version: number): Html {
  const api = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/review`;
  const hidden = html`<input type="hidden" name="level" value="${level}"><input type="hidden" name="reportVersion" value="${version}" data-type="number">`;
  const rowHead = html`<div class="row-head"><span class="row-title"></span><button type="button" class="btn btn-small btn-danger" data-remove>${t(L, 'form.remove')}</button></div>`;
  const commentRow = html`<div data-row>${rowHead}
      <div class="inline-form review-row">
        <div class="field"><label for="rv-c-target">${t(L, 'rv.target')}</label><select id="rv-c-target" data-field="target" data-type="target">${targetOptions(L, d)}</select></div>
        <div class="field grow"><label for="rv-c-text">${t(L, 'rv.comment')}</label><textarea id="rv-c-text" data-field="text" rows="2"></textarea></div>
      </div></div>`;
  const adjustRow = html`<div data-row>${rowHead}
      <div class="inline-form review-row">
        <div class="field"><label for="rv-a-indicator">${t(L, 'rv.indicator')}</label><select id="rv-a-indicator" data-field="indicator"><option value="">${t(L, 'rv.pickIndicator')}</option>${d.indicators.map(
          (i) => html`<option value="${i.id}">${i.level3}（${t(L, 'rv.selfOf', { self: i.pointsCp === null ? '—' : formatPoints(i.pointsCp), max: formatPoints(i.maxCp) })}）</option>`,
        )}</select></div>
        <div class="field"><label for="rv-a-points">${t(L, 'rv.points')}</label><input type="text" id="rv-a-points" data-field="points" inputmode="decimal" size="6"></div>
        <div class="field grow"><label for="rv-a-reason">${t(L, 'common.reason')}</label><textarea id="rv-a-reason" data-field="reason" rows="2"></textarea></div>
      </div></div>`;
  const list = (name: string, itemKey: MessageKey, addKey: MessageKey, row: Html) => html`<fieldset class="plain-fieldset" data-list="${name}" data-path="${name}" data-item-label="${t(L, itemKey)}">
      <div class="rows">${row}</div>
      <template>${row}</template>
      <button type="button" class="btn btn-small btn-secondary" data-add>＋ ${t(L, addKey)}</button>
    </fieldset>`;
  return html`<section class="card" aria-labelledby="rv-decide-h" id="review-decide">
    <h2 id="rv-decide-h">${t(L, 'rv.decide', { level: levelName(L, level) })}</h2>
    <p class="small muted">${t(L, 'rv.decideHelp')}</p>
    <form data-api="POST ${api}/accept" novalidate id="accept-form">
      ${formErrors}${hidden}
      <div class="field"><label for="rv-note">${t(L, 'common.note')}</label><textarea id="rv-note" name="note" rows="2"></textarea></div>
      <div class="buttons"><button class="btn btn-ok" type="submit">${t(L, level === 'bureau' ? 'rv.acceptFinal' : 'rv.accept')}</button><span class="form-status small" aria-live="polite"></span></div>
    </form>
    <details class="review-action" id="return-details"><summary>${t(L, 'rv.return')}</summary>
      <form data-api="POST ${api}/return" novalidate id="return-form">
        ${formErrors}${hidden}
        <p class="small muted">${t(L, 'rv.returnHelp')}</p>
        ${list('comments', 'rv.commentItem', 'rv.addComment', commentRow)}
        <div class="buttons"><button class="btn btn-danger" type="submit">${t(L, 'rv.returnSubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
      </form>
    </details>
    <details class="review-action" id="adjust-details"><summary>${t(L, 'rv.adjust')}</summary>
      <form data-api="POST ${api}/adjust" novalidate id="adjust-form">
        ${formErrors}${hidden}
        <p class="small muted">${t(L, 'rv.adjustHelp')}</p>
        ${list('adjustments', 'rv.adjustItem', 'rv.addAdjustment', adjustRow)}
        <div class="buttons"><button class="btn" type="submit">${t(L, 'rv.adjustSubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
      </form>
    </details>
  </section>`;
}

function publicationCard(L: Lang, d: ReviewPageData, canPublish: boolean): Html {
  const p = d.answer.publication;
  const api = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/publication`;
  const accepted = d.answer.status?.state === 'accepted' || d.answer.campaign?.state === 'accepted';
  if (!accepted && !p) return html``;
  const live = p && !p.withdrawn;
  const publicHref = d.bureauCode ? `/public/${encodeURIComponent(d.bureauCode)}/${d.year}/${encodeURIComponent(d.unitCode)}` : undefined;
  return html`<section class="card" aria-labelledby="rv-pub-h" id="publication">
    <h2 id="rv-pub-h">${t(L, 'rv.publication')}</h2>
    ${live
      ? html`<div class="notice notice-ok" data-testid="published">${t(L, 'rv.published', { v: p.reportVersion, who: p.publishedBy, when: formatDateTime(L, p.publishedAt) })}${publicHref ? html` <a href="${publicHref}" data-testid="public-link">${t(L, 'rv.publicPage')}</a>` : ''}</div>`
      : p?.withdrawn
        ? html`<div class="notice notice-warn" data-testid="withdrawn">${t(L, 'rv.withdrawn', { who: p.withdrawn.by, when: formatDateTime(L, p.withdrawn.at), reason: p.withdrawn.reason })}</div>`
        : html`<p class="muted">${t(L, 'rv.notPublished')}</p>`}
    ${canPublish && accepted && !live
      ? html`<form data-api="POST ${api}" novalidate id="publish-form">${formErrors}<p class="small muted">${t(L, 'rv.publishHelp')}</p><div class="buttons"><button class="btn btn-ok" type="submit">${t(L, 'rv.publish')}</button><span class="form-status small" aria-live="polite"></span></div></form>`
      : ''}
    ${canPublish && live
      ? html`<details class="action"><summary>${t(L, 'rv.withdraw')}</summary><form data-api="POST ${api}/withdraw" novalidate id="withdraw-form">${formErrors}
          <div class="field"><label for="withdraw-reason">${t(L, 'common.reason')}</label><textarea id="withdraw-reason" name="reason" rows="2" required></textarea></div>
          <button class="btn btn-small btn-danger" type="submit">${t(L, 'rv.withdraw')}</button></form></details>`
      : ''}
  </section>`;
}

function historyCard(L: Lang, d: ReviewPageData): Html {
  const decisions = [...d.answer.decisions].reverse();
  return html`<section class="card" aria-labelledby="rv-history-h" id="review-history">
    <h2 id="rv-history-h">${t(L, 'rv.history')}</h2>
    ${decisions.length === 0
      ? html`<p class="muted">${t(L, 'rv.noDecisions')}</p>`
      : html`<ol class="plain">${decisions.map(
          (x) => html`<li data-decision="${x.decision}" data-level="${x.level}" class="msg"><div class="msg-meta small muted">${formatDateTime(L, x.at)} · ${levelName(L, x.level)} · ${x.actor} · ${t(L, 'rv.version', { v: x.reportVersion })}</div>
            <div><strong>${t(L, decisionKey(x.decision))}</strong></div>
            ${x.comments.length ? commentList(L, d, x.comments) : ''}
            ${x.adjustments.length ? html`<ul class="plain small">${x.adjustments.map((a) => html`<li>${targetName(d, { indicator: a.indicator })}：${a.selfCp === null ? '—' : formatPoints(a.selfCp)} → <strong>${formatPoints(a.pointsCp)}</strong>（${a.reason}）</li>`)}</ul>` : ''}</li>`,
        )}</ol>`}
  </section>`;
}

export function reviewBody(v: Viewer, d: ReviewPageData, options: { canPublish: boolean }): Html {
  const L = v.lang;
  const a = d.answer;
  const s = a.status;
  const unit = encodeURIComponent(d.unitCode);
  const page = `/units/${unit}/years/${d.year}`;
  const latest = [...a.issuedVersions].sort((x, y) => y.version - x.version)[0];
  const underReview = s?.reportVersion ?? a.campaign?.reportVersion ?? latest?.version ?? null;
  const shown = a.issuedVersions.find((x) => x.version === underReview) ?? latest;
  const waitingLevel = s?.state === 'awaiting' ? s.level : null;
  const mayDecide = waitingLevel !== null && a.decidesAt.includes(waitingLevel) && underReview !== null;
  const reviewState = s ? (s.state === 'awaiting' ? 'in_review' : s.state) : (a.campaign?.state ?? null);
  const subtitle = html`${t(L, 'common.unitYear', { unit: d.unitName, year: d.year })} ${reviewChip(L, reviewState)}`;
  const actions = html`<a class="btn btn-secondary" href="${page}">${t(L, 'unit.dashboard')}</a><a class="btn btn-secondary" href="${page}/report">${t(L, 'unit.report')}</a>`;
  const lastReturn = [...a.decisions].reverse().find((x) => x.decision === 'return');

  const stateCard = html`<section class="card" aria-labelledby="rv-state-h" id="review-state">
    <h2 id="rv-state-h">${t(L, 'rv.where')}</h2>
    ${s
      ? html`<dl class="facts">
          <dt>${t(L, 'rv.levels')}</dt><dd>${s.levels.map((l, i) => html`${i ? ' → ' : ''}<span${l.level === waitingLevel ? html` class="alert-text" data-waiting-level="${l.level}"` : ''}>${l.organisationName}（${levelName(L, l.level)}）</span>`)}</dd>
          <dt>${t(L, 'rv.state')}</dt><dd data-testid="review-state">${s.state === 'awaiting' && s.level ? t(L, 'rv.awaiting', { level: levelName(L, s.level) }) : t(L, `rv.state.${s.state}` as MessageKey)}</dd>
          <dt>${t(L, 'rv.underReview')}</dt><dd>${t(L, 'rv.version', { v: s.reportVersion })} · ${t(L, 'rv.round', { n: s.round })}</dd>
          ${s.waiting ? html`<dt>${t(L, 'rv.since')}</dt><dd class="small">${formatDate(L, s.waiting.since)} · ${t(L, 'dash.remindersSent', { n: s.waiting.remindersSent })}${s.waiting.nextReminderAt ? html` · ${t(L, 'dash.nextReminder', { date: formatDate(L, s.waiting.nextReminderAt) })}` : ''}</dd>` : ''}
        </dl>`
      : html`<p class="muted" data-testid="review-state">${a.issuedVersions.length ? t(L, 'rv.noWorkflow') : t(L, 'rv.notIssued')}</p>`}
    ${s?.state === 'returned' && lastReturn
      ? html`<div class="notice notice-warn" id="returned-notice"><strong>${t(L, 'rv.returnedBy', { level: levelName(L, lastReturn.level), who: lastReturn.actor, when: formatDateTime(L, lastReturn.at) })}</strong>${commentList(L, d, lastReturn.comments)}</div>`
      : ''}
  </section>`;

  const reportCard = shown
    ? html`<section class="card" aria-labelledby="rv-report-h" id="review-report">
        <h2 id="rv-report-h">${t(L, 'rv.issuedReport', { v: shown.version })}<a class="aside" href="${page}/review/${shown.version}/report.pdf" target="_blank" rel="noopener">${t(L, 'report.openPdf')} ↗</a></h2>
        <div class="label">${t(L, 'report.sha256')}</div><code class="mono hash">${shown.pdfSha256}</code>
        <iframe class="pdf" title="${t(L, 'rv.issuedReport', { v: shown.version })}" src="${page}/review/${shown.version}/report.pdf"></iframe>
        ${a.issuedVersions.length > 1
          ? html`<p class="small">${t(L, 'rv.otherVersions')}${[...a.issuedVersions].sort((x, y) => y.version - x.version).filter((x) => x.version !== shown.version).map((x) => html` <a href="${page}/review/${x.version}/report.pdf" target="_blank" rel="noopener">${t(L, 'rv.version', { v: x.version })}</a>`)}</p>`
          : ''}
      </section>`
    : '';

  return html`${pageHead(t(L, 'rv.title'), subtitle, actions)}
  ${stateCard}
  ${mayDecide ? decisionForms(L, d, waitingLevel, underReview) : ''}
  ${publicationCard(L, d, options.canPublish)}
  <div class="grid">
    <div>${reportCard}</div>
    <div>${scoreCard(L, d)}${historyCard(L, d)}</div>
  </div>`;
}

// ── A year's reports to review ──────────────────────────────────────────────────────────────

export interface CampaignAnswer {
  campaign: { id: number; workflowId: string; organisationCode: string; organisationName: string; year: number; dueDate: string; taskDueDate: string | null; ruleSet: { id: string; version: number }; outline: string; notice: string; createdBy: string; createdAt: string; closedAt: string | null;
    stopped?: { state: 'failed' | 'cancelled' | 'terminated' | 'timed_out'; at: string; reason: string | null; runId: string | null } | null };
  organisation: { code: string; name: string; kind: 'bureau' | 'department' };
  units: Array<{ unitCode: string; unitName: string; department: { code: string; name: string } | null; state: string; reviewLevel: ReviewLevel | null; reportVersion: number | null; stage: string | null; tasksDueAt: string | null; score: { totalCp: number; grade: string | null; final: boolean } | null; updatedAt: string }>;
  counts: Record<string, number>;
  status: { units: number; started: number; accepted: number; remindersSent: string[]; nextReminder: { key: string; kind: string; at: string } | null; closed: boolean; calendarWarnings?: Array<{ year: number }> } | null;
}

const REVIEW_STATES = new Set(['issued', 'in_review', 'returned', 'accepted']);

export function reviewsBody(v: Viewer, d: { answer: CampaignAnswer | null; orgCode: string; orgName: string; year: number; myLevel: ReviewLevel }): Html {
  const L = v.lang;
  const base = `/orgs/${encodeURIComponent(d.orgCode)}/years/${d.year}`;
  const actions = html`<a class="btn btn-secondary" href="${base}">${t(L, 'ov.title')}</a><a class="btn btn-secondary" href="${base}/campaign">${t(L, 'ov.campaign')}</a>`;
  const head = pageHead(t(L, 'rv.listTitle'), html`${d.orgName} · ${t(L, 'common.year', { year: d.year })}`, actions);
  if (!d.answer) return html`${head}<section class="card"><p class="muted">${t(L, 'ov.noCampaign')}</p></section>`;
  const units = d.answer.units.filter((u) => REVIEW_STATES.has(u.state));
  const mine = units.filter((u) => (u.state === 'issued' || u.state === 'in_review') && u.reviewLevel === d.myLevel);
  const row = (u: CampaignAnswer['units'][number]) => html`<tr data-unit="${u.unitCode}">
    <td><a href="/units/${encodeURIComponent(u.unitCode)}/years/${d.year}/review"><strong>${u.unitName}</strong></a><div class="small muted">${u.department?.name ?? t(L, 'ov.direct')}</div></td>
    <td>${reviewChip(L, u.state)}${u.reviewLevel && (u.state === 'issued' || u.state === 'in_review') ? html`<div class="small muted">${t(L, 'rv.awaiting', { level: levelName(L, u.reviewLevel) })}</div>` : ''}</td>
    <td class="num">${u.reportVersion ?? '—'}</td>
    <td class="num">${u.score ? formatPoints(u.score.totalCp) : '—'}${u.score?.grade ? html`<div>${u.score.grade}</div>` : ''}</td>
    <td class="small nowrap">${formatDateTime(L, u.updatedAt)}</td></tr>`;
  const table = (rows: CampaignAnswer['units'], id: string) =>
    rows.length === 0
      ? html`<p class="muted">${t(L, 'rv.none')}</p>`
      : html`<table class="data" id="${id}"><thead><tr><th scope="col">${t(L, 'ov.unit')}</th><th scope="col">${t(L, 'ov.review')}</th><th scope="col" class="num">${t(L, 'rv.versionCol')}</th><th scope="col" class="num">${t(L, 'ov.total')}</th><th scope="col">${t(L, 'rv.updated')}</th></tr></thead><tbody>${rows.map(row)}</tbody></table>`;
  return html`${head}
  <section class="card" aria-labelledby="rv-mine-h"><h2 id="rv-mine-h">${t(L, 'rv.mine', { level: levelName(L, d.myLevel) })}<span class="aside">${mine.length}</span></h2>${table(mine, 'reviews-mine')}</section>
  <section class="card" aria-labelledby="rv-all-h"><h2 id="rv-all-h">${t(L, 'rv.all')}<span class="aside">${units.length}</span></h2>${table(units, 'reviews-all')}</section>`;
}

