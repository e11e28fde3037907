/**
 * The 部门整体支出绩效（自评）基础数据表 (DOMAIN.md §4.3) as part of the unit-year: the table a
 * Hunan unit files with its self-evaluation, in its own layout — columns 上年决算数 | 本年预算数 |
 * 本年决算数, rows 财政供养人员, 三公经费, 项目支出, 公用经费, 政府采购, 预算调整, 楼堂馆所 — plus the
 * budget-execution figures the indicators need (年初预算, 调整后预算, 全年执行数, by fund source;
 * 既定支付进度).
 *
 * Every cell is optional: a unit fills what its table has. What the cells must agree with (their
 * own totals, the stated figures, the itemised projects) is checked by ./basic-data-checks, as
 * findings with amounts — never by refusing the file.
 */
import { z } from 'zod';
import { divRoundHalfUp, formatYuan } from '../money';
import { bi, type Problem } from '../validation';
import { codeSchema, nonNegativeMoney, percentSchema, sourceSchema } from './scalars';

const name = z.string().trim().min(1).max(200);
const text = z.string().trim().min(1).max(20_000);

/** One row's three columns: 上年决算数 | 本年预算数 | 本年决算数, each an amount with its unit. */
export const moneyColumnsSchema = z
  .object({
    /** 上年决算数. */
    previousFinal: nonNegativeMoney.optional(),
    /** 本年预算数. */
    budget: nonNegativeMoney.optional(),
    /** 本年决算数. */
    final: nonNegativeMoney.optional(),
  })
  .strict();
export type MoneyColumns = z.output<typeof moneyColumnsSchema>;

const count = z.number().int().nonnegative();
const countColumnsSchema = z.object({ previousFinal: count.optional(), budget: count.optional(), final: count.optional() }).strict();
const percentColumnsSchema = z.object({ previousFinal: percentSchema.optional(), budget: percentSchema.optional(), final: percentSchema.optional() }).strict();
export type CountColumns = z.output<typeof countColumnsSchema>;
export type PercentColumns = z.output<typeof percentColumnsSchema>;

/** A floor area in ㎡ as written ("2272", "1500.5"); kept as text so nothing is lost. */
const areaSchema = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim().replace(/\s*(㎡|平方米|m2)$/, '')))
  .refine((s) => /^\d+(\.\d{1,2})?$/.test(s), { message: bi('面积应为非负数（最多两位小数，单位㎡）', 'area must be a non-negative number of ㎡ (at most 2 decimals)') });

export const basicDataColumns = ['previousFinal', 'budget', 'final'] as const;
export type BasicDataColumn = (typeof basicDataColumns)[number];
export const basicDataColumnZh: Record<BasicDataColumn, string> = { previousFinal: '上年决算数', budget: '本年预算数', final: '本年决算数' };

const fundSourceSchema = z
  .object({
    /** e.g. 一般公共预算财政拨款, 政府性基金, 其他资金. */
    source: name,
    initial: nonNegativeMoney.optional(),
    adjusted: nonNegativeMoney.optional(),
    executed: nonNegativeMoney.optional(),
  })
  .strict();

