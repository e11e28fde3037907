/**
 * Compose: the report's sections as pure functions of the view model. Each returns blocks; the
 * caller numbers the top-level sections, so numbering is consistent whatever the template keeps.
 * Figures come from the view model only: stated totals as the unit declares them, items as the
 * ledger itemises them, and every gap between the two in the reconciliation annex.
 */
import { periodZh } from '../holdbacks/periods';
import { EXECUTION_WEIGHT_CP, type ProjectIndicatorScore, UNEXPLAINED } from '../project-evaluation';
import { formatPercent, formatPoints, formatPointsShort } from '../rate';
import type { ScoreSheet } from '../scoring';
import type { Block, Cell, CellObject, Inline } from './content';
import { chineseDate, chineseMonth, ordinal, percentFromBp, points, wan, wanNumber } from './format';
import type { AllocationView, HoldbackView, ProjectEvaluationView, ProjectView, ReportViewModel } from './view-model';

const sentence = (s: string) => (/[。；！？]$/.test(s) ? s : `${s}。`);
const clause = (s: string) => s.replace(/[。；，、]+$/, '');
const p = (text: string | Inline[], indent = true): Block => ({ kind: 'paragraph', text, indent });
const h = (level: 1 | 2 | 3 | 4, n: number, text: string): Block => ({ kind: 'heading', level, text: `${ordinal(level, n)}${text}` });

export function reportTitle(vm: ReportViewModel): string {
  return `${vm.year}年度${vm.unit.name}整体支出绩效自评报告`;
}

/** The title as printed: broken after the unit's name rather than anywhere a line runs out. */
function displayTitle(vm: ReportViewModel): string {
  return `${vm.year}年度${vm.unit.name}\n整体支出绩效自评报告`;
}

export function cover(vm: ReportViewModel): Block[] {
  return [
    {
      kind: 'cover',
      // The cover's larger type fits the unit's name on a line of its own.
      title: `${vm.year}年度\n${vm.unit.name}\n整体支出绩效自评报告`,
      lines: [
        { label: '单位名称', value: vm.unit.name },
        { label: '评价年度', value: `${vm.year}年度` },
        { label: '评价方式', value: '部门（单位）整体支出绩效自评' },
        ...(vm.score.final && vm.score.grade ? [{ label: '自评得分', value: `${points(vm.score.totalCp)}分（${vm.score.grade.zh}）` }] : []),
        // Version 0 is a preview under a candidate rule set or outline, never a stored version.
        ...(vm.draft ? [{ label: '版本', value: vm.version === 0 ? '预览（未生效，不是报告版本）' : `草稿（第${vm.version}版）` }] : []),
      ],
      dateText: chineseDate(vm.reportDate),
    },
    { kind: 'title', text: displayTitle(vm) },
    ...(vm.dataNote ? [p([{ text: '数据说明：', bold: true }, sentence(vm.dataNote)])] : []),
  ];
}

// ── 一、单位基本情况 ───────────────────────────────────────────────────────────────────────

/** The unit's level, 编制, internal sections and staff, in the seed's words (one paragraph each fact group). */
function unitFacts(vm: ReportViewModel): { kind: string; posts: string; sections: string; staff: string } {
  const u = vm.unit;
  const who = u.shortName ?? u.name;
  const posts = u.leadershipPosts.map((x) => `${x.title}${x.count}名`).join('、');
  const levels = [...new Set(u.sections.map((s) => s.level).filter(Boolean))];
  const sameLevel = levels.length === 1 && u.sections.every((s) => s.level) ? `（均为${levels[0]}）` : '';
  const sectionText = `内设机构${u.sections.length}个${sameLevel}：${u.sections.map((s) => s.name).join('、')}`;
  const leaders = u.sectionLeadershipPosts !== undefined ? `，设${levels.length === 1 ? levels[0] : ''}领导职数${u.sectionLeadershipPosts}名` : '';
  const change =
    vm.staff.previousYear === undefined
      ? ''
      : vm.staff.actual === vm.staff.previousYear
        ? '，与上年持平'
        : `，比上年${vm.staff.actual > vm.staff.previousYear ? '增加' : '减少'}${Math.abs(vm.staff.actual - vm.staff.previousYear)}人`;
  return {
    kind: `${who}是${u.level ?? ''}${u.category ?? ''}`,
    posts: `核定${u.fundingType ?? ''}${u.category?.includes('事业') ? '事业' : ''}编制${u.staffQuota}名${posts ? `，其中：${posts}` : ''}`,
    sections: `${sectionText}${leaders}`,
    staff: `${vm.year}年本单位年末实有人数${vm.staff.actual}人${change}`,
  };
}

function unitProfileParagraphs(vm: ReportViewModel): Block[] {
  const f = unitFacts(vm);
  const blocks: Block[] = [p(`${f.kind}，${f.posts}。${f.sections}。${f.staff}。`)];
  if (vm.unit.functions.length) blocks.push(p(`主要职能：${vm.unit.functions.map(clause).join('；')}。`));
  return blocks;
}

export function unitProfile(vm: ReportViewModel, n: number, title = '单位基本情况'): Block[] {
  return [h(1, n, title), ...unitProfileParagraphs(vm)];
}

/**
 * 单位基本概况 as 南县财政局 2020 sets it out: （一）机构设置情况 （二）人员编制情况 （三）单位职责. Its
 * （三）部门预算单位构成 is left out: the ledger does not record which budget units the department has.
 */
export function unitOverview(vm: ReportViewModel, n: number, title = '单位基本概况'): Block[] {
  const f = unitFacts(vm);
  const blocks: Block[] = [h(1, n, title), h(2, 1, '机构设置情况'), p(`${f.kind}。${f.sections}。`), h(2, 2, '人员编制情况'), p(`${f.posts}。${f.staff}。`), h(2, 3, '单位职责')];
  blocks.push(...(vm.unit.functions.length ? vm.unit.functions.map((x, i) => p(`${i + 1}.${sentence(clause(x))}`)) : [p('单位未填写职责。')]));
  return blocks;
}

/** 部门概况 (郴州 2017/2018): （一）部门基本情况 （二）部门整体支出情况 (income, carry-over, expenditure = 基本 + 项目). */
export function departmentOverview(vm: ReportViewModel, n: number, title = '部门概况'): Block[] {
  const s = vm.stated;
  const e = s.expenditure;
  const who = vm.unit.shortName ?? vm.unit.name;
  const sources = s.income.bySource.length ? `，其中：${s.income.bySource.map((x) => `${x.source}${wan(x.amount)}`).join('、')}` : '';
  return [
    h(1, n, title),
    h(2, 1, '部门基本情况'),
    ...unitProfileParagraphs(vm),
    h(2, 2, '部门整体支出情况'),
    p(
      `${vm.year}年，${who}收入合计${wan(s.income.total.amount)}${sources}；上年结转结余${wan(s.carryOver.amount)}。` +
        `支出合计${wan(e.total.amount)}，其中：基本支出${wan(e.basic.amount)}，项目支出${wan(e.project.amount)}。`,
    ),
  ];
}

