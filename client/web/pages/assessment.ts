/**
 * The self-assessment blocks (自评) both the finance officer's page and a section's task show: one
 * block per indicator, grouped by 一级/二级 — a tier with its point range, the points, the reason,
 * 不适用 with its reason (tiers); sample, satisfied and method (survey); an optional explanation or
 * 不适用 (computed) — and the evidence files attached to each entry. Read-only, the same as a table.
 *
 * Every field carries the `data-path` the API's problems name (`entries[k].points`,
 * `selfAssessments[k].tier`), where k is the block's place on the page; the script sends only the
 * blocks that hold something and maps the sent index back (assets/app.js.ts).
 */
import { describeRuleZh, type RuleSetIndicator } from '../../../domain/scoring';
import { tierRangeZh, valueKindOf } from '../../../domain/self-assessment';
import type { AssessmentEntryView, AssessmentIndicator, EvidenceItem, ScoreSheet } from '../api-types';
import { html, type Html } from '../html';
import { formatPoints, type Lang, pick, t } from '../i18n';
import { formErrors } from '../layout';

/** The indicators of a rule set as the page shows them (the same view the API gives the finance officer). */
export function indicatorViews(indicators: readonly RuleSetIndicator[]): AssessmentIndicator[] {
  return indicators.map((ind) => ({
    id: ind.id,
    level1: ind.level1,
    level2: ind.level2,
    level3: ind.level3,
    weightCp: ind.weightCp,
    kind: valueKindOf(ind),
    criteriaZh: describeRuleZh(ind),
    tiers: ind.rule.kind === 'tiers' ? ind.rule.tiers.map((x) => ({ key: x.key, labelZh: x.labelZh, rangeZh: tierRangeZh(x, ind.weightCp) })) : [],
  }));
}

export type AssessmentList = 'entries' | 'selfAssessments';

export interface AssessmentOptions {
  list: AssessmentList;
  editable: boolean;
  /** Files one may attach (and download). */
  evidence: EvidenceItem[];
  evidenceHref: (id: number) => string;
  /** The current score, to show what a computed indicator scores now. */
  score?: ScoreSheet | undefined;
  notApplicablePolicy: 'full_marks' | 'rescale';
}

/** Indicators grouped by 一级 then 二级, in rule-set order, each with its place on the page. */
function grouped(indicators: readonly AssessmentIndicator[]): Array<{ level1: string; weightCp: number; level2s: Array<{ level2: string; items: Array<{ ind: AssessmentIndicator; k: number }> }> }> {
  const out: ReturnType<typeof grouped> = [];
  indicators.forEach((ind, k) => {
    let g1 = out.find((g) => g.level1 === ind.level1);
    if (!g1) out.push((g1 = { level1: ind.level1, weightCp: 0, level2s: [] }));
    g1.weightCp += ind.weightCp;
    let g2 = g1.level2s.find((g) => g.level2 === ind.level2);
    if (!g2) g1.level2s.push((g2 = { level2: ind.level2, items: [] }));
    g2.items.push({ ind, k });
  });
  return out;
}

/** The order blocks appear in (grouping may move an indicator after others of its 一级). */
export function pageOrder(indicators: readonly AssessmentIndicator[]): AssessmentIndicator[] {
  return grouped(indicators).flatMap((g) => g.level2s.flatMap((g2) => g2.items.map((x) => x.ind)));
}

