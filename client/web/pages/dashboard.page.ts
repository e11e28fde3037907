/**
 * 财务看板 for one unit-year: the evaluation's stage and progress per section (state, due date,
 * reminders, with extend / proceed without / return), the finance officer's self-assessment task
 * (state, due date, reminders, the rule set used) with links to 单位自评打分 and the 基础数据表,
 * the reconciliation findings with their
 * amounts and the acknowledge button, the calendar of withheld payments (what falls due when),
 * the score preview, the rule set and report outline the year uses (with a preview under another
 * rule set, adopting one before the start and re-scoring while reviewing; rule-set-choice.ts), and
 * links to the workflows in the Temporal web UI.
 */
import type { OpenHoldback } from '../../../db/holdbacks.repository';
import { SELF_ASSESSMENT_TASK, type TaskView } from '../../../workflows/evaluation/contract';
import type { AnalysisAnswer, Finding, RuleSetSummary, StatusAnswer, TaskItem } from '../api-types';
import type { UndeliveredNotification } from '../../../db/notifications.repository';
import { html, type Html } from '../html';
import { formatDate, formatDateTime, formatMonth, formatPoints, formatWan, formatWanNumber, type Lang, type MessageKey, pick, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import { deliveryState, dueCell, scoreView, stageChip, stateChip, temporalLink } from './parts';
import { reviewChip } from './overview.page';
import { ruleSetCard } from './rule-set-choice';

export interface DashboardData {
  unitCode: string;
  unitName: string;
  year: number;
  canAct: boolean;
  status?: StatusAnswer;
  tasks: TaskItem[];
  reminders: Map<string, TaskView>;
  analysis?: AnalysisAnswer;
  holdbacks: OpenHoldback[];
  temporalUrl: (workflowId: string) => string;
  today: string;
  /** Every rule set and version (to preview under). */
  ruleSets: RuleSetSummary[];
  /** The report outline the year uses. */
  outline: { id: string; name: string };
  /** The finance officer, the unit head or an administrator: may preview under another rule set. */
  canPreview: boolean;
  /** A department's or the bureau's officer above the unit: reads, without the unit's working pages. */
  above?: boolean;
  /** Messages of the evaluation, its tasks and the year's withheld payments that did not reach their recipient (newest first). */
  undelivered?: UndeliveredNotification[];
  /** The viewer administers the unit (sends such messages again on 系统管理). */
  isAdmin?: boolean;
}

/** Who may not know of their task or reminder: the messages that did not arrive, and what to do. */
function undeliveredNotice(L: Lang, d: DashboardData, items: UndeliveredNotification[]): Html {
  const shown = items.slice(0, 3);
  return html`<div class="notice notice-warn" id="undelivered-notice">
    <strong>${t(L, 'dash.undelivered', { n: items.length })}</strong>
    <ul class="plain small">${shown.map((n) => html`<li data-notification="${n.id}">${n.to} · ${n.subject} · ${deliveryState(L, n)}</li>`)}</ul>
    <div class="small">${t(L, 'dash.undeliveredHelp')}${d.isAdmin ? html` <a href="/admin/units/${encodeURIComponent(d.unitCode)}#undelivered">${t(L, 'admin.undelivered')}</a>` : ''}</div>
  </div>`;
}

const TRANSIENT = new Set(['opening', 'scoring', 'drafting', 'issuing']);

export function dashboardRefreshMs(d: DashboardData): number | undefined {
  return d.status && TRANSIENT.has(d.status.stage) ? 2_000 : undefined;
}

function actionForm(L: Lang, summaryKey: MessageKey, api: string, fields: Html, submitKey: MessageKey = 'common.confirm'): Html {
  return html`<details class="action"><summary>${t(L, summaryKey)}</summary>
    <form data-api="${api}" novalidate>${formErrors}${fields}<div class="buttons"><button class="btn btn-small" type="submit">${t(L, submitKey)}</button><span class="form-status small" aria-live="polite"></span></div></form>
  </details>`;
}

function reasonField(L: Lang, id: string, required = true, labelKey: MessageKey = 'common.reason'): Html {
  return html`<div class="field"><label for="${id}">${t(L, labelKey)}</label><textarea id="${id}" name="reason" rows="2"${required ? html` required` : ''}></textarea></div>`;
}

function startCard(L: Lang, d: DashboardData): Html {
  const base = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}`;
  return html`<section class="card" aria-labelledby="start-h">
    <h2 id="start-h">${t(L, 'dash.start')}</h2>
    <p class="muted">${t(L, 'dash.notStarted')} ${t(L, 'dash.startHelp')}</p>
    ${d.canAct
      ? html`<form data-api="POST ${base}/evaluation" novalidate id="start-form">
          ${formErrors}
          <div class="inline-form">
            <div class="field"><label for="start-due">${t(L, 'dash.dueDate')} <span class="hint">${t(L, 'dash.dueDateHelp')}</span></label><input type="date" id="start-due" name="dueDate" min="${d.today}"></div>
            <div class="field"><label for="start-escalate">${t(L, 'dash.escalateAfter')}</label><input type="number" id="start-escalate" name="escalateAfterWorkingDays" data-type="number" min="0" max="60" placeholder="3"></div>
            <button class="btn" type="submit">${t(L, 'dash.start')}</button>
          </div>
          <p class="form-status small" aria-live="polite"></p>
        </form>`
      : html`<p class="muted small">${t(L, 'dash.unitHeadOnly')}</p>`}
  </section>`;
}

function progressCard(L: Lang, d: DashboardData, s: StatusAnswer): Html {
  const base = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/evaluation`;
  const tasks = new Map(d.tasks.map((x) => [x.section, x]));
  const rows = s.sections.map((sec) => {
    const task = tasks.get(sec.section);
    const view = d.reminders.get(sec.section);
    const waiting = sec.state === 'open' || sec.state === 'overdue' || sec.state === 'returned';
    const overdue = task?.overdue ?? sec.state === 'overdue';
    const idp = `${sec.section}`.replace(/[^A-Za-z0-9]+/g, '-');
    const actions: Html[] = [];
    if (d.canAct && s.stage === 'collecting' && waiting) {
      actions.push(actionForm(L, 'dash.extend', `POST ${base}/extend`, html`<input type="hidden" name="section" value="${sec.section}">
        <div class="field"><label for="extend-due-${idp}">${t(L, 'dash.newDueDate')}</label><input type="date" id="extend-due-${idp}" name="dueDate" required></div>
        ${reasonField(L, `extend-reason-${idp}`, false, 'common.note')}`));
      actions.push(actionForm(L, 'dash.proceedWithout', `POST ${base}/proceed-without`, html`<input type="hidden" name="section" value="${sec.section}">${reasonField(L, `skip-reason-${idp}`)}`));
    }
    if (d.canAct && (s.stage === 'collecting' || s.stage === 'reviewing') && sec.state === 'submitted') {
      actions.push(actionForm(L, 'dash.return', `POST ${base}/return`, html`<input type="hidden" name="section" value="${sec.section}">${reasonField(L, `return-reason-${idp}`)}`));
    }
    return html`<tr class="${overdue && waiting ? 'is-overdue' : ''}" data-section="${sec.section}">
      <td>${task ? html`<a href="/tasks/${task.id}"><strong>${sec.name}</strong></a>` : html`<strong>${sec.name}</strong>`}
        ${sec.submittedBy ? html`<div class="small muted">${t(L, 'dash.submittedBy', { who: sec.submittedBy })}</div>` : ''}
        ${sec.skippedReason ? html`<div class="small muted">${t(L, 'dash.skippedReason', { reason: sec.skippedReason })}</div>` : ''}</td>
      <td>${stateChip(L, task?.state === 'draft' && sec.state === 'open' ? 'draft' : sec.state)}</td>
      <td>${dueCell(L, sec.dueAt, overdue && waiting)}</td>
      <td class="small">${view
        ? html`${t(L, 'dash.remindersSent', { n: view.remindersSent.length })}${view.nextReminderAt ? html`<div class="muted">${t(L, 'dash.nextReminder', { date: formatDate(L, view.nextReminderAt) })}</div>` : ''}${view.escalated ? html`<div class="alert-text">${t(L, 'dash.escalated')}</div>` : ''}`
        : html`<span class="muted">—</span>`}</td>
      <td>${actions}${temporalLink(L, d.temporalUrl(sec.workflowId), true)}</td>
    </tr>`;
  });
  return html`<section class="card" aria-labelledby="progress-h">
    <h2 id="progress-h">${t(L, 'dash.progress')}<span class="aside">${temporalLink(L, s.temporalUi)}</span></h2>
    <table class="data" id="progress">
      <thead><tr><th scope="col">${t(L, 'tasks.section')}</th><th scope="col">${t(L, 'tasks.state')}</th><th scope="col">${t(L, 'tasks.due')}</th><th scope="col">${t(L, 'dash.reminders')}</th><th scope="col">${t(L, 'common.actions')}</th></tr></thead>
      <tbody>${rows}</tbody>
    </table>
  </section>`;
}