// ── 二、一般公共预算支出情况 ────────────────────────────────────────────────────────────────

export function basicExpenditure(vm: ReportViewModel, n: number): Block[] {
  const s = vm.stated;
  const e = s.expenditure;
  const who = vm.unit.shortName ?? vm.unit.name;
  const share = (x: { shareBp: number } | undefined) => (x ? `，占基本支出的${percentFromBp(x.shareBp)}` : '');
  const includes = (items: string[]) => (items.length ? `，主要包括${items.join('、')}等` : '');
  return [
    h(2, n, '基本支出情况'),
    p(
      `${vm.year}年，${who}收入${wan(s.income.total.amount)}，上年结转结余${wan(s.carryOver.amount)}，${vm.year}年支出共计${wan(e.total.amount)}，` +
        `${vm.year}年度财政拨款基本支出${wan(e.basic.amount)}，其中：人员经费${wan(e.personnel.amount)}${share(e.personnelShare)}${includes(vm.narrative.personnelIncludes)}；` +
        `公用经费${wan(e.public.amount)}${share(e.publicShare)}${includes(vm.narrative.publicIncludes)}。`,
    ),
  ];
}

/** Why part of an allocation is still unpaid, from the holdback that explains it. */
export function holdbackReason(hb: HoldbackView): string {
  if (hb.status === 'released') return '已支付';
  switch (hb.kind) {
    case 'retention': {
      const accepted = hb.acceptedOn ? `项目于${chineseMonth(hb.acceptedOn)}完成竣工验收，` : '';
      const warranty = hb.warrantyMonths ? `质保期${hb.warrantyMonths % 12 === 0 ? `${hb.warrantyMonths / 12}年` : `${hb.warrantyMonths}个月`}` : '质保期';
      const due = hb.dueOn ? `，${chineseDate(hb.dueOn)}到期` : '';
      const state = hb.status === 'payable' ? '，质保期已届满，待支付' : '，尚未届满，该笔质保金暂未支付';
      return `为质保金，${clause(hb.condition.replace(/^质保金[，,]?/, ''))}；${accepted}${warranty}${due}${state}`;
    }
    case 'om_assessment': {
      const period = hb.period ? periodZh(hb.period) : '';
      const state = hb.status === 'payable'
        ? `${period}运维考核已通过，待支付`
        : hb.assessment
          ? hb.assessment.passed
            ? `${period}运维考核已通过，待支付`
            : `由于${period}运维考核尚未达到要求，该笔运维服务费用暂未支付`
          : `${period}运维考核尚未完成，该笔费用暂未支付`;
      return `${clause(hb.condition)}，${state}`;
    }
    case 'acceptance': {
      const term = hb.paymentTermDays ? `（验收合格后${hb.paymentTermDays}日内付款）` : '';
      return hb.status === 'payable' ? `项目已验收，剩余款项待支付${term}` : `${clause(hb.condition)}${term}`;
    }
    case 'milestone': {
      const m = hb.milestone ?? '约定事项';
      return hb.status === 'payable' ? `${/完成$/.test(m) ? m : `${m}已完成`}，待支付` : clause(hb.condition);
    }
  }
}

function allocationSentence(a: AllocationView): string {
  const head = `${a.name}${wan(a.allocated)}`;
  if (a.balance === 0) return `${head}，已全部支付`;
  if (a.balance < 0) return `${head}，已支付${wan(a.paid)}，超支${wan(-a.balance)}`;
  const several = a.holdbacks.length > 1 || a.unexplained > 0;
  const reasons = a.holdbacks.map((hb) => (several ? `其中${wan(hb.amount)}${holdbackReason(hb)}` : holdbackReason(hb)));
  if (a.unexplained > 0) reasons.push(a.holdbacks.length ? `另有${wan(a.unexplained)}结余原因未说明` : '结余原因未说明');
  return `${head}，已支付${wan(a.paid)}，结余${wan(a.balance)}，${reasons.join('；')}`;
}

/** "自评得分82.36分，评价等级为“良”", or what is scored so far. */
function projectScoreText(e: ProjectEvaluationView): string {
  const s = e.score;
  return s.final && s.grade ? `自评得分${formatPoints(s.totalCp)}分，评价等级为“${s.grade.zh}”` : `已评分部分得分${formatPoints(s.totalCp)}分，尚有指标未评分`;
}

function projectParagraph(project: ProjectView, index: number, evaluation?: { view: ProjectEvaluationView; annex?: string | undefined }): Block {
  const sentences = project.allocations.map(allocationSentence);
  const retentions = project.allocations.flatMap((a) => a.holdbacks.filter((hb) => hb.kind === 'retention' && hb.status !== 'released'));
  if (retentions.length > 1) sentences.push(`以上质保金共计${wan(retentions.reduce((t, x) => t + x.amount, 0))}`);
  if (evaluation) {
    const see = evaluation.annex ? `（详见${evaluation.annex}）` : '';
    sentences.push(`该项目预算执行率${evaluation.view.score.funds.rateText}，项目支出绩效${projectScoreText(evaluation.view)}${see}`);
  }
  return p([{ text: `${index}.${project.name}：`, bold: true }, sentences.map(sentence).join('')]);
}

export function projectExpenditure(vm: ReportViewModel, n: number, reconciliationAnnex?: string, projectEvaluationAnnex?: string): Block[] {
  const who = vm.unit.shortName ?? vm.unit.name;
  const evaluations = new Map(vm.projectEvaluations.map((e) => [e.code, e]));
  const blocks: Block[] = [
    h(2, n, '项目支出情况'),
    p(`${vm.year}年，${who}项目支出${wan(vm.stated.expenditure.project.amount)}，主要包括以下项目支出：`),
    ...vm.projects.map((project, i) => {
      const view = evaluations.get(project.code);
      return projectParagraph(project, i + 1, view ? { view, annex: projectEvaluationAnnex } : undefined);
    }),
  ];
  const gap = vm.findings.find((f) => f.code === 'project_expenditure_gap');
  if (gap && gap.computed !== null && gap.difference !== null) {
    blocks.push(
      p(
        `注：以上逐项列明的项目支出合计${wan(gap.computed)}，与项目支出申报数相差${wan(Math.abs(gap.difference))}${reconciliationAnnex ? `，详见${reconciliationAnnex}` : ''}。`,
      ),
    );
  }
  return blocks;
}

