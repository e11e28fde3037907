/**
 * Every cross-check the 基础数据表 and the budget figures allow, as findings with amounts (never a
 * refusal of the file, never a silent fix): income by source against total income; 年初 + 追加
 * against the adjusted budget; fund sources against their totals; the same figure given twice
 * differently; 三公 items against their 合计; 公用经费's 其中 rows against the total; the stated
 * 控制率 against 在职 ÷ 编制; project rows against the itemised projects and the stated 项目支出;
 * and the year-end 结转结余 against the itemised project balances; 项目支出合计 against the stated 项目支出
 * when its rows cannot be summed. Figures stated to the 分 are compared exactly (no rounding tolerance).
 */
import { divRoundHalfUp, type Fen, formatWanYuan, sumFen } from '../money';
import { basicDataColumns, basicDataColumnZh, type MoneyColumns } from './basic-data';
import { resolveFigures } from './figures';
import { compareTotal, type Finding, type FindingItem, pct, type ReconcileOptions, type Reconciliation, roundingTolerance, shareDecimals, w } from './findings';
import type { UnitYear } from './unit-year.schema';

const item = (label: string, amount: Fen, side: 'stated' | 'computed', source?: string): FindingItem => ({ side, kind: 'basic_data', label, amount, ...(source ? { source } : {}) });

