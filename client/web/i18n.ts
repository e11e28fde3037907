/**
 * The one catalog of every string the web pages show, in Chinese (first) and English, and the
 * formatting of dates (2026年5月7日 / 7 May 2026, Asia/Shanghai) and amounts (万元, two decimals).
 * Pages call `t(lang, key, params)`; the browser script gets the `js.*` entries of the page's
 * language. Text that comes from the data itself (section names, finding sentences, notification
 * subjects) is shown as stored — in English it stays Chinese where no English exists.
 */
import { civilDateOf } from '../../domain/calendar/civil-date';
import { formatWanYuan } from '../../domain/money';

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];
export const LANG_COOKIE = 'lang';

interface Entry {
  zh: string;
  en: string;
}

export const catalog = {
  'app.name': { zh: '部门整体支出绩效自评', en: 'Department expenditure performance self-evaluation' },
  'app.brand': { zh: '部门整体支出绩效自评', en: 'Performance self-evaluation' },
  'app.short': { zh: '绩效自评', en: 'Self-evaluation' },
  'lang.switch': { zh: 'English', en: '中文' },
  'lang.switchLabel': { zh: '切换到英文', en: 'Switch to Chinese' },
  'nav.tasks': { zh: '我的任务', en: 'My tasks' },
  'nav.messages': { zh: '我的消息', en: 'Messages' },
  'nav.units': { zh: '单位与年度', en: 'Units and years' },
  'nav.signOut': { zh: '退出', en: 'Sign out' },
  'nav.main': { zh: '主导航', en: 'Main navigation' },
  'nav.skip': { zh: '跳到正文', en: 'Skip to content' },
  'role.finance_officer': { zh: '财务人员', en: 'Finance officer' },
  'role.section_head': { zh: '科室负责人', en: 'Section head' },
  'role.unit_head': { zh: '单位负责人', en: 'Unit head' },
  'role.admin': { zh: '管理员', en: 'Administrator' },

  'common.none': { zh: '无', en: 'None' },
  'common.reason': { zh: '原因', en: 'Reason' },
  'common.note': { zh: '备注（可选）', en: 'Note (optional)' },
  'common.confirm': { zh: '确定', en: 'Confirm' },
  'common.back': { zh: '返回', en: 'Back' },
  'common.temporal': { zh: '在 Temporal 中查看流程', en: 'Open the workflow in Temporal' },
  'common.temporalShort': { zh: '流程', en: 'Workflow' },
  'common.actions': { zh: '操作', en: 'Actions' },
  'common.year': { zh: '{year}年度', en: 'Year {year}' },
  'common.unitYear': { zh: '{unit} · {year}年度', en: '{unit} · {year}' },
  'common.autoRefresh': { zh: '正在处理，页面会自动刷新……', en: 'Working on it; this page refreshes by itself…' },
  'common.nameRole': { zh: '{name}（{role}）', en: '{name} ({role})' },
  'common.withUnit': { zh: '{name}（{unit}）', en: '{name} ({unit})' },

  'login.title': { zh: '登录', en: 'Sign in' },
  'login.intro': { zh: '请使用单位分配的账号登录。', en: 'Sign in with the account your unit gave you.' },
  'login.email': { zh: '邮箱', en: 'Email' },
  'login.password': { zh: '密码', en: 'Password' },
  'login.submit': { zh: '登录', en: 'Sign in' },

  'home.title': { zh: '单位与年度', en: 'Units and years' },
  'home.none': { zh: '您的账号尚未分配到任何单位，请联系管理员。', en: 'Your account has no role in any unit yet; ask an administrator.' },

  'unit.years': { zh: '评价年度', en: 'Evaluation years' },
  'unit.noYears': { zh: '尚未导入任何年度的账套。', en: 'No unit-year has been imported yet.' },
  'unit.dashboard': { zh: '财务看板', en: 'Finance dashboard' },
  'unit.report': { zh: '报告', en: 'Report' },
  'unit.sections': { zh: '内设科室', en: 'Sections' },
  'unit.import': { zh: '导入账套', en: 'Import a ledger' },
  'unit.importHelp': { zh: '上传单位年度账套文件（YAML、JSON 或 Excel）。内容未变化时重复导入不会改动任何数据。', en: 'Upload the unit-year file (YAML, JSON or Excel). Importing the same content again changes nothing.' },
  'unit.file': { zh: '账套文件', en: 'Ledger file' },
  'unit.importSubmit': { zh: '导入', en: 'Import' },
  'unit.export': { zh: '导出账套（Excel）', en: 'Export the ledger (Excel)' },

  'tasks.title': { zh: '我的任务', en: 'My tasks' },
  'tasks.allOfUnit': { zh: '本单位全部科室的任务', en: 'Every section task of your units' },
  'tasks.ownSections': { zh: '本科室的自评材料任务', en: 'Your section’s self-evaluation tasks' },
  'tasks.list': { zh: '任务列表', en: 'Tasks' },
  'tasks.empty': { zh: '暂无任务。', en: 'No tasks.' },
  'tasks.openOnly': { zh: '只看未完成', en: 'Open only' },
  'tasks.all': { zh: '全部', en: 'All' },
  'tasks.section': { zh: '科室', en: 'Section' },
  'tasks.unitYear': { zh: '单位 / 年度', en: 'Unit / year' },
  'tasks.due': { zh: '截止日期', en: 'Due' },
  'tasks.state': { zh: '状态', en: 'State' },
  'tasks.overdue': { zh: '已逾期', en: 'Overdue' },
  'tasks.fill': { zh: '填报', en: 'Fill in' },
  'tasks.view': { zh: '查看', en: 'View' },
  'tasks.returnedReason': { zh: '退回原因：{reason}', en: 'Returned: {reason}' },

  'state.open': { zh: '待填报', en: 'Open' },
  'state.draft': { zh: '草稿', en: 'Draft' },
  'state.submitted': { zh: '已提交', en: 'Submitted' },
  'state.overdue': { zh: '已逾期', en: 'Overdue' },
  'state.returned': { zh: '退回修改', en: 'Returned' },
  'state.cancelled': { zh: '已跳过', en: 'Skipped' },
  'state.skipped': { zh: '已跳过', en: 'Skipped' },

  'messages.title': { zh: '我的消息', en: 'Messages' },
  'messages.empty': { zh: '暂无消息。', en: 'No messages.' },
  'messages.markRead': { zh: '标为已读', en: 'Mark read' },
  'messages.unread': { zh: '未读', en: 'Unread' },
  'messages.open': { zh: '打开', en: 'Open' },

  'form.title': { zh: '{section}自评材料', en: 'Self-evaluation material: {section}' },
  'form.dueLabel': { zh: '截止日期：', en: 'Due: ' },
  'form.returned': { zh: '材料被退回修改，原因：{reason}', en: 'Returned for revision: {reason}' },
  'form.submittedInfo': { zh: '已于 {date} 由 {who} 提交，内容不可再修改。', en: 'Submitted on {date} by {who}; it can no longer be changed.' },
  'form.closedInfo': { zh: '本任务已关闭，不能再填报。', en: 'This task is closed.' },
  'form.draftSaved': { zh: '草稿保存于 {date}', en: 'Draft saved {date}' },
  'form.intro': { zh: '请填写本科室的工作成效、产出指标、存在的问题和下一步改进措施。未填写的空行不会提交。', en: 'Give your section’s achievements, output indicators, problems and next steps. Blank rows are left out.' },
  'form.achievements': { zh: '一、工作成效', en: '1. Achievements' },
  'form.achievement': { zh: '工作成效', en: 'Achievement' },
  'form.achievementTitle': { zh: '标题', en: 'Title' },
  'form.paragraphs': { zh: '内容（每行一段）', en: 'Text (one paragraph per line)' },
  'form.addAchievement': { zh: '添加一项工作成效', en: 'Add an achievement' },
  'form.outputIndicators': { zh: '二、产出指标', en: '2. Output indicators' },
  'form.indicator': { zh: '产出指标', en: 'Output indicator' },
  'form.indicatorName': { zh: '指标名称', en: 'Indicator' },
  'form.indicatorUnit': { zh: '计量单位', en: 'Unit' },
  'form.direction': { zh: '方向', en: 'Direction' },
  'form.target': { zh: '目标值', en: 'Target' },
  'form.actual': { zh: '实际值', en: 'Actual' },
  'form.deviationNote': { zh: '偏差原因（未达标时填写）', en: 'Reason for a shortfall' },
  'form.addIndicator': { zh: '添加一项产出指标', en: 'Add an output indicator' },
  'form.problems': { zh: '三、存在的问题', en: '3. Problems' },
  'form.problem': { zh: '问题', en: 'Problem' },
  'form.nextSteps': { zh: '四、下一步改进措施', en: '4. Next steps' },
  'form.nextStep': { zh: '改进措施', en: 'Next step' },
  'form.pointTitle': { zh: '标题', en: 'Title' },
  'form.pointDetail': { zh: '具体说明', en: 'Detail' },
  'form.addProblem': { zh: '添加一个问题', en: 'Add a problem' },
  'form.addNextStep': { zh: '添加一项措施', en: 'Add a next step' },
  'form.notYet': { zh: '尚未填写。', en: 'Nothing filled in yet.' },
  'form.draftOnly': { zh: '以下为科室保存的草稿，尚未提交。', en: 'The section’s saved draft, not submitted yet.' },
  'form.unit': { zh: '计量单位：{unit}', en: 'unit: {unit}' },
  'form.remove': { zh: '删除', en: 'Remove' },
  'form.saveDraft': { zh: '保存草稿', en: 'Save draft' },
  'form.submit': { zh: '提交', en: 'Submit' },
  'form.preview': { zh: '得分预览', en: 'Score preview' },
  'form.row': { zh: '第{n}项', en: 'no. {n}' },
  'dir.>=': { zh: '≥（不低于）', en: '≥ (at least)' },
  'dir.<=': { zh: '≤（不高于）', en: '≤ (at most)' },
  'dir.=': { zh: '=（等于）', en: '= (exactly)' },

  'form.category': { zh: '指标类别', en: 'Category' },
  'form.key': { zh: '重点工作', en: 'Key task' },
  'form.assessments': { zh: '五、自评指标（由本科室评价）', en: '5. Indicators your section assesses' },
  'form.assessmentsHelp': { zh: '单位指定本科室评价以下指标：选择评价档次并填写得分；扣分须说明原因，不适用须说明原因；可附佐证材料。', en: 'Your unit has your section assess these indicators: choose a tier and give the points; a lost point or 不适用 needs a reason; attach evidence files.' },
  'cat.quantity': { zh: '数量', en: 'Quantity' },
  'cat.quality': { zh: '质量', en: 'Quality' },
  'cat.timeliness': { zh: '时效', en: 'Timeliness' },
  'cat.cost': { zh: '成本', en: 'Cost' },

  'assess.evidence': { zh: '佐证材料', en: 'Evidence' },
  'assess.noEvidence': { zh: '尚未上传佐证材料。', en: 'No evidence file uploaded yet.' },
  'assess.uploadHere': { zh: '上传并附到本项：', en: 'Upload and attach here:' },
  'assess.current': { zh: '当前得分 {points} / {max}', en: 'now {points} / {max}' },
  'assess.excluded': { zh: '不适用，不计入总分', en: 'not applicable, out of the total' },
  'assess.unscored': { zh: '尚未评分', en: 'not yet scored' },
  'assess.tier': { zh: '评价档次', en: 'Tier' },
  'assess.points': { zh: '自评得分（满分 {max} 分）', en: 'Points (out of {max})' },
  'assess.sample': { zh: '有效样本数', en: 'Sample' },
  'assess.satisfied': { zh: '满意人数（含比较满意）', en: 'Satisfied (incl. fairly)' },
  'assess.method': { zh: '调查方式', en: 'Survey method' },
  'assess.computedHelp': { zh: '本指标由系统根据账套、基础数据表和各科室产出指标计算；可补充说明，或标为不适用并说明原因。', en: 'selfeval computes this indicator from the ledger, the 基础数据表 and the sections’ output indicators; you may explain it, or mark it not applicable with a reason.' },
  'assess.reason': { zh: '扣分原因或说明（扣分时必填）', en: 'Reason for lost points (required when points are lost)' },
  'assess.explanation': { zh: '说明（可选；不适用时必填）', en: 'Explanation (optional; required when not applicable)' },
  'assess.weight': { zh: '分值 {points}', en: 'weight {points}' },
  'assess.criteria': { zh: '评分标准：', en: 'Criteria: ' },
  'assess.notApplicable': { zh: '不适用', en: 'Not applicable' },
  'assess.naFull': { zh: '（须说明原因；按本评分规则视同达标）', en: '(needs a reason; this rule set gives full marks)' },
  'assess.naRescale': { zh: '（须说明原因；按本评分规则不计入总分，其余按比例折算）', en: '(needs a reason; this rule set leaves it out and rescales the rest)' },
  'assess.level1Points': { zh: '本页指标合计 {points} 分', en: '{points} points on this page' },
  'assess.surveyText': { zh: '满意 {satisfied} / 样本 {sample}', en: '{satisfied} satisfied of {sample}' },
  'assess.level1': { zh: '一级指标', en: 'Level 1' },
  'assess.level2': { zh: '二级指标', en: 'Level 2' },
  'assess.level3': { zh: '三级指标', en: 'Indicator' },
  'assess.weightCol': { zh: '分值', en: 'Weight' },
  'assess.valueCol': { zh: '评价', en: 'Assessment' },
  'assess.pointsCol': { zh: '得分', en: 'Points' },
  'assess.reasonCol': { zh: '原因或说明', en: 'Reason' },
  'assess.computedShort': { zh: '系统计算', en: 'computed' },
  'assess.previewProblems': { zh: '填写中有 {n} 处尚不能计分：', en: '{n} entr(ies) cannot be scored yet:' },

  'evidence.title': { zh: '佐证材料', en: 'Evidence files' },
  'evidence.help': { zh: '上传 PDF、图片、Office、OFD 或文本文件（不超过 10 MB），然后在各指标中勾选附上。', en: 'Upload PDF, images, Office, OFD or text files (at most 10 MB), then tick them under each indicator.' },
  'evidence.none': { zh: '尚未上传佐证材料。', en: 'No evidence files yet.' },
  'evidence.file': { zh: '选择文件', en: 'File' },
  'evidence.upload': { zh: '上传', en: 'Upload' },
  'evidence.download': { zh: '下载', en: 'Download' },

  'sa.title': { zh: '单位自评打分', en: 'Self-assessment' },
  'sa.intro': { zh: '按评分规则逐项自评：定性指标选择档次并在该档范围内打分，扣分须说明原因；满意度填写调查样本；系统计算的指标可补充说明或标为不适用。右侧按当前填写内容实时试算得分。', en: 'Assess each indicator: for a qualitative one choose the tier and give points within it (a lost point needs a reason); give the survey figures for satisfaction; computed indicators may be explained or marked not applicable. The score on the right follows what you type.' },
  'sa.ruleSet': { zh: '评分规则：{id}（{region}）', en: 'Rule set: {id} ({region})' },
  'sa.taskOpen': { zh: '自评任务待提交，截止日期 {date}。可先保存草稿，提交后进入对账。', en: 'The self-assessment task is open, due {date}. Save a draft as you go; submitting lets the evaluation reconcile.' },
  'sa.submitted': { zh: '自评已于 {date} 由 {who} 提交。评分前仍可修改并保存（须完整）。', en: 'Submitted on {date} by {who}. Until scoring it may still be corrected (complete) and saved.' },
  'sa.submittedLocked': { zh: '自评已于 {date} 由 {who} 提交。', en: 'Submitted on {date} by {who}.' },
  'sa.noTask': { zh: '本年度评价尚未开始：可先填写并保存，评价开始后会生成自评任务。', en: 'The evaluation has not started: you can fill in and save now; starting it creates the self-assessment task.' },
  'sa.locked': { zh: '评价已进入评分、审批或签发阶段，自评不能再修改。', en: 'The evaluation is past scoring; the self-assessment can no longer change.' },
  'sa.readOnly': { zh: '自评由财务人员填写，此处仅供查看。', en: 'The finance officer fills in the self-assessment; you can only read it here.' },
  'sa.save': { zh: '保存', en: 'Save' },
  'sa.previewHelp': { zh: '按当前填写的自评（尚未保存）试算全单位得分。', en: 'The unit’s score with the self-assessment as typed (not yet saved).' },
  'sa.noIndicators': { zh: '评分规则中没有需要财务人员自评的指标。', en: 'The rule set has no indicator for the finance officer to assess.' },

  'bd.title': { zh: '基础数据表', en: 'Basic data table (基础数据表)' },
  'bd.intro': { zh: '部门整体支出绩效（自评）基础数据表。金额单位：元（保留两位小数）。保存时检查表内各栏是否相加一致；与账套的差异作为对账发现列出。', en: 'The 基础数据表 of the self-evaluation. Amounts in yuan (two decimals). Saving checks the table’s own totals; its differences with the ledger are listed as findings.' },
  'bd.amountUnit': { zh: '金额单位：元', en: 'Amounts in yuan' },
  'bd.colItem': { zh: '项目', en: 'Item' },
  'bd.colPrevious': { zh: '上年决算数', en: 'Last year (final)' },
  'bd.colBudget': { zh: '本年预算数', en: 'This year (budget)' },
  'bd.colFinal': { zh: '本年决算数', en: 'This year (final)' },
  'bd.staff': { zh: '一、财政供养人员情况', en: '1. Staff paid from the budget' },
  'bd.posts': { zh: '编制数（人）', en: 'Authorised posts' },
  'bd.inPost': { zh: '实际在职人数（人）', en: 'In post' },
  'bd.controlRate': { zh: '控制率（%）', en: 'Control rate (%)' },
  'bd.threePublic': { zh: '二、“三公”经费', en: '2. “Three public” expenses' },
  'bd.tpTotal': { zh: '合计', en: 'Total' },
  'bd.vehicles': { zh: '1.公务用车购置和维护经费', en: '1. Official vehicles' },
  'bd.vehiclePurchase': { zh: '其中：公车购置', en: 'of which: purchase' },
  'bd.vehicleOperation': { zh: '公车运行维护', en: 'operation and upkeep' },
  'bd.abroad': { zh: '2.出国经费', en: '2. Travel abroad' },
  'bd.reception': { zh: '3.公务接待', en: '3. Official reception' },
  'bd.projects': { zh: '三、项目支出', en: '3. Project expenditure' },
  'bd.projectsTotal': { zh: '项目支出合计', en: 'Projects total' },
  'bd.project': { zh: '项目', en: 'Project' },
  'bd.projectName': { zh: '项目名称', en: 'Project name' },
  'bd.projectLink': { zh: '对应账套项目', en: 'Ledger project' },
  'bd.projectNone': { zh: '（类别，不对应单个项目）', en: '(a category, no single project)' },
  'bd.addProject': { zh: '添加项目行', en: 'Add a project row' },
  'bd.publicFunds': { zh: '四、公用经费', en: '4. Public funds' },
  'bd.pfTotal': { zh: '公用经费合计', en: 'Total' },
  'bd.office': { zh: '其中：办公经费', en: 'of which: office' },
  'bd.utilitiesTravel': { zh: '水费、电费、差旅费', en: 'water, power, travel' },
  'bd.meetingsTraining': { zh: '会议费、培训费', en: 'meetings, training' },
  'bd.procurement': { zh: '五、政府采购金额', en: '5. Government procurement' },
  'bd.budgetAdjustment': { zh: '六、部门整体支出预算调整', en: '6. Budget adjustment' },
  'bd.buildings': { zh: '七、楼堂馆所控制情况（本年度完工项目）', en: '7. Buildings completed this year' },
  'bd.building': { zh: '楼堂馆所', en: 'Building' },
  'bd.buildingName': { zh: '项目名称', en: 'Name' },
  'bd.approvedArea': { zh: '批复规模（㎡）', en: 'Approved (㎡)' },
  'bd.actualArea': { zh: '实际规模（㎡）', en: 'Actual (㎡)' },
  'bd.areaRate': { zh: '规模控制率', en: 'Area ratio' },
  'bd.budgetInvestment': { zh: '预算投资（元）', en: 'Budgeted investment' },
  'bd.actualInvestment': { zh: '实际投资（元）', en: 'Actual investment' },
  'bd.investmentRate': { zh: '投资概算控制率', en: 'Investment ratio' },
  'bd.addBuilding': { zh: '添加楼堂馆所', en: 'Add a building' },
  'bd.noBuildings': { zh: '本年度没有完工的楼堂馆所。', en: 'No building completed this year.' },
  'bd.savingMeasures': { zh: '八、厉行节约保障措施', en: '8. Economy measures' },
  'bd.budget': { zh: '预算执行情况', en: 'Budget execution' },
  'bd.initial': { zh: '年初预算数', en: 'Initial budget' },
  'bd.adjusted': { zh: '全年预算数', en: 'Adjusted budget' },
  'bd.executed': { zh: '全年执行数', en: 'Executed' },
  'bd.fundSource': { zh: '资金来源', en: 'Fund source' },
  'bd.budgetTotal': { zh: '合计', en: 'Total' },
  'bd.addSource': { zh: '添加资金来源', en: 'Add a fund source' },
  'bd.planned': { zh: '既定支付进度（%）', en: 'Planned payment progress (%)' },
  'bd.dataSource': { zh: '数据来源（可选）', en: 'Source (optional)' },
  'bd.save': { zh: '保存基础数据表', en: 'Save the table' },
  'bd.findings': { zh: '基础数据表引起的对账发现', en: 'Findings from the table' },
  'bd.findingsHelp': { zh: '基础数据表与账套、申报数之间的差异（金额单位：万元）。全部对账发现见财务看板。', en: 'Differences between the table and the ledger or stated figures (10k yuan). The dashboard lists every finding.' },
  'bd.noFindings': { zh: '基础数据表没有引起对账差异。', en: 'The table gives rise to no finding.' },
  'bd.readOnly': { zh: '基础数据表由财务人员填写，此处仅供查看。', en: 'The finance officer fills in this table; you can only read it here.' },
  'bd.empty': { zh: '尚未填写基础数据表。', en: 'The table has not been filled in.' },
  'bd.row': { zh: '第{n}行', en: 'row {n}' },

  'dash.basicData': { zh: '基础数据表', en: 'Basic data table' },
  'dash.selfAssessment': { zh: '单位自评打分', en: 'Self-assessment' },
  'dash.saHelp': { zh: '财务人员按评分规则对定性指标自评打分；所有科室和自评都提交后才进入对账。', en: 'The finance officer scores the qualitative indicators; reconciliation waits for every section and the self-assessment.' },
  'dash.saNone': { zh: '本次评价没有自评任务（开始于自评步骤之前）。', en: 'This evaluation has no self-assessment task (started before that step existed).' },
  'dash.saOpen': { zh: '填写自评', en: 'Fill in' },
  'dash.saView': { zh: '查看自评', en: 'View' },
  'dash.ruleSet': { zh: '评分规则：', en: 'Rule set: ' },

  'preview.title': { zh: '得分预览', en: 'Score preview' },
  'preview.help': { zh: '按当前填写的内容（尚未提交）试算全单位的自评得分，列出失分指标及原因。', en: 'The unit’s score with what is on this form (not yet submitted): which indicators lose points and why.' },
  'preview.total': { zh: '分 / 已评分 {scored} 项，满分 {max} 分', en: 'points / {scored} indicators scored, out of {max}' },
  'preview.grade': { zh: '等级：{grade}', en: 'Grade: {grade}' },
  'preview.gradeRange': { zh: '等级介于“{worst}”与“{best}”之间', en: 'Grade between “{worst}” and “{best}”' },
  'preview.losses': { zh: '失分指标', en: 'Indicators losing points' },
  'preview.missing': { zh: '尚未评分的指标（{n} 项，合计 {points} 分）', en: 'Not yet scored ({n}, {points} points)' },
  'preview.owed': { zh: '尚需说明', en: 'Explanations still owed' },
  'preview.noLosses': { zh: '没有失分指标。', en: 'No indicator loses points.' },
  'preview.deduction': { zh: '扣 {points} 分', en: '−{points}' },
  'preview.max': { zh: '满分 {points} 分', en: 'max {points}' },

  'grade.excellent': { zh: '优', en: 'excellent' },
  'grade.good': { zh: '良', en: 'good' },
  'grade.fair': { zh: '中', en: 'fair' },
  'grade.poor': { zh: '差', en: 'poor' },

  'dash.title': { zh: '财务看板', en: 'Finance dashboard' },
  'dash.stage': { zh: '当前阶段：', en: 'Stage: ' },
  'dash.notStarted': { zh: '本年度评价尚未开始。', en: 'The evaluation of this year has not been started.' },
  'dash.start': { zh: '开始评价', en: 'Start the evaluation' },
  'dash.startHelp': { zh: '开始后将为每个科室生成填报任务，并按截止日期自动提醒。', en: 'Starting creates a task for every section, with reminders before the due date.' },
  'dash.dueDate': { zh: '材料截止日期', en: 'Due date of the material' },
  'dash.dueDateHelp': { zh: '留空则为 10 个工作日后', en: 'Blank: 10 working days from today' },
  'dash.escalateAfter': { zh: '逾期多少个工作日后上报财务人员', en: 'Escalate after this many working days overdue' },
  'dash.progress': { zh: '各科室进度', en: 'Progress by section' },
  'dash.reminders': { zh: '提醒', en: 'Reminders' },
  'dash.remindersSent': { zh: '已提醒 {n} 次', en: '{n} sent' },
  'dash.nextReminder': { zh: '下次 {date}', en: 'next {date}' },
  'dash.escalated': { zh: '已上报', en: 'Escalated' },
  'dash.extend': { zh: '延期', en: 'Extend' },
  'dash.newDueDate': { zh: '新的截止日期', en: 'New due date' },
  'dash.proceedWithout': { zh: '不等待该科室', en: 'Proceed without' },
  'dash.return': { zh: '退回修改', en: 'Return' },
  'dash.skippedReason': { zh: '跳过原因：{reason}', en: 'Skipped: {reason}' },
  'dash.submittedBy': { zh: '提交人：{who}', en: 'By {who}' },
  'dash.findings': { zh: '对账发现', en: 'Reconciliation findings' },
  'dash.findingsHelp': { zh: '账套中申报数与明细计算数的差异（金额单位：万元）。', en: 'Differences between stated and itemised figures (amounts in 10k yuan).' },
  'dash.noFindings': { zh: '没有对账差异。', en: 'No differences.' },
  'dash.finding': { zh: '说明', en: 'Finding' },
  'dash.difference': { zh: '差额', en: 'Difference' },
  'dash.blocking': { zh: '需确认', en: 'Must be acknowledged' },
  'dash.info': { zh: '提示', en: 'Note' },
  'dash.acknowledge': { zh: '确认对账结果', en: 'Acknowledge the findings' },
  'dash.acknowledgeHelp': { zh: '确认以上差异已核实（或已说明原因）后，评价将进入评分和生成报告。', en: 'Once the differences are checked (or explained), the evaluation goes on to scoring and the report.' },
  'dash.acknowledged': { zh: '对账结果已确认。', en: 'The findings are acknowledged.' },
  'dash.awaitingAck': { zh: '{n} 项差异待财务人员确认。', en: '{n} finding(s) await the finance officer.' },
  'dash.recheck': { zh: '更正账套后重新对账', en: 'Reconcile again after correcting the ledger' },
  'dash.holdbacks': { zh: '暂扣款项：何时到期', en: 'Withheld payments: what falls due when' },
  'dash.holdbacksHelp': { zh: '质保金、运维考核款、验收款等，按到期日排列（金额单位：万元）。', en: 'Retentions, O&M fees, final payments, soonest first (amounts in 10k yuan).' },
  'dash.noHoldbacks': { zh: '没有未支付的暂扣款项。', en: 'Nothing is withheld.' },
  'dash.noDate': { zh: '待条件满足', en: 'When the condition is met' },
  'dash.project': { zh: '项目', en: 'Project' },
  'dash.kind': { zh: '类型', en: 'Kind' },
  'dash.amount': { zh: '金额', en: 'Amount' },
  'dash.outstanding': { zh: '未付', en: 'Outstanding' },
  'dash.awaiting': { zh: '等待', en: 'Waiting for' },
  'dash.dueOn': { zh: '到期日', en: 'Falls due' },
  'dash.score': { zh: '得分预览', en: 'Score preview' },
  'dash.report': { zh: '报告与审批', en: 'Report and approval' },
  'dash.unitHeadOnly': { zh: '（仅财务人员可操作）', en: '(finance officer only)' },

  'kind.retention': { zh: '质保金', en: 'Retention' },
  'kind.om_assessment': { zh: '运维考核款', en: 'O&M fee' },
  'kind.acceptance': { zh: '验收尾款', en: 'Final payment' },
  'kind.milestone': { zh: '里程碑款', en: 'Milestone payment' },

  'hb.back': { zh: '返回财务看板', en: 'Back to the dashboard' },
  'hb.state': { zh: '款项状态', en: 'State' },
  'hb.kind': { zh: '类型', en: 'Kind' },
  'hb.derived': { zh: '（由验收转入）', en: '(opened by an acceptance)' },
  'hb.condition': { zh: '支付条件', en: 'Condition' },
  'hb.status': { zh: '状态', en: 'Status' },
  'hb.nextDue': { zh: '下一到期日', en: 'Next due date' },
  'hb.nominalDue': { zh: '（按合同为 {date}，顺延至工作日）', en: '(contract: {date}, moved to a working day)' },
  'hb.forfeitReason': { zh: '不予支付部分', en: 'Not payable' },
  'hb.retentionOpened': { zh: '转入质保金', en: 'Retention opened' },
  'hb.amounts': { zh: '金额', en: 'Amounts' },
  'hb.amountTotal': { zh: '暂缓支付金额', en: 'Amount withheld' },
  'hb.held': { zh: '仍暂缓', en: 'Still withheld' },
  'hb.payable': { zh: '已到期可支付', en: 'Payable' },
  'hb.released': { zh: '已支付', en: 'Paid' },
  'hb.forfeited': { zh: '不予支付', en: 'Forfeited' },
  'hb.transferred': { zh: '转入质保金', en: 'Moved to a retention' },
  'hb.history': { zh: '记录', en: 'History' },
  'hb.noEvents': { zh: '尚无记录。', en: 'Nothing recorded yet.' },
  'hb.eventDate': { zh: '日期', en: 'Date' },
  'hb.eventType': { zh: '事项', en: 'Event' },
  'hb.eventText': { zh: '说明', en: 'What happened' },
  'hb.recordedBy': { zh: '记录人', en: 'Recorded by' },
  'hb.fromLedger': { zh: '台账', en: 'ledger' },
  'hb.nextReminder': { zh: '下次提醒：{date}', en: 'Next reminder: {date}' },
  'hb.noNextReminder': { zh: '没有待发的提醒。', en: 'No reminder is scheduled.' },
  'hb.noReminders': { zh: '尚未发送提醒。', en: 'No reminder sent yet.' },
  'hb.reminderDate': { zh: '提醒日', en: 'Reminder date' },
  'hb.reminderKind': { zh: '提醒', en: 'Reminder' },
  'hb.firedAt': { zh: '发送时间', en: 'Sent' },
  'hb.catchUp': { zh: '（补发）', en: '(caught up)' },
  'hb.reminderFailed': { zh: '发送失败', en: 'failed' },
  'hb.reminderBefore': { zh: '到期前 {n} 天', en: '{n} days before' },
  'hb.reminderDue': { zh: '到期当日', en: 'on the due date' },
  'hb.reminderAfter': { zh: '逾期 {n} 天', en: '{n} days overdue' },
  'hb.notStarted': { zh: '该款项的跟踪流程尚未开始（评价开始时启动），以下为台账记载。', en: 'The workflow of this amount has not started yet (it starts with the evaluation); this is what the ledger says.' },
  'hb.closed': { zh: '该款项已结清，不再记录事项。', en: 'This amount is settled; nothing more can be recorded.' },
  'hb.nothingToRecord': { zh: '当前没有需要记录的事项：款项等待到期。', en: 'Nothing to record now: the amount waits for its date.' },
  'hb.record': { zh: '记录', en: 'Record' },
  'hb.recordRelease': { zh: '记录支付', en: 'Record the payment' },
  'hb.assessment': { zh: '记录运维考核结果', en: 'Record the O&M assessment' },
  'hb.assessmentHelp': { zh: '考核通过后款项转为可支付（合同约定按考核系数支付的，按系数计算，其余不予支付）；未通过则继续暂缓至下一考核期间。', en: 'A pass makes the fee payable (scaled by the coefficient when the contract says so; the rest is forfeited); a fail keeps it withheld until the next period.' },
  'hb.scoringTable': { zh: '合同考核办法：', en: 'The contract’s table: ' },
  'hb.passMark': { zh: '{score} 分及以上为合格', en: 'pass from {score}' },
  'hb.band': { zh: '{min} 分及以上按 {pct}% 支付', en: 'from {min}: {pct}%' },
  'hb.period': { zh: '考核期间', en: 'Period' },
  'hb.assessedOn': { zh: '考核日期', en: 'Assessed on' },
  'hb.score': { zh: '考核得分', en: 'Score' },
  'hb.result': { zh: '考核结果', en: 'Result' },
  'hb.resultByScore': { zh: '（按合同由得分决定）', en: '(decided by the score, as the contract says)' },
  'hb.passed': { zh: '通过', en: 'Passed' },
  'hb.failed': { zh: '未通过', en: 'Failed' },
  'hb.coefficient': { zh: '支付系数（%）', en: 'Coefficient (%)' },
  'hb.coefficientHelp': { zh: '合同约定按考核系数支付：考核通过时必填', en: 'the contract scales the fee: required with a pass' },
  'hb.coefficientFromTable': { zh: '按合同考核办法由得分确定，可修改', en: 'from the score by the contract’s table; may be changed' },
  'hb.noCoefficient': { zh: '合同未约定按考核系数支付：考核通过即全额可支付。', en: 'The contract does not scale the fee: a pass makes all of it payable.' },
  'hb.acceptance': { zh: '记录验收', en: 'Record the acceptance' },
  'hb.acceptanceHelp': { zh: '验收合格后尾款转为可支付，按合同付款期限提醒；合同约定质保金比例的，同时转出质保金。', en: 'Acceptance makes the final payment due within the contract’s term; with a retention rate, the retention part moves to a retention of its own.' },
  'hb.acceptedOn': { zh: '验收日期', en: 'Accepted on' },
  'hb.warrantyMonths': { zh: '质保期（月）', en: 'Warranty (months)' },
  'hb.warrantyHelp': { zh: '合同未载明时填写', en: 'when the contract does not say' },
  'hb.defect': { zh: '报告缺陷', en: 'Report a defect' },
  'hb.defectHelp': { zh: '质保期内发现缺陷：质保期延长，到期日和提醒随之调整（延长后合计不超过 24 个月）。', en: 'A defect during the warranty extends it; the due date and reminders move (24 months at most in all).' },
  'hb.reportedOn': { zh: '发现日期', en: 'Reported on' },
  'hb.extendMonths': { zh: '延长质保期（月）', en: 'Extend by (months)' },
  'hb.description': { zh: '缺陷说明', en: 'Description' },
  'hb.milestone': { zh: '记录里程碑', en: 'Record the milestone' },
  'hb.milestoneHelp': { zh: '约定的里程碑达成后款项转为可支付。', en: 'Reaching the milestone makes the amount payable.' },
  'hb.milestoneName': { zh: '里程碑', en: 'Milestone' },
  'hb.reachedOn': { zh: '达成日期', en: 'Reached on' },
  'hb.release': { zh: '记录支付', en: 'Record a payment' },
  'hb.releaseHelp': { zh: '支付已到期的款项，可分次支付；全部付清后款项结清。', en: 'Pay what is due, at once or in parts; once all is paid the amount is settled.' },
  'hb.paidOn': { zh: '支付日期', en: 'Paid on' },
  'hb.amount': { zh: '支付金额（元）', en: 'Amount (yuan)' },
  'hb.amountHelp': { zh: '可支付 {payable} 元', en: '{payable} yuan payable' },
  'hbStatus.waiting': { zh: '暂缓中', en: 'Withheld' },
  'hbStatus.payable': { zh: '可支付', en: 'Payable' },
  'hbStatus.partially_released': { zh: '部分支付', en: 'Partly paid' },
  'hbStatus.released': { zh: '已结清', en: 'Paid' },
  'hbStatus.forfeited': { zh: '不予支付', en: 'Forfeited' },
  'hbAwaiting.warranty_end': { zh: '质保期届满', en: 'End of the warranty' },
  'hbAwaiting.assessment': { zh: '{period} 期间运维考核结果', en: 'O&M assessment for {period}' },
  'hbAwaiting.acceptance': { zh: '验收合格', en: 'Acceptance' },
  'hbAwaiting.milestone': { zh: '里程碑：{milestone}', en: 'Milestone: {milestone}' },
  'hbAwaiting.payment': { zh: '支付', en: 'Payment' },
  'hbAwaiting.nothing': { zh: '无', en: 'Nothing' },
  'hbEvent.assessment': { zh: '运维考核', en: 'Assessment' },
  'hbEvent.acceptance': { zh: '验收', en: 'Acceptance' },
  'hbEvent.defect': { zh: '缺陷', en: 'Defect' },
  'hbEvent.milestone': { zh: '里程碑', en: 'Milestone' },
  'hbEvent.release': { zh: '支付', en: 'Payment' },

  'stage.opening': { zh: '正在启动', en: 'Opening' },
  'stage.collecting': { zh: '收集科室材料', en: 'Collecting the sections’ material' },
  'stage.reviewing': { zh: '对账复核', en: 'Reviewing the findings' },
  'stage.scoring': { zh: '评分', en: 'Scoring' },
  'stage.drafting': { zh: '生成报告草稿', en: 'Drafting the report' },
  'stage.approving': { zh: '待单位负责人审批', en: 'Awaiting the unit head’s approval' },
  'stage.issuing': { zh: '正在签发', en: 'Issuing' },
  'stage.issued': { zh: '已签发', en: 'Issued' },

  'report.title': { zh: '绩效自评报告', en: 'Self-evaluation report' },
  'report.none': { zh: '尚未生成报告。所有科室提交且对账结果确认后，系统会生成报告草稿。', en: 'No report yet. The draft is rendered once every section has submitted and the findings are acknowledged.' },
  'report.draftPreview': { zh: '草稿预览（第 {v} 版）', en: 'Draft preview (version {v})' },
  'report.openPdf': { zh: '在新窗口打开 PDF', en: 'Open the PDF in a new window' },
  'report.approval': { zh: '审批', en: 'Approval' },
  'report.approveHelp': { zh: '批准后报告即正式签发，内容冻结，不能再修改。', en: 'Approving issues the report: it is frozen and can no longer change.' },
  'report.approve': { zh: '批准签发', en: 'Approve and issue' },
  'report.sendBack': { zh: '退回财务人员', en: 'Send back to the finance officer' },
  'report.awaitingHead': { zh: '草稿第 {v} 版待单位负责人审批。', en: 'Draft version {v} awaits the unit head’s approval.' },
  'report.issued': { zh: '正式报告（第 {v} 版）', en: 'Issued report (version {v})' },
  'report.issuedHelp': { zh: '下载的文件可用下列 SHA-256 校验值核对。', en: 'Check the downloaded file against this SHA-256.' },
  'report.downloadPdf': { zh: '下载 PDF', en: 'Download PDF' },
  'report.downloadDocx': { zh: '下载 Word（DOCX）', en: 'Download Word (DOCX)' },
  'report.versions': { zh: '全部版本', en: 'All versions' },
  'report.version': { zh: '版本', en: 'Version' },
  'report.kind': { zh: '类型', en: 'Kind' },
  'report.createdAt': { zh: '生成时间', en: 'Created' },
  'report.createdBy': { zh: '生成人', en: 'By' },
  'report.kind.draft': { zh: '草稿', en: 'Draft' },
  'report.kind.issued': { zh: '正式签发', en: 'Issued' },
  'report.sha256': { zh: 'PDF 的 SHA-256', en: 'SHA-256 of the PDF' },
  'report.docxSha256': { zh: 'DOCX 的 SHA-256', en: 'SHA-256 of the DOCX' },

  'error.title': { zh: '无法打开页面', en: 'This page cannot be shown' },
  'error.notFound': { zh: '未找到', en: 'not found' },
  'error.forbidden': { zh: '无权查看此页面', en: 'you may not see this page' },
  'error.noLedger': { zh: '没有 {year} 年度的账套', en: 'no ledger for {year}' },
  'error.internal': { zh: '服务器内部错误', en: 'internal server error' },

  // Strings the browser script needs (sent to the page in its language).
  'js.working': { zh: '正在处理……', en: 'Working…' },
  'js.saved': { zh: '草稿已保存（{time}）', en: 'Draft saved ({time})' },
  'js.done': { zh: '已完成', en: 'Done' },
  'js.problems': { zh: '有 {n} 处需要修改：', en: '{n} problem(s) to fix:' },
  'js.network': { zh: '无法连接服务器，请检查网络后重试。', en: 'The server cannot be reached; check the connection and try again.' },
  'js.row': { zh: '第{n}项', en: 'no. {n}' },
  'js.imported': { zh: '导入完成（{status}），正在刷新……', en: 'Imported ({status}); reloading…' },
  'js.importStatus.created': { zh: '新建', en: 'created' },
  'js.importStatus.updated': { zh: '已更新', en: 'updated' },
  'js.importStatus.unchanged': { zh: '内容未变化', en: 'unchanged' },
  'js.savedAt': { zh: '已保存（{time}）', en: 'Saved ({time})' },
  'js.savedFindings': { zh: '已保存（{time}），引起 {n} 项对账发现，见页首', en: 'Saved ({time}); {n} finding(s), listed at the top' },
  'js.uploaded': { zh: '已上传：{name}', en: 'Uploaded: {name}' },
  'js.tooLarge': { zh: '文件超过 10 MB，不能上传', en: 'the file is larger than 10 MB' },
  'js.download': { zh: '下载', en: 'Download' },
  'js.blocking': { zh: '需确认', en: 'Must be acknowledged' },
  'js.noFindings': { zh: '基础数据表没有引起对账差异。', en: 'The table gives rise to no finding.' },
  'js.chooseFile': { zh: '请选择文件', en: 'choose a file' },
} as const satisfies Record<string, Entry>;