/** Annex references a section's text points to ("详见附件3"), when the outline has that annex. */
export interface AnnexRefs {
  score?: string | undefined;
  reconciliation?: string | undefined;
  projectEvaluations?: string | undefined;
  holdbacks?: string | undefined;
}

export function budgetExpenditure(vm: ReportViewModel, n: number, annexes: AnnexRefs = {}, title = '一般公共预算支出情况'): Block[] {
  return [h(1, n, title), ...basicExpenditure(vm, 1), ...projectExpenditure(vm, 2, annexes.reconciliation, annexes.projectEvaluations)];
}

/** "“三公”经费预算10.00万元，实际支出8.50万元", from the stated figures, else the 基础数据表; `undefined` when neither has them. */
function threePublicText(vm: ReportViewModel): string | undefined {
  const stated = { budget: vm.stated.budget.threePublic?.amount, actual: vm.stated.actual.threePublic?.amount };
  const table = vm.basicData?.threePublic.total;
  const budget = stated.budget ?? table?.budget;
  const actual = stated.actual ?? table?.final;
  if (budget === undefined && actual === undefined) return undefined;
  const parts = [...(budget !== undefined ? [`预算${wan(budget)}`] : []), ...(actual !== undefined ? [`实际支出${wan(actual)}`] : [])];
  const rate = budget !== undefined && actual !== undefined && budget > 0 ? `，为预算的${formatPercent({ num: actual, den: budget })}` : '';
  return `“三公”经费${parts.join('，')}${rate}`;
}

/**
 * 部门整体支出管理及使用情况 (郴州 2017/2018): （一）基本支出 — 人员经费 and 公用经费 with what they
 * cover, and the 三公经费 against their budget; （二）项目支出 — each project's money, as in the seed.
 */
export function expenditureManagement(vm: ReportViewModel, n: number, annexes: AnnexRefs = {}, title = '部门整体支出管理及使用情况'): Block[] {
  const e = vm.stated.expenditure;
  const share = (x: { shareBp: number } | undefined) => (x ? `，占基本支出的${percentFromBp(x.shareBp)}` : '');
  const includes = (items: string[]) => (items.length ? `，主要包括${items.join('、')}等` : '');
  const threePublic = threePublicText(vm);
  return [
    h(1, n, title),
    h(2, 1, '基本支出情况'),
    p(
      `${vm.year}年度基本支出${wan(e.basic.amount)}，其中：人员经费${wan(e.personnel.amount)}${share(e.personnelShare)}${includes(vm.narrative.personnelIncludes)}；` +
        `公用经费${wan(e.public.amount)}${share(e.publicShare)}${includes(vm.narrative.publicIncludes)}。${threePublic ? `${threePublic}。` : '“三公”经费预算和支出未填报。'}`,
    ),
    ...projectExpenditure(vm, 2, annexes.reconciliation, annexes.projectEvaluations),
  ];
}

/**
 * 部门专项组织实施情况: the projects as a whole — money allocated (this year's and carried over),
 * paid and left, the withheld payments still owed and the projects' own 自评 — from the ledger.
 */
export function specialProjects(vm: ReportViewModel, n: number, annexes: AnnexRefs = {}, title = '部门专项组织实施情况'): Block[] {
  const who = vm.unit.shortName ?? vm.unit.name;
  const sum = (pick: (a: AllocationView) => number) => vm.projects.reduce((t, x) => t + x.allocations.reduce((u, a) => u + pick(a), 0), 0);
  const allocated = sum((a) => a.allocated);
  const carried = sum((a) => (a.carriedOver ? a.allocated : 0));
  const paid = sum((a) => a.paid);
  const blocks: Block[] = [h(1, n, title), h(2, 1, '专项资金安排及使用情况')];
  if (!vm.projects.length) blocks.push(p(`${vm.year}年，${who}未安排项目资金。`));
  else {
    const rate = allocated > 0 ? `，资金执行率${formatPercent({ num: paid, den: allocated })}` : '';
    blocks.push(
      p(
        `${vm.year}年，${who}实施项目${vm.projects.length}个，安排资金${wan(allocated)}${carried > 0 ? `（其中上年结转${wan(carried)}）` : ''}，已支付${wan(paid)}，结余${wan(allocated - paid)}${rate}。`,
      ),
      ...vm.projects.map((x, i) => p(`${i + 1}.${x.name}：安排${wan(x.allocated)}，已支付${wan(x.paid)}${x.balance !== 0 ? `，结余${wan(x.balance)}` : ''}。`)),
    );
  }
  blocks.push(h(2, 2, '暂缓支付资金管理情况'));
  const owed = vm.holdbackSchedule;
  if (!owed.length) blocks.push(p('本年度无按合同约定暂缓支付的资金。'));
  else {
    const kinds = [...new Set(owed.map((x) => x.kind))].map((kind) => {
      const of = owed.filter((x) => x.kind === kind);
      return `${holdbackKindZh[kind]}${of.length}笔${wan(of.reduce((t, x) => t + x.outstanding, 0))}`;
    });
    const see = annexes.holdbacks ? `，到期安排详见${annexes.holdbacks}` : '';
    blocks.push(p(`按合同约定暂缓支付、尚未支付的资金${owed.length}笔，共计${wan(owed.reduce((t, x) => t + x.outstanding, 0))}：${kinds.join('、')}。各笔资金按支付条件跟踪，条件成就后支付${see}。`));
  }
  blocks.push(h(2, 3, '项目支出绩效自评情况'));
  if (!vm.projectEvaluations.length) blocks.push(p('本年度未对单个项目开展项目支出绩效自评。'));
  else {
    const see = annexes.projectEvaluations ? `（详见${annexes.projectEvaluations}）` : '';
    blocks.push(p(`本单位对${vm.projectEvaluations.length}个项目开展了项目支出绩效自评：${vm.projectEvaluations.map((e) => `${e.name}${projectScoreText(e)}`).join('；')}${see}。`));
  }
  return blocks;
}

// ── 三、部门整体支出绩效情况 ────────────────────────────────────────────────────────────────

function narrativeBlocks(block: { lead?: string | undefined; items: string[] }): Block[] {
  return [...(block.lead ? [p(block.lead)] : []), ...block.items.map((item, i) => p(`${i + 1}.${sentence(item).replace(/；。$/, '。')}`))];
}