export function basicDataFindings(doc: UnitYear, computed: Reconciliation['computed'], opts: Required<ReconcileOptions>): Finding[] {
  const findings: Finding[] = [];
  const push = (f: Finding | undefined) => {
    if (f) findings.push(f);
  };
  const s = doc.stated;
  const b = doc.basicData;

  /** A stated total against the sum of its parts (each part stated, so each rounded). */
  const sumCheck = (args: { gap: Finding['code']; rounding: Finding['code']; totalLabel: string; total: Fen; totalSource?: string | undefined; parts: Array<{ label: string; amount: Fen }>; what: string; whatEn: string }) => {
    const partsSum = sumFen(args.parts.map((p) => p.amount));
    return compareTotal(
      {
        gap: args.gap,
        rounding: args.rounding,
        statedTotal: args.total,
        computed: partsSum,
        roundedTerms: args.parts.length + 1,
        items: [item(args.totalLabel, args.total, 'stated', args.totalSource), ...args.parts.map((p) => item(p.label, p.amount, 'computed'))],
        zh: (d, within) => `${args.what}：${args.totalLabel} ${w(args.total)}，${args.parts.map((p) => `${p.label} ${w(p.amount)}`).join(' + ')} = ${w(partsSum)}，相差 ${w(Math.abs(d))}${within ? '，在舍入误差范围内' : ''}。`,
        en: (d, within) => `${args.whatEn}: stated ${formatWanYuan(args.total)}, parts add up to ${formatWanYuan(partsSum)} (difference ${formatWanYuan(d)} 万元${within ? ', within rounding' : ''}).`,
      },
      opts,
    );
  };

  // ── Income by source against total income ──────────────────────────────────────────────────
  if (s.income.bySource.length) {
    push(sumCheck({ gap: 'income_sources_gap', rounding: 'income_sources_rounding', totalLabel: '收入合计', total: s.income.total.amount, totalSource: s.income.total.source, parts: s.income.bySource.map((x) => ({ label: x.source, amount: x.amount })), what: '收入按来源合计', whatEn: 'income by source' }));
  }

  // ── The same figure given twice, differently ───────────────────────────────────────────────
  const { figures, disagreements } = resolveFigures(doc, computed.impliedClosingBalance);
  for (const d of disagreements) {
    const text = (v: number) => (d.unit === 'fen' ? w(v) : `${v} 人`);
    findings.push({
      code: 'figures_disagree',
      severity: 'error',
      blocking: true,
      unit: d.unit,
      stated: d.other.value,
      computed: d.used.value,
      difference: d.other.value - d.used.value,
      items: [
        { side: 'computed', kind: d.unit === 'fen' ? 'basic_data' : 'staff', label: d.used.sourceZh, amount: d.used.value },
        { side: 'stated', kind: d.unit === 'fen' ? 'basic_data' : 'staff', label: d.other.sourceZh, amount: d.other.value },
      ],
      zh: `${d.labelZh}两处不一致：${d.used.sourceZh}为 ${text(d.used.value)}，${d.other.sourceZh}为 ${text(d.other.value)}；计算指标时采用前者。`,
      en: `${d.labelEn} is given twice, differently: ${d.used.value} and ${d.other.value}; the indicators use the first.`,
    });
  }

  // ── 年初 + 追加 against the adjusted budget ──────────────────────────────────────────────────
  const ini = figures.initialBudget;
  const adj = figures.adjustedBudget;
  if (ini && adj && s.budget.supplementary) {
    push(sumCheck({ gap: 'budget_adjustment_gap', rounding: 'budget_adjustment_rounding', totalLabel: '全年预算数', total: adj.amount, parts: [{ label: '年初预算数', amount: ini.amount }, { label: '本年追加预算', amount: s.budget.supplementary.amount }], what: '年初预算与追加预算合计', whatEn: 'initial plus supplementary budget' }));
  }
  // 部门整体支出预算调整 as the official table is filled (S6, 2018: 本年预算数 1922.76 | 本年决算数
  // 2690.62): the budget before the year's adjustments and after them — so against 年初 and 全年.
  const adjustmentRow = b?.budgetAdjustment;
  for (const [cell, figure, label] of [['budget', ini, '年初预算数'], ['final', adj, '全年预算数']] as const) {
    const stated = adjustmentRow?.[cell];
    if (stated === undefined || !figure) continue;
    push(
      compareTotal(
        {
          gap: 'budget_adjustment_gap',
          rounding: 'budget_adjustment_rounding',
          statedTotal: stated,
          computed: figure.amount,
          roundedTerms: 2,
          items: [item(`基础数据表·部门整体支出预算调整（${basicDataColumnZh[cell]}）`, stated, 'stated'), item(label, figure.amount, 'computed', figure.sourceZh)],
          zh: (d, within) => `基础数据表“部门整体支出预算调整”的${basicDataColumnZh[cell]} ${w(stated)}，${label}为 ${w(figure.amount)}，相差 ${w(Math.abs(d))}${within ? '，在舍入误差范围内' : ''}。`,
          en: (d, within) => `budget adjustment row (${cell}) ${formatWanYuan(stated)} vs the ${cell === 'budget' ? 'initial' : 'adjusted'} budget ${formatWanYuan(figure.amount)} (difference ${formatWanYuan(d)} 万元${within ? ', within rounding' : ''}).`,
        },
        opts,
      ),
    );
  }

  if (!b) return [...findings, ...closingBalanceFindings(doc, computed, figures.closingBalance)];

  // ── Fund sources against the budget totals ─────────────────────────────────────────────────
  const sources = b.budget.bySource;
  for (const [field, label] of [['initial', '年初预算数'], ['adjusted', '全年预算数'], ['executed', '全年执行数']] as const) {
    const total = b.budget[field];
    if (!sources.length || total === undefined || sources.some((x) => x[field] === undefined)) continue;
    push(sumCheck({ gap: 'fund_sources_gap', rounding: 'fund_sources_rounding', totalLabel: label, total, parts: sources.map((x) => ({ label: x.source, amount: x[field]! })), what: `${label}按资金来源合计`, whatEn: `${field} by fund source` }));
  }

  // ── Each column: 三公 items against 合计, 公用经费 其中 against the total ────────────────────────
  const tp = b.threePublic;
  for (const c of basicDataColumns) {
    const col = basicDataColumnZh[c];
    const v = (row: MoneyColumns | undefined) => row?.[c];
    const vehicles = v(tp.vehicles);
    if (vehicles !== undefined && v(tp.vehiclePurchase) !== undefined && v(tp.vehicleOperation) !== undefined) {
      push(sumCheck({ gap: 'three_public_composition_gap', rounding: 'three_public_composition_rounding', totalLabel: `公务用车购置和维护经费（${col}）`, total: vehicles, parts: [{ label: '公车购置', amount: v(tp.vehiclePurchase)! }, { label: '公车运行维护', amount: v(tp.vehicleOperation)! }], what: `基础数据表三公经费（${col}）`, whatEn: `"three public" vehicles (${c})` }));
    }
    const vehiclesOrParts = vehicles ?? (v(tp.vehiclePurchase) !== undefined && v(tp.vehicleOperation) !== undefined ? v(tp.vehiclePurchase)! + v(tp.vehicleOperation)! : undefined);
    if (v(tp.total) !== undefined && vehiclesOrParts !== undefined && v(tp.abroad) !== undefined && v(tp.reception) !== undefined) {
      push(sumCheck({ gap: 'three_public_composition_gap', rounding: 'three_public_composition_rounding', totalLabel: `三公经费合计（${col}）`, total: v(tp.total)!, parts: [{ label: '公务用车购置和维护经费', amount: vehiclesOrParts }, { label: '出国经费', amount: v(tp.abroad)! }, { label: '公务接待', amount: v(tp.reception)! }], what: `基础数据表三公经费（${col}）`, whatEn: `"three public" total (${c})` }));
    }
    const pf = b.publicFunds;
    const parts = [['办公经费', pf.office], ['水费、电费、差旅费', pf.utilitiesTravel], ['会议费、培训费', pf.meetingsTraining]] as const;
    const given = parts.filter(([, row]) => v(row) !== undefined);
    const partsSum = sumFen(given.map(([, row]) => v(row)!));
    // The 其中 rows are a part of the total: they may add up to less, never to more (beyond rounding, which is said as such).
    if (v(pf.total) !== undefined && given.length && partsSum > v(pf.total)!) {
      const within = partsSum - v(pf.total)! <= roundingTolerance(opts, given.length + 1);
      findings.push({
        code: within ? 'public_funds_parts_rounding' : 'public_funds_parts_exceed',
        severity: within ? 'info' : 'error',
        blocking: !within,
        unit: 'fen',
        stated: v(pf.total)!,
        computed: partsSum,
        difference: v(pf.total)! - partsSum,
        items: [item(`公用经费（${col}）`, v(pf.total)!, 'stated'), ...given.map(([label, row]) => item(label, v(row)!, 'computed'))],
        zh: `基础数据表公用经费（${col}）${w(v(pf.total)!)}，其中${given.map(([label, row]) => `${label} ${w(v(row)!)}`).join('、')}合计 ${w(partsSum)}，“其中”各项之和超过总数 ${w(partsSum - v(pf.total)!)}${within ? '，在舍入误差范围内' : ''}。`,
        en: `public funds (${c}) ${formatWanYuan(v(pf.total)!)}: its "of which" rows add up to more (${formatWanYuan(partsSum)}).`,
      });
    }
  }

  // ── 控制率 as stated against 在职 ÷ 编制 ───────────────────────────────────────────────────────
  for (const c of basicDataColumns) {
    const stated = b.staff.controlRate?.[c];
    const posts = b.staff.authorisedPosts?.[c];
    const inPost = b.staff.inPost?.[c];
    if (stated === undefined || posts === undefined || inPost === undefined || posts === 0) continue;
    const decimals = shareDecimals(stated);
    const step = 10 ** (2 - decimals);
    const atPrecision = Number(divRoundHalfUp(BigInt(inPost) * 10_000n, BigInt(posts) * BigInt(step))) * step;
    if (atPrecision === stated) continue;
    const exactBp = Number(divRoundHalfUp(BigInt(inPost) * 10_000n, BigInt(posts)));
    findings.push({
      code: 'staff_rate_gap',
      severity: 'error',
      blocking: true,
      unit: 'bp',
      stated,
      computed: exactBp,
      difference: stated - exactBp,
      items: [{ side: 'stated', kind: 'basic_data', label: `控制率（${basicDataColumnZh[c]}）` }, { side: 'computed', kind: 'staff', label: '实际在职人数', amount: inPost }, { side: 'computed', kind: 'staff', label: '编制数', amount: posts }],
      zh: `基础数据表控制率（${basicDataColumnZh[c]}）填 ${pct(stated, decimals)}，实际在职人数 ${inPost} 人 ÷ 编制数 ${posts} 人 = ${pct(exactBp)}，不一致。`,
      en: `the stated staff control rate (${c}) ${pct(stated, decimals)} does not match ${inPost} ÷ ${posts} = ${pct(exactBp)}.`,
    });
  }

  // ── Project rows against the itemised projects and the stated 项目支出 ───────────────────────
  const byCode = new Map(doc.projects.map((p) => [p.code, p]));
  b.projects.forEach((row) => {
    const p = row.project === undefined ? undefined : byCode.get(row.project);
    if (!p) return;
    const paid = sumFen(p.payments.map((x) => x.amount));
    const allocated = sumFen(p.allocations.filter((a) => a.budgetYear === doc.year).map((a) => a.amount));
    for (const [c, itemised, label] of [['final', paid, '逐项支付合计'], ['budget', allocated, `${doc.year}年安排资金合计`]] as const) {
      const value = row[c];
      if (value === undefined) continue;
      push(
        compareTotal(
          {
            gap: 'basic_data_project_gap',
            rounding: 'basic_data_project_rounding',
            statedTotal: value,
            computed: itemised,
            roundedTerms: 2,
            project: p.code,
            items: [item(`基础数据表·${row.name}·${basicDataColumnZh[c]}`, value, 'stated'), item(`${p.name}${label}`, itemised, 'computed')],
            zh: (d, within) => `基础数据表项目支出“${row.name}”${basicDataColumnZh[c]} ${w(value)}，${p.name}${label} ${w(itemised)}，相差 ${w(Math.abs(d))}${within ? '，在舍入误差范围内' : ''}。`,
            en: (d, within) => `basic data table project "${row.name}" (${c}) ${formatWanYuan(value)} vs itemised ${formatWanYuan(itemised)} (difference ${formatWanYuan(d)} 万元${within ? ', within rounding' : ''}).`,
          },
          opts,
        ),
      );
    }
  });
  for (const c of basicDataColumns) {
    const rows = b.projects.filter((r) => r[c] !== undefined);
    // Rows that cannot be summed (some leave the column blank): the stated 项目支出合计·本年决算数 is
    // still the same figure as the stated 项目支出, and is compared with it directly.
    const total = b.projectsTotal?.[c];
    if (c === 'final' && total !== undefined && rows.length !== b.projects.length) {
      push(
        compareTotal(
          {
            gap: 'basic_data_projects_total_gap',
            rounding: 'basic_data_projects_total_rounding',
            statedTotal: total,
            computed: s.expenditure.project.amount,
            roundedTerms: 2,
            items: [item(`基础数据表·项目支出合计·${basicDataColumnZh[c]}`, total, 'stated'), item('项目支出申报数', s.expenditure.project.amount, 'computed', s.expenditure.project.source)],
            zh: (d, within) => `基础数据表项目支出合计（${basicDataColumnZh[c]}）${w(total)}，申报的项目支出 ${w(s.expenditure.project.amount)}，相差 ${w(Math.abs(d))}${within ? '，在舍入误差范围内' : ''}。`,
            en: (d, within) => `basic data table project total (${c}) ${formatWanYuan(total)} vs stated project expenditure ${formatWanYuan(s.expenditure.project.amount)} (difference ${formatWanYuan(d)} 万元${within ? ', within rounding' : ''}).`,
          },
          opts,
        ),
      );
    }
    if (!rows.length || rows.length !== b.projects.length) continue;
    const totals: Array<{ label: string; amount: Fen; source?: string | undefined }> = [];
    const stated = b.projectsTotal?.[c];
    if (stated !== undefined) totals.push({ label: `基础数据表·项目支出合计·${basicDataColumnZh[c]}`, amount: stated });
    // Rows that are exactly the itemised projects: their sum against 项目支出 is the reconciliation's
    // own project_expenditure_gap (each row is checked against its project above); not said twice.
    const rowsAreProjects = rows.every((r) => r.project !== undefined) && new Set(rows.map((r) => r.project)).size === doc.projects.length && doc.projects.every((p) => rows.some((r) => r.project === p.code));
    if (c === 'final' && !rowsAreProjects) totals.push({ label: '项目支出申报数', amount: s.expenditure.project.amount, source: s.expenditure.project.source });
    for (const t of totals) {
      push(sumCheck({ gap: 'basic_data_projects_total_gap', rounding: 'basic_data_projects_total_rounding', totalLabel: t.label, total: t.amount, totalSource: t.source, parts: rows.map((r) => ({ label: r.name, amount: r[c]! })), what: `基础数据表项目支出（${basicDataColumnZh[c]}）逐行合计`, whatEn: `basic data table project rows (${c})` }));
    }
  }

  return [...findings, ...closingBalanceFindings(doc, computed, figures.closingBalance)];
}

