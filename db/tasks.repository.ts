/**
 * The tasks projection as the inboxes read it: a section head sees their sections' tasks, the
 * finance officer, the unit head and an administrator every task of their units — the sections'
 * and the finance officer's self-assessment (a task without a section).
 */
import { sql } from 'kysely';
import type { Account } from './accounts.repository';
import type { Db } from './connection';
import type { TaskKind, TaskState } from './schema';

/** How a task without a section (the finance officer's self-assessment) is named in lists. */
export const SELF_ASSESSMENT_TASK_NAME = '单位自评打分';

export interface TaskListItem {
  id: number;
  unitCode: string;
  unitName: string;
  year: number;
  kind: TaskKind;
  /** The section's code; `null` for the self-assessment. */
  section: string | null;
  sectionName: string;
  state: TaskState;
  run: number;
  dueAt: Date;
  overdue: boolean;
  returnedReason: string | null;
  submittedAt: Date | null;
  workflowId: string;
  evaluationWorkflowId: string;
}

export interface TaskFilter {
  unitCode?: string;
  year?: number;
  /** Only tasks still waiting for their section (open, draft, overdue, returned). */
  openOnly?: boolean;
  limit?: number;
}

export async function tasksFor(db: Db, account: Account, filter: TaskFilter = {}): Promise<TaskListItem[]> {
  const inUnit = (unitCode: string) => filter.unitCode === undefined || filter.unitCode === unitCode;
  const wholeUnits = [...new Set(account.roles.filter((r) => r.role !== 'section_head' && inUnit(r.unitCode)).map((r) => r.unitId))];
  const sections = account.roles.filter((r) => r.role === 'section_head' && r.section !== null && inUnit(r.unitCode) && !wholeUnits.includes(r.unitId));
  if (wholeUnits.length === 0 && sections.length === 0) return [];
  const limit = Math.min(filter.limit ?? 100, 500);
  // The page of tasks first (read in due-date order off tasks_unit_due / tasks_section_due), then
  // its names: joining all of a unit's tasks before sorting costs ~10 ms at 10,000 tasks.
  return db
    .with('page', (qb) => {
      let q = qb
        .selectFrom('tasks')
        .leftJoin('sections', 'sections.id', 'tasks.section_id')
        .selectAll('tasks')
        .where((eb) =>
          eb.or([
            ...(wholeUnits.length ? [eb('tasks.unit_id', 'in', wholeUnits)] : []),
            ...sections.map((s) => eb.and([eb('tasks.unit_id', '=', s.unitId), eb('sections.code', '=', s.section!)])),
          ]),
        );
      if (filter.year !== undefined) {
        q = q.where('tasks.evaluation_id', 'in', (sub) =>
          sub.selectFrom('evaluations').innerJoin('unit_years', 'unit_years.id', 'evaluations.unit_year_id').select('evaluations.id').where('unit_years.year', '=', filter.year!),
        );
      }
      if (filter.openOnly) q = q.where('tasks.state', 'in', ['open', 'draft', 'overdue', 'returned']);
      return q.orderBy('tasks.due_at').orderBy('tasks.id').limit(limit);
    })
    .selectFrom('page as t')
    .innerJoin('units', 'units.id', 't.unit_id')
    .leftJoin('sections', 'sections.id', 't.section_id')
    .innerJoin('evaluations', 'evaluations.id', 't.evaluation_id')
    .innerJoin('unit_years', 'unit_years.id', 'evaluations.unit_year_id')
    .select((eb) => [
      't.id', 'units.code as unitCode', 'units.name as unitName', 'unit_years.year', 't.kind', 'sections.code as section',
      eb.fn.coalesce('sections.name', sql<string>`${SELF_ASSESSMENT_TASK_NAME}::text`).as('sectionName'), 't.state', 't.run',
      't.due_at as dueAt', 't.returned_reason as returnedReason', 't.submitted_at as submittedAt', 't.workflow_id as workflowId', 'evaluations.workflow_id as evaluationWorkflowId',
      sql<boolean>`t.state in ('open', 'draft', 'returned', 'overdue') and t.due_at < now()`.as('overdue'),
    ])
    .orderBy('t.due_at')
    .orderBy('t.id')
    .execute();
}

export async function taskById(db: Db, id: number) {
  return db
    .selectFrom('tasks')
    .innerJoin('units', 'units.id', 'tasks.unit_id')
    .leftJoin('sections', 'sections.id', 'tasks.section_id')
    .innerJoin('evaluations', 'evaluations.id', 'tasks.evaluation_id')
    .innerJoin('unit_years', 'unit_years.id', 'evaluations.unit_year_id')
    .select((eb) => [
      'tasks.id', 'units.code as unitCode', 'units.name as unitName', 'unit_years.year', 'unit_years.id as unitYearId', 'tasks.kind', 'sections.code as section',
      eb.fn.coalesce('sections.name', sql<string>`${SELF_ASSESSMENT_TASK_NAME}::text`).as('sectionName'),
      'tasks.state', 'tasks.run', 'tasks.due_at as dueAt', 'tasks.draft', 'tasks.draft_saved_at as draftSavedAt', 'tasks.returned_reason as returnedReason',
      'tasks.submitted_at as submittedAt', 'tasks.submitted_by as submittedBy', 'tasks.workflow_id as workflowId', 'evaluations.workflow_id as evaluationWorkflowId',
    ])
    .where('tasks.id', '=', id)
    .executeTakeFirst();
}
