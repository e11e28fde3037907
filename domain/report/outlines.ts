/**
 * Report outlines as data: which top-level sections a report has, in which order, under which
 * heading, and which annexes follow. `compose` interprets an outline with the section functions of
 * ./sections; a unit-year chooses its outline by id (`outline:` in the unit-year file, default
 * `yiyang-2020`), and the report prints which one it follows under the 自评表.
 *
 * Numbering is positional: the n-th section is headed "n、" in Chinese numerals (一、二、…), its
 * subsections （一）（二）…, whatever the source report did — the seed numbered "1、" then "二、".
 * Annexes are numbered 附件1, 附件2, … in the order given, an annex with nothing to show (no
 * 基础数据表, no evidence, no project 自评表) taking no number.
 *
 * Pure data with no imports, so the unit-year schema can check an outline id without a cycle.
 */

/** The content a top-level section carries (one section function each, see ./compose). */
export const outlineSectionKinds = [
  /** 单位基本情况: level, 编制, sections, staff, duties in one paragraph (the seed's 一). */
  'unitProfile',
  /** 单位基本概况 in four subsections: 机构设置情况, 人员编制情况, 单位职责 (南县财政局 2020's 二). */
  'unitOverview',
  /** 部门概况: （一）部门基本情况 （二）部门整体支出情况 (收入, 支出 = 基本 + 项目) (郴州 2017/2018's 一). */
  'departmentOverview',
  /** 一般公共预算支出情况: （一）基本支出情况 （二）项目支出情况 with each project's money (the seed's 二). */
  'budgetExpenditure',
  /** 部门整体支出管理及使用情况: （一）基本支出 with 三公经费 （二）项目支出 (郴州 2017/2018's 二). */
  'expenditureManagement',
  /** 部门专项组织实施情况: the projects as organised — funds, withheld payments, project 自评. */
  'specialProjects',
  /** 自评得分情况: total, grade and lost points only (南县财政局 2020's 一). */
  'scoreOverview',
  /** 部门整体支出绩效情况: the score, （一）经济性 （二）效率性 （三）社会效益 (the seed's 三). */
  'performance',
  /** The same without the score paragraph, for an outline that opens with the score. */
  'performanceWithoutScore',
  /** 存在的问题及原因分析 (the sections' submissions). */
  'problems',
  /** 下一步改进措施 (the sections' submissions). */
  'nextSteps',
  /** 部门整体支出绩效自评结果拟应用和公开情况 (`narrative.resultApplication`, written by the unit). */
  'resultApplication',
  /** 其他需要说明的情况 (`narrative.otherNotes`, written by the unit). */
  'otherNotes',
] as const;
export type OutlineSectionKind = (typeof outlineSectionKinds)[number];

/** Annexes a report can carry; the optional ones are left out (and unnumbered) when empty. */
export const outlineAnnexKinds = ['score', 'evidence', 'basicData', 'projectEvaluations', 'projects', 'reconciliation', 'holdbacks'] as const;
export type OutlineAnnexKind = (typeof outlineAnnexKinds)[number];

export interface ReportOutline {
  id: string;
  /** Chinese name, printed under the 自评表 ("报告提纲：…"). */
  name: string;
  /** Top-level sections in order, numbered 一、二、… by position. */
  sections: ReadonlyArray<{ kind: OutlineSectionKind; title: string }>;
  /** Annexes in order, numbered 附件1, 附件2, … (those with nothing to show are skipped). */
  annexes: readonly OutlineAnnexKind[];
  /** What the outline follows, and how far that was checked (with the addresses of the reports). */
  source: string;
}

export const DEFAULT_OUTLINE_ID = 'yiyang-2020';

const ALL_ANNEXES: readonly OutlineAnnexKind[] = ['score', 'evidence', 'basicData', 'projectEvaluations', 'projects', 'reconciliation', 'holdbacks'];

