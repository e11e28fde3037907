/**
 * Gather: everything the report says, as one typed, pure value built from the unit-year, the
 * analysis (findings, indicators, score) and the section submissions. The section functions
 * read only this; nothing in them looks anything up.
 */
import type { CivilDate } from '../calendar/civil-date';
import { nationalCalendar, type CalendarWarning, type WorkingDayCalendar, mergeWarnings } from '../calendar/working-days';
import { holdbackDue } from '../holdbacks/due';
import type { IndicatorResult } from '../indicators';
import type { Analysis } from '../ledger/analysis';
import type { AgeingFlag } from '../ledger/carry-over';
import type { Finding } from '../ledger/reconcile';
import type { HoldbackKind, HoldbackStatus, ProjectEvaluation, UnitYear } from '../ledger/unit-year.schema';
import { type Fen, sumFen } from '../money';
import { type ProjectEvaluationScore, scoreProjectEvaluation } from '../project-evaluation';
import type { ScoreSheet } from '../scoring';
import type { SectionSubmission } from '../submission';
import { DEFAULT_OUTLINE_ID } from './outlines';

export interface HoldbackView {
  code: string;
  kind: HoldbackKind;
  amount: Fen;
  condition: string;
  status: HoldbackStatus;
  /** Due date when known (retention end, contractual date). */
  dueOn?: CivilDate;
  period?: string;
  milestone?: string;
  /** The contract's payment term after acceptance, in days. */
  paymentTermDays?: number;
  /** Latest O&M assessment of the holdback's period, if any. */
  assessment?: { period: string; passed: boolean; score?: number };
  /** The contract's acceptance date (for retentions). */
  acceptedOn?: string;
  warrantyMonths?: number;
}

/** One line of the withheld-payments schedule: what the unit still owes on a holdback, and when. */
export interface ScheduledHoldback {
  code: string;
  projectName: string;
  kind: HoldbackKind;
  condition: string;
  status: HoldbackStatus;
  /** Still owed: held + payable (released, forfeited and transferred parts are not). */
  outstanding: Fen;
  /** Paid out of it so far (partial releases). */
  released: Fen;
  /** The next date it falls due, when there is one (a defect report moves it). */
  dueOn?: string;
  period?: string;
  milestone?: string;
  paymentTermDays?: number;
}

export interface AllocationView {
  code: string;
  name: string;
  budgetYear: number;
  carriedOver: boolean;
  allocated: Fen;
  paid: Fen;
  balance: Fen;
  paymentNotes: string[];
  holdbacks: HoldbackView[];
  /** The balance is not explained by any holdback (or only partly). */
  unexplained: Fen;
}

export interface ProjectView {
  code: string;
  name: string;
  allocations: AllocationView[];
  allocated: Fen;
  paid: Fen;
  balance: Fen;
}

/** A project the unit evaluates on its own 项目支出绩效自评表 (财预〔2020〕10号). */
export interface ProjectEvaluationView {
  code: string;
  name: string;
  /** 主管部门, when the unit gave it. */
  department?: string;
  /** 实施单位: as given, else the unit. */
  implementer: string;
  /** 年度总体目标, 评价结论, 存在问题, 改进措施 and the indicators as the unit stated them. */
  evaluation: ProjectEvaluation;
  /** Scored: funds from the ledger, the indicators, total and grade. */
  score: ProjectEvaluationScore;
}

export interface AchievementView {
  section: string;
  title: string;
  paragraphs: string[];
}