/** The finance officer's self-assessment: its task's state and due date, and the rule set used. */
function selfAssessmentCard(L: Lang, d: DashboardData): Html {
  const s = d.status;
  const sa = s?.selfAssessment ?? null;
  const page = `/units/${encodeURIComponent(d.unitCode)}/years/${d.year}`;
  const base = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/evaluation`;
  const ruleSetId = s?.ruleSetId ?? d.analysis?.score.ruleSetId ?? null;
  const view = d.reminders.get(SELF_ASSESSMENT_TASK);
  const waiting = !!sa && sa.state !== 'submitted';
  const overdue = waiting && (sa.state === 'overdue' || Date.parse(sa.dueAt) < Date.now());
  const task = d.tasks.find((x) => x.section === null);
  return html`<section class="card" aria-labelledby="sa-h" id="self-assessment-status">
    <h2 id="sa-h">${t(L, 'dash.selfAssessment')}${sa ? html`<span class="aside">${temporalLink(L, d.temporalUrl(sa.workflowId), true)}</span>` : ''}</h2>
    <p class="small muted">${t(L, 'dash.saHelp')}</p>
    <dl class="facts">
      ${ruleSetId ? html`<dt>${t(L, 'dash.ruleSet')}</dt><dd data-testid="rule-set">${ruleSetId}</dd>` : ''}
      ${sa
        ? html`<dt>${t(L, 'tasks.state')}</dt><dd data-testid="sa-state">${stateChip(L, task?.state === 'draft' && sa.state === 'open' ? 'draft' : sa.state)}${sa.submittedBy ? html` <span class="small muted">${t(L, 'dash.submittedBy', { who: sa.submittedBy })}</span>` : ''}</dd>
          <dt>${t(L, 'tasks.due')}</dt><dd data-testid="sa-due">${dueCell(L, sa.dueAt, overdue)}</dd>
          ${view ? html`<dt>${t(L, 'dash.reminders')}</dt><dd class="small">${t(L, 'dash.remindersSent', { n: view.remindersSent.length })}${view.nextReminderAt ? html` · ${t(L, 'dash.nextReminder', { date: formatDate(L, view.nextReminderAt) })}` : ''}${view.escalated ? html` · <span class="alert-text">${t(L, 'dash.escalated')}</span>` : ''}</dd>` : ''}`
        : s
          ? html`<dt>${t(L, 'tasks.state')}</dt><dd class="muted small">${t(L, 'dash.saNone')}</dd>`
          : ''}
    </dl>
    <div class="buttons sa-actions">
      <a class="btn btn-small${waiting && d.canAct ? '' : ' btn-secondary'}" href="${page}/self-assessment" data-testid="sa-link">${waiting && d.canAct ? t(L, 'dash.saOpen') : t(L, 'dash.saView')}</a>
      <a class="btn btn-small btn-secondary" href="${page}/basic-data">${t(L, 'dash.basicData')}</a>
      ${d.canAct && s?.stage === 'collecting' && waiting
        ? actionForm(L, 'dash.extend', `POST ${base}/extend`, html`<input type="hidden" name="section" value="${SELF_ASSESSMENT_TASK}">
            <div class="field"><label for="extend-due-sa">${t(L, 'dash.newDueDate')}</label><input type="date" id="extend-due-sa" name="dueDate" required></div>
            ${reasonField(L, 'extend-reason-sa', false, 'common.note')}`)
        : ''}
    </div>
  </section>`;
}

function differenceText(L: Lang, f: Finding): string {
  if (f.difference === null) return '—';
  if (f.unit === 'fen') return formatWanNumber(f.difference);
  if (f.unit === 'bp') return `${(f.difference / 100).toFixed(2)}%`;
  return String(f.difference);
}

function findingsCard(L: Lang, d: DashboardData): Html {
  const s = d.status;
  const findings = d.analysis?.reconciliation.findings ?? [];
  const base = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/evaluation`;
  const awaiting = s && s.stage === 'reviewing' && s.findings.sha256 !== null && !s.findings.acknowledged && s.findings.blocking > 0;
  return html`<section class="card" aria-labelledby="findings-h" id="findings">
    <h2 id="findings-h">${t(L, 'dash.findings')}</h2>
    <p class="small muted">${t(L, 'dash.findingsHelp')}</p>
    ${s?.findings.acknowledged ? html`<div class="notice notice-ok">${t(L, 'dash.acknowledged')}</div>` : ''}
    ${awaiting ? html`<div class="notice notice-warn">${t(L, 'dash.awaitingAck', { n: s.findings.blocking })}</div>` : ''}
    ${findings.length === 0
      ? html`<p class="muted">${t(L, 'dash.noFindings')}</p>`
      : html`<table class="data"><thead><tr><th scope="col">${t(L, 'dash.finding')}</th><th scope="col" class="num">${t(L, 'dash.difference')}</th></tr></thead>
          <tbody>${findings.map(
            (f) => html`<tr data-finding="${f.code}"><td>${f.blocking ? html`<span class="chip chip-blocking">${t(L, 'dash.blocking')}</span> ` : ''}${pick(L, f.zh, f.en)}</td><td class="num">${differenceText(L, f)}</td></tr>`,
          )}</tbody></table>`}
    ${awaiting && d.canAct
      ? html`<form data-api="POST ${base}/acknowledge" novalidate id="acknowledge-form">
          ${formErrors}
          <p class="small muted">${t(L, 'dash.acknowledgeHelp')}</p>
          <input type="hidden" name="findingsSha256" value="${s.findings.sha256 ?? ''}">
          <div class="field"><label for="ack-note">${t(L, 'common.note')}</label><textarea id="ack-note" name="note" rows="2"></textarea></div>
          <div class="buttons"><button class="btn" type="submit">${t(L, 'dash.acknowledge')}</button><span class="form-status small" aria-live="polite"></span></div>
        </form>
        <form data-api="POST ${base}/recheck" class="then" novalidate>${formErrors}<button class="btn btn-small btn-secondary" type="submit">${t(L, 'dash.recheck')}</button></form>`
      : ''}
  </section>`;
}

