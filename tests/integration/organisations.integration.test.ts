/**
 * Organisations above units on a real Postgres: the bureau's unit list (Excel) creates departments
 * and units and gives the named people their roles; what a department officer, a bureau officer
 * and a unit's own staff reach follows the tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUnitListRows, readUnitList, type UnitListEntry, writeUnitList } from '../../client/bureau/unit-list';
import { authorize, orgRoles, unitOrOrgRoles, unitRoles } from '../../client/http/access';
import { accountById } from '../../db/accounts.repository';
import { ensureOrganisation, grantOrganisationRole, unitsUnder } from '../../db/organisations.repository';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const list: UnitListEntry[] = [
  { departmentCode: 'yy-approval', departmentName: '益阳市行政审批服务局', unitCode: 'yiyang-smart-city', unitName: '益阳市智慧城市和大数据中心', headName: '单位负责人', headEmail: 'head@smart.test', financeName: '财务', financeEmail: 'finance@smart.test' },
  { departmentCode: 'yy-approval', departmentName: '益阳市行政审批服务局', unitCode: 'yy-service-centre', unitName: '益阳市政务服务中心' },
  { departmentCode: 'yy-health', departmentName: '益阳市卫生健康委员会', unitCode: 'yy-cdc', unitName: '益阳市疾病预防控制中心' },
  { unitCode: 'yy-finance-info', unitName: '益阳市财政信息中心' },
];

describe('organisations above units', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await ensureOrganisation(database.db, { code: 'yy-finance', name: '益阳市财政局', kind: 'bureau', actor: 'test' });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('imports the bureau’s list once: departments, units and the named people; the same list again changes nothing', async () => {
    const read = await readUnitList(await writeUnitList(list));
    expect(read).toEqual({ ok: true, rows: list });
    if (!read.ok) return;
    expect(await importUnitListRows(database.db, { bureauCode: 'yy-finance', rows: read.rows, actor: 'bureau@test' })).toEqual({ departmentsCreated: 2, unitsCreated: 4, unitsAssigned: 4, peopleGranted: 2 });
    expect(await importUnitListRows(database.db, { bureauCode: 'yy-finance', rows: read.rows, actor: 'bureau@test' })).toEqual({ departmentsCreated: 0, unitsCreated: 0, unitsAssigned: 0, peopleGranted: 0 });
    const bureau = await database.db.selectFrom('organisations').select('id').where('code', '=', 'yy-finance').executeTakeFirstOrThrow();
    const approval = await database.db.selectFrom('organisations').select('id').where('code', '=', 'yy-approval').executeTakeFirstOrThrow();
    expect((await unitsUnder(database.db, Number(bureau.id))).map((u) => u.code)).toEqual(['yiyang-smart-city', 'yy-cdc', 'yy-finance-info', 'yy-service-centre']);
    expect((await unitsUnder(database.db, Number(approval.id))).map((u) => u.code)).toEqual(['yiyang-smart-city', 'yy-service-centre']);
  });

  it('refuses a list with bad rows, naming each row', async () => {
    const bad = await writeUnitList([
      { unitCode: 'ok-unit', unitName: '正常单位' },
      { unitCode: 'has space', unitName: '编码有空格' },
      { unitCode: 'ok-unit', unitName: '重复' },
      { unitCode: 'no-mail', unitName: '无邮箱', headName: '张三' },
    ]);
    const read = await readUnitList(bad);
    // Row 1 is the header: the rows above are 2–5.
    expect(read.ok ? [] : read.problems.map((p) => [p.path, p.code])).toEqual([
      ['单位名单 第3行 unitCode', 'invalid_format'],
      ['单位名单 第4行 unitCode', 'duplicate_unit'],
      ['单位名单 第5行 headEmail', 'email_required'],
    ]);
  });

  it('lets a department officer reach its own units, a bureau officer every unit, and a unit’s staff nothing above their unit', async () => {
    const dept = await grantOrganisationRole(database.db, { email: 'dept@approval.test', name: '审批局', organisationCode: 'yy-approval', role: 'department_officer', actor: 'test' });
    const bureau = await grantOrganisationRole(database.db, { email: 'officer@finance.test', name: '财政局', organisationCode: 'yy-finance', role: 'bureau_officer', actor: 'test' });
    await expect(grantOrganisationRole(database.db, { email: 'x@test', name: 'x', organisationCode: 'yy-health', role: 'bureau_officer', actor: 'test' })).rejects.toThrow();
    const [deptAccount, bureauAccount] = [await accountById(database.db, dept.userId), await accountById(database.db, bureau.userId)];
    const unitFinance = await accountById(database.db, Number((await database.db.selectFrom('users').select('id').where('email', '=', 'finance@smart.test').executeTakeFirstOrThrow()).id));
    const reviewRead = unitOrOrgRoles(['finance_officer', 'unit_head', 'admin'], ['department_officer', 'bureau_officer']);
    const can = (account: typeof deptAccount, access: Parameters<typeof authorize>[1], params: Record<string, string>) => authorize(database.db, access, account, params);

    expect(await can(deptAccount, reviewRead, { unit: 'yiyang-smart-city' })).toBe('allow');
    expect(await can(deptAccount, reviewRead, { unit: 'yy-cdc' })).toBe('not_found');
    expect(await can(deptAccount, unitRoles('finance_officer'), { unit: 'yiyang-smart-city' })).toBe('forbidden');
    expect(await can(bureauAccount, reviewRead, { unit: 'yy-cdc' })).toBe('allow');
    expect(await can(bureauAccount, reviewRead, { unit: 'yy-finance-info' })).toBe('allow');
    expect(await can(unitFinance, reviewRead, { unit: 'yiyang-smart-city' })).toBe('allow');
    expect(await can(unitFinance, reviewRead, { unit: 'yy-service-centre' })).toBe('not_found');

    expect(await can(deptAccount, orgRoles('department_officer'), { org: 'yy-approval' })).toBe('allow');
    expect(await can(deptAccount, orgRoles('department_officer'), { org: 'yy-health' })).toBe('not_found');
    expect(await can(deptAccount, orgRoles('bureau_officer'), { org: 'yy-finance' })).toBe('not_found');
    expect(await can(bureauAccount, orgRoles('bureau_officer'), { org: 'yy-finance' })).toBe('allow');
    // A bureau officer reaches its departments too (with the roles the route names).
    expect(await can(bureauAccount, orgRoles('bureau_officer', 'department_officer'), { org: 'yy-health' })).toBe('allow');
    expect(await can(bureauAccount, orgRoles('department_officer'), { org: 'yy-health' })).toBe('forbidden');
    expect(await can(unitFinance, orgRoles('bureau_officer', 'department_officer'), { org: 'yy-finance' })).toBe('not_found');
  });
});