const fid = (path: string) => `f-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
const str = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

function evidenceChoices(L: Lang, path: string, entry: AssessmentEntryView | undefined, o: AssessmentOptions): Html {
  const chosen = new Set(entry?.evidence ?? []);
  return html`<div class="field evidence-field" data-path="${path}.evidence">
    <span class="label">${t(L, 'assess.evidence')}</span>
    <div class="evidence-choices" data-evidence-choices>${o.evidence.map(
      (e) => html`<span class="ev-choice"><label class="check"><input type="checkbox" data-evidence value="${e.id}"${chosen.has(e.id) ? html` checked` : ''}> ${e.fileName}</label> <a class="small" href="${o.evidenceHref(e.id)}" download>${t(L, 'evidence.download')}</a></span>`,
    )}</div>
    <p class="small muted evidence-none"${o.evidence.length ? html` hidden` : ''}>${t(L, 'assess.noEvidence')}</p>
    <label class="upload-inline">${t(L, 'assess.uploadHere')} <input type="file" data-upload></label>
  </div>`;
}

function currentText(L: Lang, ind: AssessmentIndicator, score: ScoreSheet | undefined): Html | string {
  const s = score?.indicators.find((x) => x.id === ind.id);
  if (!s) return '';
  if (s.status === 'scored') return html`<span class="small" data-current>${t(L, 'assess.current', { points: formatPoints(s.pointsCp), max: formatPoints(s.maxCp) })}${s.valueText ? html` · ${s.valueText}` : ''}</span>`;
  if (s.status === 'excluded') return html`<span class="small muted" data-current>${t(L, 'assess.excluded')}</span>`;
  return html`<span class="small muted" data-current>${t(L, 'assess.unscored')}</span>`;
}

function block(L: Lang, ind: AssessmentIndicator, k: number, entry: AssessmentEntryView | undefined, o: AssessmentOptions): Html {
  const p = `${o.list}[${k}]`;
  const na = entry?.notApplicable === true;
  const weight = formatPoints(ind.weightCp);
  let value: Html;
  if (ind.kind === 'tiers') {
    value = html`<div class="field tier-field" data-path="${p}.tier" role="radiogroup" aria-label="${ind.level3} · ${t(L, 'assess.tier')}">
        <span class="label">${t(L, 'assess.tier')}</span>
        ${ind.tiers.map(
          (x) => html`<label class="check tier"><input type="radio" name="${p}.tier" value="${x.key}" data-field="tier"${entry?.tier === x.key ? html` checked` : ''}> ${x.labelZh} <span class="hint" data-range>${x.rangeZh}</span></label>`,
        )}
      </div>
      <div class="field points-field"><label for="${fid(`${p}.points`)}">${t(L, 'assess.points', { max: weight })}</label><input type="text" inputmode="decimal" id="${fid(`${p}.points`)}" data-field="points" data-path="${p}.points" value="${str(entry?.points)}" autocomplete="off"></div>`;
  } else if (ind.kind === 'survey') {
    const s = entry?.survey;
    value = html`<div class="field survey-grid" data-path="${p}.survey">
        <div class="field"><label for="${fid(`${p}.survey.sample`)}">${t(L, 'assess.sample')}</label><input type="text" inputmode="numeric" id="${fid(`${p}.survey.sample`)}" data-field="survey.sample" data-path="${p}.survey.sample" value="${str(s?.sample)}" autocomplete="off"></div>
        <div class="field"><label for="${fid(`${p}.survey.satisfied`)}">${t(L, 'assess.satisfied')}</label><input type="text" inputmode="numeric" id="${fid(`${p}.survey.satisfied`)}" data-field="survey.satisfied" data-path="${p}.survey.satisfied" value="${str(s?.satisfied)}" autocomplete="off"></div>
        <div class="field wide"><label for="${fid(`${p}.survey.method`)}">${t(L, 'assess.method')}</label><input type="text" id="${fid(`${p}.survey.method`)}" data-field="survey.method" data-path="${p}.survey.method" value="${s?.method ?? ''}"></div>
      </div>`;
  } else {
    value = html`<p class="small muted">${t(L, 'assess.computedHelp')}</p>`;
  }
  const reasonKey = ind.kind === 'tiers' ? 'assess.reason' : 'assess.explanation';
  return html`<div class="assess${na ? ' is-na' : ''}" data-row data-assess data-indicator="${ind.id}" data-kind="${ind.kind}" data-path="${p}" data-label="${ind.level3}">
    <div class="row-head"><span class="assess-title"><strong>${ind.level3}</strong> <span class="muted small">${t(L, 'assess.weight', { points: weight })}</span></span>${currentText(L, ind, o.score)}</div>
    <p class="small muted criteria">${t(L, 'assess.criteria')}${ind.criteriaZh}</p>
    <div class="assess-value">${value}</div>
    <div class="field"><label for="${fid(`${p}.reason`)}">${t(L, reasonKey)}</label><textarea id="${fid(`${p}.reason`)}" data-field="reason" data-path="${p}.reason" rows="2">${entry?.reason ?? ''}</textarea></div>
    <div class="field na-field"><label class="check"><input type="checkbox" id="${fid(`${p}.notApplicable`)}" data-field="notApplicable" data-path="${p}.notApplicable"${na ? html` checked` : ''}> ${t(L, 'assess.notApplicable')}</label>
      <span class="hint">${t(L, o.notApplicablePolicy === 'rescale' ? 'assess.naRescale' : 'assess.naFull')}</span></div>
    ${evidenceChoices(L, p, entry, o)}
  </div>`;
}

/** The editable blocks, inside a fieldset whose path is the list (for "still missing" problems). */
export function assessmentFields(L: Lang, indicators: readonly AssessmentIndicator[], entries: readonly AssessmentEntryView[], o: AssessmentOptions, legend?: string): Html {
  const byId = new Map(entries.map((e) => [e.indicator, e]));
  const order = pageOrder(indicators);
  const k = new Map(order.map((ind, i) => [ind.id, i]));
  return html`<fieldset class="assessment" data-path="${o.list}" data-assessment="${o.list}">
    ${legend ? html`<legend>${legend}</legend>` : ''}
    ${grouped(indicators).map(
      (g) => html`<section class="level1" aria-label="${g.level1}">
        <h3 class="level1-head">${g.level1} <span class="muted small">${t(L, 'assess.level1Points', { points: formatPoints(g.weightCp) })}</span></h3>
        ${g.level2s.map(
          (g2) => html`<div class="level2"><h4>${g2.level2}</h4>${g2.items.map(({ ind }) => block(L, ind, k.get(ind.id)!, byId.get(ind.id), o))}</div>`,
        )}
      </section>`,
    )}
  </fieldset>`;
}

/** What an entry says, in words (the read-only table). */
function entryText(L: Lang, ind: AssessmentIndicator, e: AssessmentEntryView | undefined): { value: string; points: string } {
  if (!e) return { value: '', points: '' };
  if (e.notApplicable) return { value: t(L, 'assess.notApplicable'), points: '' };
  if (ind.kind === 'tiers') return { value: ind.tiers.find((x) => x.key === e.tier)?.labelZh ?? str(e.tier), points: str(e.points) };
  if (ind.kind === 'survey' && e.survey) return { value: t(L, 'assess.surveyText', { satisfied: str(e.survey.satisfied), sample: str(e.survey.sample) }) + (e.survey.method ? `（${e.survey.method}）` : ''), points: '' };
  return { value: '', points: '' };
}

/** The entries as a table (after submission, or for those who may only read). */
export function assessmentTable(L: Lang, indicators: readonly AssessmentIndicator[], entries: readonly AssessmentEntryView[], o: Pick<AssessmentOptions, 'evidence' | 'evidenceHref' | 'score'>): Html {
  const byId = new Map(entries.map((e) => [e.indicator, e]));
  const files = new Map(o.evidence.map((e) => [e.id, e]));
  return html`<table class="data assessment-table" data-testid="assessment-table">
    <thead><tr><th scope="col">${t(L, 'assess.level1')}</th><th scope="col">${t(L, 'assess.level2')}</th><th scope="col">${t(L, 'assess.level3')}</th><th scope="col" class="num">${t(L, 'assess.weightCol')}</th><th scope="col">${t(L, 'assess.valueCol')}</th><th scope="col" class="num">${t(L, 'assess.pointsCol')}</th><th scope="col">${t(L, 'assess.reasonCol')}</th><th scope="col">${t(L, 'assess.evidence')}</th></tr></thead>
    <tbody>${pageOrder(indicators).map((ind) => {
      const e = byId.get(ind.id);
      const { value, points } = entryText(L, ind, e);
      const scored = o.score?.indicators.find((x) => x.id === ind.id);
      const shown = points || (scored?.status === 'scored' ? formatPoints(scored.pointsCp) : '');
      return html`<tr data-indicator="${ind.id}"><td>${ind.level1}</td><td>${ind.level2}</td><td>${ind.level3}</td><td class="num">${formatPoints(ind.weightCp)}</td>
        <td>${value || html`<span class="muted">${ind.kind === 'computed' ? t(L, 'assess.computedShort') : '—'}</span>`}</td><td class="num">${shown}</td><td class="small">${e?.reason ?? ''}</td>
        <td class="small">${(e?.evidence ?? []).map((id, i) => {
          const f = files.get(id);
          return html`${i ? html`<br>` : ''}${f ? html`<a href="${o.evidenceHref(id)}" download>${f.fileName}</a>` : `#${id}`}`;
        })}</td></tr>`;
    })}</tbody>
  </table>`;
}

/** The evidence card: the files with their download links and, for those who may, an upload. */
export function evidenceCard(L: Lang, o: { evidence: EvidenceItem[]; evidenceHref: (id: number) => string; uploadUrl?: string | undefined; section?: string | undefined; sectionNames?: Map<string, string> }): Html {
  const list = html`<ul class="plain evidence-list" data-evidence-list>${o.evidence.map(
    (e) => html`<li data-evidence-id="${e.id}"><a href="${o.evidenceHref(e.id)}" download>${e.fileName}</a> <span class="muted small">${formatSize(e.sizeBytes)}${e.section ? ` · ${o.sectionNames?.get(e.section) ?? e.section}` : ''}</span></li>`,
  )}</ul>`;
  return html`<section class="card" id="evidence" aria-labelledby="evidence-h">
    <h2 id="evidence-h">${t(L, 'evidence.title')}</h2>
    <p class="small muted">${t(L, 'evidence.help')}</p>
    <p class="muted small evidence-empty"${o.evidence.length ? html` hidden` : ''}>${t(L, 'evidence.none')}</p>
    ${list}
    ${o.uploadUrl
      ? html`<form data-evidence-upload="${o.uploadUrl}"${o.section ? html` data-section="${o.section}"` : ''} novalidate>
          ${formErrors}
          <div class="field" data-path="contentBase64"><label for="evidence-file">${t(L, 'evidence.file')}</label><input id="evidence-file" type="file" data-path="fileName"></div>
          <div class="buttons"><button class="btn btn-small" type="submit">${t(L, 'evidence.upload')}</button><span class="form-status small" aria-live="polite"></span></div>
        </form>`
      : ''}
  </section>`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The preview's own problems (half-typed entries), named by their indicator. */
export function previewProblems(L: Lang, problems: ReadonlyArray<{ path: string; zh: string; en: string }>, sent: ReadonlyArray<{ indicator?: string }>, names: ReadonlyMap<string, string>): Html {
  if (!problems.length) return html``;
  return html`<div class="notice notice-warn preview-problems" data-testid="preview-problems"><strong>${t(L, 'assess.previewProblems', { n: problems.length })}</strong><ul>${problems.map((p) => {
    const m = /^entries\[(\d+)\]/.exec(p.path);
    const name = m ? names.get(sent[Number(m[1])]?.indicator ?? '') : undefined;
    return html`<li>${name ? html`<strong>${name}</strong>：` : ''}${pick(L, p.zh, p.en)}</li>`;
  })}</ul></div>`;
}