function holdbacksCard(L: Lang, d: DashboardData): Html {
  const months = new Map<string, OpenHoldback[]>();
  for (const h of d.holdbacks) {
    const key = h.nextDueOn ? h.nextDueOn.slice(0, 7) : '';
    months.set(key, [...(months.get(key) ?? []), h]);
  }
  const monthLabel = (key: string) => (key ? formatMonth(L, key) : t(L, 'dash.noDate'));
  return html`<section class="card" aria-labelledby="holdbacks-h" id="holdbacks">
    <h2 id="holdbacks-h">${t(L, 'dash.holdbacks')}${d.holdbacks.length ? html`<span class="aside"><a href="/api/units/${encodeURIComponent(d.unitCode)}/holdbacks/export" data-testid="holdbacks-export">${t(L, 'dash.holdbacksExport')}</a></span>` : ''}</h2>
    <p class="small muted">${t(L, 'dash.holdbacksHelp')}</p>
    ${d.holdbacks.length === 0
      ? html`<p class="muted">${t(L, 'dash.noHoldbacks')}</p>`
      : html`<table class="data">
          <thead><tr><th scope="col">${t(L, 'dash.dueOn')}</th><th scope="col">${t(L, 'dash.project')}</th><th scope="col" class="num">${t(L, 'dash.outstanding')}</th><th scope="col">${t(L, 'dash.awaiting')}</th></tr></thead>
          <tbody>${[...months.entries()].map(
            ([key, items]) => html`<tr class="month"><td colspan="4">${monthLabel(key)}</td></tr>
              ${items.map(
                (h) => html`<tr data-holdback="${h.holdbackCode}">
                  <td class="nowrap">${h.nextDueOn ? formatDate(L, h.nextDueOn) : '—'}${h.nextDueOn && h.nextDueOn < d.today ? html`<div><span class="chip chip-overdue">${t(L, 'tasks.overdue')}</span></div>` : ''}</td>
                  <td><a href="/units/${encodeURIComponent(d.unitCode)}/years/${h.year}/holdbacks/${encodeURIComponent(h.holdbackCode)}">${h.projectName}</a><div class="small muted">${t(L, `kind.${h.kind}`)} · ${t(L, 'common.year', { year: h.year })}</div>${h.stopped ? html`<div><span class="chip chip-overdue" data-testid="hb-stopped-chip">${t(L, 'dash.hbStopped')}</span></div>` : ''}</td>
                  <td class="num" title="${formatWan(L, h.outstandingFen)}">${formatWanNumber(h.outstandingFen)}</td>
                  <td class="small">${pick(L, h.awaitingText.zh, h.awaitingText.en)}${h.workflowId ? html`<div>${temporalLink(L, d.temporalUrl(h.workflowId), true)}</div>` : ''}</td>
                </tr>`,
              )}`,
          )}</tbody></table>`}
  </section>`;
}

