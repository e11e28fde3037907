/**
 * The dashboard's rule-set card: which rule set (id, version, name) and which report outline the
 * unit-year uses; for the finance officer, the unit head and an administrator, a score preview
 * under another rule set (an added one and its version, or a candidate file pasted or chosen) side
 * by side with the current score — total, grade and the indicators that change — and, below it,
 * what may be done with it: 采用 before the evaluation starts (the finance officer or an
 * administrator), 按此版本重新评分 with a reason while reviewing or after a send-back (the finance
 * officer), or why neither is possible now.
 */
import type { RuleSetBrief, RuleSetSummary, ScoreSheet } from '../api-types';
import { html, type Html } from '../html';
import { formatPoints, type Lang, type MessageKey, t } from '../i18n';
import { formErrors } from '../layout';
import { gradeName } from './parts';
import { ruleSetHref, sourceEditor, versionLabel } from './rule-sets.page';

/** The stages in which the finance officer may re-score (as the API decides). */
export const RESCORABLE_STAGES = new Set(['reviewing', 'returned']);

export interface RuleSetCardData {
  unitCode: string;
  year: number;
  /** The current score sheet (names the rule set and version that scored it). */
  score?: ScoreSheet | undefined;
  outline: { id: string; name: string };
  /** The evaluation has started (its version is kept). */
  started: boolean;
  ruleSets: RuleSetSummary[];
  canPreview: boolean;
}

const yearPage = (unitCode: string, year: number) => `/units/${encodeURIComponent(unitCode)}/years/${year}`;
const yearApi = (unitCode: string, year: number) => `/api/units/${encodeURIComponent(unitCode)}/years/${year}`;

