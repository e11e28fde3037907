/** The pages' stylesheet: the system's sans-serif stack with the usual Chinese faces, calm colours. */
export const appCss = String.raw`
:root {
  --ink: #1c2530; --muted: #5c6776; --line: #dde2ea; --bg: #f2f4f7; --card: #fff;
  --brand: #1d4470; --brand-2: #2a5d94; --accent: #2468b4; --danger: #c0392b; --danger-bg: #fdf1f0;
  --ok: #1f7a45; --ok-bg: #eaf6ef; --warn: #a8630b; --warn-bg: #fdf5e6; --info-bg: #edf3fb;
  --radius: 8px;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font-family: system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Segoe UI", Roboto, sans-serif;
  font-size: 15px; line-height: 1.7; letter-spacing: .01em;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
:focus-visible { outline: 3px solid #8bb8ec; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; }

.topbar { background: var(--brand); color: #fff; box-shadow: 0 1px 0 rgba(0,0,0,.08); }
.topbar-inner { max-width: 1200px; margin: 0 auto; padding: 0 24px; display: flex; align-items: center; gap: 28px; min-height: 56px; flex-wrap: wrap; }
.brand { font-weight: 700; font-size: 16px; color: #fff; letter-spacing: .04em; white-space: nowrap; }
.brand:hover { text-decoration: none; }
.brand small { display: block; font-weight: 400; font-size: 12px; opacity: .75; letter-spacing: 0; margin-top: -4px; }
.nav { display: flex; gap: 4px; flex: 1; flex-wrap: wrap; }
.nav a { color: #dbe6f3; padding: 6px 12px; border-radius: 6px; white-space: nowrap; }
.nav a:hover { background: rgba(255,255,255,.1); color: #fff; text-decoration: none; }
.nav a[aria-current="page"] { background: rgba(255,255,255,.16); color: #fff; }
.nav .count { display: inline-block; min-width: 18px; padding: 0 5px; margin-left: 4px; border-radius: 9px; background: #e05a4f; color: #fff; font-size: 12px; line-height: 18px; text-align: center; }
.user { display: flex; align-items: center; gap: 14px; font-size: 13.5px; color: #dbe6f3; }
.user form { margin: 0; }
.user a, .user button { color: #fff; }
.linkish { background: none; border: 0; padding: 0; font: inherit; cursor: pointer; color: inherit; }
.linkish:hover { text-decoration: underline; }

.container { max-width: 1200px; margin: 0 auto; padding: 24px; }
.page-head { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; margin: 4px 0 20px; flex-wrap: wrap; }
h1 { font-size: 22px; margin: 0; font-weight: 700; letter-spacing: .02em; }
.subtitle { color: var(--muted); margin: 2px 0 0; font-size: 14px; }
h2 { font-size: 17px; margin: 0 0 14px; padding-bottom: 10px; border-bottom: 1px solid var(--line); font-weight: 650; display: flex; align-items: baseline; justify-content: space-between; gap: 12px; }
h2 .aside { font-size: 13px; font-weight: 400; color: var(--muted); white-space: nowrap; }
h3 { font-size: 15px; margin: 18px 0 8px; }
p { margin: 0 0 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 20px 24px; margin-bottom: 20px; }
.card-alert { border-left: 4px solid var(--danger); background: var(--danger-bg); }
.grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; align-items: start; }
@media (max-width: 960px) { .grid { grid-template-columns: 1fr; } }
.muted { color: var(--muted); }
.small { font-size: 13px; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; word-break: break-all; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; }

table.data { width: 100%; border-collapse: collapse; font-size: 14px; }
table.data th { text-align: left; font-weight: 600; color: var(--muted); background: #f7f9fb; font-size: 13px; white-space: nowrap; }
table.data th, table.data td { padding: 9px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.data tbody tr:hover { background: #fafbfd; }
table.data tr.is-overdue td { background: #fff8f7; }
table.data caption { text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 6px; }
tr.month td { background: #f7f9fb; font-weight: 600; color: var(--brand); font-size: 13px; }

.chip { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; line-height: 20px; white-space: nowrap; border: 1px solid transparent; }
.chip-open { background: var(--info-bg); color: #1f5a9c; border-color: #cfe0f4; }
.chip-draft { background: #f1f3f6; color: #4a5563; border-color: #dde2ea; }
.chip-overdue { background: var(--danger); color: #fff; font-weight: 600; }
.chip-returned { background: var(--warn-bg); color: var(--warn); border-color: #f3dfba; }
.chip-cancelled, .chip-skipped { background: #f1f3f6; color: #6b7482; border-color: #dde2ea; }
.chip-stage { background: var(--info-bg); color: var(--brand); border-color: #cfe0f4; font-size: 13px; }
.chip-submitted, .chip-issued { background: var(--ok-bg); color: var(--ok); border-color: #c9e8d5; }
.chip-blocking { background: var(--danger-bg); color: var(--danger); border-color: #f3cfcb; }
.alert-text { color: var(--danger); font-weight: 700; }

.notice { padding: 10px 14px; border-radius: 6px; background: var(--info-bg); border-left: 4px solid var(--accent); margin-bottom: 14px; }
.notice-ok { background: var(--ok-bg); border-left-color: var(--ok); }
.notice-warn { background: var(--warn-bg); border-left-color: var(--warn); }
.notice-danger { background: var(--danger-bg); border-left-color: var(--danger); }

label, .label { display: block; font-weight: 600; font-size: 13.5px; margin-bottom: 4px; color: #2b3543; }
.hint { font-weight: 400; color: var(--muted); font-size: 12.5px; }
input[type=text], input[type=email], input[type=password], input[type=date], input[type=number], select, textarea {
  width: 100%; padding: 7px 10px; border: 1px solid #c7cfdb; border-radius: 6px; font: inherit; font-size: 14.5px; color: var(--ink); background: #fff;
}
textarea { min-height: 96px; resize: vertical; line-height: 1.7; }
input:focus, select:focus, textarea:focus { border-color: var(--accent); outline: 3px solid #cfe1f6; outline-offset: 0; }
input[readonly] { background: #f5f6f8; }
[aria-invalid="true"] { border-color: var(--danger) !important; background: #fffafa; }
fieldset[aria-invalid="true"], [data-row][aria-invalid="true"] { background: #fffafa; }
.field { margin-bottom: 12px; }
.field-error { color: var(--danger); font-size: 13px; margin: 4px 0 0; font-weight: 600; }
.field-error::before { content: "⚠ "; }
.form-errors { border: 1px solid #f0c8c3; border-left: 4px solid var(--danger); background: var(--danger-bg); padding: 12px 16px; border-radius: 6px; margin-bottom: 16px; }
.form-errors:focus { outline: none; }
.form-errors strong { display: block; color: var(--danger); }
.form-errors ul { margin: 6px 0 0; padding-left: 20px; }
.form-errors a { color: var(--danger); text-decoration: underline; }
.form-status { color: var(--ok); font-size: 13.5px; }
.inline-form { display: flex; gap: 10px; align-items: flex-end; flex-wrap: wrap; }
.inline-form .field { margin: 0; min-width: 180px; flex: 1; }
.then { margin-top: 14px; padding-top: 12px; border-top: 1px dashed var(--line); }

.btn { display: inline-flex; align-items: center; justify-content: center; gap: 6px; padding: 7px 16px; border-radius: 6px; border: 1px solid var(--brand-2); background: var(--brand-2); color: #fff; font: inherit; font-size: 14px; font-weight: 600; cursor: pointer; white-space: nowrap; line-height: 1.5; }
.btn:hover { background: var(--brand); text-decoration: none; }
.btn[disabled] { opacity: .6; cursor: progress; }
.btn-secondary { background: #fff; color: var(--brand-2); border-color: #b9c6d8; }
.btn-secondary:hover { background: #f2f6fb; }
.btn-danger { background: #fff; color: var(--danger); border-color: #e6b7b1; }
.btn-danger:hover { background: var(--danger-bg); }
.btn-small { padding: 3px 10px; font-size: 13px; font-weight: 500; }
.btn-ok { background: var(--ok); border-color: var(--ok); }
.btn-ok:hover { background: #17613a; }
.buttons { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }

details.action { display: inline-block; margin: 0 6px 4px 0; vertical-align: top; }
details.action > summary { list-style: none; cursor: pointer; display: inline-block; padding: 2px 10px; font-size: 13px; border: 1px solid #b9c6d8; border-radius: 6px; color: var(--brand-2); background: #fff; }
details.action > summary::-webkit-details-marker { display: none; }
details.action[open] > summary { background: #eef3f9; }
details.action > form { margin-top: 8px; padding: 12px; border: 1px solid var(--line); border-radius: 6px; background: #fafbfc; min-width: 280px; }

/* The section form */
.section-form fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: 16px 20px 8px; margin: 0 0 20px; background: #fff; }
.section-form legend { font-weight: 700; font-size: 16px; padding: 0 6px; color: var(--brand); }
.rows { display: flex; flex-direction: column; gap: 12px; margin-bottom: 12px; }
[data-row] { border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px 2px; background: #fbfcfd; position: relative; }
.row-head { display: flex; justify-content: space-between; align-items: center; margin-bottom: 6px; }
.row-title { font-size: 13px; color: var(--muted); font-weight: 600; }
.ind-grid { display: grid; grid-template-columns: minmax(0, 2.4fr) minmax(0, .9fr) minmax(0, 1.2fr) minmax(0, 1fr) minmax(0, 1fr); gap: 0 12px; }
.ind-grid .wide { grid-column: 1 / -1; }
@media (max-width: 760px) { .ind-grid { grid-template-columns: 1fr 1fr; } }
.form-actions { position: sticky; bottom: 0; background: rgba(255,255,255,.96); border-top: 1px solid var(--line); padding: 12px 24px; margin: 0 -24px -20px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; border-radius: 0 0 var(--radius) var(--radius); }
.form-actions .spacer { flex: 1; }
.readonly-block { margin-bottom: 18px; }
.readonly-block h3 { margin-top: 0; }
.readonly-block p { text-indent: 2em; }
.readonly-block p.muted { text-indent: 0; }

/* Score preview */
.score-total { margin: 0 0 4px; color: var(--muted); }
.score-total strong { font-size: 30px; line-height: 1.2; color: var(--brand); margin-right: 4px; font-variant-numeric: tabular-nums; }
.score-grade { font-weight: 600; margin-bottom: 4px; }
.names { line-height: 2; }
.names span { white-space: nowrap; }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.plain li { padding: 7px 0; border-bottom: 1px dashed var(--line); }
ul.plain li:last-child { border-bottom: 0; }
.loss { color: var(--danger); font-weight: 600; white-space: nowrap; }

/* Messages */
.msg { padding: 10px 0; border-bottom: 1px solid var(--line); }
.msg:last-child { border-bottom: 0; }
.msg.unread .msg-subject { font-weight: 700; }
.msg-subject { display: flex; gap: 8px; align-items: baseline; }
.msg-meta { color: var(--muted); font-size: 12.5px; display: flex; gap: 12px; align-items: center; }
.msg-meta form { margin: 0; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #e05a4f; display: inline-block; flex: none; }

/* Report */
iframe.pdf { width: 100%; height: 760px; border: 1px solid var(--line); border-radius: 6px; background: #e9ecf0; }
.hash { display: block; padding: 8px 10px; background: #f5f7fa; border: 1px solid var(--line); border-radius: 6px; margin: 4px 0 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }

/* Login */
.login-wrap { display: flex; justify-content: center; padding: 9vh 0 6vh; }
.login-card { width: 100%; max-width: 400px; }
.login-card h1 { margin-bottom: 6px; }
.login-card .btn { width: 100%; margin-top: 8px; padding: 9px; }
/* Output indicators: category, 重点工作, 偏差原因 */
.ind-grid .wide-rest { grid-column: span 3; }
.key-field { display: flex; align-items: flex-end; padding-bottom: 8px; }
.chip-key { background: var(--warn-bg); color: var(--warn); border-color: #f3dfba; font-size: 12px; }
label.check { display: inline-flex; align-items: baseline; gap: 6px; font-weight: 400; margin: 0 14px 4px 0; cursor: pointer; }
label.check input { width: auto; margin: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

/* Self-assessment */
.sa-actions { margin-top: 12px; }
.assess-layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; align-items: start; }
.assess-layout .side { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; }
@media (max-width: 960px) { .assess-layout { grid-template-columns: 1fr; } .assess-layout .side { position: static; max-height: none; } }
fieldset.assessment { border: 0; padding: 0; margin: 0 0 12px; min-width: 0; }
.section-form fieldset.assessment { border: 1px solid var(--line); padding: 16px 20px 8px; }
.level1-head { font-size: 16px; color: var(--brand); border-bottom: 2px solid #cfe0f4; padding-bottom: 4px; margin: 18px 0 10px; }
.level2 h4 { font-size: 14px; margin: 12px 0 8px; color: #2b3543; }
.assess { margin-bottom: 12px; }
.assess .criteria { margin: 0 0 8px; }
.assess .tier { display: flex; margin-right: 0; }
.assess .points-field input { max-width: 160px; }
.assess.is-na .assess-value { display: none; }
.assess textarea { min-height: 56px; }
.survey-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 12px; }
.survey-grid .wide { grid-column: 1 / -1; }
.evidence-choices { display: flex; flex-wrap: wrap; gap: 2px 12px; }
.upload-inline { font-weight: 400; font-size: 13px; color: var(--muted); margin-top: 4px; }
.upload-inline input { font-size: 13px; }
.score-card h2 { margin-bottom: 8px; }
.preview-problems ul { margin: 6px 0 0; padding-left: 20px; }
.assessment-table td, .assessment-table th { font-size: 13px; }

/* 基础数据表 */
.bd-table { table-layout: fixed; margin-bottom: 16px; }
.bd-table tbody.rows { display: table-row-group; }
.bd-table tr[data-row] { display: table-row; border: 0; padding: 0; background: none; }
.bd-table td .field-error { font-size: 12.5px; }
.bd-table col.c-item { width: 34%; }
.bd-table col.c-amount { width: 18%; }
.bd-table col.c-act { width: 12%; }
.bd-table thead th:first-child { color: var(--brand); font-size: 14px; }
.bd-table th[scope=row] { font-weight: 400; color: var(--ink); background: none; white-space: normal; }
.bd-table tr.total th[scope=row], .bd-table tr.heading-row th[scope=row] { font-weight: 600; }
.bd-table tr.sub th[scope=row] { padding-left: 28px; }
.bd-table td.num-cell input { text-align: right; font-variant-numeric: tabular-nums; }
.bd-table td { padding: 6px 8px; }
.bd-table th, .bd-table td { vertical-align: middle; }
.bd-table input, .bd-table select { padding: 5px 8px; font-size: 14px; }
.bd-table select { margin-top: 4px; }
.bd-buildings { table-layout: auto; }
.bd-budget-h { margin-top: 24px; }
.bd-heading { font-size: 14px; color: var(--brand); }
.plain-fieldset { border: 0; padding: 0; margin: 0 0 12px; min-width: 0; }
.plain-fieldset legend { padding: 0; margin-bottom: 4px; }
.chip-hb-waiting { background: #f1f3f6; color: #4a5563; border-color: #dde2ea; }
.chip-hb-payable { background: var(--warn-bg); color: var(--warn); border-color: #f3dfba; }
.chip-hb-partially_released { background: var(--info-bg); color: #1f5a9c; border-color: #cfe0f4; }
.chip-hb-released { background: var(--ok-bg); color: var(--ok); border-color: #c9e8d5; }
.chip-hb-forfeited { background: #f1f3f6; color: #6b7482; border-color: #dde2ea; }
/* Administration */
.role-line { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
form.inline { display: inline; margin: 0; }
form.inline .form-errors { margin: 4px 0; padding: 6px 10px; }
.danger-text { color: var(--danger); }
.form-result { margin: 10px 0; padding: 10px 12px; border: 1px solid #c9e8d5; background: var(--ok-bg); border-radius: 6px; }
.form-result input { margin-top: 4px; }
.form-result p { margin: 4px 0 0; }
.user a[aria-current="page"] { text-decoration: underline; }
/* Rule sets: the indicator table, a file line by line with its problems, the dashboard's comparison */
.rule-table tr.level1-row th, .rule-table tr.level1-row td { background: #eef3f9; color: var(--brand); font-size: 14px; }
.rule-table tr.level2-row th, .rule-table tr.level2-row td { background: #f7f9fb; color: #2b3543; font-weight: 600; padding-left: 24px; }
.source-text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; line-height: 1.6; white-space: pre; overflow-wrap: normal; overflow-x: auto; }
.src-view { border: 1px solid var(--line); border-radius: 6px; background: #fbfcfd; max-height: 560px; overflow: auto; margin: 8px 0 14px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; line-height: 1.6; }
.src-line { display: flex; align-items: stretch; }
.src-line .ln { flex: none; width: 3.6em; text-align: right; padding: 0 10px 0 0; color: var(--muted); background: #f2f4f7; border: 0; border-radius: 0; font: inherit; user-select: none; }
.src-line button.ln { cursor: pointer; }
.src-line button.ln:hover { color: var(--accent); text-decoration: underline; }
.src-line code { flex: 1; white-space: pre-wrap; word-break: break-all; padding-left: 10px; font-family: inherit; }
.src-line.has-problem { background: var(--danger-bg); }
.src-line.has-problem .ln { color: var(--danger); font-weight: 700; background: #f9dedb; }
.src-problem { margin: 0 0 2px 3.6em; padding: 4px 10px; border-left: 3px solid var(--danger); background: #fff; color: var(--danger); font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; font-size: 13px; font-weight: 600; }
.src-problem::before { content: "⚠ "; }
.src-path { color: var(--muted); font-weight: 400; }
.src-whole { padding: 6px 10px; border-bottom: 1px solid var(--line); }
.src-whole .src-problem { margin-left: 0; }
.src-stale { display: none; }
.src-view.is-stale .src-stale { display: block; position: sticky; top: 0; margin: 0; padding: 6px 10px; background: var(--warn-bg); color: var(--warn); font-family: system-ui, sans-serif; z-index: 1; }
.src-view.is-stale .src-lines { opacity: .6; }
details.candidate { margin: 6px 0 0; }
details.candidate > summary { cursor: pointer; color: var(--brand-2); margin: 4px 0 8px; }
.rule-set-preview { margin-top: 14px; padding-top: 12px; border-top: 1px dashed var(--line); }
.compare { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin: 4px 0 12px; }
@media (max-width: 760px) { .compare { grid-template-columns: 1fr; } }
.compare-col { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
.compare-col[data-side="candidate"] { border-color: #cfe0f4; background: var(--info-bg); }
.compare-label { font-size: 12.5px; font-weight: 700; color: var(--muted); letter-spacing: .1em; }
.delta { font-weight: 700; margin: 0; }
.delta.up { color: var(--ok); }
.delta.down { color: var(--danger); }
.rule-set-actions { margin-top: 12px; }
/* The bureau's side: overview, organisation, campaign, review, published reports */
.ov-grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; align-items: start; }
@media (max-width: 960px) { .ov-grid { grid-template-columns: 1fr; } }
dl.counts { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 10px; margin: 0; }
dl.counts > div { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: #fafbfd; }
dl.counts dt { color: var(--muted); font-size: 13px; }
dl.counts dd { margin: 0; font-size: 22px; font-weight: 700; }
table.dist th { width: 6em; background: none; }
table.dist td.dist-bar { width: 100%; }
table.dist progress { width: 100%; height: 14px; accent-color: var(--brand-2); }
.filters { margin-bottom: 12px; align-items: flex-end; }
.table-scroll { overflow-x: auto; }
.year-switch { margin: -8px 0 12px; }
.year-switch a, .year-switch strong { margin-right: 8px; }
.pager { margin-top: 12px; align-items: center; }
.chip-review { background: #f1f3f6; color: #4a5563; border-color: #dde2ea; }
.chip-review-issued, .chip-review-in_review { background: var(--info-bg); color: #1f5a9c; border-color: #cfe0f4; }
.chip-review-returned { background: var(--warn-bg); color: var(--warn); border-color: #f3dfba; }
.chip-review-accepted { background: var(--ok-bg); color: var(--ok); border-color: #c9e8d5; }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.side-by-side .score-total { font-size: 22px; }
.comment-list li { margin-bottom: 6px; }
details.review-action { margin-top: 14px; padding-top: 12px; border-top: 1px dashed var(--line); }
details.review-action > summary { cursor: pointer; color: var(--brand-2); font-weight: 600; }
details.review-action > form { margin-top: 10px; }
.review-row { align-items: flex-start; }
.review-row .field.grow { flex: 1 1 320px; }
.review-row textarea { width: 100%; }
.public-note { color: var(--muted); font-size: 13px; }
footer.foot { max-width: 1200px; margin: 0 auto; padding: 8px 24px 32px; color: var(--muted); font-size: 12.5px; }
`;