export const basicDataSchema = z
  .object({
    /** Where the table comes from (the report's annex, or "示例数据" for example values). */
    source: sourceSchema,
    /** 财政供养人员情况. */
    staff: z
      .object({
        /** 编制数. */
        authorisedPosts: countColumnsSchema.optional(),
        /** 实际在职人数. */
        inPost: countColumnsSchema.optional(),
        /** 控制率 as the table states it (checked against 实际在职人数 ÷ 编制数). */
        controlRate: percentColumnsSchema.optional(),
      })
      .strict()
      .default({}),
    /** “三公”经费. */
    threePublic: z
      .object({
        /** 合计. */
        total: moneyColumnsSchema.optional(),
        /** 1.公务用车购置和维护经费. */
        vehicles: moneyColumnsSchema.optional(),
        /** 其中：公车购置. */
        vehiclePurchase: moneyColumnsSchema.optional(),
        /** 其中：公车运行维护. */
        vehicleOperation: moneyColumnsSchema.optional(),
        /** 2.出国经费. */
        abroad: moneyColumnsSchema.optional(),
        /** 3.公务接待. */
        reception: moneyColumnsSchema.optional(),
      })
      .strict()
      .default({}),
    /** 项目支出: one row per project (or category); `project` names the itemised project it is. */
    projects: z
      .array(moneyColumnsSchema.extend({ name, project: codeSchema.optional() }).strict())
      .default([]),
    /** 项目支出合计, when the table states it. */
    projectsTotal: moneyColumnsSchema.optional(),
    /** 公用经费 and its 其中 rows (a part of it, not its itemisation). */
    publicFunds: z
      .object({
        total: moneyColumnsSchema.optional(),
        /** 其中：办公经费. */
        office: moneyColumnsSchema.optional(),
        /** 水费、电费、差旅费. */
        utilitiesTravel: moneyColumnsSchema.optional(),
        /** 会议费、培训费. */
        meetingsTraining: moneyColumnsSchema.optional(),
      })
      .strict()
      .default({}),
    /** 政府采购金额. */
    procurement: moneyColumnsSchema.optional(),
    /**
     * 部门整体支出预算调整, as the official table is filled (S6): 本年预算数 = the budget before the
     * year's adjustments (年初), 本年决算数 = after them (全年); both are checked against the budget.
     */
    budgetAdjustment: moneyColumnsSchema.optional(),
    /** 楼堂馆所控制情况 (completed this year). */
    buildings: z
      .array(
        z
          .object({
            name,
            /** 批复规模（㎡）. */
            approvedArea: areaSchema,
            /** 实际规模（㎡）. */
            actualArea: areaSchema,
            /** 预算投资. */
            budgetInvestment: nonNegativeMoney,
            /** 实际投资. */
            actualInvestment: nonNegativeMoney,
          })
          .strict(),
      )
      .default([]),
    /** 厉行节约保障措施. */
    savingMeasures: text.optional(),
    /** Budget execution, as the 预算执行情况 table states it (for 预算完成率/执行率/控制率). */
    budget: z
      .object({
        /** 年初预算数. */
        initial: nonNegativeMoney.optional(),
        /** 全年（调整后）预算数. */
        adjusted: nonNegativeMoney.optional(),
        /** 全年执行数. */
        executed: nonNegativeMoney.optional(),
        bySource: z.array(fundSourceSchema).default([]),
        /** 既定支付进度 (the rate the unit set when it submitted its budget), for 支付进度率. */
        plannedPaymentProgress: percentSchema.optional(),
      })
      .strict()
      .default({ bySource: [] }),
  })
  .strict();

export type BasicData = z.output<typeof basicDataSchema>;
export type BasicDataInput = z.input<typeof basicDataSchema>;

// ── The table's own arithmetic ─────────────────────────────────────────────────────────────

/**
 * Where the 基础数据表's own columns do not add up, exactly to the 分 — as problems with their
 * path, for a table a person types in selfeval (the browser form refuses it and writes nothing).
 * A published table read from a file is not refused: the same gaps are findings there
 * (./basic-data-checks), and its relation to the ledger (project rows against the itemised
 * projects, the stated figures) is always a finding, because either side may be the wrong one.
 *
 * Checked: 三公 合计 = 公务用车 + 出国 + 公务接待, 公务用车 = 购置 + 运行维护; 公用经费's 其中
 * rows not above its 合计; 控制率 = 实际在职人数 ÷ 编制数 (to 0.01%, half-up); 项目支出合计 =
 * the project rows; the fund sources against 年初 / 全年 / 执行.
 */