export function scoreSummary(vm: ReportViewModel, scoreAnnex?: string): Block[] {
  const s = vm.score;
  const see = scoreAnnex ? `（详见${scoreAnnex}）` : '';
  const levels = s.byLevel1.map((l) => `${l.level1}${points(l.pointsCp)}分（满分${points(l.maxCp)}分）`).join('、');
  const notApplicable = s.indicators.filter((i) => i.notApplicableZh !== null);
  const naText = notApplicable.length
    ? `${notApplicable.map((i) => `${i.level3}不适用（${clause(i.notApplicableZh!)}）`).join('；')}，${s.notApplicablePolicy === 'full_marks' ? '按评分规则视同达标' : '按评分规则不计入总分，其余指标得分折算为百分制'}。`
    : '';
  const losses = [...s.losses].sort((a, b) => b.deductionCp - a.deductionCp);
  const lossText = losses.length ? `失分指标${losses.length}项：${losses.map((l) => `${l.level3}扣${points(l.deductionCp)}分`).join('，')}。` : '各项指标均得满分。';
  if (s.final && s.grade) {
    const rescale = s.rescaled ? `（适用指标满分${points(s.rescaled.applicableMaxCp)}分，得${points(s.rescaled.pointsCp)}分，折算为百分制）` : '';
    return [
      p([
        `按照${ruleSetZh(s)}，本单位${vm.year}年度部门整体支出绩效自评得分`,
        { text: `${points(s.totalCp)}分`, bold: true },
        `${rescale}，评价等级为`,
        { text: `“${s.grade.zh}”`, bold: true },
        `${see}。其中${levels}。${lossText}${naText}`,
      ]),
    ];
  }
  return [
    p(
      `按照${ruleSetZh(s)}，已评分指标得分${points(s.totalCp)}分（这些指标满分${points(s.scoredMaxCp)}分），` +
        `尚有${s.unscoredCount}项指标（合计${points(s.unscoredMaxCp)}分）因缺少数据未评分${see}，评价等级介于“${s.gradeRange.worst.zh}”与“${s.gradeRange.best.zh}”之间。`,
    ),
  ];
}

/** 自评得分情况 (南县财政局 2020's 一): the score paragraph on its own, ahead of everything else. */
export function scoreOverview(vm: ReportViewModel, n: number, annexes: AnnexRefs = {}, title = '自评得分情况'): Block[] {
  return [h(1, n, title), ...scoreSummary(vm, annexes.score)];
}

/** The 部门整体支出绩效情况 section; `withScore: false` leaves out the score paragraph (an outline that opens with it). */
export function performance(vm: ReportViewModel, n: number, annexes: AnnexRefs = {}, options: { title?: string; withScore?: boolean } = {}): Block[] {
  // Where the rule set scores one variant of an indicator (e.g. 湖南口径 预算完成率), the others are not repeated.
  const used = new Set(vm.score.indicators.flatMap((i) => (i.formulaZh ? [i.formulaZh] : [])));
  const usedCodes = new Set(vm.indicators.filter((i) => used.has(i.formulaZh)).map((i) => i.code));
  const computed = vm.indicators.filter((i) => i.rate !== null && (!usedCodes.has(i.code) || used.has(i.formulaZh)));
  const blocks: Block[] = [
    h(1, n, options.title ?? '部门整体支出绩效情况'),
    ...(options.withScore === false ? [] : scoreSummary(vm, annexes.score)),
    h(2, 1, '经济性评价'),
    ...narrativeBlocks(vm.narrative.economy),
  ];
  if (computed.length) blocks.push(p(`经测算，${computed.map((i) => clause(i.formulaZh)).join('；')}。`));
  blocks.push(h(2, 2, '效率性评价'), ...narrativeBlocks(vm.narrative.efficiency));
  blocks.push(h(2, 3, '社会效益评价'));
  vm.achievements.forEach((a, i) => {
    blocks.push(h(3, i + 1, a.title), ...a.paragraphs.map((x) => p(x)));
  });
  if (vm.outputIndicators.length) {
    blocks.push({
      kind: 'table',
      caption: '产出指标完成情况',
      columns: [{ header: '科室', width: 2 }, { header: '指标', width: 4 }, { header: '单位', width: 1 }, { header: '方向', width: 1 }, { header: '目标值', width: 2, align: 'right' }, { header: '实际值', width: 2, align: 'right' }, { header: '偏差原因', width: 4 }],
      rows: vm.outputIndicators.map((o) => [o.section, o.name, o.unit, o.direction === '>=' ? '≥' : o.direction === '<=' ? '≤' : '=', o.target, o.actual, o.note ?? '']),
    });
  }
  for (const m of vm.missingSections) {
    blocks.push(p(`注：${m.section}未提交自评材料${m.reason ? `（${clause(m.reason)}）` : ''}，本报告未包含其内容。`));
  }
  return blocks;
}

// ── 四、问题 五、措施 ───────────────────────────────────────────────────────────────────────

function points_(list: Array<{ title: string; detail?: string | undefined }>): Block[] {
  return list.map((x, i) => p([{ text: `${ordinal(2, i + 1)}${sentence(clause(x.title))}`, bold: true }, x.detail ?? '']));
}

export function problems(vm: ReportViewModel, n: number, title = '存在的问题及原因分析'): Block[] {
  return [h(1, n, title), ...(vm.problems.length ? points_(vm.problems) : [p('无。')])];
}

export function nextSteps(vm: ReportViewModel, n: number, title = '下一步改进措施'): Block[] {
  return [h(1, n, title), ...(vm.nextSteps.length ? points_(vm.nextSteps) : [p('无。')])];
}

// ── Text the unit writes itself (七、八 of the Hunan outline) ─────────────────────────────────

/** The unit's text, one paragraph per line; when it wrote none, a sentence saying so (nothing is made up). */
function unitText(text: string | undefined, missing: string): Block[] {
  const lines = (text ?? '').split('\n').map((x) => x.trim()).filter(Boolean);
  return lines.length ? lines.map((x) => p(x)) : [p(missing)];
}

/** 部门整体支出绩效自评结果拟应用和公开情况, as the unit writes it (`narrative.resultApplication`). */
export function resultApplication(vm: ReportViewModel, n: number, title = '部门整体支出绩效自评结果拟应用和公开情况'): Block[] {
  return [h(1, n, title), ...unitText(vm.narrative.resultApplication, '单位未填写自评结果拟应用和公开情况（评价说明“结果应用和公开”）。')];
}

/** 其他需要说明的情况, as the unit writes it (`narrative.otherNotes`). */
export function otherNotes(vm: ReportViewModel, n: number, title = '其他需要说明的情况'): Block[] {
  return [h(1, n, title), ...unitText(vm.narrative.otherNotes, '单位未填写其他需要说明的情况（评价说明“其他说明”）。')];
}

// ── Annexes ────────────────────────────────────────────────────────────────────────────────

