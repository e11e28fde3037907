/**
 * 评价总览 for a bureau (every unit under it) or a department (its own units), one year:
 * the campaign's deadline, counts (started, issued, late, blocking findings, accepted, published),
 * the distribution of grades, filters (department, stage, review, grade, late) and sorting as a
 * plain GET form and column links, the table of units — stage and review state, due date and late
 * marks, total and grade, blocking findings, withheld amounts falling due — each linking to the
 * unit's dashboard and report, pages of 200, and the Excel export of exactly what is shown.
 */
import type { OverviewRow } from '../../../db/overview.repository';
import { OVERVIEW_STAGES, REVIEW_STATES, SORT_KEYS, type SortKey, stageOf } from '../../bureau/overview';
import { html, type Html } from '../html';
import { formatDate, formatDateTime, formatPoints, formatWan, formatWanNumber, type Lang, type MessageKey, t } from '../i18n';
import { pageHead, type Viewer } from '../layout';
import { gradeName } from './parts';

export type OverviewRowJson = OverviewRow & {
  /** The evaluation's latest run stopped without issuing (failed, terminated…): nothing advances until it is restarted. */
  runStopped?: string;
};

export interface OverviewAnswer {
  organisation: { code: string; name: string; kind: 'bureau' | 'department'; parent: { code: string; name: string } | null };
  year: number;
  today: string;
  horizon: string;
  campaign: { organisationId: number; dueDate: string; ruleSetId: string; ruleSetVersion: number | null; outline: string | null; createdAt: string; stoppedState?: string | null } | null;
  departments: Array<{ code: string; name: string }>;
  counts: { units: number; started: number; issued: number; late: number; withBlocking: number; accepted: number; published: number };
  distribution: { grades: Array<{ code: string; zh: string; count: number }>; ungraded: number };
  filtered: { total: number; distribution: { grades: Array<{ code: string; zh: string; count: number }>; ungraded: number } };
  rows: OverviewRowJson[];
  /** Every unit in scope whose evaluation stopped (not only this page's); null when Temporal did not answer. */
  stopped: Array<{ unitCode: string; unitName: string; state: string; closedAt: string | null; reason?: string | null }> | null;
  offset: number;
  limit: number;
}

/** The overview's query as the page keeps it (only known keys, as strings). */
export type OverviewQueryText = Partial<Record<'department' | 'stage' | 'review' | 'grade' | 'late' | 'sort' | 'order' | 'offset', string>>;
export const OVERVIEW_QUERY_KEYS = ['department', 'stage', 'review', 'grade', 'late', 'sort', 'order', 'offset'] as const;

export interface OverviewPageData {
  answer: OverviewAnswer;
  query: OverviewQueryText;
  /** Years the organisation has data for (to switch), newest first. */
  years: number[];
  /** The viewer is a bureau officer of the bureau (or above this department): administration links. */
  bureauOfficer: boolean;
}

const qs = (q: OverviewQueryText, extra: OverviewQueryText = {}): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...extra })) if (v !== undefined && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
};

export function reviewChip(L: Lang, state: string | null): Html {
  if (state === null) return html``;
  return html`<span class="chip chip-review chip-review-${state}" data-review="${state}">${t(L, `review.${state}` as MessageKey)}</span>`;
}

function overviewStageChip(L: Lang, r: OverviewRowJson): Html {
  const s = stageOf(r);
  if (s === 'no_ledger' || s === 'not_started') return html`<span class="chip chip-draft" data-stage="${s}">${t(L, `ov.stage.${s}`)}</span>`;
  return html`<span class="chip chip-stage${s === 'issued' ? ' chip-issued' : ''}" data-stage="${s}">${t(L, `stage.${s}` as MessageKey)}</span>`;
}

function distributionBlock(L: Lang, d: OverviewAnswer['distribution'], total: number): Html {
  const max = Math.max(1, total);
  return html`<table class="data dist" id="grade-distribution"><tbody>
    ${d.grades.map(
      (g) => html`<tr data-grade="${g.code}"><th scope="row">${gradeName(L, g)}</th><td class="dist-bar"><progress max="${max}" value="${g.count}" aria-label="${gradeName(L, g)}"></progress></td><td class="num" data-count>${g.count}</td></tr>`,
    )}
    <tr data-grade="none"><th scope="row">${t(L, 'ov.ungraded')}</th><td class="dist-bar"><progress max="${max}" value="${d.ungraded}" aria-label="${t(L, 'ov.ungraded')}"></progress></td><td class="num" data-count>${d.ungraded}</td></tr>
  </tbody></table>`;
}

