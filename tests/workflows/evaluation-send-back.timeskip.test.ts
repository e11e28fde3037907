/**
 * The unit head's send-back on the time-skipping server (a server of its own): the evaluation goes
 * back to the finance officer with the head's reason — told each time — waits for them to say the
 * correction is done, and only then reconciles, scores and drafts a NEW version for the head; the
 * head is reminded while a draft waits, the finance officer while a returned one does.
 *
 * The unit-year is the seed made consistent (no blocking findings: the case where the old loop
 * re-drafted at once and handed the same version back). Business time starts on Monday 2026-04-20
 * at 10:00 (Asia/Shanghai); reminders go out at 09:00 every 2 working days after a wait began:
 *
 *   draft 1 waits from 04-20 → head reminded 04-22 (Wed), sent back 04-22 10:00
 *   returned from 04-22 10:00 → finance officer reminded 04-24 (Fri), resubmits 04-24 10:00
 *   draft 2 waits from 04-24 → head reminded 04-28 (Tue: 04-27 Mon, 04-28), sent back 04-28 10:00
 *   returned from 04-28 → resubmitted at once; draft 3 approved; issued as version 4.
 */
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { parseWanYuan as wan } from '../../domain/money';
import { reconcile } from '../../domain/ledger/reconcile';
import { approveUpdate, evaluationId, resubmitUpdate, sendBackUpdate } from '../../workflows/evaluation/contract';
import { recordFixture } from '../replay/fixtures';
import { infosecSubmission, scenario, timeSkippingHarness } from '../helpers/evaluation-scenario';
import type { seedUnitYear } from '../fixtures/seed';

/**
 * The seed with its four blocking gaps closed: 项目支出 = the itemised payments (2503.61), 支出合计 =
 * 基本 + 项目 (2689.90), 上年结转结余 = the itemised carry-over (721.06), the 智慧大脑 allocation = what
 * was paid (917.65, and its 基础数据表 row), and income such that the implied closing balance is the
 * itemised project balances.
 */
export function withoutBlockingFindings(y: ReturnType<typeof seedUnitYear>): void {
  y.stated.expenditure.project.amount = wan('2503.61');
  y.stated.expenditure.total.amount = wan('2689.90');
  y.stated.carryOver.amount = wan('721.06');
  y.projects.find((p) => p.code === 'brain-gov-service')!.allocations[0]!.amount = wan('917.65');
  y.basicData!.projects.find((r) => r.project === 'brain-gov-service')!.budget = wan('917.65');
  const itemised = reconcile(y).computed.balances.filter((b) => b.balance > 0).reduce((sum, b) => sum + b.balance, 0);
  y.stated.income.total.amount = itemised + y.stated.expenditure.total.amount - y.stated.carryOver.amount;
}