function valueWithSource(i: ReportViewModel['score']['indicators'][number]): string {
  const value = i.valueText ?? '—';
  const evidence = i.evidence.length ? `；佐证：${i.evidence.join('、')}` : '';
  return i.sourceZh ? `${value}\n来源：${i.sourceZh}${evidence}` : value;
}

/** The 自评表 annex; `outline` (the report outline followed) is named in its note. */
export function scoreTableAnnex(vm: ReportViewModel, title: string, outline?: { id: string; name: string }): Block[] {
  const s = vm.score;
  const rows: Cell[][] = [];
  const level1Span = new Map<string, number>();
  for (const i of s.indicators) level1Span.set(i.level1, (level1Span.get(i.level1) ?? 0) + 1);
  const level2Span = new Map<string, number>();
  for (const i of s.indicators) level2Span.set(`${i.level1}/${i.level2}`, (level2Span.get(`${i.level1}/${i.level2}`) ?? 0) + 1);
  let last1 = '';
  let last2 = '';
  for (const i of s.indicators) {
    const first1 = i.level1 !== last1;
    const first2 = first1 || `${i.level1}/${i.level2}` !== last2;
    last1 = i.level1;
    last2 = `${i.level1}/${i.level2}`;
    rows.push([
      first1 ? { text: i.level1, rowSpan: level1Span.get(i.level1) ?? 1 } : null,
      first2 ? { text: i.level2, rowSpan: level2Span.get(`${i.level1}/${i.level2}`) ?? 1 } : null,
      i.level3,
      { text: points(i.maxCp), align: 'right' },
      i.criteriaZh,
      valueWithSource(i),
      { text: i.status === 'scored' ? points(i.pointsCp) : i.status === 'excluded' ? '不适用' : '未评分', align: 'right' },
      i.status === 'scored' ? (i.deductionReasonZh ?? '') : i.status === 'excluded' ? i.basisZh : i.unscoredReason.zh.replace(`${i.level3}：`, ''),
    ]);
  }
  rows.push([
    { text: '合计', colSpan: 3, bold: true }, null, null,
    { text: points(s.maxCp), align: 'right', bold: true },
    { text: s.final && s.grade ? `评价等级：${s.grade.zh}` : `${s.unscoredCount}项未评分，等级介于“${s.gradeRange.worst.zh}”与“${s.gradeRange.best.zh}”之间`, colSpan: 2 }, null,
    { text: points(s.totalCp), align: 'right', bold: true },
    '',
  ]);
  return [
    { kind: 'annex', title },
    {
      kind: 'table',
      caption: `${vm.unit.name}${vm.year}年度部门整体支出绩效自评表`,
      dense: true,
      columns: [
        { header: '一级指标', width: 1.0 }, { header: '二级指标', width: 1.4 }, { header: '三级指标', width: 2.2 }, { header: '分值', width: 1.8, align: 'right' },
        { header: '评分标准', width: 5.0 }, { header: '实际完成', width: 2.6 }, { header: '得分', width: 1.5, align: 'right' }, { header: '扣分原因', width: 4.6 },
      ],
      rows,
      note: `评分规则：${ruleSetZh(s)}。${gradeBandsZh(s)}。“实际完成”栏注明数据来源。${outline ? `报告提纲：${outline.name}（${outline.id}）。` : ''}${vm.dataNote ? `数据说明：${sentence(vm.dataNote)}` : ''}`,
    },
  ];
}

export function projectDetailsAnnex(vm: ReportViewModel, title: string): Block[] {
  const rows: Cell[][] = [];
  for (const project of vm.projects) {
    project.allocations.forEach((a, i) => {
      rows.push([
        i === 0 ? { text: project.name, rowSpan: project.allocations.length } : null,
        a.name,
        String(a.budgetYear),
        { text: wanNumber(a.allocated), align: 'right' },
        { text: wanNumber(a.paid), align: 'right' },
        { text: wanNumber(a.balance), align: 'right' },
        a.balance === 0 ? '' : a.holdbacks.length === 0 ? '结余原因未说明' : a.holdbacks.map((hb) => holdbackKindZh[hb.kind]).join('、') + (a.unexplained > 0 ? `；${wanNumber(a.unexplained)}未说明` : ''),
      ]);
    });
  }
  const total = (pick: (x: ProjectView) => number) => vm.projects.reduce((t, x) => t + pick(x), 0);
  rows.push([
    { text: '合计', colSpan: 3, bold: true }, null, null,
    { text: wanNumber(total((x) => x.allocated)), align: 'right', bold: true },
    { text: wanNumber(total((x) => x.paid)), align: 'right', bold: true },
    { text: wanNumber(total((x) => x.balance)), align: 'right', bold: true },
    '',
  ]);
  return [
    { kind: 'annex', title },
    {
      kind: 'table',
      caption: `${vm.year}年度项目支出明细（金额单位：万元）`,
      columns: [
        { header: '项目', width: 3 }, { header: '资金安排', width: 4 }, { header: '预算年度', width: 1.3 }, { header: '安排', width: 1.6, align: 'right' },
        { header: '已支付', width: 1.6, align: 'right' }, { header: '结余', width: 1.6, align: 'right' }, { header: '结余原因', width: 2.4 },
      ],
      rows,
      note: '预算年度早于评价年度的为上年结转资金。',
    },
  ];
}

function milestoneDone(milestone: string | undefined): string {
  const m = milestone ?? '约定事项';
  return /完成$/.test(m) ? `${m}后` : `${m}完成后`;
}

export const holdbackKindZh = { retention: '质保金', om_assessment: '运维考核', acceptance: '验收后支付', milestone: '里程碑' } as const;
const holdbackStatusZh = { waiting: '等待条件', payable: '可支付', partially_released: '部分支付', released: '已支付', forfeited: '不予支付' } as const;

