/**
 * 评分规则:
 *   /rule-sets                  every rule set, built-in and added, each version (id@version, name,
 *                               region, scope, total, built in or added by whom and when)
 *   /rule-sets/:id/:version     one version: its facts, its indicators grouped by 一级/二级 with their
 *                               points and 评分标准 in words, and the file an added one was added as
 *   /rule-sets/new              an administrator adds a file: chosen or pasted, checked (every problem
 *                               under the line it names, in a line-numbered view of the text) and
 *                               added as the next version of its id
 * The line-numbered view is drawn by the page script from the text that was checked and the API's
 * problems (`{ path, code, zh, en, line? }`); the same editor lets the dashboard preview a candidate
 * file that is not yet added.
 */
import { describeRuleZh, type RuleSetIndicator } from '../../../domain/scoring';
import { gradeBandsOf } from '../../../domain/rule-set-file';
import type { RuleSetAnswer, RuleSetSummary } from '../api-types';
import { html, type Html } from '../html';
import { formatDateTime, formatPoints, type Lang, type MessageKey, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';

export const ruleSetHref = (id: string, version: number) => `/rule-sets/${encodeURIComponent(id)}/${version}`;

/** `hunan-department-2020 第2版` / `hunan-department-2020 version 2`. */
export function versionLabel(L: Lang, id: string, version: number): string {
  return `${id} ${t(L, 'rs.versionN', { v: version })}`;
}

function scopeText(L: Lang, scope: string): string {
  return scope === 'project' || scope === 'department' ? t(L, `rs.scope.${scope}` as MessageKey) : scope;
}

function yearsText(L: Lang, years: { from: number; to: number } | null | undefined): string {
  return years ? t(L, 'rs.yearsRange', { from: years.from, to: years.to }) : t(L, 'rs.anyYear');
}

function originText(L: Lang, s: RuleSetSummary): Html {
  return s.builtIn
    ? html`<span class="chip chip-draft">${t(L, 'rs.builtIn')}</span>`
    : html`<span class="small">${t(L, 'rs.addedBy', { who: s.createdBy ?? '—', when: s.createdAt ? formatDateTime(L, s.createdAt) : '—' })}</span>`;
}

/** Versions of one id together, oldest first; the latest of each id marked. */
function byIdThenVersion(list: readonly RuleSetSummary[]): Array<RuleSetSummary & { latest: boolean }> {
  const latest = new Map<string, number>();
  for (const s of list) latest.set(s.id, Math.max(latest.get(s.id) ?? 0, s.version));
  return [...list].sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version).map((s) => ({ ...s, latest: latest.get(s.id) === s.version }));
}

export function ruleSetsBody(v: Viewer, d: { ruleSets: RuleSetSummary[]; canAdd: boolean }): Html {
  const L = v.lang;
  const actions = d.canAdd ? html`<a class="btn" href="/rule-sets/new" id="add-rule-set">${t(L, 'rs.add')}</a>` : undefined;
  return html`${pageHead(t(L, 'rs.title'), t(L, 'rs.help'), actions)}
  <section class="card" aria-labelledby="rs-list-h">
    <h2 id="rs-list-h">${t(L, 'rs.list')}</h2>
    ${d.ruleSets.length === 0
      ? html`<p class="muted">${t(L, 'rs.none')}</p>`
      : html`<table class="data" id="rule-sets">
          <thead><tr><th scope="col">${t(L, 'rs.idVersion')}</th><th scope="col">${t(L, 'rs.name')}</th><th scope="col">${t(L, 'rs.region')}</th><th scope="col">${t(L, 'rs.scope')}</th><th scope="col">${t(L, 'rs.years')}</th><th scope="col" class="num">${t(L, 'rs.total')}</th><th scope="col" class="num">${t(L, 'rs.indicatorCount')}</th><th scope="col">${t(L, 'rs.origin')}</th></tr></thead>
          <tbody>${byIdThenVersion(d.ruleSets).map(
            (s) => html`<tr data-rule-set="${s.id}@${s.version}">
              <td><a href="${ruleSetHref(s.id, s.version)}" class="mono">${s.id}@${s.version}</a>${s.latest ? html` <span class="chip chip-open">${t(L, 'rs.latest')}</span>` : ''}</td>
              <td>${s.name}</td><td>${s.region}</td><td class="nowrap">${scopeText(L, s.scope)}</td><td class="nowrap">${yearsText(L, s.fiscalYears)}</td>
              <td class="num">${formatPoints(s.totalCp)}</td><td class="num">${s.indicatorCount}</td><td>${originText(L, s)}</td>
            </tr>`,
          )}</tbody>
        </table>`}
  </section>`;
}