export function ruleSetCard(L: Lang, d: RuleSetCardData): Html {
  const s = d.score;
  const previewUrl = `${yearPage(d.unitCode, d.year)}/rule-set-preview`;
  const sorted = [...d.ruleSets].sort((a, b) => a.id.localeCompare(b.id) || b.version - a.version);
  const current = s ? `${s.ruleSetId}@${s.ruleSetVersion}` : '';
  return html`<section class="card" aria-labelledby="rules-h" id="rule-set-card">
    <h2 id="rules-h">${t(L, 'dash.rules')}<span class="aside"><a href="/rule-sets">${t(L, 'nav.ruleSets')}</a></span></h2>
    <dl class="facts">
      <dt>${t(L, 'dash.ruleSetUsed')}</dt>
      <dd data-testid="rule-set-in-use">${s
        ? html`<a href="${ruleSetHref(s.ruleSetId, s.ruleSetVersion)}">${s.ruleSetName}</a> <span class="mono small" data-testid="rule-set-id-version">${versionLabel(L, s.ruleSetId, s.ruleSetVersion)}</span>
          <div class="small muted">${t(L, d.started ? 'dash.ruleSetPinned' : 'dash.ruleSetOpen')}</div>`
        : '—'}</dd>
      <dt>${t(L, 'dash.outline')}</dt>
      <dd data-testid="outline-in-use">${d.outline.name} <span class="mono small">${d.outline.id}</span></dd>
    </dl>
    ${d.canPreview
      ? html`<h3>${t(L, 'dash.previewRules')}</h3>
        <p class="small muted">${t(L, 'dash.previewRulesHelp')}</p>
        <form id="rule-set-preview-form" data-rule-preview="${previewUrl}" novalidate>
          ${formErrors}
          <div class="inline-form">
            <div class="field"><label for="rsp-pick">${t(L, 'dash.pickRuleSet')}</label><select id="rsp-pick" name="ruleSet">${sorted.map(
              (x) => html`<option value="${x.id}@${x.version}"${`${x.id}@${x.version}` === current ? html` selected` : ''}>${x.id}@${x.version} · ${x.name}${`${x.id}@${x.version}` === current ? `（${t(L, 'cmp.current')}）` : ''}</option>`,
            )}</select></div>
            <button class="btn" type="submit">${t(L, 'dash.previewSubmit')}</button>
          </div>
          <p class="form-status small" aria-live="polite"></p>
        </form>
        <details class="candidate" id="rule-set-candidate"><summary>${t(L, 'dash.pasteCandidate')}</summary>
          <form id="rule-set-candidate-form" data-rule-preview="${previewUrl}" novalidate>
            ${formErrors}
            ${sourceEditor(L, { prefix: 'rsc', rows: 10 })}
            <div class="buttons"><button class="btn" type="submit">${t(L, 'dash.previewSubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
          </form>
        </details>
        <div id="rule-set-preview" class="rule-set-preview" aria-live="polite" hidden></div>`
      : ''}
  </section>`;
}

type Side = ScoreSheet['indicators'][number] | undefined;

function cellText(L: Lang, x: Side): string {
  if (!x) return t(L, 'cmp.absent');
  const max = formatPoints(x.maxCp);
  if (x.status === 'scored') return `${formatPoints(x.pointsCp)} / ${max}`;
  return `${t(L, x.status === 'excluded' ? 'cmp.excluded' : 'cmp.unscored')} / ${max}`;
}

/** +2.00 / −1.50 / 0.00. */
export function signedPoints(cp: number): string {
  return cp > 0 ? `+${formatPoints(cp)}` : cp < 0 ? `−${formatPoints(-cp)}` : formatPoints(0);
}

/** The change an indicator makes to the total, when both sides are known (absent counts as 0). */
function diffOf(a: Side, b: Side): number | null {
  const points = (x: Side) => (x === undefined ? 0 : x.status === 'scored' ? x.pointsCp : x.status === 'excluded' ? 0 : null);
  const pa = points(a);
  const pb = points(b);
  return pa === null || pb === null ? null : pb - pa;
}

function changed(a: Side, b: Side): boolean {
  return !a || !b || a.maxCp !== b.maxCp || a.status !== b.status || a.pointsCp !== b.pointsCp;
}

function side(L: Lang, which: 'current' | 'candidate', s: ScoreSheet, label: Html, delta?: number): Html {
  return html`<div class="compare-col" data-side="${which}">
    <div class="compare-label">${t(L, which === 'current' ? 'cmp.current' : 'cmp.candidate')}</div>
    <div class="small">${label}</div>
    <p class="score-total"><strong data-total>${formatPoints(s.totalCp)}</strong>${t(L, 'cmp.unit')}</p>
    <p class="score-grade" data-grade>${s.grade ? t(L, 'preview.grade', { grade: gradeName(L, s.grade) }) : t(L, 'preview.gradeRange', { worst: gradeName(L, s.gradeRange.worst), best: gradeName(L, s.gradeRange.best) })}</p>
    <p class="small muted">${t(L, 'cmp.scored', { scored: s.indicators.length - s.unscoredCount, n: s.indicators.length })}</p>
    ${delta !== undefined ? html`<p class="delta${delta > 0 ? ' up' : delta < 0 ? ' down' : ''}" data-delta="${signedPoints(delta)}">${t(L, 'cmp.delta', { delta: signedPoints(delta) })}</p>` : ''}
  </div>`;
}

export interface ComparisonData {
  unitCode: string;
  year: number;
  current: ScoreSheet;
  candidate: ScoreSheet;
  ruleSet: RuleSetBrief;
  /** The candidate is an added (or built-in) rule set, not a pasted file. */
  stored: boolean;
  /** The latest version of the candidate's id (a year not started adopts only that). */
  latestVersion: number | undefined;
  /** The evaluation's stage, once started. */
  stage: string | undefined;
  /** The finance officer or an administrator of the unit (may adopt before the start). */
  canAdopt: boolean;
  /** The finance officer (may re-score while reviewing or after a send-back). */
  canRescore: boolean;
}

function actions(L: Lang, d: ComparisonData): Html {
  const api = yearApi(d.unitCode, d.year);
  const sameAsCurrent = d.current.ruleSetId === d.ruleSet.id && d.current.ruleSetVersion === d.ruleSet.version;
  const note = (key: MessageKey, params: Record<string, string | number> = {}) => html`<p class="notice small" data-testid="rule-set-action-note">${t(L, key, params)}</p>`;
  if (!d.stored) return note('cmp.notAdded');
  if (sameAsCurrent) return note('cmp.isCurrent');
  if (d.stage === undefined) {
    if (!d.canAdopt) return note('cmp.financeOnly');
    if (d.latestVersion !== undefined && d.latestVersion !== d.ruleSet.version) return note('cmp.adoptLatestOnly', { latest: d.latestVersion });
    return html`<form data-api="PUT ${api}/rule-set" id="adopt-rule-set-form" novalidate>
      ${formErrors}
      <input type="hidden" name="ruleSetId" value="${d.ruleSet.id}">
      <p class="small muted">${t(L, 'cmp.adoptHelp')}</p>
      <div class="buttons"><button class="btn btn-ok" type="submit">${t(L, 'cmp.adopt')} ${versionLabel(L, d.ruleSet.id, d.ruleSet.version)}</button><span class="form-status small" aria-live="polite"></span></div>
    </form>`;
  }
  if (!RESCORABLE_STAGES.has(d.stage)) return note('cmp.locked', { stage: t(L, `stage.${d.stage}` as MessageKey) });
  if (!d.canRescore) return note('cmp.financeOnly');
  return html`<form data-api="POST ${api}/evaluation/rule-set" id="rescore-form" novalidate>
    ${formErrors}
    <input type="hidden" name="ruleSetId" value="${d.ruleSet.id}">
    <input type="hidden" name="version" value="${d.ruleSet.version}" data-type="number">
    <p class="small muted">${t(L, 'cmp.rescoreHelp')}</p>
    <div class="field"><label for="rescore-reason">${t(L, 'cmp.rescoreReason')}</label><textarea id="rescore-reason" name="reason" rows="2" required></textarea></div>
    <div class="buttons"><button class="btn" type="submit">${t(L, 'cmp.rescore')}</button><span class="form-status small" aria-live="polite"></span></div>
  </form>`;
}

/** The preview under a candidate beside the current score, and what may be done with it. */
export function ruleSetComparison(L: Lang, d: ComparisonData): Html {
  const { current, candidate } = d;
  const before = new Map(current.indicators.map((x) => [x.id, x]));
  const after = new Map(candidate.indicators.map((x) => [x.id, x]));
  const ids = [...candidate.indicators.map((x) => x.id), ...current.indicators.filter((x) => !after.has(x.id)).map((x) => x.id)];
  const rows = ids.filter((id) => changed(before.get(id), after.get(id)));
  const candidateLabel = d.stored
    ? html`<a href="${ruleSetHref(d.ruleSet.id, d.ruleSet.version)}">${d.ruleSet.name}</a><div class="mono">${versionLabel(L, d.ruleSet.id, d.ruleSet.version)}</div>`
    : html`${d.ruleSet.name}<div><span class="mono">${d.ruleSet.id}</span> · ${t(L, 'cmp.candidateFile')}</div>`;
  return html`<div class="compare" data-testid="rule-set-compare" data-candidate="${d.ruleSet.id}@${d.ruleSet.version}">
    ${side(L, 'current', current, html`<a href="${ruleSetHref(current.ruleSetId, current.ruleSetVersion)}">${current.ruleSetName}</a><div class="mono">${versionLabel(L, current.ruleSetId, current.ruleSetVersion)}</div>`)}
    ${side(L, 'candidate', candidate, candidateLabel, candidate.totalCp - current.totalCp)}
  </div>
  <h3>${t(L, 'cmp.changes')}</h3>
  ${rows.length === 0
    ? html`<p class="muted">${t(L, 'cmp.noChanges')}</p>`
    : html`<table class="data" id="rule-set-changes">
        <thead><tr><th scope="col">${t(L, 'cmp.indicator')}</th><th scope="col" class="num">${t(L, 'cmp.currentCol')}</th><th scope="col" class="num">${t(L, 'cmp.candidateCol')}</th><th scope="col" class="num">${t(L, 'cmp.diff')}</th></tr></thead>
        <tbody>${rows.map((id) => {
          const a = before.get(id);
          const b = after.get(id);
          const diff = diffOf(a, b);
          const named = b ?? a!;
          return html`<tr data-indicator="${id}"><td>${named.level3}<div class="small muted">${named.level1} · ${named.level2}</div></td>
            <td class="num" data-current>${cellText(L, a)}</td><td class="num" data-candidate>${cellText(L, b)}</td>
            <td class="num" data-diff>${diff === null ? '—' : signedPoints(diff)}</td></tr>`;
        })}</tbody>
      </table>
      ${ids.length > rows.length ? html`<p class="small muted">${t(L, 'cmp.unchanged', { n: ids.length - rows.length })}</p>` : ''}`}
  <div class="rule-set-actions">${actions(L, d)}</div>`;
}