function filterForm(L: Lang, d: OverviewPageData, base: string): Html {
  const q = d.query;
  const a = d.answer;
  const option = (value: string, label: string, current: string | undefined) => html`<option value="${value}"${current === value ? html` selected` : ''}>${label}</option>`;
  const gradeCodes = a.distribution.grades;
  return html`<form method="get" action="${base}" class="inline-form filters" id="overview-filter">
    ${a.organisation.kind === 'bureau'
      ? html`<div class="field"><label for="f-department">${t(L, 'ov.department')}</label><select id="f-department" name="department">${option('', t(L, 'ov.any'), q.department)}${a.departments.map((x) => option(x.code, x.name, q.department))}${option('-', t(L, 'ov.direct'), q.department)}</select></div>`
      : ''}
    <div class="field"><label for="f-stage">${t(L, 'ov.stage')}</label><select id="f-stage" name="stage">${option('', t(L, 'ov.any'), q.stage)}${OVERVIEW_STAGES.map((s) => option(s, s === 'no_ledger' || s === 'not_started' ? t(L, `ov.stage.${s}`) : t(L, `stage.${s}` as MessageKey), q.stage))}</select></div>
    <div class="field"><label for="f-review">${t(L, 'ov.review')}</label><select id="f-review" name="review">${option('', t(L, 'ov.any'), q.review)}${REVIEW_STATES.map((s) => option(s, t(L, `review.${s}` as MessageKey), q.review))}</select></div>
    <div class="field"><label for="f-grade">${t(L, 'ov.grade')}</label><select id="f-grade" name="grade">${option('', t(L, 'ov.any'), q.grade)}${gradeCodes.map((g) => option(g.code, gradeName(L, g), q.grade))}${option('none', t(L, 'ov.ungraded'), q.grade)}</select></div>
    <div class="field"><label for="f-late">${t(L, 'ov.late')}</label><select id="f-late" name="late">${option('', t(L, 'ov.any'), q.late)}${option('true', t(L, 'ov.lateOnly'), q.late)}${option('false', t(L, 'ov.onTime'), q.late)}</select></div>
    <div class="field"><label for="f-sort">${t(L, 'ov.sort')}</label><select id="f-sort" name="sort">${SORT_KEYS.map((k) => option(k, t(L, `ov.sort.${k}`), q.sort ?? 'unit'))}</select></div>
    <div class="field"><label for="f-order">${t(L, 'ov.order')}</label><select id="f-order" name="order">${option('asc', t(L, 'ov.asc'), q.order ?? 'asc')}${option('desc', t(L, 'ov.desc'), q.order)}</select></div>
    <button class="btn" type="submit">${t(L, 'ov.apply')}</button>
    <a class="btn btn-secondary" href="${base}">${t(L, 'ov.clear')}</a>
  </form>`;
}