export function basicDataProblems(b: BasicData, path = 'basicData'): Problem[] {
  const problems: Problem[] = [];
  const yuan = (fen: number) => `${formatYuan(fen, { grouping: true })} 元`;
  const sumCheck = (at: string, label: string, total: number | undefined, parts: Array<[string, number | undefined]>) => {
    const given = parts.filter((p): p is [string, number] => p[1] !== undefined);
    if (total === undefined || given.length === 0 || given.length < parts.length) return;
    const sum = given.reduce((s, [, v]) => s + v, 0);
    if (sum !== total) {
      problems.push({
        path: at,
        code: 'columns_do_not_add_up',
        zh: `${label} ${yuan(total)}，但 ${given.map(([n, v]) => `${n} ${yuan(v)}`).join(' + ')} = ${yuan(sum)}，相差 ${yuan(Math.abs(total - sum))}`,
        en: `${label}: ${formatYuan(total)} stated, the rows add up to ${formatYuan(sum)} (difference ${formatYuan(total - sum)})`,
      });
    }
  };
  const t = b.threePublic;
  for (const col of basicDataColumns) {
    const colZh = basicDataColumnZh[col];
    sumCheck(`${path}.threePublic.total.${col}`, `“三公”经费合计（${colZh}）`, t.total?.[col], [['公务用车购置和维护', t.vehicles?.[col]], ['出国经费', t.abroad?.[col]], ['公务接待', t.reception?.[col]]]);
    sumCheck(`${path}.threePublic.vehicles.${col}`, `公务用车购置和维护经费（${colZh}）`, t.vehicles?.[col], [['公车购置', t.vehiclePurchase?.[col]], ['公车运行维护', t.vehicleOperation?.[col]]]);
    if (b.projectsTotal && b.projects.length) {
      sumCheck(`${path}.projectsTotal.${col}`, `项目支出合计（${colZh}）`, b.projectsTotal[col], b.projects.map((p) => [p.name, p[col]]));
    }
    const pf = b.publicFunds;
    const total = pf.total?.[col];
    if (total !== undefined) {
      const parts: Array<[string, number | undefined]> = [['办公经费', pf.office?.[col]], ['水费、电费、差旅费', pf.utilitiesTravel?.[col]], ['会议费、培训费', pf.meetingsTraining?.[col]]];
      const sum = parts.reduce((s, [, v]) => s + (v ?? 0), 0);
      if (sum > total) {
        problems.push({
          path: `${path}.publicFunds.total.${col}`,
          code: 'parts_exceed_total',
          zh: `公用经费（${colZh}）${yuan(total)}，其中各项合计 ${yuan(sum)}，超过总额 ${yuan(sum - total)}`,
          en: `public funds (${col}): its parts add up to ${formatYuan(sum)}, above the total ${formatYuan(total)}`,
        });
      }
    }
    const posts = b.staff.authorisedPosts?.[col];
    const inPost = b.staff.inPost?.[col];
    const rate = b.staff.controlRate?.[col];
    if (posts !== undefined && inPost !== undefined && rate !== undefined) {
      if (posts === 0) {
        problems.push({ path: `${path}.staff.controlRate.${col}`, code: 'rate_without_quota', zh: `编制数为 0，控制率（${colZh}）无法计算`, en: `the quota is 0, so the control rate (${col}) cannot be computed` });
      } else {
        // inPost ÷ posts in basis points, half-up, exactly.
        const computed = Number(divRoundHalfUp(BigInt(inPost) * 10_000n, BigInt(posts)));
        if (computed !== rate) {
          problems.push({
            path: `${path}.staff.controlRate.${col}`,
            code: 'rate_does_not_match',
            zh: `控制率（${colZh}）填 ${(rate / 100).toFixed(2)}%，按 ${inPost} ÷ ${posts} 应为 ${(computed / 100).toFixed(2)}%`,
            en: `control rate (${col}) ${(rate / 100).toFixed(2)}%, but ${inPost} ÷ ${posts} is ${(computed / 100).toFixed(2)}%`,
          });
        }
      }
    }
  }
  const bs = b.budget.bySource;
  if (bs.length) {
    for (const [field, zh] of [['initial', '年初预算数'], ['adjusted', '全年预算数'], ['executed', '全年执行数']] as const) {
      sumCheck(`${path}.budget.${field}`, `${zh}合计`, b.budget[field], bs.map((s) => [s.source, s[field]]));
    }
  }
  return problems;
}