/** The year-end 结转结余 (stated or derived) against what the itemised project balances add up to. */
function closingBalanceFindings(doc: UnitYear, computed: Reconciliation['computed'], closing: { amount: Fen; sourceZh: string }): Finding[] {
  if (!doc.projects.length) return [];
  const positive = computed.balances.filter((x) => x.balance > 0);
  const itemised = sumFen(positive.map((x) => x.balance));
  const diff = closing.amount - itemised;
  if (diff === 0) return [];
  const names = new Map(doc.projects.flatMap((p) => p.allocations.map((a) => [a.code, `${p.name}·${a.name}`] as const)));
  return [
    {
      code: diff > 0 ? 'closing_balance_not_itemised' : 'closing_balance_over_itemised',
      severity: diff > 0 ? 'warning' : 'error',
      blocking: true,
      unit: 'fen',
      stated: closing.amount,
      computed: itemised,
      difference: diff,
      items: [
        { side: 'stated', kind: 'stated', label: `年末结转结余（${closing.sourceZh}）`, amount: closing.amount },
        ...positive.map((x) => ({ side: 'computed' as const, kind: 'allocation' as const, code: x.allocation, label: names.get(x.allocation) ?? x.allocation, amount: x.balance })),
      ],
      zh:
        diff > 0
          ? `年末结转结余 ${w(closing.amount)}（${closing.sourceZh}），逐项列明的项目结余合计 ${w(itemised)}，另有 ${w(diff)} 未逐项列明（可能为基本支出结余或未列明的项目结余）。`
          : `逐项列明的项目结余合计 ${w(itemised)}，超过年末结转结余 ${w(closing.amount)}（${closing.sourceZh}）${w(-diff)}。`,
      en:
        diff > 0
          ? `closing balance ${formatWanYuan(closing.amount)} 万元, itemised project balances ${formatWanYuan(itemised)}: ${formatWanYuan(diff)} 万元 not itemised.`
          : `itemised project balances ${formatWanYuan(itemised)} exceed the closing balance ${formatWanYuan(closing.amount)} by ${formatWanYuan(-diff)} 万元.`,
    },
  ];
}