export interface ReportViewModel {
  year: number;
  reportDate: CivilDate;
  draft: boolean;
  version: number;
  unit: UnitYear['unit'];
  staff: UnitYear['staff'];
  stated: UnitYear['stated'];
  narrative: UnitYear['narrative'];
  /** The report outline the unit-year chose (an id of ./outlines; the default when it chose none). */
  outline: string;
  projects: ProjectView[];
  /** Projects with a 项目支出绩效自评表, in ledger order; empty when none has one. */
  projectEvaluations: ProjectEvaluationView[];
  achievements: AchievementView[];
  outputIndicators: Array<{ section: string } & SectionSubmission['outputIndicators'][number]>;
  problems: SectionSubmission['problems'];
  nextSteps: SectionSubmission['nextSteps'];
  /** Sections that did not submit (the evaluation proceeded without them), with the reason. */
  missingSections: Array<{ section: string; reason?: string }>;
  indicators: IndicatorResult[];
  score: ScoreSheet;
  /** 基础数据表, when the unit-year has one. */
  basicData?: NonNullable<UnitYear['basicData']>;
  /** 数据说明 (e.g. which figures are example values). */
  dataNote?: string;
  findings: Finding[];
  ageing: AgeingFlag[];
  /** Evidence files (佐证材料) the score relies on, with the indicators each supports; empty without any. */
  evidence: EvidenceView[];
  /** Open holdbacks of the year, soonest due first. */
  holdbackSchedule: ScheduledHoldback[];
  warnings: CalendarWarning[];
}

/** An evidence file as the report lists it. */
export interface EvidenceFile {
  fileName: string;
  sha256: string;
  sizeBytes: number;
  /** The section whose head provided it; `null` for the finance office. */
  section: string | null;
}

export interface EvidenceView extends EvidenceFile {
  /** Who provided it: 财务 or the section's name. */
  providedBy: string;
  /** The 三级指标 it supports. */
  indicators: string[];
}

export interface GatherInput {
  unitYear: UnitYear;
  analysis: Analysis;
  /** The submissions to report; defaults to those in the unit-year. */
  submissions?: SectionSubmission[];
  /** Sections the finance officer proceeded without, with the reason. */
  proceededWithout?: Array<{ section: string; reason?: string }>;
  /**
   * The year's open holdbacks as their workflows keep them ("what falls due when": partial
   * releases, moved due dates, retentions opened by an acceptance); defaults to the ledger's.
   */
  holdbackSchedule?: ScheduledHoldback[];
  reportDate: CivilDate;
  draft: boolean;
  version: number;
  calendar?: WorkingDayCalendar;
  /** The unit-year's evidence files; those an indicator of the score cites are listed. */
  evidence?: EvidenceFile[];
}

