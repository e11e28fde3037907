/** 登录: email and password, posted to /api/login by the page script; errors in the page's language (and a notice after a password was set). */
import { html, type Html } from '../html';
import { t } from '../i18n';
import { formErrors, type Viewer } from '../layout';

export function loginBody(v: Viewer, next: string, notice?: string): Html {
  const L = v.lang;
  return html`<div class="login-wrap"><div class="card login-card">
  <h1>${t(L, 'login.title')}</h1>
  ${notice ? html`<div class="notice notice-ok" data-testid="login-notice">${notice}</div>` : ''}
  <p class="muted">${t(L, 'login.intro')}</p>
  <form data-api="POST /api/login" data-then="go" data-next="${next}" novalidate>
    ${formErrors}
    <div class="field"><label for="email">${t(L, 'login.email')}</label><input id="email" name="email" type="email" autocomplete="username" required autofocus></div>
    <div class="field"><label for="password">${t(L, 'login.password')}</label><input id="password" name="password" type="password" autocomplete="current-password" required data-keep-empty></div>
    <button class="btn" type="submit">${t(L, 'login.submit')}</button>
    <p class="form-status small" aria-live="polite"></p>
  </form>
</div></div>`;
}
