/**
 * The rule set of the S6 部门整体支出绩效评价指标表 (2018 Hunan-style table of an unnamed unit,
 * filed with its 基础数据表 as "附件3"; DOMAIN.md §1.3 "2018 example", §7 S6). It is the rule set
 * of `tests/fixtures/s6-unnamed-unit-2018.unit-year.yaml`.
 *
 * What the source shows (the stored copy of the page ends inside the 预算控制率 row):
 *
 * 投入 16 — 预算配置 16:
 *   在职人员控制率 8: ≤100% 8 分；每超过一个百分点扣 0.5 分，扣完为止 (proportional, as the
 *     built-in set reads "每超过一个百分点").
 *   “三公经费”变动率 8: ≤0 8 分；每超过一个百分点扣 0.8 分，扣完为止; on 预算数 (the table works it
 *     out as (63.46 − 32) ÷ 32).
 * 过程 58 — 预算执行 16:
 *   预算完成率 8: 100% 计满分，每低于 5% 扣 2 分 (Hunan formula; whole steps: the table gives
 *     99.27% full marks).
 *   预算控制率 8: =0 8；0–10%（含）6；10–20%（含）4；20–30%（含）2；大于 30% 不得分.
 *
 * What it does not show: the other 42 points of 过程 (预算管理、资产管理 in the 雨花/S3 family of
 * this table) and the 26 points of 产出 and 效果. Their indicators and weights are unknown, so they
 * are two placeholder indicators carrying only the weights the table's level totals imply
 * (100 − 16 − 58 = 26; 58 − 16 = 42). They are `tiers` indicators because that is the only kind
 * a person can value without a formula; the fixture values neither, so they stay 未评分 and the
 * sheet is never final — never a guessed score.
 */
import { DEFAULT_TIERS, ScoringRuleSet, type ScoringRuleSetInput } from '../scoring';

const SOURCE_URL = 'https://wanglu.net/thread/t4-462766-0.html';

const tiers = () => ({ kind: 'tiers' as const, tiers: DEFAULT_TIERS.map((t) => ({ ...t })) });
const at = (bp: number, inclusive: boolean) => ({ bp, inclusive });

const input: ScoringRuleSetInput = {
  id: 'hunan-s6-2018',
  year: 2018,
  region: '湖南（S6 表式：投入 16、过程 58）',
  notApplicable: 'full_marks',
  sourceNote: `部门整体支出绩效评价指标表（2018 年，填报单位未载），${SOURCE_URL}：在职人员控制率 8、“三公经费”变动率 8、预算完成率 8、预算控制率 8 的分值与评分标准取自原表；原表其余部分（过程另 42 分、产出与效果 26 分）未能读取，以两项占位指标按一级指标分值计，不评分。`,
  indicators: [
    {
      id: 'staff_control_rate',
      level1: '投入',
      level2: '预算配置',
      level3: '在职人员控制率',
      weightCp: 800,
      rule: { kind: 'cap_deduct', indicator: 'staff_control_rate', capBp: 10000, stepBp: 100, perStepCp: 50, stepping: 'proportional' },
      sourceNote: `${SOURCE_URL}（指标表：以100%为标准，≤100% 计 8 分，每超过一个百分点扣 0.5 分）`,
    },
    {
      id: 'three_public_change_rate',
      level1: '投入',
      level2: '预算配置',
      level3: '“三公经费”变动率',
      weightCp: 800,
      variant: 'budget',
      rule: { kind: 'cap_deduct', indicator: 'three_public_change_rate', capBp: 0, stepBp: 100, perStepCp: 80, stepping: 'proportional' },
      sourceNote: `${SOURCE_URL}（指标表：≤0 计 8 分，每超过一个百分点扣 0.8 分；按预算数计算）`,
    },
    {
      id: 'budget_completion_rate',
      level1: '过程',
      level2: '预算执行',
      level3: '预算完成率',
      weightCp: 800,
      variant: 'hunan',
      rule: { kind: 'shortfall_deduct', indicator: 'budget_completion_rate', targetBp: 10000, stepBp: 500, perStepCp: 200, stepping: 'whole' },
      sourceNote: `${SOURCE_URL}（指标表：100% 计满分，每低于 5% 扣 2 分；99.27% 得 8 分，故按整档计）`,
    },
    {
      id: 'budget_control_rate',
      level1: '过程',
      level2: '预算执行',
      level3: '预算控制率',
      weightCp: 800,
      rule: {
        kind: 'bands',
        indicator: 'budget_control_rate',
        bands: [
          { min: at(0, true), max: at(0, true), pointsCp: 800, labelZh: '=0' },
          { min: at(0, false), max: at(1000, true), pointsCp: 600, labelZh: '0–10%（含）' },
          { min: at(1000, false), max: at(2000, true), pointsCp: 400, labelZh: '10–20%（含）' },
          { min: at(2000, false), max: at(3000, true), pointsCp: 200, labelZh: '20–30%（含）' },
          { min: at(3000, false), max: null, pointsCp: 0, labelZh: '大于30%' },
        ],
      },
      sourceNote: `${SOURCE_URL}（指标表：=0 计 8 分；0–10%（含）6 分；10–20%（含）4 分；20–30%（含）2 分；大于 30% 不得分）`,
    },
    {
      id: 'process_unread',
      level1: '过程',
      level2: '预算执行以外（原表未能读取）',
      level3: '过程其余指标（合计 42 分，原表未能读取）',
      weightCp: 4200,
      rule: tiers(),
      sourceNote: `占位：${SOURCE_URL} 过程 58 分减预算执行 16 分；指标与分值未能读取`,
    },
    {
      id: 'output_effect_unread',
      level1: '产出及效果',
      level2: '原表未能读取',
      level3: '产出及效果各指标（合计 26 分，原表未能读取）',
      weightCp: 2600,
      rule: tiers(),
      sourceNote: `占位：${SOURCE_URL} 100 分减投入 16 分、过程 58 分；指标与分值未能读取`,
    },
  ],
};

/** Validated when this module loads. */
export const HUNAN_S6_2018_RULE_SET: ScoringRuleSet = ScoringRuleSet.parse(input);
