/**
 * One withheld amount (holdback) waiting — for years if need be — on a durable timer or a
 * recorded fact, reminding the unit's finance officers when it falls due, until it is paid.
 * The state machine per kind is in `domain/holdbacks/machine.ts`; this file orchestrates it:
 *
 *   start: facts from the ledger (activity) → facts the ledger already has (an assessment, an
 *          acceptance date) applied → schedule planned on the working-day calendar (activity) →
 *          progress written to Postgres (activity)
 *   loop:  wait (durable timer) until the next reminder / the warranty end / the next planning
 *          window, or until an update changes the state; a retention falls due at its due
 *          instant; reminders go out through the outbox; continue-as-new when the history grows
 *   end:   nothing outstanding (released, forfeited or transferred) → final progress, done.
 *
 * Deterministic: no civil-date arithmetic here (every date and reminder instant comes from the
 * planning activity as text), no I/O, no Intl. Time = workflow time + `clockOffsetMs` (0 in
 * production). Every handler is registered before the first await; validators are synchronous;
 * handlers run one at a time (a small lock shared with the main loop) and re-check the state
 * they act on.
 */
import {
  ActivityFailure, ApplicationFailure, allHandlersFinished, condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { ZodType } from 'zod';
import type { Activities } from '../../activities';
import { civilDateOf, toEpochMs, toIsoInstant } from '../../domain/calendar/civil-date';
import * as machine from '../../domain/holdbacks/machine';
import type {
  HoldbackEventResult, HoldbackEventType, HoldbackRef, HoldbackResult, HoldbackState, PlannedReminder, ReminderRequest, RetentionOpened,
} from '../../domain/holdbacks/model';
import { parse, type Problem } from '../../domain/validation';
import {
  DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS, type HoldbackInput, holdbackStateQuery, holdbackStatusQuery, invalidHoldbackEventType, recordAcceptanceSchema, recordAcceptanceUpdate,
  recordAssessmentSchema, recordAssessmentUpdate, recordMilestoneSchema, recordMilestoneUpdate, recordReleaseSchema, recordReleaseUpdate, reportDefectSchema,
  reportDefectUpdate,
} from './contract';

/** Ledger reads and writes: idempotent, retried until the database answers. */
const ledger = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: Number.POSITIVE_INFINITY, nonRetryableErrorTypes: ['not_found', 'invalid_input', 'config'] },
});
/** Starting the retention's own workflow. */
const starter = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: Number.POSITIVE_INFINITY, nonRetryableErrorTypes: ['invalid_input', 'config'] },
});
/**
 * Reminders: capped retries. Mail or a robot that is away does not fail the activity (the message
 * waits in the outbox for the worker's relay); one that still fails (the database away) is recorded
 * as failed and the holdback goes on.
 */
const notifications = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 8 },
});

function invalid(problems: Problem[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: invalidHoldbackEventType,
    message: `暂缓支付事项无效 / invalid holdback event: ${problems.map((p) => `${p.path}: ${p.en}`).join('; ')}`,
    details: [problems],
    nonRetryable: true,
  });
}

interface EventSpec<A extends { requestId: string; actor?: string | undefined }> {
  type: HoldbackEventType;
  schema: ZodType<A>;
  check: (s: HoldbackState, arg: A, today: string) => Problem[];
  apply: (s: HoldbackState, arg: A) => machine.Transition;
}