describe('a send-back (time-skipping)', () => {
  const h = timeSkippingHarness();

  it('returns the draft to the finance officer with the reason, each time, and asks the head about a new version after the correction', async () => {
    const s = await scenario(h, 'sent-back', '2026-04-20T10:00:00', { prepare: withoutBlockingFindings });
    const db = h.database.db;
    const id = evaluationId(s.unitCode, 2020);
    const messages = async () =>
      (await db.selectFrom('notifications').innerJoin('users', 'users.id', 'notifications.recipient_user_id')
        .select(['notifications.kind', 'notifications.subject', 'notifications.body', 'notifications.link', 'users.email'])
        .where('notifications.workflow_id', '=', id).where('notifications.channel', '=', 'in_app').orderBy('notifications.id').execute())
        .map((m) => ({ ...m, to: m.email.split('+')[0]! }));
    try {
      expect(reconcile(s.unitYear).findings.filter((f) => f.blocking)).toEqual([]);
      await s.submitSeedSections();
      await s.submit('infosec', infosecSubmission);
      // The stage changes before the wait (and its reminder plan) is recorded: wait for both.
      let st = await s.eventually(s.status, (x) => x.stage === 'approving' && x.waiting?.topic === 'approval', 'the first draft');
      expect(st).toMatchObject({ findings: { blocking: 0 }, reportVersion: 1, drafts: [{ version: 1, state: 'awaiting_approval' }], waiting: { topic: 'approval' } });

      // The head is reminded two working days later.
      await s.until('2026-04-22T09:01:00');
      await s.eventually(s.status, (x) => x.waiting?.remindersSent === 1, 'the approval reminder');
      expect((await messages()).filter((m) => m.kind === 'evaluation_reminder').map((m) => [m.to, m.subject])).toEqual([['head', '提醒：2020年度绩效自评报告（第1版草稿）待您审批']]);

      // Sent back: the evaluation is with the finance officer, and stays there (no new draft by itself).
      await s.until('2026-04-22T10:00:00');
      await s.handle.executeUpdate(sendBackUpdate, { args: [{ actor: 'head', reason: '第三部分绩效分析过于简略，请补充各科室工作成效' }] });
      st = await s.eventually(s.status, (x) => x.stage === 'returned', 'returned');
      expect(st.returned).toMatchObject({ kind: 'sent_back', by: 'head', reason: '第三部分绩效分析过于简略，请补充各科室工作成效', reportVersion: 1 });
      expect(st.drafts).toEqual([expect.objectContaining({ version: 1, state: 'sent_back', by: 'head' })]);
      // The stage row and then the message are written by activities after the stage changes: wait for them.
      const sentBackMessages = async () => (await messages()).filter((m) => m.kind === 'evaluation_sent_back');
      const sentBack = await s.eventually(sentBackMessages, (m) => m.length >= 1, 'the send-back message');
      expect((await db.selectFrom('evaluations').select('stage').where('workflow_id', '=', id).executeTakeFirstOrThrow()).stage).toBe('returned');
      expect(sentBack.map((m) => m.to)).toEqual(['finance']);
      expect(sentBack[0]!.body).toContain('原因：第三部分绩效分析过于简略，请补充各科室工作成效。');
      expect(sentBack[0]!.link).toBe(`/units/${s.unitCode}/years/2020`);

      // Waiting for the correction: the finance officer is reminded two working days later; nothing is drafted.
      await s.until('2026-04-24T09:01:00');
      st = await s.eventually(s.status, (x) => x.waiting?.topic === 'correction' && x.waiting.remindersSent === 1, 'the correction reminder');
      expect(st.stage).toBe('returned');
      expect(st.reportVersion).toBe(1);
      expect((await messages()).filter((m) => m.kind === 'evaluation_reminder').map((m) => m.to)).toEqual(['head', 'finance']);

      // A resubmission without a note is refused without a trace.
      const refused = await s.handle.executeUpdate(resubmitUpdate, { args: [{ actor: 'finance', note: ' ' }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((refused as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe('invalid_message');
      await s.until('2026-04-24T10:00:00');
      expect(await s.handle.executeUpdate(resubmitUpdate, { args: [{ actor: 'finance', note: '已与各科室核对，数据无误，请再审' }] })).toEqual({ ok: true, round: 2 });
      st = await s.eventually(s.status, (x) => x.stage === 'approving' && x.reportVersion === 2, 'the second draft');
      // Nothing was changed, so version 2 repeats version 1 — and says so.
      expect(st.drafts!.map((d) => [d.version, d.state, d.sameContentAs])).toEqual([[1, 'sent_back', null], [2, 'awaiting_approval', 1]]);
      // The head's message is written by the activity after the stage changes: wait for it.
      const approvalMessages = async () => (await messages()).filter((m) => m.kind === 'evaluation_approval');
      const approvals = await s.eventually(approvalMessages, (m) => m.length >= 2, 'the second approval message');
      expect(approvals.map((m) => [m.to, m.body])).toEqual([
        ['head', '第1版自评报告（草稿）已生成，请审阅后批准签发或退回。'],
        ['head', '第2版自评报告（草稿）已生成，请审阅后批准签发或退回。（退回后重新生成，内容与第1版相同。）'],
      ]);
      // Approving the old version is refused: version 2 awaits approval.
      const stale = await s.handle.executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: 1 }] }).catch((e: unknown) => e);
      expect(((stale as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe('stale');

      // The second send-back is told too (a dedupe key per send-back).
      await s.until('2026-04-28T09:01:00');
      await s.eventually(s.status, (x) => x.waiting?.topic === 'approval' && x.waiting.remindersSent === 1, 'the second approval reminder');
      await s.until('2026-04-28T10:00:00');
      await s.handle.executeUpdate(sendBackUpdate, { args: [{ actor: 'head', reason: '请在附件中补充佐证材料清单' }] });
      await s.eventually(s.status, (x) => x.stage === 'returned' && x.returned?.reportVersion === 2, 'returned again');
      expect((await s.eventually(sentBackMessages, (m) => m.length >= 2, 'the second send-back message')).map((m) => [m.to, m.subject])).toEqual([
        ['finance', '2020年度绩效自评报告第1版被退回修改'],
        ['finance', '2020年度绩效自评报告第2版被退回修改'],
      ]);
      await s.handle.executeUpdate(resubmitUpdate, { args: [{ actor: 'finance', note: '已补充' }] });
      await s.eventually(s.status, (x) => x.stage === 'approving' && x.reportVersion === 3, 'the third draft');
      await s.handle.executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: 3 }] });
      const result = await new Client({ connection: h.env.connection, namespace: 'default' }).workflow.getHandle(id).result();
      expect(result.reportVersion).toBe(4);
      st = await s.status();
      expect(st.issued).toMatchObject({ version: 4, approvedVersion: 3 });
      expect(st.drafts!.map((d) => [d.version, d.state])).toEqual([[1, 'sent_back'], [2, 'sent_back'], [3, 'approved']]);

      // Every version is stored; the issued one has the approved draft's content (only the watermark, label and date differ).
      const reports = await db.selectFrom('reports').innerJoin('unit_years', 'unit_years.id', 'reports.unit_year_id').innerJoin('units', 'units.id', 'unit_years.unit_id')
        .select(['reports.version', 'reports.kind', 'reports.content_sha256']).where('units.code', '=', s.unitCode).orderBy('reports.version').execute();
      expect(reports.map((r) => [r.version, r.kind])).toEqual([[1, 'draft'], [2, 'draft'], [3, 'draft'], [4, 'issued']]);
      const audit = await db.selectFrom('audit_log').select(['action', 'actor']).where('subject', '=', id).where('action', 'like', 'evaluation.%').orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual(['evaluation.pinned', 'evaluation.start', 'evaluation.send_back', 'evaluation.resubmit', 'evaluation.send_back', 'evaluation.resubmit', 'evaluation.approve']);
      await recordFixture('annual-evaluation-seed-cycle-send-back', s.handle);
    } finally {
      await s.stop();
    }
  });
});
