/**
 * Compose: a report outline (./outlines, data) interpreted with the section functions of
 * ./sections. The outline gives the top-level sections in order and the annexes; numbering is
 * applied here — sections 一、二、… by position, annexes 附件1, 附件2, … skipping those with nothing
 * to show — so every heading is numbered consistently even where a source report's own numbering
 * was not ("1、" then "二、"; "（1）" then "（二）").
 */
import type { Block, ReportDocument } from './content';
import { DEFAULT_OUTLINE_ID, type OutlineAnnexKind, type OutlineSectionKind, outlineById, outlineIds, type ReportOutline } from './outlines';
import {
  type AnnexRefs, basicDataAnnex, budgetExpenditure, cover, departmentOverview, evidenceAnnex, expenditureManagement, holdbackScheduleAnnex, nextSteps, otherNotes, performance, problems,
  projectDetailsAnnex, projectEvaluationAnnex, reconciliationAnnex, reportTitle, resultApplication, scoreOverview, scoreTableAnnex, specialProjects, unitOverview, unitProfile,
} from './sections';
import type { ReportViewModel } from './view-model';

type SectionFn = (vm: ReportViewModel, n: number, title: string, annexes: AnnexRefs) => Block[];

const sectionFns: Record<OutlineSectionKind, SectionFn> = {
  unitProfile: (vm, n, title) => unitProfile(vm, n, title),
  unitOverview: (vm, n, title) => unitOverview(vm, n, title),
  departmentOverview: (vm, n, title) => departmentOverview(vm, n, title),
  budgetExpenditure: (vm, n, title, annexes) => budgetExpenditure(vm, n, annexes, title),
  expenditureManagement: (vm, n, title, annexes) => expenditureManagement(vm, n, annexes, title),
  specialProjects: (vm, n, title, annexes) => specialProjects(vm, n, annexes, title),
  scoreOverview: (vm, n, title, annexes) => scoreOverview(vm, n, annexes, title),
  performance: (vm, n, title, annexes) => performance(vm, n, annexes, { title }),
  performanceWithoutScore: (vm, n, title, annexes) => performance(vm, n, annexes, { title, withScore: false }),
  problems: (vm, n, title) => problems(vm, n, title),
  nextSteps: (vm, n, title) => nextSteps(vm, n, title),
  resultApplication: (vm, n, title) => resultApplication(vm, n, title),
  otherNotes: (vm, n, title) => otherNotes(vm, n, title),
};

/** Each annex's title after its number, whether it has anything to show, and its blocks. */
const annexes: Record<OutlineAnnexKind, { title: string; present: (vm: ReportViewModel) => boolean; blocks: (vm: ReportViewModel, title: string, outline: ReportOutline) => Block[] }> = {
  score: { title: '部门整体支出绩效自评表', present: () => true, blocks: (vm, title, outline) => scoreTableAnnex(vm, title, outline) },
  evidence: { title: '佐证材料清单', present: (vm) => vm.evidence.length > 0, blocks: (vm, title) => evidenceAnnex(vm, title) },
  basicData: { title: '部门整体支出绩效评价基础数据表', present: (vm) => vm.basicData !== undefined, blocks: (vm, title) => basicDataAnnex(vm, title) },
  projectEvaluations: { title: '项目支出绩效自评表', present: (vm) => vm.projectEvaluations.length > 0, blocks: (vm, title) => projectEvaluationAnnex(vm, title) },
  projects: { title: '项目支出明细表', present: () => true, blocks: (vm, title) => projectDetailsAnnex(vm, title) },
  reconciliation: { title: '对账说明', present: () => true, blocks: (vm, title) => reconciliationAnnex(vm, title) },
  holdbacks: { title: '暂缓支付资金到期安排表', present: () => true, blocks: (vm, title) => holdbackScheduleAnnex(vm, title) },
};

/** The outline of an id, or an error naming the known ones (the unit-year schema refuses unknown ids first). */
export function outlineFor(id: string = DEFAULT_OUTLINE_ID): ReportOutline {
  const outline = outlineById(id);
  if (!outline) throw new Error(`没有报告提纲“${id}”（可用：${outlineIds().join('、')}） / no report outline "${id}" (known: ${outlineIds().join(', ')})`);
  return outline;
}

/** The report under an outline: the view model's own choice unless `outlineId` is given (a preview under another outline). */
export function composeReport(vm: ReportViewModel, outlineId: string = vm.outline): ReportDocument {
  const outline = outlineFor(outlineId);
  const shown = outline.annexes.filter((k) => annexes[k].present(vm));
  const number = new Map(shown.map((k, i) => [k, `附件${i + 1}`]));
  const refs: AnnexRefs = { score: number.get('score'), reconciliation: number.get('reconciliation'), projectEvaluations: number.get('projectEvaluations'), holdbacks: number.get('holdbacks') };
  return {
    meta: {
      title: reportTitle(vm),
      author: vm.unit.name,
      subject: '部门整体支出绩效自评报告',
      reportDate: vm.reportDate,
      draft: vm.draft,
      versionLabel: vm.draft && vm.version === 0 ? '预览' : `${vm.draft ? '草稿 ' : ''}第${vm.version}版`,
    },
    blocks: [
      ...cover(vm),
      ...outline.sections.flatMap((s, i) => sectionFns[s.kind](vm, i + 1, s.title, refs)),
      ...shown.flatMap((k) => annexes[k].blocks(vm, `${number.get(k)} ${annexes[k].title}`, outline)),
    ],
  };
}
