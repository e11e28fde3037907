/**
 * 预决算公开: the public pages, for anyone, signed in or not (overview.routes.ts's public API):
 *
 *   /public/:org/:year         the published self-evaluation reports of a year under a bureau (or
 *                              one of its departments): each unit with its self-score, the reviewed
 *                              score when a reviewer adjusted it, and when it was published;
 *   /public/:org/:year/:unit   one report: the PDF (in the page, and to download, with its sha256),
 *                              the self-score and the reviewed score side by side with every
 *                              adjusted indicator and its reason, and the 基础数据表.
 *
 * Only published, not withdrawn, accepted reports appear; a withdrawn one is gone from both.
 */
import type { PublishedReportSummary, PublishedUnitYear } from '../../../db/reviews.repository';
import { html, type Html } from '../html';
import { formatDateTime, formatPoints, type Lang, t } from '../i18n';
import { pageHead, type Viewer } from '../layout';
import { basicDataBody } from './basic-data.page';

type Org = { code: string; name: string; kind: 'bureau' | 'department'; bureau: { code: string; name: string } };

export interface PublicIndexAnswer {
  organisation: Org;
  year: number;
  years: number[];
  reports: PublishedReportSummary[];
}

export type PublicUnitAnswer = Omit<PublishedUnitYear, 'unitYearId'> & { organisation: Org };

const scoreText = (s: { totalCp: number; grade: string | null } | null) => (s ? `${formatPoints(s.totalCp)}${s.grade ? `（${s.grade}）` : ''}` : '—');
const adjusted = (r: { score: { totalCp: number } | null; reviewedScore: { totalCp: number } | null }) => !!r.score && !!r.reviewedScore && r.score.totalCp !== r.reviewedScore.totalCp;

export function publicIndexBody(v: Viewer, a: PublicIndexAnswer): Html {
  const L = v.lang;
  const org = encodeURIComponent(a.organisation.code);
  return html`${pageHead(t(L, 'pub.indexTitle', { org: a.organisation.name, year: a.year }), t(L, 'pub.indexSubtitle'))}
  ${a.years.length > 1 ? html`<nav class="year-switch small" aria-label="${t(L, 'ov.years')}">${t(L, 'ov.years')}：${a.years.map((y) => (y === a.year ? html`<strong aria-current="page">${y}</strong> ` : html`<a href="/public/${org}/${y}">${y}</a> `))}</nav>` : ''}
  <section class="card">
    ${a.reports.length === 0
      ? html`<p class="muted" data-testid="public-empty">${t(L, 'pub.none')}</p>`
      : html`<table class="data" id="public-reports"><thead><tr><th scope="col">${t(L, 'ov.unit')}</th><th scope="col">${t(L, 'ov.department')}</th><th scope="col" class="num">${t(L, 'rv.selfScore')}</th><th scope="col" class="num">${t(L, 'rv.reviewedScore')}</th><th scope="col">${t(L, 'pub.publishedAt')}</th><th scope="col">${t(L, 'pub.report')}</th></tr></thead>
          <tbody>${a.reports.map(
            (r) => html`<tr data-unit="${r.unitCode}"><td><a href="/public/${org}/${a.year}/${encodeURIComponent(r.unitCode)}"><strong>${r.unitName}</strong></a></td>
              <td class="small">${r.department?.name ?? t(L, 'ov.direct')}</td>
              <td class="num">${scoreText(r.score)}</td>
              <td class="num">${adjusted(r) ? html`<strong>${scoreText(r.reviewedScore)}</strong>` : html`<span class="muted">${t(L, 'pub.sameAsSelf')}</span>`}</td>
              <td class="small nowrap">${formatDateTime(L, r.publishedAt)}</td>
              <td class="nowrap"><a href="/api/public/organisations/${org}/years/${a.year}/units/${encodeURIComponent(r.unitCode)}/report.pdf">PDF</a></td></tr>`,
          )}</tbody></table>`}
    <p class="public-note">${t(L, 'pub.note')}</p>
  </section>`;
}

function scores(L: Lang, a: PublicUnitAnswer): Html {
  return html`<section class="card" aria-labelledby="pub-score-h" id="public-score">
    <h2 id="pub-score-h">${t(L, 'rv.scores')}</h2>
    <div class="side-by-side">
      <div data-testid="public-self-score"><div class="label">${t(L, 'rv.selfScore')}</div><p class="score-total"><strong>${scoreText(a.score)}</strong></p></div>
      <div data-testid="public-reviewed-score"><div class="label">${t(L, 'rv.reviewedScore')}</div><p class="score-total"><strong>${scoreText(a.reviewedScore)}</strong></p></div>
    </div>
    ${a.adjusted.length
      ? html`<table class="data" id="public-adjusted"><thead><tr><th scope="col">${t(L, 'rv.indicator')}</th><th scope="col" class="num">${t(L, 'rv.self')}</th><th scope="col" class="num">${t(L, 'rv.reviewed')}</th><th scope="col">${t(L, 'common.reason')}</th></tr></thead>
          <tbody>${a.adjusted.map((x) => html`<tr data-indicator="${x.id}"><td>${x.level3}</td><td class="num">${formatPoints(x.selfCp)}</td><td class="num"><strong>${formatPoints(x.reviewedCp)}</strong></td><td class="small">${x.reason}</td></tr>`)}</tbody></table>`
      : html`<p class="muted small">${t(L, 'rv.noAdjustments')}</p>`}
  </section>`;
}

export function publicUnitBody(v: Viewer, a: PublicUnitAnswer): Html {
  const L = v.lang;
  const org = encodeURIComponent(a.organisation.code);
  const pdf = `/api/public/organisations/${org}/years/${a.year}/units/${encodeURIComponent(a.unitCode)}/report.pdf`;
  const subtitle = html`${a.department ? html`${a.department.name} · ` : ''}${a.organisation.bureau.name} · ${t(L, 'pub.publishedOn', { when: formatDateTime(L, a.publishedAt), v: a.reportVersion })}`;
  const actions = html`<a class="btn btn-secondary" href="/public/${org}/${a.year}">${t(L, 'pub.back')}</a><a class="btn" href="${pdf}" download data-testid="public-pdf">${t(L, 'report.downloadPdf')}</a><a class="btn btn-secondary" href="/api/public/organisations/${org}/years/${a.year}/units/${encodeURIComponent(a.unitCode)}/review-result.pdf" data-testid="public-review-result">${t(L, 'rv.resultPdf')}</a>`;
  const basicData = a.basicData
    ? basicDataBody(v, { unitCode: a.unitCode, unitName: a.unitName, year: a.year, basicData: a.basicData, projects: [], findings: [], editable: false, staff: false, publicView: true })
    : html`<section class="card"><p class="muted">${t(L, 'pub.noBasicData')}</p></section>`;
  return html`${pageHead(t(L, 'pub.unitTitle', { unit: a.unitName, year: a.year }), subtitle, actions)}
  ${scores(L, a)}
  <section class="card" aria-labelledby="pub-report-h" id="public-report">
    <h2 id="pub-report-h">${t(L, 'pub.report')}</h2>
    <div class="label">${t(L, 'report.sha256')}</div><code class="mono hash" data-testid="public-sha256">${a.pdfSha256}</code>
    <iframe class="pdf" title="${t(L, 'pub.unitTitle', { unit: a.unitName, year: a.year })}" src="${pdf}"></iframe>
  </section>
  <h2>${t(L, 'bd.title')}</h2>
  ${basicData}`;
}
