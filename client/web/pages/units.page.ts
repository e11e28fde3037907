/** 单位与年度: the units a person works in; a unit's years (dashboard, report) and the ledger import. */
import type { Account } from '../../../db/accounts.repository';
import { hasUnitRole } from '../../http/access';
import type { UnitDetail, UnitSummary } from '../api-types';
import { html, type Html } from '../html';
import { type MessageKey, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';

export function unitsBody(v: Viewer, units: UnitSummary[]): Html {
  const L = v.lang;
  return html`${pageHead(t(L, 'home.title'))}
  <div class="card">
    ${units.length === 0
      ? html`<p class="muted">${t(L, 'home.none')}</p>`
      : html`<table class="data"><tbody>${units.map(
          (u) => html`<tr><td><a href="/units/${encodeURIComponent(u.code)}">${u.name}</a></td><td class="muted">${u.roles.map((r) => t(L, `role.${r.role}` as MessageKey)).join('、')}</td></tr>`,
        )}</tbody></table>`}
  </div>`;
}

export function unitBody(v: Viewer, account: Account, detail: UnitDetail): Html {
  const L = v.lang;
  const code = detail.unit.code;
  const staff = hasUnitRole(account, code, ['finance_officer', 'unit_head', 'admin']);
  const importer = hasUnitRole(account, code, ['finance_officer', 'admin']);
  const base = `/units/${encodeURIComponent(code)}`;
  return html`${pageHead(detail.unit.name, detail.unit.level ?? undefined)}
  <div class="grid">
    <div>
      <section class="card" aria-labelledby="years-h">
        <h2 id="years-h">${t(L, 'unit.years')}</h2>
        ${detail.years.length === 0
          ? html`<p class="muted">${t(L, 'unit.noYears')}</p>`
          : html`<table class="data"><tbody>${detail.years.map(
              (y) => html`<tr>
                <td><strong>${t(L, 'common.year', { year: y })}</strong></td>
                <td class="buttons">
                  ${staff ? html`<a class="btn btn-small" href="${base}/years/${y}">${t(L, 'unit.dashboard')}</a>` : ''}
                  <a class="btn btn-small btn-secondary" href="${base}/years/${y}/report">${t(L, 'unit.report')}</a>
                  ${staff ? html`<a class="btn btn-small btn-secondary" href="/api/units/${encodeURIComponent(code)}/years/${y}/ledger?format=xlsx">${t(L, 'unit.export')}</a>` : ''}
                </td></tr>`,
            )}</tbody></table>`}
      </section>
      ${importer
        ? html`<section class="card" aria-labelledby="import-h">
            <h2 id="import-h">${t(L, 'unit.import')}</h2>
            <p class="muted small">${t(L, 'unit.importHelp')}</p>
            <form data-import="/api/units/${encodeURIComponent(code)}/ledger" novalidate>
              ${formErrors}
              <div class="inline-form">
                <div class="field"><label for="ledger-file">${t(L, 'unit.file')}</label><input id="ledger-file" name="file" type="file" accept=".yaml,.yml,.json,.xlsx" required></div>
                <button class="btn" type="submit">${t(L, 'unit.importSubmit')}</button>
              </div>
              <p class="form-status small" aria-live="polite"></p>
            </form>
          </section>`
        : ''}
    </div>
    <section class="card" aria-labelledby="sections-h">
      <h2 id="sections-h">${t(L, 'unit.sections')}</h2>
      ${detail.sections.length
        ? html`<ul class="plain">${detail.sections.map((s) => html`<li>${s.name} <span class="muted small">${s.code}</span></li>`)}</ul>`
        : html`<p class="muted">${t(L, 'common.none')}</p>`}
    </section>
  </div>`;
}