/** Indicators grouped by 一级 then 二级 (in the rule set's order), with each group's points. */
function groups(indicators: readonly RuleSetIndicator[]) {
  const out: Array<{ level1: string; weightCp: number; level2s: Array<{ level2: string; weightCp: number; items: RuleSetIndicator[] }> }> = [];
  for (const ind of indicators) {
    let g1 = out.find((g) => g.level1 === ind.level1);
    if (!g1) out.push((g1 = { level1: ind.level1, weightCp: 0, level2s: [] }));
    g1.weightCp += ind.weightCp;
    let g2 = g1.level2s.find((g) => g.level2 === ind.level2);
    if (!g2) g1.level2s.push((g2 = { level2: ind.level2, weightCp: 0, items: [] }));
    g2.weightCp += ind.weightCp;
    g2.items.push(ind);
  }
  return out;
}

/** What a rule reads, for those who write rule sets: `bands · key_expenditure_rate`. */
function ruleCode(ind: RuleSetIndicator): string {
  const rule = ind.rule;
  const reads = 'indicator' in rule && rule.indicator ? ` · ${rule.indicator}` : '';
  return `${rule.kind}${reads}${ind.variant ? ` (${ind.variant})` : ''}`;
}

function indicatorTable(L: Lang, indicators: readonly RuleSetIndicator[]): Html {
  return html`<table class="data rule-table" id="rule-set-indicators">
    <thead><tr><th scope="col">${t(L, 'rs.level3')}</th><th scope="col" class="num">${t(L, 'rs.weight')}</th><th scope="col">${t(L, 'rs.criteria')}</th></tr></thead>
    ${groups(indicators).map(
      (g1) => html`<tbody data-level1="${g1.level1}">
        <tr class="level1-row"><th scope="rowgroup">${t(L, 'rs.level1')}：${g1.level1}</th><td class="num">${formatPoints(g1.weightCp)}</td><td></td></tr>
        ${g1.level2s.map(
          (g2) => html`<tr class="level2-row"><th scope="rowgroup">${t(L, 'rs.level2')}：${g2.level2}</th><td class="num">${formatPoints(g2.weightCp)}</td><td></td></tr>
            ${g2.items.map(
              (ind) => html`<tr data-indicator="${ind.id}">
                <td><strong>${ind.level3}</strong><div class="small muted mono">${ind.id}</div>${ind.assessor === 'section' ? html`<div class="small muted">${t(L, 'rs.assessorSection')}</div>` : ''}</td>
                <td class="num" data-weight>${formatPoints(ind.weightCp)}</td>
                <td><span data-criteria>${describeRuleZh(ind)}</span><div class="small muted"><span class="mono">${ruleCode(ind)}</span>${ind.sourceNote ? html` · ${ind.sourceNote}` : ''}</div></td>
              </tr>`,
            )}`,
        )}
      </tbody>`,
    )}
  </table>`;
}

/** A text with its line numbers, as the server renders it (the script draws the same for checks). */
export function sourceLines(text: string): Html {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return html`<div class="src-view" data-testid="source"><div class="src-lines">${lines.map(
    (line, i) => html`<div class="src-line" data-line="${i + 1}"><span class="ln" aria-hidden="true">${i + 1}</span><code>${line || ' '}</code></div>`,
  )}</div></div>`;
}

export interface RuleSetPageData {
  answer: RuleSetAnswer;
  /** Every version of the same id (for the links between them and who added this one). */
  versions: RuleSetSummary[];
  canAdd: boolean;
}

