/**
 * Who may call what. Every route declares one access rule; `authorize` decides it from the
 * signed-in account and the route's parameters. Roles are per unit; a section head reaches only
 * their own section's tasks; a user of one unit sees nothing of another. Above the units, a
 * department officer reaches the units it supervises and a bureau officer every unit under the
 * bureau — where a route says so (`unitOrOrgRoles`, `orgRoles`).
 */
import type { Account } from '../../db/accounts.repository';
import type { Db } from '../../db/connection';
import { organisationReachesOrganisation, organisationReachesUnit } from '../../db/organisations.repository';
import type { OrganisationRole } from '../../db/schema';
import type { Role } from '../../domain/ledger/unit-year.schema';

export type Access =
  /** Anyone, signed in or not. */
  | { kind: 'public' }
  /** Any signed-in account. */
  | { kind: 'signed_in' }
  /**
   * Holders of one of the roles in the unit named by the `unit` parameter — or, with `orgRoles`,
   * of one of those roles in an organisation above the unit (its department, or the bureau).
   */
  | { kind: 'unit'; roles: readonly Role[]; orgRoles?: readonly OrganisationRole[] }
  /** Holders of one of the roles in the organisation named by the `org` parameter (or the bureau above it). */
  | { kind: 'org'; roles: readonly OrganisationRole[] }
  /**
   * The task named by the `task` parameter: its assignee (`sectionHead`: the section's heads, or
   * for the self-assessment, which has no section, the unit's finance officers), or these unit roles.
   */
  | { kind: 'task'; unitRoles: readonly Role[]; sectionHead: boolean }
  /** Holders of one of the roles in any unit (an administrator creating a new unit). */
  | { kind: 'anywhere'; roles: readonly Role[] };

export const PUBLIC: Access = { kind: 'public' };
export const SIGNED_IN: Access = { kind: 'signed_in' };
export const unitRoles = (...roles: Role[]): Access => ({ kind: 'unit', roles });
export const ANY_UNIT_ROLE = unitRoles('finance_officer', 'unit_head', 'section_head', 'admin');
export const taskAccess = (sectionHead: boolean, ...roles: Role[]): Access => ({ kind: 'task', unitRoles: roles, sectionHead });
export const roleAnywhere = (...roles: Role[]): Access => ({ kind: 'anywhere', roles });
/** Unit roles, and the organisation roles above the unit that may do the same (read a report, review it). */
export const unitOrOrgRoles = (roles: readonly Role[], orgRoles: readonly OrganisationRole[]): Access => ({ kind: 'unit', roles, orgRoles });
export const orgRoles = (...roles: OrganisationRole[]): Access => ({ kind: 'org', roles });
export const ORG_OFFICERS: readonly OrganisationRole[] = ['bureau_officer', 'department_officer'];

export function hasUnitRole(account: Account, unitCode: string, roles: readonly Role[]): boolean {
  return account.roles.some((r) => r.unitCode === unitCode && roles.includes(r.role));
}

export function isSectionHead(account: Account, unitCode: string, section: string): boolean {
  return account.roles.some((r) => r.unitCode === unitCode && r.role === 'section_head' && r.section === section);
}

export type Decision = 'allow' | 'unauthenticated' | 'forbidden' | 'not_found';

/** The task a `task` parameter names (its id), with its unit and section (`null`: the self-assessment). */
export async function taskScope(db: Db, taskId: string): Promise<{ unitCode: string; section: string | null } | undefined> {
  if (!/^\d{1,15}$/.test(taskId)) return undefined;
  return db
    .selectFrom('tasks')
    .innerJoin('units', 'units.id', 'tasks.unit_id')
    .leftJoin('sections', 'sections.id', 'tasks.section_id')
    .select(['units.code as unitCode', 'sections.code as section'])
    .where('tasks.id', '=', Number(taskId))
    .executeTakeFirst();
}

export async function authorize(db: Db, access: Access, account: Account | undefined, params: Record<string, string | undefined>): Promise<Decision> {
  if (access.kind === 'public') return 'allow';
  if (!account) return 'unauthenticated';
  switch (access.kind) {
    case 'signed_in':
      return 'allow';
    case 'anywhere':
      return account.roles.some((r) => access.roles.includes(r.role)) ? 'allow' : 'forbidden';
    case 'unit': {
      const unit = params['unit'];
      if (unit === undefined) return 'not_found';
      if (!account.roles.some((r) => r.unitCode === unit)) {
        // Above the unit: a department or bureau officer whose organisation reaches it.
        const above = (account.orgRoles ?? []).filter((g) => access.orgRoles?.includes(g.role));
        if (above.length && (await organisationReachesUnit(db, above, unit))) return 'allow';
        // A unit the account has nothing to do with does not exist for it.
        if ((account.orgRoles ?? []).length && (await organisationReachesUnit(db, account.orgRoles!, unit))) return 'forbidden';
        return 'not_found';
      }
      return hasUnitRole(account, unit, access.roles) ? 'allow' : 'forbidden';
    }
    case 'org': {
      const org = params['org'];
      if (org === undefined || !(account.orgRoles ?? []).length) return 'not_found';
      return organisationReachesOrganisation(db, account.orgRoles!, org, access.roles);
    }
    case 'task': {
      const id = params['task'];
      const scope = id ? await taskScope(db, id) : undefined;
      // A task of a unit the account has nothing to do with does not exist for it.
      if (!scope || !account.roles.some((r) => r.unitCode === scope.unitCode)) return 'not_found';
      const assignee = scope.section === null ? hasUnitRole(account, scope.unitCode, ['finance_officer']) : isSectionHead(account, scope.unitCode, scope.section);
      if (access.sectionHead && assignee) return 'allow';
      return hasUnitRole(account, scope.unitCode, access.unitRoles) ? 'allow' : 'forbidden';
    }
  }
}