export function reconciliationAnnex(vm: ReportViewModel, title: string): Block[] {
  const unitText = (f: ReportViewModel['findings'][number], v: number | null) =>
    v === null ? '—' : f.unit === 'fen' ? wanNumber(v) : f.unit === 'bp' ? percentFromBp(v, 2) : `${v}人`;
  // A difference of shares is in percentage points, not a percentage.
  const diffText = (f: ReportViewModel['findings'][number]) =>
    f.difference === null ? '—' : f.unit === 'bp' ? `${(f.difference / 100).toFixed(2)}个百分点` : unitText(f, f.difference);
  const severityZh = { error: '不一致', warning: '需说明', info: '舍入' } as const;
  return [
    { kind: 'annex', title },
    {
      kind: 'table',
      caption: '申报数与逐项合计对账说明（金额单位：万元）',
      dense: true,
      columns: [
        { header: '序号', width: 0.8, align: 'center' }, { header: '性质', width: 1.2 }, { header: '申报数', width: 1.6, align: 'right' },
        { header: '计算数', width: 1.6, align: 'right' }, { header: '差额', width: 1.6, align: 'right' }, { header: '说明', width: 8 },
      ],
      rows: vm.findings.length
        ? vm.findings.map((f, i) => [String(i + 1), severityZh[f.severity], { text: unitText(f, f.stated), align: 'right' }, { text: unitText(f, f.computed), align: 'right' }, { text: diffText(f), align: 'right' }, f.zh])
        : [[{ text: '申报数与逐项合计一致，无对账差异。', colSpan: 6 }, null, null, null, null, null]],
      note: '差额 = 申报数 − 计算数。申报数按万元保留两位小数公布，差额在舍入误差范围内的标为“舍入”。',
    },
    ...(vm.ageing.length ? [p('结转资金账龄：'), ...vm.ageing.map((g) => p(g.zh))] : []),
  ];
}

export function holdbackScheduleAnnex(vm: ReportViewModel, title: string): Block[] {
  const rows: Cell[][] = vm.holdbackSchedule.map((hb): Cell[] => [
    hb.projectName,
    holdbackKindZh[hb.kind],
    { text: wanNumber(hb.outstanding) + (hb.released > 0 ? `（已付${wanNumber(hb.released)}）` : ''), align: 'right' },
    clause(hb.condition),
    hb.dueOn ? chineseDate(hb.dueOn) : hb.kind === 'om_assessment' ? `${hb.period ? periodZh(hb.period) : ''}考核通过后` : hb.kind === 'acceptance' ? `验收合格后${hb.paymentTermDays ?? 30}日内` : milestoneDone(hb.milestone),
    holdbackStatusZh[hb.status],
  ]);
  return [
    { kind: 'annex', title },
    {
      kind: 'table',
      caption: '暂缓支付资金到期安排（金额单位：万元）',
      columns: [{ header: '项目', width: 3 }, { header: '类型', width: 1.4 }, { header: '待付金额', width: 1.4, align: 'right' }, { header: '支付条件', width: 5 }, { header: '到期', width: 2.2 }, { header: '状态', width: 1.2 }],
      rows: rows.length ? rows : [[{ text: '无暂缓支付资金。', colSpan: 6 }, null, null, null, null, null]],
      note: '待付金额为尚未支付的部分（已部分支付的注明已付数）。到期日按质保期届满日计算，遇法定节假日顺延至下一个工作日；质保期内报告缺陷的，按延长后的质保期计算。',
    },
  ];
}


/**
 * 部门整体支出绩效评价基础数据表 as the unit filed it: every cell it gave, blanks left blank (a
 * blank is not a zero); amounts in 万元. The budget-execution table and 楼堂馆所 follow it.
 */
export function basicDataAnnex(vm: ReportViewModel, title: string): Block[] {
  const b = vm.basicData;
  if (!b) return [];
  type Cols = { previousFinal?: number | undefined; budget?: number | undefined; final?: number | undefined };
  const money = (x: number | undefined) => (x === undefined ? '' : wanNumber(x));
  const right = (text: string): Cell => ({ text, align: 'right' });
  const row = (label: string, c: Cols | undefined, format: (x: number | undefined) => string = money): Cell[] => [label, right(format(c?.previousFinal)), right(format(c?.budget)), right(format(c?.final))];
  const count = (x: number | undefined) => (x === undefined ? '' : String(x));
  const rate = (x: number | undefined) => (x === undefined ? '' : percentFromBp(x, 2));
  const tp = b.threePublic;
  const pf = b.publicFunds;
  const rows: Cell[][] = [
    [{ text: '财政供养人员情况', colSpan: 4, bold: true }, null, null, null],
    row('编制数（人）', b.staff.authorisedPosts, count),
    row('实际在职人数（人）', b.staff.inPost, count),
    row('控制率', b.staff.controlRate, rate),
    [{ text: '经费控制情况', colSpan: 4, bold: true }, null, null, null],
    row('“三公”经费', tp.total),
    row('1.公务用车购置和维护经费', tp.vehicles),
    row('　其中：公车购置', tp.vehiclePurchase),
    row('　　　　公车运行维护', tp.vehicleOperation),
    row('2.出国经费', tp.abroad),
    row('3.公务接待', tp.reception),
    row('项目支出', b.projectsTotal),
    ...b.projects.map((r, i) => row(`${i + 1}.${r.name}`, r)),
    row('公用经费', pf.total),
    row('　其中：办公经费', pf.office),
    row('　　　　水费、电费、差旅费', pf.utilitiesTravel),
    row('　　　　会议费、培训费', pf.meetingsTraining),
    row('政府采购金额', b.procurement),
    row('部门整体支出预算调整', b.budgetAdjustment),
  ];
  const blocks: Block[] = [
    { kind: 'annex', title },
    {
      kind: 'table',
      caption: `填报单位：${vm.unit.name}（金额单位：万元）`,
      dense: true,
      columns: [{ header: '项目', width: 5 }, { header: `${vm.year - 1}年决算数`, width: 2, align: 'right' }, { header: `${vm.year}年预算数`, width: 2, align: 'right' }, { header: `${vm.year}年决算数`, width: 2, align: 'right' }],
      rows,
      note: `数据来源：${b.source ?? '单位填报'}。空白表示未填报，不等于零。`,
    },
  ];
  const area = (x: string) => Number(x);
  const ratio = (num: number, den: number) => (den === 0 ? '—' : `${((num / den) * 100).toFixed(2)}%`);
  blocks.push({
    kind: 'table',
    caption: '楼堂馆所控制情况（本年完工项目）',
    dense: true,
    columns: [
      { header: '项目', width: 3 }, { header: '批复规模（㎡）', width: 1.6, align: 'right' }, { header: '实际规模（㎡）', width: 1.6, align: 'right' }, { header: '规模控制率', width: 1.4, align: 'right' },
      { header: '预算投资（万元）', width: 1.6, align: 'right' }, { header: '实际投资（万元）', width: 1.6, align: 'right' }, { header: '投资概算控制率', width: 1.4, align: 'right' },
    ],
    rows: b.buildings.length
      ? b.buildings.map((x) => [x.name, right(x.approvedArea), right(x.actualArea), right(ratio(area(x.actualArea), area(x.approvedArea))), right(wanNumber(x.budgetInvestment)), right(wanNumber(x.actualInvestment)), right(ratio(x.actualInvestment, x.budgetInvestment))])
      : [[{ text: '本年无完工的楼堂馆所项目', colSpan: 7 }, null, null, null, null, null, null]],
  });
  const bud = b.budget;
  if (bud.initial !== undefined || bud.adjusted !== undefined || bud.executed !== undefined || bud.bySource.length) {
    const exec = (e: number | undefined, a: number | undefined) => (e === undefined || a === undefined || a === 0 ? '' : ratio(e, a));
    blocks.push({
      kind: 'table',
      caption: '预算执行情况（金额单位：万元）',
      dense: true,
      columns: [{ header: '资金来源', width: 4 }, { header: '年初预算数', width: 2, align: 'right' }, { header: '全年预算数', width: 2, align: 'right' }, { header: '全年执行数', width: 2, align: 'right' }, { header: '执行率', width: 1.5, align: 'right' }],
      rows: [
        ...bud.bySource.map((x) => [x.source, right(money(x.initial)), right(money(x.adjusted)), right(money(x.executed)), right(exec(x.executed, x.adjusted))]),
        [{ text: '合计', bold: true }, right(money(bud.initial)), right(money(bud.adjusted)), right(money(bud.executed)), right(exec(bud.executed, bud.adjusted))],
      ],
      ...(bud.plannedPaymentProgress !== undefined ? { note: `既定支付进度：${percentFromBp(bud.plannedPaymentProgress)}。` } : {}),
    });
  }
  blocks.push(p([{ text: '厉行节约保障措施：', bold: true }, b.savingMeasures ? sentence(b.savingMeasures) : '未填报。']));
  return blocks;
}