/**
 * The review above the unit (campaign evaluations, once issued): where it stands, and — returned —
 * the reviewer's comments on each section or indicator, which is what the unit reworks.
 */
function reviewCard(L: Lang, d: DashboardData, review: NonNullable<StatusAnswer['review']>): Html {
  const page = `/units/${encodeURIComponent(d.unitCode)}/years/${d.year}`;
  const r = review.lastReturn;
  const returned = review.state === 'returned' && r;
  const targetName = (c: { section?: string; indicator?: string }) =>
    c.section ? (d.status?.sections.find((x) => x.section === c.section)?.name ?? c.section) : (d.analysis?.score.indicators.find((i) => i.id === c.indicator)?.level3 ?? c.indicator ?? '');
  return html`<section class="card" aria-labelledby="review-h" id="review">
    <h2 id="review-h">${t(L, 'rv.where')}<span class="aside"><a href="${page}/review">${t(L, 'rv.title')} →</a></span></h2>
    <p>${reviewChip(L, review.state)}${review.returns ? html` <span class="small muted">${t(L, 'dash.reviewReturns', { n: review.returns })}</span>` : ''}</p>
    ${returned
      ? html`<div class="notice notice-warn" id="review-returned"><strong>${t(L, 'rv.returnedBy', { level: t(L, `review.level.${r.level}`), who: r.by, when: formatDate(L, r.at) })}</strong>
          <ul class="plain comment-list">${r.comments.map((c) => html`<li data-comment-target="${c.section ? `section:${c.section}` : `indicator:${c.indicator ?? ''}`}"><strong>${c.section ? t(L, 'rv.section') : t(L, 'rv.indicator')}：${targetName(c)}</strong> ${c.text}</li>`)}</ul>
          <p class="small">${t(L, 'dash.reviewReopened', { date: formatDate(L, r.dueAt) })}${r.selfAssessment ? html` <a href="${page}/self-assessment">${t(L, 'dash.saOpen')}</a>` : ''}</p></div>`
      : ''}
  </section>`;
}