export async function holdback(input: HoldbackInput): Promise<HoldbackResult> {
  const workflowId = workflowInfo().workflowId;
  const ref: HoldbackRef = { unitCode: input.unitCode, year: input.year, holdbackCode: input.holdbackCode };
  const offset = input.carried?.clockOffsetMs ?? input.clockOffsetMs ?? 0;
  const casAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
  const nowMs = () => Date.now() + offset;
  const nowIso = () => toIsoInstant(nowMs());
  const today = () => civilDateOf(nowMs());

  let s: HoldbackState | undefined = input.carried;
  let busy = false;
  const state = (): HoldbackState => {
    if (!s) throw ApplicationFailure.nonRetryable('holdback state used before it was loaded', 'internal');
    return s;
  };

  /** One change at a time: updates and the main loop's timer work never interleave. */
  async function locked<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  }

  async function writeProgress(): Promise<void> {
    await ledger.writeHoldbackProgress(machine.progressOf(state(), nowIso()));
  }

  async function planned(st: HoldbackState): Promise<HoldbackState> {
    const req = machine.planFor(st, nowIso());
    return machine.withSchedule(st, req ? await ledger.planHoldbackSchedule(req) : undefined);
  }

  /** Applies a checked transition: schedule, side effects, event row, state, progress. */
  async function applyEvent(
    t: machine.Transition,
    meta: { requestId: string; source: 'ledger' | 'update'; actor?: string | undefined; fingerprint: string; payload: unknown },
  ): Promise<HoldbackEventResult> {
    const at = nowIso();
    let next = t.next;
    if (t.changed && t.replan) next = await planned(next);
    let retention: RetentionOpened | undefined = t.retention;
    if (retention) {
      const opened = await starter.openRetentionHoldback({
        parent: ref,
        parentWorkflowId: workflowId,
        retention,
        clockOffsetMs: offset,
        ...(input.continueAsNewAfterEvents ? { continueAsNewAfterEvents: input.continueAsNewAfterEvents } : {}),
        parentFacts: next.facts,
        now: at,
      });
      retention = { ...retention, workflowId: opened.workflowId };
    }
    const committed = machine.commit(next, { ...t, next, ...(retention ? { retention } : {}) }, {
      requestId: meta.requestId,
      recordedAt: at,
      source: meta.source,
      ...(meta.actor ? { actor: meta.actor } : {}),
      fingerprint: meta.fingerprint,
    });
    if (t.changed) await ledger.recordHoldbackEvent({ workflowId, ref, event: committed.record, payload: meta.payload, result: committed.result });
    s = committed.state;
    if (t.changed) await writeProgress();
    return committed.result;
  }

  // ── Handlers, registered before the first await ────────────────────────────────────────────

  function register<A extends { requestId: string; actor?: string | undefined }>(def: UpdateDefinition<HoldbackEventResult, [A]>, spec: EventSpec<A>): void {
    const fingerprintOf = (value: A) => machine.fingerprint({ type: spec.type, value });
    const reused = (requestId: string): Problem[] => [
      { path: 'requestId', code: 'request_id_reused', zh: `请求编号 ${requestId} 已用于另一项不同的记录`, en: `requestId ${requestId} was already used for a different record` },
    ];
    setHandler(
      def,
      async (arg: A): Promise<HoldbackEventResult> => {
        await condition(() => s !== undefined);
        return locked(async () => {
          const parsed = parse(spec.schema, arg);
          if (!parsed.ok) throw invalid(parsed.problems);
          const value = parsed.value;
          const current = state();
          const prior = current.processed[value.requestId];
          if (prior) {
            if (prior.fingerprint !== fingerprintOf(value)) throw invalid(reused(value.requestId));
            return prior.result;
          }
          const problems = spec.check(current, value, today());
          if (problems.length) throw invalid(problems);
          return applyEvent(spec.apply(current, value), { requestId: value.requestId, source: 'update', actor: value.actor, fingerprint: fingerprintOf(value), payload: value });
        });
      },
      {
        // Synchronous: a rejected update never reaches history and changes nothing.
        validator: (arg: A): void => {
          const parsed = parse(spec.schema, arg);
          if (!parsed.ok) throw invalid(parsed.problems);
          if (!s) return; // still loading: the handler checks once the state is there
          const prior = s.processed[parsed.value.requestId];
          if (prior) {
            if (prior.fingerprint !== fingerprintOf(parsed.value)) throw invalid(reused(parsed.value.requestId));
            return;
          }
          const problems = spec.check(s, parsed.value, today());
          if (problems.length) throw invalid(problems);
        },
      },
    );
  }

  register(recordAssessmentUpdate, { type: 'assessment', schema: recordAssessmentSchema, check: machine.checkAssessment, apply: machine.applyAssessment });
  register(recordAcceptanceUpdate, { type: 'acceptance', schema: recordAcceptanceSchema, check: machine.checkAcceptance, apply: machine.applyAcceptance });
  register(reportDefectUpdate, { type: 'defect', schema: reportDefectSchema, check: machine.checkDefect, apply: machine.applyDefect });
  register(recordMilestoneUpdate, { type: 'milestone', schema: recordMilestoneSchema, check: machine.checkMilestone, apply: machine.applyMilestone });
  register(recordReleaseUpdate, { type: 'release', schema: recordReleaseSchema, check: machine.checkRelease, apply: machine.applyRelease });
  setHandler(holdbackStatusQuery, () => {
    if (!s) throw ApplicationFailure.nonRetryable('暂缓支付流程正在启动 / the holdback is starting', 'not_ready');
    return machine.statusView(s, nowIso());
  });
  setHandler(holdbackStateQuery, () => {
    if (!s) throw ApplicationFailure.nonRetryable('暂缓支付流程正在启动 / the holdback is starting', 'not_ready');
    return s;
  });

  // ── First run: facts from the ledger ───────────────────────────────────────────────────────

  if (!s) {
    const { facts, opened } = await ledger.openHoldback({ ref, workflowId, clockOffsetMs: offset, now: nowIso() });
    if (opened) {
      // Planned and its progress written by the opening activity.
      s = machine.openedState(facts, offset, opened.planned);
    } else {
      busy = true; // updates wait until the ledger's own facts are recorded
      try {
        s = machine.initialState(facts, offset);
        for (const a of facts.ledgerAssessments) {
          const current = state();
          if (current.phase !== 'awaiting_assessment' || machine.periodEndOf(a.period) === undefined) break;
          const arg = { requestId: `ledger:assessment:${a.period}`, period: a.period, assessedOn: a.assessedOn ?? today(), passed: a.passed, ...(a.coefficientBp !== undefined ? { coefficientBp: a.coefficientBp } : {}) };
          if (machine.checkAssessment(current, arg, '9999-12-31').length) continue; // another period's result: not this one's
          if (a.passed && current.facts.omCoefficientApplies && a.coefficientBp === undefined) {
            s = { ...current, warnings: [...current.warnings, `台账中 ${a.period} 期间考核通过但没有系数，按全额支付 / the ledger's pass for ${a.period} has no coefficient: paid in full`] };
          }
          await applyEvent(machine.applyAssessment(state(), arg), { requestId: arg.requestId, source: 'ledger', fingerprint: machine.fingerprint({ type: 'assessment', value: arg }), payload: arg });
        }
        const afterAssessments = state();
        if (facts.kind === 'acceptance' && facts.ledgerAcceptedOn && afterAssessments.phase === 'awaiting_acceptance') {
          const arg = { requestId: `ledger:acceptance:${facts.ledgerAcceptedOn}`, acceptedOn: facts.ledgerAcceptedOn };
          if (machine.checkAcceptance(afterAssessments, arg, '9999-12-31').length === 0) {
            await applyEvent(machine.applyAcceptance(afterAssessments, arg), { requestId: arg.requestId, source: 'ledger', fingerprint: machine.fingerprint({ type: 'acceptance', value: arg }), payload: arg });
          }
        }
        if (!state().schedule && state().phase !== 'closed') s = await planned(state());
        s = { ...state(), version: state().version + 1 };
        await writeProgress();
      } finally {
        busy = false;
      }
    }
  }

  // ── Waiting ─────────────────────────────────────────────────────────────────────────────────

  const shouldContinueAsNew = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= casAfter;
  };

  /** The next instant something is due: a reminder, the warranty end, the next planning window. */
  const nextWake = (st: HoldbackState): number | undefined => {
    const sch = st.schedule;
    if (!sch || st.phase === 'closed') return undefined;
    const at: number[] = [];
    const first = sch.pending[0];
    if (first) at.push(toEpochMs(first.at));
    if (st.phase === 'warranty') at.push(toEpochMs(sch.dueAt));
    if (sch.replanAt) at.push(toEpochMs(sch.replanAt));
    return at.length ? Math.min(...at) : undefined;
  };

  async function fire(r: PlannedReminder): Promise<void> {
    const st = state();
    const sch = st.schedule!;
    const firedAt = nowIso();
    const req: ReminderRequest = {
      workflowId,
      ref,
      kind: st.facts.kind,
      projectName: st.facts.projectName,
      condition: st.facts.condition,
      plan: sch.plan,
      basis: sch.basis,
      reminder: r,
      dueOn: sch.dueOn,
      outstandingFen: machine.outstanding(st.amounts),
      payableFen: st.amounts.payableFen,
      ...(st.period && sch.plan === 'assessment' ? { period: st.period } : {}),
      firedAt,
    };
    let outcome: 'sent' | 'failed' = 'sent';
    try {
      await notifications.sendHoldbackReminder(req);
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      outcome = 'failed';
      log.warn('holdback reminder could not be delivered', { workflowId, key: r.key, basis: sch.basis, error: e.message });
    }
    s = machine.reminderFired(state(), r.key, { basis: sch.basis, key: r.key, date: r.date, at: r.at, firedAt, catchUp: r.catchUp ?? false, outcome });
  }

  /** Everything due by now: the warranty end, reminders (in order), a new planning window. */
  async function dueWork(): Promise<void> {
    let changed = false;
    const n = nowMs();
    let st = state();
    if (st.phase === 'warranty' && st.schedule && toEpochMs(st.schedule.dueAt) <= n) {
      st = machine.becomeDue(st);
      s = { ...st, version: st.version + 1 };
      changed = true;
    }
    for (;;) {
      const next = state().schedule?.pending[0];
      if (!next || toEpochMs(next.at) > n) break;
      await fire(next);
      changed = true;
    }
    const replanAt = state().schedule?.replanAt;
    if (replanAt && toEpochMs(replanAt) <= n) {
      s = await planned(state());
      s = { ...state(), version: state().version + 1 };
      changed = true;
    }
    if (changed) await writeProgress();
  }

  while (state().phase !== 'closed') {
    if (shouldContinueAsNew()) {
      await condition(() => allHandlersFinished() && !busy);
      if (state().phase === 'closed') break;
      await continueAsNew<typeof holdback>({ ...ref, clockOffsetMs: offset, ...(input.continueAsNewAfterEvents ? { continueAsNewAfterEvents: input.continueAsNewAfterEvents } : {}), carried: state() });
    }
    const version = state().version;
    const wake = nextWake(state());
    if (wake === undefined) {
      await condition(() => state().version !== version);
      continue;
    }
    const wait = wake - nowMs();
    if (wait > 0 && (await condition(() => state().version !== version, wait))) continue; // changed: look again
    await locked(async () => {
      if (state().version !== version) return;
      await dueWork();
    });
  }

  await condition(() => allHandlersFinished() && !busy);
  const final = state();
  return { status: final.status, amounts: final.amounts, remindersSentCount: final.remindersSentCount };
}