export type MessageKey = keyof typeof catalog;

/** The page's language: `?lang=` first, then the cookie, then Chinese. */
export function langOf(query: unknown, cookie: string | undefined): Lang {
  const q = (query as Record<string, unknown> | undefined)?.['lang'];
  if (q === 'en' || q === 'zh') return q;
  return cookie === 'en' ? 'en' : 'zh';
}

export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const entry: Entry = catalog[key];
  return entry[lang].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** The `js.*` strings in one language, keyed without the prefix. */
export function scriptMessages(lang: Lang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(catalog) as Array<[string, Entry]>) if (key.startsWith('js.')) out[key.slice(3)] = entry[lang];
  return out;
}

/** Bilingual text from the data (problems, API errors): the page's language when there is one. */
export function pick(lang: Lang, zh: string, en: string | undefined): string {
  return lang === 'en' && en ? en : zh;
}

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A month (YYYY-MM): 2021年8月 / Aug 2021. */
export function formatMonth(lang: Lang, yearMonth: string): string {
  const [y, m] = yearMonth.split('-').map(Number) as [number, number];
  return lang === 'zh' ? `${y}年${m}月` : `${MONTHS_EN[m - 1]!.slice(0, 3)} ${y}`;
}

/** A civil date (YYYY-MM-DD) or an instant, as the date in Shanghai: 2026年5月7日 / 7 May 2026. */
export function formatDate(lang: Lang, value: string | Date): string {
  const civil = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : civilDateOf(value instanceof Date ? value.getTime() : value);
  const [y, m, d] = civil.split('-').map(Number) as [number, number, number];
  return lang === 'zh' ? `${y}年${m}月${d}日` : `${d} ${MONTHS_EN[m - 1]} ${y}`;
}

/** An instant with its time of day in Shanghai: 2026年5月7日 14:05. */
export function formatDateTime(lang: Lang, value: string | Date): string {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  const shanghai = new Date(ms + 8 * 60 * 60 * 1000);
  const hhmm = `${String(shanghai.getUTCHours()).padStart(2, '0')}:${String(shanghai.getUTCMinutes()).padStart(2, '0')}`;
  return `${formatDate(lang, new Date(ms))} ${hhmm}`;
}

/** Today in Shanghai as YYYY-MM-DD (for date inputs). */
export function todayCivil(nowMs = Date.now()): string {
  return civilDateOf(nowMs);
}

/** 分 → "2217.42 万元" / "2,217.42 (10k yuan)". */
export function formatWan(lang: Lang, fen: number): string {
  return lang === 'zh' ? `${formatWanYuan(fen)} 万元` : `${formatWanYuan(fen, { grouping: true })} (10k yuan)`;
}

/** 分 → "2217.42" (tables whose heading gives the unit). */
export function formatWanNumber(fen: number): string {
  return formatWanYuan(fen);
}

/** Centipoints → "8.50". */
export function formatPoints(cp: number): string {
  return (cp / 100).toFixed(2);
}
