/**
 * The figures the indicators are computed from, each once, with where it comes from. A figure may
 * be given in more than one place — the 基础数据表, the report's stated figures, or derived from
 * other figures (调整后预算 − 年初预算 = 本年追加) — and the first of those found is used; when two
 * places disagree, that is a finding (./basic-data-checks), never a silent pick.
 */
import type { Fen } from '../money';
import { sumFen } from '../money';
import type { BuildingInput } from '../indicators';
import type { MoneyColumns } from './basic-data';
import type { StatedAmount, UnitYear } from './unit-year.schema';

export interface Figure {
  amount: Fen;
  /** e.g. "基础数据表·三公经费合计·本年预算数", "申报数（二（一））", "推算：收入 + 上年结转结余 − 支出". */
  sourceZh: string;
}

export interface CountFigure {
  count: number;
  sourceZh: string;
}

export interface Figures {
  initialBudget?: Figure;
  supplementary?: Figure;
  adjustedBudget?: Figure;
  executed?: Figure;
  plannedPaymentProgress?: { bp: number; sourceZh: string };
  threePublicBudget?: Figure;
  threePublicActual?: Figure;
  threePublicPreviousBudget?: Figure;
  threePublicPreviousFinal?: Figure;
  publicFundsBudget?: Figure;
  publicFundsActual: Figure;
  procurementBudget?: Figure;
  procurementActual?: Figure;
  /** 年末结转结余: stated, else income + carry-over − expenditure. */
  closingBalance: Figure;
  /** 上年末结转结余: stated, else this year's 上年结转结余 (the same money). */
  previousClosingBalance: Figure;
  authorisedPosts: CountFigure;
  staffInPost: CountFigure;
  buildings: BuildingInput[];
}

/** Two places that give the same figure differently. */
export interface Disagreement {
  labelZh: string;
  labelEn: string;
  unit: 'fen' | 'persons';
  used: { value: number; sourceZh: string };
  other: { value: number; sourceZh: string };
}

type Candidate = { value: number | undefined; sourceZh: string };

const bd = (row: string, column: keyof MoneyColumns) => `基础数据表·${row}·${{ previousFinal: '上年决算数', budget: '本年预算数', final: '本年决算数' }[column]}`;
const statedSource = (s: StatedAmount | undefined, field: string) => `申报数（${s?.source ?? field}）`;