function rowHtml(L: Lang, a: OverviewAnswer, r: OverviewRowJson): Html {
  const unit = encodeURIComponent(r.unitCode);
  const page = `/units/${unit}/years/${a.year}`;
  const late = r.late || r.overdueTasks > 0;
  const w = r.withheld;
  return html`<tr data-unit="${r.unitCode}" class="${late ? 'is-overdue' : ''}">
    <td><a href="${page}"><strong>${r.unitName}</strong></a><div class="small muted"><span class="mono">${r.unitCode}</span>${a.organisation.kind === 'bureau' ? html` · ${r.department?.name ?? t(L, 'ov.direct')}` : ''}</div></td>
    <td>${overviewStageChip(L, r)}${r.runStopped ? html` <span class="chip chip-overdue" data-run-stopped="${r.runStopped}">${t(L, 'ov.runStopped')}</span>` : ''} ${reviewChip(L, r.review)}${r.publishedVersion !== null ? html` <span class="chip chip-issued" data-published>${t(L, 'ov.published')}</span>` : ''}</td>
    <td class="nowrap">${r.dueOn ? formatDate(L, r.dueOn) : '—'}${r.late ? html`<div><span class="chip chip-overdue" data-late>${t(L, 'ov.lateMark')}</span></div>` : ''}${r.overdueTasks ? html`<div class="small alert-text" data-overdue-tasks="${r.overdueTasks}">${t(L, 'ov.overdueTasks', { n: r.overdueTasks })}${r.escalatedTasks ? ` · ${t(L, 'ov.escalated', { n: r.escalatedTasks })}` : ''}</div>` : ''}</td>
    <td class="num" data-total>${r.totalCp === null ? '—' : formatPoints(r.totalCp)}${r.grade && r.final ? html`<div><strong data-grade>${gradeName(L, r.grade)}</strong></div>` : r.totalCp !== null ? html`<div class="small muted">${t(L, 'ov.notFinal')}</div>` : ''}</td>
    <td class="num" data-blocking="${r.findingsAcknowledged ? 0 : r.blockingFindings}">${r.blockingFindings ? html`${r.blockingFindings}${r.findingsAcknowledged ? html`<div class="small muted">${t(L, 'ov.acknowledged')}</div>` : html`<div><span class="chip chip-blocking">${t(L, 'dash.blocking')}</span></div>`}` : html`<span class="muted">0</span>`}</td>
    <td class="num" data-withheld="${w.dueByHorizonFen}">${w.count
      ? html`<span title="${formatWan(L, w.outstandingFen)}">${formatWanNumber(w.outstandingFen)}</span>${w.dueByHorizonFen ? html`<div class="small alert-text">${t(L, 'ov.dueBy', { amount: formatWanNumber(w.dueByHorizonFen) })}</div>` : ''}${w.nextDueOn ? html`<div class="small muted nowrap">${t(L, 'ov.nextDue', { date: formatDate(L, w.nextDueOn) })}</div>` : ''}`
      : html`<span class="muted">—</span>`}</td>
    <td class="nowrap"><a href="${page}">${t(L, 'unit.dashboard')}</a> · <a href="${page}/report">${t(L, 'unit.report')}</a></td>
  </tr>`;
}

