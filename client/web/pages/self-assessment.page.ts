/**
 * 单位自评打分: the finance officer's self-assessment — one block per indicator of the rule set
 * that is theirs, grouped by 一级/二级 (assessment.ts), evidence files to upload and attach, and a
 * score preview that follows what is typed (the page's preview route renders the API's preview).
 * 保存草稿 / 提交 while the task is open; 保存 before there is a task, or after it was submitted
 * while the evaluation has not been scored yet. The unit head (and admin) read it as a table.
 */
import type { SelfAssessmentAnswer } from '../api-types';
import { html, type Html } from '../html';
import { formatDate, formatDateTime, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import { assessmentFields, assessmentTable, evidenceCard } from './assessment';
import { dueCell, scoreView, stateChip } from './parts';

export interface SelfAssessmentData {
  unitCode: string;
  unitName: string;
  year: number;
  answer: SelfAssessmentAnswer;
  /** The visitor is the unit's finance officer. */
  isFinance: boolean;
  /** Staff who may open the dashboard. */
  staff: boolean;
  /** A reviewer above the unit returned the issued report: their comments on the indicators (what to value again). */
  reviewReturn?: { level: 'department' | 'bureau'; by: string; at: string; comments: Array<{ indicator: string; text: string }> };
}

const OPEN_STATES = new Set(['open', 'draft', 'overdue', 'returned']);

export type AssessmentMode = 'task' | 'save' | 'read';

export function assessmentMode(d: SelfAssessmentData): AssessmentMode {
  const task = d.answer.task;
  if (!d.isFinance || !d.answer.editable) return 'read';
  if (task && OPEN_STATES.has(task.state)) return 'task';
  return 'save';
}

export function selfAssessmentBody(v: Viewer, d: SelfAssessmentData): Html {
  const L = v.lang;
  const a = d.answer;
  const unit = encodeURIComponent(d.unitCode);
  const api = `/api/units/${unit}/years/${d.year}`;
  const page = `/units/${unit}/years/${d.year}`;
  const mode = assessmentMode(d);
  const task = a.task;
  const overdue = !!task && OPEN_STATES.has(task.state) && Date.parse(task.dueAt) < Date.now();
  const subtitle = html`${t(L, 'common.unitYear', { unit: d.unitName, year: d.year })} · ${t(L, 'sa.ruleSet', { id: a.ruleSet.id, region: a.ruleSet.region })}${task
    ? html` · ${t(L, 'form.dueLabel')}${dueCell(L, task.dueAt, overdue)} · ${stateChip(L, task.state)}`
    : ''}`;
  const actions = html`${d.staff ? html`<a class="btn btn-secondary" href="${page}">${t(L, 'unit.dashboard')}</a>` : ''}<a class="btn btn-secondary" href="${page}/basic-data">${t(L, 'dash.basicData')}</a>`;

  const notices: Html[] = [];
  if (task && OPEN_STATES.has(task.state) && d.isFinance) notices.push(html`<div class="notice">${t(L, 'sa.taskOpen', { date: formatDate(L, task.dueAt) })}</div>`);
  if (d.reviewReturn && d.reviewReturn.comments.length) {
    const r = d.reviewReturn;
    const names = new Map(a.indicators.map((i) => [i.id, i.level3]));
    notices.push(html`<div class="notice notice-warn" id="review-returned"><strong>${t(L, 'rv.returnedBy', { level: t(L, `review.level.${r.level}`), who: r.by, when: formatDate(L, r.at) })}</strong>
      <ul class="plain comment-list">${r.comments.map((c) => html`<li data-comment-target="indicator:${c.indicator}"><strong>${names.get(c.indicator) ?? c.indicator}</strong>：${c.text}</li>`)}</ul></div>`);
  }
  if (task?.state === 'submitted' && task.submittedAt) {
    notices.push(html`<div class="notice notice-ok" data-testid="submitted-notice">${t(L, mode === 'save' ? 'sa.submitted' : 'sa.submittedLocked', { date: formatDateTime(L, task.submittedAt), who: task.submittedBy ?? '' })}</div>`);
  }
  if (!task && mode === 'save') notices.push(html`<div class="notice">${t(L, 'sa.noTask')}</div>`);
  if (d.isFinance && !a.editable) notices.push(html`<div class="notice notice-warn">${t(L, 'sa.locked')}</div>`);
  if (!d.isFinance) notices.push(html`<div class="notice">${t(L, 'sa.readOnly')}</div>`);

  const evidenceHref = (id: number) => `${api}/evidence/${id}`;
  const side = html`<div class="side">
    <section id="score-preview" class="card score-card" aria-live="polite">${scoreView(L, a.score, mode === 'read' ? undefined : t(L, 'sa.previewHelp'))}</section>
    ${evidenceCard(L, { evidence: a.evidence, evidenceHref, uploadUrl: mode === 'read' ? undefined : `${api}/evidence` })}
  </div>`;

  if (a.indicators.length === 0) {
    return html`${pageHead(t(L, 'sa.title'), subtitle, actions)}${notices}<div class="card"><p class="muted">${t(L, 'sa.noIndicators')}</p></div>`;
  }

  if (mode === 'read') {
    return html`${pageHead(t(L, 'sa.title'), subtitle, actions)}
    ${notices}
    <div class="assess-layout">
      <section class="card">${assessmentTable(L, a.indicators, a.entries, { evidence: a.evidence, evidenceHref, score: a.score })}</section>
      ${side}
    </div>`;
  }

  // A task's saved draft is what the finance officer was last typing; otherwise what is saved.
  const draftEntries = mode === 'task' ? task?.draft?.entries : undefined;
  const entries = draftEntries ?? a.entries;
  const buttons =
    mode === 'task'
      ? html`<button type="submit" class="btn btn-secondary" data-action="draft">${t(L, 'form.saveDraft')}</button>
        <span class="form-status" role="status" aria-live="polite"></span>
        <span class="spacer"></span>
        <button type="submit" class="btn btn-ok" data-action="submit">${t(L, 'form.submit')}</button>`
      : html`<span class="form-status" role="status" aria-live="polite"></span>
        <span class="spacer"></span>
        <button type="submit" class="btn" data-action="save">${t(L, 'sa.save')}</button>`;
  return html`${pageHead(t(L, 'sa.title'), subtitle, actions)}
  ${notices}
  <div class="assess-layout">
    <form id="assessment-form" class="card assessment-form" novalidate
      data-preview="${page}/self-assessment/preview" data-save="${api}/self-assessment"${task ? html` data-task="${task.id}"` : ''} data-evidence-url="${api}/evidence">
      ${formErrors}
      <p class="muted">${t(L, 'sa.intro')}</p>
      ${assessmentFields(L, a.indicators, entries, { list: 'entries', editable: true, evidence: a.evidence, evidenceHref, score: a.score, notApplicablePolicy: a.ruleSet.notApplicable })}
      <div class="form-actions">${buttons}</div>
    </form>
    ${side}
  </div>`;
}