export const reportOutlines: readonly ReportOutline[] = [
  {
    id: 'yiyang-2020',
    name: '益阳市智慧城市和大数据中心2020年度报告提纲',
    sections: [
      { kind: 'unitProfile', title: '单位基本情况' },
      { kind: 'budgetExpenditure', title: '一般公共预算支出情况' },
      { kind: 'performance', title: '部门整体支出绩效情况' },
      { kind: 'problems', title: '存在的问题及原因分析' },
      { kind: 'nextSteps', title: '下一步改进措施' },
    ],
    annexes: ALL_ANNEXES,
    source:
      '益阳市智慧城市和大数据中心2020年度部门整体支出绩效自评报告（本项目 seed/，DOMAIN.md §4.1）：一、单位基本情况 二、一般公共预算支出情况 三、部门整体支出绩效情况 四、存在的问题及原因分析 五、下一步改进措施；原报告编号不一致（“1、”后接“二、”），此处统一编号。附件为本系统所加。',
  },
  {
    id: 'hunan-department-8',
    name: '湖南省部门整体支出绩效自评报告提纲（八部分）',
    sections: [
      { kind: 'departmentOverview', title: '部门概况' },
      { kind: 'expenditureManagement', title: '部门整体支出管理及使用情况' },
      { kind: 'specialProjects', title: '部门专项组织实施情况' },
      { kind: 'performance', title: '部门整体支出绩效情况' },
      { kind: 'problems', title: '存在的问题及原因分析' },
      { kind: 'nextSteps', title: '下一步改进措施' },
      { kind: 'resultApplication', title: '部门整体支出绩效自评结果拟应用和公开情况' },
      { kind: 'otherNotes', title: '其他需要说明的情况' },
    ],
    // The published Hunan reports put the 基础数据表 before the report (长沙市大数据中心 2021): it is the first annex here.
    annexes: ['basicData', 'score', 'evidence', 'projectEvaluations', 'projects', 'reconciliation', 'holdbacks'],
    source:
      '湖南省部门整体支出绩效自评报告的八部分提纲（DOMAIN.md §4.1）。一、部门概况（（一）部门基本情况（二）部门整体支出情况）和二、部门整体支出管理及使用情况（（一）基本支出（二）项目支出）' +
      '与郴州市电子政务信息中心2017、2018年度自评报告一致（http://218.76.156.215:8011/infogov/govInfo?id=4403&lib_num=1807&task_year=2018）；' +
      '基础数据表置于报告之前见长沙市大数据中心2021年度部门整体支出绩效自评报告（http://www.ptshed.com/szf/ztzl/ysgk/bmyjs_28200/sdzb/202209/t20220905_10788312.html），本提纲列为附件1。' +
      '三、部门专项组织实施情况至八、其他需要说明的情况未能在2021—2024年度已公开报告的存档文本中核实（检索所得仅为报告开头），按 DOMAIN.md §4.1 所载排列。' +
      '另：2022年度起所见报告的开头为“一、部门（单位）基本情况 二、一般公共预算支出情况”（株洲市荷塘区妇女联合会2022年度，http://www.hetang.gov.cn/c12176/20231204/i2135031.html；' +
      '湖南省应急管理厅2023年度“一、部门基本情况”，http://yjt.hunan.gov.cn./yjt/xxgk/czxx/202408/t20240801_33418902.html），与益阳2020提纲的开头相同，这类报告宜选用该提纲。',
  },
  {
    id: 'nanxian-score-first',
    name: '南县财政局2020年度报告提纲（自评得分在前）',
    sections: [
      { kind: 'scoreOverview', title: '自评得分情况' },
      { kind: 'unitOverview', title: '单位基本概况' },
      { kind: 'budgetExpenditure', title: '部门整体支出情况' },
      { kind: 'performanceWithoutScore', title: '部门整体支出绩效情况' },
      { kind: 'problems', title: '存在的问题及原因分析' },
      { kind: 'nextSteps', title: '下一步改进措施' },
    ],
    annexes: ALL_ANNEXES,
    source:
      '南县财政局2020年度机关整体支出绩效评价报告（http://nxjw.nanxian.gov.cn/14890/36191/36192/36209/content_1639681.html）：一、自评得分情况 二、单位基本概况（（一）机构设置情况（二）人员编制情况（三）部门预算单位构成（四）单位职责）。' +
      '账套不记部门预算单位构成，二、下不列该项；三、以后各部分未能在存档文本中核实，按本系统其他提纲的支出、绩效、问题、措施排列。',
  },
];

export function outlineById(id: string): ReportOutline | undefined {
  return reportOutlines.find((o) => o.id === id);
}

export function outlineIds(): string[] {
  return reportOutlines.map((o) => o.id);
}
