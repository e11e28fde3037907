/**
 * The unit-year document: everything a unit's finance office knows about one fiscal year, as a
 * file (JSON or YAML; the Excel workbook maps onto the same shape). Parsing it gives a typed
 * `UnitYear` with every amount in 分, or every problem at once with its field path, in Chinese and
 * English — and nothing else happens until the file is clean.
 *
 * Two kinds of figures are kept apart on purpose:
 * - `stated`: what the unit declares in its report (totals, shares) — may be wrong, rounded or
 *   incomplete; that is what reconciliation is for;
 * - itemised rows: projects, allocations, contracts, payments, holdbacks, assessments.
 */
import { z } from 'zod';
import { type Fen, formatWanYuan } from '../money';
import { decimalTextSchema, formatPoints } from '../rate';
import { civilDateSchema, codeSchema, nonNegativeMoney, percentSchema, sourceSchema, statedAmountSchema, statedShareSchema } from './scalars';
import { bi, parse, type Problem } from '../validation';
import { type SectionSubmission, sectionSubmissionSchema } from '../submission';
import { outputDirections } from '../indicators';
import { omScoringSchema } from '../holdbacks/om-scoring';
import { DEFAULT_RULE_SET_ID, ruleSetById, ruleSetIds } from '../rule-sets';
import { outlineById, outlineIds } from '../report/outlines';
import { assessmentScope, checkSelfAssessment, pointsTextSchema, pointsToCp, selfAssessmentFileEntrySchema } from '../self-assessment';
import { basicDataSchema } from './basic-data';

export const UNIT_YEAR_FORMAT = 'selfeval.unit-year/v1';

// ── Scalars (shared with the 基础数据表, see ./scalars) ─────────────────────────────────────

export { civilDateSchema, codeSchema, moneySchema, nonNegativeMoney, percentSchema } from './scalars';

const text = z.string().trim().min(1).max(20_000);
const name = z.string().trim().min(1).max(200);

// ── Unit, sections, people ─────────────────────────────────────────────────────────────────

const sectionSchema = z
  .object({
    code: codeSchema,
    name,
    level: z.string().trim().max(50).optional(),
    /** Position of the section's achievements in the report (三、(三)); by list order when unset. */
    reportOrder: z.number().int().optional(),
    /** Rule-set indicators this section assesses (where the rule set lets a section: `assessor: 'section'`). */
    assesses: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  })
  .strict();

export const roles = ['finance_officer', 'section_head', 'unit_head', 'admin'] as const;
export type Role = (typeof roles)[number];

const personSchema = z
  .object({
    name,
    email: z.email({ message: bi('邮箱格式不正确', 'invalid email address') }),
    roles: z.array(z.enum(roles)).min(1),
    /** For a section head: the section they answer for. */
    section: codeSchema.optional(),
  })
  .strict();

const unitSchema = z
  .object({
    code: codeSchema,
    name,
    shortName: name.optional(),
    level: z.string().trim().max(50).optional(),
    category: z.string().trim().max(100).optional(),
    fundingType: z.string().trim().max(100).optional(),
    /** 核定编制数. */
    staffQuota: z.number().int().nonnegative(),
    leadershipPosts: z.array(z.object({ title: name, count: z.number().int().positive() }).strict()).default([]),
    /** 内设机构领导职数 (e.g. 副科级领导职数 6). */
    sectionLeadershipPosts: z.number().int().nonnegative().optional(),
    functions: z.array(text).default([]),
    sections: z.array(sectionSchema).min(1),
  })
  .strict();

// ── Stated figures ─────────────────────────────────────────────────────────────────────────

