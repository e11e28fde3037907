/**
 * 我的账号: who I am and my roles, changing my password (my other sessions end), and my API tokens
 * for the command line (listed without their secret, revocable). And 设置密码, the page a one-time
 * reset link opens: a new password for the link's person, after which the link no longer works.
 */
import type { Account, ApiTokenInfo } from '../../../db/accounts.repository';
import { html, type Html } from '../html';
import { formatDate, formatDateTime, type Lang, type MessageKey, t } from '../i18n';
import { formErrors, pageHead, type Viewer } from '../layout';

export interface AccountPageData {
  account: Account;
  tokens: ApiTokenInfo[];
  /** The password was just changed (the page after the form). */
  changed: boolean;
}

export function roleList(L: Lang, roles: Account['roles']): Html {
  return html`<ul class="plain">${roles.map(
    (r) => html`<li>${t(L, `role.${r.role}` as MessageKey)} <span class="muted small">${r.unitCode}${r.section ? ` · ${r.section}` : ''}</span></li>`,
  )}</ul>`;
}

export function passwordFields(L: Lang, prefix: string): Html {
  return html`<div class="field"><label for="${prefix}-new">${t(L, 'account.newPassword')} <span class="hint">${t(L, 'account.passwordRule')}</span></label><input id="${prefix}-new" name="newPassword" type="password" autocomplete="new-password" required data-keep-empty></div>
    <div class="field"><label for="${prefix}-confirm">${t(L, 'account.confirmPassword')}</label><input id="${prefix}-confirm" type="password" autocomplete="new-password" required data-path="newPasswordConfirm" data-confirms="newPassword" data-mismatch="${t(L, 'account.mismatch')}"></div>`;
}

export function tokensTable(L: Lang, tokens: ApiTokenInfo[], revokeUrl: (id: number) => string, withOwner: boolean): Html {
  if (tokens.length === 0) return html`<p class="muted">${t(L, 'account.noTokens')}</p>`;
  return html`<table class="data" data-testid="tokens"><thead><tr>${withOwner ? html`<th scope="col">${t(L, 'admin.person')}</th>` : ''}<th scope="col">${t(L, 'account.tokenName')}</th><th scope="col">${t(L, 'account.created')}</th><th scope="col">${t(L, 'account.lastUsed')}</th><th scope="col">${t(L, 'tasks.state')}</th></tr></thead>
    <tbody>${tokens.map(
      (k) => html`<tr data-token="${k.id}">${withOwner ? html`<td class="small">${k.email}</td>` : ''}<td>${k.name}</td><td class="small nowrap">${formatDate(L, k.createdAt)}</td><td class="small nowrap">${k.lastUsedAt ? formatDateTime(L, k.lastUsedAt) : '—'}</td>
        <td>${k.revokedAt
          ? html`<span class="chip chip-cancelled">${t(L, 'account.revoked')}</span>`
          : html`<form data-api="POST ${revokeUrl(k.id)}" novalidate>${formErrors}<button class="btn btn-small btn-danger" type="submit">${t(L, 'account.revoke')}</button></form>`}</td></tr>`,
    )}</tbody></table>`;
}

export function accountBody(v: Viewer, d: AccountPageData): Html {
  const L = v.lang;
  const a = d.account;
  return html`${pageHead(t(L, 'account.title'), `${a.name} · ${a.email}`)}
  ${d.changed ? html`<div class="notice notice-ok" data-testid="password-changed">${t(L, 'account.changed')}</div>` : ''}
  <div class="grid">
    <div>
      <section class="card" aria-labelledby="password-h" id="password">
        <h2 id="password-h">${t(L, 'account.changePassword')}</h2>
        <p class="small muted">${t(L, 'account.changeHelp')}</p>
        <form data-api="PUT /api/me/password" data-then="go" data-next="/account?changed=1" novalidate id="password-form">
          ${formErrors}
          <div class="field"><label for="pw-current">${t(L, 'account.currentPassword')}</label><input id="pw-current" name="currentPassword" type="password" autocomplete="current-password" required data-keep-empty></div>
          ${passwordFields(L, 'pw')}
          <div class="buttons"><button class="btn" type="submit">${t(L, 'account.changeSubmit')}</button><span class="form-status small" aria-live="polite"></span></div>
        </form>
      </section>
      <section class="card" aria-labelledby="tokens-h" id="tokens">
        <h2 id="tokens-h">${t(L, 'account.tokens')}</h2>
        <p class="small muted">${t(L, 'account.tokensHelp')}</p>
        ${tokensTable(L, d.tokens, (id) => `/api/me/tokens/${id}/revoke`, false)}
      </section>
    </div>
    <section class="card" aria-labelledby="roles-h">
      <h2 id="roles-h">${t(L, 'account.roles')}</h2>
      ${a.roles.length ? roleList(L, a.roles) : html`<p class="muted">${t(L, 'home.none')}</p>`}
    </section>
  </div>`;
}

export function passwordResetBody(v: Viewer, reset: { token: string; email: string; expiresAt: Date } | undefined): Html {
  const L = v.lang;
  return html`<div class="login-wrap"><div class="card login-card">
  <h1>${t(L, 'reset.title')}</h1>
  ${reset
    ? html`<p class="muted">${t(L, 'reset.intro', { email: reset.email, date: formatDateTime(L, reset.expiresAt) })}</p>
      <form data-api="POST /api/password-reset" data-then="go" data-next="/login?reset=1" novalidate id="reset-form">
        ${formErrors}
        <input type="hidden" name="token" value="${reset.token}">
        ${passwordFields(L, 'reset')}
        <button class="btn" type="submit">${t(L, 'reset.submit')}</button>
        <p class="form-status small" aria-live="polite"></p>
      </form>`
    : html`<div class="notice notice-danger" role="alert" data-testid="reset-invalid">${t(L, 'reset.invalid')}</div><p><a href="/login">${t(L, 'login.title')}</a></p>`}
</div></div>`;
}
