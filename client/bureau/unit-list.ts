/**
 * The bureau's list of units as an Excel sheet (单位名单): 主管部门编码 | 主管部门名称 | 单位编码 |
 * 单位名称 | 单位负责人 | 单位负责人邮箱 | 财务人员 | 财务人员邮箱 — one row per unit; units that
 * report to the bureau directly leave the department columns blank. Read and checked (every problem
 * with its row), then imported: departments and units created, units assigned, and the named
 * unit heads and finance officers given their roles (each gets a one-time link from the admin
 * page, or `selfeval users add`, to set a password).
 */
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { ensureUserWithRole } from '../../db/accounts.repository';
import type { Db } from '../../db/connection';
import { importUnitList, type UnitListRow } from '../../db/organisations.repository';
import { codeSchema } from '../../domain/ledger/scalars';
import { bi, type Problem, problemsFromZod } from '../../domain/validation';

export const UNIT_LIST_SHEET = '单位名单';
const COLUMNS = ['主管部门编码', '主管部门名称', '单位编码', '单位名称', '单位负责人', '单位负责人邮箱', '财务人员', '财务人员邮箱'] as const;

const name = z.string().trim().min(1).max(200);
const email = z.email({ message: bi('邮箱格式不正确', 'not a valid email') });
const rowSchema = z
  .object({
    departmentCode: codeSchema.optional(),
    departmentName: name.optional(),
    unitCode: codeSchema,
    unitName: name,
    headName: name.optional(),
    headEmail: email.optional(),
    financeName: name.optional(),
    financeEmail: email.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.departmentName && !r.departmentCode) ctx.addIssue({ code: 'custom', path: ['departmentCode'], message: bi('填写了主管部门名称，须同时填写编码', 'a department name needs its code'), params: { code: 'department_code_required' } });
    if (r.headName && !r.headEmail) ctx.addIssue({ code: 'custom', path: ['headEmail'], message: bi('填写了单位负责人，须同时填写邮箱', 'a unit head needs an email'), params: { code: 'email_required' } });
    if (r.financeName && !r.financeEmail) ctx.addIssue({ code: 'custom', path: ['financeEmail'], message: bi('填写了财务人员，须同时填写邮箱', 'a finance officer needs an email'), params: { code: 'email_required' } });
  });
export type UnitListEntry = z.output<typeof rowSchema>;

const keys: Record<(typeof COLUMNS)[number], keyof UnitListEntry> = {
  主管部门编码: 'departmentCode', 主管部门名称: 'departmentName', 单位编码: 'unitCode', 单位名称: 'unitName',
  单位负责人: 'headName', 单位负责人邮箱: 'headEmail', 财务人员: 'financeName', 财务人员邮箱: 'financeEmail',
};

function text(v: ExcelJS.CellValue): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'object' && 'text' in v) return String(v.text).trim() || undefined;
  if (typeof v === 'object' && 'result' in v) return text(v.result);
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('').trim() || undefined;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') return undefined;
  return String(v).trim() || undefined;
}

export type ReadUnitList = { ok: true; rows: UnitListEntry[] } | { ok: false; problems: Problem[] };

/** Reads the sheet: every problem as `单位名单 第N行 field`, in Chinese and English. */
export async function readUnitList(bytes: Buffer): Promise<ReadUnitList> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    return { ok: false, problems: [{ path: '(file)', code: 'syntax', zh: `无法读取 Excel 文件：${(e as Error).message}`, en: `cannot read the Excel file: ${(e as Error).message}` }] };
  }
  const ws = wb.getWorksheet(UNIT_LIST_SHEET);
  if (!ws) return { ok: false, problems: [{ path: '(file)', code: 'sheet_missing', zh: `缺少工作表“${UNIT_LIST_SHEET}”`, en: `the workbook has no sheet "${UNIT_LIST_SHEET}"` }] };
  const problems: Problem[] = [];
  const header = (ws.getRow(1).values as ExcelJS.CellValue[]).map((v) => text(v) ?? '');
  const at = new Map<number, keyof UnitListEntry>();
  header.forEach((title, i) => {
    if (!title) return;
    const key = keys[title as (typeof COLUMNS)[number]];
    if (key) at.set(i, key);
    else problems.push({ path: `${UNIT_LIST_SHEET} 第1行`, code: 'unknown_column', zh: `无法识别的列：${title}（可用：${COLUMNS.join('、')}）`, en: `unknown column: ${title}` });
  });
  for (const required of ['单位编码', '单位名称'] as const) {
    if (!header.includes(required)) problems.push({ path: `${UNIT_LIST_SHEET} 第1行`, code: 'column_missing', zh: `缺少列：${required}`, en: `missing column: ${required}` });
  }
  const rows: UnitListEntry[] = [];
  const seen = new Map<string, number>();
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const raw: Record<string, string> = {};
    for (const [i, key] of at) {
      const v = text(row.getCell(i).value);
      if (v !== undefined) raw[key] = v;
    }
    if (Object.keys(raw).length === 0) return;
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...problemsFromZod(parsed.error, raw).map((p) => ({ ...p, path: `${UNIT_LIST_SHEET} 第${n}行 ${p.path}` })));
      return;
    }
    const again = seen.get(parsed.data.unitCode);
    if (again !== undefined) problems.push({ path: `${UNIT_LIST_SHEET} 第${n}行 unitCode`, code: 'duplicate_unit', zh: `单位编码 ${parsed.data.unitCode} 与第${again}行重复`, en: `unit ${parsed.data.unitCode} repeats row ${again}` });
    seen.set(parsed.data.unitCode, n);
    rows.push(parsed.data);
  });
  if (rows.length === 0 && problems.length === 0) problems.push({ path: UNIT_LIST_SHEET, code: 'empty', zh: '名单中没有单位', en: 'the list has no units' });
  return problems.length ? { ok: false, problems } : { ok: true, rows };
}

/** A blank or filled list, as the bureau downloads it to fill in. */
export async function writeUnitList(rows: readonly UnitListEntry[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(UNIT_LIST_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = COLUMNS.map((c) => ({ header: c, width: c.includes('邮箱') ? 30 : 18 }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(COLUMNS.map((c) => r[keys[c]] ?? null));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Imports a checked list under a bureau: organisations and units, then the named people's roles. */
export async function importUnitListRows(db: Db, input: { bureauCode: string; rows: readonly UnitListEntry[]; actor: string }) {
  const list: UnitListRow[] = input.rows.map((r) => ({ unitCode: r.unitCode, unitName: r.unitName, ...(r.departmentCode ? { departmentCode: r.departmentCode } : {}), ...(r.departmentName ? { departmentName: r.departmentName } : {}) }));
  const result = await importUnitList(db, { bureauCode: input.bureauCode, rows: list, actor: input.actor });
  let peopleGranted = 0;
  for (const r of input.rows) {
    for (const [who, mail, role] of [[r.headName, r.headEmail, 'unit_head'], [r.financeName, r.financeEmail, 'finance_officer']] as const) {
      if (!mail) continue;
      const g = await ensureUserWithRole(db, { email: mail, name: who ?? mail.split('@')[0]!, unitCode: r.unitCode, role, actor: input.actor });
      if (g.granted) peopleGranted++;
    }
  }
  return { ...result, peopleGranted };
}
