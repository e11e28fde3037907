/**
 * 基础数据表: the Hunan 部门整体支出绩效（自评）基础数据表 laid out like the official table — rows
 * 一、财政供养人员情况 … 八、厉行节约保障措施, columns 上年决算数 | 本年预算数 | 本年决算数 — and the
 * 预算执行情况 block (年初 / 全年预算数 / 全年执行数 by fund source, 既定支付进度). Amounts are shown
 * and typed in 元 with two decimals; project, fund-source and 楼堂馆所 rows are added and removed in
 * the page. Saving sends the table to the API, which refuses it with every problem next to its cell
 * when its own columns do not add up, and otherwise answers with the findings it gives rise to.
 * The unit head (and admin) read it.
 */
import { formatYuan } from '../../../domain/money';
import type { BasicDataView, Columns, Finding } from '../api-types';
import { html, type Html } from '../html';
import { type Lang, type MessageKey, pick, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';

export interface BasicDataData {
  unitCode: string;
  unitName: string;
  year: number;
  basicData: BasicDataView | null;
  projects: Array<{ code: string; name: string }>;
  findings: Finding[];
  editable: boolean;
  staff: boolean;
  /** The published page (预决算公开): the tables only, read only. */
  publicView?: boolean;
}

type Kind = 'money' | 'count' | 'percent' | 'area' | 'text';
const COLUMNS = ['previousFinal', 'budget', 'final'] as const;
const COLUMN_KEYS: Record<(typeof COLUMNS)[number], MessageKey> = { previousFinal: 'bd.colPrevious', budget: 'bd.colBudget', final: 'bd.colFinal' };

function shown(kind: Kind, value: number | string | undefined, grouping = false): string {
  if (value === undefined || value === null) return '';
  if (kind === 'money') return formatYuan(Number(value), { grouping });
  if (kind === 'percent') return (Number(value) / 100).toFixed(2);
  return String(value);
}

const fid = (path: string) => `bd-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;

/** The findings the table gives rise to (those with one of its cells among their items). */
export function basicDataFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.items.some((i) => i.kind === 'basic_data'));
}

export function basicDataBody(v: Viewer, d: BasicDataData): Html {
  const L = v.lang;
  const unit = encodeURIComponent(d.unitCode);
  const api = `/api/units/${unit}/years/${d.year}`;
  const page = `/units/${unit}/years/${d.year}`;
  const b = d.basicData;
  const edit = d.editable;

  /** A fixed cell: an input whose path is the API's, or the value as text. */
  const cell = (kind: Kind, path: string, value: number | string | undefined, label: string, numeric = true): Html =>
    edit
      ? html`<td class="${numeric ? 'num-cell' : ''}"><input type="text" id="${fid(path)}" data-bd data-kind="${kind}" data-path="${path}" value="${shown(kind, value)}" aria-label="${label}"${numeric ? html` inputmode="decimal"` : ''} autocomplete="off"></td>`
      : html`<td class="num">${shown(kind, value, true)}</td>`;
  /** A cell of a row in a list: its path is set by the script from the row's place. */
  const rowCell = (kind: Kind, field: string, value: number | string | undefined, label: string, numeric = true): Html =>
    edit
      ? html`<td class="${numeric ? 'num-cell' : ''}"><input type="text" data-field="${field}" data-kind="${kind}" value="${shown(kind, value)}" aria-label="${label}"${numeric ? html` inputmode="decimal"` : ''} autocomplete="off"></td>`
      : html`<td class="${numeric ? 'num' : ''}">${shown(kind, value, true)}</td>`;
  const colLabel = (row: string, col: (typeof COLUMNS)[number]) => `${row} · ${t(L, COLUMN_KEYS[col])}`;
  const threeCols = (kind: Kind, base: string, cols: Columns | undefined, rowLabel: string) => COLUMNS.map((c) => cell(kind, `${base}.${c}`, cols?.[c], colLabel(rowLabel, c)));
  const fixedRow = (labelKey: MessageKey, kind: Kind, base: string, cols: Columns | undefined, cls = '') =>
    html`<tr class="${cls}"><th scope="row">${t(L, labelKey)}</th>${threeCols(kind, base, cols, t(L, labelKey))}${edit ? html`<td></td>` : ''}</tr>`;
  const colgroup = html`<colgroup><col class="c-item"><col class="c-amount"><col class="c-amount"><col class="c-amount">${edit ? html`<col class="c-act">` : ''}</colgroup>`;
  const head = (titleKey: MessageKey) =>
    html`<thead><tr><th scope="col">${t(L, titleKey)}</th>${COLUMNS.map((c) => html`<th scope="col" class="num">${t(L, COLUMN_KEYS[c])}</th>`)}${edit ? html`<th scope="col"><span class="sr-only">${t(L, 'common.actions')}</span></th>` : ''}</tr></thead>`;
  const removeCell = edit ? html`<td><button type="button" class="btn btn-small btn-danger" data-remove>${t(L, 'form.remove')}</button></td>` : '';
  const addRow = (colspan: number, key: MessageKey) => (edit ? html`<tfoot><tr><td colspan="${colspan}"><button type="button" class="btn btn-small btn-secondary" data-add>＋ ${t(L, key)}</button></td></tr></tfoot>` : '');

  // ── 一、二、 ─────────────────────────────────────────────────────────────────────────────
  const staff = b?.staff ?? {};
  const tp = b?.threePublic ?? {};
  const fixedTables = html`
    <table class="data bd-table" id="bd-staff">${colgroup}${head('bd.staff')}<tbody>
      ${fixedRow('bd.posts', 'count', 'staff.authorisedPosts', staff.authorisedPosts)}
      ${fixedRow('bd.inPost', 'count', 'staff.inPost', staff.inPost)}
      ${fixedRow('bd.controlRate', 'percent', 'staff.controlRate', staff.controlRate)}
    </tbody></table>
    <table class="data bd-table" id="bd-three-public">${colgroup}${head('bd.threePublic')}<tbody>
      ${fixedRow('bd.tpTotal', 'money', 'threePublic.total', tp.total, 'total')}
      ${fixedRow('bd.vehicles', 'money', 'threePublic.vehicles', tp.vehicles)}
      ${fixedRow('bd.vehiclePurchase', 'money', 'threePublic.vehiclePurchase', tp.vehiclePurchase, 'sub')}
      ${fixedRow('bd.vehicleOperation', 'money', 'threePublic.vehicleOperation', tp.vehicleOperation, 'sub')}
      ${fixedRow('bd.abroad', 'money', 'threePublic.abroad', tp.abroad)}
      ${fixedRow('bd.reception', 'money', 'threePublic.reception', tp.reception)}
    </tbody></table>`;

  // ── 三、项目支出 ──────────────────────────────────────────────────────────────────────────
  const projectOptions = (chosen: string | undefined) =>
    html`<option value="">${t(L, 'bd.projectNone')}</option>${d.projects.map((p) => html`<option value="${p.code}"${p.code === chosen ? html` selected` : ''}>${p.name}</option>`)}${chosen && !d.projects.some((p) => p.code === chosen) ? html`<option value="${chosen}" selected>${chosen}</option>` : ''}`;
  const projectRow = (p: (Columns & { name?: string; project?: string | undefined }) | undefined) => {
    const name = p?.name ?? '';
    const first = edit
      ? html`<td><input type="text" data-field="name" data-kind="text" value="${name}" aria-label="${t(L, 'bd.projectName')}" placeholder="${t(L, 'bd.projectName')}">
          <select data-field="project" data-kind="text" aria-label="${t(L, 'bd.projectLink')}" class="small">${projectOptions(p?.project)}</select></td>`
      : html`<td>${name}${p?.project ? html`<div class="small muted">${t(L, 'bd.projectLink')}：${d.projects.find((x) => x.code === p.project)?.name ?? p.project}</div>` : ''}</td>`;
    return html`<tr data-row data-label="${t(L, 'bd.project')}">${first}${COLUMNS.map((c) => rowCell('money', c, p?.[c], `${name || t(L, 'bd.project')} · ${t(L, COLUMN_KEYS[c])}`))}${removeCell}</tr>`;
  };
  const projectRows = b ? b.projects : d.projects.map((p) => ({ name: p.name, project: p.code }));
  const projectsTable = html`<table class="data bd-table" id="bd-projects" data-list="projects" data-item-label="${t(L, 'bd.project')}">${colgroup}${head('bd.projects')}
    <tbody class="fixed">${fixedRow('bd.projectsTotal', 'money', 'projectsTotal', b?.projectsTotal, 'total')}</tbody>
    <tbody class="rows">${projectRows.map((p) => projectRow(p))}</tbody>
    ${addRow(5, 'bd.addProject')}
    ${edit ? html`<template>${projectRow(undefined)}</template>` : ''}
  </table>`;

  // ── 四、五、六 ───────────────────────────────────────────────────────────────────────────
  const pf = b?.publicFunds ?? {};
  const moreTables = html`<table class="data bd-table" id="bd-public-funds">${colgroup}${head('bd.publicFunds')}<tbody>
      ${fixedRow('bd.pfTotal', 'money', 'publicFunds.total', pf.total, 'total')}
      ${fixedRow('bd.office', 'money', 'publicFunds.office', pf.office, 'sub')}
      ${fixedRow('bd.utilitiesTravel', 'money', 'publicFunds.utilitiesTravel', pf.utilitiesTravel, 'sub')}
      ${fixedRow('bd.meetingsTraining', 'money', 'publicFunds.meetingsTraining', pf.meetingsTraining, 'sub')}
    </tbody></table>
    <table class="data bd-table" id="bd-other">${colgroup}<tbody>
      ${fixedRow('bd.procurement', 'money', 'procurement', b?.procurement, 'heading-row')}
      ${fixedRow('bd.budgetAdjustment', 'money', 'budgetAdjustment', b?.budgetAdjustment, 'heading-row')}
    </tbody></table>`;

  // ── 七、楼堂馆所 ─────────────────────────────────────────────────────────────────────────
  const ratio = (num: string | number | undefined, den: string | number | undefined) => {
    const n = Number(num);
    const dd = Number(den);
    return num !== undefined && den !== undefined && Number.isFinite(n) && Number.isFinite(dd) && dd > 0 ? `${((n / dd) * 100).toFixed(2)}%` : '';
  };
  const buildingRow = (x: BasicDataView['buildings'][number] | undefined) =>
    html`<tr data-row data-label="${t(L, 'bd.building')}">
      ${rowCell('text', 'name', x?.name, t(L, 'bd.buildingName'), false)}
      ${rowCell('area', 'approvedArea', x?.approvedArea, t(L, 'bd.approvedArea'))}
      ${rowCell('area', 'actualArea', x?.actualArea, t(L, 'bd.actualArea'))}
      <td class="num" data-ratio="area">${x ? ratio(x.actualArea, x.approvedArea) : ''}</td>
      ${rowCell('money', 'budgetInvestment', x?.budgetInvestment, t(L, 'bd.budgetInvestment'))}
      ${rowCell('money', 'actualInvestment', x?.actualInvestment, t(L, 'bd.actualInvestment'))}
      <td class="num" data-ratio="investment">${x ? ratio(x.actualInvestment, x.budgetInvestment) : ''}</td>
      ${removeCell}
    </tr>`;
  const buildings = b?.buildings ?? [];
  const buildingsTable = html`<table class="data bd-table bd-buildings" id="bd-buildings" data-list="buildings" data-item-label="${t(L, 'bd.building')}">
    <thead><tr><th scope="col" colspan="${edit ? 8 : 7}">${t(L, 'bd.buildings')}</th></tr>
      <tr><th scope="col">${t(L, 'bd.buildingName')}</th><th scope="col" class="num">${t(L, 'bd.approvedArea')}</th><th scope="col" class="num">${t(L, 'bd.actualArea')}</th><th scope="col" class="num">${t(L, 'bd.areaRate')}</th><th scope="col" class="num">${t(L, 'bd.budgetInvestment')}</th><th scope="col" class="num">${t(L, 'bd.actualInvestment')}</th><th scope="col" class="num">${t(L, 'bd.investmentRate')}</th>${edit ? html`<th scope="col"></th>` : ''}</tr></thead>
    <tbody class="rows">${buildings.map((x) => buildingRow(x))}</tbody>
    ${!edit && buildings.length === 0 ? html`<tbody><tr><td colspan="7" class="muted">${t(L, 'bd.noBuildings')}</td></tr></tbody>` : ''}
    ${addRow(8, 'bd.addBuilding')}
    ${edit ? html`<template>${buildingRow(undefined)}</template>` : ''}
  </table>`;

  // ── 八、厉行节约保障措施 ─────────────────────────────────────────────────────────────────
  const saving = edit
    ? html`<div class="field"><label for="${fid('savingMeasures')}" class="bd-heading">${t(L, 'bd.savingMeasures')}</label><textarea id="${fid('savingMeasures')}" data-bd data-kind="text" data-path="savingMeasures" rows="3">${b?.savingMeasures ?? ''}</textarea></div>`
    : html`<h3>${t(L, 'bd.savingMeasures')}</h3><p>${b?.savingMeasures ?? '—'}</p>`;

  // ── 预算执行情况 ──────────────────────────────────────────────────────────────────────────
  const bud = b?.budget ?? { bySource: [] };
  const budgetCols = [['initial', 'bd.initial'], ['adjusted', 'bd.adjusted'], ['executed', 'bd.executed']] as const;
  const sourceRow = (x: BasicDataView['budget']['bySource'][number] | undefined) =>
    html`<tr data-row data-label="${t(L, 'bd.fundSource')}">${rowCell('text', 'source', x?.source, t(L, 'bd.fundSource'), false)}${budgetCols.map(([c, k]) => rowCell('money', c, x?.[c], `${x?.source ?? t(L, 'bd.fundSource')} · ${t(L, k)}`))}${removeCell}</tr>`;
  const sources = b ? bud.bySource : [];
  const budgetTable = html`<table class="data bd-table" id="bd-budget" data-list="budget.bySource" data-item-label="${t(L, 'bd.fundSource')}">${colgroup}
    <thead><tr><th scope="col">${t(L, 'bd.budget')}</th>${budgetCols.map(([, k]) => html`<th scope="col" class="num">${t(L, k)}</th>`)}${edit ? html`<th scope="col"></th>` : ''}</tr></thead>
    <tbody class="fixed"><tr class="total"><th scope="row">${t(L, 'bd.budgetTotal')}</th>${budgetCols.map(([c, k]) => cell('money', `budget.${c}`, bud[c], `${t(L, 'bd.budgetTotal')} · ${t(L, k)}`))}${edit ? html`<td></td>` : ''}</tr></tbody>
    <tbody class="rows">${sources.map((x) => sourceRow(x))}</tbody>
    ${addRow(5, 'bd.addSource')}
    ${edit ? html`<template>${sourceRow(undefined)}</template>` : ''}
  </table>
  ${edit
    ? html`<div class="inline-form"><div class="field"><label for="${fid('budget.plannedPaymentProgress')}">${t(L, 'bd.planned')}</label><input type="text" inputmode="decimal" id="${fid('budget.plannedPaymentProgress')}" data-bd data-kind="percent" data-path="budget.plannedPaymentProgress" value="${shown('percent', bud.plannedPaymentProgress)}"></div>
        <div class="field"><label for="${fid('source')}">${t(L, 'bd.dataSource')}</label><input type="text" id="${fid('source')}" data-bd data-kind="text" data-path="source" value="${b?.source ?? ''}"></div></div>`
    : html`<dl class="facts"><dt>${t(L, 'bd.planned')}</dt><dd>${shown('percent', bud.plannedPaymentProgress) || '—'}</dd>${b?.source ? html`<dt>${t(L, 'bd.dataSource')}</dt><dd>${b.source}</dd>` : ''}</dl>`}`;

  const shownFindings = basicDataFindings(d.findings);
  const findingsCard = html`<section class="card" id="bd-findings" aria-labelledby="bd-findings-h" aria-live="polite">
    <h2 id="bd-findings-h">${t(L, 'bd.findings')}</h2>
    <p class="small muted">${t(L, 'bd.findingsHelp')} <a href="${page}#findings">${t(L, 'unit.dashboard')}</a></p>
    <div data-findings>${findingList(L, shownFindings)}</div>
  </section>`;

  const subtitle = html`${t(L, 'common.unitYear', { unit: d.unitName, year: d.year })} · ${t(L, 'bd.amountUnit')}`;
  const actions = html`${d.staff ? html`<a class="btn btn-secondary" href="${page}">${t(L, 'unit.dashboard')}</a>` : ''}<a class="btn btn-secondary" href="${page}/self-assessment">${t(L, 'dash.selfAssessment')}</a>`;
  const tables = html`${fixedTables}${projectsTable}${moreTables}${buildingsTable}${saving}<h2 class="bd-budget-h">${t(L, 'bd.budget')}</h2>${budgetTable}`;

  if (d.publicView) return html`<section class="card basic-data" id="basic-data" aria-label="${t(L, 'bd.title')}">${tables}</section>`;
  if (!edit) {
    return html`${pageHead(t(L, 'bd.title'), subtitle, actions)}
    <div class="notice">${t(L, d.staff && !b ? 'bd.empty' : 'bd.readOnly')}</div>
    <section class="card basic-data" id="basic-data">${tables}</section>
    ${findingsCard}`;
  }
  return html`${pageHead(t(L, 'bd.title'), subtitle, actions)}
  ${findingsCard}
  <form id="basic-data-form" class="card basic-data basic-data-form" data-save="${api}/basic-data" novalidate>
    ${formErrors}
    <p class="muted small">${t(L, 'bd.intro')}</p>
    ${tables}
    <div class="form-actions"><span class="form-status" role="status" aria-live="polite"></span><span class="spacer"></span><button type="submit" class="btn">${t(L, 'bd.save')}</button></div>
  </form>`;
}

/** The findings as a list (the script renders the same shape after a save). */
export function findingList(L: Lang, findings: readonly Finding[]): Html {
  if (findings.length === 0) return html`<p class="muted">${t(L, 'bd.noFindings')}</p>`;
  return html`<ul class="plain">${findings.map(
    (f) => html`<li data-finding="${f.code}">${f.blocking ? html`<span class="chip chip-blocking">${t(L, 'dash.blocking')}</span> ` : ''}${pick(L, f.zh, f.en)}</li>`,
  )}</ul>`;
}