export function resolveFigures(doc: UnitYear, impliedClosingBalance: Fen): { figures: Figures; disagreements: Disagreement[] } {
  const disagreements: Disagreement[] = [];
  const b = doc.basicData;
  const st = doc.stated;

  function pick(labelZh: string, labelEn: string, unit: 'fen' | 'persons', candidates: Candidate[]): { value: number; sourceZh: string } | undefined {
    const given = candidates.filter((c): c is { value: number; sourceZh: string } => c.value !== undefined);
    const [first] = given;
    if (!first) return undefined;
    for (const other of given.slice(1)) {
      if (other.value !== first.value) disagreements.push({ labelZh, labelEn, unit, used: first, other });
    }
    return first;
  }
  const money = (labelZh: string, labelEn: string, candidates: Candidate[]): Figure | undefined => {
    const f = pick(labelZh, labelEn, 'fen', candidates);
    return f && { amount: f.value, sourceZh: f.sourceZh };
  };
  const sum = (...parts: Array<Fen | undefined>): Fen | undefined => (parts.some((x) => x === undefined) ? undefined : sumFen(parts as Fen[]));

  // 三公: the 合计 row, or the sum of its three items when the table leaves 合计 out.
  const tp = b?.threePublic;
  const vehicles = (c: keyof MoneyColumns) => tp?.vehicles?.[c] ?? sum(tp?.vehiclePurchase?.[c], tp?.vehicleOperation?.[c]);
  const threePublic = (c: keyof MoneyColumns): Candidate[] => [
    { value: tp?.total?.[c], sourceZh: bd('三公经费合计', c) },
    { value: tp?.total?.[c] === undefined ? sum(vehicles(c), tp?.abroad?.[c], tp?.reception?.[c]) : undefined, sourceZh: `${bd('三公经费', c)}（分项合计）` },
  ];

  const initialBudget = money('年初预算数', 'initial budget', [
    { value: b?.budget.initial, sourceZh: '基础数据表·预算执行·年初预算数' },
    { value: st.budget.initial?.amount, sourceZh: statedSource(st.budget.initial, 'stated.budget.initial') },
  ]);
  const adjustedBudget = money('全年（调整后）预算数', 'adjusted budget', [
    { value: b?.budget.adjusted, sourceZh: '基础数据表·预算执行·全年预算数' },
    { value: st.budget.adjusted?.amount, sourceZh: statedSource(st.budget.adjusted, 'stated.budget.adjusted') },
  ]);
  const supplementary = money('本年追加预算', 'supplementary budget', [
    { value: st.budget.supplementary?.amount, sourceZh: statedSource(st.budget.supplementary, 'stated.budget.supplementary') },
    {
      value: initialBudget && adjustedBudget ? adjustedBudget.amount - initialBudget.amount : undefined,
      sourceZh: '推算：全年预算数 − 年初预算数',
    },
  ]);
  const executed = money('全年执行数', 'budget executed', [{ value: b?.budget.executed, sourceZh: '基础数据表·预算执行·全年执行数' }]);

  const figures: Figures = {
    ...(initialBudget ? { initialBudget } : {}),
    ...(supplementary ? { supplementary } : {}),
    ...(adjustedBudget ? { adjustedBudget } : {}),
    ...(executed ? { executed } : {}),
    ...(b?.budget.plannedPaymentProgress !== undefined ? { plannedPaymentProgress: { bp: b.budget.plannedPaymentProgress, sourceZh: '基础数据表·预算执行·既定支付进度' } } : {}),
    ...optional('threePublicBudget', money('“三公经费”本年预算数', '"three public" budget', [
      ...threePublic('budget'),
      { value: st.budget.threePublic?.amount, sourceZh: statedSource(st.budget.threePublic, 'stated.budget.threePublic') },
    ])),
    ...optional('threePublicActual', money('“三公经费”本年决算数', '"three public" actual', [
      ...threePublic('final'),
      { value: st.actual.threePublic?.amount, sourceZh: statedSource(st.actual.threePublic, 'stated.actual.threePublic') },
    ])),
    ...optional('threePublicPreviousBudget', money('“三公经费”上年预算数', '"three public" budget last year', [
      { value: st.budget.threePublicPreviousYear?.amount, sourceZh: statedSource(st.budget.threePublicPreviousYear, 'stated.budget.threePublicPreviousYear') },
    ])),
    ...optional('threePublicPreviousFinal', money('“三公经费”上年决算数', '"three public" actual last year', threePublic('previousFinal'))),
    ...optional('publicFundsBudget', money('公用经费预算数', 'public funds budget', [
      { value: b?.publicFunds.total?.budget, sourceZh: bd('公用经费', 'budget') },
      { value: st.budget.publicFunds?.amount, sourceZh: statedSource(st.budget.publicFunds, 'stated.budget.publicFunds') },
    ])),
    publicFundsActual: money('公用经费本年决算数', 'public funds actual', [
      { value: st.expenditure.public.amount, sourceZh: statedSource(st.expenditure.public, 'stated.expenditure.public') },
      { value: b?.publicFunds.total?.final, sourceZh: bd('公用经费', 'final') },
    ])!,
    ...optional('procurementBudget', money('政府采购预算数', 'procurement budget', [
      { value: b?.procurement?.budget, sourceZh: bd('政府采购金额', 'budget') },
      { value: st.budget.procurement?.amount, sourceZh: statedSource(st.budget.procurement, 'stated.budget.procurement') },
    ])),
    ...optional('procurementActual', money('政府采购实际金额', 'procurement actual', [
      { value: b?.procurement?.final, sourceZh: bd('政府采购金额', 'final') },
      { value: st.actual.procurement?.amount, sourceZh: statedSource(st.actual.procurement, 'stated.actual.procurement') },
    ])),
    closingBalance: money('年末结转结余', 'closing balance', [
      { value: st.closingBalance?.amount, sourceZh: statedSource(st.closingBalance, 'stated.closingBalance') },
      { value: st.closingBalance === undefined ? impliedClosingBalance : undefined, sourceZh: '推算：收入 + 上年结转结余 − 支出' },
    ])!,
    previousClosingBalance: money('上年末结转结余', 'closing balance last year', [
      { value: st.actual.previousClosingBalance?.amount, sourceZh: statedSource(st.actual.previousClosingBalance, 'stated.actual.previousClosingBalance') },
      { value: st.carryOver.amount, sourceZh: `上年结转结余（${st.carryOver.source ?? 'stated.carryOver'}）` },
    ])!,
    authorisedPosts: count(pick('编制数', 'authorised posts', 'persons', [
      { value: doc.unit.staffQuota, sourceZh: '单位基本情况·核定编制数' },
      { value: b?.staff.authorisedPosts?.final, sourceZh: '基础数据表·编制数·本年决算数' },
    ])!),
    staffInPost: count(pick('实际在职人数', 'staff in post', 'persons', [
      { value: doc.staff.actual, sourceZh: '单位基本情况·年末实有人数' },
      { value: b?.staff.inPost?.final, sourceZh: '基础数据表·实际在职人数·本年决算数' },
    ])!),
    buildings: (b?.buildings ?? []).map((x) => ({ name: x.name, approvedArea: x.approvedArea, actualArea: x.actualArea, budgetInvestmentFen: x.budgetInvestment, actualInvestmentFen: x.actualInvestment })),
  };
  return { figures, disagreements };
}

function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function count(f: { value: number; sourceZh: string }): CountFigure {
  return { count: f.value, sourceZh: f.sourceZh };
}
