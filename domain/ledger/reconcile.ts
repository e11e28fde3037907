/**
 * Reconciliation: every total the unit states is compared with what its items add up to, and
 * every gap is named with its amount and the items on each side. Nothing is ever forced to
 * match. Published reports print amounts in 万元 with two decimals, so a stated total may differ
 * from the sum of its stated parts by rounding alone; that tolerance is explicit and a difference
 * inside it is reported as "rounding", not as an error.
 */
import { divRoundHalfUp, formatWanYuan, sumFen } from '../money';
import { basicDataFindings } from './basic-data-checks';
import { allocationLabel, compareTotal, type Finding, type FindingItem, pct, type ReconcileOptions, type Reconciliation, shareDecimals, stated, w } from './findings';
import type { UnitYear } from './unit-year.schema';

export type { Finding, FindingCode, FindingItem, ReconcileOptions, Reconciliation, Severity } from './findings';

export function reconcile(doc: UnitYear, options: ReconcileOptions = {}): Reconciliation {
  const opts: Required<ReconcileOptions> = { statedRoundingUnitFen: options.statedRoundingUnitFen ?? 10_000 };
  const findings: Finding[] = [];
  const s = doc.stated;
  const e = s.expenditure;

  // ── Income and carry-over against expenditure and the closing balance ─────────────────────
  const fundsIn = s.income.total.amount + s.carryOver.amount;
  const impliedClosing = fundsIn - e.total.amount;
  if (s.closingBalance) {
    const out = e.total.amount + s.closingBalance.amount;
    const f = compareTotal(
      {
        gap: 'funds_balance_gap',
        rounding: 'funds_balance_rounding',
        statedTotal: fundsIn,
        computed: out,
        roundedTerms: 4,
        items: [
          stated('收入合计', s.income.total),
          stated('上年结转结余', s.carryOver),
          { ...stated('支出合计', e.total), side: 'computed' },
          { ...stated('年末结转结余', s.closingBalance), side: 'computed' },
        ],
        zh: (d, within) =>
          `收入 ${w(s.income.total.amount)} 加上年结转结余 ${w(s.carryOver.amount)} 共 ${w(fundsIn)}，支出 ${w(e.total.amount)} 加年末结转结余 ${w(s.closingBalance!.amount)} 共 ${w(out)}，相差 ${w(Math.abs(d))}${within ? '，在舍入误差范围内' : ''}。`,
        en: (d, within) => `income plus carry-over (${formatWanYuan(fundsIn)}) differs from expenditure plus closing balance (${formatWanYuan(out)}) by ${formatWanYuan(d)} 万元${within ? ', within rounding' : ''}.`,
      },
      opts,
    );
    if (f) findings.push(f);
  } else {
    findings.push({
      code: 'closing_balance_not_stated',
      severity: 'warning',
      blocking: false,
      unit: 'fen',
      stated: null,
      computed: impliedClosing,
      difference: null,
      items: [stated('收入合计', s.income.total), stated('上年结转结余', s.carryOver), { ...stated('支出合计', e.total), side: 'computed' }],
      zh: `报告未申报年末结转结余：收入 ${w(s.income.total.amount)} 加上年结转结余 ${w(s.carryOver.amount)}，减支出 ${w(e.total.amount)}，推算年末结转结余应为 ${w(impliedClosing)}。`,
      en: `The closing balance is not stated: income ${formatWanYuan(s.income.total.amount)} + carry-over ${formatWanYuan(s.carryOver.amount)} − expenditure ${formatWanYuan(e.total.amount)} implies ${formatWanYuan(impliedClosing)} 万元.`,
    });
  }

  // ── Basic expenditure = personnel + public ─────────────────────────────────────────────────
  const personnelPlusPublic = e.personnel.amount + e.public.amount;
  const basic = compareTotal(
    {
      gap: 'basic_composition_gap',
      rounding: 'basic_composition_rounding',
      statedTotal: e.basic.amount,
      computed: personnelPlusPublic,
      roundedTerms: 3,
      items: [stated('基本支出', e.basic), { ...stated('人员经费', e.personnel), side: 'computed' }, { ...stated('公用经费', e.public), side: 'computed' }],
      zh: (d, within) =>
        `基本支出申报 ${w(e.basic.amount)}，人员经费 ${w(e.personnel.amount)} 加公用经费 ${w(e.public.amount)} 为 ${w(personnelPlusPublic)}，相差 ${w(Math.abs(d))}${within ? '，在舍入误差范围内' : ''}。`,
      en: (d, within) => `basic expenditure ${formatWanYuan(e.basic.amount)} ≠ personnel + public ${formatWanYuan(personnelPlusPublic)} (difference ${formatWanYuan(d)} 万元${within ? ', within rounding' : ''}).`,
    },
    opts,
  );
  if (basic) findings.push(basic);

  // ── Stated shares against computed shares ─────────────────────────────────────────────────
  for (const [label, labelEn, part, share] of [
    ['人员经费', 'personnel', e.personnel, e.personnelShare],
    ['公用经费', 'public', e.public, e.publicShare],
  ] as const) {
    if (!share || e.basic.amount === 0) continue;
    const computedBp = Number(divRoundHalfUp(BigInt(part.amount) * 10_000n, BigInt(e.basic.amount)));
    // Exact comparison at the stated precision: round the exact ratio to the stated decimals.
    const decimals = shareDecimals(share.shareBp);
    const step = 10 ** (2 - decimals);
    const computedAtStatedPrecision = Number(divRoundHalfUp(BigInt(part.amount) * 10_000n, BigInt(e.basic.amount) * BigInt(step))) * step;
    if (computedBp === share.shareBp) continue;
    const rounded = computedAtStatedPrecision === share.shareBp;
    findings.push({
      code: rounded ? 'share_rounding' : 'share_gap',
      severity: rounded ? 'info' : 'error',
      blocking: !rounded,
      unit: 'bp',
      stated: share.shareBp,
      computed: computedBp,
      difference: share.shareBp - computedBp,
      items: [
        { side: 'stated', kind: 'stated', label: `${label}占基本支出比例`, ...(share.source ? { source: share.source } : {}) },
        { ...stated(label, part), side: 'computed' },
        { ...stated('基本支出', e.basic), side: 'computed' },
      ],
      zh: rounded
        ? `${label}占基本支出比例申报 ${pct(share.shareBp, decimals)}，按 ${formatWanYuan(part.amount)} ÷ ${formatWanYuan(e.basic.amount)} 计算为 ${pct(computedBp)}，系四舍五入所致。`
        : `${label}占基本支出比例申报 ${pct(share.shareBp, decimals)}，按 ${formatWanYuan(part.amount)} ÷ ${formatWanYuan(e.basic.amount)} 计算为 ${pct(computedBp)}，不一致。`,
      en: rounded
        ? `The stated ${labelEn} share ${pct(share.shareBp, decimals)} is ${pct(computedBp)} rounded.`
        : `The stated ${labelEn} share ${pct(share.shareBp, decimals)} does not match the computed ${pct(computedBp)}.`,
    });
  }

  // ── Basic + project = total ─────────────────────────────────────────────────────────────────
  const basicPlusProject = e.basic.amount + e.project.amount;
  const total = compareTotal(
    {
      gap: 'total_composition_gap',
      rounding: 'total_composition_rounding',
      statedTotal: e.total.amount,
      computed: basicPlusProject,
      roundedTerms: 3,
      items: [stated('支出合计', e.total), { ...stated('基本支出', e.basic), side: 'computed' }, { ...stated('项目支出', e.project), side: 'computed' }],
      zh: (d, within) =>
        `支出合计申报 ${w(e.total.amount)}，基本支出 ${w(e.basic.amount)} 加项目支出 ${w(e.project.amount)} 为 ${w(basicPlusProject)}，相差 ${w(Math.abs(d))}${within ? '，在舍入误差范围内' : ''}。`,
      en: (d, within) => `total expenditure ${formatWanYuan(e.total.amount)} ≠ basic + project ${formatWanYuan(basicPlusProject)} (difference ${formatWanYuan(d)} 万元${within ? ', within rounding' : ''}).`,
    },
    opts,
  );
  if (total) findings.push(total);

  // ── Project expenditure against itemised payments ───────────────────────────────────────────
  const payments = doc.projects.flatMap((p) => p.payments.map((pay) => ({ p, pay })));
  const paymentsTotal = sumFen(payments.map((x) => x.pay.amount));
  const projectFinding = compareTotal(
    {
      gap: 'project_expenditure_gap',
      rounding: 'project_expenditure_rounding',
      statedTotal: e.project.amount,
      computed: paymentsTotal,
      roundedTerms: payments.length + 1,
      gapSeverity: 'warning',
      items: [
        stated('项目支出', e.project),
        ...payments.map(({ p, pay }) => {
          const a = p.allocations.find((x) => x.code === pay.allocation);
          return { side: 'computed' as const, kind: 'payment' as const, code: pay.code, label: a ? allocationLabel(p, a) : p.name, amount: pay.amount, ...(pay.source ? { source: pay.source } : {}) };
        }),
      ],
      zh: (d, within) =>
        within
          ? `项目支出申报 ${w(e.project.amount)}，逐项支付合计 ${w(paymentsTotal)}，相差 ${w(Math.abs(d))}，在舍入误差范围内。`
          : `项目支出申报 ${w(e.project.amount)}，逐项列明的支付合计 ${w(paymentsTotal)}，${d > 0 ? `有 ${w(d)} 未逐项列明` : `逐项合计超出申报数 ${w(-d)}`}。`,
      en: (d, within) =>
        `stated project expenditure ${formatWanYuan(e.project.amount)} vs itemised payments ${formatWanYuan(paymentsTotal)}: ${within ? 'within rounding' : d > 0 ? `${formatWanYuan(d)} 万元 not itemised` : `items exceed the statement by ${formatWanYuan(-d)} 万元`}.`,
    },
    opts,
  );
  if (projectFinding) findings.push(projectFinding);

  // ── Each allocation: allocated − paid against what is held back ────────────────────────────
  const balances: Reconciliation['computed']['balances'] = [];
  for (const p of doc.projects) {
    for (const a of p.allocations) {
      const paid = sumFen(p.payments.filter((x) => x.allocation === a.code).map((x) => x.amount));
      const holds = p.holdbacks.filter((h) => h.allocation === a.code);
      const heldBack = sumFen(holds.map((h) => h.amount));
      const balance = a.amount - paid;
      balances.push({ project: p.code, allocation: a.code, allocated: a.amount, paid, balance, heldBack });
      const label = allocationLabel(p, a);
      const base = { project: p.code, allocation: a.code, unit: 'fen' as const };
      const items: FindingItem[] = [
        { side: 'stated', kind: 'allocation', code: a.code, label, amount: a.amount, ...(a.source ? { source: a.source } : {}) },
        ...p.payments.filter((x) => x.allocation === a.code).map((x) => ({ side: 'computed' as const, kind: 'payment' as const, code: x.code, label: x.note ? `${label}（${x.note}）` : label, amount: x.amount })),
        ...holds.map((h) => ({ side: 'computed' as const, kind: 'holdback' as const, code: h.code, label: h.condition, amount: h.amount })),
      ];
      if (balance < 0) {
        findings.push({
          ...base,
          code: 'allocation_overspent',
          severity: 'error',
          blocking: true,
          stated: a.amount,
          computed: paid,
          difference: balance,
          items,
          zh: `${label} ${w(a.amount)}，已支付 ${w(paid)}，超支 ${w(-balance)}。`,
          en: `${label}: paid ${formatWanYuan(paid)} against ${formatWanYuan(a.amount)} allocated, overspent by ${formatWanYuan(-balance)} 万元.`,
        });
      } else if (balance > 0 && heldBack === 0) {
        findings.push({
          ...base,
          code: 'balance_without_holdback',
          severity: 'warning',
          blocking: true,
          stated: balance,
          computed: 0,
          difference: balance,
          items,
          zh: `${label} ${w(a.amount)}，已支付 ${w(paid)}，结余 ${w(balance)}，未说明结余原因。`,
          en: `${label}: ${formatWanYuan(balance)} 万元 unspent (${formatWanYuan(a.amount)} allocated, ${formatWanYuan(paid)} paid) with no reason recorded.`,
        });
      } else if (balance !== heldBack) {
        findings.push({
          ...base,
          code: 'holdback_mismatch',
          severity: 'warning',
          blocking: true,
          stated: heldBack,
          computed: balance,
          difference: heldBack - balance,
          items,
          zh: `${label}结余 ${w(balance)}，列明的暂缓支付合计 ${w(heldBack)}，相差 ${w(Math.abs(heldBack - balance))}。`,
          en: `${label}: balance ${formatWanYuan(balance)} 万元 but holdbacks total ${formatWanYuan(heldBack)} 万元.`,
        });
      }
    }
  }

  // ── Carry-over: stated against itemised carried-over allocations ───────────────────────────
  const carried = doc.projects.flatMap((p) => p.allocations.filter((a) => a.budgetYear < doc.year).map((a) => ({ p, a })));
  const carryOverItemised = sumFen(carried.map((x) => x.a.amount));
  const carryDiff = s.carryOver.amount - carryOverItemised;
  if (carryDiff !== 0) {
    const listed = carried.map(({ p, a }) => `${allocationLabel(p, a)} ${w(a.amount)}`).join('、');
    findings.push({
      code: carryDiff > 0 ? 'carry_over_not_itemised' : 'carry_over_over_itemised',
      severity: carryDiff > 0 ? 'warning' : 'error',
      blocking: true,
      unit: 'fen',
      stated: s.carryOver.amount,
      computed: carryOverItemised,
      difference: carryDiff,
      items: [stated('上年结转结余', s.carryOver), ...carried.map(({ p, a }) => ({ side: 'computed' as const, kind: 'allocation' as const, code: a.code, label: allocationLabel(p, a), amount: a.amount }))],
      zh:
        carryDiff > 0
          ? `上年结转结余申报 ${w(s.carryOver.amount)}，逐项列明的结转资金 ${w(carryOverItemised)}${listed ? `（${listed}）` : ''}，另有 ${w(carryDiff)} 未列明去向。`
          : `逐项列明的结转资金 ${w(carryOverItemised)} 超过申报的上年结转结余 ${w(s.carryOver.amount)}，超出 ${w(-carryDiff)}。`,
      en:
        carryDiff > 0
          ? `Carry-over stated ${formatWanYuan(s.carryOver.amount)}, itemised ${formatWanYuan(carryOverItemised)}: ${formatWanYuan(carryDiff)} 万元 not itemised.`
          : `Itemised carry-over ${formatWanYuan(carryOverItemised)} exceeds the stated ${formatWanYuan(s.carryOver.amount)} by ${formatWanYuan(-carryDiff)} 万元.`,
    });
  }

  // ── Staff against quota ─────────────────────────────────────────────────────────────────────
  if (doc.staff.actual > doc.unit.staffQuota) {
    findings.push({
      code: 'staff_over_quota',
      severity: 'warning',
      blocking: false,
      unit: 'persons',
      stated: doc.unit.staffQuota,
      computed: doc.staff.actual,
      difference: doc.unit.staffQuota - doc.staff.actual,
      items: [{ side: 'stated', kind: 'staff', label: '核定编制数', amount: doc.unit.staffQuota }, { side: 'computed', kind: 'staff', label: '年末实有人数', amount: doc.staff.actual }],
      zh: `年末实有人数 ${doc.staff.actual} 人，超过核定编制 ${doc.unit.staffQuota} 人 ${doc.staff.actual - doc.unit.staffQuota} 人。`,
      en: `${doc.staff.actual} staff against a quota of ${doc.unit.staffQuota}: ${doc.staff.actual - doc.unit.staffQuota} over.`,
    });
  }

  const computedFigures = {
    paymentsTotal,
    allocationsThisYear: sumFen(doc.projects.flatMap((p) => p.allocations.filter((a) => a.budgetYear === doc.year).map((a) => a.amount))),
    carryOverItemised,
    balances,
    impliedClosingBalance: impliedClosing,
  };
  findings.push(...basicDataFindings(doc, computedFigures, opts));

  return {
    findings,
    computed: {
      paymentsTotal,
      allocationsThisYear: sumFen(doc.projects.flatMap((p) => p.allocations.filter((a) => a.budgetYear === doc.year).map((a) => a.amount))),
      carryOverItemised,
      balances,
      impliedClosingBalance: impliedClosing,
    },
  };
}
