/**
 * 报告: the report versions, a preview of the latest draft, the unit head's 批准签发 and 退回, and
 * the issued PDF/DOCX with their sha256.
 */
import type { Account } from '../../../db/accounts.repository';
import { hasUnitRole } from '../../http/access';
import type { ReportItem, StatusAnswer } from '../api-types';
import { html, type Html } from '../html';
import { formatDateTime, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';
import { stageChip, temporalLink } from './parts';

export interface ReportData {
  unitCode: string;
  unitName: string;
  year: number;
  status?: StatusAnswer;
  reports: ReportItem[];
}

export function reportRefreshMs(d: ReportData): number | undefined {
  return d.status && ['drafting', 'issuing'].includes(d.status.stage) ? 2_000 : undefined;
}

export function reportBody(v: Viewer, account: Account, d: ReportData): Html {
  const L = v.lang;
  const unit = encodeURIComponent(d.unitCode);
  const api = `/api/units/${unit}/years/${d.year}`;
  const s = d.status;
  // After a reviewer's return the revision is issued as a new version: the latest issued is the report.
  const issued = [...d.reports].filter((r) => r.kind === 'issued').sort((a, b) => b.version - a.version)[0];
  const latestDraft = [...d.reports].filter((r) => r.kind === 'draft').sort((a, b) => b.version - a.version)[0];
  const isHead = hasUnitRole(account, d.unitCode, ['unit_head']);
  const staff = hasUnitRole(account, d.unitCode, ['finance_officer', 'unit_head', 'admin']);
  const approving = s?.stage === 'approving' && s.reportVersion !== null;

  const subtitle = html`${t(L, 'common.unitYear', { unit: d.unitName, year: d.year })}${s ? html` · ${stageChip(L, s.stage)}` : ''}`;
  // A department's or the bureau's officer above the unit reads the dashboard (read only) and the review.
  const above = !account.roles.some((r) => r.unitCode === d.unitCode) && !!account.orgRoles?.length;
  const actions = html`${staff || above ? html`<a class="btn btn-secondary" href="/units/${unit}/years/${d.year}">${t(L, 'unit.dashboard')}</a>` : ''}${s?.review ? html`<a class="btn btn-secondary" href="/units/${unit}/years/${d.year}/review">${t(L, 'rv.title')}</a>` : ''}${s && !above ? temporalLink(L, s.temporalUi) : ''}`;

  const issuedCard = issued
    ? html`<section class="card" aria-labelledby="issued-h" id="issued">
        <h2 id="issued-h">${t(L, 'report.issued', { v: issued.version })}<span class="aside">${formatDateTime(L, issued.createdAt)}</span></h2>
        <p class="muted small">${t(L, 'report.issuedHelp')}</p>
        <div class="label">${t(L, 'report.sha256')}</div><code class="mono hash" data-testid="issued-pdf-sha256">${issued.pdfSha256}</code>
        <div class="label">${t(L, 'report.docxSha256')}</div><code class="mono hash">${issued.docxSha256}</code>
        <div class="buttons">
          <a class="btn" href="${api}/reports/${issued.version}/pdf" download data-testid="download-pdf">${t(L, 'report.downloadPdf')}</a>
          <a class="btn btn-secondary" href="${api}/reports/${issued.version}/docx" download>${t(L, 'report.downloadDocx')}</a>
        </div>
      </section>`
    : '';

  const approvalCard =
    approving && s
      ? html`<section class="card" aria-labelledby="approval-h" id="approval">
          <h2 id="approval-h">${t(L, 'report.approval')}</h2>
          <div class="notice notice-warn">${t(L, 'report.awaitingHead', { v: s.reportVersion ?? '' })}</div>
          ${isHead
            ? html`<p class="small muted">${t(L, 'report.approveHelp')}</p>
              <form data-api="POST ${api}/evaluation/approve" novalidate id="approve-form">
                ${formErrors}
                <input type="hidden" name="reportVersion" value="${s.reportVersion ?? ''}" data-type="number">
                <div class="buttons"><button class="btn btn-ok" type="submit">${t(L, 'report.approve')}</button><span class="form-status small" aria-live="polite"></span></div>
              </form>
              <div class="then"><details class="action"><summary>${t(L, 'report.sendBack')}</summary>
                <form data-api="POST ${api}/evaluation/send-back" novalidate>
                  ${formErrors}
                  <div class="field"><label for="send-back-reason">${t(L, 'common.reason')}</label><textarea id="send-back-reason" name="reason" rows="3" required></textarea></div>
                  <button class="btn btn-small btn-danger" type="submit">${t(L, 'report.sendBack')}</button>
                </form>
              </details></div>`
            : ''}
        </section>`
      : '';

  const preview =
    latestDraft && !issued && staff
      ? html`<section class="card" aria-labelledby="preview-h">
          <h2 id="preview-h">${t(L, 'report.draftPreview', { v: latestDraft.version })}<a class="aside" href="/units/${unit}/years/${d.year}/report/${latestDraft.version}/preview.pdf" target="_blank" rel="noopener">${t(L, 'report.openPdf')} ↗</a></h2>
          <iframe class="pdf" title="${t(L, 'report.draftPreview', { v: latestDraft.version })}" src="/units/${unit}/years/${d.year}/report/${latestDraft.version}/preview.pdf"></iframe>
        </section>`
      : '';

  const versions = html`<section class="card" aria-labelledby="versions-h">
    <h2 id="versions-h">${t(L, 'report.versions')}</h2>
    ${d.reports.length === 0
      ? html`<p class="muted">${t(L, 'report.none')}</p>`
      : html`<table class="data" id="versions">
          <thead><tr><th scope="col">${t(L, 'report.version')}</th><th scope="col">${t(L, 'report.kind')}</th><th scope="col">${t(L, 'report.createdAt')}</th><th scope="col">${t(L, 'report.createdBy')}</th><th scope="col">${t(L, 'report.sha256')}</th><th scope="col">${t(L, 'common.actions')}</th></tr></thead>
          <tbody>${[...d.reports].sort((a, b) => b.version - a.version).map(
            (r) => html`<tr><td>${r.version}</td><td><span class="chip chip-${r.kind === 'issued' ? 'issued' : 'draft'}">${t(L, r.kind === 'issued' ? 'report.kind.issued' : 'report.kind.draft')}</span></td>
              <td class="nowrap">${formatDateTime(L, r.createdAt)}</td><td class="small">${r.createdBy}</td><td class="mono">${r.pdfSha256}</td>
              <td class="nowrap"><a href="${api}/reports/${r.version}/pdf" download>PDF</a> · <a href="${api}/reports/${r.version}/docx" download>DOCX</a></td></tr>`,
          )}</tbody></table>`}
  </section>`;

  return html`${pageHead(t(L, 'report.title'), subtitle, actions)}
  ${reportRefreshMs(d) ? html`<div class="notice">${t(L, 'common.autoRefresh')}</div>` : ''}
  ${issuedCard}${approvalCard}${preview}${versions}`;
}