export function overviewBody(v: Viewer, d: OverviewPageData): Html {
  const L = v.lang;
  const a = d.answer;
  const org = encodeURIComponent(a.organisation.code);
  const base = `/orgs/${org}/years/${a.year}`;
  const q = d.query;
  const sortLink = (key: SortKey, labelKey: MessageKey) => {
    const current = (q.sort ?? 'unit') === key;
    const order = current && (q.order ?? 'asc') === 'asc' ? 'desc' : 'asc';
    const { offset: _o, ...rest } = q;
    return html`<a href="${base}${qs(rest, { sort: key, order })}" data-sort="${key}"${current ? html` aria-sort="${(q.order ?? 'asc') === 'asc' ? 'ascending' : 'descending'}"` : ''}>${t(L, labelKey)}${current ? ((q.order ?? 'asc') === 'asc' ? ' ↑' : ' ↓') : ''}</a>`;
  };
  const { offset: _offset, ...withoutOffset } = q;
  const exportHref = `/api/organisations/${org}/years/${a.year}/overview/export${qs(withoutOffset)}`;
  const actions = html`<a class="btn btn-secondary" href="${exportHref}" download data-testid="export">${t(L, 'ov.export')}</a>
    <a class="btn btn-secondary" href="${base}/campaign">${t(L, 'ov.campaign')}</a>
    <a class="btn btn-secondary" href="${base}/reviews">${t(L, 'ov.reviews')}</a>
    <a class="btn btn-secondary" href="/orgs/${org}/admin">${t(L, 'ov.admin')}</a>`;
  const subtitle = html`${a.organisation.name}${a.organisation.parent ? html` · ${a.organisation.parent.name}` : ''} · ${t(L, 'common.year', { year: a.year })}`;
  const c = a.counts;
  const counts: Array<[MessageKey, number, string]> = [
    ['ov.units', c.units, 'units'], ['ov.started', c.started, 'started'], ['ov.issued', c.issued, 'issued'], ['ov.lateCount', c.late, 'late'],
    ['ov.withBlocking', c.withBlocking, 'blocking'], ['ov.accepted', c.accepted, 'accepted'], ['ov.publishedCount', c.published, 'published'],
  ];
  const prev = a.offset > 0 ? `${base}${qs(q, { offset: String(Math.max(0, a.offset - a.limit)) })}` : undefined;
  const next = a.offset + a.limit < a.filtered.total ? `${base}${qs(q, { offset: String(a.offset + a.limit) })}` : undefined;
  return html`${pageHead(t(L, 'ov.title'), subtitle, actions)}
  ${a.stopped?.length
    ? html`<div class="notice notice-warn" id="stopped-evaluations"><strong>${t(L, 'ov.stoppedTitle', { n: a.stopped.length })}</strong> ${t(L, 'ov.stoppedHelp')}
        <ul class="plain">${a.stopped.map((x) => html`<li data-unit="${x.unitCode}"><a href="/units/${encodeURIComponent(x.unitCode)}/years/${a.year}">${x.unitName}</a> <span class="small muted">${t(L, `rst.state.${x.state}` as MessageKey)}${x.closedAt ? html` · ${formatDateTime(L, x.closedAt)}` : ''}${x.reason ? html` · <span data-testid="stop-reason">${x.reason}</span>` : ''}</span></li>`)}</ul></div>`
    : ''}
  ${a.campaign?.stoppedState ? html`<div class="notice notice-danger" id="campaign-stopped-notice"><strong>${t(L, 'cp.stopped')}</strong> <a href="${base}/campaign">${t(L, 'ov.campaign')}</a></div>` : ''}
  ${d.years.length > 1 ? html`<nav class="year-switch small" aria-label="${t(L, 'ov.years')}">${t(L, 'ov.years')}：${d.years.map((y) => (y === a.year ? html`<strong aria-current="page">${y}</strong> ` : html`<a href="/orgs/${org}/years/${y}">${y}</a> `))}</nav>` : ''}
  <section class="card" aria-labelledby="ov-summary-h">
    <h2 id="ov-summary-h" class="sr-only">${t(L, 'ov.summary')}</h2>
    <p data-testid="campaign-line">${a.campaign
      ? t(L, 'ov.campaignLine', { date: formatDate(L, a.campaign.dueDate), ruleSet: `${a.campaign.ruleSetId}${a.campaign.ruleSetVersion ? `@${a.campaign.ruleSetVersion}` : ''}` })
      : html`<span class="muted">${t(L, 'ov.noCampaign')}</span>`}</p>
    <div class="ov-grid">
      <dl class="counts" id="overview-counts">${counts.map(([k, n, key]) => html`<div data-count="${key}"><dt>${t(L, k)}</dt><dd>${n}</dd></div>`)}</dl>
      <div><h3>${t(L, 'ov.distribution')}</h3>${distributionBlock(L, a.distribution, c.units)}</div>
    </div>
  </section>
  <section class="card" aria-labelledby="ov-table-h">
    <h2 id="ov-table-h">${t(L, 'ov.units')}<span class="aside" data-testid="shown">${t(L, 'ov.shown', { n: a.filtered.total, all: c.units })}</span></h2>
    ${filterForm(L, d, base)}
    ${a.rows.length === 0
      ? html`<p class="muted" data-testid="overview-empty">${t(L, 'ov.none')}</p>`
      : html`<div class="table-scroll"><table class="data" id="overview">
          <thead><tr>
            <th scope="col">${sortLink('unit', 'ov.unit')}</th><th scope="col">${sortLink('stage', 'ov.stage')}</th><th scope="col">${sortLink('due', 'ov.due')}</th>
            <th scope="col" class="num">${sortLink('total', 'ov.total')}</th><th scope="col" class="num">${sortLink('blocking', 'ov.blocking')}</th>
            <th scope="col" class="num">${sortLink('withheld', 'ov.withheld')}</th><th scope="col">${t(L, 'common.actions')}</th>
          </tr></thead>
          <tbody>${a.rows.map((r) => rowHtml(L, a, r))}</tbody></table></div>
        <p class="small muted">${t(L, 'ov.withheldHelp', { date: formatDate(L, a.horizon) })}</p>`}
    ${prev || next
      ? html`<p class="buttons pager">${prev ? html`<a class="btn btn-small btn-secondary" href="${prev}" rel="prev">${t(L, 'ov.prev')}</a>` : ''}<span class="small muted">${t(L, 'ov.range', { from: a.offset + 1, to: Math.min(a.filtered.total, a.offset + a.limit), n: a.filtered.total })}</span>${next ? html`<a class="btn btn-small btn-secondary" href="${next}" rel="next">${t(L, 'ov.next')}</a>` : ''}</p>`
      : ''}
  </section>`;
}