export function gatherReport(input: GatherInput): ReportViewModel {
  const { unitYear: y, analysis } = input;
  const cal = input.calendar ?? nationalCalendar;
  const warnings: CalendarWarning[][] = [];
  const projects: ProjectView[] = y.projects.map((p) => {
    const allocations: AllocationView[] = p.allocations.map((a) => {
      const payments = p.payments.filter((x) => x.allocation === a.code);
      const paid = sumFen(payments.map((x) => x.amount));
      const holdbacks: HoldbackView[] = p.holdbacks
        .filter((h) => h.allocation === a.code)
        .map((h) => {
          const contract = h.contract === undefined ? undefined : p.contracts.find((c) => c.code === h.contract);
          const due = holdbackDue(cal, h, contract);
          warnings.push(due.warnings);
          const assessment = p.assessments.filter((x) => x.holdback === h.code).at(-1);
          return {
            code: h.code,
            kind: h.kind,
            amount: h.amount,
            condition: h.condition,
            status: h.status,
            ...(due.dueOn ? { dueOn: due.dueOn } : {}),
            ...(h.period ? { period: h.period } : {}),
            ...(h.milestone ? { milestone: h.milestone } : {}),
            ...(contract ? { paymentTermDays: contract.paymentTermDays } : {}),
            ...(contract?.acceptedOn ? { acceptedOn: contract.acceptedOn } : {}),
            ...(contract?.warrantyMonths !== undefined ? { warrantyMonths: contract.warrantyMonths } : {}),
            ...(assessment ? { assessment: { period: assessment.period, passed: assessment.passed, ...(assessment.score !== undefined ? { score: assessment.score } : {}) } } : {}),
          };
        });
      const balance = a.amount - paid;
      const held = sumFen(holdbacks.map((h) => h.amount));
      return {
        code: a.code,
        name: a.name,
        budgetYear: a.budgetYear,
        carriedOver: a.budgetYear < y.year,
        allocated: a.amount,
        paid,
        balance,
        paymentNotes: payments.flatMap((x) => (x.note ? [x.note] : [])),
        holdbacks,
        unexplained: Math.max(0, balance - held),
      };
    });
    return {
      code: p.code,
      name: p.name,
      allocations,
      allocated: sumFen(allocations.map((a) => a.allocated)),
      paid: sumFen(allocations.map((a) => a.paid)),
      balance: sumFen(allocations.map((a) => a.balance)),
    };
  });

  const submissions = input.submissions ?? y.submissions;
  const order = new Map(y.unit.sections.map((s, i) => [s.code, s.reportOrder ?? 1000 + i]));
  const sectionName = new Map(y.unit.sections.map((s) => [s.code, s.name]));
  const sorted = [...submissions].sort((a, b) => (order.get(a.section) ?? 0) - (order.get(b.section) ?? 0));
  const submitted = new Set(submissions.map((s) => s.section));

  return {
    year: y.year,
    reportDate: input.reportDate,
    draft: input.draft,
    version: input.version,
    unit: y.unit,
    staff: y.staff,
    stated: y.stated,
    narrative: y.narrative,
    outline: y.outline ?? DEFAULT_OUTLINE_ID,
    projects,
    projectEvaluations: y.projects.flatMap((p) =>
      p.evaluation
        ? [{
            code: p.code,
            name: p.name,
            ...(p.evaluation.department ? { department: p.evaluation.department } : {}),
            implementer: p.evaluation.implementer ?? y.unit.name,
            evaluation: p.evaluation,
            score: scoreProjectEvaluation({ allocations: p.allocations, payments: p.payments, evaluation: p.evaluation }, y.year),
          }]
        : [],
    ),
    achievements: sorted.flatMap((s) => s.achievements.map((a) => ({ section: sectionName.get(s.section) ?? s.section, title: a.title, paragraphs: a.paragraphs }))),
    outputIndicators: sorted.flatMap((s) => s.outputIndicators.map((i) => ({ section: sectionName.get(s.section) ?? s.section, ...i }))),
    problems: sorted.flatMap((s) => s.problems),
    nextSteps: sorted.flatMap((s) => s.nextSteps),
    missingSections: (input.proceededWithout ?? [])
      .filter((m) => !submitted.has(m.section))
      .map((m) => ({ section: sectionName.get(m.section) ?? m.section, ...(m.reason ? { reason: m.reason } : {}) })),
    indicators: analysis.indicators,
    score: analysis.score,
    ...(y.basicData ? { basicData: y.basicData } : {}),
    ...(y.dataNote ? { dataNote: y.dataNote } : {}),
    findings: analysis.reconciliation.findings,
    ageing: analysis.ageing,
    evidence: citedEvidence(input.evidence ?? [], analysis.score, sectionName),
    holdbackSchedule: input.holdbackSchedule ?? ledgerSchedule(projects),
    warnings: mergeWarnings(...warnings),
  };
}

/** The evidence files the score cites (by name, as the 自评表 shows them), in upload order. */
function citedEvidence(files: readonly EvidenceFile[], score: ScoreSheet, sectionName: ReadonlyMap<string, string>): EvidenceView[] {
  return files.flatMap((f) => {
    const indicators = score.indicators.filter((i) => i.evidence.includes(f.fileName)).map((i) => i.level3);
    return indicators.length ? [{ ...f, providedBy: f.section === null ? '财务' : (sectionName.get(f.section) ?? f.section), indicators }] : [];
  });
}

/** The schedule from the ledger alone: every holdback not yet released or forfeited, in full. */
function ledgerSchedule(projects: ProjectView[]): ScheduledHoldback[] {
  return projects.flatMap((p) =>
    p.allocations.flatMap((a) =>
      a.holdbacks
        .filter((hb) => hb.status !== 'released' && hb.status !== 'forfeited')
        .map((hb) => ({
          code: hb.code,
          projectName: p.name,
          kind: hb.kind,
          condition: hb.condition,
          status: hb.status,
          outstanding: hb.amount,
          released: 0,
          ...(hb.dueOn ? { dueOn: hb.dueOn } : {}),
          ...(hb.period ? { period: hb.period } : {}),
          ...(hb.milestone ? { milestone: hb.milestone } : {}),
          ...(hb.paymentTermDays !== undefined ? { paymentTermDays: hb.paymentTermDays } : {}),
        })),
    ),
  );
}
