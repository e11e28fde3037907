/**
 * Approval that means what it says, on the time-skipping server (a server of its own): the issued
 * report must be the approved draft's content. Here the ledger changes after the unit head
 * approved — the worker's issue activity re-imports the unit-year with one payment 1 万元 larger
 * just before it runs — so the issue stops, says what changed, tells the finance officer and the
 * head, and returns the evaluation; after the finance officer resubmits, the new findings are
 * acknowledged, a new draft is approved and issued.
 *
 * The seed's blocking findings wait for the finance officer's acknowledgement, who is reminded
 * every 2 working days at 09:00: the wait begins Monday 2026-04-20 10:00, the reminder is on
 * Wednesday 04-22.
 */
import { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { importUnitYear } from '../../db/ledger.repository';
import { parseWanYuan as wan } from '../../domain/money';
import { acknowledgeFindingsUpdate, approveUpdate, evaluationId, resubmitUpdate } from '../../workflows/evaluation/contract';
import { recordFixture } from '../replay/fixtures';
import { infosecSubmission, scenario, timeSkippingHarness } from '../helpers/evaluation-scenario';
import type { seedUnitYear } from '../fixtures/seed';

describe('issuing the approved draft (time-skipping)', () => {
  const h = timeSkippingHarness();

  it('stops the issue when the ledger changed after approval, says what changed, and issues a new approved draft', async () => {
    const ledger: { unitYear?: ReturnType<typeof seedUnitYear> } = {};
    let changedAfterApproval = false;
    const s = await scenario(h, 'changed', '2026-04-20T10:00:00', {
      // Between the approval and the issue: a payment of the first project grows by 1 万元 (once).
      activities: (a) => ({
        ...a,
        async issueReport(req) {
          if (!changedAfterApproval) {
            changedAfterApproval = true;
            const changed = structuredClone(ledger.unitYear!);
            changed.projects[0]!.payments[0]!.amount += wan('1');
            await importUnitYear(h.database.db, changed, { actor: 'test' });
          }
          return a.issueReport(req);
        },
      }),
    });
    ledger.unitYear = s.unitYear;
    const db = h.database.db;
    const id = evaluationId(s.unitCode, 2020);
    const messages = async (kind: string) =>
      (await db.selectFrom('notifications').innerJoin('users', 'users.id', 'notifications.recipient_user_id')
        .select(['notifications.subject', 'notifications.body', 'users.email'])
        .where('notifications.workflow_id', '=', id).where('notifications.channel', '=', 'in_app').where('notifications.kind', '=', kind).orderBy('notifications.id').execute())
        .map((m) => ({ to: m.email.split('+')[0]!, subject: m.subject, body: m.body }));
    try {
      await s.submitSeedSections();
      await s.submit('infosec', infosecSubmission);
      let st = await s.eventually(s.status, (x) => x.stage === 'reviewing' && x.waiting?.topic === 'acknowledgement', 'waiting for the acknowledgement');
      expect(st.findings).toMatchObject({ blocking: 4, acknowledged: false });
      expect(st.waiting).toMatchObject({ topic: 'acknowledgement', remindersSent: 0 });

      // The finance officer is reminded of the findings two working days later, not before.
      await s.until('2026-04-22T08:59:00');
      expect(await messages('evaluation_reminder')).toEqual([]);
      await s.until('2026-04-22T09:01:00');
      await s.eventually(s.status, (x) => x.waiting?.remindersSent === 1, 'the acknowledgement reminder');
      expect((await messages('evaluation_reminder')).map((m) => [m.to, m.subject])).toEqual([['finance', '提醒：2020年度绩效自评对账发现4项差异待确认']]);

      await s.handle.executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: 'finance', findingsSha256: st.findings.sha256!, note: '差异已核实' }] });
      st = await s.eventually(s.status, (x) => x.stage === 'approving', 'the first draft');
      expect(st.reportVersion).toBe(1);
      await s.handle.executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: 1 }] });

      // The ledger changed after the approval: not issued; back with the finance officer, saying what changed.
      st = await s.eventually(s.status, (x) => x.stage === 'returned', 'returned');
      expect(changedAfterApproval).toBe(true);
      expect(st.issued).toBeNull();
      expect(st.returned).toMatchObject({ kind: 'changed_after_approval', by: 'head', reportVersion: 1 });
      const parts = st.returned!.changes!.map((c) => c.part);
      expect(parts).toContain('ledger');
      expect(parts).not.toContain('submissions');
      const sections = st.returned!.changes!.find((c) => c.part === 'section')!;
      expect(sections.zh).toContain('附件');
      // Which project's figures changed, and which chapters and annexes of the report read differently.
      expect(st.returned!.reason).toMatch(new RegExp(`^账套数据（收支、项目、合同、支付）有变化：项目“${s.unitYear.projects[0]!.name}”；.*报告中内容不同的部分：.*附件\\d 项目支出明细表.*。$`));
      expect(st.drafts!.map((d) => [d.version, d.state])).toEqual([[1, 'changed_after_approval']]);
      // Written by activities after the stage changes (the stage row, then the messages): wait for them.
      const stopped = await s.eventually(() => messages('evaluation_issue_stopped'), (m) => m.length >= 2, 'the issue-stopped messages');
      expect(stopped.map((m) => m.to).sort()).toEqual(['finance', 'head']);
      expect(stopped[0]!.body).toContain(`第1版草稿已经head批准，但签发前重新核对发现，报告所依据的内容在批准后发生了变化：${st.returned!.reason}报告没有签发。`);
      const reports = () => db.selectFrom('reports').innerJoin('unit_years', 'unit_years.id', 'reports.unit_year_id').innerJoin('units', 'units.id', 'unit_years.unit_id').select(['reports.version', 'reports.kind']).where('units.code', '=', s.unitCode).orderBy('reports.version').execute();
      expect(await reports()).toEqual([{ version: 1, kind: 'draft' }]);
      const row = await db.selectFrom('evaluations').select(['stage', 'approved_by', 'issued_at']).where('workflow_id', '=', id).executeTakeFirstOrThrow();
      expect(row).toEqual({ stage: 'returned', approved_by: null, issued_at: null });
      const audit = await db.selectFrom('audit_log').select(['actor', 'details']).where('subject', '=', id).where('action', '=', 'evaluation.issue_stopped').execute();
      expect(audit).toEqual([{ actor: 'selfeval', details: expect.objectContaining({ reportVersion: 1, approvedBy: 'head', changes: st.returned!.changes }) }]);

      // The finance officer accepts the change: the findings moved with the ledger, so they are acknowledged again; a new draft is approved and issued.
      await s.handle.executeUpdate(resubmitUpdate, { args: [{ actor: 'finance', note: '支付金额按银行回单更正，确认无误' }] });
      st = await s.eventually(s.status, (x) => x.stage === 'reviewing' && x.findings.sha256 !== null && x.waiting?.topic === 'acknowledgement', 'the new findings');
      expect(st.findings.acknowledged).toBe(false);
      await s.handle.executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: 'finance', findingsSha256: st.findings.sha256! }] });
      st = await s.eventually(s.status, (x) => x.stage === 'approving' && x.reportVersion === 2, 'the second draft');
      expect(st.drafts!.map((d) => [d.version, d.state, d.sameContentAs])).toEqual([[1, 'changed_after_approval', null], [2, 'awaiting_approval', null]]);
      await s.handle.executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: 2 }] });
      const result = await new Client({ connection: h.env.connection, namespace: 'default' }).workflow.getHandle(id).result();
      expect(result.reportVersion).toBe(3);
      expect((await s.status()).issued).toMatchObject({ version: 3, approvedVersion: 2 });
      expect(await reports()).toEqual([{ version: 1, kind: 'draft' }, { version: 2, kind: 'draft' }, { version: 3, kind: 'issued' }]);
      await recordFixture('annual-evaluation-seed-cycle-issue-stopped', s.handle);
    } finally {
      await s.stop();
    }
  });
});