export function ruleSetBody(v: Viewer, d: RuleSetPageData): Html {
  const L = v.lang;
  const s = d.answer.ruleSet;
  const me = d.versions.find((x) => x.version === s.version);
  const grades = gradeBandsOf(s);
  const actions = d.canAdd && d.answer.source !== null ? html`<a class="btn btn-secondary" href="/rule-sets/new?from=${encodeURIComponent(`${s.id}@${s.version}`)}">${t(L, 'rs.basedOn')}</a>` : undefined;
  return html`${pageHead(s.name ?? s.id, html`<span class="mono" data-testid="rule-set-version">${versionLabel(L, s.id, s.version)}</span> · <a href="/rule-sets">${t(L, 'rs.list')}</a>`, actions)}
  <div class="grid">
    <section class="card" aria-labelledby="rs-facts-h">
      <h2 id="rs-facts-h">${t(L, 'rs.facts')}</h2>
      <dl class="facts">
        <dt>${t(L, 'rs.region')}</dt><dd>${s.region}</dd>
        <dt>${t(L, 'rs.scope')}</dt><dd>${scopeText(L, s.scope)}</dd>
        <dt>${t(L, 'rs.years')}</dt><dd>${yearsText(L, s.fiscalYears)}</dd>
        <dt>${t(L, 'rs.total')}</dt><dd data-testid="rule-set-total">${t(L, 'rs.points', { points: formatPoints(s.totalCp) })}</dd>
        <dt>${t(L, 'rs.notApplicable')}</dt><dd>${t(L, `rs.na.${s.notApplicable}`)}</dd>
        <dt>${t(L, 'rs.grades')}</dt><dd>${[...grades].sort((a, b) => b.minCp - a.minCp).map((g, i) => html`${i ? '；' : ''}<span class="nowrap">${t(L, 'rs.gradeFrom', { grade: g.zh, points: formatPoints(g.minCp) })}</span>`)}</dd>
        <dt>${t(L, 'rs.origin')}</dt><dd>${me ? originText(L, me) : ''}${me?.sha256 ? html`<div class="mono small muted">sha256 ${me.sha256}</div>` : ''}</dd>
        <dt>${t(L, 'rs.sources')}</dt><dd class="small">${s.sourceNote}</dd>
      </dl>
    </section>
    <section class="card" aria-labelledby="rs-versions-h">
      <h2 id="rs-versions-h">${t(L, 'rs.otherVersions')}</h2>
      <ul class="plain">${d.versions.map(
        (x) => html`<li>${x.version === s.version ? html`<strong class="mono">${x.id}@${x.version}</strong>` : html`<a class="mono" href="${ruleSetHref(x.id, x.version)}">${x.id}@${x.version}</a>`} ${x.name}<div class="small muted">${originText(L, x)}</div></li>`,
      )}</ul>
    </section>
  </div>
  <section class="card" aria-labelledby="rs-ind-h">
    <h2 id="rs-ind-h">${t(L, 'rs.indicatorTable')}<span class="aside">${t(L, 'rs.indicatorCount')} ${s.indicators.length}</span></h2>
    ${indicatorTable(L, s.indicators)}
  </section>
  <section class="card" aria-labelledby="rs-src-h">
    <h2 id="rs-src-h">${t(L, 'rs.sourceFile')}</h2>
    ${d.answer.source === null ? html`<p class="muted">${t(L, 'rs.builtInSource')}</p>` : sourceLines(d.answer.source)}
  </section>`;
}

/**
 * A rule-set file chosen or pasted, and the line-numbered view the script fills with the problems
 * of the last check (`prefix` keeps the ids of two editors on one page apart).
 */
export function sourceEditor(L: Lang, o: { prefix: string; text?: string; rows?: number }): Html {
  return html`<div class="field"><label for="${o.prefix}-file">${t(L, 'rs.file')} <span class="hint">${t(L, 'rs.fileHint')}</span></label><input id="${o.prefix}-file" type="file" accept=".yaml,.yml,.json,text/yaml,application/json" data-source-file></div>
    <div class="field"><label for="${o.prefix}-content">${t(L, 'rs.content')}</label><textarea id="${o.prefix}-content" name="content" rows="${o.rows ?? 16}" class="mono source-text" spellcheck="false" autocomplete="off" data-source-text data-keep-empty>
${o.text ?? ''}</textarea></div>
    <input type="hidden" name="fileName" data-source-name>
    <section class="src-view" data-source-view="${o.prefix}" aria-label="${t(L, 'rs.viewLabel')}" hidden></section>`;
}

export function ruleSetNewBody(v: Viewer, d: { from?: { id: string; version: number; source: string } }): Html {
  const L = v.lang;
  return html`${pageHead(t(L, 'rs.add'), html`<a href="/rule-sets">${t(L, 'rs.list')}</a>${d.from ? html` · <a href="${ruleSetHref(d.from.id, d.from.version)}" class="mono">${d.from.id}@${d.from.version}</a>` : ''}`)}
  <section class="card" aria-labelledby="rs-new-h">
    <h2 id="rs-new-h">${t(L, 'rs.add')}</h2>
    <p class="small muted">${t(L, 'rs.new.help')}</p>
    <form id="rule-set-form" data-check="/api/rule-sets/check" data-add="/api/rule-sets" novalidate>
      ${formErrors}
      ${sourceEditor(L, { prefix: 'rs', ...(d.from ? { text: d.from.source } : {}), rows: 20 })}
      <div class="form-result" data-rule-result hidden></div>
      <div class="buttons"><button class="btn btn-secondary" type="submit" data-action="check">${t(L, 'rs.check')}</button><button class="btn" type="submit" data-action="add">${t(L, 'rs.addSubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
    </form>
  </section>`;
}