// ── 项目支出绩效自评表 (财预〔2020〕10号, as used in 池州 2022; DOMAIN.md §4.5) ──────────────────

/**
 * Why a project's unspent money is unspent, from the ledger: the holdbacks on its allocations
 * (what is withheld and until when), and any part nothing explains.
 */
function unspentReasons(project: ProjectView | undefined, unspent: number): string {
  const owed = project ? project.allocations.flatMap((a) => a.holdbacks.filter((hb) => hb.status !== 'released' && hb.status !== 'forfeited')) : [];
  const unexplained = project ? project.allocations.reduce((t, a) => t + a.unexplained, 0) : unspent;
  const noun = { om_assessment: '运维考核后支付的款项', acceptance: '验收后支付的款项', milestone: '约定事项完成后支付的款项' } as const;
  // holdbackReason begins a retention's with "为质保金，"; the others get their kind here.
  const why = (hb: HoldbackView) => `${hb.kind === 'retention' ? '' : `为${noun[hb.kind]}，`}${clause(holdbackReason(hb))}`;
  const only = owed[0];
  if (owed.length === 1 && only && unexplained === 0 && only.amount === unspent) return `未执行的${wan(unspent)}${why(only)}`;
  if (owed.length === 0) return `未执行的${wan(unspent)}原因未说明，须补充说明`;
  const parts = owed.map((hb) => `${wan(hb.amount)}${why(hb)}`);
  if (unexplained > 0) parts.push(`${wan(unexplained)}原因未说明`);
  return `未执行的${wan(unspent)}中，${parts.join('；')}`;
}

const label = (text: string, extra: Partial<CellObject> = {}): CellObject => ({ text, bold: true, align: 'center', ...extra });
const span = (text: string, colSpan: number, extra: Partial<CellObject> = {}): CellObject => ({ text, colSpan, ...extra });
const covered = (n: number): null[] => Array.from({ length: n }, () => null);

/** 偏差原因分析及改进措施: the unit's note, or — when points were lost without one — "未说明偏差原因". */
function deviationText(i: ProjectIndicatorScore): string {
  if (i.pointsCp === null) return i.reasonZh ?? '';
  if (i.lostCp > 0) return i.noteZh ?? UNEXPLAINED;
  return i.noteZh ?? '';
}

/**
 * One project's 自评表 as a nine-column form: label column, then 一级 | 二级 | 三级 | 年度指标值 |
 * 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施, the funds block reusing the same grid (row
 * label over 一级 and 二级, then 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分).
 */
