/**
 * A section's task: the form (achievements, output indicators with their category, 重点工作 and
 * 偏差原因, problems, next steps; rows added and removed in the page; the indicators the unit has
 * the section assess, as on the self-assessment page), 保存草稿 / 提交 / 得分预览, prefilled from
 * the saved draft, and the section's evidence files; once submitted, the submitted material
 * read-only. Problems the API reports land next to the field whose `data-path` matches their path
 * (see assets/app.js.ts).
 */
import { outputCategories } from '../../../domain/indicators';
import type { OutputIndicator, SectionSubmission } from '../../../domain/submission';
import type { AssessmentEntryView, AssessmentIndicator, EvidenceItem, TaskDetail } from '../api-types';
import { html, type Html } from '../html';
import { formatDate, formatDateTime, type Lang, type MessageKey, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import { assessmentFields, assessmentTable, evidenceCard } from './assessment';
import { dueCell, stateChip, temporalLink } from './parts';

type Achievement = SectionSubmission['achievements'][number];
type Point = SectionSubmission['problems'][number];
type Draft = Partial<{ achievements: Partial<Achievement>[]; outputIndicators: Partial<OutputIndicator>[]; problems: Partial<Point>[]; nextSteps: Partial<Point>[]; selfAssessments: AssessmentEntryView[] }>;

/** What the section assesses, and its evidence files. */
export interface TaskAssessment {
  indicators: AssessmentIndicator[];
  evidence: EvidenceItem[];
  evidenceHref: (id: number) => string;
  uploadUrl: string;
  notApplicablePolicy: 'full_marks' | 'rescale';
}

const fieldId = (path: string) => `f-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;

function input(L: Lang, list: string, i: number, field: string, labelKey: MessageKey, value: string | undefined, extra: Html | string = ''): Html {
  const path = `${list}[${i}].${field}`;
  return html`<div class="field"><label for="${fieldId(path)}">${t(L, labelKey)}</label><input type="text" id="${fieldId(path)}" data-field="${field}" data-path="${path}" value="${value ?? ''}"${extra}></div>`;
}

function textarea(L: Lang, list: string, i: number, field: string, labelKey: MessageKey, value: string | undefined, rows: number): Html {
  const path = `${list}[${i}].${field}`;
  return html`<div class="field"><label for="${fieldId(path)}">${t(L, labelKey)}</label><textarea id="${fieldId(path)}" data-field="${field}" data-path="${path}" rows="${rows}">${value ?? ''}</textarea></div>`;
}

function rowShell(L: Lang, list: string, i: number, itemKey: MessageKey, inner: Html): Html {
  const label = `${t(L, itemKey)} ${t(L, 'form.row', { n: i + 1 })}`;
  return html`<div data-row data-path="${list}[${i}]" data-label="${label}">
    <div class="row-head"><span class="row-title">${label}</span><button type="button" class="btn btn-small btn-danger" data-remove>${t(L, 'form.remove')}</button></div>
    ${inner}
  </div>`;
}

function achievementRow(L: Lang, i: number, a: Partial<Achievement> = {}): Html {
  return rowShell(L, 'achievements', i, 'form.achievement', html`
    ${input(L, 'achievements', i, 'title', 'form.achievementTitle', a.title)}
    ${textarea(L, 'achievements', i, 'paragraphs', 'form.paragraphs', (a.paragraphs ?? []).join('\n'), 6)}`);
}

function indicatorRow(L: Lang, i: number, x: Partial<OutputIndicator> = {}): Html {
  const path = `outputIndicators[${i}].direction`;
  const direction = x.direction ?? '>=';
  return rowShell(L, 'outputIndicators', i, 'form.indicator', html`<div class="ind-grid">
    ${input(L, 'outputIndicators', i, 'name', 'form.indicatorName', x.name)}
    ${input(L, 'outputIndicators', i, 'unit', 'form.indicatorUnit', x.unit)}
    <div class="field"><label for="${fieldId(path)}">${t(L, 'form.direction')}</label><select id="${fieldId(path)}" data-field="direction" data-path="${path}">
      ${(['>=', '<=', '='] as const).map((d) => html`<option value="${d}"${d === direction ? html` selected` : ''}>${t(L, `dir.${d}`)}</option>`)}
    </select></div>
    ${input(L, 'outputIndicators', i, 'target', 'form.target', x.target, html` inputmode="decimal"`)}
    ${input(L, 'outputIndicators', i, 'actual', 'form.actual', x.actual, html` inputmode="decimal"`)}
    <div class="field"><label for="${fieldId(`outputIndicators[${i}].category`)}">${t(L, 'form.category')}</label><select id="${fieldId(`outputIndicators[${i}].category`)}" data-field="category" data-path="outputIndicators[${i}].category">
      ${outputCategories.map((c) => html`<option value="${c}"${c === (x.category || 'quantity') ? html` selected` : ''}>${t(L, `cat.${c}`)}</option>`)}
    </select></div>
    <div class="field key-field"><label class="check"><input type="checkbox" id="${fieldId(`outputIndicators[${i}].key`)}" data-field="key" data-path="outputIndicators[${i}].key"${x.key ? html` checked` : ''}> ${t(L, 'form.key')}</label></div>
    <div class="wide-rest">${input(L, 'outputIndicators', i, 'note', 'form.deviationNote', x.note)}</div>
  </div>`);
}

function pointRow(L: Lang, list: 'problems' | 'nextSteps', i: number, p: Partial<Point> = {}): Html {
  return rowShell(L, list, i, list === 'problems' ? 'form.problem' : 'form.nextStep', html`
    ${input(L, list, i, 'title', 'form.pointTitle', p.title)}
    ${textarea(L, list, i, 'detail', 'form.pointDetail', p.detail, 3)}`);
}

function group<T>(L: Lang, list: string, legendKey: MessageKey, itemKey: MessageKey, addKey: MessageKey, items: T[], row: (i: number, item?: T) => Html): Html {
  const shown = items.length ? items.map((item, i) => row(i, item)) : [row(0)];
  return html`<fieldset data-list="${list}" data-path="${list}" data-item-label="${t(L, itemKey)}">
    <legend>${t(L, legendKey)}</legend>
    <div class="rows">${shown}</div>
    <template>${row(0)}</template>
    <button type="button" class="btn btn-small btn-secondary" data-add>＋ ${t(L, addKey)}</button>
  </fieldset>`;
}

function editForm(L: Lang, task: TaskDetail, a: TaskAssessment | undefined): Html {
  const d: Draft = (task.draft ?? {});
  return html`<form id="section-form" class="section-form card" data-task="${task.id}" data-section="${task.section}"${a ? html` data-evidence-url="${a.uploadUrl}"` : ''} novalidate>
    ${formErrors}
    <p class="muted">${t(L, 'form.intro')}</p>
    ${group(L, 'achievements', 'form.achievements', 'form.achievement', 'form.addAchievement', d.achievements ?? [], (i, a) => achievementRow(L, i, a))}
    ${group(L, 'outputIndicators', 'form.outputIndicators', 'form.indicator', 'form.addIndicator', d.outputIndicators ?? [], (i, x) => indicatorRow(L, i, x))}
    ${group(L, 'problems', 'form.problems', 'form.problem', 'form.addProblem', d.problems ?? [], (i, p) => pointRow(L, 'problems', i, p))}
    ${group(L, 'nextSteps', 'form.nextSteps', 'form.nextStep', 'form.addNextStep', d.nextSteps ?? [], (i, p) => pointRow(L, 'nextSteps', i, p))}
    ${a && a.indicators.length
      ? html`<div class="section-assessment"><p class="small muted">${t(L, 'form.assessmentsHelp')}</p>${assessmentFields(L, a.indicators, d.selfAssessments ?? [], { list: 'selfAssessments', editable: true, evidence: a.evidence, evidenceHref: a.evidenceHref, notApplicablePolicy: a.notApplicablePolicy }, t(L, 'form.assessments'))}</div>`
      : ''}
    <div class="form-actions">
      <button type="submit" class="btn btn-secondary" data-action="draft">${t(L, 'form.saveDraft')}</button>
      <button type="submit" class="btn btn-secondary" data-action="preview">${t(L, 'form.preview')}</button>
      <span class="form-status" role="status" aria-live="polite">${task.draftSavedAt ? t(L, 'form.draftSaved', { date: formatDateTime(L, task.draftSavedAt) }) : ''}</span>
      <span class="spacer"></span>
      <button type="submit" class="btn btn-ok" data-action="submit">${t(L, 'form.submit')}</button>
    </div>
  </form>
  <section id="score-preview" class="card" hidden aria-live="polite"></section>
  ${a ? evidenceCard(L, { evidence: a.evidence, evidenceHref: a.evidenceHref, uploadUrl: a.uploadUrl, section: task.section ?? undefined }) : ''}`;
}

/** The material as text (after submission, or a draft seen by the finance officer). */
function readOnly(L: Lang, s: Draft, a: TaskAssessment | undefined): Html {
  const achievements = s.achievements ?? [];
  const indicators = s.outputIndicators ?? [];
  const points = (list: Partial<Point>[]) =>
    list.length ? html`<ol>${list.map((p) => html`<li><strong>${p.title ?? ''}</strong>${p.detail ? html`<div>${p.detail}</div>` : ''}</li>`)}</ol>` : html`<p class="muted">${t(L, 'common.none')}</p>`;
  return html`<div class="card" id="submitted-material">
    <div class="readonly-block"><h3>${t(L, 'form.achievements')}</h3>
      ${achievements.length ? achievements.map((a) => html`<h4>${a.title ?? ''}</h4>${(a.paragraphs ?? []).map((p) => html`<p>${p}</p>`)}`) : html`<p class="muted">${t(L, 'common.none')}</p>`}
    </div>
    <div class="readonly-block"><h3>${t(L, 'form.outputIndicators')}</h3>
      ${indicators.length
        ? html`<table class="data" id="submitted-indicators"><thead><tr><th>${t(L, 'form.indicatorName')}</th><th>${t(L, 'form.category')}</th><th>${t(L, 'form.direction')}</th><th class="num">${t(L, 'form.target')}</th><th class="num">${t(L, 'form.actual')}</th><th>${t(L, 'form.deviationNote')}</th></tr></thead>
          <tbody>${indicators.map((x) => html`<tr><td>${x.name ?? ''}${x.unit ? html` <span class="muted small">${t(L, 'form.unit', { unit: x.unit })}</span>` : ''}${x.key ? html` <span class="chip chip-key">${t(L, 'form.key')}</span>` : ''}</td><td data-category="${x.category ?? ''}">${x.category ? t(L, `cat.${x.category}`) : ''}</td><td>${x.direction ? t(L, `dir.${x.direction}`) : ''}</td><td class="num">${x.target ?? ''}</td><td class="num">${x.actual ?? ''}</td><td>${x.note ?? ''}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">${t(L, 'common.none')}</p>`}
    </div>
    <div class="readonly-block"><h3>${t(L, 'form.problems')}</h3>${points(s.problems ?? [])}</div>
    <div class="readonly-block"><h3>${t(L, 'form.nextSteps')}</h3>${points(s.nextSteps ?? [])}</div>
    ${a && a.indicators.length
      ? html`<div class="readonly-block"><h3>${t(L, 'form.assessments')}</h3>${assessmentTable(L, a.indicators, s.selfAssessments ?? [], { evidence: a.evidence, evidenceHref: a.evidenceHref })}</div>`
      : ''}
  </div>`;
}

export function taskBody(v: Viewer, task: TaskDetail, opts: { editable: boolean; submitted?: SectionSubmission; temporalUi: string; overdue: boolean; assessment?: TaskAssessment }): Html {
  const L = v.lang;
  const subtitle = html`${task.unitName} · ${t(L, 'common.year', { year: task.year })} · ${t(L, 'form.dueLabel')}${dueCell(L, task.dueAt, opts.overdue)} · ${stateChip(L, task.state)}`;
  const notices: Html[] = [];
  if (task.state === 'returned' && task.returnedReason) notices.push(html`<div class="notice notice-warn">${t(L, 'form.returned', { reason: task.returnedReason })}</div>`);
  if (task.state === 'submitted' && task.submittedAt) {
    notices.push(html`<div class="notice notice-ok" data-testid="submitted-notice">${t(L, 'form.submittedInfo', { date: formatDate(L, task.submittedAt), who: task.submittedBy ?? '' })}</div>`);
  }
  if (task.state === 'cancelled') notices.push(html`<div class="notice">${t(L, 'form.closedInfo')}</div>`);
  let content: Html;
  const a = opts.assessment;
  if (opts.editable) content = editForm(L, task, a);
  else if (opts.submitted) content = readOnly(L, opts.submitted, a);
  else if (task.draft) content = html`<div class="notice">${t(L, 'form.draftOnly')}</div>${readOnly(L, task.draft, a)}`;
  else content = html`<div class="card"><p class="muted">${t(L, 'form.notYet')}</p></div>`;
  return html`${pageHead(t(L, 'form.title', { section: task.sectionName }), subtitle, temporalLink(L, opts.temporalUi))}
  ${notices}
  ${content}`;
}