const statedSchema = z
  .object({
    income: z
      .object({
        total: statedAmountSchema,
        bySource: z.array(z.object({ source: name, amount: nonNegativeMoney }).strict()).default([]),
      })
      .strict(),
    /** 上年结转结余. */
    carryOver: statedAmountSchema,
    /** 年末结转结余 — often not stated. */
    closingBalance: statedAmountSchema.optional(),
    expenditure: z
      .object({
        total: statedAmountSchema,
        basic: statedAmountSchema,
        personnel: statedAmountSchema,
        public: statedAmountSchema,
        personnelShare: statedShareSchema.optional(),
        publicShare: statedShareSchema.optional(),
        project: statedAmountSchema,
      })
      .strict(),
    /** Budget figures the indicators need; each optional because many reports omit them. */
    budget: z
      .object({
        initial: statedAmountSchema.optional(),
        supplementary: statedAmountSchema.optional(),
        adjusted: statedAmountSchema.optional(),
        publicFunds: statedAmountSchema.optional(),
        threePublic: statedAmountSchema.optional(),
        threePublicPreviousYear: statedAmountSchema.optional(),
        procurement: statedAmountSchema.optional(),
      })
      .strict()
      .default({}),
    actual: z
      .object({
        threePublic: statedAmountSchema.optional(),
        procurement: statedAmountSchema.optional(),
        /** 上年末结转结余, for 结转结余变动率. */
        previousClosingBalance: statedAmountSchema.optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

// ── Projects and their money ───────────────────────────────────────────────────────────────

const allocationSchema = z
  .object({
    code: codeSchema,
    name,
    /** Budget year the money was first allocated in; earlier than the unit-year means carried over. */
    budgetYear: z.number().int().min(1990).max(2100),
    /**
     * When carried-over money was re-purposed, the year of the original allocation (the recovery
     * clock is not reset by re-purposing; 财预〔2015〕15号).
     */
    originalBudgetYear: z.number().int().min(1990).max(2100).optional(),
    amount: nonNegativeMoney,
    source: sourceSchema,
  })
  .strict();

const contractSchema = z
  .object({
    code: codeSchema,
    name: name.optional(),
    vendor: name.optional(),
    amount: nonNegativeMoney.optional(),
    signedOn: civilDateSchema.optional(),
    acceptedOn: civilDateSchema.optional(),
    warrantyMonths: z.number().int().min(0).max(120).optional(),
    /** Retention (质保金) as a share of the contract, e.g. "5%". */
    retentionRate: percentSchema.optional(),
    /** Days to pay after acceptance or delivery (SME rule: 30, at most 60). */
    paymentTermDays: z.number().int().min(1).max(60, { message: bi('付款期限不得超过 60 天（保障中小企业款项支付条例）', 'payment term may not exceed 60 days (SME payment regulation)') }).default(30),
    /** O&M fee scaled by the assessment's coefficient. */
    omCoefficientApplies: z.boolean().default(false),
    /** The contract's assessment table: pass mark and coefficient by score (om-scoring.ts). */
    omScoring: omScoringSchema.optional(),
    note: text.optional(),
  })
  .strict();

const paymentSchema = z
  .object({
    code: codeSchema,
    allocation: codeSchema,
    contract: codeSchema.optional(),
    amount: nonNegativeMoney,
    paidOn: civilDateSchema.optional(),
    note: text.optional(),
    source: sourceSchema,
  })
  .strict();

export const holdbackKinds = ['retention', 'om_assessment', 'acceptance', 'milestone'] as const;
export type HoldbackKind = (typeof holdbackKinds)[number];

export const holdbackStatuses = ['waiting', 'payable', 'partially_released', 'released', 'forfeited'] as const;
export type HoldbackStatus = (typeof holdbackStatuses)[number];

const holdbackSchema = z
  .object({
    code: codeSchema,
    kind: z.enum(holdbackKinds),
    allocation: codeSchema,
    contract: codeSchema.optional(),
    amount: nonNegativeMoney,
    /** The condition in the contract's words, e.g. "质保期届满后支付". */
    condition: text,
    /** For om_assessment: the assessment period awaited, e.g. "2020". */
    period: z.string().trim().min(1).max(20).optional(),
    /** For milestone: what must happen, e.g. "系统升级改造项目完成". */
    milestone: name.optional(),
    /** Explicit due date, when the contract fixes one. */
    dueOn: civilDateSchema.optional(),
    status: z.enum(holdbackStatuses).default('waiting'),
    source: sourceSchema,
  })
  .strict();

const omAssessmentSchema = z
  .object({
    holdback: codeSchema,
    period: z.string().trim().min(1).max(20),
    assessedOn: civilDateSchema.optional(),
    score: z.number().min(0).max(100).optional(),
    passed: z.boolean(),
    /** Payment coefficient from the score, e.g. "95%". */
    coefficient: percentSchema.optional(),
    note: text.optional(),
  })
  .strict();

/** 项目支出绩效自评表 (财预〔2020〕10号 layout, DOMAIN.md §4.5): the project's own targets and indicators. */
const projectIndicatorSchema = z
  .object({
    /** 产出指标 / 效益指标 / 满意度指标. */
    level1: z.enum(['output', 'benefit', 'satisfaction']),
    /** 数量指标, 质量指标, 时效指标, 成本指标, 经济效益指标, 社会效益指标, 服务对象满意度指标 … */
    level2: name,
    name,
    unit: z.string().trim().max(20).default(''),
    direction: z.enum(outputDirections),
    target: decimalTextSchema(4),
    actual: decimalTextSchema(4),
    /** 分值 of the indicator (产出 50, 效益 30, 满意度 10 in all, by default). */
    weight: pointsTextSchema,
    /** 偏差原因分析及改进措施. */
    note: text.optional(),
  })
  .strict();

const projectEvaluationSchema = z
  .object({
    /** 主管部门. */
    department: name.optional(),
    /** 实施单位 (default: the unit). */
    implementer: name.optional(),
    /** 年度总体目标: 预期目标 | 实际完成情况. */
    goal: z.object({ expected: text, actual: text }).strict(),
    indicators: z.array(projectIndicatorSchema).min(1),
    /** 评价结论 / 存在问题 / 改进措施 (Sichuan footer). */
    conclusion: text.optional(),
    problems: text.optional(),
    measures: text.optional(),
  })
  .strict();

const projectSchema = z
  .object({
    code: codeSchema,
    name,
    /** 重点项目 (for 重点支出安排率); unset when the unit has not said. */
    key: z.boolean().optional(),
    source: sourceSchema,
    allocations: z.array(allocationSchema).min(1),
    contracts: z.array(contractSchema).default([]),
    payments: z.array(paymentSchema).default([]),
    holdbacks: z.array(holdbackSchema).default([]),
    assessments: z.array(omAssessmentSchema).default([]),
    /** The unit's own explanation of the project (what it was for), for the report. */
    description: text.optional(),
    /** Its 项目支出绩效自评表, when the unit evaluates the project. */
    evaluation: projectEvaluationSchema.optional(),
  })
  .strict();

const narrativeBlockSchema = z
  .object({
    lead: text.optional(),
    items: z.array(text).default([]),
  })
  .strict();

// ── The document ───────────────────────────────────────────────────────────────────────────

const documentSchema = z
  .object({
    format: z.literal(UNIT_YEAR_FORMAT, { message: bi(`文件格式应为 ${UNIT_YEAR_FORMAT}`, `format must be ${UNIT_YEAR_FORMAT}`) }),
    unit: unitSchema,
    year: z.number().int().min(2000).max(2100),
    staff: z
      .object({
        actual: z.number().int().nonnegative(),
        previousYear: z.number().int().nonnegative().optional(),
        source: sourceSchema,
      })
      .strict(),
    people: z.array(personSchema).default([]),
    stated: statedSchema,
    projects: z.array(projectSchema).default([]),
    /** Unit-level narrative written by the finance office (二、(一) what the expenditure covers; 三、(一)经济性, (二)效率性). */
    narrative: z
      .object({
        /** What personnel and public expenditure mainly consist of (基本工资、奖金…; 办公费、印刷费…). */
        personnelIncludes: z.array(name).default([]),
        publicIncludes: z.array(name).default([]),
        economy: narrativeBlockSchema.default({ items: [] }),
        efficiency: narrativeBlockSchema.default({ items: [] }),
        /** 部门整体支出绩效自评结果拟应用和公开情况, one paragraph a line (七、 of the Hunan outline). */
        resultApplication: text.optional(),
        /** 其他需要说明的情况, one paragraph a line (八、 of the Hunan outline). */
        otherNotes: text.optional(),
      })
      .strict()
      .default({ personnelIncludes: [], publicIncludes: [], economy: { items: [] }, efficiency: { items: [] } }),
    /** Section submissions known at import time (the seed's six sections); usually they come through tasks. */
    submissions: z.array(sectionSubmissionSchema).default([]),
    /** When the report is dated, if fixed by the unit. */
    reportDate: civilDateSchema.optional(),
    /** The scoring rule set (default: the Hunan department-wide set). */
    ruleSet: z.string().trim().min(1).max(100).optional(),
    /** The report outline (default `yiyang-2020`; see domain/report/outlines). */
    outline: z.string().trim().min(1).max(100).optional(),
    /** 部门整体支出绩效（自评）基础数据表, and the budget figures the indicators need. */
    basicData: basicDataSchema.optional(),
    /**
     * The finance officer's self-assessment known at import time (usually entered in its task):
     * tiers and points of qualitative indicators, survey figures, explanations, 不适用 with reasons.
     */
    selfAssessment: z.object({ entries: z.array(selfAssessmentFileEntrySchema).max(500) }).strict().optional(),
    /**
     * 数据说明: what the report must say about where its figures come from — e.g. that some are
     * example values. Printed on the cover page and under the 自评表, never hidden.
     */
    dataNote: z.string().trim().min(1).max(2_000).optional(),
  })
  .strict();

export type UnitYearDocument = z.input<typeof documentSchema>;
export type UnitYear = z.output<typeof documentSchema>;
export type Project = UnitYear['projects'][number];
export type Allocation = Project['allocations'][number];
export type Contract = Project['contracts'][number];
export type Payment = Project['payments'][number];
export type Holdback = Project['holdbacks'][number];
export type OmAssessment = Project['assessments'][number];
export type Section = UnitYear['unit']['sections'][number];
export type Person = UnitYear['people'][number];
export type ProjectEvaluation = NonNullable<Project['evaluation']>;
export type ProjectIndicator = ProjectEvaluation['indicators'][number];
type SelfAssessmentFileEntry = z.output<typeof selfAssessmentFileEntrySchema>;
export type StatedAmount = { amount: Fen; source?: string | undefined };

// ── Cross-references: what a schema of one field cannot see ────────────────────────────────

function problem(path: string, code: string, zh: string, en: string): Problem {
  return { path, code, zh, en };
}

/** One array element as the cross-checks see it: its code (if it has a usable one) and the item if it parsed. */
interface Entry<T> {
  code?: string | undefined;
  item?: T | undefined;
}

/**
 * The document as far as it is well-formed. Cross-checks run on this even when some fields are
 * invalid, so a file's problems — wrong types and broken references alike — come out in one go.
 */
interface Checkable {
  year?: number | undefined;
  sections: Array<Entry<Section>>;
  people: Array<Entry<Person>>;
  projects: Array<{
    code?: string | undefined;
    allocations: Array<Entry<Allocation>>;
    contracts: Array<Entry<Contract>>;
    payments: Array<Entry<Payment>>;
    holdbacks: Array<Entry<Holdback>>;
    assessments: Array<Entry<OmAssessment>>;
    evaluation?: ProjectEvaluation | undefined;
  }>;
  submissions: Array<Entry<SectionSubmission>>;
  /** The rule set named, when the field is a string. */
  ruleSet?: string | undefined;
  /** The report outline named, when the field is a string. */
  outline?: string | undefined;
  /** The file's self-assessment entries, when the block parses. */
  selfAssessment?: SelfAssessmentFileEntry[] | undefined;
  /** The 基础数据表's project rows, when the block parses. */
  basicDataProjects?: Array<{ project?: string | undefined }> | undefined;
}

function entries<T extends { code?: string }>(items: readonly T[]): Array<Entry<T>> {
  return items.map((item) => ({ code: item.code, item }));
}

function checkableOf(doc: UnitYear): Checkable {
  return {
    year: doc.year,
    sections: entries(doc.unit.sections),
    people: doc.people.map((item) => ({ code: item.email.toLowerCase(), item })),
    projects: doc.projects.map((p) => ({
      code: p.code,
      allocations: entries(p.allocations),
      contracts: entries(p.contracts),
      payments: entries(p.payments),
      holdbacks: entries(p.holdbacks),
      assessments: p.assessments.map((item) => ({ item })),
      evaluation: p.evaluation,
    })),
    submissions: doc.submissions.map((item) => ({ code: item.section, item })),
    ruleSet: doc.ruleSet,
    outline: doc.outline,
    selfAssessment: doc.selfAssessment?.entries,
    basicDataProjects: doc.basicData?.projects,
  };
}

/** Best effort on a document that failed the field schema: each element parsed on its own. */
function checkableOfRaw(raw: unknown): Checkable {
  const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const codeOf = (v: unknown, field = 'code') => {
    const c = codeSchema.safeParse(obj(v)[field]);
    return c.success ? c.data : undefined;
  };
  const each = <T>(items: unknown, schema: z.ZodType<T>, field = 'code'): Array<Entry<T>> =>
    arr(items).map((v) => {
      const parsed = schema.safeParse(v);
      return { code: codeOf(v, field), item: parsed.success ? parsed.data : undefined };
    });
  const root = obj(raw);
  const unit = obj(root['unit']);
  const year = z.number().int().safeParse(root['year']);
  return {
    year: year.success ? year.data : undefined,
    sections: each(unit['sections'], sectionSchema),
    people: arr(root['people']).map((v) => {
      const parsed = personSchema.safeParse(v);
      const email = obj(v)['email'];
      return { code: typeof email === 'string' ? email.trim().toLowerCase() : undefined, item: parsed.success ? parsed.data : undefined };
    }),
    projects: arr(root['projects']).map((p) => ({
      code: codeOf(p),
      allocations: each(obj(p)['allocations'], allocationSchema),
      contracts: each(obj(p)['contracts'], contractSchema),
      payments: each(obj(p)['payments'], paymentSchema),
      holdbacks: each(obj(p)['holdbacks'], holdbackSchema),
      assessments: each(obj(p)['assessments'], omAssessmentSchema, 'holdback'),
      evaluation: whenValid(projectEvaluationSchema, obj(p)['evaluation']),
    })),
    submissions: each(root['submissions'], sectionSubmissionSchema, 'section'),
    ruleSet: typeof root['ruleSet'] === 'string' ? root['ruleSet'].trim() : undefined,
    outline: typeof root['outline'] === 'string' ? root['outline'].trim() : undefined,
    selfAssessment: whenValid(z.object({ entries: z.array(selfAssessmentFileEntrySchema) }), root['selfAssessment'])?.entries,
    basicDataProjects: whenValid(basicDataSchema, root['basicData'])?.projects,
  };
}

function whenValid<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function duplicates<T>(items: ReadonlyArray<Entry<T>>): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  items.forEach((e, i) => {
    if (e.code !== undefined) seen.set(e.code, [...(seen.get(e.code) ?? []), i]);
  });
  return new Map([...seen].filter(([, at]) => at.length > 1));
}

/** Checks that need the whole document: identities, references, amounts against contracts, dates. */
function crossCheck(doc: Checkable): Problem[] {
  const problems: Problem[] = [];
  const sectionCodes = new Set(doc.sections.flatMap((s) => (s.code ? [s.code] : [])));

  for (const [code, at] of duplicates(doc.sections)) {
    for (const i of at.slice(1)) problems.push(problem(`unit.sections[${i}].code`, 'duplicate_code', `科室编码重复：${code}`, `duplicate section code: ${code}`));
  }
  for (const [email, at] of duplicates(doc.people)) {
    for (const i of at.slice(1)) problems.push(problem(`people[${i}].email`, 'duplicate_email', `人员邮箱重复：${email}`, `duplicate person email: ${email}`));
  }
  doc.people.forEach(({ item: p }, i) => {
    if (!p) return;
    if (p.roles.includes('section_head') && !p.section) {
      problems.push(problem(`people[${i}].section`, 'required', '科室负责人须指明所负责的科室', 'a section head must name their section'));
    }
    if (p.section && !sectionCodes.has(p.section)) {
      problems.push(problem(`people[${i}].section`, 'unknown_section', `未知的科室：${p.section}`, `unknown section: ${p.section}`));
    }
  });

  for (const [code, at] of duplicates(doc.projects.map((p) => ({ code: p.code })))) {
    for (const i of at.slice(1)) problems.push(problem(`projects[${i}].code`, 'duplicate_code', `项目编码重复：${code}`, `duplicate project code: ${code}`));
  }
  // Allocation, contract, payment and holdback codes are unique across the whole unit-year:
  // they name withheld-payment workflows and spreadsheet rows.
  for (const [label, what] of [
    ['allocations', ['资金安排', 'allocation']],
    ['contracts', ['合同', 'contract']],
    ['payments', ['支付', 'payment']],
    ['holdbacks', ['暂缓支付', 'holdback']],
  ] as const) {
    const all = doc.projects.flatMap((p, pi) => p[label].map((x, xi) => ({ code: x.code, path: `projects[${pi}].${label}[${xi}].code` })));
    for (const [code, at] of duplicates(all)) {
      for (const i of at.slice(1)) problems.push(problem(all[i]!.path, 'duplicate_code', `${what[0]}编码重复：${code}`, `duplicate ${what[1]} code: ${code}`));
    }
  }

  doc.projects.forEach((p, pi) => {
    const at = (rest: string) => `projects[${pi}].${rest}`;
    const pname = p.code ?? `#${pi + 1}`;
    // References resolve against every element that has a usable code, valid or not, so an
    // allocation with a bad amount does not also make its payments "unknown".
    const allocationCodes = new Set(p.allocations.flatMap((a) => (a.code ? [a.code] : [])));
    const contracts = new Map(p.contracts.flatMap((c) => (c.code ? [[c.code, c.item] as const] : [])));
    const holdbacks = new Map(p.holdbacks.flatMap((h) => (h.code ? [[h.code, h.item] as const] : [])));

    p.allocations.forEach(({ item: a }, ai) => {
      if (!a) return;
      if (doc.year !== undefined && a.budgetYear > doc.year) {
        problems.push(problem(at(`allocations[${ai}].budgetYear`), 'future_budget_year', `预算年度 ${a.budgetYear} 晚于评价年度 ${doc.year}`, `budget year ${a.budgetYear} is after the evaluated year ${doc.year}`));
      }
      if (a.originalBudgetYear !== undefined && a.originalBudgetYear > a.budgetYear) {
        problems.push(problem(at(`allocations[${ai}].originalBudgetYear`), 'invalid_original_year', '原始预算年度不能晚于预算年度', 'the original budget year cannot be after the budget year'));
      }
    });
    p.contracts.forEach(({ item: c }, ci) => {
      if (c?.signedOn && c.acceptedOn && c.acceptedOn < c.signedOn) {
        problems.push(problem(at(`contracts[${ci}].acceptedOn`), 'accepted_before_signed', '验收日期早于签订日期', 'accepted before it was signed'));
      }
    });

    const paidByContract = new Map<string, { total: Fen; last: number }>();
    p.payments.forEach(({ item: pay }, i) => {
      if (!pay) return;
      if (!allocationCodes.has(pay.allocation)) {
        problems.push(problem(at(`payments[${i}].allocation`), 'unknown_allocation', `项目 ${pname} 中没有资金安排 ${pay.allocation}`, `project ${pname} has no allocation ${pay.allocation}`));
      }
      if (pay.contract !== undefined) {
        if (!contracts.has(pay.contract)) {
          problems.push(problem(at(`payments[${i}].contract`), 'unknown_contract', `项目 ${pname} 中没有合同 ${pay.contract}`, `project ${pname} has no contract ${pay.contract}`));
        } else {
          const sum = paidByContract.get(pay.contract) ?? { total: 0, last: i };
          paidByContract.set(pay.contract, { total: sum.total + pay.amount, last: i });
        }
      }
      if (doc.year !== undefined && pay.paidOn && Number(pay.paidOn.slice(0, 4)) > doc.year) {
        problems.push(problem(at(`payments[${i}].paidOn`), 'payment_after_year', `支付日期 ${pay.paidOn} 晚于评价年度`, `payment date ${pay.paidOn} is after the evaluated year`));
      }
    });
    for (const [code, { total, last }] of paidByContract) {
      const contract = contracts.get(code);
      if (contract?.amount !== undefined && total > contract.amount) {
        problems.push(
          problem(at(`payments[${last}].amount`), 'payment_exceeds_contract', `合同 ${code} 的支付合计 ${formatWanYuan(total)} 万元超过合同金额 ${formatWanYuan(contract.amount)} 万元`, `payments on contract ${code} (${formatWanYuan(total)} 万元) exceed its amount (${formatWanYuan(contract.amount)} 万元)`),
        );
      }
    }

    p.holdbacks.forEach(({ item: h }, i) => {
      if (!h) return;
      const path = (f: string) => at(`holdbacks[${i}].${f}`);
      if (!allocationCodes.has(h.allocation)) {
        problems.push(problem(path('allocation'), 'unknown_allocation', `项目 ${pname} 中没有资金安排 ${h.allocation}`, `project ${pname} has no allocation ${h.allocation}`));
      }
      const contract = h.contract === undefined ? undefined : contracts.get(h.contract);
      if (h.contract !== undefined && !contracts.has(h.contract)) {
        problems.push(problem(path('contract'), 'unknown_contract', `项目 ${pname} 中没有合同 ${h.contract}`, `project ${pname} has no contract ${h.contract}`));
      }
      if (h.kind === 'retention' && !h.dueOn && !(contract?.acceptedOn && contract.warrantyMonths !== undefined)) {
        problems.push(
          problem(path('contract'), 'retention_without_warranty', '质保金须关联有验收日期和质保期的合同，或写明到期日', 'a retention needs a contract with acceptance date and warranty months, or an explicit due date'),
        );
      }
      if (h.kind === 'acceptance' && h.contract === undefined) {
        problems.push(problem(path('contract'), 'required', '验收后支付须关联合同', 'an acceptance holdback needs its contract'));
      }
      if (h.kind === 'om_assessment' && !h.period) {
        problems.push(problem(path('period'), 'required', '运维考核暂缓须写明考核期间', 'an O&M assessment holdback needs its assessment period'));
      }
      if (h.kind === 'milestone' && !h.milestone) {
        problems.push(problem(path('milestone'), 'required', '里程碑暂缓须写明里程碑', 'a milestone holdback needs its milestone'));
      }
    });
    p.assessments.forEach(({ item: a }, i) => {
      if (!a) return;
      if (!holdbacks.has(a.holdback)) {
        problems.push(problem(at(`assessments[${i}].holdback`), 'unknown_holdback', `项目 ${pname} 中没有暂缓支付 ${a.holdback}`, `project ${pname} has no holdback ${a.holdback}`));
      } else {
        const h = holdbacks.get(a.holdback);
        if (h && h.kind !== 'om_assessment') {
          problems.push(problem(at(`assessments[${i}].holdback`), 'not_om_assessment', `暂缓支付 ${a.holdback} 不是运维考核类`, `holdback ${a.holdback} is not an O&M assessment holdback`));
        }
      }
    });
  });

  doc.submissions.forEach(({ item: s }, i) => {
    if (s && !sectionCodes.has(s.section)) problems.push(problem(`submissions[${i}].section`, 'unknown_section', `未知的科室：${s.section}`, `unknown section: ${s.section}`));
  });
  for (const [code, at] of duplicates(doc.submissions)) {
    for (const i of at.slice(1)) problems.push(problem(`submissions[${i}].section`, 'duplicate_submission', `科室 ${code} 的提交重复`, `more than one submission for section ${code}`));
  }
  problems.push(...scoringChecks(doc));
  if (doc.outline !== undefined && doc.outline !== '' && !outlineById(doc.outline)) {
    problems.push(problem('outline', 'unknown_outline', `没有报告提纲“${doc.outline}”（可用：${outlineIds().join('、')}）`, `no report outline "${doc.outline}" (known: ${outlineIds().join(', ')})`));
  }
  return problems;
}

/** What the rule set decides: known indicators, who assesses what, entries against its tiers, project 自评表 weights. */
function scoringChecks(doc: Checkable): Problem[] {
  const problems: Problem[] = [];
  const ruleSet = ruleSetById(doc.ruleSet ?? DEFAULT_RULE_SET_ID);
  if (!ruleSet) {
    problems.push(problem('ruleSet', 'unknown_rule_set', `没有评分规则“${doc.ruleSet}”（可用：${ruleSetIds().join('、')}）`, `no rule set "${doc.ruleSet}" (known: ${ruleSetIds().join(', ')})`));
  } else {
    const byId = new Map(ruleSet.indicators.map((i) => [i.id, i]));
    const assessedBy = new Map<string, string>();
    doc.sections.forEach(({ item: sec }, si) => {
      sec?.assesses?.forEach((id, k) => {
        const path = `unit.sections[${si}].assesses[${k}]`;
        const ind = byId.get(id);
        if (!ind) problems.push(problem(path, 'unknown_indicator', `评分规则“${ruleSet.id}”中没有指标“${id}”`, `the rule set "${ruleSet.id}" has no indicator "${id}"`));
        else if (ind.assessor !== 'section') problems.push(problem(path, 'not_section_assessed', `评分规则规定“${ind.level3}”由财务人员评价，不能交由科室`, `the rule set has the finance officer assess "${ind.level3}"`));
        else if (assessedBy.has(id)) problems.push(problem(path, 'assessed_twice', `“${ind.level3}”已由科室 ${assessedBy.get(id)} 评价`, `"${ind.level3}" is already assessed by section ${assessedBy.get(id)}`));
        else assessedBy.set(id, sec.code);
      });
    });
    const sections = doc.sections.flatMap((x) => (x.item ? [x.item] : []));
    if (doc.selfAssessment) {
      const scope = assessmentScope(ruleSet, sections, { kind: 'finance_officer' }).map((i) => i.id);
      problems.push(...checkSelfAssessment(ruleSet, doc.selfAssessment, { path: 'selfAssessment.entries', scope }));
    }
    doc.submissions.forEach(({ item: sub }, i) => {
      if (!sub || sub.selfAssessments.length === 0) return;
      const scope = assessmentScope(ruleSet, sections, { kind: 'section', section: sub.section }).map((x) => x.id);
      problems.push(...checkSelfAssessment(ruleSet, sub.selfAssessments, { path: `submissions[${i}].selfAssessments`, scope }));
      sub.selfAssessments.forEach((e, k) => {
        if (e.evidence.length) problems.push(problem(`submissions[${i}].selfAssessments[${k}].evidence`, 'evidence_in_file', '文件中不能引用佐证材料，请在系统中上传', 'a file cannot refer to evidence files; upload them in selfeval'));
      });
    });
  }
  const projectCodes = new Set(doc.projects.flatMap((p) => (p.code ? [p.code] : [])));
  doc.basicDataProjects?.forEach((row, i) => {
    if (row.project !== undefined && !projectCodes.has(row.project)) problems.push(problem(`basicData.projects[${i}].project`, 'unknown_project', `没有项目 ${row.project}`, `no project ${row.project}`));
  });
  doc.projects.forEach((p, pi) => {
    if (!p.evaluation) return;
    const total = p.evaluation.indicators.reduce((t, x) => t + pointsToCp(x.weight), 0);
    if (total !== 9000) {
      problems.push(
        problem(`projects[${pi}].evaluation.indicators`, 'weights_not_90', `项目自评表各指标分值合计 ${formatPoints(total)} 分，应为 90 分（预算执行率另占 10 分）`, `the project indicators' weights add up to ${formatPoints(total)}; they must add up to 90 (budget execution takes the other 10)`),
      );
    }
  });
  return problems;
}

export type ParsedUnitYear = { ok: true; value: UnitYear } | { ok: false; problems: Problem[] };

/**
 * Every problem of a unit-year file: field problems from the schema, and the cross-checks on
 * whatever is well-formed, together. Nothing is written anywhere until this says ok.
 */
export function parseUnitYear(input: unknown): ParsedUnitYear {
  const parsed = parse(documentSchema, input);
  if (parsed.ok) {
    const problems = crossCheck(checkableOf(parsed.value));
    return problems.length ? { ok: false, problems } : { ok: true, value: parsed.value };
  }
  const seen = new Set(parsed.problems.map((p) => p.path));
  const more = crossCheck(checkableOfRaw(input)).filter((p) => !seen.has(p.path));
  return { ok: false, problems: [...parsed.problems, ...more] };
}