export function projectEvaluationTable(vm: ReportViewModel, e: ProjectEvaluationView): Block[] {
  const s = e.score;
  const f = s.funds;
  const right = (text: string, extra: Partial<CellObject> = {}): CellObject => ({ text, align: 'right', ...extra });
  const center = (text: string): CellObject => ({ text, align: 'center' });
  const rows: Cell[][] = [
    [label('项目名称', { colSpan: 2 }), null, span(e.name, 7), ...covered(6)],
    [label('主管部门', { colSpan: 2 }), null, span(e.department ?? '—', 3), null, null, label('实施单位', { colSpan: 2 }), null, span(e.implementer, 2), null],
    [label('项目资金（万元）', { rowSpan: 5 }), span('', 2), null, label('年初预算数'), label('全年预算数'), label('全年执行数'), label('分值'), label('执行率'), label('得分')],
    ...f.rows.map((r): Cell[] => {
      const total = r.key === 'total';
      return [
        null,
        span(r.labelZh, 2, total ? { bold: true } : {}),
        null,
        right(wanNumber(r.initial)),
        right(wanNumber(r.annual)),
        right(wanNumber(r.executed)),
        center(total ? formatPointsShort(EXECUTION_WEIGHT_CP) : '—'),
        right(total ? f.rateText : r.rate === null ? '—' : formatPercentOf(r.executed, r.annual)),
        right(total ? (f.pointsCp === null ? '未评分' : formatPoints(f.pointsCp)) : '—', total ? { bold: true } : {}),
      ];
    }),
    [label('年度总体目标', { rowSpan: 2 }), label('预期目标', { colSpan: 4 }), ...covered(3), label('实际完成情况', { colSpan: 4 }), ...covered(3)],
    [null, span(e.evaluation.goal.expected, 4), ...covered(3), span(e.evaluation.goal.actual, 4), ...covered(3)],
    [label('绩效指标', { rowSpan: s.indicators.length + 1 }), label('一级指标'), label('二级指标'), label('三级指标'), label('年度指标值'), label('实际完成值'), label('分值'), label('得分'), label('偏差原因分析及改进措施')],
  ];
  const level1Count = new Map<string, number>();
  for (const i of s.indicators) level1Count.set(i.level1, (level1Count.get(i.level1) ?? 0) + 1);
  // 二级 merges over consecutive rows of the same 一级 and 二级: the run's length at its first row, 0 below it.
  const level2Runs = s.indicators.map(() => 0);
  let runStart = 0;
  s.indicators.forEach((i, k) => {
    const prev = s.indicators[k - 1];
    if (!prev || prev.level1 !== i.level1 || prev.level2 !== i.level2) runStart = k;
    level2Runs[runStart] = (level2Runs[runStart] ?? 0) + 1;
  });
  s.indicators.forEach((i, k) => {
    const firstOfLevel1 = s.indicators[k - 1]?.level1 !== i.level1;
    const run = level2Runs[k] ?? 0;
    rows.push([
      null,
      firstOfLevel1 ? { text: i.level1Zh, rowSpan: level1Count.get(i.level1) ?? 1, align: 'center' } : null,
      run > 0 ? { text: i.level2, rowSpan: run, align: 'center' } : null,
      i.name,
      center(i.targetText),
      center(i.actualText),
      center(formatPointsShort(i.weightCp)),
      right(i.pointsCp === null ? '未评分' : formatPoints(i.pointsCp)),
      deviationText(i),
    ]);
  });
  const gradeText = s.final && s.grade ? `评价等级：${s.grade.zh}` : '尚有指标未评分，暂不评定等级';
  rows.push([label('总分', { colSpan: 6 }), ...covered(5), center(formatPointsShort(s.maxCp)), right(formatPoints(s.totalCp), { bold: true }), { text: gradeText, bold: true }]);
  const footer: Array<[string, string | undefined]> = [['评价结论', e.evaluation.conclusion], ['存在问题', e.evaluation.problems], ['改进措施', e.evaluation.measures]];
  for (const [name, text] of footer) if (text) rows.push([label(name, { colSpan: 2 }), null, span(text, 7), ...covered(6)]);

  const notes: string[] = [];
  for (const flag of s.flags) {
    if (flag.code === 'execution_below_90') {
      notes.push(`预算执行率${f.rateText}，低于90%：${unspentReasons(vm.projects.find((x) => x.code === e.code), f.unspent)}。`);
    } else if (flag.code !== 'deviation_unexplained') notes.push(sentence(flag.zh));
  }
  const unexplained = s.flags.filter((x) => x.code === 'deviation_unexplained');
  if (unexplained.length) notes.push(`${unexplained.map((x) => clause(x.zh.replace(`，${UNEXPLAINED}`, ''))).join('；')}，${UNEXPLAINED}，须补充。`);
  return [
    {
      kind: 'table',
      caption: `项目支出绩效自评表（${vm.year}年度）`,
      dense: true,
      headerRow: false,
      keepTogether: true,
      columns: [
        { header: '', width: 0.8 }, { header: '一级指标', width: 1.1 }, { header: '二级指标', width: 1.7 }, { header: '三级指标', width: 2.5 }, { header: '年度指标值', width: 1.5 },
        { header: '实际完成值', width: 1.5 }, { header: '分值', width: 0.8 }, { header: '得分', width: 1.4 }, { header: '偏差原因分析及改进措施', width: 3.7 },
      ],
      rows,
      ...(notes.length ? { note: `注：${notes.join('')}` } : {}),
    },
  ];
}

/** A row's own execution rate (the total row's is the scored one, shown with `rateText`). */
function formatPercentOf(executed: number, annual: number): string {
  return formatPercent({ num: executed, den: annual });
}

/** How the 自评表 is scored (财预〔2020〕10号; the Jiangxi 自评表 note for the directions). */
const PROJECT_METHOD_ZH =
  '预算执行率（10分）= 全年执行数 ÷ 全年预算数，得分 = 执行率 × 10，最高10分，低于90%的须说明原因；全年预算数为本年安排资金与上年结转资金之和，执行数为支付数，' +
  '年初预算数按本年安排资金列示（账套未区分年中追加），账套未记载其他资金。绩效指标（90分）：正向指标得分 = 实际值 ÷ 目标值 × 分值，反向指标得分 = 目标值 ÷ 实际值 × 分值，' +
  '等值指标达到得满分、否则按较小值 ÷ 较大值计，均以分值为限；目标值为0的反向或等值指标，实际为0得满分，否则不得分；得分四舍五入保留两位小数。优≥90分，良80–90分，中60–80分，差<60分。';

export function projectEvaluationAnnex(vm: ReportViewModel, title: string): Block[] {
  if (!vm.projectEvaluations.length) return [];
  const list = vm.projectEvaluations.map((e) => `${e.name}${projectScoreText(e)}`).join('；');
  return [
    { kind: 'annex', title },
    p(`按照《项目支出绩效评价管理办法》（财预〔2020〕10号），本单位对${vm.projectEvaluations.length}个项目开展了项目支出绩效自评：${list}。`),
    p([{ text: '评分方法：', bold: true }, PROJECT_METHOD_ZH]),
    ...(vm.dataNote ? [p([{ text: '数据说明：', bold: true }, sentence(vm.dataNote)])] : []),
    ...vm.projectEvaluations.flatMap((e) => projectEvaluationTable(vm, e)),
  ];
}

/** 佐证材料清单: each evidence file the score relies on, the indicators it supports, and its sha256. */
export function evidenceAnnex(vm: ReportViewModel, title: string): Block[] {
  const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
  return [
    { kind: 'annex', title },
    {
      kind: 'table',
      caption: `${vm.unit.name}${vm.year}年度绩效自评佐证材料清单`,
      dense: true,
      columns: [
        { header: '序号', width: 0.8, align: 'center' }, { header: '佐证材料', width: 4 }, { header: '支撑指标', width: 3.5 }, { header: '提供', width: 1.5 },
        { header: '大小', width: 1.2, align: 'right' }, { header: 'SHA-256（前16位）', width: 3 },
      ],
      rows: vm.evidence.map((e, i) => [String(i + 1), e.fileName, e.indicators.join('、'), e.providedBy, kb(e.sizeBytes), e.sha256.slice(0, 16)]),
    },
    { kind: 'paragraph', text: '各佐证材料以 SHA-256 校验值存档于系统中，可据此核对原件。' },
  ];
}

/** 《name》（id 第N版，region） — which rule set and version scored the report. */
export function ruleSetZh(s: ScoreSheet): string {
  return `《${s.ruleSetName}》（${s.ruleSetId} 第${s.ruleSetVersion}版，${s.region}）`;
}

/** "优≥90分，良80–90分，中60–80分，差<60分" from the rule set's own bands. */
function gradeBandsZh(s: ScoreSheet): string {
  const bands = s.gradeBands;
  return bands
    .map((b, i) => {
      const upper = i === 0 ? null : bands[i - 1]!.minCp;
      if (upper === null) return `${b.zh}≥${points(b.minCp).replace(/\.00$/, '')}分`;
      if (b.minCp === 0) return `${b.zh}<${points(upper).replace(/\.00$/, '')}分`;
      return `${b.zh}${points(b.minCp).replace(/\.00$/, '')}–${points(upper).replace(/\.00$/, '')}分`;
    })
    .join('，');
}