export function dashboardBody(v: Viewer, d: DashboardData): Html {
  const L = v.lang;
  const s = d.status;
  const page = `/units/${encodeURIComponent(d.unitCode)}/years/${d.year}`;
  const reportLink = d.above
    ? html`<a class="btn btn-secondary" href="${page}/report">${t(L, 'dash.report')}</a>${s?.review ? html`<a class="btn btn-secondary" href="${page}/review">${t(L, 'rv.title')}</a>` : ''}`
    : html`<a class="btn btn-secondary" href="${page}/basic-data">${t(L, 'dash.basicData')}</a><a class="btn btn-secondary" href="${page}/self-assessment">${t(L, 'dash.selfAssessment')}</a><a class="btn btn-secondary" href="${page}/report">${t(L, 'dash.report')}</a>`;
  const subtitle = html`${t(L, 'common.unitYear', { unit: d.unitName, year: d.year })}${s ? html` · ${t(L, 'dash.stage')}${stageChip(L, s.stage)}` : ''}`;
  return html`${pageHead(t(L, 'dash.title'), subtitle, reportLink)}
  ${dashboardRefreshMs(d) ? html`<div class="notice">${t(L, 'common.autoRefresh')}</div>` : ''}
  ${s?.review ? reviewCard(L, d, s.review) : ''}
  ${s && !d.above ? returnedCard(L, d, s) : ''}
  ${s && !d.above ? restartCard(L, d, s) : ''}
  ${d.undelivered?.length ? undeliveredNotice(L, d, d.undelivered) : ''}
  ${s?.calendarWarnings?.length ? html`<div class="notice notice-warn" id="calendar-warnings">${s.calendarWarnings.map((w) => html`<div>${pick(L, w.zh, w.en)}</div>`)}</div>` : ''}
  ${s ? progressCard(L, d, s) : d.above ? html`<section class="card"><p class="muted">${t(L, 'dash.notStarted')}</p></section>` : startCard(L, d)}
  ${d.above ? aboveCard(L, d) : html`${selfAssessmentCard(L, d)}
  ${ruleSetCard(L, { unitCode: d.unitCode, year: d.year, score: d.analysis?.score, outline: d.outline, started: !!s, ruleSets: d.ruleSets, canPreview: d.canPreview })}`}
  <div class="grid">
    <div>${d.above ? '' : findingsCard(L, d)}${holdbacksCard(L, d)}</div>
    ${d.above ? '' : html`<section class="card" aria-labelledby="score-h" id="score">${d.analysis ? scoreView(L, d.analysis.score) : ''}</section>`}
  </div>`;
}

