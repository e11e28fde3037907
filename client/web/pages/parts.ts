/** Small pieces several pages share: state chips, dates, links to the Temporal web UI, the score. */
import { workflowUiUrl } from '../../temporal';
import type { ServerDeps } from '../../http/server';
import type { ScoreSheet } from '../api-types';
import type { UndeliveredNotification } from '../../../db/notifications.repository';
import { html, type Html } from '../html';
import { formatDate, formatPoints, type Lang, type MessageKey, pick, t } from '../i18n';

export function stateChip(lang: Lang, state: string): Html {
  return html`<span class="chip chip-${state}">${t(lang, `state.${state}` as MessageKey)}</span>`;
}

export function stageChip(lang: Lang, stage: string): Html {
  return html`<span class="chip chip-stage${stage === 'issued' ? ' chip-issued' : ''}" data-stage="${stage}">${t(lang, `stage.${stage}` as MessageKey)}</span>`;
}

export function dueCell(lang: Lang, dueAt: string, overdue: boolean): Html {
  return html`<span class="nowrap">${formatDate(lang, dueAt)}</span>${overdue ? html` <span class="chip chip-overdue overdue-mark">${t(lang, 'tasks.overdue')}</span>` : ''}`;
}

export function temporalUrl(deps: ServerDeps, workflowId: string): string {
  return workflowUiUrl({ temporal: { uiUrl: deps.temporalUiUrl, namespace: deps.temporal.options.namespace } }, workflowId);
}

export function temporalLink(lang: Lang, url: string, short = false): Html {
  return html`<a class="small" href="${url}" target="_blank" rel="noopener" data-temporal-link>${short ? t(lang, 'common.temporalShort') : t(lang, 'common.temporal')} ↗</a>`;
}

/** Reasons often repeat the indicator's name ("预算完成率：尚无数据，未评分"): group by the rest. */
function missingGroups(L: Lang, missing: ScoreSheet['missing']): Array<{ reason: string; items: ScoreSheet['missing'] }> {
  const groups = new Map<string, ScoreSheet['missing']>();
  for (const m of missing) {
    const text = pick(L, m.reason.zh, m.reason.en);
    const reason = text.startsWith(`${m.level3}：`) ? text.slice(m.level3.length + 1) : text.startsWith(`${m.level3}: `) ? text.slice(m.level3.length + 2) : text;
    groups.set(reason, [...(groups.get(reason) ?? []), m]);
  }
  return [...groups.entries()].map(([reason, items]) => ({ reason, items }));
}

/** A score sheet: total, grade, which indicators lose points and why, which are not yet scored. */
/** A grade in the page's language: the four standard ones translated, a rule set's own by its name. */
export function gradeName(L: Lang, grade: { code: string; zh: string }): string {
  return ['excellent', 'good', 'fair', 'poor'].includes(grade.code) ? t(L, `grade.${grade.code as 'excellent' | 'good' | 'fair' | 'poor'}`) : grade.zh;
}

export function scoreView(L: Lang, score: ScoreSheet, help?: string): Html {
  const scored = score.indicators.length - score.unscoredCount;
  return html`<h2 id="score-h">${t(L, 'preview.title')}</h2>
  ${help ? html`<p class="muted small">${help}</p>` : ''}
  <p class="score-total"><strong>${formatPoints(score.totalCp)}</strong>${t(L, 'preview.total', { scored, max: formatPoints(score.scoredMaxCp) })}</p>
  <p class="score-grade">${score.grade
    ? t(L, 'preview.grade', { grade: gradeName(L, score.grade) })
    : t(L, 'preview.gradeRange', { worst: gradeName(L, score.gradeRange.worst), best: gradeName(L, score.gradeRange.best) })}</p>
  <h3>${t(L, 'preview.losses')}</h3>
  ${score.losses.length === 0
    ? html`<p class="muted">${t(L, 'preview.noLosses')}</p>`
    : html`<ul class="plain" data-testid="score-losses">${score.losses.map(
        (l) => html`<li><strong>${l.level3}</strong> <span class="loss">${t(L, 'preview.deduction', { points: formatPoints(l.deductionCp) })}</span><div class="muted small">${l.reasonZh}</div></li>`,
      )}</ul>`}
  ${score.missing.length
    ? html`<h3>${t(L, 'preview.missing', { n: score.missing.length, points: formatPoints(score.unscoredMaxCp) })}</h3>
      <ul class="plain" data-testid="score-missing">${missingGroups(L, score.missing).map(
        (g) => html`<li><div class="small muted">${g.reason}</div><div class="names small">${g.items.map(
          (m, i) => html`${i ? '、' : ''}<span>${m.level3}（${formatPoints(m.maxCp)}）</span>`,
        )}</div></li>`,
      )}</ul>`
    : ''}
  ${score.explanationsOwed.length
    ? html`<h3>${t(L, 'preview.owed')}</h3><ul class="plain">${score.explanationsOwed.map((o) => html`<li><strong>${o.level3}</strong><div class="muted small">${pick(L, o.zh, o.en)}</div></li>`)}</ul>`
    : ''}`;
}

/** A message's delivery state in words, with why it did not arrive in brackets (the dashboard's and a withheld payment's lists). */
export function deliveryState(L: Lang, n: Pick<UndeliveredNotification, 'status' | 'error'>): Html {
  return html`${t(L, `delivery.${n.status}`)}${n.error ? html` <span class="muted">${L === 'zh' ? html`（${n.error}）` : html`(${n.error})`}</span>` : ''}`;
}
