/**
 * 暂缓支付款项: one withheld amount (质保金, 运维考核款, 验收尾款, 里程碑款) — its amounts, what it
 * waits for and when it falls due, the reminders sent, every recorded event — and, for the
 * finance officer, the forms that record what happened: an O&M assessment (score → coefficient
 * from the contract's table when it has one; the score decides pass/fail when the table gives a
 * pass mark), an acceptance, a defect during the warranty, a milestone, a (partial) release. Each
 * form posts to the holdback's API route, which runs the workflow's validated Update; refusals
 * come back with their field paths and land next to the fields (assets/app.js.ts).
 */
import type { OmScoring } from '../../../domain/holdbacks/om-scoring';
import type { HoldbackEventListRow, HoldbackStop, OpenHoldback } from '../../../db/holdbacks.repository';
import type { HoldbackStatusView } from '../../../workflows/holdback/contract';
import type { UndeliveredNotification } from '../../../db/notifications.repository';
import { html, type Html } from '../html';
import { formatYuan } from '../../../domain/money';
import { formatDate, formatDateTime, type Lang, type MessageKey, pick, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import { deliveryState, temporalLink } from './parts';

export interface HoldbackPageData {
  unitCode: string;
  unitName: string;
  year: number;
  code: string;
  /** The workflow's answer (undefined: its workflow has not started, or did not answer). */
  status?: HoldbackStatusView;
  events: HoldbackEventListRow[];
  temporalUi?: string;
  /** The ledger's view when the workflow did not answer. */
  ledger?: OpenHoldback;
  /** The contract scales the O&M fee by the assessment's coefficient. */
  omCoefficientApplies: boolean;
  /** The contract's score table (pass mark, coefficient by score), when it has one. */
  omScoring?: OmScoring;
  canAct: boolean;
  /** A fresh request id for each form (a resent form repeats it and gets the same answer). */
  requestId: (form: string) => string;
  today: string;
  /** Its reminders that did not reach their recipient (newest first). */
  undelivered?: UndeliveredNotification[];
  /** Its workflow stopped while money is still withheld: no reminders until it is restarted. */
  stopped?: HoldbackStop;
}

/** Amounts on this page are exact: 元 to the 分 ("795,055.00 元"). */
const fen = (L: Lang, amount: number) => (L === 'zh' ? `${formatYuan(amount, { grouping: true })} 元` : `${formatYuan(amount, { grouping: true })} yuan`);

/** 分 → "12345.67" for an amount input in 元. */
const yuanText = (amountFen: number) => formatYuan(amountFen);

function field(L: Lang, id: string, name: string, labelKey: MessageKey, input: Html, hint?: string): Html {
  return html`<div class="field"><label for="${id}">${t(L, labelKey)}${hint ? html` <span class="hint">${hint}</span>` : ''}</label>${input}</div>`;
}

function actionCard(L: Lang, id: string, titleKey: MessageKey, helpKey: MessageKey, api: string, requestId: string, fields: Html, submitKey: MessageKey): Html {
  return html`<section class="card" aria-labelledby="${id}-h" id="${id}">
    <h2 id="${id}-h">${t(L, titleKey)}</h2>
    <p class="small muted">${t(L, helpKey)}</p>
    <form data-api="POST ${api}" novalidate data-holdback-form="${id}">
      ${formErrors}
      <input type="hidden" name="requestId" value="${requestId}">
      ${fields}
      <div class="buttons"><button class="btn" type="submit">${t(L, submitKey)}</button><span class="form-status small" aria-live="polite"></span></div>
    </form>
  </section>`;
}

function scoringText(L: Lang, s: OmScoring): string {
  const bands = s.bands.map((b) => t(L, 'hb.band', { min: b.minScore, pct: b.coefficientBp % 100 === 0 ? b.coefficientBp / 100 : (b.coefficientBp / 100).toFixed(2) })).join('；');
  return [s.passScore !== undefined ? t(L, 'hb.passMark', { score: s.passScore }) : '', bands].filter(Boolean).join('；');
}

function assessmentForm(L: Lang, d: HoldbackPageData, api: string, s: HoldbackStatusView): Html {
  const scoring = d.omScoring;
  const decides = scoring?.passScore !== undefined;
  return actionCard(L, 'assessment', 'hb.assessment', 'hb.assessmentHelp', `${api}/assessment`, d.requestId('assessment'), html`
    ${scoring ? html`<p class="notice small" data-testid="om-scoring">${t(L, 'hb.scoringTable')}${scoringText(L, scoring)}</p>` : ''}
    <div class="inline-form">
      ${field(L, 'hb-period', 'period', 'hb.period', html`<input type="text" id="hb-period" name="period" value="${s.period ?? ''}" required>`)}
      ${field(L, 'hb-assessed-on', 'assessedOn', 'hb.assessedOn', html`<input type="date" id="hb-assessed-on" name="assessedOn" max="${d.today}" required>`)}
      ${field(L, 'hb-score', 'score', 'hb.score', html`<input type="number" id="hb-score" name="score" data-type="number" min="0" max="100" step="0.01"${scoring ? html` data-om-scoring="${JSON.stringify(scoring)}"` : ''}>`)}
    </div>
    <fieldset class="field plain-fieldset" data-path="passed"${decides ? html` data-decided-by-score` : ''}>
      <legend class="label">${t(L, 'hb.result')}${decides ? html` <span class="hint">${t(L, 'hb.resultByScore')}</span>` : ''}</legend>
      <label class="check"><input type="radio" name="passed" value="true" data-type="boolean" id="hb-passed-yes"> ${t(L, 'hb.passed')}</label>
      <label class="check"><input type="radio" name="passed" value="false" data-type="boolean" id="hb-passed-no"> ${t(L, 'hb.failed')}</label>
    </fieldset>
    ${d.omCoefficientApplies
      ? field(L, 'hb-coefficient', 'coefficientBp', 'hb.coefficient', html`<input type="text" id="hb-coefficient" name="coefficientBp" data-type="bp" inputmode="decimal" placeholder="95%">`, t(L, scoring ? 'hb.coefficientFromTable' : 'hb.coefficientHelp'))
      : html`<p class="small muted">${t(L, 'hb.noCoefficient')}</p>`}
    ${field(L, 'hb-assessment-note', 'note', 'common.note', html`<textarea id="hb-assessment-note" name="note" rows="2"></textarea>`)}`, 'hb.record');
}

function acceptanceForm(L: Lang, d: HoldbackPageData, api: string): Html {
  return actionCard(L, 'acceptance', 'hb.acceptance', 'hb.acceptanceHelp', `${api}/acceptance`, d.requestId('acceptance'), html`
    <div class="inline-form">
      ${field(L, 'hb-accepted-on', 'acceptedOn', 'hb.acceptedOn', html`<input type="date" id="hb-accepted-on" name="acceptedOn" max="${d.today}" required>`)}
      ${field(L, 'hb-warranty', 'warrantyMonths', 'hb.warrantyMonths', html`<input type="number" id="hb-warranty" name="warrantyMonths" data-type="number" min="1" max="24">`, t(L, 'hb.warrantyHelp'))}
    </div>
    ${field(L, 'hb-acceptance-note', 'note', 'common.note', html`<textarea id="hb-acceptance-note" name="note" rows="2"></textarea>`)}`, 'hb.record');
}

function defectForm(L: Lang, d: HoldbackPageData, api: string): Html {
  return actionCard(L, 'defect', 'hb.defect', 'hb.defectHelp', `${api}/defect`, d.requestId('defect'), html`
    <div class="inline-form">
      ${field(L, 'hb-reported-on', 'reportedOn', 'hb.reportedOn', html`<input type="date" id="hb-reported-on" name="reportedOn" max="${d.today}" required>`)}
      ${field(L, 'hb-extend', 'extendMonths', 'hb.extendMonths', html`<input type="number" id="hb-extend" name="extendMonths" data-type="number" min="1" max="12" required>`)}
    </div>
    ${field(L, 'hb-description', 'description', 'hb.description', html`<textarea id="hb-description" name="description" rows="2" required></textarea>`)}`, 'hb.record');
}

function milestoneForm(L: Lang, d: HoldbackPageData, api: string, s: HoldbackStatusView): Html {
  return actionCard(L, 'milestone', 'hb.milestone', 'hb.milestoneHelp', `${api}/milestone`, d.requestId('milestone'), html`
    <div class="inline-form">
      ${field(L, 'hb-milestone', 'milestone', 'hb.milestoneName', html`<input type="text" id="hb-milestone" name="milestone" value="${s.milestone ?? ''}" required>`)}
      ${field(L, 'hb-reached-on', 'reachedOn', 'hb.reachedOn', html`<input type="date" id="hb-reached-on" name="reachedOn" max="${d.today}" required>`)}
    </div>
    ${field(L, 'hb-milestone-note', 'note', 'common.note', html`<textarea id="hb-milestone-note" name="note" rows="2"></textarea>`)}`, 'hb.record');
}

function releaseForm(L: Lang, d: HoldbackPageData, api: string, s: HoldbackStatusView): Html {
  return actionCard(L, 'release', 'hb.release', 'hb.releaseHelp', `${api}/release`, d.requestId('release'), html`
    <div class="inline-form">
      ${field(L, 'hb-paid-on', 'paidOn', 'hb.paidOn', html`<input type="date" id="hb-paid-on" name="paidOn" max="${d.today}" required>`)}
      ${field(L, 'hb-amount', 'amountFen', 'hb.amount', html`<input type="text" id="hb-amount" name="amountFen" data-type="fen" inputmode="decimal" value="${s.amounts.payableFen > 0 ? yuanText(s.amounts.payableFen) : ''}" required>`, t(L, 'hb.amountHelp', { payable: yuanText(s.amounts.payableFen) }))}
    </div>
    ${field(L, 'hb-release-note', 'note', 'common.note', html`<textarea id="hb-release-note" name="note" rows="2"></textarea>`)}`, 'hb.recordRelease');
}

/** The forms that fit the holdback's kind and step. */
function actionForms(L: Lang, d: HoldbackPageData, s: HoldbackStatusView): Html[] {
  if (!d.canAct || s.phase === 'closed') return [];
  const api = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/holdbacks/${encodeURIComponent(d.code)}`;
  const forms: Html[] = [];
  if (s.kind === 'om_assessment' && s.phase === 'awaiting_assessment') forms.push(assessmentForm(L, d, api, s));
  if (s.kind === 'acceptance' && s.phase === 'awaiting_acceptance') forms.push(acceptanceForm(L, d, api));
  if (s.kind === 'milestone' && s.phase === 'awaiting_milestone') forms.push(milestoneForm(L, d, api, s));
  if (s.amounts.payableFen > 0) forms.push(releaseForm(L, d, api, s));
  if (s.kind === 'retention' && (s.phase === 'warranty' || s.phase === 'payable')) forms.push(defectForm(L, d, api));
  return forms;
}

function amountsTable(L: Lang, a: HoldbackStatusView['amounts']): Html {
  const rows: Array<[MessageKey, number, string]> = [
    ['hb.amountTotal', a.amountFen, 'amount'],
    ['hb.held', a.heldFen, 'held'],
    ['hb.payable', a.payableFen, 'payable'],
    ['hb.released', a.releasedFen, 'released'],
    ['hb.forfeited', a.forfeitedFen, 'forfeited'],
    ['hb.transferred', a.transferredFen, 'transferred'],
  ];
  return html`<table class="data" id="hb-amounts"><tbody>${rows
    .filter(([, v, k]) => v !== 0 || k === 'amount' || k === 'held' || k === 'payable')
    .map(([key, v, k]) => html`<tr data-amount="${k}"><th scope="row">${t(L, key)}</th><td class="num">${fen(L, v)}</td></tr>`)}</tbody></table>`;
}

function factsCard(L: Lang, d: HoldbackPageData, s: HoldbackStatusView): Html {
  return html`<section class="card" aria-labelledby="hb-facts-h" id="hb-facts">
    <h2 id="hb-facts-h">${t(L, 'hb.state')}${d.temporalUi ? html`<span class="aside">${temporalLink(L, d.temporalUi)}</span>` : ''}</h2>
    <dl class="facts">
      <dt>${t(L, 'dash.project')}</dt><dd>${s.projectName}</dd>
      <dt>${t(L, 'hb.kind')}</dt><dd>${t(L, `kind.${s.kind}`)}${s.origin === 'derived' ? html` <span class="small muted">${t(L, 'hb.derived')}</span>` : ''}</dd>
      <dt>${t(L, 'hb.condition')}</dt><dd>${s.condition}</dd>
      <dt>${t(L, 'hb.status')}</dt><dd><span class="chip chip-hb-${s.status}" data-testid="hb-status" data-status="${s.status}">${t(L, `hbStatus.${s.status}`)}</span></dd>
      <dt>${t(L, 'dash.awaiting')}</dt><dd data-testid="hb-awaiting">${t(L, `hbAwaiting.${s.awaiting}`, { period: s.period ?? '', milestone: s.milestone ?? '' })}</dd>
      <dt>${t(L, 'hb.nextDue')}</dt><dd data-testid="hb-due">${s.dueOn ? html`${formatDate(L, s.dueOn)}${s.dueOn < d.today && s.phase !== 'closed' ? html` <span class="chip chip-overdue">${t(L, 'tasks.overdue')}</span>` : ''}${s.nominalDueOn && s.nominalDueOn !== s.dueOn ? html` <span class="small muted">${t(L, 'hb.nominalDue', { date: formatDate(L, s.nominalDueOn) })}</span>` : ''}` : html`<span class="muted">${t(L, 'dash.noDate')}</span>`}</dd>
      ${s.acceptedOn ? html`<dt>${t(L, 'hb.acceptedOn')}</dt><dd>${formatDate(L, s.acceptedOn)}</dd>` : ''}
      ${s.forfeitReason ? html`<dt>${t(L, 'hb.forfeitReason')}</dt><dd>${s.forfeitReason}</dd>` : ''}
      ${s.retention ? html`<dt>${t(L, 'hb.retentionOpened')}</dt><dd><a href="/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/holdbacks/${encodeURIComponent(s.retention.holdbackCode)}">${s.retention.holdbackCode}</a> · ${fen(L, s.retention.amountFen)}</dd>` : ''}
    </dl>
    ${s.warnings.map((w) => html`<div class="notice notice-warn small">${w}</div>`)}
    <h3>${t(L, 'hb.amounts')}</h3>
    ${amountsTable(L, s.amounts)}
  </section>`;
}

function remindersCard(L: Lang, s: HoldbackStatusView, undelivered: UndeliveredNotification[], stopped: boolean): Html {
  return html`<section class="card" aria-labelledby="hb-reminders-h" id="hb-reminders">
    <h2 id="hb-reminders-h">${t(L, 'dash.reminders')}<span class="aside">${t(L, 'dash.remindersSent', { n: s.remindersSentCount })}</span></h2>
    ${undelivered.length
      ? html`<div class="notice notice-warn" id="hb-undelivered"><strong>${t(L, 'hb.undelivered', { n: undelivered.length })}</strong>
          <ul class="plain small">${undelivered.slice(0, 5).map((n) => html`<li data-notification="${n.id}">${formatDateTime(L, n.createdAt)} · ${n.to} · ${deliveryState(L, n)}</li>`)}</ul></div>`
      : ''}
    ${stopped ? html`<p class="small alert-text" data-testid="hb-no-reminders-stopped">${t(L, 'hb.remindersStopped')}</p>` : s.nextReminder ? html`<p class="small" data-testid="hb-next-reminder">${t(L, 'hb.nextReminder', { date: formatDateTime(L, s.nextReminder.at) })}</p>` : html`<p class="small muted">${t(L, 'hb.noNextReminder')}</p>`}
    ${s.remindersSent.length === 0
      ? html`<p class="muted">${t(L, 'hb.noReminders')}</p>`
      : html`<table class="data"><thead><tr><th scope="col">${t(L, 'hb.reminderDate')}</th><th scope="col">${t(L, 'hb.reminderKind')}</th><th scope="col">${t(L, 'hb.firedAt')}</th></tr></thead>
          <tbody>${[...s.remindersSent].reverse().map(
            (r) => html`<tr data-reminder="${r.key}"><td class="nowrap">${formatDate(L, r.date)}</td><td class="small">${reminderKindText(L, r.key)}${r.catchUp ? html` <span class="small muted">${t(L, 'hb.catchUp')}</span>` : ''}${r.outcome === 'failed' ? html` <span class="alert-text">${t(L, 'hb.reminderFailed')}</span>` : ''}</td><td class="small nowrap">${formatDateTime(L, r.firedAt)}</td></tr>`,
          )}</tbody></table>`}
  </section>`;
}

/** `before-30`, `due`, `after-3`, `assessment-due`, `assessment-after-1` → words. */
function reminderKindText(L: Lang, key: string): string {
  const m = /^(?:assessment-)?(before|due|after)(?:-(\d+))?$/.exec(key);
  if (!m) return key;
  const n = m[2] ?? '';
  if (m[1] === 'before') return t(L, 'hb.reminderBefore', { n });
  if (m[1] === 'after') return t(L, 'hb.reminderAfter', { n });
  return t(L, 'hb.reminderDue');
}

function eventsCard(L: Lang, s: HoldbackStatusView | undefined, events: HoldbackEventListRow[]): Html {
  // The workflow's own events (with who recorded them) when it answered; else the stored ones.
  const rows = s
    ? s.events.map((e) => ({ type: e.type, occurredOn: e.occurredOn, text: pick(L, e.zh, e.en), actor: e.actor ?? (e.source === 'ledger' ? t(L, 'hb.fromLedger') : ''), recordedAt: e.recordedAt }))
    : events.map((e) => ({ type: e.type, occurredOn: e.occurredOn, text: pick(L, e.zh, e.en), actor: '', recordedAt: '' }));
  return html`<section class="card" aria-labelledby="hb-events-h" id="hb-events">
    <h2 id="hb-events-h">${t(L, 'hb.history')}</h2>
    ${rows.length === 0
      ? html`<p class="muted">${t(L, 'hb.noEvents')}</p>`
      : html`<table class="data"><thead><tr><th scope="col">${t(L, 'hb.eventDate')}</th><th scope="col">${t(L, 'hb.eventType')}</th><th scope="col">${t(L, 'hb.eventText')}</th><th scope="col">${t(L, 'hb.recordedBy')}</th></tr></thead>
          <tbody>${rows.map(
            (e) => html`<tr data-event="${e.type}"><td class="nowrap">${formatDate(L, e.occurredOn)}</td><td class="nowrap">${t(L, `hbEvent.${e.type}`)}</td><td>${e.text}</td><td class="small">${e.actor}${e.recordedAt ? html`<div class="muted">${formatDateTime(L, e.recordedAt)}</div>` : ''}</td></tr>`,
          )}</tbody></table>`}
  </section>`;
}

function ledgerOnlyCard(L: Lang, d: HoldbackPageData, h: OpenHoldback | undefined): Html {
  return html`<section class="card" id="hb-facts">
    <div class="notice notice-warn">${t(L, 'hb.notStarted')}</div>
    ${h
      ? html`<dl class="facts">
          <dt>${t(L, 'dash.project')}</dt><dd>${h.projectName}</dd>
          <dt>${t(L, 'hb.kind')}</dt><dd>${t(L, `kind.${h.kind}`)}</dd>
          <dt>${t(L, 'hb.condition')}</dt><dd>${h.condition}</dd>
          <dt>${t(L, 'dash.outstanding')}</dt><dd>${fen(L, h.outstandingFen)}</dd>
          <dt>${t(L, 'hb.nextDue')}</dt><dd>${h.nextDueOn ? formatDate(L, h.nextDueOn) : t(L, 'dash.noDate')}</dd>
        </dl>`
      : html`<p class="muted">${d.code}</p>`}
  </section>`;
}

/** The tracking stopped: why, since when, and for the finance officer the restart (with a reason). */
function stoppedCard(L: Lang, d: HoldbackPageData, stop: HoldbackStop): Html {
  const api = `/api/units/${encodeURIComponent(d.unitCode)}/years/${d.year}/holdbacks/${encodeURIComponent(d.code)}/restart`;
  return html`<section class="card card-alert" aria-labelledby="hb-stopped-h" id="hb-stopped" data-stopped-state="${stop.state}">
    <h2 id="hb-stopped-h">${t(L, 'hb.stopped')}</h2>
    <p>${t(L, 'hb.stoppedText', { state: t(L, `rst.state.${stop.state}`), at: formatDateTime(L, stop.at) })}</p>
    ${stop.reason ? html`<p class="small"><strong>${t(L, 'hb.stoppedReason')}</strong><span data-testid="hb-stopped-reason">${stop.reason}</span></p>` : ''}
    ${d.canAct
      ? html`<form data-api="POST ${api}" novalidate id="hb-restart-form">
          ${formErrors}
          <div class="field"><label for="hb-restart-reason">${t(L, 'hb.restartReason')}</label><textarea id="hb-restart-reason" name="reason" rows="2" required maxlength="2000"></textarea></div>
          <div class="buttons"><button class="btn" type="submit">${t(L, 'hb.restart')}</button><span class="form-status small" aria-live="polite"></span></div>
        </form>`
      : html`<p class="small muted">${t(L, 'hb.stoppedAskFinance')}</p>`}
  </section>`;
}

export function holdbackBody(v: Viewer, d: HoldbackPageData): Html {
  const L = v.lang;
  const s = d.status;
  const dashboard = `/units/${encodeURIComponent(d.unitCode)}/years/${d.year}`;
  const title = s ? `${s.projectName} · ${t(L, `kind.${s.kind}`)}` : d.ledger ? `${d.ledger.projectName} · ${t(L, `kind.${d.ledger.kind}`)}` : d.code;
  const subtitle = html`${t(L, 'common.unitYear', { unit: d.unitName, year: d.year })} · <span class="mono">${d.code}</span>`;
  const back = html`<a class="btn btn-secondary" href="${dashboard}#holdbacks">${t(L, 'hb.back')}</a>`;
  if (!s) return html`${pageHead(title, subtitle, back)}${ledgerOnlyCard(L, d, d.ledger)}${eventsCard(L, undefined, d.events)}`;
  // Stopped: nothing can be recorded until the tracking is restarted (the Updates go to a closed run).
  const forms = d.stopped ? [] : actionForms(L, d, s);
  return html`${pageHead(title, subtitle, back)}
  ${d.stopped ? stoppedCard(L, d, d.stopped) : ''}
  <div class="grid">
    <div>${factsCard(L, d, s)}${eventsCard(L, s, d.events)}</div>
    <div>${forms.length ? forms : d.canAct && !d.stopped ? html`<section class="card"><p class="muted">${t(L, s.phase === 'closed' ? 'hb.closed' : 'hb.nothingToRecord')}</p></section>` : ''}${remindersCard(L, s, d.undelivered ?? [], d.stopped !== undefined)}</div>
  </div>`;
}
