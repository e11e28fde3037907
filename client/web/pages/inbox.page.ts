/**
 * 我的任务: the section head's landing page (their section's tasks), or every task of the unit for
 * the finance officer and the unit head; due dates with a red overdue mark; and 我的消息, the
 * in-app notifications.
 */
import type { Account } from '../../../db/accounts.repository';
import { hasUnitRole, isSectionHead } from '../../http/access';
import type { NotificationItem, TaskItem } from '../api-types';
import { html, type Html } from '../html';
import { formatDateTime, t } from '../i18n';
import { isUnitStaff, pageHead, type Viewer } from '../layout';
import { dueCell, stateChip } from './parts';

const OPEN_STATES = new Set(['open', 'draft', 'overdue', 'returned']);

export function inboxBody(v: Viewer, account: Account, tasks: TaskItem[], notifications: NotificationItem[], openOnly: boolean): Html {
  const L = v.lang;
  const filter = html`<a class="btn btn-small ${openOnly ? 'btn-secondary' : ''}" href="/tasks"${openOnly ? '' : html` aria-current="true"`}>${t(L, 'tasks.all')}</a>
    <a class="btn btn-small ${openOnly ? '' : 'btn-secondary'}" href="/tasks?open=true"${openOnly ? html` aria-current="true"` : ''}>${t(L, 'tasks.openOnly')}</a>`;
  const rows = tasks.map((task) => {
    // The finance officer's self-assessment is filled on its own page; a section's task on the task page.
    const mine = task.section === null ? hasUnitRole(account, task.unitCode, ['finance_officer']) : isSectionHead(account, task.unitCode, task.section);
    const canFill = mine && OPEN_STATES.has(task.state);
    const href = task.section === null ? `/units/${encodeURIComponent(task.unitCode)}/years/${task.year}/self-assessment` : `/tasks/${task.id}`;
    return html`<tr class="${task.overdue ? 'is-overdue' : ''}" data-section="${task.section ?? ''}">
      <td class="nowrap"><a href="${href}"><strong>${task.sectionName}</strong></a>${task.state === 'returned' && task.returnedReason ? html`<div class="small muted">${t(L, 'tasks.returnedReason', { reason: task.returnedReason })}</div>` : ''}</td>
      <td>${task.unitName}<div class="small muted">${t(L, 'common.year', { year: task.year })}</div></td>
      <td>${dueCell(L, task.dueAt, task.overdue)}</td>
      <td>${stateChip(L, task.state)}</td>
      <td><a class="btn btn-small ${canFill ? '' : 'btn-secondary'}" href="${href}">${canFill ? t(L, 'tasks.fill') : t(L, 'tasks.view')}</a></td>
    </tr>`;
  });
  const messages = notifications.map(
    (n) => html`<div class="msg ${n.readAt ? '' : 'unread'}">
      <div class="msg-subject">${n.readAt ? '' : html`<span class="dot" aria-label="${t(L, 'messages.unread')}"></span>`}<span>${n.subject}</span></div>
      <div class="small">${n.body}</div>
      <div class="msg-meta"><span>${formatDateTime(L, n.createdAt)}</span>
        ${n.link?.startsWith('/') ? html`<a href="${n.link}">${t(L, 'messages.open')}</a>` : ''}
        ${n.readAt ? '' : html`<form data-api="POST /api/notifications/${n.id}/read"><button class="linkish small" type="submit">${t(L, 'messages.markRead')}</button></form>`}
      </div>
    </div>`,
  );
  return html`${pageHead(t(L, 'tasks.title'), isUnitStaff(account) ? t(L, 'tasks.allOfUnit') : t(L, 'tasks.ownSections'), filter)}
  <div class="grid">
    <section class="card" aria-labelledby="tasks-h">
      <h2 id="tasks-h">${t(L, 'tasks.list')}<span class="aside">${tasks.length}</span></h2>
      ${tasks.length === 0
        ? html`<p class="muted">${t(L, 'tasks.empty')}</p>`
        : html`<table class="data" id="tasks">
            <thead><tr><th scope="col">${t(L, 'tasks.section')}</th><th scope="col">${t(L, 'tasks.unitYear')}</th><th scope="col">${t(L, 'tasks.due')}</th><th scope="col">${t(L, 'tasks.state')}</th><th scope="col"><span class="muted">${t(L, 'common.actions')}</span></th></tr></thead>
            <tbody>${rows}</tbody></table>`}
    </section>
    <section class="card" id="messages" aria-labelledby="messages-h">
      <h2 id="messages-h">${t(L, 'messages.title')}</h2>
      ${notifications.length === 0 ? html`<p class="muted">${t(L, 'messages.empty')}</p>` : messages}
    </section>
  </div>`;
}