/**
 * The draft came back to the finance officer — the unit head sent it back, or what the report reads
 * changed after the head approved it: the reason, and (the finance officer) the form that says the
 * correction is done, so a new version is drafted and goes to the head again.
 */
function returnedCard(L: Lang, d: DashboardData, s: NonNullable<DashboardData['status']>): Html {
  const r = s.stage === 'returned' ? s.returned : null;
  if (!r) return html``;
  const base = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/evaluation`;
  return html`<section class="card" aria-labelledby="returned-h" id="returned">
    <h2 id="returned-h">${t(L, r.kind === 'sent_back' ? 'ret.sentBack' : 'ret.changed', { version: r.reportVersion ?? '', who: r.by, when: formatDateTime(L, r.at) })}</h2>
    <div class="notice notice-warn" data-testid="returned-reason">${r.reason}</div>
    ${r.changes?.length ? html`<ul class="small" data-testid="returned-changes">${r.changes.map((c) => html`<li>${pick(L, c.zh, c.en)}</li>`)}</ul>` : ''}
    <p class="small muted">${t(L, 'ret.help')}</p>
    ${d.canAct
      ? html`<form data-api="POST ${base}/resubmit" novalidate id="resubmit-form">
          ${formErrors}
          <div class="field"><label for="resubmit-note">${t(L, 'ret.note')}</label><textarea id="resubmit-note" name="note" rows="2" required></textarea></div>
          <div class="buttons"><button class="btn" type="submit">${t(L, 'ret.resubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
        </form>`
      : ''}
  </section>`;
}

/**
 * The evaluation's latest run ended without issuing (failed, terminated, cancelled, timed out): it no
 * longer advances. The finance officer restarts it with a reason (audited); tasks reopen as their
 * next run.
 */
function restartCard(L: Lang, d: DashboardData, s: NonNullable<DashboardData['status']>): Html {
  if (!s.run?.restartable) return html``;
  const base = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/evaluation`;
  const state = t(L, `rst.state.${s.run.state}` as MessageKey);
  return html`<section class="card" aria-labelledby="restart-h" id="restart" data-run-state="${s.run.state}">
    <h2 id="restart-h">${t(L, 'rst.title')}</h2>
    <div class="notice notice-warn">${t(L, 'rst.stopped', { when: s.run.closedAt ? formatDateTime(L, s.run.closedAt) : '—', state })}${s.run.reason ? html`<div data-testid="stop-reason">${t(L, 'rst.why')}${s.run.reason}</div>` : ''}</div>
    <p class="small muted">${t(L, 'rst.help')}</p>
    ${d.canAct
      ? html`<form data-api="POST ${base}/restart" novalidate id="restart-form">
          ${formErrors}
          <div class="field"><label for="restart-reason">${t(L, 'rst.reason')}</label><textarea id="restart-reason" name="reason" rows="2" required></textarea></div>
          <div class="field"><label for="restart-due">${t(L, 'dash.dueDate')} <span class="hint">${t(L, 'dash.dueDateHelp')}</span></label><input type="date" id="restart-due" name="dueDate" min="${d.today}"></div>
          <div class="buttons"><button class="btn" type="submit">${t(L, 'rst.restart')}</button><span class="form-status small" aria-live="polite"></span></div>
        </form>`
      : html`<p class="muted small">${t(L, 'rst.financeOnly')}</p>`}
  </section>`;
}

/** What an officer above the unit reads in place of the unit's working cards: findings' count, score, rule set and outline. */
function aboveCard(L: Lang, d: DashboardData): Html {
  const s = d.status;
  return html`<section class="card" aria-labelledby="above-h" id="above">
    <h2 id="above-h">${t(L, 'dash.aboveTitle')}</h2>
    <dl class="facts">
      ${s?.ruleSetId ? html`<dt>${t(L, 'dash.ruleSet')}</dt><dd class="mono">${s.ruleSetId}</dd>` : ''}
      <dt>${t(L, 'cp.outline')}</dt><dd>${d.outline.name}</dd>
      ${s ? html`<dt>${t(L, 'dash.findings')}</dt><dd>${t(L, 'dash.findingsCount', { n: s.findings.total, blocking: s.findings.blocking })}${s.findings.acknowledged ? html` · ${t(L, 'ov.acknowledged')}` : ''}</dd>` : ''}
      ${s?.score ? html`<dt>${t(L, 'ov.total')}</dt><dd data-testid="above-score">${formatPoints(s.score.totalCp)}${s.score.grade && s.score.final ? ` · ${s.score.grade}` : ''}</dd>` : ''}
    </dl>
  </section>`;
}
