/**
 * Where a notification that names no unit-year leads (`/evaluations` in findings and escalation
 * messages, `/reports` in approval and issue messages): the person's unit-years with their
 * evaluation's stage. When one of them is plainly the one meant — the only evaluation still in
 * progress, the only report awaiting this unit head, the only issued one — the page sends the
 * person straight there instead (pages.ts decides, with `pickUnitYear`).
 */
import type { UnitYearStage } from '../../../db/admin.repository';
import { html, type Html } from '../html';
import { formatDateTime, t } from '../i18n';
import { pageHead, type Viewer } from '../layout';
import { stageChip } from './parts';

export type Destination = 'dashboard' | 'report';

/**
 * The unit-year a link without one means, in order of preference: the first tier with exactly
 * one unit-year wins; undefined when every tier is empty or ambiguous (the list is shown).
 */
export function pickUnitYear(tiers: UnitYearStage[][]): UnitYearStage | undefined {
  for (const tier of tiers) {
    if (tier.length === 1) return tier[0];
    if (tier.length > 1) return undefined;
  }
  return undefined;
}

export function hrefOf(u: Pick<UnitYearStage, 'unitCode' | 'year'>, to: Destination): string {
  const base = `/units/${encodeURIComponent(u.unitCode)}/years/${u.year}`;
  return to === 'report' ? `${base}/report` : base;
}

export function unitYearsBody(v: Viewer, items: UnitYearStage[], to: Destination): Html {
  const L = v.lang;
  const title = t(L, to === 'report' ? 'nav.reportsTitle' : 'nav.evaluationsTitle');
  return html`${pageHead(title, t(L, 'nav.pickUnitYear'))}
  <section class="card">
    ${items.length === 0
      ? html`<p class="muted">${t(L, 'nav.noUnitYears')}</p>`
      : html`<table class="data" id="unit-years"><tbody>${items.map(
          (u) => html`<tr data-unit-year="${u.unitCode}/${u.year}"><td><a href="${hrefOf(u, to)}"><strong>${u.unitName}</strong> ${t(L, 'common.year', { year: u.year })}</a></td>
            <td>${u.stage ? stageChip(L, u.stage) : html`<span class="muted small">${t(L, 'dash.notStarted')}</span>`}</td>
            <td class="small muted nowrap">${u.updatedAt ? formatDateTime(L, u.updatedAt) : ''}</td></tr>`,
        )}</tbody></table>`}
  </section>`;
}
