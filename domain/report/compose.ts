/**
 * Templates: one per report year (the outline a year's notice asks for), choosing the sections
 * and their order. Numbering is applied here, so every heading is numbered consistently even
 * where the seed report's own numbering was not ("1、" then "二、"; "（1）" then "（二）").
 */
import type { ReportDocument } from './content';
import {
  basicDataAnnex, budgetExpenditure, cover, evidenceAnnex, holdbackScheduleAnnex, nextSteps, performance, problems, projectDetailsAnnex, projectEvaluationAnnex, reconciliationAnnex, reportTitle, scoreTableAnnex, unitProfile,
} from './sections';
import type { ReportViewModel } from './view-model';

export interface ReportTemplate {
  id: string;
  /** Report years this template serves (inclusive). */
  fromYear: number;
  toYear: number;
  compose(vm: ReportViewModel): ReportDocument;
}

/** The outline of the 2020 seed report (益阳): 一 单位基本情况 … 五 下一步改进措施, plus annexes. */
const outline2020: ReportTemplate = {
  id: 'yiyang-department-2020',
  fromYear: 2000,
  toYear: 2100,
  compose(vm) {
    // Annexes numbered in order; the 基础数据表 only when the unit-year has one, the projects'
    // 项目支出绩效自评表 only when some project has one.
    const names = [
      'score',
      ...(vm.evidence.length ? ['evidence'] : []),
      ...(vm.basicData ? ['basicData'] : []),
      ...(vm.projectEvaluations.length ? ['projectEvaluations'] : []),
      'projects',
      'reconciliation',
      'holdbacks',
    ] as const;
    type AnnexName = 'score' | 'evidence' | 'basicData' | 'projectEvaluations' | 'projects' | 'reconciliation' | 'holdbacks';
    const annex = Object.fromEntries(names.map((k, i) => [k, `附件${i + 1}`])) as Partial<Record<AnnexName, string>> & Record<'score' | 'projects' | 'reconciliation' | 'holdbacks', string>;
    return {
      meta: {
        title: reportTitle(vm),
        author: vm.unit.name,
        subject: '部门整体支出绩效自评报告',
        reportDate: vm.reportDate,
        draft: vm.draft,
        versionLabel: `${vm.draft ? '草稿 ' : ''}第${vm.version}版`,
      },
      blocks: [
        ...cover(vm),
        ...unitProfile(vm, 1),
        ...budgetExpenditure(vm, 2, { reconciliation: annex.reconciliation, ...(annex.projectEvaluations ? { projectEvaluations: annex.projectEvaluations } : {}) }),
        ...performance(vm, 3, { score: annex.score }),
        ...problems(vm, 4),
        ...nextSteps(vm, 5),
        ...scoreTableAnnex(vm, `${annex.score} 部门整体支出绩效自评表`),
        ...(annex.evidence ? evidenceAnnex(vm, `${annex.evidence} 佐证材料清单`) : []),
        ...(vm.basicData ? basicDataAnnex(vm, `${annex.basicData} 部门整体支出绩效评价基础数据表`) : []),
        ...(annex.projectEvaluations ? projectEvaluationAnnex(vm, `${annex.projectEvaluations} 项目支出绩效自评表`) : []),
        ...projectDetailsAnnex(vm, `${annex.projects} 项目支出明细表`),
        ...reconciliationAnnex(vm, `${annex.reconciliation} 对账说明`),
        ...holdbackScheduleAnnex(vm, `${annex.holdbacks} 暂缓支付资金到期安排表`),
      ],
    };
  },
};

const templates: ReportTemplate[] = [outline2020];

export function templateFor(year: number): ReportTemplate {
  const t = templates.find((x) => year >= x.fromYear && year <= x.toYear);
  if (!t) throw new Error(`no report template for ${year}`);
  return t;
}

export function composeReport(vm: ReportViewModel): ReportDocument {
  return templateFor(vm.year).compose(vm);
}
